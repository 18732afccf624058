//! Scripted routing: a province's rule set on top of the native router of `acikkapi-core`.
//!
//! [`ScriptedRouter::route`] asks the province's current rule set first; `default()` (or `()`)
//! keeps the native decision, `route_to`/`redirect`/`reject` replace its target. When the script
//! fails (compile-time problems are caught before install; run-time errors, sandbox limits, bad
//! outcomes at decision time) the native decision is used and the failure is recorded in
//! `decided_by: Fallback { error }` and the trace — never lost, never a panic. Every decision made
//! while a rule set is installed carries its version.

use std::sync::Arc;

use acikkapi_core::application::Application;
use acikkapi_core::geo::ProvincePlate;
use acikkapi_core::org::{Organisation, UnitId};
use acikkapi_core::routing::{DecidedBy, Decision, Priority, RouteRequest, Router, Target};

use crate::app::AppView;
use crate::env::{self, Environment};
use crate::error::{Error, Result};
use crate::outcome::{ScriptOutcome, ScriptPriority};
use crate::registry::RuleRegistry;
use crate::ruleset::RuleSet;

/// The [`Environment`] of a province's [`Organisation`] with the Turkish public-sector calendar.
#[derive(Debug, Clone)]
pub struct OrgEnv {
    org: Arc<Organisation>,
}

impl OrgEnv {
    /// The environment of an organisation.
    pub fn new(org: Arc<Organisation>) -> OrgEnv {
        OrgEnv { org }
    }

    /// The environment of a province's embedded organisation.
    pub fn for_province(plate: u8) -> Result<OrgEnv> {
        let plate = ProvincePlate::new(plate).map_err(|e| Error::Native(e.to_string()))?;
        Organisation::for_province(plate)
            .map(OrgEnv::new)
            .map_err(|e| Error::Native(e.to_string()))
    }

    /// The organisation.
    pub fn org(&self) -> &Organisation {
        &self.org
    }
}

impl Environment for OrgEnv {
    fn find_unit(&self, name_or_id: &str) -> Option<String> {
        self.org
            .find_unit_by_name(name_or_id)
            .map(|u| u.id.to_string())
    }

    fn unit_ids(&self) -> Vec<String> {
        self.org.units().iter().map(|u| u.id.to_string()).collect()
    }

    fn is_business_day(&self, date: chrono::NaiveDate) -> bool {
        env::turkish_is_business_day(date)
    }

    fn add_business_days(&self, from: chrono::NaiveDate, n: i64) -> Option<chrono::NaiveDate> {
        env::turkish_add_business_days(from, n)
    }

    fn business_days_between(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> i64 {
        env::turkish_business_days_between(from, to)
    }
}

impl AppView {
    /// The script's view of a route request (`escort` is not part of a request: `false`).
    pub fn from_request(req: &RouteRequest) -> AppView {
        AppView {
            category: req.category.as_str().to_string(),
            province: req.province.get(),
            district: req.district.clone(),
            kind: req.kind.code().into(),
            channel: req.channel.map_or("", |c| c.code()).into(),
            special: req.special,
            importance: req.importance,
            ohal: req.ohal,
            confidential: req.confidential,
            escort: false,
            direct_to_unit: req.direct_to_unit.clone().unwrap_or_default(),
            text: req.text.clone(),
            received: req.date,
        }
    }

    /// The script's view of a (validated) application, including `escort` (refakatli).
    pub fn from_application(app: &Application) -> AppView {
        AppView::from_request_of(&RouteRequest::from(app), app)
    }

