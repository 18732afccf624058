//! The sandboxed Rhai engine: limits, the helper vocabulary, and mapping Rhai's errors to
//! [`Error`].
//!
//! The engine is built from `Engine::new_raw()` plus a chosen set of packages: no
//! `LanguageCorePackage` (it holds `sleep`, `exit`, `parse_json`), no time package (`timestamp`),
//! no module resolver, `eval` disabled. `print`/`debug` go to a per-evaluation log buffer.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicFnPackage, BasicIteratorPackage, BasicMapPackage,
    BasicMathPackage, BasicStringPackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::{
    Dynamic, Engine, EvalAltResult, ImmutableString, OptimizationLevel, ParseError, Position,
};
use serde::{Deserialize, Serialize};

use crate::app::{self, ScriptApp};
use crate::env::Environment;
use crate::error::{Error, LimitKind};
use crate::outcome;
use crate::{guarded, nesting};

/// Sandbox limits of one rule set. [`Limits::default`] is what province scripts get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Rhai operations per evaluation (default 100 000; a routing script needs a few hundred).
    pub max_operations: u64,
    /// Function-call nesting (default 16).
    pub max_call_levels: usize,
    /// Expression nesting at global level (default 64) …
    pub max_expr_depth: usize,
    /// … and inside functions (default 32).
    pub max_function_expr_depth: usize,
    /// Longest string in bytes (default [`MAX_STRING_BYTES`], 32 KiB: the longest text that
    /// validation accepts, also in Turkish upper or lower case).
    pub max_string_size: usize,
    /// Longest array (default 1 000).
    pub max_array_size: usize,
    /// Largest object map (default 256).
    pub max_map_size: usize,
    /// Variables in scope (default 256).
    pub max_variables: usize,
    /// Script-defined functions (default 64).
    pub max_functions: usize,
    /// Wall-clock budget of one evaluation (default 20 ms), checked every 64 operations.
    pub time_limit: Duration,
    /// `print`/`debug` lines kept per evaluation (default 16).
    pub max_log_lines: usize,
    /// Longest script in bytes (default [`MAX_SCRIPT_BYTES`], 256 KiB); a longer one is refused
    /// with [`Error::ScriptTooLarge`] before it is parsed.
    pub max_script_bytes: usize,
}

/// Default [`Limits::max_script_bytes`]: 256 KiB, a hundred times the bundled province scripts
/// (2.4 KiB each). Parsing, analysis and coverage are linear in the script's size; the cap keeps
/// a script's own cost (compile, lint, `rules test`) to milliseconds and a few megabytes.
pub const MAX_SCRIPT_BYTES: usize = 256 * 1024;

/// Default [`Limits::max_string_size`]: 32 KiB. Validation accepts a text of up to
/// [`MAX_SUBJECT_CHARS`](acikkapi_core::validate::MAX_SUBJECT_CHARS) characters, 4 bytes each at
/// most in UTF-8; Unicode case mapping turns one character into at most 3 of at most 2 bytes each,
/// so `to_upper(app.text)` of any valid text is at most 6 bytes per character: 30 000 bytes. A
/// smaller limit made every rule reading `app.text` fail on long texts with emoji (issue 12).
pub const MAX_STRING_BYTES: usize = 32 * 1024;

const _: () = assert!(MAX_STRING_BYTES >= 6 * acikkapi_core::validate::MAX_SUBJECT_CHARS);

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 100_000,
            max_call_levels: 16,
            max_expr_depth: 64,
            max_function_expr_depth: 32,
            max_string_size: MAX_STRING_BYTES,
            max_array_size: 1_000,
            max_map_size: 256,
            max_variables: 256,
            max_functions: 64,
            time_limit: Duration::from_millis(20),
            max_log_lines: 16,
            max_script_bytes: MAX_SCRIPT_BYTES,
        }
    }
}

thread_local! {
    /// When the evaluation running on this thread must stop.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    /// Operations of the evaluation running on this thread, in every call context.
    static OPS: Cell<u64> = const { Cell::new(0) };
    /// The first limit that fired in the evaluation running on this thread, and where (when known).
    static TRIPPED: Cell<Option<(LimitKind, Position)>> = const { Cell::new(None) };
    /// `print`/`debug` output of the evaluation running on this thread.
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// Coverage recorder of the evaluation running on this thread (rule tests only).
    pub(crate) static VISITED: RefCell<Option<std::collections::HashSet<Position>>> =
        const { RefCell::new(None) };
}

