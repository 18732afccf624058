//! Veritabanı: `acikkapi serve --database postgres://…`, the service on PostgreSQL so that several
//! nodes serve the same applications.
//!
//! The applications live in the database's province streams and the SMS messages in its outbox
//! table ([`acikkapi_postgres::open_applications`] with a [`PgOutbox`] as the engines' sink); the
//! API keys stay in the data directory (each node reads its own copy). Connecting applies the
//! pending migrations, which is safe when several nodes start at once (the migrations take an
//! advisory lock).
//!
//! A node decides a command on what it has read so far and catches up when another node
//! appended first, so writes never need a refresh. Listings do: a [`Refresher`] thread catches
//! every stream up at a fixed interval, so a node's listings and look-ups include the other
//! nodes' applications within about one interval. A failed refresh is logged, never fatal, and
//! marks the node not ready (`/readyz` 503) until a refresh succeeds again; each refresh is
//! bounded by the store's timeouts ([`PgOptions`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use acikkapi_core::service::Applications;
use acikkapi_core::workflow::EngineOptions;
use acikkapi_core::workflow::application::ApplicationWorkflow;
use acikkapi_postgres::{PgOptions, PgOutbox, PgOutboxOptions, PgStore};

/// The database a node serves from.
#[derive(Clone)]
pub struct Database {
    /// The connection URL given to the driver (may hold a password: never shown).
    pub url: String,
    /// How often the other nodes' work is read in.
    pub refresh_interval: Duration,
    /// This node's name in the outbox's claims.
    pub node: String,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password.
        f.debug_struct("Database")
            .field("refresh_interval", &self.refresh_interval)
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

/// The service opened on a database.
pub struct OpenedPg {
    /// The application service.
    pub service: Arc<Applications>,
    /// The SMS outbox (the engines' notification sink).
    pub outbox: PgOutbox,
    /// The connection pool (kept until the service is done).
    pub store: PgStore,
}

impl std::fmt::Debug for OpenedPg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedPg").finish_non_exhaustive()
    }
}

/// Connects (applying pending migrations) and opens the application service on `db`: every
/// province stream, tracking numbers from the database, the outbox as sink. Call it outside an
/// async runtime (the store blocks on its own).
pub fn open(db: &Database) -> acikkapi_core::Result<OpenedPg> {
    let store = PgStore::connect(&db.url, PgOptions::default())?;
    let outbox = store.outbox(PgOutboxOptions {
        node: db.node.clone(),
        ..PgOutboxOptions::default()
    })?;
    let service = acikkapi_postgres::open_applications(
        &store,
        ApplicationWorkflow::default(),
        outbox.clone(),
        EngineOptions::default(),
    )?;
    Ok(OpenedPg {
        service: Arc::new(service),
        outbox,
        store,
    })
}

/// The background refresh: a thread that catches `service` up every interval and keeps a
/// readiness flag (false while refreshing fails). Stopped and joined by [`Refresher::stop`] or on
/// drop.
#[derive(Debug)]
pub struct Refresher {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Refresher {
    /// Starts refreshing `service` every `interval`, storing in `ready` whether the last refresh
    /// succeeded. The thread is a plain one (the store's blocking API refuses runtime threads).
    pub fn start(
        service: Arc<Applications>,
        interval: Duration,
        ready: Arc<AtomicBool>,
    ) -> std::io::Result<Refresher> {
        let (tx, rx) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("acikkapi-refresh".into())
            .spawn(move || {
                // A message or a dropped sender both mean stop.
                while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(interval) {
                    match service.refresh() {
                        Ok(n) => {
                            if !ready.swap(true, Ordering::SeqCst) {
                                tracing::info!("veritabanına yeniden erişildi: hazır");
                            }
                            if n > 0 {
                                tracing::debug!(records = n, "diğer düğümlerin kayıtları okundu");
                            }
                        }
                        Err(e) => {
                            if ready.swap(false, Ordering::SeqCst) {
                                tracing::warn!(error = %e, "veritabanı okunamadı: hazır değil");
                            } else {
                                tracing::debug!(error = %e, "veritabanı hâlâ okunamıyor");
                            }
                        }
                    }
                }
            })?;
        Ok(Refresher {
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    /// Stops the thread and waits for it (at most one refresh, bounded by the store's timeouts).
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Refresher {
    fn drop(&mut self) {
        self.halt();
    }
}
