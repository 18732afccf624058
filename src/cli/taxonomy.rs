//! `acikkapi taxonomy`: the service headings and categories, and category suggestions for a text.

use acikkapi_core::taxonomy::{HeadingCode, Taxonomy};
use clap::Subcommand;

use super::{CliError, CliResult, Io, csv_field};

/// `acikkapi taxonomy …`
#[derive(Debug, Subcommand)]
pub enum TaxonomyCmd {
    /// The categories (CSV): code, heading, Turkish name, institution type, level, keywords.
    List {
        /// Only the categories under this heading (e.g. `SAGLIK`).
        #[arg(long)]
        heading: Option<String>,
    },
    /// The 17 service headings (CSV).
    Headings,
    /// Suggests categories for a free text, best first (CSV: rank, code, score, name, matched keywords).
    Suggest {
        /// The application text, in Turkish.
        text: String,
        /// How many suggestions at most.
        #[arg(long, default_value_t = 5)]
        limit: usize,
    },
}

/// Runs `acikkapi taxonomy …`.
pub fn run(cmd: TaxonomyCmd, io: &mut Io<'_>) -> CliResult {
    let tax = Taxonomy::embedded();
    match cmd {
        TaxonomyCmd::List { heading } => {
            let heading = match heading {
                Some(h) => {
                    // Codes are ASCII: fold Turkish letters first, so `sağlık` and `SAĞLIK` both find `SAGLIK`.
                    let code = HeadingCode::parse(
                        &acikkapi_core::text::search_key(&h).to_ascii_uppercase(),
                    )?;
                    if tax.heading(&code).is_none() {
                        return Err(CliError::Usage(format!(
                            "bilinmeyen hizmet başlığı: {h:?} (bilinenler: {})",
                            tax.headings()
                                .iter()
                                .map(|h| h.code.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )));
                    }
                    Some(code)
                }
                None => None,
            };
            writeln!(io.stdout, "code,heading,name_tr,institution,level,keywords")?;
            for c in tax
                .categories()
                .iter()
                .filter(|c| heading.as_ref().is_none_or(|h| &c.heading == h))
            {
                writeln!(
                    io.stdout,
                    "{},{},{},{},{},{}",
                    c.code,
                    c.heading,
                    csv_field(&c.name_tr),
                    c.institution,
                    match c.level {
                        acikkapi_core::taxonomy::Level::District => "district",
                        acikkapi_core::taxonomy::Level::Province => "province",
                    },
                    csv_field(&c.keywords.join("; "))
                )?;
            }
        }
        TaxonomyCmd::Headings => {
            writeln!(io.stdout, "code,name_tr,name_en,categories")?;
            for h in tax.headings() {
                writeln!(
                    io.stdout,
                    "{},{},{},{}",
                    h.code,
                    csv_field(&h.name_tr),
                    csv_field(&h.name_en),
                    tax.categories_of(&h.code).count()
                )?;
            }
        }
        TaxonomyCmd::Suggest { text, limit } => {
            writeln!(io.stdout, "rank,code,score,name_tr,matched")?;
            for (i, s) in tax.suggest_categories_n(&text, limit).iter().enumerate() {
                let name = tax.category(&s.code).map_or("", |c| c.name_tr.as_str());
                writeln!(
                    io.stdout,
                    "{},{},{:.2},{},{}",
                    i + 1,
                    s.code,
                    s.score,
                    csv_field(name),
                    csv_field(&s.matched.join("; "))
                )?;
            }
        }
    }
    Ok(0)
}
