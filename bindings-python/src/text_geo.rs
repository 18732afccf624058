//! Turkish text, geography and taxonomy lookups.

use acikkapi_core::geo::Geography;
use acikkapi_core::taxonomy::Taxonomy;
use acikkapi_core::text;
use pyo3::prelude::*;

use crate::errors::core_err;

/// Turkish lower case (I → ı, İ → i).
#[pyfunction]
fn lower_tr(s: &str) -> String {
    text::to_lower_tr(s)
}

/// Turkish upper case (i → İ, ı → I).
#[pyfunction]
fn upper_tr(s: &str) -> String {
    text::to_upper_tr(s)
}

/// ASCII-folded search key: case-insensitive, Turkish letters folded, punctuation collapsed.
#[pyfunction]
fn search_key(s: &str) -> String {
    text::search_key(s)
}

/// Sorts strings in Turkish alphabetical order and returns a new list.
#[pyfunction]
fn sorted_tr(items: Vec<String>) -> Vec<String> {
    let mut items = items;
    text::sort_tr(&mut items);
    items
}

/// The 81 provinces as JSON (a list of objects).
#[pyfunction]
fn provinces_json() -> PyResult<String> {
    serde_json::to_string(Geography::embedded().provinces())
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

/// A province (JSON object) by plate or name in any spelling.
#[pyfunction]
fn province_json(py: Python<'_>, name_or_plate: &str) -> PyResult<String> {
    let p = Geography::embedded()
        .require_province(name_or_plate)
        .map_err(|e| core_err(py, e))?;
    serde_json::to_string(p).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

/// The districts of a province given by plate or name (any case, with or without Turkish letters).
#[pyfunction]
fn districts(py: Python<'_>, province: &str) -> PyResult<Vec<String>> {
    let geo = Geography::embedded();
    let p = geo
        .require_province(province)
        .map_err(|e| core_err(py, e))?;
    Ok(geo
        .districts(p.plate)
        .iter()
        .map(|d| d.name.clone())
        .collect())
}

/// The canonical name of a district of a province, or `NotFoundError`.
#[pyfunction]
fn district(py: Python<'_>, province: &str, name: &str) -> PyResult<String> {
    let geo = Geography::embedded();
    let p = geo
        .require_province(province)
        .map_err(|e| core_err(py, e))?;
    Ok(geo
        .require_district(p.plate, name)
        .map_err(|e| core_err(py, e))?
        .name
        .clone())
}

/// The taxonomy: `(version, headings JSON, categories JSON, institution types JSON)`.
#[pyfunction]
fn taxonomy_json() -> PyResult<(String, String, String, String)> {
    let t = Taxonomy::embedded();
    let j = |r: serde_json::Result<String>| {
        r.map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
    };
    Ok((
        t.version().to_string(),
        j(serde_json::to_string(t.headings()))?,
        j(serde_json::to_string(t.categories()))?,
        j(serde_json::to_string(t.institution_types()))?,
    ))
}

/// Category suggestions for a text as JSON: `[{code, score, matched}]`, best first.
#[pyfunction]
#[pyo3(signature = (text, limit = 5))]
fn suggest_categories_json(text: &str, limit: usize) -> PyResult<String> {
    serde_json::to_string(&Taxonomy::embedded().suggest_categories_n(text, limit))
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(lower_tr, m)?)?;
    m.add_function(wrap_pyfunction!(upper_tr, m)?)?;
    m.add_function(wrap_pyfunction!(search_key, m)?)?;
    m.add_function(wrap_pyfunction!(sorted_tr, m)?)?;
    m.add_function(wrap_pyfunction!(provinces_json, m)?)?;
    m.add_function(wrap_pyfunction!(province_json, m)?)?;
    m.add_function(wrap_pyfunction!(districts, m)?)?;
    m.add_function(wrap_pyfunction!(district, m)?)?;
    m.add_function(wrap_pyfunction!(taxonomy_json, m)?)?;
    m.add_function(wrap_pyfunction!(suggest_categories_json, m)?)?;
    Ok(())
}
