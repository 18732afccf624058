//! The workflow engine for Python: submit, route, answer, tick, track, statistics.

use std::sync::{Arc, Mutex};

use acikkapi_core::application::ApplicationInput;
use acikkapi_core::geo::Geography;
use acikkapi_core::ids::TrackingNumber;
use acikkapi_core::journal::{FileJournal, FileJournalOptions, Journal, MemoryJournal};
use acikkapi_core::routing::Target;
use acikkapi_core::workflow::application::{
    ApplicationCommand, ApplicationWorkflow, Assignment, Outcome,
};
use acikkapi_core::workflow::ports::MemorySink;
use acikkapi_core::workflow::{Actor, CommandId, Engine, EngineOptions, InstanceId, Role};
use acikkapi_rules::ScriptedRouter;
use chrono::{DateTime, Datelike, Utc};
use pyo3::prelude::*;

use crate::errors::{core_err, py_error};

struct State {
    engine: Engine<ApplicationWorkflow>,
    sink: MemorySink,
    routers: std::collections::HashMap<u8, Arc<ScriptedRouter>>,
    next_seq: u32,
    commands: u64,
}

/// Açık Kapı iş akışı: the application workflow engine on a journal (a file, or memory).
#[pyclass(name = "Engine", module = "acikkapi._acikkapi", frozen)]
pub struct PyEngine {
    state: Mutex<State>,
}

fn wf_err(py: Python<'_>, e: acikkapi_core::Error) -> PyErr {
    if e.is_journal() {
        core_err(py, e)
    } else {
        py_error(py, "WorkflowError", (e.to_string(),))
    }
}

fn json<T: serde::Serialize>(py: Python<'_>, v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| py_error(py, "AcikKapiError", (e.to_string(),)))
}

impl State {
    fn run(
        &mut self,
        id: &InstanceId,
        step: &str,
        actor: &Actor,
        now: DateTime<Utc>,
        cmd: ApplicationCommand,
    ) -> acikkapi_core::Result<String> {
        let version = self.engine.instance(id).map_or(0, |i| i.version);
        self.commands += 1;
        let cid = CommandId::new(format!("{id}:{version}:{step}"));
        Ok(self
            .engine
            .execute(id, cid, Some(version), actor, now, cmd)?
            .status)
    }

    fn router(&mut self, plate: u8) -> Result<Arc<ScriptedRouter>, acikkapi_rules::Error> {
        if let Some(r) = self.routers.get(&plate) {
            return Ok(Arc::clone(r));
        }
        let r = Arc::new(ScriptedRouter::for_province(plate)?);
        self.routers.insert(plate, Arc::clone(&r));
        Ok(r)
    }
}

#[pymethods]
impl PyEngine {
    /// `journal`: a file path (created if missing, replayed if present) or `None` for memory.
    #[new]
    #[pyo3(signature = (journal = None))]
    fn new(py: Python<'_>, journal: Option<std::path::PathBuf>) -> PyResult<Self> {
        let log: Arc<dyn Journal> = match journal {
            Some(path) => Arc::new(
                FileJournal::open(&path, FileJournalOptions::default())
                    .map_err(|e| core_err(py, e))?,
            ),
            None => Arc::new(MemoryJournal::new()),
        };
        let sink = MemorySink::new();
        let engine = Engine::open(
            ApplicationWorkflow::default(),
            log,
            sink.clone(),
            EngineOptions::default(),
        )
        .map_err(|e| wf_err(py, e))?;
        let next_seq = u32::try_from(engine.len()).unwrap_or(u32::MAX - 1) + 1;
        Ok(Self {
            state: Mutex::new(State {
                engine,
                sink,
                routers: Default::default(),
                next_seq,
                commands: 0,
            }),
        })
    }

