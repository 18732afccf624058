//! Model: the parameters of synthetic intake and of officer work, from
//! `data/sim_model.toml` (embedded; see the comments there for what each number means and where
//! it comes from).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, HolidayKind};
use crate::geo::{District, Province};
use crate::taxonomy::Taxonomy;
use crate::{Error, Result};

const EMBEDDED: &str = include_str!("../../data/sim_model.toml");

/// Paylar: shares of the arrivals (each 0–1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shares {
    /// Not processable (rejected at registration with reasons).
    pub invalid: f64,
    /// Özellikli (waits for the vali/kaymakam's approval).
    pub special: f64,
    /// Gizli.
    pub confidential: f64,
    /// OHAL matters (the router redirects them to the OHAL bureau).
    pub ohal: f64,
    /// Referred elsewhere by the bureau at registration (CİMER, judiciary).
    pub redirect: f64,
    /// The citizen asks for a unit directly (the router redirects).
    pub direct_to_unit: f64,
    /// Returned once by the officer as "not ours" (iade).
    pub not_ours: f64,
    /// Of the returned ones, recategorised before re-routing.
    pub recategorise: f64,
}

/// Kapasite: how unit capacities are derived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityModel {
    /// Capacity = expected load × headroom.
    pub headroom: f64,
    /// Lower bound, answers per business day.
    pub min_per_day: f64,
}

/// Model: arrival rates and shapes, mixes and shares, officer work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Format version (1).
    pub schema: u32,
    /// Applications per 100 000 inhabitants per year.
    pub per_100k_year: f64,
    /// Weight of a central district relative to another district.
    pub central_weight: f64,
    /// Central districts of metropolitan provinces, by two-digit plate.
    #[serde(default)]
    pub central_districts: BTreeMap<String, Vec<String>>,
    /// Weight of a heading not in `heading_weight`.
    pub other_heading_weight: f64,
    /// Weight per heading code.
    pub heading_weight: BTreeMap<String, f64>,
    /// Monthly factors (January first) per heading code.
    #[serde(default)]
    pub season: BTreeMap<String, Vec<f64>>,
    /// Weekday factors, Monday first (7 values).
    pub weekday: Vec<f64>,
    /// Factor on full holidays.
    pub holiday: f64,
    /// Factor on half-day holidays (arife).
    pub half_day: f64,
    /// Share of business-day arrivals outside office hours.
    pub after_hours_share: f64,
    /// Channel weights in office hours (channel code → weight).
    pub channel_office: BTreeMap<String, f64>,
    /// Channel weights outside office hours (online channels only).
    pub channel_online: BTreeMap<String, f64>,
    /// Kind weights (şikâyet, talep, ihbar codes).
    pub kind: BTreeMap<String, f64>,
    /// Shares.
    pub shares: Shares,
    /// Outcome weights `[olumlu, olumsuz, kısmen olumlu]` per heading; key `default` for the rest.
    pub outcome: BTreeMap<String, [f64; 3]>,
    /// Weights of 0, 1, 2, … business days of work before an answer is possible.
    pub lead_days: Vec<f64>,
    /// Capacity derivation.
    pub capacity: CapacityModel,
}

impl Model {
    /// The embedded model (`data/sim_model.toml`).
    ///
    /// ```
    /// let m = acikkapi_core::sim::Model::embedded().unwrap();
    /// assert_eq!(m.weekday.len(), 7);
    /// ```
    pub fn embedded() -> Result<Model> {
        Model::from_toml(EMBEDDED)
    }

    /// Parses and checks a model file.
    pub fn from_toml(text: &str) -> Result<Model> {
        let m: Model = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        m.check()?;
        Ok(m)
    }