    /// The view of `req`, a request made from `app`, plus what only `app` carries (`escort`).
    fn from_request_of(req: &RouteRequest, app: &Application) -> AppView {
        AppView {
            escort: app.flags.escort.is_some(),
            ..AppView::from_request(req)
        }
    }
}

/// The embedded rule scripts: `(plate, file name, text)`.
pub const EMBEDDED: &[(u8, &str, &str)] = &[
    (
        20,
        "20-denizli.rhai",
        include_str!("../rules/20-denizli.rhai"),
    ),
    (
        34,
        "34-istanbul.rhai",
        include_str!("../rules/34-istanbul.rhai"),
    ),
];

/// The embedded rule-test files: `(plate, file name, text)`.
pub const EMBEDDED_TESTS: &[(u8, &str, &str)] = &[
    (
        20,
        "20-denizli.tests.toml",
        include_str!("../rules/20-denizli.tests.toml"),
    ),
    (
        34,
        "34-istanbul.tests.toml",
        include_str!("../rules/34-istanbul.tests.toml"),
    ),
];

impl RuleSet {
    /// The embedded script of a province, compiled against its embedded organisation.
    ///
    /// ```
    /// let rules = acikkapi_rules::RuleSet::embedded(20).unwrap();
    /// assert_eq!(rules.name(), "20-denizli.rhai");
    /// assert!(acikkapi_rules::RuleSet::embedded(6).is_err());
    /// ```
    pub fn embedded(plate: u8) -> Result<RuleSet> {
        let (_, name, text) = EMBEDDED
            .iter()
            .find(|(p, _, _)| *p == plate)
            .ok_or(Error::NoEmbeddedScript(plate))?;
        RuleSet::compile(name, text, Arc::new(OrgEnv::for_province(plate)?))
    }
}

fn priority(p: ScriptPriority) -> Priority {
    match p {
        ScriptPriority::Normal => Priority::Normal,
        ScriptPriority::High => Priority::High,
        ScriptPriority::Urgent => Priority::Urgent,
    }
}

/// How [`ScriptedRouter`] evaluates scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EvalMode {
    /// Cached fast path ([`RuleSet::decide`]).
    #[default]
    Fast,
    /// Run the script every time ([`RuleSet::evaluate`]).
    Naive,
}

/// Betikli yönlendirici: native router + the province's swappable rule set.
///
/// ```
/// use acikkapi_core::{geo::ProvincePlate, routing::{DecidedBy, RouteRequest}, taxonomy::CategoryCode};
/// use acikkapi_rules::router::ScriptedRouter;
/// let router = ScriptedRouter::for_province(ProvincePlate::new(20).unwrap()).unwrap();
/// let req = RouteRequest::new(
///     CategoryCode::parse("SAGLIK.DIGER").unwrap(),
///     ProvincePlate::new(20).unwrap(),
///     "Merkezefendi",
///     chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
/// );
/// let d = router.route(&req).unwrap();
/// assert_eq!(d.rule_set_version, router.registry().version());
/// assert!(!matches!(d.decided_by, DecidedBy::Fallback { .. }));
/// ```
#[derive(Debug)]
pub struct ScriptedRouter {
    native: Router,
    registry: RuleRegistry,
    mode: EvalMode,
}

impl ScriptedRouter {
    /// The native router of a province with its embedded rule script installed (when it has one).
    pub fn for_province(plate: ProvincePlate) -> Result<ScriptedRouter> {
        let native = Router::for_province(plate).map_err(|e| Error::Native(e.to_string()))?;
        let registry = RuleRegistry::new(plate.get());
        match RuleSet::embedded(plate.get()) {
            Ok(rules) => {
                registry.install(rules);
            }
            Err(Error::NoEmbeddedScript(_)) => {}
            Err(e) => return Err(e),
        }
        Ok(ScriptedRouter::new(native, registry))
    }

    /// A scripted router from its parts.
    pub fn new(native: Router, registry: RuleRegistry) -> ScriptedRouter {
        ScriptedRouter {
            native,
            registry,
            mode: EvalMode::Fast,
        }
    }

    /// Chooses the evaluation mode (default: [`EvalMode::Fast`]).
    pub fn with_mode(mut self, mode: EvalMode) -> ScriptedRouter {
        self.mode = mode;
        self
    }

    /// The native router.
    pub fn native(&self) -> &Router {
        &self.native
    }

    /// The province's rule registry (swap rule sets here).
    pub fn registry(&self) -> &RuleRegistry {
        &self.registry
    }

    /// Routes a request with the rule set in force now.
    pub fn route(&self, req: &RouteRequest) -> Result<Decision> {
        let rules = self.registry.current();
        self.route_with(rules.as_deref(), req)
    }

    /// Routes a validated application with the rule set in force now (the script also sees
    /// `app.escort`, which a [`RouteRequest`] does not carry).
    pub fn route_application(&self, app: &Application) -> Result<Decision> {
        self.route_application_graded(app, 0)
    }

    /// [`route_application`](Self::route_application) with the bureau's importance grading (0–5;
    /// applications do not carry one): a special application of importance ≥ 4 goes to the vali,
    /// urgent, and the script sees `app.importance`.
    pub fn route_application_graded(&self, app: &Application, importance: u8) -> Result<Decision> {
        let rules = self.registry.current();
        let mut req = RouteRequest::from(app);
        req.importance = importance;
        let view = AppView::from_request_of(&req, app);
        self.route_view(rules.as_deref(), &req, &view)
    }