    /// Receives and registers an application input (JSON) at `now`; returns
    /// `(tracking_number, status)` — status `registered` or `not_processed` (see `track`).
    fn submit_json(
        &self,
        py: Python<'_>,
        input: &str,
        now: DateTime<Utc>,
    ) -> PyResult<(String, String)> {
        let input: ApplicationInput = serde_json::from_str(input).map_err(|e| {
            py_error(
                py,
                "ValidationError",
                (format!("Başvuru verisi okunamadı: {e}"),),
            )
        })?;
        let plate = input
            .province
            .as_ref()
            .and_then(|p| Geography::embedded().find_province(&p.to_string()))
            .map_or(6, |p| p.plate.get()); // unknown province: numbered by the ministry (Ankara) and rejected at registration
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let plate = acikkapi_core::geo::ProvincePlate::new(plate).map_err(|e| core_err(py, e))?;
        let year = u16::try_from(now.year()).unwrap_or(2026);
        let tracking =
            TrackingNumber::new(plate, year, st.next_seq).map_err(|e| core_err(py, e.into()))?;
        st.next_seq += 1;
        let id = InstanceId::new(tracking.to_string());
        let bureau = Actor::new(Role::Bureau, "buro", format!("{plate}.ACIK_KAPI"));
        st.run(
            &id,
            "al",
            &bureau,
            now,
            ApplicationCommand::Receive {
                input: Box::new(input),
            },
        )
        .map_err(|e| wf_err(py, e))?;
        let status = st
            .run(&id, "kaydet", &bureau, now, ApplicationCommand::Register)
            .map_err(|e| wf_err(py, e))?;
        Ok((tracking.to_string(), status))
    }

    /// Routes a registered application with its province's router (bundled Rhai rules, then the
    /// native router); returns the new status (`routed`, `awaiting_approval`, `redirected`).
    /// `importance` (0–5) is the bureau's grading of a special application: from 4 it goes to the
    /// vali with the shortest deadline.
    #[pyo3(signature = (tracking, now, importance = 0))]
    fn route(
        &self,
        py: Python<'_>,
        tracking: &str,
        now: DateTime<Utc>,
        importance: u8,
    ) -> PyResult<String> {
        if importance > 5 {
            return Err(py_error(
                py,
                "ValidationError",
                (format!("önem derecesi 0–5 olmalı ({importance} verildi)"),),
            ));
        }
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let id = InstanceId::new(tracking);
        let app = st
            .engine
            .instance(&id)
            .and_then(|i| i.state.application.clone())
            .ok_or_else(|| {
                py_error(
                    py,
                    "WorkflowError",
                    (format!("{tracking}: kayıtlı başvuru yok"),),
                )
            })?;
        let router = st
            .router(app.location.province.get())
            .map_err(|e| py_error(py, "RuleError", (e.to_string(),)))?;
        let decision = router
            .route_application_graded(&app, importance)
            .map_err(|e| py_error(py, "RuleError", (e.to_string(),)))?;
        let name = |u: &acikkapi_core::org::UnitId| router.native().unit_name(u);
        let bureau = Actor::new(
            Role::Bureau,
            "buro",
            format!("{}.ACIK_KAPI", app.location.province),
        );
        let cmd = match &decision.target {
            Target::Route { unit, officer } => ApplicationCommand::Route {
                assignment: Assignment::routed(&decision, unit, officer, name),
            },
            Target::Redirect { unit } => ApplicationCommand::Redirect {
                to: name(unit),
                reason: "Başvuru sahibinin talebi".into(),
            },
            Target::Reject { reason } => ApplicationCommand::Redirect {
                to: "CİMER".into(),
                reason: reason.clone(),
            },
        };
        st.run(&id, "ilet", &bureau, now, cmd)
            .map_err(|e| wf_err(py, e))
    }

    /// Approves a special application awaiting the vali/kaymakam.
    fn approve(&self, py: Python<'_>, tracking: &str, now: DateTime<Utc>) -> PyResult<String> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let vali = Actor::new(Role::Governor, "vali", "VALILIK");
        st.run(
            &InstanceId::new(tracking),
            "onay",
            &vali,
            now,
            ApplicationCommand::Approve,
        )
        .map_err(|e| wf_err(py, e))
    }

