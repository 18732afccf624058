//! [`Aggregates`]: every tally a report needs, updated one record at a time (add or remove).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::record::{
    AgeGroup, ApplicationKind, ApplicationRecord, Channel, Gender, month_key, week_key,
};
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

/// A fast, non-cryptographic hasher for the aggregate maps (multiply-rotate over 8-byte words, as
/// rustc's FxHash, with a final mix so that the low bits hashbrown uses are well spread). Keys are
/// codes and ids from the system's own records; flooding resistance (std's SipHash) buys little
/// here, and hashing is a large part of a batch report.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl std::hash::Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 32)).wrapping_mul(0x94D0_49BB_1331_11EB) ^ (h >> 29)
    }
}

/// `HashMap` with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

/// Number of slots in per-plate arrays (index = plate; index 0 unused).
pub(crate) const PLATE_SLOTS: usize = 82;

/// Field-less enums counted in fixed arrays: the position of a value in its `ALL` list.
pub(crate) trait Slot: Copy {
    /// Position in `ALL` (the declaration order, which `ALL` follows).
    fn index(self) -> usize;
}

macro_rules! slot_by_discriminant {
    ($($t:ty),*) => {$(
        impl Slot for $t {
            #[inline]
            fn index(self) -> usize {
                // Field-less enum with implicit discriminants 0, 1, …: the cast is the index.
                self as usize
            }
        }
    )*};
}
slot_by_discriminant!(ApplicationKind, Channel, AgeGroup, Gender);

/// The array slot of an optional value: its index, or `none` when absent.
#[inline]
fn slot<T: Slot>(v: Option<T>, none: usize) -> usize {
    v.map_or(none, Slot::index)
}

/// Applies `f` to the tally under `key`, creating it (one allocation) only when new.
#[inline]
fn with_entry<V: Default>(m: &mut FastMap<String, V>, key: &str, f: impl FnOnce(&mut V)) {
    if let Some(v) = m.get_mut(key) {
        f(v);
        return;
    }
    f(m.entry(key.to_owned()).or_default());
}

/// Removes `r` from the tally under `key`, dropping the entry when it becomes empty.
#[inline]
fn remove_from<K, Q>(m: &mut FastMap<K, Tally>, key: &Q, r: &ApplicationRecord)
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
    pub(crate) heading: FastMap<String, Tally>,
    pub(crate) category: FastMap<String, Tally>,
    /// Index = plate.
    pub(crate) province: Vec<Tally>,
    /// Index = plate; key = district name, `""` for the governorship.
    pub(crate) district: Vec<FastMap<String, Tally>>,
    /// Index = channel; the last slot is "not given".
    pub(crate) channel: [Tally; Channel::ALL.len() + 1],
    /// Index = kind; the last slot is "not given".
    pub(crate) kind: [Tally; ApplicationKind::ALL.len() + 1],
    pub(crate) institution: FastMap<String, Tally>,
    pub(crate) unit: FastMap<String, UnitTally>,
    pub(crate) week: FastMap<u32, Tally>,
    pub(crate) month: FastMap<u32, Tally>,
    /// Index = age group; the last slot is "not given".
    pub(crate) age: [Tally; AgeGroup::ALL.len() + 1],
    /// Index = gender; the last slot is "not given".
    pub(crate) gender: [Tally; Gender::ALL.len() + 1],
    /// Index = plate; category code → number of applications.
    pub(crate) province_category: Vec<FastMap<String, u64>>,
}

/// A unit's tally and the institution types its records name, with counts so that removal can
/// forget a type; kept sorted by type so that equal contents compare equal. (Normally one type:
/// a linear scan beats a second map lookup.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UnitTally {
    pub(crate) tally: Tally,
    pub(crate) institutions: Vec<(String, u64)>,
}

