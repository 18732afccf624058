//! The workflow engine for Python: submit, route, answer, tick, track, statistics.

use std::sync::Arc;

use acikkapi_core::application::ApplicationInput;
use acikkapi_core::geo::Geography;
use acikkapi_core::ids::TrackingNumber;
use acikkapi_core::journal::{FileJournal, FileJournalOptions, Journal, MemoryJournal};
use acikkapi_core::service::{ApplicationRouter, Applications, Query};
use acikkapi_core::workflow::application::{ApplicationWorkflow, Outcome};
use acikkapi_core::workflow::ports::MemorySink;
use acikkapi_core::workflow::{Actor, EngineOptions};
use acikkapi_rules::ScriptedRouter;
use chrono::{DateTime, Utc};
use pyo3::prelude::*;

use crate::errors::{core_err, py_error};

/// Açık Kapı iş akışı: the application service on a journal (a file, or memory). Every call acts
/// as an actor: the one given to the call, else the engine's (`actor=` at construction). Without
/// either, bureau operations (submit, route, close) act as the Açık Kapı bureau of the
/// application's province, reads of statistics as an analyst and `tick` as the system; answering,
/// returning and approving always need an actor (the binding never acts as an officer on its own).
#[pyclass(name = "Engine", module = "acikkapi._acikkapi", frozen)]
pub struct PyEngine {
    service: Applications,
    sink: MemorySink,
    actor: Option<Actor>,
}

fn wf_err(py: Python<'_>, e: acikkapi_core::Error) -> PyErr {
    if e.is_journal() {
        core_err(py, e)
    } else {
        py_error(py, "WorkflowError", (e.to_string(),))
    }
}

/// The status after a command, or the Python error.
fn done(
    py: Python<'_>,
    r: acikkapi_core::Result<acikkapi_core::workflow::CommandOutcome>,
) -> PyResult<String> {
    r.map(|o| o.status).map_err(|e| wf_err(py, e))
}

fn json<T: serde::Serialize>(py: Python<'_>, v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| py_error(py, "AcikKapiError", (e.to_string(),)))
}

fn parse_actor(py: Python<'_>, text: &str) -> PyResult<Actor> {
    serde_json::from_str(text).map_err(|e| {
        py_error(
            py,
            "ValidationError",
            (format!("kullanıcı okunamadı: {e}"),),
        )
    })
}

impl PyEngine {
    /// The actor of a call: the call's, else the engine's, else `default` (if any).
    fn who(
        &self,
        py: Python<'_>,
        actor: Option<&str>,
        default: impl FnOnce() -> Option<acikkapi_core::Result<Actor>>,
    ) -> PyResult<Actor> {
        if let Some(text) = actor {
            return parse_actor(py, text);
        }
        if let Some(a) = &self.actor {
            return Ok(a.clone());
        }
        match default() {
            Some(r) => r.map_err(|e| core_err(py, e)),
            None => Err(py_error(
                py,
                "WorkflowError",
                ("bu işlem için kullanıcı (actor) verilmeli".to_owned(),),
            )),
        }
    }

    fn analyst(&self, py: Python<'_>) -> PyResult<Actor> {
        self.who(py, None, || Some(Ok(Actor::analyst("python"))))
    }

    fn records(&self, py: Python<'_>) -> PyResult<Vec<acikkapi_core::stats::ApplicationRecord>> {
        let analyst = self.analyst(py)?;
        self.service
            .stats_records(&analyst, Utc::now())
            .map_err(|e| wf_err(py, e))
    }

    /// The bureau of a tracking number's province.
    fn bureau_of(py: Python<'_>, tracking: &str) -> PyResult<Actor> {
        let t = TrackingNumber::parse(tracking).map_err(|e| core_err(py, e.into()))?;
        Actor::bureau_of(t.plate()).map_err(|e| core_err(py, e))
    }
}

