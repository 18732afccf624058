//! [`Aggregates`]: every tally a report needs, updated one record at a time (add or remove).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::record::{AgeGroup, ApplicationRecord, Channel, Gender, Kind, month_key, week_key};
use super::tally::Tally;
use crate::error::{Error, Result};

/// Kırılım: a dimension a report can be broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Hizmet başlığı.
    Heading,
    /// Kategori.
    Category,
    /// İl.
    Province,
    /// İlçe (within its province).
    District,
    /// Başvuru kanalı.
    Channel,
    /// Başvuru türü (şikâyet/talep/ihbar).
    Kind,
    /// Kurum türü.
    Institution,
    /// Birim.
    Unit,
    /// ISO week of receipt (`2026-W48`).
    Week,
    /// Month of receipt (`2026-11`).
    Month,
    /// Yaş grubu (with a "not given" row).
    Age,
    /// Cinsiyet (with a "not given" row).
    Gender,
}

impl Dimension {
    /// Every dimension, in report order.
    pub const ALL: [Dimension; 12] = [
        Dimension::Heading,
        Dimension::Category,
        Dimension::Province,
        Dimension::District,
        Dimension::Channel,
        Dimension::Kind,
        Dimension::Institution,
        Dimension::Unit,
        Dimension::Week,
        Dimension::Month,
        Dimension::Age,
        Dimension::Gender,
    ];

    /// The name used on the command line and in JSON (`"heading"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Heading => "heading",
            Dimension::Category => "category",
            Dimension::Province => "province",
            Dimension::District => "district",
            Dimension::Channel => "channel",
            Dimension::Kind => "kind",
            Dimension::Institution => "institution",
            Dimension::Unit => "unit",
            Dimension::Week => "week",
            Dimension::Month => "month",
            Dimension::Age => "age",
            Dimension::Gender => "gender",
        }
    }

    /// Turkish column header (`"Hizmet Başlığı"`).
    pub fn header_tr(self) -> &'static str {
        match self {
            Dimension::Heading => "Hizmet Başlığı",
            Dimension::Category => "Kategori",
            Dimension::Province => "İl",
            Dimension::District => "İlçe",
            Dimension::Channel => "Kanal",
            Dimension::Kind => "Başvuru Türü",
            Dimension::Institution => "Kurum",
            Dimension::Unit => "Birim",
            Dimension::Week => "Hafta",
            Dimension::Month => "Ay",
            Dimension::Age => "Yaş Grubu",
            Dimension::Gender => "Cinsiyet",
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dimension {
    type Err = Error;

    /// Parses the command-line name (`"province"`), case-insensitively.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        Dimension::ALL
            .into_iter()
            .find(|d| d.as_str() == t)
            .ok_or_else(|| Error::UnknownDimension(s.to_string()))
    }
}

/// Number of slots in per-plate arrays (index = plate; index 0 unused).
pub(crate) const PLATE_SLOTS: usize = 82;

/// Applies `f` to the tally under `key`, creating it (one allocation) only when new.
#[inline]
fn with_entry<V: Default>(m: &mut HashMap<String, V>, key: &str, f: impl FnOnce(&mut V)) {
    if let Some(v) = m.get_mut(key) {
        f(v);
        return;
    }
    f(m.entry(key.to_owned()).or_default());
}

/// Removes `r` from the tally under `key`, dropping the entry when it becomes empty.
#[inline]
fn remove_from<K, Q>(m: &mut HashMap<K, Tally>, key: &Q, r: &ApplicationRecord)
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
{
    if let Some(t) = m.get_mut(key) {
        t.remove(r);
        if t.is_empty() {
            m.remove(key);
        }
    }
}

/// Every tally of a report, keyed per dimension. Adding then removing a record restores the
/// previous state exactly (entries that become empty are dropped), which is what lets a
/// [`Projection`](super::Projection) equal a batch computation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregates {
    pub(crate) total: Tally,
    pub(crate) heading: HashMap<String, Tally>,
    pub(crate) category: HashMap<String, Tally>,
    /// Index = plate.
    pub(crate) province: Vec<Tally>,
    /// Index = plate; key = district name, `""` for the governorship.
    pub(crate) district: Vec<HashMap<String, Tally>>,
    pub(crate) channel: [Tally; Channel::ALL.len()],
    pub(crate) kind: [Tally; Kind::ALL.len()],
    pub(crate) institution: HashMap<String, Tally>,
    pub(crate) unit: HashMap<String, Tally>,
    pub(crate) week: HashMap<u32, Tally>,
    pub(crate) month: HashMap<u32, Tally>,
    /// Index = age group; the last slot is "not given".
    pub(crate) age: [Tally; AgeGroup::ALL.len() + 1],
    /// Index = gender; the last slot is "not given".
    pub(crate) gender: [Tally; Gender::ALL.len() + 1],
    /// Index = plate; category code → number of applications.
    pub(crate) province_category: Vec<HashMap<String, u64>>,
    /// Unit → institution type it belongs to, with a count of records naming the pair (so that
    /// removal can forget a pair).
    pub(crate) unit_institution: HashMap<String, HashMap<String, u64>>,
}

