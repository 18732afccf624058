//! `acikkapi geo`: the bundled provinces and districts as CSV.

use acikkapi_core::geo::{Geography, ProvincePlate};
use clap::Subcommand;

use super::{CliError, CliResult, Io, csv_field};

/// `acikkapi geo …`
#[derive(Debug, Subcommand)]
pub enum GeoCmd {
    /// The 81 provinces: plate, name, region, NUTS codes, metropolitan, population (CSV).
    Provinces,
    /// The districts of one province (by plate or name), in Turkish alphabetical order (CSV).
    Districts {
        /// Province plate (`20`) or name (`Denizli`, `DENİZLİ`, `denizli`).
        province: String,
    },
}

/// Runs `acikkapi geo …`.
pub fn run(cmd: GeoCmd, io: &mut Io<'_>) -> CliResult {
    let geo = Geography::embedded();
    match cmd {
        GeoCmd::Provinces => {
            writeln!(
                io.stdout,
                "plate,name,name_ascii,region,nuts1,nuts3,metropolitan,population_2023"
            )?;
            for p in geo.provinces() {
                writeln!(
                    io.stdout,
                    "{},{},{},{},{},{},{},{}",
                    p.plate,
                    csv_field(&p.name),
                    csv_field(&p.name_ascii),
                    csv_field(p.region.name_tr()),
                    p.nuts1,
                    p.nuts3,
                    p.metropolitan,
                    p.population_2023
                )?;
            }
        }
        GeoCmd::Districts { province } => {
            let plate: ProvincePlate = geo
                .require_province(&province)
                .map_err(CliError::from)?
                .plate;
            writeln!(io.stdout, "plate,province,district,district_ascii")?;
            let pname = &geo.province(plate).name;
            for d in geo.districts(plate) {
                writeln!(
                    io.stdout,
                    "{},{},{},{}",
                    plate,
                    csv_field(pname),
                    csv_field(&d.name),
                    csv_field(&d.name_ascii)
                )?;
            }
        }
    }
    Ok(0)
}