    /// Routes a request with the given rule set (`None`: native only).
    pub fn route_with(&self, rules: Option<&RuleSet>, req: &RouteRequest) -> Result<Decision> {
        self.route_view(rules, req, &AppView::from_request(req))
    }

    fn route_view(
        &self,
        rules: Option<&RuleSet>,
        req: &RouteRequest,
        app: &AppView,
    ) -> Result<Decision> {
        let native = || {
            self.native
                .route(req)
                .map_err(|e| Error::Native(e.to_string()))
        };
        let Some(rules) = rules else {
            return native();
        };
        let evaluation = match self.mode {
            EvalMode::Fast => rules.decide(app),
            EvalMode::Naive => rules.evaluate(app),
        };
        let scripted = evaluation.and_then(|ev| self.apply(rules, req, ev.outcome, ev.log));
        let mut d = match scripted {
            Ok(d) => d,
            Err(e) => {
                let mut d = native()?;
                d.trace
                    .push(format!("betik hatası, yerleşik karar kullanıldı: {e}"));
                d.decided_by = DecidedBy::Fallback {
                    error: e.to_string(),
                };
                d
            }
        };
        d.rule_set_version = Some(rules.version().to_string());
        Ok(d)
    }

    /// Turns a script outcome into a decision.
    fn apply(
        &self,
        rules: &RuleSet,
        req: &RouteRequest,
        outcome: ScriptOutcome,
        log: Vec<String>,
    ) -> Result<Decision> {
        let script = DecidedBy::Script {
            name: rules.name().to_string(),
        };
        let for_unit = |unit: &str, why: &str| -> Result<Decision> {
            let id = UnitId::parse(unit).map_err(|e| Error::BadOutcome {
                script: rules.name().to_string(),
                message: e.to_string(),
            })?;
            self.native
                .decision_for_unit(req, &id, why)
                .map_err(|e| Error::BadOutcome {
                    script: rules.name().to_string(),
                    message: format!("unit {unit}: {e}"),
                })
        };
        let mut d = match outcome {
            ScriptOutcome::Default => {
                let mut d = self
                    .native
                    .route(req)
                    .map_err(|e| Error::Native(e.to_string()))?;
                d.trace.push(format!(
                    "betik {}: varsayılan (yerleşik karar)",
                    rules.name()
                ));
                d
            }
            ScriptOutcome::RouteTo {
                unit,
                priority: p,
                deadline_days,
                note,
            } => {
                let mut d = for_unit(&unit, note.as_deref().unwrap_or("route_to"))?;
                if let Some(p) = p {
                    d.priority = priority(p);
                }
                if let Some(days) = deadline_days {
                    d.deadline_days = days;
                }
                d.decided_by = script;
                d
            }
            ScriptOutcome::Redirect { unit, note } => {
                let mut d = for_unit(&unit, note.as_deref().unwrap_or("redirect"))?;
                if let Some(u) = d.unit().cloned() {
                    d.target = Target::Redirect { unit: u };
                }
                d.decided_by = script;
                d
            }
            ScriptOutcome::Reject { reason } => {
                let mut d = self
                    .native
                    .route(req)
                    .map_err(|e| Error::Native(e.to_string()))?;
                d.trace.push(format!("betik kararı: ret: {reason}"));
                d.target = Target::Reject { reason };
                d.escalation.clear();
                d.escalation_officers.clear();
                d.decided_by = script;
                d
            }
        };
        d.trace
            .extend(log.into_iter().map(|l| format!("betik çıktısı: {l}")));
        Ok(d)
    }
}

/// The scripted router is the application service's router: the service routes with the
/// province's rules through it. A rule-set error reaches the service as
/// [`acikkapi_core::Error::GuardFailed`] with the script's message (the service cannot route).
impl acikkapi_core::service::ApplicationRouter for ScriptedRouter {
    fn route_application(
        &self,
        app: &Application,
        importance: u8,
    ) -> acikkapi_core::Result<Decision> {
        self.route_application_graded(app, importance).map_err(|e| {
            acikkapi_core::Error::GuardFailed {
                rule: format!("yönlendirme kuralı: {e}"),
            }
        })
    }

    fn unit_name(&self, unit: &acikkapi_core::org::UnitId) -> String {
        self.native.unit_name(unit)
    }
}
