//! Mapping Rust errors to the Python exception classes defined in `acikkapi/errors.py`.

use pyo3::call::PyCallArgs;
use pyo3::prelude::*;

/// Builds an exception of class `acikkapi.errors.<class>` with `args`.
pub fn py_error<'py, A>(py: Python<'py>, class: &str, args: A) -> PyErr
where
    A: PyCallArgs<'py>,
{
    let build = || -> PyResult<PyErr> {
        let cls = py.import("acikkapi.errors")?.getattr(class)?;
        let instance = cls.call1(args)?;
        Ok(PyErr::from_value(instance))
    };
    build().unwrap_or_else(|e| e)
}

/// Converts a core error into the matching Python exception.
pub fn core_err(py: Python<'_>, e: acikkapi_core::Error) -> PyErr {
    use acikkapi_core::Error as E;
    let class = match &e {
        E::UnknownProvince(_) | E::UnknownDistrict { .. } | E::UnknownCategory { .. } => {
            "NotFoundError"
        }
        E::InvalidTaxonomy { .. } | E::DataFile { .. } | E::UnsupportedSchema { .. } => {
            "DataFileError"
        }
        E::Rejected(_)
        | E::Tckn(_)
        | E::Phone(_)
        | E::TrackingNumber(_)
        | E::InvalidPlate(_)
        | E::InvalidCode { .. } => "ValidationError",
        E::DateOutOfRange { .. }
        | E::YearOutOfRange { .. }
        | E::HijriOutOfRange { .. }
        | E::BusinessDaysOutOfRange { .. }
        | E::InvalidLocalTime(_) => "CalendarError",
        e if e.is_journal() => "JournalError",
        _ => "AcikKapiError",
    };
    py_error(py, class, (e.to_string(),))
}