impl UnitTally {
    fn add(&mut self, r: &ApplicationRecord) {
        self.tally.add(r);
        let key = r.institution_key();
        match self.institutions.iter_mut().find(|(k, _)| k == key) {
            Some((_, c)) => *c += 1,
            None => {
                let at = self.institutions.partition_point(|(k, _)| k.as_str() < key);
                self.institutions.insert(at, (key.to_string(), 1));
            }
        }
    }

    fn remove(&mut self, r: &ApplicationRecord) {
        self.tally.remove(r);
        let key = r.institution_key();
        if let Some(i) = self.institutions.iter().position(|(k, _)| k == key) {
            self.institutions[i].1 -= 1;
            if self.institutions[i].1 == 0 {
                self.institutions.remove(i);
            }
        }
    }

    fn merge(&mut self, o: &UnitTally) {
        self.tally.merge(&o.tally);
        for (k, c) in &o.institutions {
            match self.institutions.iter_mut().find(|(x, _)| x == k) {
                Some((_, n)) => *n += c,
                None => {
                    let at = self.institutions.partition_point(|(x, _)| x < k);
                    self.institutions.insert(at, (k.clone(), *c));
                }
            }
        }
    }
}

impl Default for Aggregates {
    fn default() -> Self {
        Aggregates {
            total: Tally::default(),
            heading: FastMap::default(),
            category: FastMap::default(),
            province: vec![Tally::default(); PLATE_SLOTS],
            district: vec![FastMap::default(); PLATE_SLOTS],
            channel: Default::default(),
            kind: Default::default(),
            institution: FastMap::default(),
            unit: FastMap::default(),
            week: FastMap::default(),
            month: FastMap::default(),
            age: Default::default(),
            gender: Default::default(),
            province_category: vec![FastMap::default(); PLATE_SLOTS],
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
        self.channel[slot(r.channel, Channel::ALL.len())].add(r);
        self.kind[slot(r.kind, ApplicationKind::ALL.len())].add(r);
        with_entry(&mut self.institution, r.institution_key(), |t| t.add(r));
        with_entry(&mut self.unit, r.unit_key(), |t| t.add(r));
        self.week.entry(week_key(date)).or_default().add(r);
        self.month.entry(month_key(date)).or_default().add(r);
        self.age[slot(r.age_group, AgeGroup::ALL.len())].add(r);
        self.gender[slot(r.gender, Gender::ALL.len())].add(r);
        with_entry(&mut self.province_category[plate], r.category_key(), |c| {
            *c += 1
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
        self.channel[slot(r.channel, Channel::ALL.len())].remove(r);
        self.kind[slot(r.kind, ApplicationKind::ALL.len())].remove(r);
        remove_from(&mut self.institution, r.institution_key(), r);
        if let Some(u) = self.unit.get_mut(r.unit_key()) {
            u.remove(r);
            if u.tally.is_empty() {
                self.unit.remove(r.unit_key());
            }
        }
        remove_from(&mut self.week, &week_key(date), r);
        remove_from(&mut self.month, &month_key(date), r);
        self.age[slot(r.age_group, AgeGroup::ALL.len())].remove(r);
        self.gender[slot(r.gender, Gender::ALL.len())].remove(r);
        let pc = &mut self.province_category[plate];
        if let Some(c) = pc.get_mut(r.category_key()) {
            *c -= 1;
            if *c == 0 {
                pc.remove(r.category_key());
            }
        }
    }

    /// Adds another set of aggregates into this one (for combining partial batches).
    pub fn merge(&mut self, o: &Aggregates) {
        fn merge_map<K: Clone + std::hash::Hash + Eq>(
            a: &mut FastMap<K, Tally>,
            b: &FastMap<K, Tally>,
        ) {
            for (k, t) in b {
                a.entry(k.clone()).or_default().merge(t);
            }
        }
        fn merge_counts(a: &mut FastMap<String, u64>, b: &FastMap<String, u64>) {
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
        for (k, u) in &o.unit {
            self.unit.entry(k.clone()).or_default().merge(u);
        }
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
    }
}
