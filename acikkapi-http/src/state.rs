//! Durum: the one state every handler shares.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use acikkapi_core::service::Applications;

use crate::credentials::CredentialStore;

/// Limits and settings of the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The largest request body read, in bytes (larger: 413).
    pub body_limit: usize,
    /// How long a request may take, body included (longer: 408).
    pub request_timeout: Duration,
    /// How long a client may take to send a request's headers (slowloris: longer, and the
    /// connection is closed). Also how long an idle keep-alive connection waits for the next
    /// request's headers.
    pub header_timeout: Duration,
    /// How many requests are handled at once; more wait (bounds memory and blocking threads).
    pub concurrency: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            // A 4,000-character description percent-encoded as Turkish text is ~24 KiB.
            body_limit: 64 * 1024,
            request_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            concurrency: 256,
        }
    }
}

/// What every handler gets (cheap to clone: all shared).
#[derive(Clone)]
pub struct AppState {
    /// The application service.
    pub service: Arc<Applications>,
    /// The API keys.
    pub keys: Arc<CredentialStore>,
    /// Limits.
    pub config: Arc<Config>,
    ready: Arc<AtomicBool>,
    store_ready: Arc<AtomicBool>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("keys", &self.keys.len())
            .field("config", &self.config)
            .field("ready", &self.is_ready())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// A state over `service` with `keys`; ready at once.
    pub fn new(service: Arc<Applications>, keys: CredentialStore, config: Config) -> Self {
        AppState {
            service,
            keys: Arc::new(keys),
            config: Arc::new(config),
            ready: Arc::new(AtomicBool::new(true)),
            store_ready: Arc::new(AtomicBool::new(true)),
        }
    }

    /// Whether `/readyz` says ready (false once shutdown began).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Whether the store answers (true for a file journal; for PostgreSQL, whether the last
    /// background refresh succeeded). `/readyz` is 503 while it is false.
    pub fn store_ready(&self) -> bool {
        self.store_ready.load(Ordering::SeqCst)
    }

    /// The flag behind [`store_ready`](Self::store_ready), for whoever watches the store (the
    /// PostgreSQL [`Refresher`](crate::pg::Refresher)).
    pub fn store_ready_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.store_ready)
    }

    /// Marks the service as not ready (shutting down): load balancers stop sending to it while
    /// in-flight requests finish.
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }
}
