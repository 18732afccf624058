//! Stand-alone use: a thread that ticks an engine at an interval until shut down.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Engine, WorkflowDefinition};
use crate::{Error, Result};

/// Saat: where "now" comes from.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A thread calling [`Engine::tick`] every `interval` with the clock's time. Stop it with
/// [`Runner::shutdown`] (also done on drop); the thread wakes at once, finishes the tick in
/// progress and exits.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
/// use acikkapi_core::workflow::{Engine, EngineOptions, Runner, SystemClock};
/// use acikkapi_core::workflow::application::ApplicationWorkflow;
/// use acikkapi_core::workflow::ports::NullSink;
/// use acikkapi_core::journal::MemoryJournal;
///
/// let engine = Engine::open(ApplicationWorkflow::default(), Arc::new(MemoryJournal::new()),
///                           NullSink, EngineOptions::default()).unwrap();
/// let engine = Arc::new(Mutex::new(engine));
/// let runner = Runner::spawn(engine.clone(), Arc::new(SystemClock), Duration::from_millis(10)).unwrap();
/// let stats = runner.shutdown().unwrap();
/// assert!(stats.ticks >= 1);
/// ```
#[derive(Debug)]
pub struct Runner {
    stop: Option<mpsc::Sender<()>>,
    handle: Option<JoinHandle<RunnerStats>>,
}

/// What a runner did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunnerStats {
    /// Ticks run.
    pub ticks: u64,
    /// Timers fired.
    pub fired: u64,
    /// Ticks that returned an error (the runner keeps going).
    pub errors: u64,
    /// The last error, if any.
    pub last_error: Option<String>,
}

impl Runner {
    /// Starts the thread; the first tick runs immediately.
    pub fn spawn<W: WorkflowDefinition>(
        engine: Arc<Mutex<Engine<W>>>,
        clock: Arc<dyn Clock>,
        interval: Duration,
    ) -> Result<Runner> {
        let (tx, rx) = mpsc::channel::<()>();
        let handle = std::thread::Builder::new()
            .name("acikkapi-workflow-runner".to_owned())
            .spawn(move || {
                let mut stats = RunnerStats::default();
                loop {
                    let result = {
                        let mut guard = engine.lock().unwrap_or_else(|p| p.into_inner());
                        guard.tick(clock.now())
                    };
                    stats.ticks += 1;
                    match result {
                        Ok(fired) => stats.fired += fired.len() as u64,
                        Err(e) => {
                            stats.errors += 1;
                            stats.last_error = Some(e.to_string());
                        }
                    }
                    match rx.recv_timeout(interval) {
                        Err(RecvTimeoutError::Timeout) => continue,
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                stats
            })
            .map_err(|e| Error::WorkflowStorage {
                message: format!("cannot start runner thread: {e}"),
            })?;
        Ok(Runner {
            stop: Some(tx),
            handle: Some(handle),
        })
    }

    /// Stops the thread and waits for it; returns what it did.
    pub fn shutdown(mut self) -> Result<RunnerStats> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<RunnerStats> {
        drop(self.stop.take());
        match self.handle.take() {
            Some(h) => h.join().map_err(|_| Error::WorkflowStorage {
                message: "runner thread panicked".to_owned(),
            }),
            None => Ok(RunnerStats::default()),
        }
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}
