//! Schema migrations, versioned in this crate: SQL files embedded at build time and applied in
//! order, each once, recorded in the `schema_migrations` table with a checksum of its text.
//!
//! [`migrate()`] applies what is pending in one transaction that first takes a transaction-level
//! advisory lock (`pg_advisory_xact_lock`), so two nodes starting at once apply each migration
//! exactly once: the second waits for the first to commit and then finds nothing to do. A database
//! that has a migration this build does not know (a newer build migrated it), or whose recorded
//! checksum differs from the embedded text (an edited migration), is refused, not touched.

use acikkapi_core::Result;

use crate::{PgOptions, PgStore, db_error, fatal};

/// One migration: a version, a short name and its SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Version, from 1, in the order they are applied.
    pub version: i32,
    /// A short name (the SQL file's name without the number).
    pub name: &'static str,
    /// The SQL, run as one batch inside the migration transaction.
    pub sql: &'static str,
}

impl Migration {
    /// CRC-32 of the SQL text, recorded when applied.
    pub fn checksum(&self) -> i64 {
        i64::from(crc32fast::hash(self.sql.as_bytes()))
    }
}

/// Every migration of this build, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "journal",
        sql: include_str!("migrations/0001_journal.sql"),
    },
    Migration {
        version: 2,
        name: "tracking",
        sql: include_str!("migrations/0002_tracking.sql"),
    },
    Migration {
        version: 3,
        name: "outbox",
        sql: include_str!("migrations/0003_outbox.sql"),
    },
];

/// Key of the advisory lock held while migrating ("acikkapi" in ASCII).
const LOCK_KEY: i64 = 0x6163_696b_6b61_7069;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    checksum   bigint      NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)";

/// What [`migrate()`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Versions applied now.
    pub applied: Vec<i32>,
    /// Versions that were already applied.
    pub already: Vec<i32>,
}

/// Where a migration stands in a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationState {
    /// Applied, with the same text as in this build.
    Applied,
    /// Not applied yet.
    Pending,
    /// Applied, but the recorded checksum differs from this build's text.
    Modified,
    /// Applied in the database but unknown to this build (a newer build migrated it).
    Unknown,
}

impl MigrationState {
    /// The state as a word (`applied`, `pending`, `modified`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            MigrationState::Applied => "applied",
            MigrationState::Pending => "pending",
            MigrationState::Modified => "modified",
            MigrationState::Unknown => "unknown",
        }
    }
}

/// One line of [`status()`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// Version.
    pub version: i32,
    /// Name (as recorded, for an unknown migration).
    pub name: String,
    /// Where it stands.
    pub state: MigrationState,
    /// When it was applied (server time, ISO 8601), if it was.
    pub applied_at: Option<String>,
}

/// A row of `schema_migrations`.
struct Applied {
    version: i32,
    name: String,
    checksum: i64,
    applied_at: String,
}

