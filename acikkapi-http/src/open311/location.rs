//! Konum: an Open311 location (`lat`/`long`, `address_string`, `address_id`) as a province and a
//! district of [`acikkapi_core::geo`].
//!
//! * `address_id`: `PP/İlçe` (`20/Pamukkale`; the district in any case, with or without Turkish
//!   letters) or `PP` alone (the validator then asks for the district).
//! * `address_string`: free text; its parts (split at `,` `/` `;`, then at spaces) are matched
//!   against the provinces and then against the districts of the province found
//!   (`"Kınıklı Mah., Pamukkale, Denizli"`).
//! * `lat`/`long`: checked (numbers, in range) but *not* mapped: the bundled geography has no
//!   boundaries or centroids, and inventing them would route applications to the wrong
//!   institution. A request with coordinates only is refused with a message asking for
//!   `address_string` or `address_id`; with one of those the coordinates are accepted and not
//!   stored.

use acikkapi_core::geo::{Geography, ProvincePlate};

use crate::error::ApiError;

/// Where an application is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The province.
    pub province: ProvincePlate,
    /// The district's name as in the geography, when one was found.
    pub district: Option<String>,
}

/// The location fields of a request, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocationFields {
    /// `lat`.
    pub lat: Option<String>,
    /// `long`.
    pub long: Option<String>,
    /// `address_string`.
    pub address_string: Option<String>,
    /// `address_id`.
    pub address_id: Option<String>,
}

fn coordinate(name: &str, text: &str, bound: f64) -> Result<f64, ApiError> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request(format!("{name} bir sayı olmalı: {text:?}")))?;
    if !v.is_finite() || v.abs() > bound {
        return Err(ApiError::bad_request(format!(
            "{name} -{bound} ile {bound} arasında olmalı"
        )));
    }
    Ok(v)
}

fn by_address_id(geo: &Geography, id: &str) -> Result<Place, ApiError> {
    let (p, d) = match id.split_once('/') {
        Some((p, d)) => (p, Some(d)),
        None => (id, None),
    };
    let province = p
        .trim()
        .parse::<u8>()
        .ok()
        .and_then(|n| ProvincePlate::new(n).ok())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "address_id {id:?}: il plaka kodu (01–81) ile başlamalı"
            ))
        })?;
    let district = match d {
        None => None,
        Some(d) => Some(
            geo.district(province, d.trim())
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "address_id {id:?}: {} ilinde böyle bir ilçe yok",
                        geo.province(province).name
                    ))
                })?
                .name
                .clone(),
        ),
    };
    Ok(Place { province, district })
}

fn by_address_string(geo: &Geography, text: &str) -> Result<Place, ApiError> {
    let mut parts: Vec<&str> = text
        .split([',', '/', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    // Then the words of each part, for "Merkezefendi Denizli".
    let words: Vec<&str> = parts.iter().flat_map(|p| p.split_whitespace()).collect();
    parts.extend(words);
    let province = parts
        .iter()
        .rev()
        .find_map(|p| geo.find_province(p))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "address_string {:?}: içinde bir il adı bulunamadı",
                text.chars().take(80).collect::<String>()
            ))
        })?
        .plate;
    let district = parts
        .iter()
        .find_map(|p| geo.district(province, p))
        .map(|d| d.name.clone());
    Ok(Place { province, district })
}

/// The place of a request (see the module docs), or a 400 that says what to give.
pub fn resolve(fields: &LocationFields) -> Result<Place, ApiError> {
    let geo = Geography::embedded();
    match (&fields.lat, &fields.long) {
        (Some(lat), Some(long)) => {
            coordinate("lat", lat, 90.0)?;
            coordinate("long", long, 180.0)?;
        }
        (None, None) => {}
        _ => return Err(ApiError::bad_request("lat ve long birlikte verilmeli")),
    }
    if let Some(id) = fields
        .address_id
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        return by_address_id(geo, id);
    }
    if let Some(text) = fields
        .address_string
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        return by_address_string(geo, text);
    }
    if fields.lat.is_some() {
        return Err(ApiError::bad_request(
            "lat/long il ve ilçeye eşlenemiyor (sınır verisi yok); address_string veya \
             address_id (PP/İlçe) verin",
        ));
    }
    Err(ApiError::bad_request(
        "konum gerekli: address_string, address_id (PP/İlçe) veya lat/long",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(fields: LocationFields) -> Result<(u8, Option<String>), ApiError> {
        resolve(&fields).map(|p| (p.province.get(), p.district))
    }

    #[test]
    fn addresses_map_to_province_and_district() {
        let s = |t: &str| LocationFields {
            address_string: Some(t.into()),
            ..Default::default()
        };
        assert_eq!(
            place(s("Kınıklı Mah., Pamukkale, Denizli")).unwrap(),
            (20, Some("Pamukkale".into()))
        );
        assert_eq!(
            place(s("merkezefendi denizli")).unwrap(),
            (20, Some("Merkezefendi".into()))
        );
        assert_eq!(place(s("İstanbul")).unwrap(), (34, None));
        assert!(place(s("Atlantis")).is_err());
        let id = |t: &str| LocationFields {
            address_id: Some(t.into()),
            ..Default::default()
        };
        assert_eq!(
            place(id("20/pamukkale")).unwrap(),
            (20, Some("Pamukkale".into()))
        );
        assert_eq!(place(id("06")).unwrap(), (6, None));
        assert!(place(id("99/x")).is_err());
        assert!(place(id("20/Kadıköy")).is_err());
        let coords = |lat: &str, long: &str| LocationFields {
            lat: Some(lat.into()),
            long: Some(long.into()),
            ..Default::default()
        };
        assert!(place(coords("37.78", "29.09")).is_err());
        assert!(place(coords("x", "29")).is_err());
        assert!(place(coords("91", "29")).is_err());
        let mut with = coords("37.78", "29.09");
        with.address_id = Some("20/Pamukkale".into());
        assert_eq!(place(with).unwrap().0, 20);
        assert!(place(LocationFields::default()).is_err());
    }
}
