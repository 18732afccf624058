//! The Turkish business-day calendar for Python.

use acikkapi_core::calendar::{Calendar, CalendarKind, CalendarOptions, HalfDayPolicy};
use acikkapi_core::time;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::{core_err, py_error};

/// A time as Python passes it: an aware datetime (any offset), or a naive one meaning Türkiye's
/// local time — read by the core ([`acikkapi_core::time`]: +02:00 or +03:00 before September
/// 2016, +03:00 since), never with a fixed offset here.
#[derive(FromPyObject)]
enum When {
    Aware(DateTime<FixedOffset>),
    Naive(NaiveDateTime),
}

impl When {
    /// The instant in Türkiye's local time; a naive time that no clock in Türkiye showed (the
    /// spring-forward hour before 2016) is a `CalendarError`.
    fn local(self, py: Python<'_>) -> PyResult<DateTime<Tz>> {
        match self {
            When::Aware(t) => Ok(time::to_local(t)),
            When::Naive(n) => time::from_local_checked(n).ok_or_else(|| {
                py_error(
                    py,
                    "CalendarError",
                    (format!(
                        "{n} Türkiye saatinde yaşanmadı (ileri saat uygulaması)"
                    ),),
                )
            }),
        }
    }
}

/// A naive datetime in Türkiye's local time as an aware UTC datetime (the engine's times), by
/// the core's Europe/Istanbul rules: a repeated hour is its first occurrence, a skipped one lands
/// after the gap.
#[pyfunction]
fn _istanbul_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    time::from_local(local).with_timezone(&Utc)
}

/// Days from 1970-01-01 (numpy's `datetime64[D]` epoch) to 0001-01-01 in chrono's day numbering.
const UNIX_EPOCH_CE_DAYS: i64 = 719_163;

fn from_epoch_day(d: i64) -> Option<NaiveDate> {
    i32::try_from(d + UNIX_EPOCH_CE_DAYS)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

fn to_epoch_day(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - UNIX_EPOCH_CE_DAYS
}

fn read_i64s(bytes: &[u8]) -> Vec<i64> {
    bytes
        .chunks_exact(8)
        .map(|c| {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            i64::from_le_bytes(a)
        })
        .collect()
}

/// Runs `f` over `len` items without the GIL, collecting little-endian int64 results; the first
/// failure (a message naming the item) becomes a `CalendarError`.
fn batch_i64<'py, F>(py: Python<'py>, len: usize, f: F) -> PyResult<Bound<'py, PyBytes>>
where
    F: Fn(usize) -> Result<i64, String> + Send,
{
    let result: Result<Vec<u8>, String> = py.allow_threads(move || {
        let mut out = Vec::with_capacity(len * 8);
        for i in 0..len {
            out.extend_from_slice(&f(i)?.to_le_bytes());
        }
        Ok(out)
    });
    match result {
        Ok(bytes) => Ok(PyBytes::new(py, &bytes)),
        Err(msg) => Err(py_error(py, "CalendarError", (msg,))),
    }
}

/// İş günü takvimi: the Turkish business-day calendar (``"public"``, the default for Açık Kapı
/// deadlines, or ``"legal"``).
#[pyclass(name = "Calendar", module = "acikkapi._acikkapi", frozen)]
pub struct PyCalendar {
    inner: Calendar,
}

#[pymethods]
impl PyCalendar {
    /// `kind`: "public" (legal holidays plus idari izin days) or "legal";
    /// `half_days`: whether half days (arife afternoons, 28 October) count as business days.
    #[new]
    #[pyo3(signature = (kind = "public", half_days = true, use_table = true))]
    fn new(py: Python<'_>, kind: &str, half_days: bool, use_table: bool) -> PyResult<Self> {
        let kind = match kind {
            "public" | "public_sector" => CalendarKind::PublicSector,
            "legal" => CalendarKind::Legal,
            other => {
                return Err(py_error(
                    py,
                    "CalendarError",
                    (format!(
                        "unknown calendar kind {other:?}: use \"public\" or \"legal\""
                    ),),
                ));
            }
        };
        let options = CalendarOptions {
            kind,
            half_day_policy: if half_days {
                HalfDayPolicy::CountsAsBusinessDay
            } else {
                HalfDayPolicy::NotBusinessDay
            },
            no_bayram_table: !use_table,
            ..CalendarOptions::default()
        };
        Ok(Self {
            inner: Calendar::new(options),
        })
    }