    fn check(&self) -> Result<()> {
        let finite_nonneg = |x: f64| x.is_finite() && x >= 0.0;
        if self.schema != 1 {
            return Err(invalid(format!("schema {} (1 expected)", self.schema)));
        }
        if self.weekday.len() != 7 || !self.weekday.iter().all(|x| finite_nonneg(*x)) {
            return Err(invalid("weekday: 7 non-negative factors expected".into()));
        }
        for (h, s) in &self.season {
            if s.len() != 12 || !s.iter().all(|x| finite_nonneg(*x)) {
                return Err(invalid(format!(
                    "season.{h}: 12 non-negative factors expected"
                )));
            }
        }
        let s = &self.shares;
        for (name, v) in [
            ("invalid", s.invalid),
            ("special", s.special),
            ("confidential", s.confidential),
            ("ohal", s.ohal),
            ("redirect", s.redirect),
            ("direct_to_unit", s.direct_to_unit),
            ("not_ours", s.not_ours),
            ("recategorise", s.recategorise),
            ("after_hours_share", self.after_hours_share),
            ("holiday", self.holiday),
            ("half_day", self.half_day),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(invalid(format!("{name} = {v}: 0–1 expected")));
            }
        }
        let scalars = [
            self.per_100k_year,
            self.central_weight,
            self.other_heading_weight,
            self.capacity.headroom,
            self.capacity.min_per_day,
        ];
        if !scalars.iter().all(|x| finite_nonneg(*x)) || self.capacity.min_per_day <= 0.0 {
            return Err(invalid(
                "rates, weights and capacities must be finite and ≥ 0 (min_per_day > 0)".into(),
            ));
        }
        let positive = |m: &BTreeMap<String, f64>| {
            m.values().all(|x| finite_nonneg(*x)) && m.values().sum::<f64>() > 0.0
        };
        if !positive(&self.channel_office)
            || !positive(&self.channel_online)
            || !positive(&self.kind)
        {
            return Err(invalid(
                "channel and kind mixes need positive weights".into(),
            ));
        }
        if !self.outcome.contains_key("default")
            || !self
                .outcome
                .values()
                .all(|o| o.iter().all(|x| finite_nonneg(*x)) && o.iter().sum::<f64>() > 0.0)
        {
            return Err(invalid(
                "outcome: a `default` mix and positive weights expected".into(),
            ));
        }
        if self.lead_days.is_empty()
            || !self.lead_days.iter().all(|x| finite_nonneg(*x))
            || self.lead_days.iter().sum::<f64>() <= 0.0
        {
            return Err(invalid("lead_days: positive weights expected".into()));
        }
        Ok(())
    }

    /// The weight of each district of a province (in the geography's order): 1, or
    /// `central_weight` for a central district.
    pub fn district_weights(&self, province: &Province, districts: &[District]) -> Vec<f64> {
        let key = format!("{:02}", province.plate.get());
        let listed = self.central_districts.get(&key);
        districts
            .iter()
            .map(|d| {
                let central = d.name == "Merkez" || listed.is_some_and(|l| l.contains(&d.name));
                if central { self.central_weight } else { 1.0 }
            })
            .collect()
    }

    /// The weight of a heading in a month (1-based): heading weight × seasonal factor.
    pub fn heading_weight(&self, heading: &str, month: u32) -> f64 {
        let w = self
            .heading_weight
            .get(heading)
            .copied()
            .unwrap_or(self.other_heading_weight);
        let s = self
            .season
            .get(heading)
            .and_then(|s| s.get(month.saturating_sub(1) as usize))
            .copied()
            .unwrap_or(1.0);
        w * s
    }

    /// The mean daily arrivals of a province on an ordinary day of average weekday shape.
    pub fn mean_daily(&self, population: u32) -> f64 {
        f64::from(population) * self.per_100k_year / 100_000.0 / 365.0
    }

    /// The day factor of a date: weekday shape, replaced by the holiday factor on holidays, divided by
    /// the mean weekday factor (so that a year of ordinary weeks gives `per_100k_year`).
    pub fn day_factor(&self, calendar: &Calendar, date: NaiveDate) -> Result<f64> {
        let mean = self.weekday.iter().sum::<f64>() / 7.0;
        let wd = self.weekday[date.weekday().num_days_from_monday() as usize];
        let f = match calendar.holiday_kind(date)? {
            Some(HolidayKind::Full) => self.holiday,
            Some(_) => wd * self.half_day,
            None => wd,
        };
        Ok(if mean > 0.0 { f / mean } else { 0.0 })
    }

    /// Outcome weights for a heading.
    pub fn outcome_weights(&self, heading: &str) -> [f64; 3] {
        self.outcome
            .get(heading)
            .or_else(|| self.outcome.get("default"))
            .copied()
            .unwrap_or([1.0, 1.0, 1.0])
    }

    /// The share of each heading of the taxonomy over a whole year (heading code → share, summing
    /// to 1), seasonal factors averaged.
    pub fn annual_heading_shares(&self, tax: &Taxonomy) -> BTreeMap<String, f64> {
        let mut w: BTreeMap<String, f64> = tax
            .headings()
            .iter()
            .map(|h| {
                let code = h.code.as_str();
                (
                    code.to_owned(),
                    (1..=12).map(|m| self.heading_weight(code, m)).sum::<f64>() / 12.0,
                )
            })
            .collect();
        let total: f64 = w.values().sum();
        if total > 0.0 {
            w.values_mut().for_each(|v| *v /= total);
        }
        w
    }
}

