//! Yönlendirme: the native router — which officer of which unit handles an application.
//!
//! A [`RouteRequest`] (category, district, date, flags) goes to a [`Router`] built for one province;
//! out comes a [`Decision`]: the [`Target`] (route to a unit and its officer, redirect, or reject),
//! the Açık Kapı unit that registers it, priority, deadline in business days, the escalation chain,
//! visibility, and — from [`Router::explain`] — a trace of why.
//!
//! Rules, in order:
//! 1. No Açık Kapı unit active on the date (before the province's Şube was set up) → reject.
//! 2. The citizen asked to apply to a unit directly (`direct_to_unit`, an id or a name) → redirect
//!    to that unit (an unknown unit is noted in the trace and ignored).
//! 3. OHAL (state of emergency) matters → the valilik's OHAL İşlemleri Bürosu.
//! 4. Special (özellikli) → importance ≥ [`DeadlinePolicy::vali_importance`] (default 4): the vali;
//!    else a district category from a district with a kaymakamlık: the kaymakam; else the vali
//!    yardımcısı responsible for the category's institution.
//! 5. Otherwise the category's institution type at the category's level in the district, else the
//!    province unit of that type (a province category falls back to the district's unit).
//!    [`Router::for_province`] always finds one (missing types are filled from the generated default);
//!    a router built with [`Router::from_org`] on an incomplete organisation rejects the gaps.
//!
//! The officer is the unit's first yetkili available on the date, else its yedek (see
//! [`Unit::receiving_officer`](crate::org::Unit::receiving_officer)). Confidential applications are
//! visible only to the receiving officer, the unit's substitutes and the escalation officers.
//!
//! Deadlines ([`DeadlinePolicy`], business days): 7 by default (the Açık Kapı rule); special 5;
//! special with importance ≥ 4: 3. The shorter special deadlines are this project's policy, not an
//! official rule; change them with [`Router::with_policy`].
//!
//! Speed: everything that depends only on the organisation (category × district → unit, escalation
//! chains) is computed when the router is built; [`Router::route_resolved`] decides without
//! allocating, [`Router::route`] adds the lookups and builds a [`Decision`] (no trace);
//! [`Router::explain`] also writes the trace.
//!
//! ```
//! use acikkapi_core::geo::ProvincePlate;
//! use acikkapi_core::routing::{RouteRequest, Router, Target};
//! use acikkapi_core::taxonomy::CategoryCode;
//! let router = Router::for_province(ProvincePlate::new(20).unwrap()).unwrap();
//! let req = RouteRequest::new(
//!     CategoryCode::parse("SAGLIK.DIGER").unwrap(),
//!     ProvincePlate::new(20).unwrap(),
//!     "Merkezefendi",
//!     chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
//! );
//! let d = router.explain(&req).unwrap();
//! assert!(matches!(d.target, Target::Route { .. }));
//! assert_eq!(d.deadline_days, 7);
//! assert_eq!(d.escalation.last().unwrap().as_str(), "20.VALILIK");
//! assert!(!d.trace.is_empty());
//! ```

mod router;
mod trace;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use router::{CompactDecision, ResolvedRequest, Router, Rule};

use crate::application::{Application, ApplicationKind, Channel};
use crate::geo::ProvincePlate;
use crate::org::{OfficerId, UnitId};
use crate::taxonomy::CategoryCode;

fn default_kind() -> ApplicationKind {
    ApplicationKind::Sikayet
}

/// Reads a kind by its code, Turkish name or alias (`"şikayet"`, `"ihbar"`).
fn lenient_kind<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ApplicationKind, D::Error> {
    let s = String::deserialize(d)?;
    ApplicationKind::parse(&s)
        .ok_or_else(|| serde::de::Error::custom(format!("başvuru türü: {s:?}")))
}

/// Reads a channel by its code, Turkish name or alias (`"e-devlet"`, `"telefon"`); an empty
/// string is no channel.
fn lenient_channel<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Channel>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => Channel::parse(t)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("başvuru kanalı: {t:?}"))),
    }
}

/// Yönlendirme isteği: what the router needs to know about an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteRequest {
    /// Category.
    pub category: CategoryCode,
    /// Province.
    pub province: ProvincePlate,
    /// District (any spelling).
    pub district: String,
    /// Application date (decides which Açık Kapı unit is active and who is absent).
    pub date: NaiveDate,
    /// Şikâyet, talep or ihbar (read leniently: `"şikayet"`, `"ihbar"`…).
    #[serde(default = "default_kind", deserialize_with = "lenient_kind")]
    pub kind: ApplicationKind,
    /// The channel it came through, if known; informative (read leniently: `"e-devlet"`,
    /// `"telefon"`…).
    #[serde(default, deserialize_with = "lenient_channel")]
    pub channel: Option<Channel>,
    /// Özellikli: to be handled by the vali / kaymakam personally.
    #[serde(default)]
    pub special: bool,
    /// Importance 0..=5 (used for special applications).
    #[serde(default)]
    pub importance: u8,
    /// An OHAL (state of emergency) matter.
    #[serde(default)]
    pub ohal: bool,
    /// Gizli: the applicant asked for confidentiality.
    #[serde(default)]
    pub confidential: bool,
    /// The unit (id or name) the citizen asked to apply to directly.
    #[serde(default)]
    pub direct_to_unit: Option<String>,
    /// The application text (not used by the native router; scripts may read it).
    #[serde(default)]
    pub text: String,
}

