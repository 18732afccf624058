//! `acikkapi db`: the PostgreSQL store's schema — apply the migrations, show where they stand.
//! Only translates: the work is [`acikkapi_postgres::migrate()`] and [`acikkapi_postgres::status()`].

use acikkapi_postgres::MigrationState;
use clap::Subcommand;

use super::{CliResult, Io};

/// `acikkapi db …`
#[derive(Debug, Subcommand)]
pub enum DbCmd {
    /// Applies the pending schema migrations (idempotent; safe while other nodes start). Refuses a
    /// database migrated by a newer build or whose applied migrations were edited.
    Migrate {
        /// The database, `postgres://user@host:port/db` (or key=value form).
        url: String,
    },
    /// One line per migration: version, name, state (applied, pending, modified, unknown) and when
    /// it was applied. Exit 0 if every migration is applied, 1 otherwise.
    Status {
        /// The database, `postgres://user@host:port/db` (or key=value form).
        url: String,
    },
}

/// Runs `acikkapi db …`.
pub fn run(cmd: DbCmd, io: &mut Io<'_>) -> CliResult {
    match cmd {
        DbCmd::Migrate { url } => {
            let report = acikkapi_postgres::migrate(&url)?;
            if report.applied.is_empty() {
                writeln!(
                    io.stdout,
                    "schema up to date ({} migrations applied before)",
                    report.already.len()
                )?;
            }
            for version in &report.applied {
                let name = acikkapi_postgres::migrate::MIGRATIONS
                    .iter()
                    .find(|m| m.version == *version)
                    .map_or("", |m| m.name);
                writeln!(io.stdout, "applied {version:04} {name}")?;
            }
            Ok(0)
        }
        DbCmd::Status { url } => {
            let status = acikkapi_postgres::status(&url)?;
            let mut complete = true;
            for s in &status {
                complete &= s.state == MigrationState::Applied;
                writeln!(
                    io.stdout,
                    "{:04} {:<20} {:<8} {}",
                    s.version,
                    s.name,
                    s.state.as_str(),
                    s.applied_at.as_deref().unwrap_or("-")
                )?;
            }
            Ok(if complete { 0 } else { 1 })
        }
    }
}
