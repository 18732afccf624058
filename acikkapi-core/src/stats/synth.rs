//! Synthetic records for benchmarks, examples and tests: deterministic for a seed, drawn over the
//! real geography (provinces weighted by their 2023 population, real districts) and the embedded
//! taxonomy. **Not** real data: the shares below are plausible guesses, not published figures.
//!
//! Shapes: kinds 55 % şikâyet / 38 % talep / 7 % ihbar; statuses 68 % answered (outcome 55 %
//! olumlu, 30 % olumsuz, 15 % kısmen olumlu), 5 % closed, 14 % pending, 8 % not processed, 5 %
//! redirected (not processed and redirected ones have no unit and no deadline, half the not
//! processed ones no category; a fifth of the pending ones are not routed yet); received during 2026-01-05…2026-11-20; deadline = received + 9 calendar days
//! (≈ 7 business days, holidays ignored); answers take 0–20 business days, mostly under 7; about
//! 60 % of applicants give an age group and 70 % a gender.

use chrono::{Days, NaiveDate};

use super::record::{
    AgeGroup, ApplicationKind, ApplicationRecord, Channel, Gender, Outcome, Status,
};
use crate::geo::Geography;
use crate::taxonomy::{Level, Taxonomy};

/// The generator: the crate's seeded SplitMix64 ([`crate::rng::Rng`], also the simulation's).
pub type SplitMix64 = crate::rng::Rng;

/// `n` synthetic records, deterministic for `seed`. Tracking numbers are unique.
///
/// ```
/// use acikkapi_core::stats::synth;
/// let a = synth::records(100, 1);
/// assert_eq!(a, synth::records(100, 1));
/// assert_ne!(a, synth::records(100, 2));
/// ```
pub fn records(n: usize, seed: u64) -> Vec<ApplicationRecord> {
    let mut g = Generator::new(seed);
    (0..n).map(|i| g.record(i)).collect()
}

/// Draws records one at a time.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: SplitMix64,
    /// Cumulative population per province index.
    cumulative: Vec<u64>,
}

impl Generator {
    /// A generator for a seed.
    pub fn new(seed: u64) -> Self {
        let geo = Geography::embedded();
        let mut acc = 0u64;
        let cumulative = geo
            .provinces()
            .iter()
            .map(|p| {
                acc += u64::from(p.population_2023);
                acc
            })
            .collect();
        Generator {
            rng: SplitMix64::new(seed),
            cumulative,
        }
    }

    /// The `i`-th record (its tracking number is made from `i`).
    pub fn record(&mut self, i: usize) -> ApplicationRecord {
        let geo = Geography::embedded();
        let tax = Taxonomy::embedded();
        let rng = &mut self.rng;

        let total = self.cumulative.last().copied().unwrap_or(1);
        let x = rng.below_u64(total);
        let pi = self.cumulative.partition_point(|c| *c <= x);
        let province = &geo.provinces()[pi.min(geo.provinces().len() - 1)];
        let plate = province.plate;

        // Skewed category choice: the square of a uniform favours the first categories.
        let cats = tax.categories();
        let u = rng.below_u64(1 << 16);
        let ci = (((u * u) >> 16) as usize * cats.len()) >> 16;
        let cat = &cats[ci.min(cats.len() - 1)];

        let districts = geo.districts(plate);
        let district = if districts.is_empty() || rng.percent(15) {
            None
        } else {
            Some(
                districts[rng.below_u64(districts.len() as u64) as usize]
                    .name
                    .clone(),
            )
        };
        let unit_id = match (&district, cat.level) {
            (Some(d), Level::District) => format!("{plate}-{}-{}", cat.institution, d),
            _ => format!("{plate}-{}", cat.institution),
        };

        let kind = match rng.below_u64(100) {
            0..55 => ApplicationKind::Sikayet,
            55..93 => ApplicationKind::Talep,
            _ => ApplicationKind::Ihbar,
        };
        let channel = match rng.below_u64(100) {
            0..30 => Channel::BankoSozlu,
            30..42 => Channel::BankoYazili,
            42..52 => Channel::Web,
            52..60 => Channel::Mobil,
            60..85 => Channel::EDevlet,
            85..88 => Channel::Kiosk,
            _ => Channel::CagriMerkezi,
        };

        // 2026-01-05 is a valid date; the fallback is never taken.
        let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
        let day = start + Days::new(rng.below_u64(320));
        let secs = 8 * 3600 + rng.below_u64(10 * 3600) as u32;
        let naive = day.and_time(chrono::NaiveTime::MIN) + chrono::Duration::seconds(secs.into());
        let received_at = crate::time::from_local(naive).fixed_offset();
        let deadline = day + Days::new(9);
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();

        let roll = rng.below_u64(100);
        let mut classified = true;
        let mut routed = true;
        let mut has_deadline = true;
        let mut answered_at = None;
        let mut business_days = None;
        let mut overdue = false;
        let status = match roll {
            0..68 => {
                let outcome = match rng.below_u64(100) {
                    0..55 => Outcome::Positive,
                    55..85 => Outcome::Negative,
                    _ => Outcome::PartlyPositive,
                };
                let d = if rng.percent(85) {
                    rng.below_u64(8) as u32
                } else {
                    8 + rng.below_u64(13) as u32
                };
                business_days = Some(d);
                let cal = u64::from(d) * 7 / 5;
                answered_at = Some(received_at + Days::new(cal) + chrono::Duration::hours(2));
                overdue = d > 7;
                Status::Answered { outcome }
            }
            68..73 => Status::Closed,
            73..87 => {
                overdue = deadline < as_of && rng.percent(30);
                // A fifth of the open ones are registered but not routed yet.
                routed = rng.percent(80);
                Status::Pending
            }
            87..95 => {
                classified = rng.percent(50);
                (routed, has_deadline) = (false, false);
                Status::NotProcessed {
                    reasons: vec!["Başvuru idarenin görev alanı dışında".to_string()],
                    problems: Vec::new(),
                }
            }
            _ => {
                (routed, has_deadline) = (false, false);
                Status::Redirected
            }
        };
        let escalations = u32::from(overdue) + u32::from(rng.percent(3));
        let reroutes = if rng.percent(10) {
            1 + u32::from(rng.percent(20))
        } else {
            0
        };
        let age_group = rng
            .percent(60)
            .then(|| AgeGroup::ALL[rng.below_u64(AgeGroup::ALL.len() as u64) as usize]);
        let gender = rng
            .percent(70)
            .then(|| Gender::ALL[rng.below_u64(Gender::ALL.len() as u64) as usize]);

        ApplicationRecord {
            tracking_number: format!("2026-{plate}-{i:08}"),
            kind: Some(kind),
            channel: Some(channel),
            heading: classified.then(|| cat.heading.clone()),
            category: classified.then(|| cat.code.clone()),
            province: plate,
            district,
            institution_type: classified.then(|| cat.institution.clone()),
            unit_id: routed.then_some(unit_id),
            received_at,
            status,
            deadline: has_deadline.then_some(deadline),
            answered_at,
            business_days_to_answer: business_days,
            escalations,
            reroutes,
            overdue,
            age_group,
            gender,
        }
    }
}
