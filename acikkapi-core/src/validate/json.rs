//! Reading an application input from JSON text, as the command line, the bindings and a web form
//! send it: a leading byte order mark is dropped, and keys that are not fields of the form are
//! listed (every one of them, as a [`Problem::UnknownFields`]) while the other fields are still
//! checked, so a misspelt `tckno` is reported together with the missing `tckn`.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Problem, Rejection, validate_at};
use crate::application::{Application, ApplicationInput};
use crate::geo::Geography;
use crate::taxonomy::Taxonomy;

/// Most unknown keys named in one [`Problem::UnknownFields`]; the rest are counted.
pub const MAX_UNKNOWN_FIELDS_LISTED: usize = 10;

/// The field names of [`ApplicationInput`], as its serde form writes them.
pub fn input_field_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| match serde_json::to_value(ApplicationInput::default()) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        // A struct of options serializes to an object; nothing else can come out.
        _ => Vec::new(),
    })
}

/// Parses an application input from JSON text; returns it with the keys that are not fields
/// of the form (removed before parsing), or the rejection for text that is not a JSON object of
/// the form's shape (syntax, wrong type: [`Rejection::from_json_error`]).
///
/// ```
/// use acikkapi_core::validate::input_from_json;
/// let (input, unknown) = input_from_json("\u{feff}{\"tckno\": \"1\", \"kind\": \"talep\"}").unwrap();
/// assert_eq!(unknown, ["tckno"]);
/// assert_eq!(input.kind.as_deref(), Some("talep"));
/// ```
pub fn input_from_json(json: &str) -> Result<(ApplicationInput, Vec<String>), Rejection> {
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(Rejection::from_json_error)?;
    let known = input_field_names();
    match value {
        serde_json::Value::Object(mut map) if map.keys().any(|k| !known.contains(k)) => {
            let unknown: Vec<String> = map.keys().filter(|k| !known.contains(k)).cloned().collect();
            map.retain(|k, _| known.contains(k));
            let input = serde_json::from_value(serde_json::Value::Object(map))
                .map_err(Rejection::from_json_error)?;
            Ok((input, unknown))
        }
        // Parsed from the text again, so that a wrong type is reported with its position.
        _ => serde_json::from_str(json)
            .map(|input| (input, Vec::new()))
            .map_err(Rejection::from_json_error),
    }
}

/// The problem listing unknown keys, each made safe to show, at most
/// [`MAX_UNKNOWN_FIELDS_LISTED`] by name.
fn unknown_fields(keys: &[String]) -> Problem {
    let mut fields: Vec<String> = keys
        .iter()
        .take(MAX_UNKNOWN_FIELDS_LISTED)
        .map(|k| crate::redact::echo(k))
        .collect();
    if keys.len() > MAX_UNKNOWN_FIELDS_LISTED {
        fields.push(format!(
            "… ve {} alan daha",
            keys.len() - MAX_UNKNOWN_FIELDS_LISTED
        ));
    }
    Problem::UnknownFields { fields }
}

/// [`input_from_json`], then [`validate_at`]: every problem at once, the unknown keys first.
pub fn validate_json_at(
    json: &str,
    geo: &Geography,
    taxonomy: &Taxonomy,
    now: DateTime<Tz>,
) -> Result<Application, Rejection> {
    let (input, unknown) = input_from_json(json)?;
    let checked = validate_at(&input, geo, taxonomy, now);
    if unknown.is_empty() {
        return checked;
    }
    let mut problems = vec![unknown_fields(&unknown)];
    if let Err(r) = checked {
        problems.extend(r.problems);
    }
    Err(Rejection { problems })
}

/// [`validate_json_at`] with the current time.
///
/// ```
/// use acikkapi_core::{geo::Geography, taxonomy::Taxonomy, validate::validate_json};
/// let r = validate_json(r#"{"tckno": "10000000146"}"#, Geography::embedded(), Taxonomy::embedded())
///     .unwrap_err();
/// let reasons = r.reasons_tr();
/// assert!(reasons[0].contains("bilinmeyen alan var: tckno"));
/// assert!(reasons.iter().any(|r| r.contains("T.C. Kimlik No girilmemiş")));
/// ```
pub fn validate_json(
    json: &str,
    geo: &Geography,
    taxonomy: &Taxonomy,
) -> Result<Application, Rejection> {
    let now = crate::time::to_local(Utc::now());
    validate_json_at(json, geo, taxonomy, now)
}
