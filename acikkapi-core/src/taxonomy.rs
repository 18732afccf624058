//! The service taxonomy: 17 service headings (hizmet başlığı), ~327 categories, and the institution
//! types that usually handle them.
//!
//! No official list is public, so the taxonomy is versioned data: `data/taxonomy.toml` is embedded
//! (see `data/SOURCES.md`), and an integrator can load their own file with [`Taxonomy::from_toml`],
//! which checks it and reports every problem at once.
//!
//! ```
//! use acikkapi_core::taxonomy::{CategoryCode, Taxonomy};
//! let tax = Taxonomy::embedded();
//! assert_eq!(tax.headings().len(), 17);
//! let code = CategoryCode::parse("SAGLIK.DIGER").unwrap();
//! let cat = tax.category(&code).unwrap();
//! assert_eq!(cat.heading.as_str(), "SAGLIK");
//! assert_eq!(code.heading(), "SAGLIK");
//! ```

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text::search_key;

const TAXONOMY_TOML: &str = include_str!("../data/taxonomy.toml");

/// The taxonomy file format this code reads (`schema = 1`).
pub const SCHEMA_VERSION: u32 = 1;

pub use crate::codes::{CategoryCode, HeadingCode, InstitutionTypeCode};

/// The constructors of a code type (defined in `codes`, below `error`) that return [`Error`].
macro_rules! code_parse {
    ($name:ident) => {
        impl $name {
            /// Parses a code (surrounding spaces are ignored; letters must be upper-case ASCII).
            pub fn parse(s: &str) -> Result<Self> {
                Self::checked(s).ok_or_else(|| Error::InvalidCode {
                    what: Self::WHAT,
                    code: s.to_string(),
                })
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                Self::parse(s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

code_parse!(HeadingCode);
code_parse!(CategoryCode);
code_parse!(InstitutionTypeCode);

/// The level at which a category is usually handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// İlçe: by the district unit of the institution (routed via the kaymakamlık).
    District,
    /// İl: by the province unit (routed via the valilik).
    Province,
}

/// What sort of body an institution type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionKind {
    /// A deconcentrated unit of central government (il/ilçe müdürlüğü).
    State,
    /// Local government: belediye, il özel idaresi, muhtarlık.
    Local,
    /// The valilik/kaymakamlık's own units.
    Governorship,
    /// A private or public company (electricity, gas distribution).
    Company,
    /// A regional directorate serving the province from elsewhere (bölge müdürlüğü).
    Regional,
}

/// Kurum türü: a type of institution that handles applications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstitutionType {
    /// Code.
    pub code: InstitutionTypeCode,
    /// Name of the province-level unit (`"İl Sağlık Müdürlüğü"`).
    pub name_tr: String,
    /// English name.
    pub name_en: String,
    /// Name of the district-level unit, when the institution has units in districts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district_name_tr: Option<String>,
    /// What sort of body it is.
    pub kind: InstitutionKind,
}

/// Whether a heading is attested in public reports (see SOURCES.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attested {
    /// Named in press reports of Açık Kapı statistics.
    Yes,
    /// Only partly named.
    Partly,
    /// A proposal to complete the list of 17.
    No,
}

/// Hizmet başlığı: a service heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Heading {
    /// Code.
    pub code: HeadingCode,
    /// Turkish name.
    pub name_tr: String,
    /// English name.
    pub name_en: String,
    /// Whether the heading is attested.
    pub attested: Attested,
}

/// Kategori: a category of application under a heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Code, `HEADING.NAME`.
    pub code: CategoryCode,
    /// The heading it belongs to.
    pub heading: HeadingCode,
    /// Turkish name.
    pub name_tr: String,
    /// English name.
    pub name_en: String,
    /// Words and short phrases a citizen would write, for [`Taxonomy::suggest_categories`].
    pub keywords: Vec<String>,
    /// The institution type that usually handles it.
    pub institution: InstitutionTypeCode,
    /// Whether it is usually handled at district or province level.
    pub level: Level,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    schema: u32,
    version: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    institution_type: Vec<InstitutionType>,
    #[serde(default)]
    heading: Vec<Heading>,
    #[serde(default)]
    category: Vec<Category>,
}

/// A keyword prepared for matching: its search-key tokens and where it points.
#[derive(Debug, Clone)]
struct Keyword {
    tokens: Vec<String>,
    category: usize,
    text: String,
}

/// A ranked category suggestion for a free text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The suggested category.
    pub code: CategoryCode,
    /// Match score; higher is better. Only comparable within one call.
    pub score: f32,
    /// The keywords that matched, as written in the taxonomy.
    pub matched: Vec<String>,
}

