//! Geography: Türkiye's 81 provinces (il) and 973 districts (ilçe).
//!
//! The data is embedded from `data/provinces.csv` and `data/districts.csv` (see `data/SOURCES.md`:
//! names and plates from the PTT list, 2023 populations from TÜİK ADNKS, NUTS 2021). Districts are
//! keyed by *(plate, name)*: names repeat across provinces (Yenişehir ×3, Gölbaşı ×2…).
//!
//! Lookups accept any case, with or without Turkish letters:
//!
//! ```
//! use acikkapi_core::geo::{Geography, ProvincePlate};
//! let geo = Geography::embedded();
//! assert_eq!(geo.provinces().len(), 81);
//! let denizli = geo.find_province("DENİZLİ").unwrap();
//! assert_eq!(denizli.plate, ProvincePlate::new(20).unwrap());
//! assert_eq!(geo.find_province("sanliurfa").unwrap().name, "Şanlıurfa");
//! assert_eq!(geo.find_province("34").unwrap().name, "İstanbul");
//! let d = geo.district(denizli.plate, "merkezefendi").unwrap();
//! assert_eq!(d.name, "Merkezefendi");
//! ```

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text::search_key;

const PROVINCES_CSV: &str = include_str!("../data/provinces.csv");
const DISTRICTS_CSV: &str = include_str!("../data/districts.csv");

pub use crate::codes::ProvincePlate;

impl ProvincePlate {
    /// A plate from its number; an error outside 1..=81.
    ///
    /// ```
    /// use acikkapi_core::geo::ProvincePlate;
    /// assert_eq!(ProvincePlate::new(7).unwrap().to_string(), "07");
    /// assert!(ProvincePlate::new(0).is_err());
    /// assert!(ProvincePlate::new(82).is_err());
    /// ```
    pub fn new(n: u8) -> Result<Self> {
        Self::checked(n).ok_or_else(|| Error::InvalidPlate(n.to_string()))
    }
}

impl FromStr for ProvincePlate {
    type Err = Error;

    /// Parses `"7"`, `"07"` or `" 20 "`.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        if t.is_empty() || t.len() > 3 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidPlate(s.to_string()));
        }
        let n: u8 = t.parse().map_err(|_| Error::InvalidPlate(s.to_string()))?;
        Self::new(n).map_err(|_| Error::InvalidPlate(s.to_string()))
    }
}

impl<'de> Deserialize<'de> for ProvincePlate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(u64),
            Str(String),
        }
        match Raw::deserialize(d)? {
            Raw::Num(n) => u8::try_from(n)
                .ok()
                .and_then(|n| ProvincePlate::new(n).ok())
                .ok_or_else(|| serde::de::Error::custom(Error::InvalidPlate(n.to_string()))),
            Raw::Str(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// Coğrafi bölge: the seven conventional geographical regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Marmara Bölgesi.
    Marmara,
    /// Ege Bölgesi.
    Ege,
    /// Akdeniz Bölgesi.
    Akdeniz,
    /// İç Anadolu Bölgesi.
    IcAnadolu,
    /// Karadeniz Bölgesi.
    Karadeniz,
    /// Doğu Anadolu Bölgesi.
    DoguAnadolu,
    /// Güneydoğu Anadolu Bölgesi.
    GuneydoguAnadolu,
}

impl Region {
    /// The Turkish name, as in the data file.
    pub fn name_tr(self) -> &'static str {
        match self {
            Region::Marmara => "Marmara",
            Region::Ege => "Ege",
            Region::Akdeniz => "Akdeniz",
            Region::IcAnadolu => "İç Anadolu",
            Region::Karadeniz => "Karadeniz",
            Region::DoguAnadolu => "Doğu Anadolu",
            Region::GuneydoguAnadolu => "Güneydoğu Anadolu",
        }
    }

    fn from_name(s: &str) -> Option<Region> {
        [
            Region::Marmara,
            Region::Ege,
            Region::Akdeniz,
            Region::IcAnadolu,
            Region::Karadeniz,
            Region::DoguAnadolu,
            Region::GuneydoguAnadolu,
        ]
        .into_iter()
        .find(|r| r.name_tr() == s)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_tr())
    }
}