#[pymethods]
impl PyEngine {
    /// `journal`: a file path (created if missing, replayed if present) or `None` for memory.
    /// `actor`: who acts by default (JSON of an actor, see `acikkapi.Actor`).
    #[new]
    #[pyo3(signature = (journal = None, actor = None))]
    fn new(
        py: Python<'_>,
        journal: Option<std::path::PathBuf>,
        actor: Option<&str>,
    ) -> PyResult<Self> {
        let actor = actor.map(|a| parse_actor(py, a)).transpose()?;
        let log: Arc<dyn Journal> = match journal {
            Some(path) => Arc::new(
                FileJournal::open(&path, FileJournalOptions::default())
                    .map_err(|e| core_err(py, e))?,
            ),
            None => Arc::new(MemoryJournal::new()),
        };
        let sink = MemorySink::new();
        let service = Applications::open(
            ApplicationWorkflow::default(),
            log,
            sink.clone(),
            EngineOptions::default(),
        )
        .map_err(|e| wf_err(py, e))?
        .with_routers(Box::new(|plate| {
            let r = ScriptedRouter::for_province(plate).map_err(|e| {
                acikkapi_core::Error::GuardFailed {
                    rule: format!("yönlendirme kuralları yüklenemedi: {e}"),
                }
            })?;
            let r: Arc<dyn ApplicationRouter + Send + Sync> = Arc::new(r);
            Ok(r)
        }));
        Ok(Self {
            service,
            sink,
            actor,
        })
    }

    /// Receives and registers an application input (JSON) at `now`; returns
    /// `(tracking_number, status)` — status `registered` or `not_processed` (see `track`). The
    /// tracking number is allocated by the service in the receiving bureau's province.
    #[pyo3(signature = (input, now, actor = None))]
    fn submit_json(
        &self,
        py: Python<'_>,
        input: &str,
        now: DateTime<Utc>,
        actor: Option<&str>,
    ) -> PyResult<(String, String)> {
        let input: ApplicationInput = serde_json::from_str(input).map_err(|e| {
            py_error(
                py,
                "ValidationError",
                (format!("Başvuru verisi okunamadı: {e}"),),
            )
        })?;
        let province = input.province.as_ref().map(ToString::to_string);
        let actor = self.who(py, actor, || {
            // The bureau of the province the form names; no province, no default bureau.
            Some(
                province
                    .as_deref()
                    .and_then(|p| Geography::embedded().find_province(p))
                    .ok_or_else(|| {
                        acikkapi_core::Error::UnknownProvince(province.clone().unwrap_or_default())
                    })
                    .and_then(|p| Actor::bureau_of(p.plate)),
            )
        })?;
        let done = self
            .service
            .submit(&actor, input, now, None)
            .map_err(|e| wf_err(py, e))?;
        Ok((done.tracking.to_string(), done.status))
    }

    /// Routes a registered application with its province's router (bundled Rhai rules, then the
    /// native router); returns the new status (`routed`, `awaiting_approval`, `redirected`).
    /// `importance` (0–5) is the bureau's grading of a special application: from 4 it goes to the
    /// vali with the shortest deadline.
    #[pyo3(signature = (tracking, now, importance = 0, actor = None))]
    fn route(
        &self,
        py: Python<'_>,
        tracking: &str,
        now: DateTime<Utc>,
        importance: u8,
        actor: Option<&str>,
    ) -> PyResult<String> {
        let actor = self.who(py, actor, || Some(Ok(Self::bureau_of(py, tracking).ok()?)))?;
        done(
            py,
            self.service.route(&actor, tracking, importance, now, None),
        )
    }

    /// Approves a special application awaiting the vali, vali yardımcısı or kaymakam (`actor`).
    #[pyo3(signature = (tracking, now, actor = None))]
    fn approve(
        &self,
        py: Python<'_>,
        tracking: &str,
        now: DateTime<Utc>,
        actor: Option<&str>,
    ) -> PyResult<String> {
        let actor = self.who(py, actor, || None)?;
        done(py, self.service.approve(&actor, tracking, now, None))
    }