/// How many operations pass between two readings of the clock. Once the deadline is seen, every
/// later operation fails (`trip`), so the overshoot is at most this many operations — the
/// costliest (a 32 KiB `contains_word`, a 1 000-element built-in sort) take tens of microseconds.
const CLOCK_EVERY: u64 = 64;

/// Records that a limit fired (the first one wins; a position fills in an unknown one). From then
/// on every operation of the evaluation fails: see the progress callback in [`build`].
pub(crate) fn trip(which: LimitKind, pos: Position) {
    TRIPPED.with(|t| match t.get() {
        None => t.set(Some((which, pos))),
        Some((first, p)) if p.is_none() && !pos.is_none() => t.set(Some((first, pos))),
        Some(_) => {}
    });
}

/// The sandbox limit an error is (looking through function-call wrappers), if it is one.
pub(crate) fn limit_of(e: &EvalAltResult) -> Option<LimitKind> {
    match e {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => limit_of(inner),
        EvalAltResult::ErrorTooManyOperations(_) => Some(LimitKind::Operations),
        EvalAltResult::ErrorTerminated(token, _) => token.clone().try_cast::<LimitKind>(),
        EvalAltResult::ErrorStackOverflow(_) => Some(LimitKind::Depth),
        EvalAltResult::ErrorDataTooLarge(..) | EvalAltResult::ErrorTooManyVariables(_) => {
            Some(LimitKind::Size)
        }
        _ => None,
    }
}

/// Called by native functions with the errors their closures return: a limit error stops the
/// rest of the evaluation even if something would swallow it. `at` is the native call's position,
/// used when the error carries none.
pub(crate) fn note_limit(e: &EvalAltResult, at: Position) {
    if let Some(which) = limit_of(e) {
        let pos = if e.position().is_none() {
            at
        } else {
            e.position()
        };
        trip(which, pos);
    }
}

/// Which flavour of engine to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavour {
    /// Production: optimised.
    Run,
    /// Analysis and coverage: no optimisation (the AST mirrors the source) and a debugger hook
    /// that records the position of every node evaluated.
    Coverage,
}