impl RouteRequest {
    /// A plain request: a complaint (`sikayet`) with no flags and no text.
    pub fn new(
        category: CategoryCode,
        province: ProvincePlate,
        district: &str,
        date: NaiveDate,
    ) -> RouteRequest {
        RouteRequest {
            category,
            province,
            district: district.to_string(),
            date,
            kind: default_kind(),
            channel: None,
            special: false,
            importance: 0,
            ohal: false,
            confidential: false,
            direct_to_unit: None,
            text: String::new(),
        }
    }
}

impl From<&Application> for RouteRequest {
    /// The routing view of a valid application: its category, place, reception date (Turkish
    /// time), kind and channel codes, flags and subject. Applications carry no importance, so a
    /// special application gets importance 0 (the kaymakam or the vali yardımcısı, not the vali);
    /// a caller who knows better sets [`RouteRequest::importance`].
    fn from(app: &Application) -> RouteRequest {
        RouteRequest {
            category: app.category.clone(),
            province: app.location.province,
            district: app.location.district.clone(),
            date: app.received_at.date_naive(),
            kind: app.kind,
            channel: Some(app.channel),
            special: app.flags.special,
            importance: 0,
            ohal: app.flags.ohal,
            confidential: app.flags.confidential,
            direct_to_unit: app.flags.direct_to_unit.clone(),
            text: app.subject.clone(),
        }
    }
}

/// Where the application goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// To this unit's officer.
    Route {
        /// The unit.
        unit: UnitId,
        /// The receiving officer.
        officer: OfficerId,
    },
    /// Yönlendirme: the citizen is referred to apply to this unit directly.
    Redirect {
        /// The unit.
        unit: UnitId,
    },
    /// Ret: not routable (reason in Turkish).
    Reject {
        /// Why.
        reason: String,
    },
}

/// Öncelik.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Olağan.
    Normal,
    /// Yüksek: special applications, tips (ihbar).
    High,
    /// Acil: special with high importance.
    Urgent,
}

impl Priority {
    /// The Turkish name (`"olağan"`, `"yüksek"`, `"acil"`).
    pub fn name_tr(self) -> &'static str {
        match self {
            Priority::Normal => "olağan",
            Priority::High => "yüksek",
            Priority::Urgent => "acil",
        }
    }
}

/// Who may see the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Visibility {
    /// The Açık Kapı staff and the handling unit.
    Standard,
    /// Gizli: only these officers (receiving officer, the unit's substitutes, the escalation chain).
    Restricted {
        /// The officers who may see it.
        officers: Vec<OfficerId>,
    },
}

/// How the decision was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecidedBy {
    /// By the native router.
    Native,
    /// By a province's rule script.
    Script {
        /// The script's name.
        name: String,
    },
    /// The script failed; the native decision was used.
    Fallback {
        /// The script's error.
        error: String,
    },
}

/// Deadlines in business days and the importance from which a special application goes to the vali.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlinePolicy {
    /// Ordinary applications (7: the Açık Kapı rule).
    pub normal_days: u32,
    /// Special applications.
    pub special_days: u32,
    /// Special applications with importance ≥ `vali_importance`.
    pub urgent_days: u32,
    /// From this importance a special application goes to the vali, and is urgent.
    pub vali_importance: u8,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            normal_days: crate::ANSWER_DAYS,
            special_days: 5,
            urgent_days: 3,
            vali_importance: 4,
        }
    }
}

/// Karar: the router's decision on an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Where it goes.
    pub target: Target,
    /// The Açık Kapı unit that registers it (`None` when rejected for lack of an active unit).
    pub registered_by: Option<UnitId>,
    /// Whether the receiving officer is the substitute (the yetkili being absent on the date).
    pub substitute: bool,
    /// Priority.
    pub priority: Priority,
    /// Deadline in business days.
    pub deadline_days: u32,
    /// The escalation chain of units: the target unit first, the valilik last (no repeats).
    pub escalation: Vec<UnitId>,
    /// The officers it escalates to above the receiving officer, in order, the vali last.
    pub escalation_officers: Vec<OfficerId>,
    /// Who may see it.
    pub visibility: Visibility,
    /// Why, step by step (filled by [`Router::explain`], empty from [`Router::route`]).
    pub trace: Vec<String>,
    /// How it was decided.
    pub decided_by: DecidedBy,
    /// Version of the rule set that decided it (filled by the script layer).
    pub rule_set_version: Option<String>,
}

impl Decision {
    /// The target unit (route or redirect).
    pub fn unit(&self) -> Option<&UnitId> {
        match &self.target {
            Target::Route { unit, .. } | Target::Redirect { unit } => Some(unit),
            Target::Reject { .. } => None,
        }
    }

    /// The receiving officer (route only).
    pub fn officer(&self) -> Option<&OfficerId> {
        match &self.target {
            Target::Route { officer, .. } => Some(officer),
            _ => None,
        }
    }
}
