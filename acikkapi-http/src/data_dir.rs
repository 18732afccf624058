//! Veri klasörü: what `acikkapi serve --data-dir DIR` keeps in DIR, and the service opened on it.
//!
//! * `basvuru.journal`: the application journal (file journal, group commit with fsync: a
//!   submission is answered once it is on disk);
//! * `sms.journal`: the durable SMS outbox the engine's notifications go to;
//! * `credentials.json`: API keys (see [`credentials`](crate::credentials)).
//!
//! A directory that does not exist, or is empty, is initialised on first start; a directory that
//! holds other files but no journal is refused (a typo in `--data-dir` must not scatter journals
//! into someone's home directory).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use acikkapi_core::journal::{FileJournal, FileJournalOptions, FsyncPolicy, Journal};
use acikkapi_core::notify::RetryPolicy;
use acikkapi_core::service::Applications;
use acikkapi_core::workflow::application::ApplicationWorkflow;
use acikkapi_core::workflow::{DurableOutbox, EngineOptions};

/// The application journal's file name.
pub const JOURNAL_FILE: &str = "basvuru.journal";
/// The SMS outbox journal's file name.
pub const SMS_JOURNAL_FILE: &str = "sms.journal";

/// What opening a data directory can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    /// The directory cannot be created or read.
    #[error("veri klasörü {path}: {source}")]
    Io {
        /// The directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The directory holds other files and no journal.
    #[error(
        "veri klasörü {0} boş değil ve {JOURNAL_FILE} içermiyor; boş veya yeni bir klasör verin"
    )]
    Foreign(PathBuf),
    /// The journal or the service could not be opened.
    #[error(transparent)]
    Core(#[from] acikkapi_core::Error),
}

/// The service opened on a data directory.
pub struct Opened {
    /// The application service.
    pub service: Arc<Applications>,
    /// The SMS outbox (the engine's notification sink).
    pub outbox: Arc<Mutex<DurableOutbox>>,
    /// Whether the directory was initialised by this call.
    pub initialised: bool,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("initialised", &self.initialised)
            .finish_non_exhaustive()
    }
}

/// Makes `dir` usable as a data directory: creates it if missing; refuses a non-empty one without
/// a journal. Returns whether it was new.
pub fn prepare(dir: &Path) -> Result<bool, DataDirError> {
    let io = |source| DataDirError::Io {
        path: dir.to_owned(),
        source,
    };
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(io)?;
        return Ok(true);
    }
    if dir.join(JOURNAL_FILE).exists() {
        return Ok(false);
    }
    let mut entries = std::fs::read_dir(dir).map_err(io)?;
    // Only our own files (credentials made before the first start) may be there.
    let foreign = entries.try_fold(false, |found, e| {
        let e = e?;
        Ok::<_, std::io::Error>(found || e.file_name() != crate::credentials::CREDENTIALS_FILE)
    });
    if foreign.map_err(io)? {
        return Err(DataDirError::Foreign(dir.to_owned()));
    }
    Ok(true)
}

/// Opens (initialising if new) the service on `dir`: the bundled organisations and the native
/// routers of every province, the file journal with group commit and fsync.
pub fn open(dir: &Path) -> Result<Opened, DataDirError> {
    let initialised = prepare(dir)?;
    let options = FileJournalOptions {
        fsync: FsyncPolicy::Group,
        ..FileJournalOptions::default()
    };
    let journal: Arc<dyn Journal> = Arc::new(FileJournal::open(dir.join(JOURNAL_FILE), options)?);
    let sms: Arc<dyn Journal> = Arc::new(FileJournal::open(dir.join(SMS_JOURNAL_FILE), options)?);
    let outbox = Arc::new(Mutex::new(DurableOutbox::open(
        sms,
        RetryPolicy::default(),
    )?));
    let service = Applications::open(
        ApplicationWorkflow::default(),
        journal,
        Arc::clone(&outbox),
        EngineOptions::default(),
    )?;
    Ok(Opened {
        service: Arc::new(service),
        outbox,
        initialised,
    })
}
