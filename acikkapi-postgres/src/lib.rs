//! PostgreSQL store for Açık Kapı: the core's storage ports on a database server (PostgreSQL ≥ 15)
//! that several service nodes share, so that one node can die without losing or repeating anything.
//!
//! What it is for:
//! * [`PgJournal`]: the core's [`Journal`](acikkapi_core::journal::Journal) on one *stream*
//!   (partition, e.g. a province) of the `journal_records` table: gapless positions from 1,
//!   conditional appends enforced by the database (the primary key `(stream, position)`), one
//!   transaction per batch, snapshots in `journal_snapshots` bound to the records they were made
//!   from. It passes the same contract suite as the memory and file journals
//!   (`acikkapi_core::journal::contract`, behind its `contract-tests` feature).
//! * [`PgOutbox`]: the durable SMS outbox in the `outbox_messages` table, shared by several nodes:
//!   messages claimed with `FOR UPDATE SKIP LOCKED` under a lease on the database's clock, a
//!   fencing token per claim so that a node whose lease ran out cannot overwrite the newer
//!   attempt, at-least-once delivery with the idempotency key. It is the core's
//!   [`DeliveryQueue`](acikkapi_core::notify::DeliveryQueue) and
//!   [`NotificationSink`](acikkapi_core::workflow::ports::NotificationSink).
//! * [`open_applications`]: the application service on the database — one stream per
//!   province, [`PgTrackingNumbers`] for tracking numbers unique across nodes — for several
//!   nodes on one database ([`service`] says how they stay in step).
//! * [`migrate()`] / [`status()`]: the schema, versioned in this crate ([`migrate::MIGRATIONS`]),
//!   applied on start by [`PgStore::connect`], idempotent and safe when several nodes start at once.
//!
//! What it is not: not the embedded default (that stays the core's
//! [`FileJournal`](acikkapi_core::journal::FileJournal)); not yet the on-demand loading of
//! closed applications (issue 14 goes on);
//! not a TLS client (connections are plain TCP or a Unix socket: run it next to the server or
//! inside a protected network).
//!
//! # Example
//!
//! ```no_run
//! use acikkapi_core::journal::{Journal, Seq};
//! use acikkapi_postgres::{PgOptions, PgStore};
//!
//! let store = PgStore::connect("postgres://acikkapi@127.0.0.1/acikkapi", PgOptions::default())?;
//! let journal = store.journal("34")?; // İstanbul's stream
//! let last = journal.last_seq();
//! match journal.append_if(Some(last), &[br#"{"type":"registered"}"#.to_vec()]) {
//!     Ok(seqs) => assert_eq!(seqs, vec![last.next()]),
//!     // Another node appended first: read its records, decide again, retry.
//!     Err(acikkapi_core::Error::ConcurrencyConflict { actual, .. }) => assert!(actual > last.0),
//!     Err(e) => return Err(e.into()),
//! }
//! for record in journal.iter_from(Seq(1)) {
//!     let record = record?;
//!     println!("{} {} bytes", record.seq, record.payload.len());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Client and runtime
//!
//! The client is `tokio-postgres` with a `deadpool-postgres` pool. A [`PgStore`] owns a small
//! tokio runtime (two worker threads) that drives the connections: the synchronous
//! [`Journal`](acikkapi_core::journal::Journal) methods block on it, and async callers (the coming
//! HTTP server) use the `*_async` methods of [`PgJournal`] on their own runtime instead. The
//! blocking methods refuse, with a typed error, to run inside an async runtime (blocking there
//! would stall it).
//!
//! # Failures
//!
//! A lost, refused or timed-out connection is
//! [`Error::StoreUnavailable`] with `retryable: true`,
//! never a panic or a hang: connecting is bounded by [`PgOptions::connect_timeout`], every
//! statement by [`PgOptions::statement_timeout`] (set on the server and enforced on the client as
//! well). The pool throws away a broken connection and opens a new one on the next call, so the
//! store reconnects by itself once the server is back.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod group_commit;
pub mod journal;
pub mod migrate;
pub mod outbox;
pub mod service;
pub mod tracking;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use acikkapi_core::{Error, Result};
use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod};
use tokio_postgres::NoTls;

