//! # acikkapi
//!
//! Facade over the acikkapi crates and home of the `acikkapi` command-line tool.
//!
//! * [`core`]: domain model, calendar, routing, workflow ([`acikkapi_core`]).
//! * [`rules`]: per-province Rhai rules ([`acikkapi_rules`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use acikkapi_core as core;
pub use acikkapi_rules as rules;

pub mod cli;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
