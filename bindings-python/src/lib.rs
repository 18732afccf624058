//! Python bindings for acikkapi, built with maturin as the module `acikkapi._acikkapi` and
//! re-exported by the pure-Python package `acikkapi` (`python/acikkapi/__init__.py`).
//!
//! The bindings only translate: every decision is made in `acikkapi-core` / `acikkapi-rules`.
//! Values cross the boundary as JSON text (serde on the Rust side, `json` on the Python side), which
//! keeps one source of truth for field names. Every Rust error becomes an instance of a class from
//! `acikkapi.errors` (all deriving from `AcikKapiError`) carrying the Turkish message; no panic
//! crosses into Python.

#![forbid(unsafe_code)]

mod calendar;
mod engine;
mod errors;
mod routing;
mod simulation;
mod text_geo;
mod validation;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _acikkapi(m: &Bound<'_, PyModule>) -> PyResult<()> {
    calendar::register(m)?;
    engine::register(m)?;
    routing::register(m)?;
    simulation::register(m)?;
    text_geo::register(m)?;
    validation::register(m)?;
    Ok(())
}
