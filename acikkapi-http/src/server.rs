//! Sunucu: the router with its limits, and serving it until a shutdown signal.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;

/// The whole application: health, Open311, a JSON 404 for anything else; every request bounded
/// in time ([`Config::request_timeout`](crate::Config::request_timeout), 408 past it) and in
/// number ([`Config::concurrency`](crate::Config::concurrency)).
pub fn router(state: AppState) -> Router {
    let concurrency = state.config.concurrency.max(1);
    Router::new()
        .merge(crate::health::routes())
        .nest(crate::open311::PREFIX, crate::open311::routes())
        .fallback(|| async { ApiError::not_found("böyle bir kaynak yok") })
        .layer(middleware::from_fn_with_state(state.clone(), deadline))
        // Global: one semaphore for every route (`Router::layer` wraps each route separately).
        .layer(GlobalConcurrencyLimitLayer::new(concurrency))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The request timeout as an Open311 error. A submission already handed to the service when the
/// time runs out still completes (its journal write is not cut); the client gets 408 and can look
/// it up with the token it sent… it has none, so: the timeout is long (10 s by default) compared
/// to a group commit (milliseconds).
async fn deadline(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit: Duration = state.config.request_timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!("istek {} saniyede tamamlanmadı", limit.as_secs_f64()),
        )
        .into_response(),
    }
}

/// Serves `state` on `listener` until `shutdown` completes; then stops accepting, lets the
/// requests in flight finish (each connection closes after its current request), and returns.
/// `/readyz` turns 503 as soon as `shutdown` fires.
///
/// The accept loop is hyper's own rather than `axum::serve`, for one setting axum does not
/// expose: a timer, so that [`Config::header_timeout`](crate::Config::header_timeout) closes a
/// connection whose headers never finish (slowloris) instead of holding it forever.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone());
    let header_timeout = state.config.header_timeout;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a little, go on.
                        tracing::warn!(error = %e, "bağlantı kabul edilemedi");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let service = hyper_util::service::TowerToHyperService::new(app.clone());
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(header_timeout);
                let conn = graceful.watch(
                    builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service),
                );
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "bağlantı kapandı");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    state.set_ready(false);
    tracing::info!("kapanıyor: yeni bağlantı alınmıyor, süren istekler bitiriliyor");
    graceful.shutdown().await;
    Ok(())
}

