//! The native router: precomputed index, allocation-free decision, decision expansion and trace.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{DeadlinePolicy, DecidedBy, Decision, Priority, RouteRequest, Target, Visibility};
use crate::error::{Error, Result};
use crate::geo::ProvincePlate;
use crate::org::{FastMap, OfficerId, OfficerRole, Organisation, Resolution, UnitId, UnitKind};
use crate::taxonomy::{CategoryCode, InstitutionTypeCode, Level, Taxonomy};

pub(super) const NONE: u32 = u32::MAX;

/// Which rule decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "how", rename_all = "snake_case")]
pub enum Rule {
    /// No Açık Kapı unit active on the date: rejected.
    NotActive,
    /// The citizen asked for a unit directly: redirected.
    Redirect,
    /// OHAL matter: the OHAL bureau.
    Ohal,
    /// Special, high importance: the vali.
    SpecialVali,
    /// Special, district category in a district with a kaymakamlık: the kaymakam.
    SpecialKaymakam,
    /// Special otherwise: the responsible vali yardımcısı.
    SpecialValiYardimcisi,
    /// The category's institution, found as described.
    Category(Resolution),
    /// The category's institution type has no unit for the district: rejected.
    NoRoute,
    /// A unit chosen by the caller ([`Router::decision_for_unit`]).
    Override,
}

/// A request with its category and district resolved to the router's indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedRequest {
    /// Category index.
    pub category: u32,
    /// District index (position in the province's districts).
    pub district: u32,
    /// Application date.
    pub date: NaiveDate,
    /// A tip (ihbar).
    pub ihbar: bool,
    /// Special (özellikli).
    pub special: bool,
    /// Importance.
    pub importance: u8,
    /// OHAL matter.
    pub ohal: bool,
    /// Confidential.
    pub confidential: bool,
    /// The unit asked for directly, when found.
    pub direct: Option<u32>,
    /// A unit was asked for but not found.
    pub direct_unknown: bool,
}

/// A decision as indexes, made without allocating; [`Router::expand`] turns it into a [`Decision`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactDecision {
    /// The rule that decided.
    pub rule: Rule,
    /// Target unit index (`u32::MAX` when rejected).
    pub unit: u32,
    /// Receiving officer: index in the target unit's officers (`u32::MAX` for redirect and reject).
    pub officer: u32,
    /// Unit index of the officer (the target unit; `u32::MAX` when there is no officer).
    pub officer_unit: u32,
    /// The receiving officer is the substitute.
    pub substitute: bool,
    /// The registering Açık Kapı unit's index (`u32::MAX` when none).
    pub registrar: u32,
    /// Priority.
    pub priority: Priority,
    /// Deadline in business days.
    pub deadline_days: u32,
}

#[derive(Debug, Clone)]
pub(super) struct CatInfo {
    pub(super) code: CategoryCode,
    pub(super) name: String,
    pub(super) institution: InstitutionTypeCode,
    pub(super) level: Level,
    /// The vali yardımcısı (officer index in the valilik) responsible for the category.
    vy: u32,
}

#[derive(Debug, Clone, Default)]
struct UnitRoute {
    escalation: Vec<UnitId>,
    officers: Vec<OfficerId>,
}

/// Yönlendirici: the native router of one province.
#[derive(Debug, Clone)]
pub struct Router {
    pub(super) org: Arc<Organisation>,
    pub(super) taxonomy_version: String,
    pub(super) policy: DeadlinePolicy,
    categories: FastMap<CategoryCode, u32>,
    pub(super) cats: Vec<CatInfo>,
    n_districts: usize,
    /// `category * n_districts + district` → (unit, how).
    table: Vec<(u32, Resolution)>,
    units: Vec<UnitRoute>,
    /// District index → kaymakamlık unit index (`NONE` when the valilik governs it).
    kaymakamlik: Vec<u32>,
    valilik: u32,
    vali: u32,
}

impl Router {
    /// The router for a province: the embedded hand-written organisation completed with generated
    /// units, or the generated default (see [`Organisation::for_province`]).
    pub fn for_province(plate: ProvincePlate) -> Result<Router> {
        Ok(Self::build(
            Organisation::for_province(plate)?,
            Taxonomy::embedded(),
        ))
    }