fn invalid(message: String) -> Error {
    Error::InvalidSimulation {
        what: "model",
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::{Geography, ProvincePlate};

    #[test]
    fn embedded_model_parses_and_weights_central_districts() {
        let m = Model::embedded().unwrap();
        let geo = Geography::embedded();
        let p = geo.province(ProvincePlate::new(20).unwrap());
        let ds = geo.districts(p.plate);
        let w = m.district_weights(p, ds);
        let central: Vec<&str> = ds
            .iter()
            .zip(&w)
            .filter(|(_, w)| **w > 1.0)
            .map(|(d, _)| d.name.as_str())
            .collect();
        assert_eq!(central, ["Merkezefendi", "Pamukkale"]);
        // A non-metropolitan province: "Merkez" is central.
        let p = geo.province(ProvincePlate::new(2).unwrap());
        let w = m.district_weights(p, geo.districts(p.plate));
        assert_eq!(w.iter().filter(|w| **w > 1.0).count(), 1);
    }

    #[test]
    fn shapes_follow_the_documented_pattern() {
        let m = Model::embedded().unwrap();
        let cal = Calendar::public_sector();
        let d = |y, mo, da| NaiveDate::from_ymd_opt(y, mo, da).unwrap();
        // Monday 2026-11-23 > Friday 27 > Saturday 28; Kurban Bayramı 2026-05-27 is low.
        let f = |x| m.day_factor(cal, x).unwrap();
        assert!(f(d(2026, 11, 23)) > f(d(2026, 11, 27)));
        assert!(f(d(2026, 11, 27)) > f(d(2026, 11, 28)));
        assert!(f(d(2026, 5, 27)) < f(d(2026, 5, 20)));
        assert!(m.heading_weight("ENERJI", 1) > m.heading_weight("ENERJI", 7));
        assert!(m.heading_weight("ORMAN", 7) > m.heading_weight("ORMAN", 1));
        let shares = m.annual_heading_shares(Taxonomy::embedded());
        assert!((shares.values().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(shares["YEREL"] > shares["KULTUR"]);
    }

    #[test]
    fn bad_models_are_refused_with_a_reason() {
        let text = EMBEDDED.replace("invalid = 0.04", "invalid = 1.5");
        let e = Model::from_toml(&text).unwrap_err().to_string();
        assert!(e.contains("invalid"), "{e}");
        let text = EMBEDDED.replace("weekday = [1.30,", "weekday = [");
        assert!(Model::from_toml(&text).is_err());
        assert!(Model::from_toml("schema = 1").is_err());
    }
}
