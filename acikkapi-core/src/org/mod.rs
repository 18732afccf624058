//! Teşkilat: the organisation graph of one province — who handles which application.
//!
//! Units ([`Unit`]): the ministry (İçişleri Bakanlığı) and its Strateji Geliştirme Başkanlığı
//! (national Açık Kapı coordination), the valilik, one kaymakamlık per district (the metropolitan
//! central districts too; the "Merkez" district of a non-metropolitan province is governed by the
//! valilik itself), the Açık Kapı units (Açık Kapı Şube Müdürlüğü at the valilik, Açık Kapı Şefliği at
//! a kaymakamlık) with their activation dates, the OHAL İşlemleri Bürosu, and the institutions (İl
//! Sağlık Müdürlüğü, Emniyet, SGK, belediye…) that handle the taxonomy's institution types, each with
//! its officers ([`Officer`]): authorised officer (yetkili), substitute (yedek), head; the valilik
//! has the vali and vali yardımcıları, a kaymakamlık the kaymakam.
//!
//! The units are nodes of a [`petgraph`] graph with three kinds of [`Edge`]: `parent` (hierarchy),
//! `escalates_to` (officer → institution head → [kaymakam →] vali yardımcısı → vali) and `serves`
//! (Açık Kapı unit → the governorship of the district it registers applications for).
//!
//! # Sources of an organisation
//! * A hand-written TOML file ([`Organisation::from_toml`]); Denizli (20) and İstanbul (34) are
//!   embedded (`data/org/20-denizli.toml`, `data/org/34-istanbul.toml`).
//! * A default generated for any province from the taxonomy's institution types and the geography
//!   ([`Organisation::generated`]): officers are role placeholders (`generated = true`), not persons.
//! * [`Organisation::for_province`]: the embedded file when there is one, with the generated units of
//!   every institution type the file does not handle added ([`Organisation::filled_types`]); else the
//!   generated default. Cached per province.
//!
//! # File format (`schema = 1`)
//! ```toml
//! schema = 1
//! province = 20
//! version = "2026.11-1"
//! description = "..."
//!
//! [[unit]]
//! id = "20.VALILIK"               # PP.PART[.PART…]
//! kind = "valilik"                # valilik | kaymakamlik | acik_kapi_sube | acik_kapi_sefligi |
//!                                 # ohal_burosu | institution
//! name = "Denizli Valiliği"
//! handles = ["VALILIK"]           # institution type codes of the taxonomy
//! # district = "Merkezefendi"     # absent = province level
//! # serves_districts = ["Adalar", "Kadıköy"]  # a province unit serving only these districts
//! # parent = "…", escalates_to = "…"   # default by kind (see below)
//! # active_from = "2019-07-15"    # Açık Kapı units: activation date (required)
//! # vali_yardimcisi = "20.VALILIK.VY_SOSYAL"  # whom the unit escalates to at the valilik
//!
//! [[unit.officer]]
//! id = "VALI"                     # local part; default: the role in upper case
//! title = "Denizli Valisi"
//! role = "vali"                   # yetkili | yedek | head | vali_yardimcisi | vali | kaymakam
//! # unavailable = [{ from = "2026-11-20", to = "2026-11-27" }]
//! ```
//! Defaults: a kaymakamlık, the Açık Kapı Şube, the OHAL bureau and province-level institutions have
//! the valilik as parent and escalation target; a district institution and an Açık Kapı Şefliği have
//! the district's kaymakamlık (the valilik where the district has none); the valilik's parent is
//! `TR.SGB`, whose parent is `TR.ICISLERI_BAKANLIGI` (both added by the loader).
//!
//! Checked at load, every problem reported at once ([`Error::InvalidOrganisation`]): ids, duplicate
//! units/officers, unknown references, escalation and parent cycles (named unit by unit), escalation
//! chains that do not end at the valilik, units that handle applications without yetkili or yedek,
//! institutions without a head, a valilik without vali / vali yardımcısı, a kaymakamlık without
//! kaymakam, districts without kaymakamlık, unknown districts and institution types.
//!
//! ```
//! use acikkapi_core::geo::ProvincePlate;
//! use acikkapi_core::org::{Organisation, UnitId};
//! let org = Organisation::for_province(ProvincePlate::new(20).unwrap()).unwrap();
//! let id = UnitId::parse("20.MERKEZEFENDI.KAYMAKAMLIK").unwrap();
//! assert_eq!(org.unit(&id).unwrap().name, "Merkezefendi Kaymakamlığı");
//! let date = chrono::NaiveDate::from_ymd_opt(2019, 7, 1).unwrap();
//! assert_eq!(org.acik_kapi_for("Merkezefendi", date).unwrap().id.as_str(), "20.ACIK_KAPI");
//! ```