    /// A router over an organisation, with the embedded taxonomy.
    pub fn from_org(org: impl Into<Arc<Organisation>>) -> Router {
        Self::build(org.into(), Taxonomy::embedded())
    }

    /// A router over an organisation with a given taxonomy.
    pub fn from_org_with(org: impl Into<Arc<Organisation>>, tax: &Taxonomy) -> Router {
        Self::build(org.into(), tax)
    }

    /// The router for a province, built once and shared (cached per province like
    /// [`Organisation::for_province`]).
    pub fn shared(plate: ProvincePlate) -> Result<Arc<Router>> {
        static CACHE: std::sync::OnceLock<Vec<std::sync::OnceLock<Arc<Router>>>> =
            std::sync::OnceLock::new();
        let cache = CACHE.get_or_init(|| {
            (0..ProvincePlate::COUNT)
                .map(|_| std::sync::OnceLock::new())
                .collect()
        });
        let cell = &cache[usize::from(plate.get() - 1)];
        if let Some(r) = cell.get() {
            return Ok(r.clone());
        }
        let router = Arc::new(Self::for_province(plate)?);
        Ok(cell.get_or_init(|| router).clone())
    }

    /// The same router with another deadline policy.
    pub fn with_policy(mut self, policy: DeadlinePolicy) -> Router {
        self.policy = policy;
        self
    }

    fn build(org: Arc<Organisation>, tax: &Taxonomy) -> Router {
        let valilik = org.valilik_index();
        let vali_unit = org.unit_at(valilik);
        let first_vy = vali_unit
            .officers
            .iter()
            .position(|o| o.role == OfficerRole::ValiYardimcisi);
        let vali = vali_unit
            .officers
            .iter()
            .position(|o| o.role == OfficerRole::Vali);
        let districts = org.districts_internal();
        let n_districts = districts.len();
        let mut cats = Vec::with_capacity(tax.categories().len());
        let mut categories = FastMap::default();
        let mut table = Vec::with_capacity(tax.categories().len() * n_districts);
        for (ci, c) in tax.categories().iter().enumerate() {
            categories.insert(c.code.clone(), ci as u32);
            // The responsible vali yardımcısı: that of the province unit of the type, if named.
            let vy = org
                .institutions_of_type(&c.institution, None)
                .first()
                .and_then(|u| u.vali_yardimcisi.as_ref())
                .and_then(|id| vali_unit.officers.iter().position(|o| &o.id == id))
                .or(first_vy)
                .map_or(NONE, |i| i as u32);
            cats.push(CatInfo {
                code: c.code.clone(),
                name: c.name_tr.clone(),
                institution: c.institution.clone(),
                level: c.level,
                vy,
            });
            for d in 0..n_districts {
                table.push(
                    org.resolve_index(&c.institution, c.level, d)
                        .map_or((NONE, Resolution::AtLevel), |(u, r)| (u as u32, r)),
                );
            }
        }
        let units = org
            .units()
            .iter()
            .map(|u| UnitRoute {
                escalation: org
                    .escalation_chain(&u.id)
                    .iter()
                    .map(|x| x.id.clone())
                    .collect(),
                officers: org
                    .officer_chain(&u.id)
                    .iter()
                    .map(|o| o.id.clone())
                    .collect(),
            })
            .collect();
        let kaymakamlik = districts
            .iter()
            .map(|d| d.kaymakamlik.map_or(NONE, |k| k as u32))
            .collect();
        Router {
            taxonomy_version: tax.version().to_string(),
            policy: DeadlinePolicy::default(),
            categories,
            cats,
            n_districts,
            table,
            units,
            kaymakamlik,
            valilik: valilik as u32,
            vali: vali.map_or(NONE, |v| v as u32),
            org,
        }
    }

    /// The organisation.
    pub fn org(&self) -> &Organisation {
        &self.org
    }

    /// The name of a unit (what the citizen sees), or its id when the organisation has no such unit.
    pub fn unit_name(&self, unit: &UnitId) -> String {
        self.org
            .unit(unit)
            .map_or_else(|| unit.to_string(), |u| u.name.clone())
    }

    /// The deadline policy.
    pub fn policy(&self) -> DeadlinePolicy {
        self.policy
    }

