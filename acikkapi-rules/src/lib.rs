//! # acikkapi-rules
//!
//! Per-province routing rules written in [Rhai](https://rhai.rs), run in a sandbox on top of the
//! native router of `acikkapi-core`.
//!
//! A province's officers write a script (`rules/20-denizli.rhai`) that sees a read-only `app` and
//! returns `route_to("…")`, `redirect("…")`, `reject("…")` or `default()`; see `RULES.md` for the
//! vocabulary. [`RuleSet`] compiles a script once and evaluates it many times, caching decisions on
//! exactly the fields the script reads; [`RuleRegistry`] swaps a province's rule set atomically;
//! [`testing`] runs rule tests with branch coverage; [`analysis`] lints.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use acikkapi_core as core;

pub mod analysis;
mod app;
mod cache;
pub mod diff;
mod engine;
mod env;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod guarded;
mod nesting;
mod outcome;
mod registry;
pub mod router;
mod ruleset;
pub mod sim;
mod source;
pub mod testing;

pub use app::{AppView, Field};
pub use cache::CacheStats;
pub use engine::{Limits, MAX_SCRIPT_BYTES, MAX_STRING_BYTES, contains_word};
pub use env::{Environment, StaticEnv, StaticUnit, is_weekend};
pub use error::{Error, LimitKind, Result};
pub use nesting::MAX_NESTING;
pub use outcome::{MAX_DEADLINE_DAYS, ScriptOutcome, ScriptPriority};
pub use registry::RuleRegistry;
pub use router::{EvalMode, OrgEnv, ScriptedRouter};
pub use ruleset::{CACHE_CAPACITY, Evaluation, RuleSet, content_hash};
pub use source::{MAX_TEST_FILE_BYTES, read_script, read_script_with_limit, read_test_file};