/// Builds a sandboxed engine with the helper vocabulary over `env`.
pub(crate) fn build(
    limits: &Limits,
    env: Arc<dyn Environment>,
    flavour: Flavour,
) -> Result<Engine, String> {
    let mut engine = Engine::new_raw();
    for module in [
        ArithmeticPackage::new().as_shared_module(),
        BasicStringPackage::new().as_shared_module(),
        BasicIteratorPackage::new().as_shared_module(),
        BasicFnPackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
    ] {
        engine.register_global_module(module);
    }
    engine
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_variables(limits.max_variables)
        .set_max_functions(limits.max_functions)
        .set_max_modules(0)
        .set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new())
        .set_strict_variables(true)
        .disable_symbol("eval");
    engine.set_optimization_level(match flavour {
        Flavour::Run => OptimizationLevel::Simple,
        Flavour::Coverage => OptimizationLevel::None,
    });
    // Rhai counts operations per call context: a closure called by a native function (`sort`,
    // `map`, `filter`…) starts again from zero. So the evaluation's operations are counted here
    // across every context and the clock is read every `CLOCK_EVERY` of them. Once a limit has
    // fired — here, or a size or depth error noted by a native function (`note_limit`) — every
    // later operation fails with it: nothing that catches or swallows the error (a `try`, a native
    // function's loop) can keep the script running (found by the abuse catalogue, tests/abuse.rs).
    let max_operations = limits.max_operations;
    engine.on_progress(move |_| {
        if let Some((which, _)) = TRIPPED.with(Cell::get) {
            return Some(Dynamic::from(which));
        }
        let ops = OPS.with(|c| {
            let n = c.get().saturating_add(1);
            c.set(n);
            n
        });
        let which = if max_operations > 0 && ops > max_operations {
            Some(LimitKind::Operations)
        } else if ops.is_multiple_of(CLOCK_EVERY)
            && DEADLINE.with(|d| d.get().is_some_and(|t| Instant::now() >= t))
        {
            Some(LimitKind::Time)
        } else {
            None
        };
        which.map(|which| {
            trip(which, Position::NONE);
            Dynamic::from(which)
        })
    });
    // Rhai's size limits do not count the keys of object maps: 250 keys of 30 000 bytes are a
    // 7.5 MB map within every limit, and sixty copies (`let m1 = m;`…) took 519 MB (issue 12,
    // tests/abuse.rs). Every read of a variable checks its value: the bytes of map keys (nested
    // values included) against the string limit, and — as Rhai checks a map's size only when it
    // is next passed on — the entries against the map limit, so that the check stops after a
    // bounded scan and no value holds more than one insertion past a limit.
    let bounds = ValueBounds {
        key_bytes: limits.max_string_size,
        entries: limits.max_map_size,
        elements: limits.max_array_size,
    };
    // Rhai marks the resolver "volatile" via a deprecation note; the version is pinned.
    #[allow(deprecated)]
    engine.on_var(move |name, _, ctx| match ctx.scope().get(name) {
        Some(v) if v.is_map() || v.is_array() => match bounds.exceeded_by(v) {
            Some(what) => Err(Box::new(EvalAltResult::ErrorDataTooLarge(
                what.into(),
                Position::NONE,
            ))),
            None => Ok(None),
        },
        _ => Ok(None),
    });
    let max_log = limits.max_log_lines;
    let log = move |line: String| {
        LOG.with(|l| {
            let mut l = l.borrow_mut();
            if l.len() < max_log {
                l.push(line.chars().take(200).collect());
            }
        })
    };
    let log2 = log;
    engine.on_print(move |s| log(s.to_string()));
    engine.on_debug(move |s, _, pos| log2(format!("{pos}: {s}")));
    if flavour == Flavour::Coverage {
        // Rhai marks the debugger interface "volatile" via a deprecation note; the version is pinned.
        #[allow(deprecated)]
        engine.register_debugger(
            |_, dbg| dbg,
            |_, _, node, _, pos| {
                if !pos.is_none() {
                    VISITED.with(|v| {
                        if let Some(set) = v.borrow_mut().as_mut() {
                            set.insert(pos);
                            set.insert(node.position());
                        }
                    });
                }
                Ok(rhai::debugger::DebuggerCommand::StepInto)
            },
        );
    }
    app::register(&mut engine);
    guarded::register(&mut engine);
    nesting::register(&mut engine);
    outcome::register(&mut engine)?;
    register_helpers(&mut engine, env);
    Ok(engine)
}

/// What a variable's value may hold (0: no limit), checked on every read of it.
#[derive(Debug, Clone, Copy)]
struct ValueBounds {
    key_bytes: usize,
    entries: usize,
    elements: usize,
}

impl ValueBounds {
    /// The first bound `v` exceeds, nested lists and maps included; the scan stops there, so it
    /// looks at no more than the bounds' worth of elements and entries.
    fn exceeded_by(&self, v: &Dynamic) -> Option<&'static str> {
        let mut seen = (0, 0, 0);
        self.scan(v, &mut seen).err()
    }

    /// Recursion as deep as the value's nesting: one small frame per level, at most 1 000 levels
    /// within the array limit.
    fn scan(&self, v: &Dynamic, seen: &mut (usize, usize, usize)) -> Result<(), &'static str> {
        let over = |n: usize, max: usize| max > 0 && n > max;
        if let Ok(m) = v.as_map_ref() {
            for (k, x) in m.iter() {
                seen.0 += k.len();
                seen.1 += 1;
                if over(seen.0, self.key_bytes) {
                    return Err("Length of object map keys");
                }
                if over(seen.1, self.entries) {
                    return Err("Size of object map");
                }
                if x.is_map() || x.is_array() {
                    self.scan(x, seen)?;
                }
            }
        } else if let Ok(a) = v.as_array_ref() {
            for x in a.iter() {
                seen.2 += 1;
                if over(seen.2, self.elements) {
                    return Err("Size of array");
                }
                if x.is_map() || x.is_array() {
                    self.scan(x, seen)?;
                }
            }
        }
        Ok(())
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, Box<EvalAltResult>> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("not a date (YYYY-MM-DD): {s:?}").into())
}

