//! What scripts may ask about the world: the province's organisation (units) and the business-day
//! calendar. [`Environment`] is the adapter between the script helpers and `acikkapi-core`; every
//! method is deterministic (same question, same answer), which is what lets the rule engine cache
//! decisions.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Org and calendar lookups for script helpers (`unit_exists`, `find_unit`, `add_business_days`,
/// `business_days_between`, `app.business_days_until`).
pub trait Environment: Send + Sync + std::fmt::Debug {
    /// The unit id for a unit id or a unit name (any Turkish spelling), if the organisation has it.
    fn find_unit(&self, name_or_id: &str) -> Option<String>;

    /// Whether the organisation has a unit with this id or name.
    fn unit_exists(&self, name_or_id: &str) -> bool {
        self.find_unit(name_or_id).is_some()
    }

    /// Every unit id (for lint messages and rule tests).
    fn unit_ids(&self) -> Vec<String>;

    /// İş günü: whether the date is a business day.
    fn is_business_day(&self, date: NaiveDate) -> bool;

    /// The date `n` business days after `from` (`n` may be negative: before).
    fn add_business_days(&self, from: NaiveDate, n: i64) -> Option<NaiveDate> {
        weekday_add(self, from, n)
    }

    /// Business days after `from` up to and including `to` (negative when `to` is before `from`).
    fn business_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        weekday_between(self, from, to)
    }
}

/// Counts days one by one with `env.is_business_day`. `n = 0` gives `from`.
fn weekday_add<E: Environment + ?Sized>(env: &E, from: NaiveDate, n: i64) -> Option<NaiveDate> {
    let mut d = from;
    let mut left = n.unsigned_abs();
    // A year holds far more than 60 business days; guards against a calendar with none.
    let mut guard: u64 = left.saturating_mul(3).saturating_add(400);
    while left > 0 {
        d = if n > 0 {
            d.checked_add_days(Days::new(1))?
        } else {
            d.checked_sub_days(Days::new(1))?
        };
        if env.is_business_day(d) {
            left -= 1;
        }
        guard = guard.checked_sub(1)?;
    }
    Some(d)
}

/// Counts days one by one with `env.is_business_day`: business days in `(from, to]`.
fn weekday_between<E: Environment + ?Sized>(env: &E, from: NaiveDate, to: NaiveDate) -> i64 {
    let (a, b, sign) = if from <= to {
        (from, to, 1)
    } else {
        (to, from, -1)
    };
    let mut n = 0i64;
    let mut d = a;
    while d < b {
        match d.checked_add_days(Days::new(1)) {
            Some(next) => d = next,
            None => break,
        }
        if env.is_business_day(d) {
            n += 1;
        }
    }
    sign * n
}

/// One unit of a [`StaticEnv`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaticUnit {
    /// Unit id, e.g. `"20.DESKI"`.
    pub id: String,
    /// Unit name, e.g. `"Denizli Su ve Kanalizasyon İdaresi"`.
    pub name: String,
}

/// An [`Environment`] from a fixed list of units and holidays (weekends are never business days).
/// Used for tests and for checking scripts without the organisation data.
///
/// ```
/// use acikkapi_rules::{Environment, StaticEnv};
/// let env = StaticEnv::new(&[("20.DESKI", "Denizli Su ve Kanalizasyon İdaresi")], &[]);
/// assert_eq!(env.find_unit("denizli su ve kanalizasyon idaresi").as_deref(), Some("20.DESKI"));
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StaticEnv {
    units: Vec<StaticUnit>,
    holidays: BTreeSet<NaiveDate>,
    /// Use the Turkish public-sector calendar of `acikkapi-core` instead of `holidays`.
    #[serde(default)]
    turkish_calendar: bool,
}

impl StaticEnv {
    /// An environment with these `(id, name)` units and these holidays.
    pub fn new(units: &[(&str, &str)], holidays: &[NaiveDate]) -> StaticEnv {
        StaticEnv {
            units: units
                .iter()
                .map(|(id, name)| StaticUnit {
                    id: id.to_string(),
                    name: name.to_string(),
                })
                .collect(),
            holidays: holidays.iter().copied().collect(),
            turkish_calendar: false,
        }
    }

