//! `acikkapi route`: the native routing decision for one application, with its trace, as JSON.

use std::path::PathBuf;

use acikkapi_core::geo::Geography;
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

/// Runs `acikkapi route`.
pub fn run(cmd: RouteCmd, io: &mut Io<'_>) -> CliResult {
    let plate = Geography::embedded().require_province(&cmd.province)?.plate;
    let text = read_input(&cmd.file, io)?;
    let mut value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            writeln!(io.stderr, "geçersiz JSON: {e}")?;
            return Ok(1);
        }
    };
    let is_application = value
        .as_object()
        .is_some_and(|o| o.contains_key("tckn") || o.contains_key("received_at"));
    let req: RouteRequest = if is_application {
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
    } else {
        if let Some(obj) = value.as_object_mut() {
            obj.entry("province")
                .or_insert_with(|| serde_json::Value::String(plate.to_string()));
        }
        match serde_json::from_value(value) {
            Ok(r) => r,
            Err(e) => {
                writeln!(io.stderr, "geçersiz yönlendirme isteği: {e}")?;
                return Ok(1);
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
