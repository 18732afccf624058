//! Validation of application inputs.

use acikkapi_core::geo::Geography;
use acikkapi_core::ids::Full;
use acikkapi_core::taxonomy::Taxonomy;
use pyo3::prelude::*;

use crate::errors::py_error;

/// Validates an application input given as JSON. Returns the normalised application as JSON in
/// storage form (full identifiers); raises `ValidationError(message, problems_json)` listing every
/// problem (unknown keys included, all of them: `acikkapi_core::validate::validate_json`).
#[pyfunction]
fn validate_json(py: Python<'_>, input: &str) -> PyResult<String> {
    let result =
        acikkapi_core::validate::validate_json(input, Geography::embedded(), Taxonomy::embedded());
    match result {
        Ok(app) => serde_json::to_string(&Full(&app))
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string())),
        Err(rejection) => {
            let problems =
                serde_json::to_string(&rejection.problems).unwrap_or_else(|_| "[]".to_string());
            Err(py_error(
                py,
                "ValidationError",
                (rejection.to_string(), problems, rejection.reasons_tr()),
            ))
        }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(validate_json, m)?)?;
    Ok(())
}