impl Default for Aggregates {
    fn default() -> Self {
        Aggregates {
            total: Tally::default(),
            heading: HashMap::new(),
            category: HashMap::new(),
            province: vec![Tally::default(); PLATE_SLOTS],
            district: vec![HashMap::new(); PLATE_SLOTS],
            channel: Default::default(),
            kind: Default::default(),
            institution: HashMap::new(),
            unit: HashMap::new(),
            week: HashMap::new(),
            month: HashMap::new(),
            age: Default::default(),
            gender: Default::default(),
            province_category: vec![HashMap::new(); PLATE_SLOTS],
            unit_institution: HashMap::new(),
        }
    }
}

impl Aggregates {
    /// Empty aggregates.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tally of every record.
    pub fn total(&self) -> &Tally {
        &self.total
    }

    /// Adds a record's contribution to every tally.
    pub fn add(&mut self, r: &ApplicationRecord) {
        let plate = usize::from(r.province.get());
        let date = r.received_date();
        self.total.add(r);
        with_entry(&mut self.heading, r.heading_key(), |t| t.add(r));
        with_entry(&mut self.category, r.category_key(), |t| t.add(r));
        self.province[plate].add(r);
        with_entry(
            &mut self.district[plate],
            r.district.as_deref().unwrap_or(""),
            |t| t.add(r),
        );
        self.channel[r.channel.index()].add(r);
        self.kind[r.kind.index()].add(r);
        with_entry(&mut self.institution, r.institution_key(), |t| t.add(r));
        with_entry(&mut self.unit, r.unit_key(), |t| t.add(r));
        self.week.entry(week_key(date)).or_default().add(r);
        self.month.entry(month_key(date)).or_default().add(r);
        self.age[r.age_group.map_or(AgeGroup::ALL.len(), AgeGroup::index)].add(r);
        self.gender[r.gender.map_or(Gender::ALL.len(), Gender::index)].add(r);
        with_entry(&mut self.province_category[plate], r.category_key(), |c| {
            *c += 1
        });
        with_entry(&mut self.unit_institution, r.unit_key(), |m| {
            with_entry(m, r.institution_key(), |c| *c += 1)
        });
    }

    /// Removes a record's contribution (a record added before, unchanged since).
    pub fn remove(&mut self, r: &ApplicationRecord) {
        let plate = usize::from(r.province.get());
        let date = r.received_date();
        self.total.remove(r);
        remove_from(&mut self.heading, r.heading_key(), r);
        remove_from(&mut self.category, r.category_key(), r);
        self.province[plate].remove(r);
        remove_from(
            &mut self.district[plate],
            r.district.as_deref().unwrap_or(""),
            r,
        );
        self.channel[r.channel.index()].remove(r);
        self.kind[r.kind.index()].remove(r);
        remove_from(&mut self.institution, r.institution_key(), r);
        remove_from(&mut self.unit, r.unit_key(), r);
        remove_from(&mut self.week, &week_key(date), r);
        remove_from(&mut self.month, &month_key(date), r);
        self.age[r.age_group.map_or(AgeGroup::ALL.len(), AgeGroup::index)].remove(r);
        self.gender[r.gender.map_or(Gender::ALL.len(), Gender::index)].remove(r);
        let pc = &mut self.province_category[plate];
        if let Some(c) = pc.get_mut(r.category_key()) {
            *c -= 1;
            if *c == 0 {
                pc.remove(r.category_key());
            }
        }
        if let Some(m) = self.unit_institution.get_mut(r.unit_key()) {
            if let Some(c) = m.get_mut(r.institution_key()) {
                *c -= 1;
                if *c == 0 {
                    m.remove(r.institution_key());
                }
            }
            if m.is_empty() {
                self.unit_institution.remove(r.unit_key());
            }
        }
    }

    /// Adds another set of aggregates into this one (for combining partial batches).
    pub fn merge(&mut self, o: &Aggregates) {
        fn merge_map<K: Clone + std::hash::Hash + Eq>(
            a: &mut HashMap<K, Tally>,
            b: &HashMap<K, Tally>,
        ) {
            for (k, t) in b {
                a.entry(k.clone()).or_default().merge(t);
            }
        }
        fn merge_counts(a: &mut HashMap<String, u64>, b: &HashMap<String, u64>) {
            for (k, c) in b {
                *a.entry(k.clone()).or_default() += c;
            }
        }
        self.total.merge(&o.total);
        merge_map(&mut self.heading, &o.heading);
        merge_map(&mut self.category, &o.category);
        for (a, b) in self.province.iter_mut().zip(&o.province) {
            a.merge(b);
        }
        for (a, b) in self.district.iter_mut().zip(&o.district) {
            merge_map(a, b);
        }
        for (a, b) in self.channel.iter_mut().zip(&o.channel) {
            a.merge(b);
        }
        for (a, b) in self.kind.iter_mut().zip(&o.kind) {
            a.merge(b);
        }
        merge_map(&mut self.institution, &o.institution);
        merge_map(&mut self.unit, &o.unit);
        merge_map(&mut self.week, &o.week);
        merge_map(&mut self.month, &o.month);
        for (a, b) in self.age.iter_mut().zip(&o.age) {
            a.merge(b);
        }
        for (a, b) in self.gender.iter_mut().zip(&o.gender) {
            a.merge(b);
        }
        for (a, b) in self.province_category.iter_mut().zip(&o.province_category) {
            merge_counts(a, b);
        }
        for (u, m) in &o.unit_institution {
            merge_counts(self.unit_institution.entry(u.clone()).or_default(), m);
        }
    }
}