/// İl: a province.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Province {
    /// Plate code.
    pub plate: ProvincePlate,
    /// Name in Turkish title case (`"İstanbul"`).
    pub name: String,
    /// Name folded to ASCII (`"Istanbul"`).
    pub name_ascii: String,
    /// Geographical region.
    pub region: Region,
    /// NUTS-1 code (`"TR1"`).
    pub nuts1: String,
    /// NUTS-1 region name.
    pub nuts1_name: String,
    /// NUTS-3 code (`"TR100"`).
    pub nuts3: String,
    /// Büyükşehir: a metropolitan municipality (30 provinces).
    pub metropolitan: bool,
    /// Population on 31.12.2023 (TÜİK ADNKS).
    pub population_2023: u32,
}

/// İlçe: a district of a province.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    /// The province it belongs to.
    pub plate: ProvincePlate,
    /// Name in Turkish title case (`"Merkezefendi"`).
    pub name: String,
    /// Name folded to ASCII.
    pub name_ascii: String,
}

/// The provinces and districts, with indexes for lookup. Build once; share by reference
/// ([`Geography::embedded`] gives the bundled data).
#[derive(Debug, Clone)]
pub struct Geography {
    provinces: Vec<Province>,
    /// Districts grouped by province, index = plate - 1, each sorted in Turkish order.
    districts: Vec<Vec<District>>,
    province_by_key: HashMap<String, usize>,
    district_by_key: HashMap<(u8, String), usize>,
}

impl Geography {
    /// The bundled geography (81 provinces, 973 districts), parsed once.
    ///
    /// The embedded files are checked by this crate's tests, so parsing them cannot fail at run
    /// time; should it ever, the error is a bug and is reported by panicking with the parse error.
    pub fn embedded() -> &'static Geography {
        static GEO: OnceLock<Geography> = OnceLock::new();
        GEO.get_or_init(|| {
            // Invariant: the embedded CSVs are validated by `tests::embedded_counts`.
            #[allow(clippy::expect_used)]
            Geography::from_csv(PROVINCES_CSV, DISTRICTS_CSV)
                .expect("embedded geography data is valid")
        })
    }

    /// Parses provinces and districts from CSV text in the bundled format (header line first).
    pub fn from_csv(provinces_csv: &str, districts_csv: &str) -> Result<Geography> {
        let mut provinces = Vec::with_capacity(81);
        for (line_no, fields) in csv_rows("provinces.csv", provinces_csv, 9)? {
            let err = |message: String| Error::DataFile {
                file: "provinces.csv".into(),
                line: line_no,
                message,
            };
            let plate: ProvincePlate = fields[0].parse().map_err(|e: Error| err(e.to_string()))?;
            if usize::from(plate.get()) != provinces.len() + 1 {
                return Err(err(format!(
                    "plates must be 01..81 in order, found {plate}"
                )));
            }
            let region = Region::from_name(fields[3])
                .ok_or_else(|| err(format!("unknown region {:?}", fields[3])))?;
            let metropolitan = match fields[7] {
                "true" => true,
                "false" => false,
                other => {
                    return Err(err(format!(
                        "metropolitan must be true/false, found {other:?}"
                    )));
                }
            };
            let population_2023 = fields[8]
                .parse()
                .map_err(|_| err(format!("bad population {:?}", fields[8])))?;
            provinces.push(Province {
                plate,
                name: fields[1].to_string(),
                name_ascii: fields[2].to_string(),
                region,
                nuts1: fields[4].to_string(),
                nuts1_name: fields[5].to_string(),
                nuts3: fields[6].to_string(),
                metropolitan,
                population_2023,
            });
        }
        if provinces.len() != usize::from(ProvincePlate::COUNT) {
            return Err(Error::DataFile {
                file: "provinces.csv".into(),
                line: 0,
                message: format!("expected 81 provinces, found {}", provinces.len()),
            });
        }
        let mut districts: Vec<Vec<District>> = vec![Vec::new(); provinces.len()];
        for (line_no, fields) in csv_rows("districts.csv", districts_csv, 3)? {
            let err = |message: String| Error::DataFile {
                file: "districts.csv".into(),
                line: line_no,
                message,
            };
            let plate: ProvincePlate = fields[0].parse().map_err(|e: Error| err(e.to_string()))?;
            districts[usize::from(plate.get() - 1)].push(District {
                plate,
                name: fields[1].to_string(),
                name_ascii: fields[2].to_string(),
            });
        }
        let mut province_by_key = HashMap::new();
        for (i, p) in provinces.iter().enumerate() {
            province_by_key.insert(search_key(&p.name), i);
        }
        let mut district_by_key = HashMap::new();
        for list in &mut districts {
            crate::text::sort_tr_by(list, |d| &d.name);
            for (i, d) in list.iter().enumerate() {
                let key = (d.plate.get(), search_key(&d.name));
                if district_by_key.insert(key, i).is_some() {
                    return Err(Error::DataFile {
                        file: "districts.csv".into(),
                        line: 0,
                        message: format!("duplicate district {} in province {}", d.name, d.plate),
                    });
                }
            }
        }
        Ok(Geography {
            provinces,
            districts,
            province_by_key,
            district_by_key,
        })
    }

    /// All provinces, in plate order.
    pub fn provinces(&self) -> &[Province] {
        &self.provinces
    }

    /// The province with this plate (always exists: a [`ProvincePlate`] is in range).
    pub fn province(&self, plate: ProvincePlate) -> &Province {
        &self.provinces[usize::from(plate.get() - 1)]
    }

    /// A province by plate (`"20"`, `"7"`) or by name in any case, with or without Turkish letters.
    pub fn find_province(&self, name_or_plate: &str) -> Option<&Province> {
        if let Ok(plate) = name_or_plate.parse::<ProvincePlate>() {
            return Some(self.province(plate));
        }
        let key = search_key(name_or_plate);
        let key = key.strip_suffix(" ili").unwrap_or(&key);
        self.province_by_key.get(key).map(|&i| &self.provinces[i])
    }

    /// Like [`find_province`](Self::find_province), but an error naming the input when not found.
    pub fn require_province(&self, name_or_plate: &str) -> Result<&Province> {
        self.find_province(name_or_plate)
            .ok_or_else(|| Error::UnknownProvince(name_or_plate.to_string()))
    }

    /// The districts of a province, in Turkish alphabetical order.
    pub fn districts(&self, plate: ProvincePlate) -> &[District] {
        &self.districts[usize::from(plate.get() - 1)]
    }

    /// All districts of all provinces, by plate then name.
    pub fn all_districts(&self) -> impl Iterator<Item = &District> {
        self.districts.iter().flatten()
    }

    /// A district of a province by name, in any case, with or without Turkish letters.
    pub fn district(&self, plate: ProvincePlate, name: &str) -> Option<&District> {
        let key = (plate.get(), search_key(name));
        self.district_by_key
            .get(&key)
            .map(|&i| &self.districts[usize::from(plate.get() - 1)][i])
    }

    /// Like [`district`](Self::district), but an error naming the input when not found.
    pub fn require_district(&self, plate: ProvincePlate, name: &str) -> Result<&District> {
        self.district(plate, name)
            .ok_or_else(|| Error::UnknownDistrict {
                plate: plate.get(),
                district: name.to_string(),
            })
    }
}

