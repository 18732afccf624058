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
    let stdout = &mut *io.stdout;
    let mut printed = Ok(());
    acikkapi_http::server::run(
        &args.data_dir,
        &args.listen,
        config,
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