mod build;
mod coverage;
mod file;
mod generate;
mod hash;
mod ids;
mod unit;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use petgraph::graph::DiGraph;
use serde::{Deserialize, Serialize};

pub use coverage::{CoverageReport, Gap};
pub use file::{OfficerSpec, OrgFile, SCHEMA_VERSION, UnitSpec};
pub(crate) use hash::FastMap;
pub use ids::{OfficerId, UnitId, id_part};
pub use unit::{DateRange, Edge, Officer, OfficerRole, Role, Unit, UnitKind};

use crate::error::{Error, Result};
use crate::geo::{Geography, ProvincePlate};
use crate::taxonomy::{InstitutionTypeCode, Level, Taxonomy};

/// A district's place in the organisation (index = the district's position in the geography).
#[derive(Debug, Clone)]
pub(crate) struct DistrictOrg {
    pub(crate) name: String,
    /// Unit index of the kaymakamlık (none for a non-metropolitan "Merkez").
    pub(crate) kaymakamlik: Option<usize>,
    /// Unit index and activation date of the district's Açık Kapı Şefliği.
    pub(crate) acik_kapi: Option<(usize, NaiveDate)>,
}

/// Where an institution type was found for a (district, level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// A unit at the category's level (district unit for a district category, province unit for
    /// a province category).
    AtLevel,
    /// A district category served by the province unit (no district unit of that type).
    ProvinceFallback,
    /// A province category served by the district's unit (no province unit of that type).
    DistrictFallback,
}

/// Teşkilat: the checked organisation of one province, indexed for routing.
#[derive(Debug, Clone)]
pub struct Organisation {
    plate: ProvincePlate,
    province_name: String,
    version: String,
    description: String,
    source: String,
    units: Vec<Unit>,
    index: HashMap<UnitId, usize>,
    name_index: HashMap<String, usize>,
    officer_index: HashMap<OfficerId, (usize, usize)>,
    graph: DiGraph<UnitId, Edge>,
    valilik: usize,
    acik_kapi: usize,
    ohal: usize,
    districts: Vec<DistrictOrg>,
    district_lookup: hash::FastMap<String, usize>,
    by_type_province: HashMap<InstitutionTypeCode, usize>,
    /// Institution type → district index → unit index.
    by_type_district: HashMap<InstitutionTypeCode, HashMap<usize, usize>>,
    filled_types: Vec<InstitutionTypeCode>,
    /// Institution type → the vali yardımcısı named by the first province unit handling it.
    type_vy: HashMap<InstitutionTypeCode, OfficerId>,
}

impl Organisation {
    /// Loads and checks an organisation file against the embedded taxonomy and geography.
    /// `file` names the file in error messages. Every problem is reported at once in
    /// [`Error::InvalidOrganisation`]; TOML syntax or type errors come as [`Error::DataFile`].
    pub fn from_toml(text: &str, file: &str) -> Result<Organisation> {
        Self::from_toml_with(text, file, Taxonomy::embedded(), Geography::embedded())
    }

