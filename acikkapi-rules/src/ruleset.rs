//! [`RuleSet`]: one province's script, compiled once, evaluated many times from many threads.

use std::fmt::Write as _;
use std::sync::Arc;

use rhai::{AST, Dynamic, Engine, OptimizationLevel, Scope};
use sha2::{Digest, Sha256};

use crate::analysis::{self, Branch, Finding, ReadSet};
use crate::app::{AppView, Field, ScriptApp};
use crate::cache::{CacheStats, OutcomeCache};
use crate::engine::{self, EvalGuard, Flavour, Limits};
use crate::env::Environment;
use crate::error::{Error, Result};
use crate::outcome::{self, ScriptOutcome};

/// Decisions kept in a rule set's cache (see [`RuleSet::decide`]).
pub const CACHE_CAPACITY: usize = 4_096;

/// Scripts up to this size (32 KiB) are optimised by Rhai (constant folding, dead branches);
/// longer ones are run as written. Rhai 1.27's optimiser is quadratic in the number of `switch`
/// arms (release build: 4 000 arms, 224 KB, took 57 ms to optimise against 8 ms to parse; 1 000
/// arms 4.7 ms against 2 ms), so beyond a size no province script comes near it costs more than it
/// saves.
const OPTIMISED_UP_TO: usize = 32 * 1024;

/// The result of running a script on one application.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Evaluation {
    /// What the script decided.
    pub outcome: ScriptOutcome,
    /// Lines the script wrote with `print`/`debug`.
    pub log: Vec<String>,
    /// Whether the decision came from the cache.
    pub cached: bool,
}

/// Kural seti: a compiled province rule script with its sandbox and decision cache.
///
/// Cheap to share: wrap in an `Arc` (the engine and AST inside are `Arc`s too, so a
/// [`RuleRegistry`](crate::RuleRegistry) can hand the same compiled script to every thread).
///
/// ```
/// use std::sync::Arc;
/// use acikkapi_rules::{AppView, RuleSet, ScriptOutcome, StaticEnv};
/// let env = Arc::new(StaticEnv::new(&[("20.DESKI", "DESKİ")], &[]));
/// let rules = RuleSet::compile(
///     "ornek.rhai",
///     r#"if app.heading == "YEREL" { route_to("DESKİ") } else { default() }"#,
///     env,
/// ).unwrap();
/// let out = rules.decide(&AppView::new("YEREL.DIGER", 20, "Merkezefendi")).unwrap();
/// assert_eq!(out.outcome.target_label(), "route:20.DESKI");
/// let out = rules.decide(&AppView::new("SAGLIK.DIGER", 20, "Merkezefendi")).unwrap();
/// assert_eq!(out.outcome, ScriptOutcome::Default);
/// ```
pub struct RuleSet {
    name: String,
    source: Arc<str>,
    /// Where the code starts in `source` (after a byte-order mark).
    code_start: usize,
    version: String,
    limits: Limits,
    env: Arc<dyn Environment>,
    engine: Arc<Engine>,
    ast: Arc<AST>,
    /// The unoptimised AST: lint, branches, field reads, coverage runs.
    plain_ast: Arc<AST>,
    /// Engine with the coverage hook, for rule tests.
    coverage_engine: Arc<Engine>,
    reads: ReadSet,
    key_fields: Vec<Field>,
    cache: OutcomeCache,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("reads", &self.reads)
            .finish_non_exhaustive()
    }
}