    /// Answers as the assigned officer: outcome `olumlu`, `olumsuz` or `kismen_olumlu`.
    fn answer(
        &self,
        py: Python<'_>,
        tracking: &str,
        outcome: &str,
        text: &str,
        now: DateTime<Utc>,
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
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let id = InstanceId::new(tracking);
        let (officer, unit) = st
            .engine
            .instance(&id)
            .and_then(|i| i.state.assignment.clone())
            .map(|a| (a.officer, a.unit))
            .ok_or_else(|| {
                py_error(
                    py,
                    "WorkflowError",
                    (format!("{tracking}: yönlendirilmiş başvuru yok"),),
                )
            })?;
        let actor = Actor::new(Role::Officer, officer, unit);
        st.run(
            &id,
            "cevap",
            &actor,
            now,
            ApplicationCommand::Answer {
                outcome,
                text: text.to_owned(),
            },
        )
        .map_err(|e| wf_err(py, e))
    }

    /// Closes an answered application (citizen informed).
    fn close(&self, py: Python<'_>, tracking: &str, now: DateTime<Utc>) -> PyResult<String> {
        // The bureau of the application's own province, the same actor that registered it
        // (a bare "ACIK_KAPI" was refused on confidential applications: "yetkisiz işlem").
        let plate = TrackingNumber::parse(tracking)
            .map_err(|e| core_err(py, e.into()))?
            .plate();
        let bureau = Actor::new(Role::Bureau, "buro", format!("{plate}.ACIK_KAPI"));
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.run(
            &InstanceId::new(tracking),
            "kapat",
            &bureau,
            now,
            ApplicationCommand::Close,
        )
        .map_err(|e| wf_err(py, e))
    }

    /// Fires the timers due at `now` (idempotent); returns `(tracking, timer, due)` triples.
    fn tick(
        &self,
        py: Python<'_>,
        now: DateTime<Utc>,
    ) -> PyResult<Vec<(String, String, DateTime<Utc>)>> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let fired = st.engine.tick(now).map_err(|e| wf_err(py, e))?;
        Ok(fired
            .into_iter()
            .map(|f| (f.instance.to_string(), f.key, f.due))
            .collect())
    }

    /// The citizen's view of an application (masked public history) as JSON.
    fn track_json(&self, py: Python<'_>, tracking: &str) -> PyResult<String> {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        json(py, &st.engine.track(tracking).map_err(|e| wf_err(py, e))?)
    }

    /// De-identified records for analysts as JSON.
    fn analyst_records_json(&self, py: Python<'_>) -> PyResult<String> {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let analyst = Actor::new(Role::Analyst, "analist", "SGB");
        json(
            py,
            &st.engine
                .analyst_records(&analyst)
                .map_err(|e| wf_err(py, e))?,
        )
    }

    /// The statistics block as JSON.
    fn statistics_json(&self, py: Python<'_>) -> PyResult<String> {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        json(py, &st.engine.statistics())
    }

    /// The analysts' report over every application as JSON (statistics block, SLA, breakdowns,
    /// unit scorecards, per-100k rates, backlog and overdue lists).
    fn report_json(&self, py: Python<'_>) -> PyResult<String> {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let records =
            acikkapi_core::stats::records_from_engine(&st.engine).map_err(|e| wf_err(py, e))?;
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
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        json(
            py,
            &acikkapi_core::stats::records_from_engine(&st.engine).map_err(|e| wf_err(py, e))?,
        )
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
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let records =
            acikkapi_core::stats::records_from_engine(&st.engine).map_err(|e| wf_err(py, e))?;
        let report =
            acikkapi_core::stats::report(&records, &acikkapi_core::stats::ReportOptions::default());
        Ok(render(&report, by, fmt))
    }

    /// Count of applications per status.
    fn counts(&self) -> std::collections::BTreeMap<String, usize> {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.engine
            .counts()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }

    /// SMS queued so far, as JSON, the recipient masked (`+90 5** *** ** 01`): the full number
    /// never leaves Rust (it is given only to a notifier's `send`, on the delivery path).
    fn notifications_json(&self, py: Python<'_>) -> PyResult<String> {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        // Default serde of `PhoneNumber` is the masked form; never wrap this in `Full`.
        json(py, &st.sink.notifications())
    }

    /// Number of applications.
    fn __len__(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .engine
            .len()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEngine>()
}