fn iso(d: NaiveDate) -> ImmutableString {
    d.format("%Y-%m-%d").to_string().into()
}

/// Registers the org, calendar and Turkish-text helpers.
fn register_helpers(engine: &mut Engine, env: Arc<dyn Environment>) {
    let e = env.clone();
    engine.register_fn("unit_exists", move |name: &str| e.unit_exists(name));
    let e = env.clone();
    // A unit id, or `()` when there is none: `find_unit("DESKİ") ?? "20.BUYUKSEHIR_BELEDIYESI"`.
    engine.register_fn("find_unit", move |name: &str| -> Dynamic {
        e.find_unit(name)
            .map_or(Dynamic::UNIT, |id| Dynamic::from(ImmutableString::from(id)))
    });
    let e = env.clone();
    engine.register_fn(
        "is_business_day",
        move |d: &str| -> Result<bool, Box<EvalAltResult>> {
            parse_date(d).map(|d| e.is_business_day(d))
        },
    );
    let e = env.clone();
    engine.register_fn(
        "add_business_days",
        move |d: &str, n: i64| -> Result<ImmutableString, Box<EvalAltResult>> {
            let from = parse_date(d)?;
            if n.abs() > 3_660 {
                return Err(format!("add_business_days: {n} is too many days").into());
            }
            e.add_business_days(from, n)
                .map(iso)
                .ok_or_else(|| "add_business_days: date out of range".into())
        },
    );
    let e = env.clone();
    engine.register_fn("business_days_between", move |a: &str, b: &str| {
        let (a, b) = (parse_date(a)?, parse_date(b)?);
        if (a - b).num_days().abs() > 3_660 {
            return Err::<i64, Box<EvalAltResult>>(
                "business_days_between: dates too far apart".into(),
            );
        }
        Ok(e.business_days_between(a, b))
    });
    let e = env;
    engine.register_fn(
        "business_days_until",
        move |a: &mut ScriptApp, to: &str| -> Result<i64, Box<EvalAltResult>> {
            let to = parse_date(to)?;
            if (to - a.received_date).num_days().abs() > 3_660 {
                return Err("business_days_until: date too far away".into());
            }
            Ok(e.business_days_between(a.received_date, to))
        },
    );
    engine.register_fn("search_key", |s: &str| {
        ImmutableString::from(acikkapi_core::text::search_key(s))
    });
    engine.register_fn("contains_word", contains_word);
    engine.register_fn("to_lower", |s: &str| {
        ImmutableString::from(acikkapi_core::text::to_lower_tr(s))
    });
    engine.register_fn("to_upper", |s: &str| {
        ImmutableString::from(acikkapi_core::text::to_upper_tr(s))
    });
}

/// Whether `text` contains `word` (one or more words) as whole words, in any Turkish spelling:
/// both are reduced to search keys first (`"Su kesintisi"` contains `"SU"` but `"Suriye"` does not).
pub fn contains_word(text: &str, word: &str) -> bool {
    let w = acikkapi_core::text::search_key(word);
    if w.is_empty() {
        return false;
    }
    let t = acikkapi_core::text::search_key(text);
    t.match_indices(&w).any(|(i, _)| {
        let before = i == 0 || t.as_bytes()[i - 1] == b' ';
        let end = i + w.len();
        let after = end == t.len() || t.as_bytes()[end] == b' ';
        before && after
    })
}

/// Sets up the per-thread deadline and log for one evaluation; undone on drop.
pub(crate) struct EvalGuard;

impl EvalGuard {
    pub(crate) fn start(limit: Duration) -> EvalGuard {
        DEADLINE.with(|d| d.set(Instant::now().checked_add(limit)));
        OPS.with(|c| c.set(0));
        TRIPPED.with(|t| t.set(None));
        LOG.with(|l| l.borrow_mut().clear());
        EvalGuard
    }

    /// The first limit that fired during this evaluation (and where, when known), even if the
    /// script went on.
    pub(crate) fn tripped(&self) -> Option<(LimitKind, Position)> {
        TRIPPED.with(Cell::get)
    }

    /// The log lines written so far.
    pub(crate) fn take_log(&self) -> Vec<String> {
        LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
    }
}

impl Drop for EvalGuard {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(None));
    }
}