/// SHA-256 of a script's text, lower-case hex.
pub fn content_hash(source: &str) -> String {
    let digest = Sha256::digest(source.as_bytes());
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A scope with `app`; constant at run time, a plain variable when compiling (so the optimiser
/// does not fold the placeholder into the AST).
fn scope_with(app: ScriptApp, constant: bool) -> Scope<'static> {
    let mut scope = Scope::new();
    if constant {
        scope.push_constant("app", app);
    } else {
        scope.push("app", app);
    }
    scope
}

impl RuleSet {
    /// Compiles a script with the default [`Limits`].
    pub fn compile(name: &str, source: &str, env: Arc<dyn Environment>) -> Result<RuleSet> {
        RuleSet::compile_with_limits(name, source, env, Limits::default())
    }

    /// Compiles a script with the given limits.
    ///
    /// A script longer than [`Limits::max_script_bytes`] is refused unparsed
    /// ([`Error::ScriptTooLarge`]). A leading UTF-8 byte-order mark (as some Windows editors write)
    /// is skipped; the [version](Self::version) is still the hash of the text as given.
    pub fn compile_with_limits(
        name: &str,
        source: &str,
        env: Arc<dyn Environment>,
        limits: Limits,
    ) -> Result<RuleSet> {
        if source.len() > limits.max_script_bytes {
            return Err(Error::ScriptTooLarge {
                script: name.to_string(),
                bytes: source.len(),
                max: limits.max_script_bytes,
            });
        }
        let code = source.strip_prefix('\u{feff}').unwrap_or(source);
        let internal = |message: String| Error::Compile {
            script: name.to_string(),
            line: 0,
            column: 0,
            message,
        };
        let mut engine = engine::build(&limits, env.clone(), Flavour::Run).map_err(internal)?;
        if code.len() > OPTIMISED_UP_TO {
            engine.set_optimization_level(OptimizationLevel::None);
        }
        let plain = engine::build(&limits, env.clone(), Flavour::Coverage).map_err(internal)?;
        let placeholder = ScriptApp::from(&AppView::default());
        let ast = engine
            .compile_with_scope(&scope_with(placeholder.clone(), false), code)
            .map_err(|e| engine::compile_error(name, &e))?;
        let plain_ast = plain
            .compile_with_scope(&scope_with(placeholder, false), code)
            .map_err(|e| engine::compile_error(name, &e))?;
        let reads = analysis::reads(&plain_ast);
        let key_fields = reads.fields.iter().copied().collect();
        Ok(RuleSet {
            name: name.to_string(),
            source: source.into(),
            code_start: source.len() - code.len(),
            version: content_hash(source),
            limits,
            env,
            engine: Arc::new(engine),
            ast: Arc::new(ast),
            plain_ast: Arc::new(plain_ast),
            coverage_engine: Arc::new(plain),
            reads,
            key_fields,
            cache: OutcomeCache::new(CACHE_CAPACITY),
        })
    }

    /// The script's name (usually its file name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The script's text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Sürüm: SHA-256 of the script's text (64 hex digits). Recorded in every decision.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The first 12 hex digits of [`version`](Self::version), for messages.
    pub fn short_version(&self) -> &str {
        &self.version[..12]
    }

    /// The sandbox limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The environment (organisation and calendar) the helpers use.
    pub fn env(&self) -> &Arc<dyn Environment> {
        &self.env
    }

    /// The `app` fields the script reads.
    pub fn reads(&self) -> &ReadSet {
        &self.reads
    }

    /// Whether [`decide`](Self::decide) caches decisions for this script.
    pub fn is_cacheable(&self) -> bool {
        self.reads.cacheable()
    }

    /// Hits and misses of the decision cache.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// Lint findings (see [`analysis::lint`]).
    pub fn lint(&self) -> Vec<Finding> {
        analysis::lint(&self.plain_ast, &*self.env)
    }

    /// The script's `if`/`switch` branches.
    pub fn branches(&self) -> Vec<Branch> {
        analysis::branches(&self.plain_ast, &self.source[self.code_start..])
    }

    pub(crate) fn plain_ast(&self) -> &AST {
        &self.plain_ast
    }

    /// Naive evaluation on the unoptimised AST with the coverage hook (rule tests).
    pub(crate) fn evaluate_for_coverage(
        &self,
        app: &AppView,
    ) -> Result<(ScriptOutcome, Vec<String>)> {
        self.run_on(&self.coverage_engine, &self.plain_ast, app)
    }

    /// Runs `ast` on `engine` for one application, inside the sandbox.
    pub(crate) fn run_on(
        &self,
        engine: &Engine,
        ast: &AST,
        app: &AppView,
    ) -> Result<(ScriptOutcome, Vec<String>)> {
        let guard = EvalGuard::start(self.limits.time_limit);
        let mut scope = scope_with(ScriptApp::from(app), true);
        let result = engine.eval_ast_with_scope::<Dynamic>(&mut scope, ast);
        let log = guard.take_log();
        let tripped = guard.tripped();
        drop(guard);
        let mapped = match result {
            Ok(value) => outcome::from_dynamic(value, &self.name, &*self.env).map(|o| (o, log)),
            Err(e) => Err(engine::runtime_error(&self.name, &self.limits, &e)),
        };
        match tripped {
            // A limit fired: the evaluation fails with it, whatever the script went on to do.
            Some(first) => Err(engine::tripped_error(
                &self.name,
                &self.limits,
                first,
                mapped.err(),
            )),
            None => mapped,
        }
    }

    /// Naive evaluation: runs the script for this application, every time.
    pub fn evaluate(&self, app: &AppView) -> Result<Evaluation> {
        let (outcome, log) = self.run_on(&self.engine, &self.ast, app)?;
        Ok(Evaluation {
            outcome,
            log,
            cached: false,
        })
    }

    /// Fast path: the same answer as [`evaluate`](Self::evaluate), served from the decision cache
    /// when an application with the same values of every field the script reads was decided
    /// before. Errors are never cached (a time-limit error depends on the machine's load).
    pub fn decide(&self, app: &AppView) -> Result<Evaluation> {
        if !self.reads.cacheable() {
            return self.evaluate(app);
        }
        let mut h = crate::cache::FxHasher::default();
        for f in &self.key_fields {
            app.hash_field(*f, &mut h);
        }
        let hash = std::hash::Hasher::finish(&h);
        let hit = self.cache.get(hash, |key| {
            key.len() == self.key_fields.len()
                && key
                    .iter()
                    .zip(&self.key_fields)
                    .all(|(part, f)| app.field_is(*f, part))
        });
        if let Some(cached) = hit {
            return Ok(Evaluation {
                outcome: cached.0.clone(),
                log: cached.1.clone(),
                cached: true,
            });
        }
        let (outcome, log) = self.run_on(&self.engine, &self.ast, app)?;
        let key = self.key_fields.iter().map(|f| app.key_part(*f)).collect();
        self.cache
            .insert(hash, key, Arc::new((outcome.clone(), log.clone())));
        Ok(Evaluation {
            outcome,
            log,
            cached: false,
        })
    }
}