    /// Resolves a request's category, district and requested unit to indexes.
    pub fn resolve(&self, req: &RouteRequest) -> Result<ResolvedRequest> {
        if req.province != self.org.plate() {
            return Err(Error::ProvinceMismatch {
                expected: self.org.plate().get(),
                found: req.province.get(),
            });
        }
        let category =
            *self
                .categories
                .get(&req.category)
                .ok_or_else(|| Error::UnknownCategory {
                    code: req.category.to_string(),
                })?;
        let district =
            self.org
                .district_index(&req.district)
                .ok_or_else(|| Error::UnknownDistrict {
                    plate: req.province.get(),
                    district: req.district.clone(),
                })? as u32;
        let asked = req
            .direct_to_unit
            .as_deref()
            .filter(|s| !s.trim().is_empty());
        let direct = asked
            .and_then(|s| self.org.find_unit_by_name(s))
            .and_then(|u| self.org.unit_index(u.id.as_str()))
            .map(|i| i as u32);
        Ok(ResolvedRequest {
            category,
            district,
            date: req.date,
            ihbar: req.kind == crate::application::ApplicationKind::Ihbar,
            special: req.special,
            importance: req.importance,
            ohal: req.ohal,
            confidential: req.confidential,
            direct,
            direct_unknown: asked.is_some() && direct.is_none(),
        })
    }

    /// The receiving officer of a unit on a date: (officer index, is substitute).
    fn receiver(&self, unit: usize, date: NaiveDate) -> Option<(u32, bool)> {
        let officers = &self.org.unit_at(unit).officers;
        let find = |role, avail: bool| {
            officers
                .iter()
                .position(|o| o.role == role && (!avail || o.available_on(date)))
        };
        if let Some(i) = find(OfficerRole::Yetkili, true) {
            return Some((i as u32, false));
        }
        if let Some(i) = find(OfficerRole::Yedek, true) {
            return Some((i as u32, true));
        }
        [
            OfficerRole::Yetkili,
            OfficerRole::Yedek,
            OfficerRole::Head,
            OfficerRole::Kaymakam,
            OfficerRole::ValiYardimcisi,
            OfficerRole::Vali,
        ]
        .into_iter()
        .find_map(|r| find(r, false))
        .map(|i| (i as u32, false))
    }

    fn priority_deadline(&self, r: &ResolvedRequest) -> (Priority, u32) {
        let p = &self.policy;
        if r.special && r.importance >= p.vali_importance {
            (Priority::Urgent, p.urgent_days)
        } else if r.special {
            (Priority::High, p.special_days)
        } else if r.ihbar {
            (Priority::High, p.normal_days)
        } else {
            (Priority::Normal, p.normal_days)
        }
    }

    /// Decides on a resolved request without allocating.
    pub fn route_resolved(&self, r: &ResolvedRequest) -> CompactDecision {
        let (priority, deadline_days) = self.priority_deadline(r);
        let registrar = self
            .org
            .acik_kapi_index(r.district as usize, r.date)
            .map_or(NONE, |i| i as u32);
        let mut d = CompactDecision {
            rule: Rule::NotActive,
            unit: NONE,
            officer: NONE,
            officer_unit: NONE,
            substitute: false,
            registrar,
            priority,
            deadline_days,
        };
        if registrar == NONE {
            return d;
        }
        let cat = &self.cats[r.category as usize];
        let (rule, unit, officer) = if let Some(u) = r.direct {
            (Rule::Redirect, u, None)
        } else if r.ohal {
            let u = self.org.ohal_index();
            (Rule::Ohal, u as u32, self.receiver(u, r.date))
        } else if r.special {
            let k = self.kaymakamlik[r.district as usize];
            if r.importance >= self.policy.vali_importance && self.vali != NONE {
                (Rule::SpecialVali, self.valilik, Some((self.vali, false)))
            } else if cat.level == Level::District && k != NONE {
                let kaymakam = self
                    .org
                    .unit_at(k as usize)
                    .officers
                    .iter()
                    .position(|o| o.role == OfficerRole::Kaymakam)
                    .map(|i| (i as u32, false));
                (Rule::SpecialKaymakam, k, kaymakam)
            } else {
                (
                    Rule::SpecialValiYardimcisi,
                    self.valilik,
                    (cat.vy != NONE).then_some((cat.vy, false)),
                )
            }
        } else {
            let (u, how) = self.table[r.category as usize * self.n_districts + r.district as usize];
            if u == NONE {
                (Rule::NoRoute, NONE, None)
            } else {
                (Rule::Category(how), u, self.receiver(u as usize, r.date))
            }
        };
        d.rule = rule;
        d.unit = unit;
        if let Some((o, sub)) = officer {
            d.officer = o;
            d.officer_unit = unit;
            d.substitute = sub;
        }
        d
    }

