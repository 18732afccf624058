//! The organisation file format (TOML, `schema = 1`). See the [module docs](super) for an example.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{OfficerRole, UnitKind};
use crate::taxonomy::InstitutionTypeCode;

/// The organisation file format this code reads (`schema = 1`).
pub const SCHEMA_VERSION: u32 = 1;

/// Hand-written organisation files embedded in the crate, by plate.
pub(crate) const EMBEDDED: &[(u8, &str, &str)] = &[
    (
        20,
        "data/org/20-denizli.toml",
        include_str!("../../data/org/20-denizli.toml"),
    ),
    (
        34,
        "data/org/34-istanbul.toml",
        include_str!("../../data/org/34-istanbul.toml"),
    ),
];

/// A whole organisation file: one province.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgFile {
    /// File format version, must be [`SCHEMA_VERSION`].
    pub schema: u32,
    /// Province plate (1..=81).
    pub province: u8,
    /// Data version (`"2026.11-1"`), recorded with routing decisions' traces.
    pub version: String,
    /// One-line description: sources, assumptions.
    #[serde(default)]
    pub description: String,
    /// The units of the province (the national units `TR.ICISLERI_BAKANLIGI` and `TR.SGB` are added
    /// by the loader and must not be listed).
    #[serde(default)]
    pub unit: Vec<UnitSpec>,
}

/// One unit as written in the file. Omitted `parent`/`escalates_to` get the default of the kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSpec {
    /// Full unit id (`20.SAGLIK_MUDURLUGU`).
    pub id: String,
    /// Kind of unit.
    pub kind: UnitKind,
    /// Official name (`"Denizli İl Sağlık Müdürlüğü"`).
    pub name: String,
    /// District it sits in (any spelling); absent = province level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// A province-level unit that handles its types only for these districts (any spelling), e.g.
    /// one of two electricity distributors of a province; exclusive with `district`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serves_districts: Vec<String>,
    /// Institution types (taxonomy codes) whose applications it handles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handles: Vec<InstitutionTypeCode>,
    /// Hierarchical parent (unit id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Next unit up the escalation chain (unit id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalates_to: Option<String>,
    /// Activation date of an Açık Kapı unit (`"2019-07-15"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_from: Option<NaiveDate>,
    /// The vali yardımcısı this unit escalates to (full officer id of a valilik officer); default:
    /// the valilik's first vali yardımcısı.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vali_yardimcisi: Option<String>,
    /// Whether the unit was generated, not written by hand.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub generated: bool,
    /// Officers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub officer: Vec<OfficerSpec>,
}

/// One officer as written in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficerSpec {
    /// Local id within the unit (`YETKILI`); default: the role in upper case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Title (`"İl Sağlık Müdür Yardımcısı"`).
    pub title: String,
    /// Role in routing and escalation.
    pub role: OfficerRole,
    /// Personal name, if published (public servants; never a TCKN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Official phone (masked in `Debug` output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Periods (inclusive) in which the officer is absent; the substitute takes over.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<super::DateRange>,
}
