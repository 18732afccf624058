//! Building an [`Organisation`] from an [`OrgFile`]: defaults, checks, graph and indexes.

use std::collections::{HashMap, HashSet};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::file::{OrgFile, SCHEMA_VERSION, UnitSpec};
use super::{
    DistrictOrg, Edge, Officer, OfficerId, OfficerRole, Organisation, Unit, UnitId, UnitKind,
};
use crate::error::{Error, Result};
use crate::geo::{Geography, ProvincePlate};
use crate::taxonomy::Taxonomy;
use crate::text::search_key;

/// Id of the ministry, added to every organisation.
pub(crate) const MINISTRY_ID: &str = "TR.ICISLERI_BAKANLIGI";
/// Id of the Strateji Geliştirme Başkanlığı, added to every organisation.
pub(crate) const SGB_ID: &str = "TR.SGB";

fn national(id: &str, kind: UnitKind, name: &str, parent: Option<&str>) -> Result<Unit> {
    Ok(Unit {
        id: UnitId::parse(id)?,
        kind,
        name: name.to_string(),
        district: None,
        serves_districts: Vec::new(),
        handles: Vec::new(),
        parent: parent.map(UnitId::parse).transpose()?,
        escalates_to: None,
        active_from: None,
        vali_yardimcisi: None,
        officers: Vec::new(),
        generated: false,
    })
}

struct Raw {
    unit: Unit,
    parent: Option<UnitId>,
    escalates_to: Option<UnitId>,
    district_ok: bool,
}

fn parse_ref(
    s: &Option<String>,
    unit: &str,
    field: &'static str,
    problems: &mut Vec<Error>,
) -> Option<UnitId> {
    let s = s.as_deref()?;
    match UnitId::parse(s) {
        Ok(id) => Some(id),
        Err(_) => {
            problems.push(Error::UnknownUnitRef {
                unit: unit.to_string(),
                field,
                target: s.to_string(),
            });
            None
        }
    }
}

fn convert(
    spec: UnitSpec,
    plate: ProvincePlate,
    tax: &Taxonomy,
    geo: &Geography,
    problems: &mut Vec<Error>,
) -> Option<Raw> {
    let id = match UnitId::parse(&spec.id) {
        Ok(id) => id,
        Err(e) => {
            problems.push(e);
            return None;
        }
    };
    let uid = id.as_str().to_string();
    if !uid.starts_with(&format!("{plate}.")) {
        problems.push(Error::BadUnit {
            unit: uid.clone(),
            message: format!("id must start with the province plate {plate}"),
        });
    }
    let mut district_ok = true;
    let district = spec
        .district
        .as_deref()
        .and_then(|d| match geo.district(plate, d) {
            Some(found) => Some(found.name.clone()),
            None => {
                district_ok = false;
                problems.push(Error::OrgUnknownDistrict {
                    unit: uid.clone(),
                    district: d.to_string(),
                });
                None
            }
        });
    let mut serves_districts = Vec::with_capacity(spec.serves_districts.len());
    for d in &spec.serves_districts {
        match geo.district(plate, d) {
            Some(found) => serves_districts.push(found.name.clone()),
            None => problems.push(Error::OrgUnknownDistrict {
                unit: uid.clone(),
                district: d.to_string(),
            }),
        }
    }
    if spec.district.is_some() && !spec.serves_districts.is_empty() {
        problems.push(Error::BadUnit {
            unit: uid.clone(),
            message: "district and serves_districts exclude each other".into(),
        });
    }
    for t in &spec.handles {
        if tax.institution_type(t).is_none() {
            problems.push(Error::OrgUnknownInstitutionType {
                unit: uid.clone(),
                institution: t.to_string(),
            });
        }
    }
    let mut officers = Vec::with_capacity(spec.officer.len());
    for o in spec.officer {
        let local =
            o.id.clone()
                .unwrap_or_else(|| o.role.as_str().to_ascii_uppercase());
        match OfficerId::of(&id, &local) {
            Ok(oid) => officers.push(Officer {
                id: oid,
                name: o.name,
                title: o.title,
                role: o.role,
                phone: o.phone,
                unavailable: o.unavailable,
                generated: spec.generated,
            }),
            Err(e) => problems.push(e),
        }
    }
    let vali_yardimcisi = spec
        .vali_yardimcisi
        .as_deref()
        .and_then(|s| OfficerId::parse(s).map_err(|e| problems.push(e)).ok());
    let parent = parse_ref(&spec.parent, &uid, "parent", problems);
    let escalates_to = parse_ref(&spec.escalates_to, &uid, "escalates_to", problems);
    Some(Raw {
        unit: Unit {
            id,
            kind: spec.kind,
            name: spec.name,
            district,
            serves_districts,
            handles: spec.handles,
            parent: None,
            escalates_to: None,
            active_from: spec.active_from,
            vali_yardimcisi,
            officers,
            generated: spec.generated,
        },
        parent,
        escalates_to,
        district_ok,
    })
}

