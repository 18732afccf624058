//! Synthetic intake: Poisson arrivals per (category, district) for one province, each with a
//! realistic form and what will happen to it (its [`Fate`]), drawn from a seed alone — never from
//! the policy, so two policies can be run on the same arrivals.
//!
//! Arrivals of a day: for each heading a Poisson count with mean
//! `daily rate × day factor × heading weight(month) / mean annual heading weight`; each arrival
//! then draws a category of the heading (uniformly) and a district (by the district weights).
//! Splitting a Poisson process by independent draws gives independent Poisson processes, so this
//! is a Poisson process per (category, district) with rate
//! `rate × district share × category share`. Every day has its own stream (`Rng::fork(seed, day)`),
//! so a longer run starts with the same arrivals as a shorter one.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::model::Model;
use crate::application::{ApplicationInput, TextOrNumber};
use crate::calendar::Calendar;
use crate::geo::{Geography, ProvincePlate};
use crate::ids::TrackingNumber;
use crate::rng::Rng;
use crate::taxonomy::{Category, Taxonomy};
use crate::workflow::application::Outcome;
use crate::workflow::ports::local_time;
use crate::{Error, Result};

/// Akıbet: what will happen to an application, drawn at arrival.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fate {
    /// How the officer will answer.
    pub outcome: Outcome,
    /// Business days of work before the officer can answer.
    pub lead_days: u32,
    /// The officer returns it once as "not ours" (after `lead_days`).
    pub not_ours: bool,
    /// When returned: the category the bureau recategorises it to (`None`: re-routed as is).
    pub recategorise_to: Option<String>,
    /// Business days of work at the second unit after a return.
    pub second_lead_days: u32,
    /// The bureau refers it elsewhere at registration: (authority, reason).
    pub bureau_redirect: Option<(String, String)>,
}

/// Başvuru geldi: one synthetic application, as submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Arrival {
    /// When it was submitted.
    pub at: DateTime<Utc>,
    /// Its tracking number (the workflow instance id).
    pub tracking: String,
    /// The form.
    pub input: ApplicationInput,
    /// What will happen to it.
    pub fate: Fate,
}

/// Names, surnames and texts for the forms (common Turkish names; texts typical of the headings).
const FIRST_F: &[&str] = &[
    "Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Meryem", "Şerife",
];
const FIRST_M: &[&str] = &[
    "Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "İsmail", "Osman", "Yusuf",
    "Murat", "Ömer",
];
const LAST: &[&str] = &[
    "Yılmaz",
    "Kaya",
    "Demir",
    "Çelik",
    "Şahin",
    "Yıldız",
    "Yıldırım",
    "Öztürk",
    "Aydın",
    "Özdemir",
    "Arslan",
    "Doğan",
    "Kılıç",
    "Aslan",
    "Çetin",
    "Kara",
    "Koç",
    "Kurt",
    "Özkan",
    "Şimşek",
];
const TEXTS: &[&str] = &[
    "Mahallemizdeki sokak lambaları iki haftadır yanmıyor, gereğinin yapılmasını arz ederim.",
    "Başvurumla ilgili işlem yapılmadı, bilgi verilmesini talep ediyorum.",
    "Çocuğumun okulunda servis sorunu yaşanıyor, çözüm bekliyoruz.",
    "Hastanede randevu alamıyorum, yardımcı olunmasını rica ederim.",
    "Köy yolumuz yağmurdan sonra kullanılamaz hale geldi.",
    "Sosyal yardım başvurumun sonucunu öğrenmek istiyorum.",
    "Komşu işyerinden gece geç saatlere kadar gürültü geliyor.",
    "Tarım arazimize sulama suyu verilmiyor, mağduriyetimizin giderilmesini talep ederim.",
];

/// The generator for one province: geography, taxonomy and model, prepared once.
#[derive(Debug, Clone)]
pub struct Intake<'a> {
    model: &'a Model,
    plate: ProvincePlate,
    province: String,
    population: u32,
    districts: Vec<&'a str>,
    district_weights: Vec<f64>,
    /// Headings in taxonomy order, each with its categories.
    headings: Vec<(&'a str, Vec<&'a Category>)>,
    annual_weight: f64,
    calendar: &'a Calendar,
}

