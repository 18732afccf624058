//! Dry-run diff: which applications two rule sets would route differently.

use serde::{Deserialize, Serialize};

use acikkapi_core::routing::{Decision, RouteRequest, Target};

use crate::app::AppView;
use crate::error::Result;
use crate::outcome::ScriptOutcome;
use crate::router::ScriptedRouter;
use crate::ruleset::RuleSet;

/// One application routed differently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// Index in the input list.
    pub index: usize,
    /// Category of the application.
    pub category: String,
    /// District of the application.
    pub district: String,
    /// What the old rule set decided.
    pub old: String,
    /// What the new rule set decides.
    pub new: String,
}

/// A script outcome as a diff line: target, then priority and deadline when set; errors as
/// `error (<kind>) → default`, since routing falls back to the native decision.
pub fn describe(result: &Result<ScriptOutcome>) -> String {
    match result {
        Ok(ScriptOutcome::RouteTo {
            unit,
            priority,
            deadline_days,
            ..
        }) => {
            let mut s = format!("route:{unit}");
            if let Some(p) = priority {
                s.push_str(&format!(
                    " priority={}",
                    serde_json::to_value(p)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ));
            }
            if let Some(d) = deadline_days {
                s.push_str(&format!(" deadline={d}"));
            }
            s
        }
        Ok(o) => o.target_label(),
        Err(e) => format!("error → default ({e})"),
    }
}

/// Script-level diff: each application's outcome under `old` and under `new` (naive evaluation,
/// no caches involved).
pub fn diff_outcomes(old: &RuleSet, new: &RuleSet, apps: &[AppView]) -> Vec<Difference> {
    apps.iter()
        .enumerate()
        .filter_map(|(index, app)| {
            let a = describe(&old.evaluate(app).map(|e| e.outcome));
            let b = describe(&new.evaluate(app).map(|e| e.outcome));
            (a != b).then(|| Difference {
                index,
                category: app.category.clone(),
                district: app.district.clone(),
                old: a,
                new: b,
            })
        })
        .collect()
}

/// A final decision as a diff line: target unit (or reject), priority and deadline.
pub fn describe_decision(d: &Decision) -> String {
    let target = match &d.target {
        Target::Route { unit, .. } => format!("route:{unit}"),
        Target::Redirect { unit } => format!("redirect:{unit}"),
        Target::Reject { reason } => format!("reject ({reason})"),
    };
    let p = serde_json::to_value(d.priority)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!("{target} priority={p} deadline={}", d.deadline_days)
}

/// Decision-level diff: each request routed by `router`'s native router with `old` and with
/// `new` on top; a script's `default()` and a script route to the native unit compare equal.
pub fn diff_routes(
    router: &ScriptedRouter,
    old: &RuleSet,
    new: &RuleSet,
    requests: &[RouteRequest],
) -> Vec<Difference> {
    let show = |r: Result<Decision>| match r {
        Ok(d) => describe_decision(&d),
        Err(e) => format!("error: {e}"),
    };
    requests
        .iter()
        .enumerate()
        .filter_map(|(index, req)| {
            let a = show(router.route_with(Some(old), req));
            let b = show(router.route_with(Some(new), req));
            (a != b).then(|| Difference {
                index,
                category: req.category.to_string(),
                district: req.district.clone(),
                old: a,
                new: b,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::env::StaticEnv;

    #[test]
    fn lists_only_changed_applications() {
        let env = Arc::new(StaticEnv::new(&[("20.MEB", "MEB"), ("20.SGK", "SGK")], &[]));
        let old = RuleSet::compile(
            "old.rhai",
            r#"if app.heading == "EGITIM" { route_to("20.MEB") }"#,
            env.clone(),
        )
        .unwrap();
        let new = RuleSet::compile(
            "new.rhai",
            r#"if app.heading == "EGITIM" { route_to("20.MEB") } else if app.heading == "CALISMA" { route_to("20.SGK").priority("acil") }"#,
            env,
        )
        .unwrap();
        let apps = [
            AppView::new("EGITIM.DIGER", 20, "Honaz"),
            AppView::new("CALISMA.DIGER", 20, "Honaz"),
            AppView::new("SAGLIK.DIGER", 20, "Honaz"),
        ];
        let d = diff_outcomes(&old, &new, &apps);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].index, 1);
        assert_eq!(d[0].old, "default");
        assert_eq!(d[0].new, "route:20.SGK priority=urgent");
    }
}