    /// Routes a request (no trace; see [`explain`](Self::explain)).
    pub fn route(&self, req: &RouteRequest) -> Result<Decision> {
        let r = self.resolve(req)?;
        Ok(self.expand(&self.route_resolved(&r), &r, false))
    }

    /// Routes a request and writes the trace of why.
    pub fn explain(&self, req: &RouteRequest) -> Result<Decision> {
        let r = self.resolve(req)?;
        Ok(self.expand(&self.route_resolved(&r), &r, true))
    }

    /// A full decision targeting a unit chosen by the caller (a script's override): the unit's
    /// receiving officer on the date, its escalation chain, priority, deadline and visibility from
    /// the request's flags; the trace is the single line `betik kararı: {why}` (the full native
    /// trace is what [`explain`](Self::explain) is for). `decided_by` is `Native`: the caller sets it.
    /// `registered_by` is `None` when no Açık Kapı unit was active on the date. Errors: those of
    /// [`resolve`](Self::resolve), an unknown unit, a unit without any officer (national units).
    pub fn decision_for_unit(
        &self,
        req: &RouteRequest,
        unit: &UnitId,
        why: &str,
    ) -> Result<Decision> {
        let r = self.resolve(req)?;
        let u = self
            .org
            .unit_index(unit.as_str())
            .ok_or_else(|| Error::UnknownUnit(unit.to_string()))?;
        let (officer, substitute) = self.receiver(u, r.date).ok_or_else(|| Error::NoOfficer {
            unit: unit.to_string(),
        })?;
        let (priority, deadline_days) = self.priority_deadline(&r);
        let c = CompactDecision {
            rule: Rule::Override,
            unit: u as u32,
            officer,
            officer_unit: u as u32,
            substitute,
            registrar: self
                .org
                .acik_kapi_index(r.district as usize, r.date)
                .map_or(NONE, |i| i as u32),
            priority,
            deadline_days,
        };
        // Like `route`, the hot path writes no step-by-step trace: the one line says who decided.
        let mut d = self.expand(&c, &r, false);
        d.trace.insert(0, format!("betik kararı: {why}"));
        Ok(d)
    }

    /// Turns a compact decision into a [`Decision`]; `trace` writes the steps.
    pub fn expand(&self, c: &CompactDecision, r: &ResolvedRequest, trace: bool) -> Decision {
        let org = &*self.org;
        let cat = &self.cats[r.category as usize];
        let district = &org.districts_internal()[r.district as usize];
        let unit = (c.unit != NONE).then(|| org.unit_at(c.unit as usize));
        let officer = unit
            .filter(|_| c.officer != NONE)
            .map(|u| &u.officers[c.officer as usize]);
        let target = match (c.rule, unit, officer) {
            (Rule::NotActive, _, _) => Target::Reject {
                reason: format!(
                    "{} ilinde {} tarihinde faal Açık Kapı birimi yok",
                    org.province_name(),
                    r.date
                ),
            },
            (Rule::Redirect, Some(u), _) => Target::Redirect { unit: u.id.clone() },
            (_, Some(u), Some(o)) => Target::Route {
                unit: u.id.clone(),
                officer: o.id.clone(),
            },
            (_, Some(u), None) => Target::Reject {
                reason: format!("{} biriminde başvuruyu alacak görevli yok", u.name),
            },
            (_, None, _) => Target::Reject {
                reason: format!(
                    "{} ilçesinde {} kategorisi için {} birimi yok",
                    district.name, cat.code, cat.institution
                ),
            },
        };
        let route = unit.map(|_| &self.units[c.unit as usize]);
        let escalation = route.map(|r| r.escalation.clone()).unwrap_or_default();
        let escalation_officers = match (route, officer) {
            (Some(rt), Some(o)) => {
                if let Some(pos) = rt.officers.iter().position(|x| *x == o.id) {
                    rt.officers[pos + 1..].to_vec()
                } else if o.role == OfficerRole::ValiYardimcisi {
                    org.valilik()
                        .first_with(OfficerRole::Vali)
                        .map(|v| vec![v.id.clone()])
                        .unwrap_or_default()
                } else {
                    rt.officers.clone()
                }
            }
            (Some(rt), None) => rt.officers.clone(),
            _ => Vec::new(),
        };
        let visibility = if r.confidential {
            let mut officers: Vec<OfficerId> = officer.map(|o| o.id.clone()).into_iter().collect();
            if let Some(u) = unit {
                officers.extend(
                    u.officers
                        .iter()
                        .filter(|o| matches!(o.role, OfficerRole::Yetkili | OfficerRole::Yedek))
                        .map(|o| o.id.clone()),
                );
            }
            officers.extend(escalation_officers.iter().cloned());
            let mut seen = std::collections::HashSet::new();
            officers.retain(|o| seen.insert(o.clone()));
            Visibility::Restricted { officers }
        } else {
            Visibility::Standard
        };
        let mut d = Decision {
            target,
            registered_by: (c.registrar != NONE)
                .then(|| org.unit_at(c.registrar as usize).id.clone()),
            substitute: c.substitute,
            priority: c.priority,
            deadline_days: c.deadline_days,
            escalation,
            escalation_officers,
            visibility,
            trace: Vec::new(),
            decided_by: DecidedBy::Native,
            rule_set_version: None,
        };
        if trace {
            d.trace = self.trace(c, r, &d);
        }
        d
    }