pub use group_commit::GroupCommitStats;
pub use journal::PgJournal;
pub use migrate::{MigrationReport, MigrationState, MigrationStatus, migrate, status};
pub use outbox::{Claim, Completion, PgMessage, PgOutbox, PgOutboxOptions};
pub use service::{PERSONNEL_STREAM, open_applications, open_personnel, province_stream};
pub use tracking::PgTrackingNumbers;

/// How to connect to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgOptions {
    /// Connections in the pool (default 16).
    pub pool_size: usize,
    /// Longest wait to open a connection or get one from the pool (default 5 s).
    pub connect_timeout: Duration,
    /// Longest a statement may run (default 30 s).
    pub statement_timeout: Duration,
    /// Apply pending schema migrations when connecting (default true).
    pub migrate: bool,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            pool_size: 16,
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
            migrate: true,
        }
    }
}

impl PgOptions {
    /// The client-side bound of one operation: a statement plus getting a connection for it.
    fn op_timeout(&self) -> Duration {
        self.statement_timeout + self.connect_timeout + Duration::from_secs(1)
    }
}

/// A connection pool to one database and the runtime driving it; cheap to clone (shared).
/// Make one per process and database, and a [`PgJournal`] per stream from it.
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

struct Inner {
    rt: Option<tokio::runtime::Runtime>,
    pool: Pool,
    options: PgOptions,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Dropping a runtime blocks (and panics inside another runtime); shutting it down in the
        // background does neither. The pool's connections go with it.
        self.pool.close();
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// A store error (connection, timeout or server), not retryable.
pub(crate) fn fatal(message: impl Into<String>) -> Error {
    Error::StoreUnavailable {
        retryable: false,
        message: message.into(),
    }
}

/// A store error the same call may get past later.
pub(crate) fn transient(message: impl Into<String>) -> Error {
    Error::StoreUnavailable {
        retryable: true,
        message: message.into(),
    }
}

/// SQLSTATEs after which the same call may succeed: connection exceptions (class 08), the server
/// shutting down or starting (57P01–57P03), a cancelled statement (57014, e.g. the statement
/// timeout), a lock wait over the lock timeout (55P03), serialization failure and deadlock
/// (40001, 40P01), too many connections (53300), out of resources (53000, 53100, 53200).
fn retryable_state(code: &str) -> bool {
    code.starts_with("08")
        || matches!(
            code,
            "57P01"
                | "57P02"
                | "57P03"
                | "57014"
                | "55P03"
                | "40001"
                | "40P01"
                | "53000"
                | "53100"
                | "53200"
                | "53300"
        )
}

/// Maps a client error to the core's error; `what` says what was being done.
pub(crate) fn db_error(what: &str, e: &tokio_postgres::Error) -> Error {
    use std::error::Error as _;
    let retryable = match e.code() {
        Some(code) => retryable_state(code.code()),
        // No SQLSTATE: the connection closed or failed (I/O), or a value could not be converted.
        None => {
            e.is_closed()
                || e.source()
                    .is_none_or(|s| s.is::<std::io::Error>() || s.to_string().contains("timed out"))
        }
    };
    let message = match e.as_db_error() {
        Some(db) => format!("{what}: {} ({})", db.message(), db.code().code()),
        // The client's own text is often only "error connecting to server" or "error
        // communicating with the server": the cause (refused, reset, timed out) is its source.
        None => match e.source() {
            Some(cause) => format!("{what}: {e}: {cause}"),
            None => format!("{what}: {e}"),
        },
    };
    Error::StoreUnavailable { retryable, message }
}

pub(crate) fn pool_error(e: &PoolError) -> Error {
    match e {
        PoolError::Timeout(kind) => transient(format!(
            "no database connection within the connect timeout ({kind:?})"
        )),
        PoolError::Backend(e) => db_error("connecting", e),
        PoolError::Closed => fatal("the connection pool is closed"),
        PoolError::NoRuntimeSpecified => fatal("the connection pool has no runtime"),
        PoolError::PostCreateHook(e) => fatal(format!("setting up a connection: {e}")),
    }
}

/// Parses `url` (`postgres://user@host:port/db?...` or the key=value form) and applies the
/// options' timeouts. The URL itself never appears in an error (it may hold a password).
pub(crate) fn config(url: &str, options: &PgOptions) -> Result<tokio_postgres::Config> {
    let mut cfg: tokio_postgres::Config = url
        .parse()
        .map_err(|e| fatal(format!("invalid PostgreSQL connection string: {e}")))?;
    cfg.connect_timeout(options.connect_timeout);
    cfg.keepalives(true);
    cfg.keepalives_idle(Duration::from_secs(30));
    if cfg.get_application_name().is_none() {
        cfg.application_name("acikkapi");
    }
    if cfg.get_options().is_none() {
        let ms = options.statement_timeout.as_millis().max(1);
        cfg.options(format!("-c statement_timeout={ms} -c lock_timeout={ms}"));
    }
    Ok(cfg)
}

/// Runs `f` bounded by `limit`; running over is a retryable error.
pub(crate) async fn bounded<T>(limit: Duration, f: impl Future<Output = Result<T>>) -> Result<T> {
    match tokio::time::timeout(limit, f).await {
        Ok(r) => r,
        Err(_) => Err(transient(format!(
            "the database did not answer within {} ms",
            limit.as_millis()
        ))),
    }
}

impl PgStore {
    /// Connects to the database at `url` and, with [`PgOptions::migrate`], brings its schema up
    /// to date ([`migrate()`]). Fails with a retryable error if the server cannot be reached within
    /// the connect timeout.
    pub fn connect(url: &str, options: PgOptions) -> Result<PgStore> {
        let cfg = config(url, &options)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("acikkapi-pg")
            .enable_all()
            .build()
            .map_err(|e| fatal(format!("starting the database runtime: {e}")))?;
        let manager = Manager::from_config(
            cfg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(options.connect_timeout))
            .create_timeout(Some(options.connect_timeout))
            .recycle_timeout(Some(options.connect_timeout))
            .build()
            .map_err(|e| fatal(format!("building the connection pool: {e}")))?;
        let store = PgStore {
            inner: Arc::new(Inner {
                rt: Some(rt),
                pool,
                options,
            }),
        };
        if store.inner.options.migrate {
            store.block_on(async {
                let mut client = store.client().await?;
                migrate::apply(&mut client).await
            })?;
        }
        Ok(store)
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &PgOptions {
        &self.inner.options
    }

    /// The journal of `stream` (1–200 characters, no NUL), e.g. a province's plate code.
    pub fn journal(&self, stream: &str) -> Result<PgJournal> {
        PgJournal::open(self.clone(), stream)
    }

    /// The SMS outbox, claiming as `options.node`; see [`PgOutbox`]. Refuses an empty or
    /// over-long node name, a zero batch and a retry policy without attempts.
    pub fn outbox(&self, options: PgOutboxOptions) -> Result<PgOutbox> {
        PgOutbox::open(self.clone(), options)
    }

    /// A pooled connection.
    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Client> {
        self.inner.pool.get().await.map_err(|e| pool_error(&e))
    }

    /// Runs `f` on the store's runtime, bounded by the operation timeout. Refused inside an async
    /// runtime (blocking a runtime's thread stalls it): use the `*_async` methods there.
    pub(crate) fn block_on<T>(&self, f: impl Future<Output = Result<T>>) -> Result<T> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(fatal(
                "the blocking PostgreSQL journal API was called inside an async runtime; use the *_async methods",
            ));
        }
        let rt = self
            .inner
            .rt
            .as_ref()
            .ok_or_else(|| fatal("the database runtime is shut down"))?;
        rt.block_on(bounded(self.inner.options.op_timeout(), f))
    }