fn pick<'b>(rng: &mut Rng, list: &[&'b str]) -> &'b str {
    list.get(rng.below(list.len())).copied().unwrap_or_default()
}

fn pick_map(rng: &mut Rng, map: &std::collections::BTreeMap<String, f64>) -> String {
    let weights: Vec<f64> = map.values().copied().collect();
    map.keys()
        .nth(rng.weighted(&weights))
        .cloned()
        .unwrap_or_default()
}

fn tckn(rng: &mut Rng) -> String {
    let mut d = [0u32; 11];
    d[0] = 1 + rng.below(9) as u32;
    for x in d.iter_mut().take(9).skip(1) {
        *x = rng.below(10) as u32;
    }
    let odd = d[0] + d[2] + d[4] + d[6] + d[8];
    let even = d[1] + d[3] + d[5] + d[7];
    d[9] = (odd * 7 + 100 - even) % 10;
    d[10] = d[..10].iter().sum::<u32>() % 10;
    d.iter()
        .map(|x| char::from_digit(*x, 10).unwrap_or('0'))
        .collect()
}

impl<'a> Intake<'a> {
    /// The generator of a province.
    pub fn new(
        model: &'a Model,
        plate: ProvincePlate,
        geo: &'a Geography,
        tax: &'a Taxonomy,
    ) -> Intake<'a> {
        let province = geo.province(plate);
        let ds = geo.districts(plate);
        let headings: Vec<(&str, Vec<&Category>)> = tax
            .headings()
            .iter()
            .map(|h| {
                (
                    h.code.as_str(),
                    tax.categories_of(&h.code).collect::<Vec<_>>(),
                )
            })
            .filter(|(_, c)| !c.is_empty())
            .collect();
        let annual_weight = headings
            .iter()
            .map(|(h, _)| (1..=12).map(|m| model.heading_weight(h, m)).sum::<f64>() / 12.0)
            .sum();
        Intake {
            model,
            plate,
            province: province.name.clone(),
            population: province.population_2023,
            districts: ds.iter().map(|d| d.name.as_str()).collect(),
            district_weights: model.district_weights(province, ds),
            headings,
            annual_weight,
            calendar: Calendar::public_sector(),
        }
    }

    /// The province's name.
    pub fn province_name(&self) -> &str {
        &self.province
    }

    /// The province's plate.
    pub fn plate(&self) -> ProvincePlate {
        self.plate
    }

    /// Expected arrivals per year (before weekday and holiday shapes, which average to 1).
    pub fn expected_per_year(&self) -> f64 {
        self.model.mean_daily(self.population) * 365.0
    }

    /// Districts with their weights (in the geography's order).
    pub fn districts(&self) -> impl Iterator<Item = (&'a str, f64)> + '_ {
        self.districts
            .iter()
            .copied()
            .zip(self.district_weights.iter().copied())
    }

    /// Every category with its share of a year's arrivals (summing to 1).
    pub fn category_shares(&self) -> Vec<(&'a Category, f64)> {
        let mut out = Vec::new();
        for (h, cats) in &self.headings {
            let hw = (1..=12)
                .map(|m| self.model.heading_weight(h, m))
                .sum::<f64>()
                / 12.0;
            let share = if self.annual_weight > 0.0 {
                hw / self.annual_weight
            } else {
                0.0
            };
            for c in cats {
                out.push((*c, share / cats.len() as f64));
            }
        }
        out
    }

    /// A category drawn like an arrival's in `month` (for recategorisations).
    fn category(&self, rng: &mut Rng, month: u32) -> &'a Category {
        let w: Vec<f64> = self
            .headings
            .iter()
            .map(|(h, _)| self.model.heading_weight(h, month))
            .collect();
        let (_, cats) = &self.headings[rng.weighted(&w).min(self.headings.len() - 1)];
        cats[rng.below(cats.len())]
    }

    /// The arrivals of `days` days from `start`, in time order, for a seed.
    pub fn arrivals(&self, start: NaiveDate, days: u32, seed: u64) -> Result<Vec<Arrival>> {
        self.generate(start, days, seed, None)
    }

    /// Exactly `count` arrivals in `days` days from `start`: the Poisson process conditioned on
    /// its total (given the total, the arrivals are independent draws with density proportional
    /// to the rate, so each lands on a day with probability ∝ that day's rate and then takes a
    /// heading ∝ the heading's rate that day). For a demo that promises a number.
    pub fn arrivals_exact(
        &self,
        start: NaiveDate,
        days: u32,
        seed: u64,
        count: u64,
    ) -> Result<Vec<Arrival>> {
        self.generate(start, days, seed, Some(count))
    }

    fn generate(
        &self,
        start: NaiveDate,
        days: u32,
        seed: u64,
        exact: Option<u64>,
    ) -> Result<Vec<Arrival>> {
        if self.headings.is_empty() || self.districts.is_empty() {
            return Err(Error::InvalidSimulation {
                what: "options",
                message: "no categories or districts".into(),
            });
        }
        let daily = self.model.mean_daily(self.population);
        // Per day: date, business day, heading rates.
        let mut plan = Vec::with_capacity(days as usize);
        for i in 0..days {
            let date = start
                .checked_add_days(Days::new(u64::from(i)))
                .ok_or_else(|| Error::InvalidSimulation {
                    what: "options",
                    message: format!("{start} + {i} gün takvim dışında"),
                })?;
            let factor = self.model.day_factor(self.calendar, date)?;
            let rates: Vec<f64> = self
                .headings
                .iter()
                .map(|(h, _)| {
                    daily * factor * self.model.heading_weight(h, date.month()) / self.annual_weight
                })
                .collect();
            plan.push((date, self.calendar.is_business_day(date)?, rates));
        }
        // With an exact total: how many land on each day (multinomial over the day rates).
        let per_day: Option<Vec<u64>> = exact.map(|n| {
            let mut cum = Vec::with_capacity(plan.len());
            let mut total = 0.0;
            for (_, _, r) in &plan {
                total += r.iter().sum::<f64>();
                cum.push(total);
            }
            let mut counts = vec![0u64; plan.len()];
            let mut rng = Rng::fork(seed, u64::MAX);
            for _ in 0..n {
                let x = rng.unit() * total;
                let d = cum
                    .partition_point(|c| *c <= x)
                    .min(plan.len().saturating_sub(1));
                if let Some(c) = counts.get_mut(d) {
                    *c += 1;
                }
            }
            counts
        });
        let mut out = Vec::new();
        let mut year_seq: std::collections::BTreeMap<i32, u32> = Default::default();
        for (i, (date, business, rates)) in plan.iter().enumerate() {
            let mut rng = Rng::fork(seed, i as u64);
            let mut day = Vec::new();
            let draw = |rng: &mut Rng, hi: usize| {
                let cats = &self.headings[hi].1;
                let cat = cats[rng.below(cats.len())];
                self.one(rng, *date, *business, cat, hi)
            };
            match &per_day {
                None => {
                    for (hi, lambda) in rates.iter().enumerate() {
                        for _ in 0..rng.poisson(*lambda) {
                            day.push(draw(&mut rng, hi));
                        }
                    }
                }
                Some(counts) => {
                    for _ in 0..counts.get(i).copied().unwrap_or(0) {
                        let hi = rng.weighted(rates).min(self.headings.len() - 1);
                        day.push(draw(&mut rng, hi));
                    }
                }
            }
            day.sort_by_key(|(at, _, _)| *at);
            for (at, input, fate) in day {
                let seq = year_seq.entry(date.year()).or_insert(0);
                *seq += 1;
                let year = u16::try_from(date.year()).unwrap_or(0);
                let tracking = TrackingNumber::new(self.plate, year, *seq)
                    .map(|t| t.to_string())
                    .map_err(|e| Error::InvalidSimulation {
                        what: "options",
                        message: e.to_string(),
                    })?;
                out.push(Arrival {
                    at,
                    tracking,
                    input,
                    fate,
                });
            }
        }
        Ok(out)
    }

    fn one(
        &self,
        rng: &mut Rng,
        date: NaiveDate,
        business: bool,
        cat: &'a Category,
        _heading: usize,
    ) -> (DateTime<Utc>, ApplicationInput, Fate) {
        let m = self.model;
        let office = business && !rng.chance(m.after_hours_share);
        let minute = if office {
            540 + rng.below(510) // 09:00–17:29
        } else if business {
            // 07:00–08:59 or 17:30–23:59.
            let x = rng.below(120 + 390);
            if x < 120 { 420 + x } else { 1050 + x - 120 }
        } else {
            420 + rng.below(1020) // 07:00–23:59
        };
        let at = local_time(date, (minute / 60) as u32, (minute % 60) as u32);
        let channel = pick_map(
            rng,
            if office {
                &m.channel_office
            } else {
                &m.channel_online
            },
        );
        let district = self.districts[rng
            .weighted(&self.district_weights)
            .min(self.districts.len() - 1)];
        let female = rng.chance(0.45);
        let first = if female {
            pick(rng, FIRST_F)
        } else {
            pick(rng, FIRST_M)
        };
        let letters = "ABCDEFGHIKLMNOPRSTUVYZ".as_bytes();
        let initials: String = (0..2)
            .map(|_| char::from(letters[rng.below(letters.len())]))
            .collect();
        let s = &m.shares;
        let mut input = ApplicationInput {
            tckn: Some(tckn(rng)),
            name: Some(first.to_owned()),
            surname: Some(pick(rng, LAST).to_owned()),
            mother_maiden_initials: Some(initials),
            phone: Some(format!(
                "05{:02} {:03} {:02} {:02}",
                30 + rng.below(26),
                rng.below(1000),
                rng.below(100),
                rng.below(100)
            )),
            birth_year: Some(TextOrNumber::Number(1940 + rng.below(66) as i64))
                .filter(|_| rng.chance(0.95)),
            gender: Some(if female { "kadın" } else { "erkek" }.to_owned())
                .filter(|_| rng.chance(0.96)),
            kind: Some(pick_map(rng, &m.kind)),
            channel: Some(channel),
            subject: Some(pick(rng, TEXTS).to_owned()),
            category: Some(cat.code.as_str().to_owned()),
            province: Some(TextOrNumber::Number(i64::from(self.plate.get()))),
            district: Some(district.to_owned()),
            received_at: Some(crate::time::to_local(at).to_rfc3339()),
            special: Some(rng.chance(s.special)),
            confidential: Some(rng.chance(s.confidential)),
            ohal: Some(rng.chance(s.ohal)),
            direct_to_unit: Some(format!("{} Valiliği", self.province))
                .filter(|_| rng.chance(s.direct_to_unit)),
            ..ApplicationInput::default()
        };
        if rng.chance(s.invalid) {
            match rng.below(4) {
                0 => input.subject = Some("?".to_owned()),
                1 => input.tckn = Some("12345678901".to_owned()),
                2 => input.phone = None,
                _ => input.name = None,
            }
        }
        let outcome = [
            Outcome::Positive,
            Outcome::Negative,
            Outcome::PartlyPositive,
        ][rng.weighted(&m.outcome_weights(cat.heading.as_str()))];
        let lead_days = rng.weighted(&m.lead_days) as u32;
        let not_ours = rng.chance(s.not_ours);
        let recategorise_to = if rng.chance(s.recategorise) {
            Some(self.category(rng, date.month()).code.as_str().to_owned())
        } else {
            None
        };
        let second_lead_days = rng.weighted(&m.lead_days) as u32;
        let bureau_redirect = if rng.chance(s.redirect) {
            Some(if rng.chance(0.5) {
                (
                    "CİMER".to_owned(),
                    "Bakanlık merkez teşkilatının konusu".to_owned(),
                )
            } else {
                (
                    format!("{} Cumhuriyet Başsavcılığı", self.province),
                    "Yargı konusu".to_owned(),
                )
            })
        } else {
            None
        };
        (
            at,
            input,
            Fate {
                outcome,
                lead_days,
                not_ours,
                recategorise_to: recategorise_to.filter(|_| not_ours),
                second_lead_days,
                bureau_redirect,
            },
        )
    }
}