/// The taxonomy: headings, categories and institution types, checked and indexed.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    version: String,
    description: String,
    institution_types: Vec<InstitutionType>,
    headings: Vec<Heading>,
    categories: Vec<Category>,
    category_index: HashMap<CategoryCode, usize>,
    heading_index: HashMap<HeadingCode, usize>,
    institution_index: HashMap<InstitutionTypeCode, usize>,
    keywords: Vec<Keyword>,
}

impl Taxonomy {
    /// The bundled taxonomy, parsed once.
    pub fn embedded() -> &'static Taxonomy {
        static TAX: OnceLock<Taxonomy> = OnceLock::new();
        TAX.get_or_init(|| {
            // Invariant: the embedded file is validated by `tests::embedded_is_valid`.
            #[allow(clippy::expect_used)]
            Taxonomy::from_toml(TAXONOMY_TOML).expect("embedded taxonomy is valid")
        })
    }

    /// Loads and checks a taxonomy file. Every problem found is reported at once in
    /// [`Error::InvalidTaxonomy`]; a TOML syntax or type error comes as [`Error::DataFile`].
    pub fn from_toml(text: &str) -> Result<Taxonomy> {
        let file: TaxonomyFile = toml::from_str(text).map_err(|e| Error::DataFile {
            file: "taxonomy.toml".into(),
            line: e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].lines().count().max(1)
            }),
            message: e.message().to_string(),
        })?;
        Self::from_parts(file)
    }

    fn from_parts(file: TaxonomyFile) -> Result<Taxonomy> {
        let mut problems = Vec::new();
        if file.schema != SCHEMA_VERSION {
            problems.push(Error::UnsupportedSchema {
                found: file.schema,
                supported: SCHEMA_VERSION,
            });
        }
        let mut institution_index = HashMap::new();
        for (i, t) in file.institution_type.iter().enumerate() {
            if institution_index.insert(t.code.clone(), i).is_some() {
                problems.push(Error::DuplicateCode {
                    what: "institution type",
                    code: t.code.to_string(),
                });
            }
        }
        let mut heading_index = HashMap::new();
        for (i, h) in file.heading.iter().enumerate() {
            if heading_index.insert(h.code.clone(), i).is_some() {
                problems.push(Error::DuplicateCode {
                    what: "heading",
                    code: h.code.to_string(),
                });
            }
        }
        let mut category_index = HashMap::new();
        let mut other_seen: HashSet<&HeadingCode> = HashSet::new();
        for (i, c) in file.category.iter().enumerate() {
            if category_index.insert(c.code.clone(), i).is_some() {
                problems.push(Error::DuplicateCode {
                    what: "category",
                    code: c.code.to_string(),
                });
            }
            if !heading_index.contains_key(&c.heading) {
                problems.push(Error::UnknownHeading {
                    category: c.code.to_string(),
                    heading: c.heading.to_string(),
                });
            } else if c.code.heading() != c.heading.as_str() {
                problems.push(Error::CategoryHeadingMismatch {
                    category: c.code.to_string(),
                    heading: c.heading.to_string(),
                });
            }
            match institution_index
                .get(&c.institution)
                .map(|&j| &file.institution_type[j])
            {
                None => problems.push(Error::UnknownInstitutionType {
                    category: c.code.to_string(),
                    institution: c.institution.to_string(),
                }),
                Some(t) if c.level == Level::District && t.district_name_tr.is_none() => problems
                    .push(Error::NoDistrictUnit {
                        category: c.code.to_string(),
                        institution: c.institution.to_string(),
                    }),
                Some(_) => {}
            }
            if c.keywords.iter().all(|k| search_key(k).is_empty()) {
                problems.push(Error::NoKeywords {
                    category: c.code.to_string(),
                });
            }
            if c.code.is_other() {
                other_seen.insert(&c.heading);
            }
        }
        for h in &file.heading {
            if !other_seen.contains(&h.code) {
                problems.push(Error::MissingOtherCategory {
                    heading: h.code.to_string(),
                });
            }
        }
        if !problems.is_empty() {
            return Err(Error::InvalidTaxonomy { problems });
        }
        let keywords = file
            .category
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                c.keywords.iter().filter_map(move |k| {
                    let key = search_key(k);
                    (!key.is_empty()).then(|| Keyword {
                        tokens: key.split(' ').map(str::to_string).collect(),
                        category: i,
                        text: k.clone(),
                    })
                })
            })
            .collect();
        Ok(Taxonomy {
            version: file.version,
            description: file.description,
            institution_types: file.institution_type,
            headings: file.heading,
            categories: file.category,
            category_index,
            heading_index,
            institution_index,
            keywords,
        })
    }

    /// The data version (`"2026.11-1"`), recorded with every classification.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The file's one-line description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// All headings, in file order.
    pub fn headings(&self) -> &[Heading] {
        &self.headings
    }

    /// All categories, in file order.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// All institution types, in file order.
    pub fn institution_types(&self) -> &[InstitutionType] {
        &self.institution_types
    }

    /// A heading by code.
    pub fn heading(&self, code: &HeadingCode) -> Option<&Heading> {
        self.heading_index.get(code).map(|&i| &self.headings[i])
    }

    /// A heading by its code as a string (`"SAGLIK"`).
    pub fn heading_by_str(&self, code: &str) -> Option<&Heading> {
        HeadingCode::parse(code).ok().and_then(|c| self.heading(&c))
    }

    /// A category by code.
    pub fn category(&self, code: &CategoryCode) -> Option<&Category> {
        self.category_index.get(code).map(|&i| &self.categories[i])
    }

    /// A category by its code as a string; an error naming the code and the closest known codes
    /// when there is none.
    pub fn require_category(&self, code: &str) -> Result<&Category> {
        CategoryCode::parse(code)
            .ok()
            .and_then(|c| self.category(&c))
            .ok_or_else(|| Error::UnknownCategory {
                code: code.to_string(),
            })
    }

    /// The categories under a heading, in file order.
    pub fn categories_of<'a>(
        &'a self,
        heading: &'a HeadingCode,
    ) -> impl Iterator<Item = &'a Category> + 'a {
        self.categories
            .iter()
            .filter(move |c| &c.heading == heading)
    }

    /// An institution type by code.
    pub fn institution_type(&self, code: &InstitutionTypeCode) -> Option<&InstitutionType> {
        self.institution_index
            .get(code)
            .map(|&i| &self.institution_types[i])
    }

    /// Up to five categories whose keywords occur in `text`, best first.
    /// See [`suggest_categories_n`](Self::suggest_categories_n).
    pub fn suggest_categories(&self, text: &str) -> Vec<Suggestion> {
        self.suggest_categories_n(text, 5)
    }

    /// Up to `limit` categories whose keywords occur in `text`, best first (ties by code).
    ///
    /// Text and keywords are compared as [search keys](crate::text::search_key), so case and
    /// Turkish letters do not matter. A keyword matches a word of the text exactly, or as the
    /// stem of a word (Turkish is agglutinative: `randevu` matches `randevusu`, `randevumu`) when
    /// it has at least four letters; a phrase matches consecutive words. Longer keywords weigh more.
    ///
    /// ```
    /// let tax = acikkapi_core::taxonomy::Taxonomy::embedded();
    /// let s = tax.suggest_categories("");
    /// assert!(s.is_empty());
    /// ```
    pub fn suggest_categories_n(&self, text: &str, limit: usize) -> Vec<Suggestion> {
        let key = search_key(text);
        if key.is_empty() || limit == 0 {
            return Vec::new();
        }
        let words: Vec<&str> = key.split(' ').collect();
        let mut scores: HashMap<usize, (f32, Vec<String>)> = HashMap::new();
        for kw in &self.keywords {
            let weight = match_weight(&words, &kw.tokens);
            if weight > 0.0 {
                let entry = scores.entry(kw.category).or_default();
                entry.0 += weight;
                entry.1.push(kw.text.clone());
            }
        }
        let mut ranked: Vec<Suggestion> = scores
            .into_iter()
            .map(|(i, (score, matched))| Suggestion {
                code: self.categories[i].code.clone(),
                score,
                matched,
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.code.cmp(&b.code))
        });
        ranked.truncate(limit);
        ranked
    }
}