/// Splits simple CSV (no quoting: the bundled files contain no commas or quotes in values) into
/// rows of exactly `columns` fields, skipping the header and blank lines. Line numbers are 1-based.
fn csv_rows<'a>(file: &str, text: &'a str, columns: usize) -> Result<Vec<(usize, Vec<&'a str>)>> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != columns {
            return Err(Error::DataFile {
                file: file.into(),
                line: i + 1,
                message: format!("expected {columns} fields, found {}", fields.len()),
            });
        }
        rows.push((i + 1, fields));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plate(n: u8) -> ProvincePlate {
        ProvincePlate::new(n).unwrap()
    }

    #[test]
    fn embedded_counts() {
        let geo = Geography::embedded();
        assert_eq!(geo.provinces().len(), 81);
        assert_eq!(geo.all_districts().count(), 973);
        assert_eq!(geo.districts(plate(34)).len(), 39);
        let denizli = geo.districts(plate(20));
        assert_eq!(denizli.len(), 19);
        assert!(denizli.iter().any(|d| d.name == "Merkezefendi"));
        assert!(denizli.iter().any(|d| d.name == "Pamukkale"));
        let total: u64 = geo
            .provinces()
            .iter()
            .map(|p| u64::from(p.population_2023))
            .sum();
        assert_eq!(total, 85_372_377);
        assert_eq!(
            geo.provinces().iter().filter(|p| p.metropolitan).count(),
            30
        );
    }

    #[test]
    fn metropolitan_provinces_have_no_merkez() {
        let geo = Geography::embedded();
        for p in geo.provinces() {
            let has_merkez = geo.district(p.plate, "Merkez").is_some();
            assert_eq!(has_merkez, !p.metropolitan, "{}", p.name);
        }
    }

    #[test]
    fn province_lookup_in_any_spelling() {
        let geo = Geography::embedded();
        for q in [
            "İstanbul",
            "ISTANBUL",
            "istanbul",
            "İSTANBUL",
            "34",
            " 34 ",
            "İstanbul İli",
        ] {
            assert_eq!(geo.find_province(q).map(|p| p.plate.get()), Some(34), "{q}");
        }
        for q in ["Iğdır", "IĞDIR", "igdir", "76"] {
            assert_eq!(geo.find_province(q).map(|p| p.plate.get()), Some(76), "{q}");
        }
        assert_eq!(geo.find_province("7").unwrap().name, "Antalya");
        assert!(geo.find_province("Atlantis").is_none());
        assert!(geo.find_province("0").is_none());
        assert!(geo.find_province("82").is_none());
        assert!(matches!(
            geo.require_province("Atlantis"),
            Err(Error::UnknownProvince(_))
        ));
    }

    #[test]
    fn districts_are_keyed_by_province_and_name() {
        let geo = Geography::embedded();
        // Yenişehir exists in Bursa (16), Diyarbakır (21) and Mersin (33).
        for p in [16, 21, 33] {
            assert_eq!(geo.district(plate(p), "YENİŞEHİR").unwrap().plate, plate(p));
        }
        assert!(geo.district(plate(20), "Yenişehir").is_none());
        assert_eq!(
            geo.district(plate(55), "19 mayis").unwrap().name,
            "19 Mayıs"
        );
        assert!(matches!(
            geo.require_district(plate(20), "Kadıköy"),
            Err(Error::UnknownDistrict { plate: 20, .. })
        ));
    }

    #[test]
    fn districts_are_sorted_in_turkish_order() {
        let geo = Geography::embedded();
        let names: Vec<&str> = geo
            .districts(plate(20))
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        let c = names
            .iter()
            .position(|n| *n == "Civril" || *n == "Çivril")
            .unwrap();
        let b = names.iter().position(|n| *n == "Buldan").unwrap();
        let d = names.iter().position(|n| *n == "Merkezefendi").unwrap();
        assert!(b < c && c < d, "{names:?}");
    }

    #[test]
    fn bad_data_files_are_reported_with_line_numbers() {
        let header =
            "plate,name,name_ascii,region,nuts1,nuts1_name,nuts3,metropolitan,population_2023\n";
        let bad = format!("{header}01,Adana,Adana,Akdeniz,TR6,Akdeniz,TR621,maybe,1\n");
        match Geography::from_csv(&bad, "h\n") {
            Err(Error::DataFile {
                line: 2, message, ..
            }) => assert!(message.contains("metropolitan")),
            other => panic!("{other:?}"),
        }
        let short = format!("{header}01,Adana\n");
        assert!(matches!(
            Geography::from_csv(&short, ""),
            Err(Error::DataFile { line: 2, .. })
        ));
    }

    #[test]
    fn plate_serde() {
        let p: ProvincePlate = serde_json::from_str("\"07\"").unwrap();
        assert_eq!(p.get(), 7);
        let p: ProvincePlate = serde_json::from_str("20").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"20\"");
        assert!(serde_json::from_str::<ProvincePlate>("82").is_err());
        assert!(serde_json::from_str::<ProvincePlate>("\"x\"").is_err());
    }

    proptest! {
        #[test]
        fn plate_parse_never_panics(s in "\\PC{0,6}") {
            let _ = s.parse::<ProvincePlate>();
        }

        #[test]
        fn every_district_is_found_by_its_ascii_and_upper_names(i in 0usize..973) {
            let geo = Geography::embedded();
            let d = geo.all_districts().nth(i).unwrap();
            prop_assert_eq!(geo.district(d.plate, &d.name_ascii), Some(d));
            prop_assert_eq!(geo.district(d.plate, &crate::text::to_upper_tr(&d.name)), Some(d));
        }
    }
}