/// Completes on SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// What [`run`] can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The data directory.
    #[error(transparent)]
    DataDir(#[from] crate::data_dir::DataDirError),
    /// The database could not be opened.
    #[error("veritabanı: {0}")]
    Database(#[source] acikkapi_core::Error),
    /// The credentials file.
    #[error(transparent)]
    Credentials(#[from] crate::credentials::CredentialError),
    /// The address could not be bound, or serving failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

/// Log lines of the service, sent to the thread that owns the process's standard error.
#[derive(Clone)]
struct LogSink(std::sync::mpsc::Sender<Vec<u8>>);

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // A closed receiver (the run ended) drops the line: logging never fails a request.
        let _ = self.0.send(buf.to_vec());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `acikkapi serve`: opens (or initialises) `dir`, binds `listen`, calls `on_listening` with the
/// bound address, serves until SIGTERM/SIGINT, lets the requests in flight finish, and returns.
/// Every answered submission is already on disk (group commit with fsync), so nothing is left to
/// flush but the journals' files, which are closed when the service is dropped here.
///
/// With `database`, the applications and SMS messages are in PostgreSQL instead ([`crate::pg`]):
/// `dir` holds only the API keys, and a background refresh reads the other nodes' work in.
///
/// The service runs on its own threads; the calling thread writes the log lines (tracing, one
/// line per event, `RUST_LOG` filters, default `info`) to `log`, so a caller that holds its
/// standard error locked (the CLI does) never blocks a worker.
pub fn run(
    dir: &std::path::Path,
    listen: &str,
    config: crate::Config,
    database: Option<crate::pg::Database>,
    on_listening: impl FnOnce(std::net::SocketAddr),
    log: &mut dyn std::io::Write,
) -> Result<(), ServeError> {
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let sink = LogSink(tx);
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    // The first run of the process installs it; a later one (tests) keeps the first.
    let _ = tracing::subscriber::set_global_default(subscriber);
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let dir = dir.to_owned();
    let listen = listen.to_owned();
    let server = std::thread::Builder::new()
        .name("acikkapi-serve".into())
        .spawn(move || serve_blocking(&dir, &listen, config, database, addr_tx))
        .map_err(|source| ServeError::Io {
            what: "sunucu iş parçacığı başlatılamadı".into(),
            source,
        })?;
    let mut on_listening = Some(on_listening);
    while !server.is_finished() {
        if let Ok(addr) = addr_rx.try_recv()
            && let Some(f) = on_listening.take()
        {
            f(addr);
        }
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            let _ = log.write_all(&line);
            while let Ok(more) = rx.try_recv() {
                let _ = log.write_all(&more);
            }
            let _ = log.flush();
        }
    }
    while let Ok(line) = rx.try_recv() {
        let _ = log.write_all(&line);
    }
    let _ = log.flush();
    server.join().unwrap_or_else(|_| {
        Err(ServeError::Io {
            what: "sunucu".into(),
            source: std::io::Error::other("sunucu iş parçacığı çöktü"),
        })
    })
}

/// What the service runs on, and what must outlive it.
enum Backend {
    Files(crate::data_dir::Opened),
    Postgres(crate::pg::OpenedPg, crate::pg::Database),
}

fn serve_blocking(
    dir: &std::path::Path,
    listen: &str,
    config: crate::Config,
    database: Option<crate::pg::Database>,
    addr_tx: std::sync::mpsc::Sender<std::net::SocketAddr>,
) -> Result<(), ServeError> {
    let backend = match database {
        None => {
            let opened = crate::data_dir::open(dir)?;
            if opened.initialised {
                tracing::info!(dir = %dir.display(), "yeni veri klasörü hazırlandı");
            }
            Backend::Files(opened)
        }
        Some(db) => {
            crate::data_dir::prepare(dir)?;
            let opened = crate::pg::open(&db).map_err(ServeError::Database)?;
            tracing::info!(node = %db.node, "PostgreSQL üzerinde açıldı");
            Backend::Postgres(opened, db)
        }
    };
    let service = match &backend {
        Backend::Files(o) => Arc::clone(&o.service),
        Backend::Postgres(o, _) => Arc::clone(&o.service),
    };
    let keys = crate::credentials::CredentialStore::load(dir)?;
    if keys.is_empty() {
        tracing::warn!("API anahtarı yok: POST requests 403 döner (acikkapi key add)");
    }
    let state = AppState::new(Arc::clone(&service), keys, config);
    let io = |what: String| move |source| ServeError::Io { what, source };
    let refresher = match &backend {
        Backend::Files(_) => None,
        Backend::Postgres(_, db) => Some(
            crate::pg::Refresher::start(service, db.refresh_interval, state.store_ready_flag())
                .map_err(io("yenileme iş parçacığı başlatılamadı".into()))?,
        ),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(io("tokio çalışma ortamı kurulamadı".into()))?;
    runtime.block_on(async {
        let listener = TcpListener::bind(listen)
            .await
            .map_err(io(format!("{listen} dinlenemiyor")))?;
        let addr = listener
            .local_addr()
            .map_err(io("dinlenen adres okunamadı".into()))?;
        tracing::info!(%addr, "dinleniyor");
        let _ = addr_tx.send(addr);
        serve(listener, state, shutdown_signal())
            .await
            .map_err(io("sunucu".into()))
    })?;
    // Every connection has finished its request (graceful shutdown), so no service call is
    // waited for; the runtime's own tasks get a bounded time.
    runtime.shutdown_timeout(Duration::from_secs(30));
    if let Some(r) = refresher {
        r.stop();
    }
    drop(backend);
    tracing::info!("kapandı");
    Ok(())
}
