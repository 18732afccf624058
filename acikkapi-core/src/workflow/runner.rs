//! Stand-alone use: a thread that ticks an engine (behind a mutex, or a [`SharedEngine`]) at an
//! interval until shut down.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Engine, Fired, SharedEngine, WorkflowDefinition};
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

/// A thread calling [`Engine::tick`] (or [`SharedEngine::tick`]) every `interval` with the clock's time. Stop it with
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
    /// Starts the thread on an engine behind a mutex; the first tick runs immediately.
    pub fn spawn<W: WorkflowDefinition>(
        engine: Arc<Mutex<Engine<W>>>,
        clock: Arc<dyn Clock>,
        interval: Duration,
    ) -> Result<Runner> {
        Self::spawn_with(
            move |now| {
                let mut guard = engine.lock().unwrap_or_else(|p| p.into_inner());
                guard.tick(now)
            },
            clock,
            interval,
        )
    }

    /// Starts the thread on a [`SharedEngine`]: its ticks go through the same group-commit path
    /// as the commands other threads run meanwhile. The first tick runs immediately.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use acikkapi_core::workflow::{Engine, EngineOptions, Runner, SharedEngine, SystemClock};
    /// use acikkapi_core::workflow::application::ApplicationWorkflow;
    /// use acikkapi_core::workflow::ports::NullSink;
    /// use acikkapi_core::journal::MemoryJournal;
    ///
    /// let engine = Engine::open(ApplicationWorkflow::default(), Arc::new(MemoryJournal::new()),
    ///                           NullSink, EngineOptions::default()).unwrap();
    /// let shared = SharedEngine::new(engine);
    /// let runner = Runner::spawn_shared(shared.clone(), Arc::new(SystemClock),
    ///                                   Duration::from_millis(10)).unwrap();
    /// // … other threads call shared.execute(…) meanwhile …
    /// let stats = runner.shutdown().unwrap();
    /// assert!(stats.ticks >= 1 && stats.errors == 0);
    /// ```
    pub fn spawn_shared<W: WorkflowDefinition>(
        engine: SharedEngine<W>,
        clock: Arc<dyn Clock>,
        interval: Duration,
    ) -> Result<Runner> {
        Self::spawn_with(move |now| engine.tick(now), clock, interval)
    }

    fn spawn_with(
        mut tick: impl FnMut(DateTime<Utc>) -> Result<Vec<Fired>> + Send + 'static,
        clock: Arc<dyn Clock>,
        interval: Duration,
    ) -> Result<Runner> {
        let (tx, rx) = mpsc::channel::<()>();
        let handle = std::thread::Builder::new()
            .name("acikkapi-workflow-runner".to_owned())
            .spawn(move || {
                let mut stats = RunnerStats::default();
                loop {
                    let result = tick(clock.now());
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