/// Builds and checks an organisation; every problem is collected.
pub(super) fn build(
    file: OrgFile,
    source: &str,
    tax: &Taxonomy,
    geo: &Geography,
) -> Result<Organisation> {
    let invalid = |problems| Error::InvalidOrganisation {
        file: source.to_string(),
        problems,
    };
    let mut problems = Vec::new();
    if file.schema != SCHEMA_VERSION {
        problems.push(Error::UnsupportedSchema {
            found: file.schema,
            supported: SCHEMA_VERSION,
        });
    }
    let plate = match ProvincePlate::new(file.province) {
        Ok(p) => p,
        Err(e) => {
            problems.push(e);
            return Err(invalid(problems));
        }
    };
    let mut units = vec![
        national(MINISTRY_ID, UnitKind::Ministry, "İçişleri Bakanlığı", None)?,
        national(
            SGB_ID,
            UnitKind::StrategyDepartment,
            "Strateji Geliştirme Başkanlığı",
            Some(MINISTRY_ID),
        )?,
    ];
    // Per unit: the parent and escalation target as written, whether its district is known.
    let mut raws: Vec<(Option<UnitId>, Option<UnitId>, bool)> = vec![(None, None, true); 2];
    for spec in file.unit {
        if let Some(r) = convert(spec, plate, tax, geo, &mut problems) {
            units.push(r.unit);
            raws.push((r.parent, r.escalates_to, r.district_ok));
        }
    }

    // Index and duplicates.
    let mut index: HashMap<UnitId, usize> = HashMap::new();
    let mut officer_index = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        if index.insert(u.id.clone(), i).is_some() {
            problems.push(Error::DuplicateOrgId {
                what: "unit",
                id: u.id.to_string(),
            });
        }
        for (j, o) in u.officers.iter().enumerate() {
            if officer_index.insert(o.id.clone(), (i, j)).is_some() {
                problems.push(Error::DuplicateOrgId {
                    what: "officer",
                    id: o.id.to_string(),
                });
            }
        }
    }

    // Districts, singletons.
    let geo_districts = geo.districts(plate);
    let mut districts: Vec<DistrictOrg> = geo_districts
        .iter()
        .map(|d| DistrictOrg {
            name: d.name.clone(),
            kaymakamlik: None,
            acik_kapi: None,
        })
        .collect();
    let district_lookup: super::FastMap<String, usize> = districts
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.clone(), i))
        .collect();
    let mut valilik = Vec::new();
    let mut sube = Vec::new();
    let mut ohal = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let uid = u.id.to_string();
        let bad = |message: &str| Error::BadUnit {
            unit: uid.clone(),
            message: message.to_string(),
        };
        let didx = u
            .district
            .as_ref()
            .and_then(|d| district_lookup.get(d).copied());
        let needs_district = matches!(u.kind, UnitKind::Kaymakamlik | UnitKind::AcikKapiSefligi);
        let no_district = matches!(
            u.kind,
            UnitKind::Valilik | UnitKind::AcikKapiSube | UnitKind::OhalBurosu
        );
        if needs_district && u.district.is_none() && raws[i].2 {
            problems.push(bad("this kind of unit needs a district"));
        }
        if no_district && u.district.is_some() {
            problems.push(bad("this kind of unit is at province level (no district)"));
        }
        if matches!(u.kind, UnitKind::Ministry | UnitKind::StrategyDepartment) && i >= 2 {
            problems.push(bad("national units are added by the loader, not listed"));
        }
        if matches!(u.kind, UnitKind::AcikKapiSube | UnitKind::AcikKapiSefligi)
            && u.active_from.is_none()
        {
            problems.push(bad("an Açık Kapı unit needs active_from"));
        }
        if u.kind == UnitKind::Institution && u.handles.is_empty() {
            problems.push(bad(
                "an institution must handle at least one institution type",
            ));
        }
        match (u.kind, didx) {
            (UnitKind::Valilik, _) => valilik.push(i),
            (UnitKind::AcikKapiSube, _) => sube.push(i),
            (UnitKind::OhalBurosu, _) => ohal.push(i),
            (UnitKind::Kaymakamlik, Some(d)) => {
                let previous = districts[d].kaymakamlik.replace(i);
                if previous.is_some() {
                    problems.push(bad("a second kaymakamlık in the same district"));
                }
            }
            (UnitKind::AcikKapiSefligi, Some(d)) => {
                if let Some(from) = u.active_from
                    && districts[d].acik_kapi.replace((i, from)).is_some()
                {
                    problems.push(bad("a second Açık Kapı Şefliği in the same district"));
                }
            }
            _ => {}
        }
    }
    let single = |v: &Vec<usize>, what: &str, problems: &mut Vec<Error>| -> Option<usize> {
        match v.as_slice() {
            [i] => Some(*i),
            [] => {
                problems.push(Error::MissingUnit {
                    plate: plate.get(),
                    what: what.to_string(),
                });
                None
            }
            [_, rest @ ..] => {
                for &r in rest {
                    problems.push(Error::BadUnit {
                        unit: units[r].id.to_string(),
                        message: format!("a second {what}"),
                    });
                }
                Some(v[0])
            }
        }
    };
    let valilik = single(&valilik, "valilik", &mut problems);
    let sube = single(&sube, "Açık Kapı Şube Müdürlüğü", &mut problems);
    let ohal = single(&ohal, "OHAL İşlemleri Bürosu", &mut problems);
    let metropolitan = geo.province(plate).metropolitan;
    for d in &districts {
        if d.kaymakamlik.is_none() && (metropolitan || d.name != "Merkez") {
            problems.push(Error::MissingUnit {
                plate: plate.get(),
                what: format!("kaymakamlık for district {}", d.name),
            });
        }
    }

    // Defaults and references for parent and escalates_to.
    let governorship = |u: &Unit| -> Option<usize> {
        u.district
            .as_ref()
            .and_then(|d| district_lookup.get(d))
            .and_then(|&d| districts[d].kaymakamlik)
            .or(valilik)
    };
    for i in 2..units.len() {
        let (p, e) = (raws[i].0.clone(), raws[i].1.clone());
        let default = match units[i].kind {
            UnitKind::Valilik => (Some(SGB_ID.to_string()), None),
            UnitKind::Ministry | UnitKind::StrategyDepartment => (None, None),
            UnitKind::Kaymakamlik | UnitKind::AcikKapiSube | UnitKind::OhalBurosu => {
                let v = valilik.map(|v| units[v].id.to_string());
                (v.clone(), v)
            }
            UnitKind::AcikKapiSefligi | UnitKind::Institution => {
                let g = governorship(&units[i]).map(|g| units[g].id.to_string());
                (g.clone(), g)
            }
        };
        let uid = units[i].id.to_string();
        let mut resolve = |given: Option<UnitId>, dflt: Option<String>, field| {
            let target = given.or_else(|| dflt.and_then(|d| UnitId::parse(&d).ok()))?;
            if index.contains_key(&target) {
                Some(target)
            } else {
                problems.push(Error::UnknownUnitRef {
                    unit: uid.clone(),
                    field,
                    target: target.to_string(),
                });
                None
            }
        };
        let parent = resolve(p, default.0, "parent");
        let esc = resolve(e, default.1, "escalates_to");
        units[i].parent = parent;
        units[i].escalates_to = esc;
    }

    // Officers and roles.
    for u in &units {
        let uid = u.id.to_string();
        let has = |r| u.officers.iter().any(|o| o.role == r);
        let handles = !u.handles.is_empty() || u.kind == UnitKind::OhalBurosu;
        if handles && !has(OfficerRole::Yetkili) {
            problems.push(Error::NoOfficer { unit: uid.clone() });
        }
        if handles && !has(OfficerRole::Yedek) {
            problems.push(Error::NoSubstitute { unit: uid.clone() });
        }
        let mut need = |r: OfficerRole| {
            if !has(r) {
                problems.push(Error::MissingRole {
                    unit: uid.clone(),
                    role: r.to_string(),
                });
            }
        };
        match u.kind {
            UnitKind::Institution => need(OfficerRole::Head),
            UnitKind::Valilik => {
                need(OfficerRole::Vali);
                need(OfficerRole::ValiYardimcisi);
            }
            UnitKind::Kaymakamlik => need(OfficerRole::Kaymakam),
            _ => {}
        }
        for o in &u.officers {
            let misplaced = match o.role {
                OfficerRole::Vali | OfficerRole::ValiYardimcisi => u.kind != UnitKind::Valilik,
                OfficerRole::Kaymakam => u.kind != UnitKind::Kaymakamlik,
                // Not a post: a bureau clerk, analyst, citizen… is no officer of a unit.
                r => !r.is_post(),
            };
            if misplaced {
                problems.push(Error::BadUnit {
                    unit: uid.clone(),
                    message: format!("officer {} has role {} in a {:?}", o.id, o.role, u.kind),
                });
            }
        }
        if let Some(vy) = &u.vali_yardimcisi {
            let ok = officer_index.get(vy).is_some_and(|&(ui, oi)| {
                units[ui].kind == UnitKind::Valilik
                    && units[ui].officers[oi].role == OfficerRole::ValiYardimcisi
            });
            if !ok {
                problems.push(Error::UnknownOfficerRef {
                    unit: uid.clone(),
                    field: "vali_yardimcisi",
                    officer: vy.to_string(),
                    role: OfficerRole::ValiYardimcisi.to_string(),
                });
            }
        }
    }

    // Graph, cycles, dead ends.
    let mut graph: DiGraph<UnitId, Edge> = DiGraph::with_capacity(units.len(), units.len() * 3);
    for u in &units {
        graph.add_node(u.id.clone());
    }
    let node = |id: &UnitId| index.get(id).map(|&i| NodeIndex::new(i));
    for (i, u) in units.iter().enumerate() {
        let me = NodeIndex::new(i);
        if let Some(p) = u.parent.as_ref().and_then(node) {
            graph.add_edge(me, p, Edge::Parent);
        }
        if let Some(e) = u.escalates_to.as_ref().and_then(node) {
            graph.add_edge(me, e, Edge::EscalatesTo);
        }
    }
    if let Some(s) = sube {
        if let Some(v) = valilik {
            graph.add_edge(NodeIndex::new(s), NodeIndex::new(v), Edge::Serves);
        }
        for d in &districts {
            if let Some(k) = d.kaymakamlik {
                graph.add_edge(NodeIndex::new(s), NodeIndex::new(k), Edge::Serves);
            }
        }
    }
    for d in &districts {
        if let (Some((a, _)), Some(k)) = (d.acik_kapi, d.kaymakamlik) {
            graph.add_edge(NodeIndex::new(a), NodeIndex::new(k), Edge::Serves);
        }
    }
    let mut cyclic: HashSet<usize> = HashSet::new();
    for (edge, name) in [(Edge::EscalatesTo, "escalation"), (Edge::Parent, "parent")] {
        let mut sub: DiGraph<(), ()> = DiGraph::with_capacity(units.len(), units.len());
        for _ in &units {
            sub.add_node(());
        }
        for e in graph.raw_edges().iter().filter(|e| e.weight == edge) {
            sub.add_edge(e.source(), e.target(), ());
        }
        for scc in tarjan_scc(&sub) {
            let self_loop = scc.len() == 1 && sub.contains_edge(scc[0], scc[0]);
            if scc.len() < 2 && !self_loop {
                continue;
            }
            // Name the cycle in edge order: each unit has at most one edge of this kind.
            let start = scc.iter().map(|n| n.index()).min().unwrap_or(0);
            let mut cycle = vec![units[start].id.to_string()];
            let mut cur = start;
            loop {
                cyclic.insert(cur);
                let next = sub.neighbors(NodeIndex::new(cur)).next().map(|n| n.index());
                match next {
                    Some(n) if n != start && cycle.len() <= scc.len() => {
                        cycle.push(units[n].id.to_string());
                        cur = n;
                    }
                    _ => break,
                }
            }
            cycle.push(units[start].id.to_string());
            problems.push(Error::OrgCycle { edge: name, cycle });
        }
    }
    if let Some(v) = valilik {
        for (i, u) in units.iter().enumerate().skip(2) {
            if i == v || cyclic.contains(&i) {
                continue;
            }
            let mut cur = i;
            let mut steps = 0;
            while let Some(next) = units[cur].escalates_to.as_ref().and_then(|e| index.get(e)) {
                cur = *next;
                steps += 1;
                if steps > units.len() || cyclic.contains(&cur) {
                    break;
                }
            }
            if cur != v && !cyclic.contains(&cur) {
                problems.push(Error::EscalationDeadEnd {
                    unit: u.id.to_string(),
                    end: units[cur].id.to_string(),
                });
            }
        }
    }

    let (Some(valilik), Some(acik_kapi), Some(ohal)) = (valilik, sube, ohal) else {
        return Err(invalid(problems));
    };
    if !problems.is_empty() {
        return Err(invalid(problems));
    }

    // Routing indexes: first unit (file order) per (type, place).
    let mut by_type_province = HashMap::new();
    let mut by_type_district: HashMap<_, HashMap<usize, usize>> = HashMap::new();
    let mut name_index = HashMap::new();
    let mut type_vy = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        name_index.entry(search_key(&u.name)).or_insert(i);
        if let (None, Some(vy)) = (&u.district, &u.vali_yardimcisi) {
            for t in &u.handles {
                type_vy.entry(t.clone()).or_insert_with(|| vy.clone());
            }
        }
        for t in &u.handles {
            let local: Vec<usize> = match &u.district {
                Some(d) => district_lookup.get(d).copied().into_iter().collect(),
                None => u
                    .serves_districts
                    .iter()
                    .filter_map(|d| district_lookup.get(d).copied())
                    .collect(),
            };
            if u.district.is_none() && u.serves_districts.is_empty() {
                by_type_province.entry(t.clone()).or_insert(i);
            }
            for d in local {
                by_type_district
                    .entry(t.clone())
                    .or_insert_with(HashMap::new)
                    .entry(d)
                    .or_insert(i);
            }
        }
    }
    Ok(Organisation {
        plate,
        province_name: geo.province(plate).name.clone(),
        version: file.version,
        description: file.description,
        source: source.to_string(),
        units,
        index,
        name_index,
        officer_index,
        graph,
        valilik,
        acik_kapi,
        ohal,
        districts,
        district_lookup,
        by_type_province,
        by_type_district,
        filled_types: Vec::new(),
        type_vy,
    })
}
