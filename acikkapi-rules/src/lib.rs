//! # acikkapi-rules
//!
//! Per-province routing rules written in [Rhai](https://rhai.rs), run in a sandbox on top of the
//! native router of `acikkapi-core`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use acikkapi_core as core;