    /// Whether `date` is a business day.
    fn is_business_day(&self, py: Python<'_>, date: NaiveDate) -> PyResult<bool> {
        self.inner
            .is_business_day(date)
            .map_err(|e| core_err(py, e))
    }

    /// The `n`-th business day strictly after `date` (before it for negative `n`).
    fn add_business_days(&self, py: Python<'_>, date: NaiveDate, n: i64) -> PyResult<NaiveDate> {
        self.inner
            .add_business_days(date, n)
            .map_err(|e| core_err(py, e))
    }

    /// Business days in the half-open interval (a, b]; negative when b < a.
    fn business_days_between(&self, py: Python<'_>, a: NaiveDate, b: NaiveDate) -> PyResult<i64> {
        self.inner
            .business_days_between(a, b)
            .map_err(|e| core_err(py, e))
    }

    /// The holidays of a year as a list of dicts: date, name_tr, name_en, kind, source.
    fn holidays<'py>(&self, py: Python<'py>, year: i32) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let list = self.inner.holidays(year).map_err(|e| core_err(py, e))?;
        list.into_iter()
            .map(|h| {
                let d = PyDict::new(py);
                d.set_item("date", h.date)?;
                d.set_item("name_tr", h.name_tr)?;
                d.set_item("name_en", h.name_en)?;
                d.set_item("kind", h.kind.as_str())?;
                d.set_item("source", h.source.as_str())?;
                Ok(d)
            })
            .collect()
    }

    /// When an application received at `received_at` (aware, or naive meaning Istanbul time) is
    /// due after `n` business days; an aware datetime in Istanbul time.
    #[pyo3(signature = (received_at, n = 7))]
    fn deadline(
        &self,
        py: Python<'_>,
        received_at: When,
        n: u32,
    ) -> PyResult<DateTime<FixedOffset>> {
        let local = received_at.local(py)?;
        let due = self.inner.deadline(local, n).map_err(|e| core_err(py, e))?;
        Ok(due.fixed_offset())
    }

    /// Batch `add_business_days` over raw little-endian int64 day numbers since 1970-01-01 (numpy
    /// `datetime64[D]`), with one `n` per date (or a single `n` when `ns` has one element).
    /// Runs without the GIL. Returns the results in the same encoding.
    fn _add_business_days_epoch<'py>(
        &self,
        py: Python<'py>,
        days: &[u8],
        ns: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        let days = read_i64s(days);
        let ns = read_i64s(ns);
        if ns.len() != 1 && ns.len() != days.len() {
            return Err(py_error(
                py,
                "CalendarError",
                ("n must be a scalar or have one value per date",),
            ));
        }
        let cal = self.inner.clone();
        batch_i64(py, days.len(), move |i| {
            let (d, n) = (days[i], if ns.len() == 1 { ns[0] } else { ns[i] });
            let date = from_epoch_day(d)
                .ok_or_else(|| format!("date #{i} ({d} days since 1970) is out of range"))?;
            let r = cal
                .add_business_days(date, n)
                .map_err(|e| format!("date #{i} ({date}): {e}"))?;
            Ok(to_epoch_day(r))
        })
    }

    /// Batch `business_days_between` over raw int64 day numbers (see `_add_business_days_epoch`).
    fn _business_days_between_epoch<'py>(
        &self,
        py: Python<'py>,
        a: &[u8],
        b: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        let a = read_i64s(a);
        let b = read_i64s(b);
        if a.len() != b.len() {
            return Err(py_error(
                py,
                "CalendarError",
                ("a and b must have the same length",),
            ));
        }
        let cal = self.inner.clone();
        batch_i64(py, a.len(), move |i| {
            let (Some(x), Some(y)) = (from_epoch_day(a[i]), from_epoch_day(b[i])) else {
                return Err(format!("pair #{i} is out of range"));
            };
            cal.business_days_between(x, y)
                .map_err(|e| format!("pair #{i}: {e}"))
        })
    }

    fn __repr__(&self) -> String {
        let o = self.inner.options();
        format!(
            "Calendar(kind={:?}, half_days={})",
            match o.kind {
                CalendarKind::Legal => "legal",
                CalendarKind::PublicSector => "public",
            },
            o.half_day_policy == HalfDayPolicy::CountsAsBusinessDay
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCalendar>()?;
    m.add_function(wrap_pyfunction!(_istanbul_to_utc, m)?)
}
