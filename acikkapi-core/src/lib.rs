//! # acikkapi-core
//!
//! The domain of Türkiye's *Açık Kapı* ("Open Door") citizen-application system: applications and
//! applicants, identifiers (TC Kimlik No, tracking numbers, phone numbers), Turkish text handling,
//! geography (81 provinces, 973 districts), the service taxonomy, the Turkish business-day calendar,
//! routing, the workflow engine and its journal.
//!
//! What it is not: it knows nothing of Rhai scripts (see `acikkapi-rules`), Python (see
//! `bindings-python`) or the command line (the `acikkapi` binary). Those crates translate; this one decides.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod application;
pub mod bounded;
pub mod calendar;
mod codes;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod geo;
pub mod ids;
pub mod journal;
pub mod notify;
pub mod org;
pub mod redact;
pub mod rng;
pub mod routing;
pub mod samples;
pub mod service;
pub mod sim;
pub mod stats;
pub mod taxonomy;
pub mod text;
pub mod time;
pub mod validate;
pub mod workflow;

pub use error::{Error, Result};

/// Cevap süresi: the business days an Açık Kapı application must be answered in (the Açık Kapı
/// rule). The default of the workflow's [`ApplicationConfig::answer_days`](workflow::application::ApplicationConfig)
/// and of the router's [`DeadlinePolicy::normal_days`](routing::DeadlinePolicy); routing may
/// shorten it, never lengthen it.
pub const ANSWER_DAYS: u32 = 7;