    /// An environment with these `(id, name)` units and the Turkish public-sector calendar
    /// (`acikkapi_core::calendar::Calendar::public_sector`: legal holidays, bayrams, idari izin).
    pub fn with_turkish_calendar(units: &[(&str, &str)]) -> StaticEnv {
        StaticEnv {
            turkish_calendar: true,
            ..StaticEnv::new(units, &[])
        }
    }
}

/// The Turkish public-sector calendar.
fn calendar() -> &'static acikkapi_core::calendar::Calendar {
    acikkapi_core::calendar::Calendar::public_sector()
}

/// [`Environment::is_business_day`] on the Turkish calendar (dates outside its years: weekends only).
pub fn turkish_is_business_day(date: NaiveDate) -> bool {
    calendar()
        .is_business_day(date)
        .unwrap_or_else(|_| !is_weekend(date))
}

/// [`Environment::add_business_days`] on the Turkish calendar.
pub fn turkish_add_business_days(from: NaiveDate, n: i64) -> Option<NaiveDate> {
    calendar().add_business_days(from, n).ok()
}

/// [`Environment::business_days_between`] on the Turkish calendar (0 outside its years).
pub fn turkish_business_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    calendar().business_days_between(from, to).unwrap_or(0)
}

/// Whether a date is Saturday or Sunday.
pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Environment for StaticEnv {
    fn find_unit(&self, name_or_id: &str) -> Option<String> {
        let key = acikkapi_core::text::search_key(name_or_id);
        self.units
            .iter()
            .find(|u| {
                u.id == name_or_id
                    || acikkapi_core::text::search_key(&u.id) == key
                    || acikkapi_core::text::search_key(&u.name) == key
            })
            .map(|u| u.id.clone())
    }

    fn unit_ids(&self) -> Vec<String> {
        self.units.iter().map(|u| u.id.clone()).collect()
    }

    fn is_business_day(&self, date: NaiveDate) -> bool {
        if self.turkish_calendar {
            return turkish_is_business_day(date);
        }
        !is_weekend(date) && !self.holidays.contains(&date)
    }

    fn add_business_days(&self, from: NaiveDate, n: i64) -> Option<NaiveDate> {
        if self.turkish_calendar {
            return turkish_add_business_days(from, n);
        }
        weekday_add(self, from, n)
    }

    fn business_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if self.turkish_calendar {
            return turkish_business_days_between(from, to);
        }
        weekday_between(self, from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        // 2026-10-29 (Thursday) is Cumhuriyet Bayramı.
        let env = StaticEnv::new(&[], &[d(2026, 10, 29)]);
        // Wednesday 28th + 2 business days: Friday 30th (Thursday is a holiday), then Monday 2nd.
        assert_eq!(
            env.add_business_days(d(2026, 10, 28), 1),
            Some(d(2026, 10, 30))
        );
        assert_eq!(
            env.add_business_days(d(2026, 10, 28), 2),
            Some(d(2026, 11, 2))
        );
        assert_eq!(
            env.add_business_days(d(2026, 11, 2), -2),
            Some(d(2026, 10, 28))
        );
        assert_eq!(
            env.business_days_between(d(2026, 10, 28), d(2026, 11, 2)),
            2
        );
        assert_eq!(
            env.business_days_between(d(2026, 11, 2), d(2026, 10, 28)),
            -2
        );
        assert_eq!(
            env.add_business_days(d(2026, 11, 2), 0),
            Some(d(2026, 11, 2))
        );
    }

    #[test]
    fn turkish_calendar_knows_republic_day() {
        let env = StaticEnv::with_turkish_calendar(&[]);
        assert!(!env.is_business_day(d(2026, 10, 29)));
        assert!(env.is_business_day(d(2026, 10, 27)));
        assert!(env.business_days_between(d(2026, 10, 27), d(2026, 11, 3)) <= 4);
    }

    #[test]
    fn units_found_by_id_or_any_spelling_of_name() {
        let env = StaticEnv::new(&[("34.ISKI", "İstanbul Su ve Kanalizasyon İdaresi")], &[]);
        assert_eq!(env.find_unit("34.ISKI").as_deref(), Some("34.ISKI"));
        assert_eq!(
            env.find_unit("ISTANBUL SU VE KANALIZASYON IDARESI")
                .as_deref(),
            Some("34.ISKI")
        );
        assert!(!env.unit_exists("34.IETT"));
    }
}
