//! `acikkapi route`: the native routing decision for one application, with its trace, as JSON.

use std::path::PathBuf;

use acikkapi_core::geo::Geography;
use acikkapi_core::redact;
use acikkapi_core::routing::{RouteRequest, Router};
use clap::Args;

use super::{CliError, CliResult, Io, read_input};

/// `acikkapi route --province PLATE FILE.json`
#[derive(Debug, Args)]
pub struct RouteCmd {
    /// Province plate (`20`) or name (`Denizli`) whose organisation routes the application.
    #[arg(long)]
    pub province: String,
    /// An application input as JSON (as for `acikkapi validate`; validated first, exit 1 with the
    /// reasons when rejected), or a routing request: `category`, `district`, `date`
    /// (`YYYY-MM-DD`), optional `province`, `kind`, `channel`, `special`, `importance`, `ohal`,
    /// `confidential`, `direct_to_unit`, `text`. `-` reads standard input.
    pub file: PathBuf,
}

/// The keys of a routing request, as its serde form writes them (read from a minimal request,
/// so the list follows the type).
fn request_keys() -> Vec<String> {
    const MINIMAL: &str =
        r#"{"category":"YEREL.DIGER","province":"20","district":"","date":"2026-01-01"}"#;
    serde_json::from_str::<RouteRequest>(MINIMAL)
        .ok()
        .and_then(|r| match serde_json::to_value(r) {
            Ok(serde_json::Value::Object(map)) => Some(map.keys().cloned().collect()),
            _ => None,
        })
        .unwrap_or_default()
}

/// What `route` reads: an application input (validated first) when the object has a key only an
/// application has (`tckn`, `name`, `subject`, `received_at`…), otherwise a routing request,
/// whose keys must all be known. A misspelt key is never ignored: in an application input it is
/// a problem listed with the others, in a request an error naming it.
enum Input {
    Application,
    Request { unknown: Vec<String> },
}

fn classify(value: &serde_json::Value) -> Input {
    let Some(obj) = value.as_object() else {
        return Input::Request {
            unknown: Vec::new(),
        };
    };
    let request = request_keys();
    let application = acikkapi_core::validate::input_field_names();
    if obj
        .keys()
        .any(|k| application.contains(k) && !request.contains(k))
    {
        return Input::Application;
    }
    Input::Request {
        unknown: obj
            .keys()
            .filter(|k| !request.contains(k))
            .map(|k| acikkapi_core::redact::echo(k))
            .collect(),
    }
}

/// Runs `acikkapi route`.
pub fn run(cmd: RouteCmd, io: &mut Io<'_>) -> CliResult {
    let plate = Geography::embedded().require_province(&cmd.province)?.plate;
    let text = read_input(&cmd.file, io)?;
    let mut value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            writeln!(io.stderr, "geçersiz JSON: {}", redact::serde_error(&e))?;
            return Ok(1);
        }
    };
    let req: RouteRequest = match classify(&value) {
        Input::Application => {
            // An application input: validated first, like `acikkapi validate`.
            match super::validate::validate_json(&text) {
                Ok(app) => RouteRequest::from(&app),
                Err(rejection) => {
                    for reason in rejection.reasons_tr() {
                        writeln!(io.stdout, "{reason}")?;
                    }
                    return Ok(1);
                }
            }
        }
        Input::Request { unknown } if !unknown.is_empty() => {
            writeln!(
                io.stderr,
                "geçersiz yönlendirme isteği: bilinmeyen alan: {} (bilinen alanlar: {})",
                unknown.join(", "),
                request_keys().join(", ")
            )?;
            return Ok(1);
        }
        Input::Request { .. } => {
            if let Some(obj) = value.as_object_mut() {
                obj.entry("province")
                    .or_insert_with(|| serde_json::Value::String(plate.to_string()));
            }
            match serde_json::from_value(value) {
                Ok(r) => r,
                Err(e) => {
                    writeln!(
                        io.stderr,
                        "geçersiz yönlendirme isteği: {}",
                        redact::serde_error(&e)
                    )?;
                    return Ok(1);
                }
            }
        }
    };
    if req.province != plate {
        return Err(CliError::Usage(format!(
            "--province {plate} ile istekteki il ({}) farklı",
            req.province
        )));
    }
    let router = Router::for_province(plate)?;
    match router.explain(&req) {
        Ok(decision) => {
            serde_json::to_writer_pretty(&mut *io.stdout, &decision)?;
            writeln!(io.stdout)?;
            Ok(0)
        }
        Err(
            e @ (acikkapi_core::Error::UnknownDistrict { .. }
            | acikkapi_core::Error::UnknownCategory { .. }),
        ) => {
            writeln!(io.stderr, "{e}")?;
            Ok(1)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_keys_are_the_fields_of_a_request() {
        let keys = request_keys();
        for k in [
            "category",
            "province",
            "district",
            "date",
            "importance",
            "text",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k} in {keys:?}");
        }
        assert_eq!(keys.len(), 12, "{keys:?}");
    }
}
