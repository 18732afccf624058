//! Routing for Python: the native router plus the province's Rhai rules.

use std::sync::Arc;

use acikkapi_core::geo::ProvincePlate;
use acikkapi_core::routing::{Decision, RouteRequest, Router};
use acikkapi_rules::{RuleRegistry, RuleSet, ScriptedRouter};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::errors::{core_err, py_error};

fn rules_err(py: Python<'_>, e: acikkapi_rules::Error) -> PyErr {
    py_error(py, "RuleError", (e.to_string(),))
}

/// Yönlendirme: routes applications of one province to the authorised officer of the right unit.
#[pyclass(name = "Router", module = "acikkapi._acikkapi", frozen)]
pub struct PyRouter {
    inner: Arc<ScriptedRouter>,
}

fn decision_json(py: Python<'_>, d: &Decision) -> PyResult<String> {
    serde_json::to_string(d).map_err(|e| py_error(py, "AcikKapiError", (e.to_string(),)))
}

#[pymethods]
impl PyRouter {
    /// `province`: plate; `rules`: `None` for the province's bundled script (if any), `""` for the
    /// native router alone, or the Rhai source text of a rule set (named `rules_name`).
    #[new]
    #[pyo3(signature = (province, rules = None, rules_name = "rules.rhai"))]
    fn new(py: Python<'_>, province: u8, rules: Option<&str>, rules_name: &str) -> PyResult<Self> {
        let plate = ProvincePlate::new(province).map_err(|e| core_err(py, e))?;
        let inner = match rules {
            None => ScriptedRouter::for_province(plate).map_err(|e| rules_err(py, e))?,
            Some(source) => {
                let native = Router::for_province(plate).map_err(|e| core_err(py, e))?;
                let registry = RuleRegistry::new(province);
                if !source.trim().is_empty() {
                    let env = Arc::new(acikkapi_rules::OrgEnv::new(Arc::new(native.org().clone())));
                    registry.install(
                        RuleSet::compile(rules_name, source, env).map_err(|e| rules_err(py, e))?,
                    );
                }
                ScriptedRouter::new(native, registry)
            }
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The installed rule set's version (SHA-256 of its text), or `None` for native routing.
    #[getter]
    fn rules_version(&self) -> Option<String> {
        self.inner.registry().version()
    }

    /// Routes one request given as JSON (`RouteRequest` fields); returns the decision as JSON.
    fn route_json(&self, py: Python<'_>, request: &str) -> PyResult<String> {
        let req: RouteRequest = serde_json::from_str(request).map_err(|e| {
            py_error(
                py,
                "ValidationError",
                (format!("geçersiz yönlendirme isteği: {e}"),),
            )
        })?;
        let d = self.inner.route(&req).map_err(|e| rules_err(py, e))?;
        decision_json(py, &d)
    }

    /// Routes many requests (a JSON array) without the GIL; returns a JSON array of decisions, or
    /// of `{"error": "..."}` objects for requests that could not be routed.
    fn route_many_json(&self, py: Python<'_>, requests: &str) -> PyResult<String> {
        let reqs: Vec<RouteRequest> = serde_json::from_str(requests).map_err(|e| {
            py_error(
                py,
                "ValidationError",
                (format!("geçersiz yönlendirme isteği: {e}"),),
            )
        })?;
        let router = Arc::clone(&self.inner);
        // Written straight into one buffer: no intermediate `serde_json::Value` per decision.
        let out = py.allow_threads(move || -> Result<String, String> {
            let mut buf = Vec::with_capacity(reqs.len() * 512 + 2);
            buf.push(b'[');
            for (i, r) in reqs.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                let written = match router.route(r) {
                    Ok(d) => serde_json::to_writer(&mut buf, &d),
                    Err(e) => serde_json::to_writer(
                        &mut buf,
                        &serde_json::json!({ "error": e.to_string() }),
                    ),
                };
                written.map_err(|e| e.to_string())?;
            }
            buf.push(b']');
            String::from_utf8(buf).map_err(|e| e.to_string())
        });
        out.map_err(|e| py_error(py, "AcikKapiError", (e,)))
    }

    /// Native fast path over columns: returns the target unit id of each row (`None` where the row
    /// cannot be routed). `dates` are ISO strings or `datetime.date`s. Runs without the GIL.
    #[pyo3(signature = (categories, districts, dates))]
    fn route_columns<'py>(
        &self,
        py: Python<'py>,
        categories: Vec<String>,
        districts: Vec<String>,
        dates: Vec<chrono::NaiveDate>,
    ) -> PyResult<Vec<Option<Bound<'py, PyString>>>> {
        if categories.len() != districts.len() || categories.len() != dates.len() {
            return Err(py_error(
                py,
                "ValidationError",
                ("columns must have the same length",),
            ));
        }
        let router = Arc::clone(&self.inner);
        let province = router.native().org().plate();
        let units: Vec<Option<u32>> = py.allow_threads(move || {
            let native = router.native();
            categories
                .iter()
                .zip(&districts)
                .zip(&dates)
                .map(|((c, d), date)| {
                    let code = acikkapi_core::taxonomy::CategoryCode::parse(c).ok()?;
                    let req = RouteRequest::new(code, province, d, *date);
                    let resolved = native.resolve(&req).ok()?;
                    let unit = native.route_resolved(&resolved).unit;
                    // Rejections and unroutable rows carry no unit (an index past the unit list).
                    native.org().units().get(unit as usize).map(|_| unit)
                })
                .collect()
        });
        // Intern one Python string per distinct unit.
        let native = self.inner.native();
        let mut cache: std::collections::HashMap<u32, Bound<'py, PyString>> =
            std::collections::HashMap::new();
        Ok(units
            .into_iter()
            .map(|u| {
                u.map(|u| {
                    cache
                        .entry(u)
                        .or_insert_with(|| {
                            PyString::new(
                                py,
                                native
                                    .org()
                                    .units()
                                    .get(u as usize)
                                    .map_or("", |x| x.id.as_str()),
                            )
                        })
                        .clone()
                })
            })
            .collect())
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRouter>()
}