async fn applied(client: &impl deadpool_postgres::GenericClient) -> Result<Vec<Applied>> {
    let rows = client
        .query(
            "SELECT version, name, checksum, applied_at::text FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .map_err(|e| db_error("reading schema_migrations", &e))?;
    rows.iter()
        .map(|r| {
            Ok(Applied {
                version: r
                    .try_get(0)
                    .map_err(|e| db_error("schema_migrations", &e))?,
                name: r
                    .try_get(1)
                    .map_err(|e| db_error("schema_migrations", &e))?,
                checksum: r
                    .try_get(2)
                    .map_err(|e| db_error("schema_migrations", &e))?,
                applied_at: r
                    .try_get(3)
                    .map_err(|e| db_error("schema_migrations", &e))?,
            })
        })
        .collect()
}

fn compare(applied: &[Applied]) -> Vec<MigrationStatus> {
    let mut out: Vec<MigrationStatus> = MIGRATIONS
        .iter()
        .map(|m| {
            let row = applied.iter().find(|a| a.version == m.version);
            MigrationStatus {
                version: m.version,
                name: m.name.to_string(),
                state: match row {
                    None => MigrationState::Pending,
                    Some(a) if a.checksum == m.checksum() => MigrationState::Applied,
                    Some(_) => MigrationState::Modified,
                },
                applied_at: row.map(|a| a.applied_at.clone()),
            }
        })
        .collect();
    for a in applied {
        if !MIGRATIONS.iter().any(|m| m.version == a.version) {
            out.push(MigrationStatus {
                version: a.version,
                name: a.name.clone(),
                state: MigrationState::Unknown,
                applied_at: Some(a.applied_at.clone()),
            });
        }
    }
    out.sort_by_key(|s| s.version);
    out
}

/// Applies the pending migrations on `client` (see the [module documentation](self)).
pub(crate) async fn apply(client: &mut deadpool_postgres::Client) -> Result<MigrationReport> {
    let tx = client
        .transaction()
        .await
        .map_err(|e| db_error("starting the migration", &e))?;
    run_locked(&tx).await?;
    let report = pending_then_apply(&tx).await?;
    tx.commit()
        .await
        .map_err(|e| db_error("committing the migration", &e))?;
    Ok(report)
}

async fn run_locked(tx: &impl deadpool_postgres::GenericClient) -> Result<()> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await
        .map_err(|e| db_error("taking the migration lock", &e))?;
    tx.batch_execute(CREATE_TABLE)
        .await
        .map_err(|e| db_error("creating schema_migrations", &e))?;
    Ok(())
}

async fn pending_then_apply(tx: &impl deadpool_postgres::GenericClient) -> Result<MigrationReport> {
    let done = applied(tx).await?;
    let status = compare(&done);
    if let Some(s) = status
        .iter()
        .find(|s| matches!(s.state, MigrationState::Modified | MigrationState::Unknown))
    {
        return Err(fatal(format!(
            "schema migration {} ({}) is {} in the database: {}",
            s.version,
            s.name,
            s.state.as_str(),
            match s.state {
                MigrationState::Unknown =>
                    "the database was migrated by a newer build; refusing to touch it",
                _ => "its text differs from the one applied; refusing to touch the database",
            }
        )));
    }
    let mut report = MigrationReport {
        applied: Vec::new(),
        already: Vec::new(),
    };
    for m in MIGRATIONS {
        if done.iter().any(|a| a.version == m.version) {
            report.already.push(m.version);
            continue;
        }
        tx.batch_execute(m.sql).await.map_err(|e| {
            db_error(
                &format!("applying migration {} ({})", m.version, m.name),
                &e,
            )
        })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &m.checksum()],
        )
        .await
        .map_err(|e| db_error("recording the migration", &e))?;
        report.applied.push(m.version);
    }
    Ok(report)
}

/// A store of one connection, without migrating, for the one-shot functions.
fn one_shot(url: &str) -> Result<PgStore> {
    PgStore::connect(
        url,
        PgOptions {
            pool_size: 1,
            migrate: false,
            ..PgOptions::default()
        },
    )
}

/// Brings the schema of the database at `url` up to date; see the [module documentation](self).
pub fn migrate(url: &str) -> Result<MigrationReport> {
    let store = one_shot(url)?;
    store.block_on(async {
        let mut client = store.client().await?;
        apply(&mut client).await
    })
}

/// Every migration of this build and of the database at `url`, with where it stands. Reads only
/// (a database never migrated has every migration pending).
pub fn status(url: &str) -> Result<Vec<MigrationStatus>> {
    let store = one_shot(url)?;
    store.block_on(async {
        let client = store.client().await?;
        let exists: bool = client
            .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
            .await
            .and_then(|r| r.try_get(0))
            .map_err(|e| db_error("reading the schema", &e))?;
        if !exists {
            return Ok(compare(&[]));
        }
        Ok(compare(&applied(&client).await?))
    })
}
