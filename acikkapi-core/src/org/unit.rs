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

/// Rol: what a person acting on the Açık Kapı system is — the one role enum of the crate.
///
/// The first six are posts in the organisation (the `role` of an [`Officer`] in the organisation
/// files, written `yetkili`, `yedek`, `head`, `vali_yardimcisi`, `vali`, `kaymakam`); the others
/// are the roles of the workflow's actors who hold no post in a unit's officer list (bureau
/// clerks, analysts, the strategy department, citizens, the system). An organisation file that
/// gives an officer a non-post role is refused at load ([`Role::is_post`]).
///
/// Journals written before the roles were merged say `officer` and `governor`; those read as
/// [`Role::Yetkili`] and [`Role::Vali`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Yetkili / irtibat görevlisi: the authorised officer who receives applications.
    #[serde(alias = "officer")]
    Yetkili,
    /// Yedek: the substitute when the yetkili is absent.
    Yedek,
    /// Birim amiri: the head of an institution (müdür, başkan).
    Head,
    /// Vali yardımcısı.
    ValiYardimcisi,
    /// Vali.
    #[serde(alias = "governor")]
    Vali,
    /// Kaymakam.
    Kaymakam,
    /// Açık Kapı bürosu: a clerk who receives, registers, routes and closes applications.
    Bureau,
    /// Vatandaş: the applicant, tracking their own application.
    Citizen,
    /// Analist: reads de-identified records only.
    Analyst,
    /// Strateji Geliştirme Başkanlığı: gives opinions on personnel changes.
    Strategy,
    /// Sistem: the engine itself (timers).
    System,
}

/// The role of an officer in the organisation files: the same type as [`Role`], restricted to
/// posts ([`Role::is_post`]) when a file is loaded.
pub type OfficerRole = Role;

impl Role {
    /// The role as written in files and journals (`"vali_yardimcisi"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Yetkili => "yetkili",
            Role::Yedek => "yedek",
            Role::Head => "head",
            Role::ValiYardimcisi => "vali_yardimcisi",
            Role::Vali => "vali",
            Role::Kaymakam => "kaymakam",
            Role::Bureau => "bureau",
            Role::Citizen => "citizen",
            Role::Analyst => "analyst",
            Role::Strategy => "strategy",
            Role::System => "system",
        }
    }

    /// Turkish name of the role (for messages: `yetkisiz işlem: Analist rolü …`).
    pub fn name_tr(self) -> &'static str {
        match self {
            Role::Yetkili => "Yetkili",
            Role::Yedek => "Yedek yetkili",
            Role::Head => "Birim amiri",
            Role::ValiYardimcisi => "Vali yardımcısı",
            Role::Vali => "Vali",
            Role::Kaymakam => "Kaymakam",
            Role::Bureau => "Açık Kapı Bürosu",
            Role::Citizen => "Vatandaş",
            Role::Analyst => "Analist",
            Role::Strategy => "Strateji Geliştirme Başkanlığı",
            Role::System => "Sistem",
        }
    }

    /// Whether the role is a post of a unit's officer list (yetkili, yedek, head, vali
    /// yardımcısı, vali, kaymakam).
    pub fn is_post(self) -> bool {
        matches!(
            self,
            Role::Yetkili
                | Role::Yedek
                | Role::Head
                | Role::ValiYardimcisi
                | Role::Vali
                | Role::Kaymakam
        )
    }

    /// Whether the role is the governor's office: vali, vali yardımcısı or kaymakam (they
    /// approve special applications).
    pub fn is_governor(self) -> bool {
        matches!(self, Role::Vali | Role::ValiYardimcisi | Role::Kaymakam)
    }

    /// Whether the role answers applications in an institution: yetkili, yedek or head.
    pub fn is_officer(self) -> bool {
        matches!(self, Role::Yetkili | Role::Yedek | Role::Head)
    }
}

impl fmt::Display for Role {
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
