//! `acikkapi org`: check an organisation file; the coverage report of a province.

use std::path::PathBuf;

use acikkapi_core::Error;
use acikkapi_core::geo::Geography;
use acikkapi_core::org::Organisation;
use acikkapi_core::taxonomy::Taxonomy;
use clap::{Subcommand, ValueEnum};

use super::{CliResult, Io, read_input};

/// Output format of the coverage report.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CoverageFormat {
    /// Summary and one line per gap (Turkish).
    Text,
    /// The gaps as CSV: category, institution, level, district.
    Csv,
    /// The whole report as JSON.
    Json,
}

/// `acikkapi org …`
#[derive(Debug, Subcommand)]
pub enum OrgCmd {
    /// Checks an organisation file (TOML); exit 1 listing every problem.
    Check {
        /// The file (`-` for standard input).
        file: PathBuf,
    },
    /// Prints the generated default organisation of a province as an org file (TOML), a starting
    /// point for a hand-written one.
    Generate {
        /// Province plate or name.
        province: String,
    },
    /// Coverage: for every (category, district) of a province, whether a route exists; lists gaps.
    /// Without --file: the embedded hand-written file if there is one (before the generated
    /// units are added for routing), else the generated default.
    Coverage {
        /// Province plate or name.
        province: String,
        /// An organisation file to report on instead.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CoverageFormat::Text)]
        format: CoverageFormat,
    },
}

/// Loads a file; on invalid input prints the problems and gives `Err(exit code)`.
fn load(text: &str, name: &str, io: &mut Io<'_>) -> Result<Organisation, CliResult> {
    match Organisation::from_toml(text, name) {
        Ok(org) => Ok(org),
        Err(Error::InvalidOrganisation { file, problems }) => {
            let r = (|| {
                writeln!(io.stdout, "{file}: {} sorun", problems.len())?;
                for p in &problems {
                    writeln!(io.stdout, "  - {p}")?;
                }
                Ok(1)
            })();
            Err(r)
        }
        Err(e @ Error::DataFile { .. }) => {
            Err(writeln!(io.stdout, "{e}").map(|_| 1).map_err(Into::into))
        }
        Err(e) => Err(Err(e.into())),
    }
}

/// Runs `acikkapi org …`.
pub fn run(cmd: OrgCmd, io: &mut Io<'_>) -> CliResult {
    let tax = Taxonomy::embedded();
    match cmd {
        OrgCmd::Check { file } => {
            let text = read_input(&file, io)?;
            let org = match load(&text, &file.display().to_string(), io) {
                Ok(o) => o,
                Err(r) => return r,
            };
            let cov = org.coverage(tax);
            writeln!(
                io.stdout,
                "{}: geçerli — {} ({}), {} birim, {} kapsam boşluğu",
                file.display(),
                org.province_name(),
                org.plate(),
                org.units().len(),
                cov.gaps.len()
            )?;
            Ok(0)
        }
        OrgCmd::Generate { province } => {
            let plate = Geography::embedded().require_province(&province)?.plate;
            let file = Organisation::generated_file(plate);
            let text = toml::to_string(&file)
                .map_err(|e| super::CliError::Usage(format!("TOML yazılamadı: {e}")))?;
            write!(io.stdout, "{text}")?;
            Ok(0)
        }
        OrgCmd::Coverage {
            province,
            file,
            format,
        } => {
            let plate = Geography::embedded().require_province(&province)?.plate;
            let org = match (&file, Organisation::embedded_file(plate)) {
                (Some(f), _) => {
                    let text = read_input(f, io)?;
                    match load(&text, &f.display().to_string(), io) {
                        Ok(o) => o,
                        Err(r) => return r,
                    }
                }
                (None, Some((name, text))) => Organisation::from_toml(text, name)?,
                (None, None) => (*Organisation::generated(plate)?).clone(),
            };
            if org.plate() != plate {
                return Err(super::CliError::Usage(format!(
                    "dosya {} plakalı ile ait, {plate} değil",
                    org.plate()
                )));
            }
            let cov = org.coverage(tax);
            match format {
                CoverageFormat::Text => write!(io.stdout, "{cov}")?,
                CoverageFormat::Csv => write!(io.stdout, "{}", cov.to_csv())?,
                CoverageFormat::Json => {
                    serde_json::to_writer_pretty(&mut *io.stdout, &cov)?;
                    writeln!(io.stdout)?;
                }
            }
            Ok(0)
        }
    }
}
