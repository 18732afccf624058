//! What a script decides: [`ScriptOutcome`], and the Rhai-side builder a script returns
//! (`route_to("…").priority("acil").deadline(3).note("…")`).

use rhai::{Dynamic, Engine};
use serde::{Deserialize, Serialize};

use crate::env::Environment;
use crate::error::{Error, Result};

/// Öncelik: the priority a script may give a routed application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptPriority {
    /// Normal.
    Normal,
    /// Yüksek (high).
    High,
    /// Acil (urgent).
    Urgent,
}

impl ScriptPriority {
    /// Parses a priority as a script writes it: English or Turkish, any case
    /// (`"normal"`, `"high"`/`"yüksek"`/`"yuksek"`, `"urgent"`/`"acil"`).
    pub fn parse(s: &str) -> Option<ScriptPriority> {
        match acikkapi_core::text::search_key(s).as_str() {
            "normal" => Some(ScriptPriority::Normal),
            "high" | "yuksek" => Some(ScriptPriority::High),
            "urgent" | "acil" => Some(ScriptPriority::Urgent),
            _ => None,
        }
    }
}

/// Betik kararı: what a rule script decided for one application.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum ScriptOutcome {
    /// Use the native router's decision (`default()`, `native()`, or the script returned `()`).
    Default,
    /// Route to this unit (a unit id of the province's organisation).
    RouteTo {
        /// Unit id, e.g. `"20.DESKI"`.
        unit: String,
        /// Priority override.
        priority: Option<ScriptPriority>,
        /// Answer deadline override, in business days.
        deadline_days: Option<u32>,
        /// A note for the trace (why).
        note: Option<String>,
    },
    /// Yönlendir: send to another institution (outside the province's own chain of units).
    Redirect {
        /// Unit id.
        unit: String,
        /// A note for the trace.
        note: Option<String>,
    },
    /// Reddet: the application is not handled (e.g. out of scope); the reason is shown to officers.
    Reject {
        /// Why.
        reason: String,
    },
}

impl ScriptOutcome {
    /// A short, stable label of the target: `"default"`, `"route:<unit>"`, `"redirect:<unit>"` or
    /// `"reject"`; used by rule tests and dry-run diffs.
    pub fn target_label(&self) -> String {
        match self {
            ScriptOutcome::Default => "default".into(),
            ScriptOutcome::RouteTo { unit, .. } => format!("route:{unit}"),
            ScriptOutcome::Redirect { unit, .. } => format!("redirect:{unit}"),
            ScriptOutcome::Reject { .. } => "reject".into(),
        }
    }
}

/// The value a script builds; validated into a [`ScriptOutcome`] when the script returns.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawOutcome {
    kind: RawKind,
    unit: String,
    priority: Option<String>,
    deadline: Option<i64>,
    note: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
enum RawKind {
    #[default]
    Default,
    Route,
    Redirect,
    Reject,
}

/// Longest note or reason kept (characters).
const MAX_NOTE: usize = 500;

/// Longest answer deadline a script may set, in business days.
pub const MAX_DEADLINE_DAYS: i64 = 60;

/// Registers `route_to`, `redirect`, `reject`, `native`, `default()` and the builder methods.
pub(crate) fn register(engine: &mut Engine) -> Result<(), String> {
    engine.register_type_with_name::<RawOutcome>("Outcome");
    engine.register_fn("route_to", |unit: &str| RawOutcome {
        kind: RawKind::Route,
        unit: unit.to_string(),
        ..RawOutcome::default()
    });
    engine.register_fn("redirect", |unit: &str| RawOutcome {
        kind: RawKind::Redirect,
        unit: unit.to_string(),
        ..RawOutcome::default()
    });
    engine.register_fn("reject", |reason: &str| RawOutcome {
        kind: RawKind::Reject,
        note: Some(reason.to_string()),
        ..RawOutcome::default()
    });
    engine.register_fn("native", RawOutcome::default);
    engine.register_fn("priority", |o: RawOutcome, p: &str| RawOutcome {
        priority: Some(p.to_string()),
        ..o
    });
    engine.register_fn("deadline", |o: RawOutcome, days: i64| RawOutcome {
        deadline: Some(days),
        ..o
    });
    engine.register_fn("note", |o: RawOutcome, text: &str| RawOutcome {
        note: Some(text.to_string()),
        ..o
    });
    // `default` is a reserved word in Rhai, so `default()` cannot be an ordinary function;
    // custom syntax may use reserved words. The tokenizer reads `()` as one token (unit).
    engine
        .register_custom_syntax(["default", "()"], false, |_, _| {
            Ok(Dynamic::from(RawOutcome::default()))
        })
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn clip(s: String) -> String {
    if s.chars().count() > MAX_NOTE {
        s.chars().take(MAX_NOTE).collect()
    } else {
        s
    }
}

/// Turns what a script returned into a [`ScriptOutcome`], resolving unit names to unit ids.
pub(crate) fn from_dynamic(
    value: Dynamic,
    script: &str,
    env: &dyn Environment,
) -> Result<ScriptOutcome> {
    let bad = |message: String| Error::BadOutcome {
        script: script.to_string(),
        message,
    };
    if value.is_unit() {
        return Ok(ScriptOutcome::Default);
    }
    let type_name = value.type_name().to_string();
    let Some(raw) = value.try_cast::<RawOutcome>() else {
        return Err(bad(format!(
            "the script returned a value of type {type_name}; expected route_to(…), redirect(…), reject(…), default() or ()"
        )));
    };
    let resolve = |unit: &str| {
        env.find_unit(unit).ok_or_else(|| {
            bad(format!(
                "unknown unit {unit:?} in this province's organisation"
            ))
        })
    };
    match raw.kind {
        RawKind::Default => Ok(ScriptOutcome::Default),
        RawKind::Route => {
            let unit = resolve(&raw.unit)?;
            let priority = match raw.priority {
                None => None,
                Some(p) => Some(ScriptPriority::parse(&p).ok_or_else(|| {
                    bad(format!(
                        "unknown priority {p:?} (use \"normal\", \"yuksek\" or \"acil\")"
                    ))
                })?),
            };
            let deadline_days = match raw.deadline {
                None => None,
                Some(d) if (1..=MAX_DEADLINE_DAYS).contains(&d) => u32::try_from(d).ok(),
                Some(d) => {
                    return Err(bad(format!(
                        "deadline {d} out of range 1..={MAX_DEADLINE_DAYS} business days"
                    )));
                }
            };
            Ok(ScriptOutcome::RouteTo {
                unit,
                priority,
                deadline_days,
                note: raw.note.map(clip),
            })
        }
        RawKind::Redirect => Ok(ScriptOutcome::Redirect {
            unit: resolve(&raw.unit)?,
            note: raw.note.map(clip),
        }),
        RawKind::Reject => {
            let reason = raw.note.unwrap_or_default();
            if reason.trim().is_empty() {
                return Err(bad("reject(…) needs a reason".into()));
            }
            Ok(ScriptOutcome::Reject {
                reason: clip(reason),
            })
        }
    }
}