/// How well a keyword (as tokens) matches the words of a text: 0 when it does not occur.
fn match_weight(words: &[&str], tokens: &[String]) -> f32 {
    if tokens.is_empty() || tokens.len() > words.len() {
        return 0.0;
    }
    let n = tokens.len();
    let mut best: f32 = 0.0;
    'windows: for window in words.windows(n) {
        let mut weight = 0.0;
        for (i, (w, t)) in window.iter().zip(tokens).enumerate() {
            let Some(quality) = word_match(w, t) else {
                continue 'windows;
            };
            // Inside a phrase, a suffix is expected on the last word only.
            let quality = if quality < 1.0 && i + 1 < n {
                quality - 0.2
            } else {
                quality
            };
            weight += quality + t.len() as f32 / 8.0;
        }
        // Phrases are stronger evidence than their words alone.
        best = best.max(weight * (1.0 + 0.5 * (n as f32 - 1.0)));
    }
    best
}

/// Whether a word of the text is a form of a keyword token, and how surely: `1.0` the same word,
/// `0.8` the token followed by a suffix (`randevu` → `randevusu`), `0.7` the token without its
/// final possessive/accusative vowel followed by another suffix (`seferi` → `seferleri`). Stems are
/// matched only for tokens of four letters or more, so short words do not match by accident.
fn word_match(word: &str, token: &str) -> Option<f32> {
    if word == token {
        return Some(1.0);
    }
    if token.len() < 4 {
        return None;
    }
    if word.starts_with(token) {
        return Some(0.8);
    }
    let stem = token.strip_suffix(['i', 'u'])?;
    (stem.len() >= 4 && word.starts_with(stem) && word.len() > stem.len()).then_some(0.7)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"
schema = 1
version = "test-1"
description = "test"

[[institution_type]]
code = "SAGLIK_MUDURLUGU"
name_tr = "İl Sağlık Müdürlüğü"
name_en = "Provincial Health Directorate"
district_name_tr = "İlçe Sağlık Müdürlüğü"
kind = "state"

[[institution_type]]
code = "BELEDIYE"
name_tr = "Belediye"
name_en = "Municipality"
kind = "local"

[[heading]]
code = "SAGLIK"
name_tr = "Sağlık Hizmetleri"
name_en = "Health"
attested = "yes"

[[category]]
code = "SAGLIK.RANDEVU"
heading = "SAGLIK"
name_tr = "Randevu"
name_en = "Appointment"
keywords = ["randevu", "mhrs", "hastane randevusu"]
institution = "SAGLIK_MUDURLUGU"
level = "district"

[[category]]
code = "SAGLIK.DIGER"
heading = "SAGLIK"
name_tr = "Diğer"
name_en = "Other"
keywords = ["sağlık"]
institution = "SAGLIK_MUDURLUGU"
level = "province"
"#;

    #[test]
    fn embedded_is_valid() {
        let tax = Taxonomy::embedded();
        assert_eq!(tax.headings().len(), 17);
        for h in tax.headings() {
            let others: Vec<_> = tax
                .categories_of(&h.code)
                .filter(|c| c.code.is_other())
                .collect();
            assert_eq!(others.len(), 1, "{}", h.code);
        }
        assert!(!tax.version().is_empty());
    }

    #[test]
    fn embedded_headings_match_the_shared_proposal() {
        let csv = include_str!("../data/service_headings_proposed.csv");
        let tax = Taxonomy::embedded();
        let codes: Vec<&str> = csv
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .collect();
        let ours: Vec<&str> = tax.headings().iter().map(|h| h.code.as_str()).collect();
        assert_eq!(codes, ours);
    }

    #[test]
    fn mini_loads_and_suggests() {
        let tax = Taxonomy::from_toml(MINI).unwrap();
        assert_eq!(tax.categories().len(), 2);
        let s = tax.suggest_categories("MHRS'den hastane randevusu alamıyorum");
        assert_eq!(s[0].code.as_str(), "SAGLIK.RANDEVU");
        assert!(s[0].matched.contains(&"mhrs".to_string()));
        assert!(tax.suggest_categories("kedi köpek").is_empty());
    }

    #[test]
    fn stems_match_suffixed_words() {
        let tax = Taxonomy::from_toml(MINI).unwrap();
        let s = tax.suggest_categories("RANDEVUMU iptal ettiler");
        assert_eq!(s.first().map(|s| s.code.as_str()), Some("SAGLIK.RANDEVU"));
    }

    #[test]
    fn possessive_keywords_match_other_suffixes() {
        assert_eq!(word_match("seferleri", "seferi"), Some(0.7));
        assert_eq!(word_match("seferi", "seferi"), Some(1.0));
        assert_eq!(word_match("randevusu", "randevu"), Some(0.8));
        assert_eq!(word_match("su", "sui"), None);
        assert_eq!(word_match("kart", "kartı"), None); // `kartı` folds to `karti`: stem `kart` needs a suffix
        assert_eq!(word_match("kartlar", "karti"), Some(0.7));
    }

    #[test]
    fn full_taxonomy_suggests_the_intended_category_for_typical_texts() {
        let tax = Taxonomy::embedded();
        assert!(
            (320..=335).contains(&tax.categories().len()),
            "{}",
            tax.categories().len()
        );
        let cases = [
            ("MHRS'den hastane randevusu alamıyorum", "SAGLIK.RANDEVU"),
            ("Mahallemizde çöpler 3 gündür toplanmıyor", "YEREL.COP"),
            (
                "Sokak lambaları yanmıyor, mahalle karanlık",
                "ENERJI.AYDINLATMA",
            ),
            ("Emekli maaşım yatmadı SGK", "CALISMA.EMEKLI_AYLIGI"),
            ("Okulda öğretmen eksikliği var", "EGITIM.OGRETMEN_EKSIKLIGI"),
            (
                "Elektrik kesintisi 2 gündür sürüyor",
                "ENERJI.ELEKTRIK_KESINTISI",
            ),
            ("Cami hoparlörünün sesi çok yüksek", "DIN.EZAN"),
            ("Kimlik kartı yenileme randevusu", "VALILIK.KIMLIK"),
            (
                "Uyuşturucu satıldığını ihbar ediyorum",
                "EMNIYET.UYUSTURUCU",
            ),
            ("Kaldırım işgali yapan esnaf", "YEREL.ZABITA"),
            ("Aile hekimim sürekli izinli", "SAGLIK.AILE_HEKIMI"),
            (
                "İşyerinde sigortasız çalıştırılıyorum",
                "CALISMA.SIGORTASIZ",
            ),
        ];
        let misses: Vec<_> = cases
            .iter()
            .filter(|(text, want)| {
                tax.suggest_categories(text)
                    .first()
                    .map(|s| s.code.as_str())
                    != Some(want)
            })
            .collect();
        assert!(misses.is_empty(), "{misses:?}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = MINI
            .replace("code = \"SAGLIK.DIGER\"", "code = \"SAGLIK.RANDEVU\"")
            .replace(
                "institution = \"SAGLIK_MUDURLUGU\"\nlevel = \"district\"",
                "institution = \"BELEDIYE\"\nlevel = \"district\"",
            )
            + "\n[[category]]\ncode = \"EGITIM.OKUL\"\nheading = \"EGITIM\"\nname_tr = \"Okul\"\nname_en = \"School\"\nkeywords = [\"okul\"]\ninstitution = \"MEB\"\nlevel = \"province\"\n";
        let Err(Error::InvalidTaxonomy { problems }) = Taxonomy::from_toml(&bad) else {
            panic!("expected InvalidTaxonomy")
        };
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(problems.iter().any(|p| matches!(p, Error::DuplicateCode { what: "category", code } if code == "SAGLIK.RANDEVU")), "{text:?}");
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, Error::UnknownHeading { heading, .. } if heading == "EGITIM")),
            "{text:?}"
        );
        assert!(problems.iter().any(|p| matches!(p, Error::UnknownInstitutionType { institution, .. } if institution == "MEB")), "{text:?}");
        assert!(problems.iter().any(|p| matches!(p, Error::NoDistrictUnit { institution, .. } if institution == "BELEDIYE")), "{text:?}");
        assert!(
            problems.iter().any(
                |p| matches!(p, Error::MissingOtherCategory { heading } if heading == "SAGLIK")
            ),
            "{text:?}"
        );
        let all = Error::InvalidTaxonomy { problems }.to_string();
        assert!(
            all.contains("SAGLIK.RANDEVU") && all.contains("MEB"),
            "{all}"
        );
    }

    #[test]
    fn syntax_and_type_errors_name_the_line() {
        match Taxonomy::from_toml("schema = 1\nversion = \"x\"\n[[heading]]\ncode = \"bad code\"\n")
        {
            Err(Error::DataFile { line, message, .. }) => {
                assert!(line >= 3, "line {line}");
                assert!(message.contains("bad code"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Taxonomy::from_toml("schema = "),
            Err(Error::DataFile { .. })
        ));
        assert!(matches!(
            Taxonomy::from_toml(&MINI.replace("schema = 1", "schema = 9")),
            Err(Error::InvalidTaxonomy { .. })
        ));
    }

    #[test]
    fn codes_parse_strictly() {
        assert!(CategoryCode::parse("SAGLIK.RANDEVU").is_ok());
        assert_eq!(
            CategoryCode::parse(" SAGLIK.X1 ").unwrap().as_str(),
            "SAGLIK.X1"
        );
        for bad in [
            "saglik.randevu",
            "SAGLIK",
            ".X",
            "SAGLIK.",
            "SAĞLIK.X",
            "A.B.C",
            "",
        ] {
            assert!(CategoryCode::parse(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<CategoryCode>("\"x.y\"").is_err());
    }

    proptest::proptest! {
        #[test]
        fn suggest_never_panics_and_is_sorted(text in "\\PC{0,80}") {
            let s = Taxonomy::embedded().suggest_categories(&text);
            proptest::prop_assert!(s.len() <= 5);
            proptest::prop_assert!(s.windows(2).all(|w| w[0].score >= w[1].score));
        }
    }
}
