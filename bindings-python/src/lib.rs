//! Python bindings for acikkapi, built with maturin as the module `acikkapi._acikkapi` and
//! re-exported by the pure-Python package `acikkapi` (`python/acikkapi/__init__.py`).
//!
//! The bindings only translate: every decision is made in `acikkapi-core` / `acikkapi-rules`.
//! Every Rust error becomes a Python exception deriving from `acikkapi.AcikKapiError`, carrying the
//! Turkish message; no panic crosses into Python.

#![forbid(unsafe_code)]

use acikkapi_core::geo::Geography;
use acikkapi_core::text;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;

create_exception!(
    _acikkapi,
    AcikKapiError,
    PyException,
    "Base class of every acikkapi error."
);
create_exception!(
    _acikkapi,
    NotFoundError,
    AcikKapiError,
    "A province, district or category that does not exist."
);

fn core_err(e: acikkapi_core::Error) -> PyErr {
    match e {
        acikkapi_core::Error::UnknownProvince(_) | acikkapi_core::Error::UnknownDistrict { .. } => {
            NotFoundError::new_err(e.to_string())
        }
        other => AcikKapiError::new_err(other.to_string()),
    }
}

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

/// The 81 provinces as a list of dicts (plate, name, region, nuts1, nuts3, metropolitan, population_2023).
#[pyfunction]
fn provinces(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    Geography::embedded()
        .provinces()
        .iter()
        .map(|p| {
            let d = PyDict::new(py);
            d.set_item("plate", p.plate.get())?;
            d.set_item("name", &p.name)?;
            d.set_item("name_ascii", &p.name_ascii)?;
            d.set_item("region", p.region.name_tr())?;
            d.set_item("nuts1", &p.nuts1)?;
            d.set_item("nuts3", &p.nuts3)?;
            d.set_item("metropolitan", p.metropolitan)?;
            d.set_item("population_2023", p.population_2023)?;
            Ok(d)
        })
        .collect()
}

/// The districts of a province given by plate or name (any case, with or without Turkish letters).
#[pyfunction]
fn districts(province: &str) -> PyResult<Vec<String>> {
    let geo = Geography::embedded();
    let p = geo.require_province(province).map_err(core_err)?;
    Ok(geo
        .districts(p.plate)
        .iter()
        .map(|d| d.name.clone())
        .collect())
}

/// The native module.
#[pymodule]
fn _acikkapi(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("AcikKapiError", m.py().get_type::<AcikKapiError>())?;
    m.add("NotFoundError", m.py().get_type::<NotFoundError>())?;
    m.add_function(wrap_pyfunction!(lower_tr, m)?)?;
    m.add_function(wrap_pyfunction!(upper_tr, m)?)?;
    m.add_function(wrap_pyfunction!(search_key, m)?)?;
    m.add_function(wrap_pyfunction!(sorted_tr, m)?)?;
    m.add_function(wrap_pyfunction!(provinces, m)?)?;
    m.add_function(wrap_pyfunction!(districts, m)?)?;
    Ok(())
}
