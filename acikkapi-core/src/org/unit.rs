//! Units, officers and the kinds of edges of the organisation graph.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{OfficerId, UnitId};
use crate::taxonomy::InstitutionTypeCode;

/// Birim türü: the kind of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// İçişleri Bakanlığı (national).
    Ministry,
    /// Strateji Geliştirme Başkanlığı: national Açık Kapı coordination.
    StrategyDepartment,
    /// Valilik: the governorship of the province.
    Valilik,
    /// Kaymakamlık: the governorship of a district.
    Kaymakamlik,
    /// Açık Kapı Şube Müdürlüğü at the valilik.
    AcikKapiSube,
    /// Açık Kapı Şefliği at a kaymakamlık.
    AcikKapiSefligi,
    /// OHAL İşlemleri Bürosu at the valilik.
    OhalBurosu,
    /// Kurum: an institution that handles applications (il/ilçe müdürlüğü, belediye, şirket…).
    Institution,
}

/// Görevli rolü: an officer's role in routing and escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficerRole {
    /// Yetkili / irtibat görevlisi: the authorised officer who receives applications.
    Yetkili,
    /// Yedek: the substitute when the yetkili is absent.
    Yedek,
    /// Birim amiri: the head of an institution (müdür, başkan).
    Head,
    /// Vali yardımcısı.
    ValiYardimcisi,
    /// Vali.
    Vali,
    /// Kaymakam.
    Kaymakam,
}

impl OfficerRole {
    /// The role as written in files (`"vali_yardimcisi"`).
    pub fn as_str(self) -> &'static str {
        match self {
            OfficerRole::Yetkili => "yetkili",
            OfficerRole::Yedek => "yedek",
            OfficerRole::Head => "head",
            OfficerRole::ValiYardimcisi => "vali_yardimcisi",
            OfficerRole::Vali => "vali",
            OfficerRole::Kaymakam => "kaymakam",
        }
    }
}

impl fmt::Display for OfficerRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A period of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl DateRange {
    /// Whether `date` is in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// Görevli: an officer of a unit. Officers are public servants: name and title, never a TCKN.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Officer {
    /// Id (`20.SAGLIK_MUDURLUGU.YETKILI`).
    pub id: OfficerId,
    /// Personal name when published; the data files use titles only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Title (`"İl Sağlık Müdür Yardımcısı"`); for generated officers a role placeholder.
    pub title: String,
    /// Role.
    pub role: OfficerRole,
    /// Official phone; masked in `Debug` output (logs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Periods in which the officer is absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<DateRange>,
    /// Generated placeholder, not a real post holder.
    #[serde(default)]
    pub generated: bool,
}

impl Officer {
    /// Whether the officer is available on `date`.
    pub fn available_on(&self, date: NaiveDate) -> bool {
        !self.unavailable.iter().any(|r| r.contains(date))
    }
}

/// Masks all but the last two digits of a phone number (for logs).
fn mask_phone(p: &str) -> String {
    let digits = p.chars().filter(char::is_ascii_digit).count();
    let mut seen = 0;
    p.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + 2 <= digits { '*' } else { c }
            } else {
                c
            }
        })
        .collect()
}

impl fmt::Debug for Officer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Officer")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("title", &self.title)
            .field("role", &self.role)
            .field("phone", &self.phone.as_deref().map(mask_phone))
            .field("unavailable", &self.unavailable)
            .field("generated", &self.generated)
            .finish()
    }
}

/// Birim: a unit of the organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    /// Id.
    pub id: UnitId,
    /// Kind.
    pub kind: UnitKind,
    /// Official name.
    pub name: String,
    /// The district it sits in (canonical name), `None` at province level.
    pub district: Option<String>,
    /// For a province-level unit serving only part of the province: those districts (canonical
    /// names); empty = the whole province.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serves_districts: Vec<String>,
    /// Institution types whose applications it handles.
    pub handles: Vec<InstitutionTypeCode>,
    /// Hierarchical parent.
    pub parent: Option<UnitId>,
    /// Next unit up the escalation chain (`None` for the valilik and the national units).
    pub escalates_to: Option<UnitId>,
    /// Activation date (Açık Kapı units).
    pub active_from: Option<NaiveDate>,
    /// The vali yardımcısı this unit escalates to, when not the valilik's first.
    pub vali_yardimcisi: Option<OfficerId>,
    /// Officers, in file order.
    pub officers: Vec<Officer>,
    /// Generated default, not from a hand-written file.
    pub generated: bool,
}

impl Unit {
    /// The officers with a role, in file order.
    pub fn officers_with(&self, role: OfficerRole) -> impl Iterator<Item = &Officer> {
        self.officers.iter().filter(move |o| o.role == role)
    }

    /// The first officer with a role.
    pub fn first_with(&self, role: OfficerRole) -> Option<&Officer> {
        self.officers_with(role).next()
    }

    /// The officer who receives an application on `date`: the first available yetkili, else the
    /// first available yedek, else the first yetkili (absences do not make an application unroutable).
    pub fn receiving_officer(&self, date: NaiveDate) -> Option<&Officer> {
        self.officers_with(OfficerRole::Yetkili)
            .find(|o| o.available_on(date))
            .or_else(|| {
                self.officers_with(OfficerRole::Yedek)
                    .find(|o| o.available_on(date))
            })
            .or_else(|| self.first_with(OfficerRole::Yetkili))
    }
}

/// Kind of an edge of the organisation graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edge {
    /// From a unit to its hierarchical parent.
    Parent,
    /// From a unit to the next unit of its escalation chain.
    EscalatesTo,
    /// From an Açık Kapı unit to a governorship (valilik/kaymakamlık) it registers applications for.
    Serves,
}