    /// Like [`from_toml`](Self::from_toml) with a given taxonomy and geography.
    pub fn from_toml_with(
        text: &str,
        file: &str,
        tax: &Taxonomy,
        geo: &Geography,
    ) -> Result<Organisation> {
        let parsed: OrgFile = toml::from_str(text).map_err(|e| Error::DataFile {
            file: file.to_string(),
            line: e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].lines().count().max(1)
            }),
            message: e.message().to_string(),
        })?;
        build::build(parsed, file, tax, geo)
    }

    /// Builds and checks an organisation from an already parsed file.
    pub fn from_file(file: OrgFile, source: &str, tax: &Taxonomy, geo: &Geography) -> Result<Self> {
        build::build(file, source, tax, geo)
    }

    /// The generated default organisation of a province (see the module docs), cached.
    pub fn generated(plate: ProvincePlate) -> Result<Arc<Organisation>> {
        static CACHE: OnceLock<Vec<OnceLock<Arc<Organisation>>>> = OnceLock::new();
        let cache =
            CACHE.get_or_init(|| (0..ProvincePlate::COUNT).map(|_| OnceLock::new()).collect());
        cached(&cache[usize::from(plate.get() - 1)], || {
            let tax = Taxonomy::embedded();
            let geo = Geography::embedded();
            build::build(
                generate::default_file(plate, tax, geo),
                "generated",
                tax,
                geo,
            )
        })
    }

    /// The generated default of a province as a file, to write out and edit into a hand-written
    /// one (`acikkapi org generate PLATE`).
    ///
    /// ```
    /// use acikkapi_core::geo::ProvincePlate;
    /// use acikkapi_core::org::Organisation;
    /// let file = Organisation::generated_file(ProvincePlate::new(7).unwrap());
    /// let text = toml::to_string(&file).unwrap();
    /// let org = Organisation::from_toml(&text, "07.toml").unwrap();
    /// assert_eq!(org.valilik().name, "Antalya Valiliği");
    /// ```
    pub fn generated_file(plate: ProvincePlate) -> OrgFile {
        generate::default_file(plate, Taxonomy::embedded(), Geography::embedded())
    }

    /// The organisation used by the router for a province: the embedded hand-written file with the
    /// generated units of every institution type it lacks (see [`filled_types`](Self::filled_types)),
    /// or the generated default when there is no file. Cached.
    pub fn for_province(plate: ProvincePlate) -> Result<Arc<Organisation>> {
        static CACHE: OnceLock<Vec<OnceLock<Arc<Organisation>>>> = OnceLock::new();
        let cache =
            CACHE.get_or_init(|| (0..ProvincePlate::COUNT).map(|_| OnceLock::new()).collect());
        cached(
            &cache[usize::from(plate.get() - 1)],
            || match file::EMBEDDED.iter().find(|(p, _, _)| *p == plate.get()) {
                Some((_, name, text)) => {
                    let tax = Taxonomy::embedded();
                    let geo = Geography::embedded();
                    let parsed: OrgFile = toml::from_str(text).map_err(|e| Error::DataFile {
                        file: (*name).to_string(),
                        line: 0,
                        message: e.message().to_string(),
                    })?;
                    let (filled, types) = generate::fill(parsed, tax, geo);
                    let mut org = build::build(filled, name, tax, geo)?;
                    org.filled_types = types;
                    Ok(org)
                }
                None => Self::generated(plate).map(|o| (*o).clone()),
            },
        )
    }

    /// The hand-written file embedded for a province, as text (`None` when there is none).
    pub fn embedded_file(plate: ProvincePlate) -> Option<(&'static str, &'static str)> {
        file::EMBEDDED
            .iter()
            .find(|(p, _, _)| *p == plate.get())
            .map(|(_, n, t)| (*n, *t))
    }

    /// The province.
    pub fn plate(&self) -> ProvincePlate {
        self.plate
    }

    /// The province's name.
    pub fn province_name(&self) -> &str {
        &self.province_name
    }

    /// The data version of the file (`"generated-<taxonomy version>"` for the default).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The file's description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Where it came from: a file name or `"generated"`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Institution types whose units were added from the generated default (see
    /// [`for_province`](Self::for_province)); empty otherwise.
    pub fn filled_types(&self) -> &[InstitutionTypeCode] {
        &self.filled_types
    }

    /// All units: the two national units first, then the file's.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// A unit by id.
    pub fn unit(&self, id: &UnitId) -> Option<&Unit> {
        self.index.get(id).map(|&i| &self.units[i])
    }

    /// A unit by its id as a string.
    pub fn unit_by_str(&self, id: &str) -> Option<&Unit> {
        self.index.get(id.trim()).map(|&i| &self.units[i])
    }

    /// A unit by id (`20.VALILIK`) or by name in any spelling (`"pamukkale belediyesi"`).
    pub fn find_unit_by_name(&self, name: &str) -> Option<&Unit> {
        self.unit_by_str(name).or_else(|| {
            self.name_index
                .get(&crate::text::search_key(name))
                .map(|&i| &self.units[i])
        })
    }

    /// An officer and the unit it belongs to.
    pub fn officer(&self, id: &OfficerId) -> Option<(&Unit, &Officer)> {
        self.officer_index
            .get(id)
            .map(|&(u, o)| (&self.units[u], &self.units[u].officers[o]))
    }

    /// The units handling an institution type: for the whole province (`district = None`), or in a
    /// district (units placed there, and province units serving it via `serves_districts`).
    pub fn institutions_of_type(
        &self,
        institution: &InstitutionTypeCode,
        district: Option<&str>,
    ) -> Vec<&Unit> {
        let want = district.map(|d| self.district_index(d));
        self.units
            .iter()
            .filter(|u| u.handles.contains(institution))
            .filter(|u| match (&want, &u.district) {
                (None, None) => u.serves_districts.is_empty(),
                (Some(Some(i)), Some(d)) => self.districts[*i].name == *d,
                (Some(Some(i)), None) => u.serves_districts.contains(&self.districts[*i].name),
                _ => false,
            })
            .collect()
    }

    /// The graph: node `i` is `units()[i]` (weight: its id).
    pub fn graph(&self) -> &DiGraph<UnitId, Edge> {
        &self.graph
    }

    /// The valilik.
    pub fn valilik(&self) -> &Unit {
        &self.units[self.valilik]
    }

    /// The province's Açık Kapı Şube Müdürlüğü.
    pub fn acik_kapi_unit(&self) -> &Unit {
        &self.units[self.acik_kapi]
    }

    /// The OHAL İşlemleri Bürosu.
    pub fn ohal_bureau(&self) -> &Unit {
        &self.units[self.ohal]
    }

    /// The province's districts (canonical names, Turkish order).
    pub fn district_names(&self) -> impl Iterator<Item = &str> {
        self.districts.iter().map(|d| d.name.as_str())
    }

    /// The governorship of a district: its kaymakamlık, or the valilik for a non-metropolitan
    /// "Merkez" district. `None` for an unknown district.
    pub fn governorship_of(&self, district: &str) -> Option<&Unit> {
        let d = &self.districts[self.district_index(district)?];
        Some(&self.units[d.kaymakamlik.unwrap_or(self.valilik)])
    }

    /// The Açık Kapı unit that registers an application from a district on a date: the district's
    /// Şefliği when active on that date, else the province's Şube when active; `None` before that
    /// or for an unknown district.
    pub fn acik_kapi_for(&self, district: &str, date: NaiveDate) -> Option<&Unit> {
        self.acik_kapi_index(self.district_index(district)?, date)
            .map(|i| &self.units[i])
    }

    pub(crate) fn acik_kapi_index(&self, district: usize, date: NaiveDate) -> Option<usize> {
        match self.districts[district].acik_kapi {
            Some((i, from)) if from <= date => Some(i),
            _ => {
                let from = self.units[self.acik_kapi].active_from?;
                (from <= date).then_some(self.acik_kapi)
            }
        }
    }

    /// The index of a district by canonical name (fast) or any spelling.
    pub(crate) fn district_index(&self, name: &str) -> Option<usize> {
        if let Some(&i) = self.district_lookup.get(name) {
            return Some(i);
        }
        let d = Geography::embedded().district(self.plate, name)?;
        self.district_lookup.get(d.name.as_str()).copied()
    }

    pub(crate) fn districts_internal(&self) -> &[DistrictOrg] {
        &self.districts
    }

    pub(crate) fn unit_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub(crate) fn unit_at(&self, i: usize) -> &Unit {
        &self.units[i]
    }

    pub(crate) fn valilik_index(&self) -> usize {
        self.valilik
    }

    pub(crate) fn ohal_index(&self) -> usize {
        self.ohal
    }

    /// The unit that handles an institution type for a district at a level, and how it was found.
    pub fn resolve(
        &self,
        institution: &InstitutionTypeCode,
        level: Level,
        district: &str,
    ) -> Option<(&Unit, Resolution)> {
        let d = self.district_index(district)?;
        self.resolve_index(institution, level, d)
            .map(|(i, r)| (&self.units[i], r))
    }

    pub(crate) fn resolve_index(
        &self,
        institution: &InstitutionTypeCode,
        level: Level,
        district: usize,
    ) -> Option<(usize, Resolution)> {
        let local = || {
            self.by_type_district
                .get(institution)
                .and_then(|m| m.get(&district))
                .copied()
        };
        let province = || self.by_type_province.get(institution).copied();
        match level {
            Level::District => local()
                .map(|i| (i, Resolution::AtLevel))
                .or_else(|| province().map(|i| (i, Resolution::ProvinceFallback))),
            Level::Province => province()
                .map(|i| (i, Resolution::AtLevel))
                .or_else(|| local().map(|i| (i, Resolution::DistrictFallback))),
        }
    }

    /// The escalation chain of a unit: the unit itself, then each `escalates_to` up to the valilik.
    pub fn escalation_chain(&self, unit: &UnitId) -> Vec<&Unit> {
        let mut out = Vec::new();
        let mut cur = self.index.get(unit).copied();
        // The build checks there are no escalation cycles; the bound is belt and braces.
        while let Some(i) = cur {
            if out.len() > self.units.len() {
                break;
            }
            out.push(&self.units[i]);
            cur = self.units[i]
                .escalates_to
                .as_ref()
                .and_then(|e| self.index.get(e).copied());
        }
        out
    }

    /// The officers an application handled by `unit` escalates to, in order: the unit's head
    /// (institution head, kaymakam), each further unit's head, and at the valilik the unit's vali
    /// yardımcısı then the vali. No officer appears twice. The vali yardımcısı is the one named on
    /// the chain (`vali_yardimcisi`), else the one of a province unit handling the same institution
    /// type, else the valilik's first.
    pub fn officer_chain(&self, unit: &UnitId) -> Vec<&Officer> {
        let chain = self.escalation_chain(unit);
        // The VY named on the chain, else the one of the province unit of the same institution
        // type (a district belediye follows the Büyükşehir), else the valilik's first.
        let same_type = || {
            chain
                .first()
                .and_then(|u| u.handles.iter().find_map(|t| self.type_vy.get(t)))
        };
        let vy = chain
            .iter()
            .find_map(|u| u.vali_yardimcisi.as_ref())
            .or_else(same_type)
            .and_then(|id| self.officer(id))
            .map(|(_, o)| o)
            .or_else(|| self.valilik().first_with(OfficerRole::ValiYardimcisi));
        let mut out: Vec<&Officer> = Vec::new();
        for u in chain {
            let head = match u.kind {
                UnitKind::Valilik => None,
                UnitKind::Kaymakamlik => u.first_with(OfficerRole::Kaymakam),
                _ => u.first_with(OfficerRole::Head),
            };
            if let Some(h) = head {
                out.push(h);
            }
            if u.kind == UnitKind::Valilik {
                out.extend(vy);
                out.extend(u.first_with(OfficerRole::Vali));
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|o| seen.insert(o.id.clone()));
        out
    }

    /// The coverage report: for every (category, district), whether a route exists.
    pub fn coverage(&self, tax: &Taxonomy) -> CoverageReport {
        coverage::report(self, tax)
    }
}

fn cached(
    cell: &OnceLock<Arc<Organisation>>,
    build: impl FnOnce() -> Result<Organisation>,
) -> Result<Arc<Organisation>> {
    if let Some(o) = cell.get() {
        return Ok(o.clone());
    }
    let org = Arc::new(build()?);
    Ok(cell.get_or_init(|| org).clone())
}

#[cfg(test)]
mod tests;
