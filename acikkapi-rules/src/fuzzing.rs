//! Body of the `rhai_rules` fuzz target (see `acikkapi_core::fuzzing` for the pattern): arbitrary
//! text compiled as a Denizli rule set under the default sandbox [`Limits`] and evaluated on a fixed
//! application. It must end with an outcome or a typed error, never a panic or a hang; `cargo test`
//! replays the corpus (`tests/fuzz_corpus.rs`).
//!
//! Not part of the public API: hidden from the documentation, may change without notice.

use std::sync::{Arc, OnceLock};

use acikkapi_core::geo::ProvincePlate;
use acikkapi_core::routing::{DecidedBy, RouteRequest, Router};
use acikkapi_core::taxonomy::CategoryCode;
use chrono::NaiveDate;

use crate::{
    AppView, Environment, LimitKind, Limits, OrgEnv, RuleRegistry, RuleSet, ScriptedRouter,
};

/// Denizli's organisation as the environment, the scripted router with no installed rules, and the
/// fixed request; built once (the fuzzer calls the body millions of times).
struct Fixture {
    env: Arc<dyn Environment>,
    router: Option<ScriptedRouter>,
    request: Option<RouteRequest>,
    app: AppView,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let env: Arc<dyn Environment> = match OrgEnv::for_province(20) {
            Ok(e) => Arc::new(e),
            Err(_) => Arc::new(crate::StaticEnv::with_turkish_calendar(&[])),
        };
        let plate = ProvincePlate::new(20).ok();
        let router = plate
            .and_then(|p| Router::for_province(p).ok())
            .map(|native| ScriptedRouter::new(native, RuleRegistry::new(20)));
        let category = "YEREL.COP".parse::<CategoryCode>().ok();
        let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        let request = plate.zip(category).map(|(p, c)| {
            let mut r = RouteRequest::new(c, p, "Pamukkale", date);
            r.text = "Mahallemizde çöpler üç gündür toplanmıyor, koku var.".into();
            r
        });
        let app = match &request {
            Some(r) => AppView::from_request(r),
            None => AppView::new("YEREL.COP", 20, "Pamukkale"),
        };
        Fixture {
            env,
            router,
            request,
            app,
        }
    })
}

/// Compiles `data` (as UTF-8 text) as a rule set and evaluates it: naive, fast path (twice, so the
/// second may come from the cache), coverage, lint, and through the scripted router. Checks: every
/// error names the script; naive and fast path agree when both succeed; the log respects its
/// limit; the router always decides (falling back to the native route on a script failure).
pub fn rhai_rules(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let f = fixture();
    let limits = Limits::default();
    let max_log = limits.max_log_lines;
    let rules = match RuleSet::compile_with_limits("fuzz.rhai", source, f.env.clone(), limits) {
        Ok(r) => r,
        Err(e) => {
            assert_eq!(e.script(), Some("fuzz.rhai"), "{e}");
            let _ = e.to_string();
            return;
        }
    };
    let _ = rules.lint();
    let _ = rules.branches();
    let naive = rules.evaluate(&f.app);
    let fast = rules.decide(&f.app);
    let again = rules.decide(&f.app);
    for r in [&naive, &fast, &again] {
        match r {
            Ok(ev) => assert!(ev.log.len() <= max_log, "log over its limit"),
            Err(e) => assert_eq!(e.script(), Some("fuzz.rhai"), "{e}"),
        }
    }
    if let (Ok(a), Ok(b)) = (&naive, &fast) {
        assert_eq!(a.outcome, b.outcome, "fast path differs from naive");
    }
    if let (Ok(a), Ok(b)) = (&fast, &again) {
        assert_eq!(a.outcome, b.outcome, "cached decision differs");
    }
    let _ = rules.evaluate_for_coverage(&f.app);
    if let (Some(router), Some(req)) = (&f.router, &f.request) {
        match router.route_with(Some(&rules), req) {
            Ok(d) => {
                assert_eq!(d.rule_set_version.as_deref(), Some(rules.version()));
                // A time-limit failure may not repeat (machine load); any other error does.
                let repeats = |r: &crate::Result<crate::Evaluation>| {
                    r.as_ref()
                        .is_err_and(|e| e.limit() != Some(LimitKind::Time))
                };
                if repeats(&naive) && repeats(&fast) {
                    assert!(
                        matches!(d.decided_by, DecidedBy::Fallback { .. }),
                        "failed script decided: {d:?}"
                    );
                }
            }
            Err(e) => panic!("the scripted router must fall back, got {e}"),
        }
    }
}