    /// Sends a special application's proposed routing back to the bureau (`actor`: the vali, a
    /// vali yardımcısı or the kaymakam on its chain); returns `registered`.
    #[pyo3(signature = (tracking, reason, now, actor = None))]
    fn send_back(
        &self,
        py: Python<'_>,
        tracking: &str,
        reason: &str,
        now: DateTime<Utc>,
        actor: Option<&str>,
    ) -> PyResult<String> {
        let actor = self.who(py, actor, || None)?;
        done(
            py,
            self.service.send_back(&actor, tracking, reason, now, None),
        )
    }

    /// Answers as `actor` (the assigned officer, or the substitute while they are away): outcome
    /// `olumlu`, `olumsuz` or `kismen_olumlu`.
    #[pyo3(signature = (tracking, outcome, text, now, actor = None))]
    fn answer(
        &self,
        py: Python<'_>,
        tracking: &str,
        outcome: &str,
        text: &str,
        now: DateTime<Utc>,
        actor: Option<&str>,
    ) -> PyResult<String> {
        let outcome = Outcome::parse(outcome).ok_or_else(|| {
            py_error(
                py,
                "WorkflowError",
                (format!(
                    "sonuç olumlu, olumsuz veya kısmen olumlu olmalı: {outcome:?}"
                ),),
            )
        })?;
        let actor = self.who(py, actor, || None)?;
        done(
            py,
            self.service
                .answer(&actor, tracking, outcome, text, now, None),
        )
    }

    /// Returns an application as not ours (`actor`: the assigned officer).
    #[pyo3(signature = (tracking, reason, now, actor = None))]
    fn return_not_ours(
        &self,
        py: Python<'_>,
        tracking: &str,
        reason: &str,
        now: DateTime<Utc>,
        actor: Option<&str>,
    ) -> PyResult<String> {
        let actor = self.who(py, actor, || None)?;
        done(
            py,
            self.service
                .return_not_ours(&actor, tracking, reason, now, None),
        )
    }

    /// Closes an answered application (citizen informed).
    #[pyo3(signature = (tracking, now, actor = None))]
    fn close(
        &self,
        py: Python<'_>,
        tracking: &str,
        now: DateTime<Utc>,
        actor: Option<&str>,
    ) -> PyResult<String> {
        let actor = match actor {
            Some(_) => self.who(py, actor, || None)?,
            None => match &self.actor {
                Some(a) => a.clone(),
                None => Self::bureau_of(py, tracking)?,
            },
        };
        done(py, self.service.close(&actor, tracking, now, None))
    }

    /// Fires the timers due at `now` (idempotent); returns `(tracking, timer, due)` triples.
    fn tick(
        &self,
        py: Python<'_>,
        now: DateTime<Utc>,
    ) -> PyResult<Vec<(String, String, DateTime<Utc>)>> {
        let fired = self
            .service
            .tick(&Actor::system(), now)
            .map_err(|e| wf_err(py, e))?;
        Ok(fired
            .into_iter()
            .map(|f| (f.instance.to_string(), f.key, f.due))
            .collect())
    }

    /// The citizen's view of an application (masked public history) as JSON. `actor`: the
    /// citizen with their proof, or the bureau of the province (the default).
    #[pyo3(signature = (tracking, actor = None))]
    fn track_json(&self, py: Python<'_>, tracking: &str, actor: Option<&str>) -> PyResult<String> {
        let actor = match actor {
            Some(text) => parse_actor(py, text)?,
            None => match &self.actor {
                Some(a) => a.clone(),
                None => Self::bureau_of(py, tracking)?,
            },
        };
        json(
            py,
            &self
                .service
                .track(&actor, tracking, Utc::now())
                .map_err(|e| wf_err(py, e))?,
        )
    }

