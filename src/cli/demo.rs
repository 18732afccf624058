//! `acikkapi demo`: the main job on the embedded defaults. Validates and classifies the bundled
//! sample applications and prints each one with its normalised form or its rejection reasons.

use acikkapi_core::samples;
use acikkapi_core::taxonomy::Taxonomy;
use clap::Args;

use super::validate::validate_json;
use super::{CliResult, Io};

/// `acikkapi demo`
#[derive(Debug, Args)]
pub struct DemoArgs {}

/// Runs the demo.
pub fn run(_args: DemoArgs, io: &mut Io<'_>) -> CliResult {
    let tax = Taxonomy::embedded();
    let mut accepted = 0usize;
    let mut rejected = 0usize;
    writeln!(
        io.stdout,
        "Açık Kapı — örnek başvurular (taksonomi {})\n",
        tax.version()
    )?;
    for (name, json) in samples::ALL {
        writeln!(io.stdout, "== {name}")?;
        match validate_json(json) {
            Ok(app) => {
                accepted += 1;
                let cat = tax.category(&app.category);
                writeln!(
                    io.stdout,
                    "   kayıt: {} / {} / {}, {} ({})",
                    app.kind,
                    app.channel,
                    app.location.district,
                    app.location.province,
                    app.applicant
                )?;
                writeln!(
                    io.stdout,
                    "   kategori: {} — {}",
                    app.category,
                    cat.map_or("?", |c| c.name_tr.as_str())
                )?;
                let suggested = tax.suggest_categories_n(&app.subject, 3);
                let list: Vec<String> = suggested
                    .iter()
                    .map(|s| format!("{} ({:.1})", s.code, s.score))
                    .collect();
                writeln!(io.stdout, "   metinden öneri: {}", list.join(", "))?;
            }
            Err(rejection) => {
                rejected += 1;
                writeln!(io.stdout, "   işleme alınmadı:")?;
                for reason in rejection.reasons_tr() {
                    writeln!(io.stdout, "   - {reason}")?;
                }
            }
        }
    }
    writeln!(
        io.stdout,
        "\nKabul edilen: {accepted}, işleme alınmayan: {rejected}"
    )?;
    Ok(0)
}