    /// Number of categories and districts in the precomputed table.
    pub fn table_size(&self) -> (usize, usize) {
        (self.cats.len(), self.n_districts)
    }

    /// Whether a unit is a governorship (valilik/kaymakamlık).
    pub fn is_governorship(&self, unit: &UnitId) -> bool {
        self.org
            .unit(unit)
            .is_some_and(|u| matches!(u.kind, UnitKind::Valilik | UnitKind::Kaymakamlik))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(special: bool, importance: u8, kind: &str) -> RouteRequest {
        let mut q = RouteRequest::new(
            Taxonomy::embedded().categories()[0].code.clone(),
            ProvincePlate::new(20).unwrap(),
            "Tavas",
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        );
        q.special = special;
        q.importance = importance;
        q.kind = crate::application::ApplicationKind::parse(kind).unwrap();
        q
    }

    #[test]
    fn priority_and_deadline_follow_the_policy() {
        let r = Router::shared(ProvincePlate::new(20).unwrap()).unwrap();
        let d = |q: &RouteRequest| r.route(q).unwrap();
        assert_eq!(d(&request(false, 0, "talep")).priority, Priority::Normal);
        assert_eq!(d(&request(false, 5, "ihbar")).priority, Priority::High);
        assert_eq!(d(&request(false, 5, "ihbar")).deadline_days, 7);
        assert_eq!(d(&request(true, 3, "sikayet")).deadline_days, 5);
        assert_eq!(d(&request(true, 4, "sikayet")).priority, Priority::Urgent);
        let strict = (*r).clone().with_policy(DeadlinePolicy {
            normal_days: 5,
            special_days: 2,
            urgent_days: 1,
            vali_importance: 3,
        });
        let q = request(true, 3, "sikayet");
        let dec = strict.route(&q).unwrap();
        assert_eq!(dec.deadline_days, 1);
        assert_eq!(dec.officer().unwrap().as_str(), "20.VALILIK.VALI");
        assert_eq!(
            strict
                .route(&request(false, 0, "talep"))
                .unwrap()
                .deadline_days,
            5
        );
    }

    #[test]
    fn compact_and_full_decisions_agree() {
        let r = Router::shared(ProvincePlate::new(34).unwrap()).unwrap();
        let mut q = request(false, 0, "talep");
        q.province = ProvincePlate::new(34).unwrap();
        q.district = "Üsküdar".into();
        let resolved = r.resolve(&q).unwrap();
        let c = r.route_resolved(&resolved);
        let d = r.route(&q).unwrap();
        let unit = r.org().units()[c.unit as usize].id.clone();
        assert_eq!(d.unit(), Some(&unit));
        assert_eq!(
            d.officer(),
            Some(&r.org().units()[c.unit as usize].officers[c.officer as usize].id)
        );
        assert!(matches!(c.rule, Rule::Category(_)));
        // The shared router is one instance.
        assert!(Arc::ptr_eq(
            &r,
            &Router::shared(ProvincePlate::new(34).unwrap()).unwrap()
        ));
    }
}