    /// The staff view of one application as JSON (state and version), for `actor`.
    #[pyo3(signature = (tracking, actor = None))]
    fn view_json(&self, py: Python<'_>, tracking: &str, actor: Option<&str>) -> PyResult<String> {
        let actor = self.who(py, actor, || Some(Ok(Self::bureau_of(py, tracking).ok()?)))?;
        json(
            py,
            &self
                .service
                .view(&actor, tracking, Utc::now())
                .map_err(|e| wf_err(py, e))?,
        )
    }

    /// The open applications `actor` may see, earliest deadline first, as JSON (a page).
    #[pyo3(signature = (actor = None, query = None))]
    fn inbox_json(
        &self,
        py: Python<'_>,
        actor: Option<&str>,
        query: Option<&str>,
    ) -> PyResult<String> {
        let actor = self.who(py, actor, || None)?;
        let query: Query = match query {
            Some(q) => serde_json::from_str(q)
                .map_err(|e| py_error(py, "ValidationError", (e.to_string(),)))?,
            None => Query::default(),
        };
        json(py, &self.service.inbox(&actor, &query, Utc::now()))
    }

    /// De-identified records for analysts as JSON.
    fn analyst_records_json(&self, py: Python<'_>) -> PyResult<String> {
        let analyst = self.analyst(py)?;
        json(
            py,
            &self
                .service
                .analyst_records(&analyst, Utc::now())
                .map_err(|e| wf_err(py, e))?,
        )
    }

    /// The statistics block as JSON.
    fn statistics_json(&self, py: Python<'_>) -> PyResult<String> {
        let analyst = self.analyst(py)?;
        json(
            py,
            &self
                .service
                .statistics(&analyst, Utc::now())
                .map_err(|e| wf_err(py, e))?,
        )
    }

    /// The analysts' report over every application as JSON (statistics block, SLA, breakdowns,
    /// unit scorecards, per-100k rates, backlog and overdue lists).
    fn report_json(&self, py: Python<'_>) -> PyResult<String> {
        let records = self.records(py)?;
        json(
            py,
            &acikkapi_core::stats::report(
                &records,
                &acikkapi_core::stats::ReportOptions::default(),
            ),
        )
    }

    /// One `ApplicationRecord` per application (the flat, de-identified record reports are made
    /// from) as JSON.
    fn stats_records_json(&self, py: Python<'_>) -> PyResult<String> {
        let records = self.records(py)?;
        json(py, &records)
    }

    /// The report rendered as `table`, `csv`, `json` or `html` (by one breakdown dimension).
    #[pyo3(signature = (format = "html", by = None))]
    fn render_report(&self, py: Python<'_>, format: &str, by: Option<&str>) -> PyResult<String> {
        use acikkapi_core::stats::render::{Format, render};
        let fmt = match format {
            "table" => Format::Table,
            "csv" => Format::Csv,
            "json" => Format::Json,
            "html" => Format::Html,
            other => {
                return Err(py_error(
                    py,
                    "AcikKapiError",
                    (format!("unknown format {other:?}: table, csv, json, html"),),
                ));
            }
        };
        let by = match by {
            Some(b) => Some(
                b.parse::<acikkapi_core::stats::Dimension>()
                    .map_err(|e| core_err(py, e))?,
            ),
            None => None,
        };
        let records = self.records(py)?;
        let report =
            acikkapi_core::stats::report(&records, &acikkapi_core::stats::ReportOptions::default());
        Ok(render(&report, by, fmt))
    }

    /// Count of applications per status.
    fn counts(&self) -> std::collections::BTreeMap<String, usize> {
        self.service.with_engine(|e| {
            e.counts()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect()
        })
    }

    /// SMS queued so far, as JSON, the recipient masked (`+90 5** *** ** 01`): the full number
    /// never leaves Rust (it is given only to a notifier's `send`, on the delivery path).
    fn notifications_json(&self, py: Python<'_>) -> PyResult<String> {
        // Default serde of `PhoneNumber` is the masked form; never wrap this in `Full`.
        json(py, &self.sink.notifications())
    }

    /// Number of applications.
    fn __len__(&self) -> usize {
        self.service.with_engine(|e| e.len())
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEngine>()
}
