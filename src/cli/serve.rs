//! `acikkapi serve` and `acikkapi key add`: thin translations to `acikkapi-http`.

use std::path::PathBuf;
use std::time::Duration;

use acikkapi_core::application::Channel;
use acikkapi_http::credentials::CredentialStore;
use clap::{Args, Subcommand};

use super::{CliError, CliResult, Io};

/// `acikkapi serve`: the HTTP service (Open311 GeoReport v2, /healthz, /readyz) on a data
/// directory; stops on SIGTERM or SIGINT after the requests in flight.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The data directory (file journal, SMS outbox, API keys); initialised on first start.
    #[arg(long)]
    pub data_dir: PathBuf,
    /// A PostgreSQL database (`postgres://user@host/db`) for the applications and SMS messages,
    /// shared by every node started on it; the data directory then holds only the API keys.
    /// Pending migrations are applied on start.
    #[arg(long)]
    pub database: Option<String>,
    /// With `--database`: how often the other nodes' applications are read in, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub refresh_interval_ms: u64,
    /// With `--database`: this node's name in the SMS outbox's claims (default `node-<pid>`).
    #[arg(long)]
    pub node: Option<String>,
    /// The address to listen on (`127.0.0.1:8080`; port 0 picks a free one, printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// The largest request body, in bytes.
    #[arg(long, default_value_t = acikkapi_http::Config::default().body_limit)]
    pub body_limit: usize,
    /// How long one request may take, in seconds.
    #[arg(long, default_value_t = 10)]
    pub request_timeout: u64,
    /// How long a client may take to send a request's headers, in seconds (slowloris).
    #[arg(long, default_value_t = 10)]
    pub header_timeout: u64,
}

/// `acikkapi key …`
#[derive(Debug, Subcommand)]
pub enum KeyCmd {
    /// Makes an API key for a channel, prints it once and stores only its hash in the data
    /// directory.
    Add {
        /// The data directory of `acikkapi serve`.
        #[arg(long)]
        data_dir: PathBuf,
        /// The channel the key submits as (`web`, `mobil`, `e_devlet`, `kiosk`, `cagri_merkezi`).
        #[arg(long)]
        channel: String,
        /// A note for the operator (who holds the key).
        #[arg(long, default_value = "")]
        label: String,
    },
}

/// Runs `acikkapi serve`.
pub fn run_serve(args: ServeArgs, io: &mut Io<'_>) -> CliResult {
    if args.request_timeout == 0 || args.header_timeout == 0 || args.body_limit == 0 {
        return Err(CliError::Usage(
            "--request-timeout, --header-timeout ve --body-limit sıfırdan büyük olmalı".into(),
        ));
    }
    let config = acikkapi_http::Config {
        body_limit: args.body_limit,
        request_timeout: Duration::from_secs(args.request_timeout),
        header_timeout: Duration::from_secs(args.header_timeout),
        ..acikkapi_http::Config::default()
    };
    let database = match &args.database {
        None => None,
        Some(url) => Some(database(url, &args)?),
    };
    let stdout = &mut *io.stdout;
    let mut printed = Ok(());
    acikkapi_http::server::run(
        &args.data_dir,
        &args.listen,
        config,
        database,
        |addr| {
            printed = writeln!(stdout, "dinleniyor: http://{addr}").and_then(|()| stdout.flush());
        },
        &mut *io.stderr,
    )
    .map_err(|e| CliError::Usage(e.to_string()))?;
    printed?;
    writeln!(io.stdout, "kapandı")?;
    Ok(0)
}

/// The longest `--refresh-interval-ms` (one hour): past it listings would be stale for hours.
const MAX_REFRESH_MS: u64 = 3_600_000;

/// `--database URL` with its options, checked.
fn database(url: &str, args: &ServeArgs) -> Result<acikkapi_http::pg::Database, CliError> {
    if !super::store::is_pg_url(url) {
        return Err(CliError::Usage(
            "--database bir postgres:// veya postgresql:// adresi olmalı".into(),
        ));
    }
    let location = super::store::PgLocation::parse(url)?;
    if location.stream.is_some() {
        return Err(CliError::Usage(
            "--database bir akış (stream=) almaz: hizmet her ilin akışını kullanır".into(),
        ));
    }
    if args.refresh_interval_ms == 0 || args.refresh_interval_ms > MAX_REFRESH_MS {
        return Err(CliError::Usage(format!(
            "--refresh-interval-ms 1 ile {MAX_REFRESH_MS} arasında olmalı"
        )));
    }
    let node = args
        .node
        .clone()
        .unwrap_or_else(|| format!("node-{}", std::process::id()));
    Ok(acikkapi_http::pg::Database {
        url: location.driver_url().to_owned(),
        refresh_interval: Duration::from_millis(args.refresh_interval_ms),
        node,
    })
}

/// Runs `acikkapi key …`.
pub fn run_key(cmd: KeyCmd, io: &mut Io<'_>) -> CliResult {
    match cmd {
        KeyCmd::Add {
            data_dir,
            channel,
            label,
        } => {
            let channel = Channel::parse(&channel).ok_or_else(|| {
                CliError::Usage(format!(
                    "bilinmeyen kanal {channel:?}; şunlardan biri: {}",
                    Channel::ALL
                        .iter()
                        .map(|c| c.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            acikkapi_http::data_dir::prepare(&data_dir)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let issued = CredentialStore::add_key(&data_dir, channel, &label, chrono::Utc::now())
                .map_err(|e| CliError::Usage(e.to_string()))?;
            writeln!(io.stdout, "{}", issued.key)?;
            writeln!(
                io.stderr,
                "anahtar {} ({}) eklendi; yalnızca şimdi gösterilir, saklanan yalnızca özeti. \
                 Çalışan bir `acikkapi serve` yeni anahtarı yeniden başlatılınca görür.",
                issued.stored.id,
                channel.code()
            )?;
            Ok(0)
        }
    }
}