    /// The connection pool.
    pub(crate) fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    /// Starts `task` on the store's runtime (it runs to its end even if the caller goes away).
    pub(crate) fn spawn(
        &self,
        task: std::pin::Pin<Box<dyn Future<Output = ()> + Send>>,
    ) -> Result<()> {
        let rt = self
            .inner
            .rt
            .as_ref()
            .ok_or_else(|| fatal("the database runtime is shut down"))?;
        rt.spawn(task);
        Ok(())
    }

    /// The store's runtime, to run background work on (`None` once it is shut down).
    pub(crate) fn handle(&self) -> Option<&tokio::runtime::Handle> {
        self.inner.rt.as_ref().map(|rt| rt.handle())
    }

    /// The client-side bound of one operation (for the async methods).
    pub(crate) fn op_timeout(&self) -> Duration {
        self.inner.options.op_timeout()
    }

    /// Every stream of the database that has records or a snapshot, in name order (one index
    /// lookup per stream, not a scan of the records).
    pub fn streams(&self) -> Result<Vec<String>> {
        self.block_on(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    "WITH RECURSIVE s(stream) AS (
                       SELECT min(stream) FROM journal_records
                       UNION ALL
                       SELECT (SELECT min(r.stream) FROM journal_records r WHERE r.stream > s.stream)
                       FROM s WHERE s.stream IS NOT NULL)
                     SELECT stream FROM s WHERE stream IS NOT NULL
                     UNION SELECT stream FROM journal_snapshots
                     ORDER BY 1",
                    &[],
                )
                .await
                .map_err(|e| db_error("listing the streams", &e))?;
            rows.iter()
                .map(|r| r.try_get(0).map_err(|e| db_error("listing the streams", &e)))
                .collect()
        })
    }

    /// Deletes every record and the snapshot of `stream`, in one transaction; returns how many
    /// records were deleted. Irreversible: for tools that replace a stream on request (`acikkapi
    /// journal copy --replace`), never called by the journal itself.
    pub fn delete_stream(&self, stream: &str) -> Result<u64> {
        self.block_on(async {
            let mut client = self.client().await?;
            let tx = client
                .transaction()
                .await
                .map_err(|e| db_error("deleting a stream", &e))?;
            tx.execute(
                "DELETE FROM journal_snapshots WHERE stream = $1",
                &[&stream],
            )
            .await
            .map_err(|e| db_error("deleting a stream", &e))?;
            let n = tx
                .execute("DELETE FROM journal_records WHERE stream = $1", &[&stream])
                .await
                .map_err(|e| db_error("deleting a stream", &e))?;
            tx.commit()
                .await
                .map_err(|e| db_error("deleting a stream", &e))?;
            Ok(n)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_and_transient_states_are_retryable_others_not() {
        for code in [
            "08006", "08001", "57P01", "57014", "55P03", "40001", "40P01", "53300",
        ] {
            assert!(retryable_state(code), "{code}");
        }
        for code in ["23505", "42P01", "42501", "28P01", "3D000", "22P02"] {
            assert!(!retryable_state(code), "{code}");
        }
    }

    #[test]
    fn a_refused_connection_says_so() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        // Port 1 (tcpmux) is not a PostgreSQL server here: the connection is refused.
        let e = rt
            .block_on(tokio_postgres::connect(
                "host=127.0.0.1 port=1 user=x connect_timeout=2",
                NoTls,
            ))
            .map(|_| ())
            .expect_err("nothing listens on port 1");
        let err = db_error("connecting", &e);
        assert!(err.is_retryable(), "{err}");
        let text = err.to_string();
        assert!(
            text.starts_with(
                "store unavailable (retryable): connecting: error connecting to server: "
            ),
            "{text}"
        );
        assert!(text.to_lowercase().contains("refused"), "{text}");
    }

    #[test]
    fn config_applies_timeouts_and_hides_the_url_in_errors() {
        let options = PgOptions {
            connect_timeout: Duration::from_millis(1500),
            statement_timeout: Duration::from_millis(2500),
            ..PgOptions::default()
        };
        let cfg = config("postgres://u:pw@127.0.0.1:5/db", &options).expect("valid");
        assert_eq!(
            cfg.get_connect_timeout(),
            Some(&Duration::from_millis(1500))
        );
        assert_eq!(
            cfg.get_options(),
            Some("-c statement_timeout=2500 -c lock_timeout=2500")
        );
        assert_eq!(cfg.get_application_name(), Some("acikkapi"));
        let err =
            config("postgres://u:hunter2@127.0.0.1:notaport/db", &options).expect_err("bad port");
        assert!(matches!(
            err,
            Error::StoreUnavailable {
                retryable: false,
                ..
            }
        ));
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(options.op_timeout() > options.statement_timeout);
    }
}
