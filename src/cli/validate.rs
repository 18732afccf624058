//! `acikkapi validate FILE.json`: checks one application input and prints it normalised, or every
//! problem on its own line (in Turkish, as the citizen is told).

use std::path::PathBuf;

use acikkapi_core::application::Application;
use acikkapi_core::geo::Geography;
use acikkapi_core::ids::Full;
use acikkapi_core::taxonomy::Taxonomy;
use acikkapi_core::validate::Rejection;
use clap::Args;

use super::{CliError, CliResult, Io};

/// `acikkapi validate …`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The application input (JSON); `-` reads standard input.
    pub file: PathBuf,
    /// Print the TC Kimlik No and phone in full (for storage); by default they are masked.
    #[arg(long)]
    pub full: bool,
}

/// Parses and validates an application input given as JSON text
/// ([`acikkapi_core::validate::validate_json`]). A JSON syntax or shape error is a rejection too
/// (one problem), so the caller gets one kind of answer for every bad input; unknown keys are
/// listed with every other problem.
pub fn validate_json(json: &str) -> Result<Application, Rejection> {
    acikkapi_core::validate::validate_json(json, Geography::embedded(), Taxonomy::embedded())
}

/// Runs `acikkapi validate …`: exit 0 with the normalised JSON, or exit 1 with each problem on
/// its own line on standard output.
pub fn run(args: ValidateArgs, io: &mut Io<'_>) -> CliResult {
    let json = super::read_input(&args.file, io)?;
    match validate_json(&json) {
        Ok(app) => {
            let out = if args.full {
                serde_json::to_string_pretty(&Full(&app))?
            } else {
                serde_json::to_string_pretty(&app)?
            };
            writeln!(io.stdout, "{out}")?;
            Ok(0)
        }
        Err(rejection) => {
            for reason in rejection.reasons_tr() {
                writeln!(io.stdout, "{reason}")?;
            }
            Ok(1)
        }
    }
}

impl From<Rejection> for CliError {
    fn from(r: Rejection) -> Self {
        CliError::Core(r.into())
    }
}