fn line_col(pos: Position) -> (usize, usize) {
    (pos.line().unwrap_or(0), pos.position().unwrap_or(0))
}

/// Maps a parse error.
pub(crate) fn compile_error(script: &str, e: &ParseError) -> Error {
    let (line, column) = line_col(e.position());
    let message = e.err_type().to_string();
    if matches!(e.err_type(), rhai::ParseErrorType::ExprTooDeep) {
        return Error::Limit {
            script: script.to_string(),
            which: LimitKind::Depth,
            line,
            column,
            message,
        };
    }
    Error::Compile {
        script: script.to_string(),
        line,
        column,
        message,
    }
}

/// What a limit means, for messages.
fn limit_message(limits: &Limits, which: LimitKind) -> String {
    match which {
        LimitKind::Operations => format!("more than {} operations", limits.max_operations),
        LimitKind::Time => format!("ran longer than {} ms", limits.time_limit.as_millis()),
        LimitKind::Depth => format!(
            "nested too deep (at most {} function calls, lists and maps {} levels)",
            limits.max_call_levels,
            nesting::MAX_NESTING
        ),
        LimitKind::Size => format!(
            "a value too large (limits: string {} bytes, array {}, map {}, variables {})",
            limits.max_string_size,
            limits.max_array_size,
            limits.max_map_size,
            limits.max_variables
        ),
    }
}

/// The error of an evaluation in which a limit fired (`first`: which, and where when known),
/// whatever it ended with (`ended`: its error, if it failed). The evaluation may have gone on after
/// the limit (a native function swallowed it) or failed at a later step: the error names the first
/// limit, at the position where it fired, or else where the evaluation stopped.
pub(crate) fn tripped_error(
    script: &str,
    limits: &Limits,
    (which, pos): (LimitKind, Position),
    ended: Option<Error>,
) -> Error {
    let (mut line, mut column) = line_col(pos);
    let mut message = limit_message(limits, which);
    if let Some(Error::Limit {
        which: last,
        line: l,
        column: c,
        message: m,
        ..
    }) = ended
    {
        if pos.is_none() {
            (line, column) = (l, c);
        }
        if last == which {
            message = m;
        }
    }
    Error::Limit {
        script: script.to_string(),
        which,
        line,
        column,
        message,
    }
}

/// Maps a runtime error, looking through function-call wrappers for the real cause.
pub(crate) fn runtime_error(script: &str, limits: &Limits, e: &EvalAltResult) -> Error {
    let mut inner = e;
    let mut pos = e.position();
    while let EvalAltResult::ErrorInFunctionCall(_, _, err, p) = inner {
        if pos.is_none() {
            pos = *p;
        }
        inner = err;
    }
    if !inner.position().is_none() {
        pos = inner.position();
    }
    let (line, column) = line_col(pos);
    let limit = |which: LimitKind, message: String| Error::Limit {
        script: script.to_string(),
        which,
        line,
        column,
        message,
    };
    if let Some(which) = limit_of(inner) {
        let message = match inner {
            EvalAltResult::ErrorDataTooLarge(what, _) => format!(
                "{what} too large (limits: string {} bytes, array {}, map {})",
                limits.max_string_size, limits.max_array_size, limits.max_map_size
            ),
            EvalAltResult::ErrorTooManyVariables(_) => {
                format!("more than {} variables", limits.max_variables)
            }
            _ => limit_message(limits, which),
        };
        return limit(which, message);
    }
    match inner {
        EvalAltResult::ErrorTooManyModules(_) | EvalAltResult::ErrorModuleNotFound(..) => {
            Error::Runtime {
                script: script.to_string(),
                line,
                column,
                message: "import is not available in rule scripts".into(),
            }
        }
        EvalAltResult::ErrorParsing(p, _) => Error::Compile {
            script: script.to_string(),
            line,
            column,
            message: p.to_string(),
        },
        other => Error::Runtime {
            script: script.to_string(),
            line,
            column,
            message: strip_position(&other.to_string()),
        },
    }
}

/// Rhai's messages end in " (line L, position C)"; the error carries those separately.
fn strip_position(s: &str) -> String {
    match s.rfind(" (line ") {
        Some(i) if s.ends_with(')') => s[..i].to_string(),
        _ => s.to_string(),
    }
}
