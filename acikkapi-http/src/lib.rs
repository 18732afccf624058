//! Açık Kapı HTTP service: the service layer of `acikkapi-core` over HTTP, for the systems that
//! embed Açık Kapı without Rust (e-İçişleri, the web site, the mobile app, municipal systems).
//!
//! **For**: serving [`Applications`](acikkapi_core::service::Applications) over HTTP — today
//! Open311 GeoReport v2 under `/open311/v2/` (JSON and XML; see [`open311`]), `GET /healthz` and
//! `GET /readyz`; API keys for channels ([`credentials`]); a data directory with the file
//! journal ([`data_dir`]), or PostgreSQL for several nodes ([`pg`]); graceful shutdown
//! ([`server`]). The `acikkapi serve` and
//! `acikkapi key add` commands are thin wrappers around this crate.
//!
//! **Not for**: deciding anything. Every decision — numbering, validation, routing, deadlines,
//! who may do what — is the core's; a handler translates a request into one service call and the
//! result (or the [`ApiError`]) into a response. Not (yet) here: the `/api/v1` JSON API with its
//! OpenAPI document, user accounts and roles, metrics, rate limits, web pages.
//!
//! # Layout
//! One module per area, one [`AppState`] shared by all handlers, one error type ([`ApiError`])
//! that maps core errors to HTTP and writes them as Open311 error arrays. The core is synchronous
//! (a submission waits for its group commit's fsync), so handlers call it on tokio's blocking
//! pool.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let opened = acikkapi_http::data_dir::open(std::path::Path::new("/var/lib/acikkapi"))?;
//! let keys = acikkapi_http::credentials::CredentialStore::load(std::path::Path::new("/var/lib/acikkapi"))?;
//! let state = acikkapi_http::AppState::new(opened.service, keys, acikkapi_http::Config::default());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! acikkapi_http::server::serve(listener, state, acikkapi_http::server::shutdown_signal()).await?;
//! # Ok(()) }
//! ```

pub mod credentials;
pub mod data_dir;
pub mod error;
pub mod form;
pub mod format;
pub mod health;
pub mod open311;
pub mod pg;
pub mod server;
pub mod state;

pub use error::ApiError;
pub use state::{AppState, Config};
