//! The default organisation generated for any province from the taxonomy and the geography.
//!
//! Generated officers are role placeholders (their titles say "Açık Kapı Yetkilisi", "Birim Amiri"…
//! and `generated = true`), never invented persons. Activation dates of the generated Açık Kapı units
//! are the project's documented defaults ([`DEFAULT_PROVINCE_FROM`], [`DEFAULT_DISTRICT_FROM`]), not
//! official dates.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::file::{OfficerSpec, OrgFile, UnitSpec};
use super::{OfficerRole, UnitKind, id_part};
use crate::geo::{Geography, ProvincePlate};
use crate::taxonomy::{InstitutionKind, InstitutionType, InstitutionTypeCode, Taxonomy};

/// Default activation of a generated Açık Kapı Şube Müdürlüğü (valilik): 2019-01-01.
pub const DEFAULT_PROVINCE_FROM: (i32, u32, u32) = (2019, 1, 1);
/// Default activation of a generated Açık Kapı Şefliği (kaymakamlık): 2019-03-01.
pub const DEFAULT_DISTRICT_FROM: (i32, u32, u32) = (2019, 3, 1);

fn date((y, m, d): (i32, u32, u32)) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn officer(id: &str, title: String, role: OfficerRole) -> OfficerSpec {
    OfficerSpec {
        id: Some(id.to_string()),
        title,
        role,
        name: None,
        phone: None,
        unavailable: Vec::new(),
    }
}

fn handling_officers(unit_name: &str) -> [OfficerSpec; 2] {
    [
        officer(
            "YETKILI",
            format!("{unit_name} Açık Kapı Yetkilisi"),
            OfficerRole::Yetkili,
        ),
        officer(
            "YEDEK",
            format!("{unit_name} Açık Kapı Yedek Yetkilisi"),
            OfficerRole::Yedek,
        ),
    ]
}

fn unit(id: String, kind: UnitKind, name: String) -> UnitSpec {
    UnitSpec {
        id,
        kind,
        name,
        district: None,
        serves_districts: Vec::new(),
        handles: Vec::new(),
        parent: None,
        escalates_to: None,
        active_from: None,
        vali_yardimcisi: None,
        generated: true,
        officer: Vec::new(),
    }
}

/// Whether a district gets district-level units: every district except the "Merkez" district of a
/// non-metropolitan province, which the valilik and the province units serve directly.
fn has_district_units(geo: &Geography, plate: ProvincePlate, district: &str) -> bool {
    geo.province(plate).metropolitan || district != "Merkez"
}

/// The units of one institution type: a province unit, and a unit in each district when the type
/// has district units. `taken` holds ids already in use; a clash gets the suffix `_BIRIMI`.
fn institution_units(
    t: &InstitutionType,
    plate: ProvincePlate,
    geo: &Geography,
    taken: &HashSet<String>,
) -> Vec<UnitSpec> {
    let pname = &geo.province(plate).name;
    let code = t.code.as_str();
    let id_for = |base: String| {
        if taken.contains(&base) {
            format!("{base}_BIRIMI")
        } else {
            base
        }
    };
    let make = |id: String, name: String, district: Option<String>| {
        let mut u = unit(id, UnitKind::Institution, name);
        u.district = district;
        u.handles = vec![t.code.clone()];
        u.officer.extend(handling_officers(&u.name));
        u.officer.push(officer(
            "HEAD",
            format!("{} Birim Amiri", u.name),
            OfficerRole::Head,
        ));
        u
    };
    let mut out = vec![make(
        id_for(format!("{plate}.{code}")),
        format!("{pname} {}", t.name_tr),
        None,
    )];
    if let Some(dname) = &t.district_name_tr {
        for d in geo.districts(plate) {
            if has_district_units(geo, plate, &d.name) {
                out.push(make(
                    id_for(format!("{plate}.{}.{code}", id_part(&d.name))),
                    format!("{} {dname}", d.name),
                    Some(d.name.clone()),
                ));
            }
        }
    }
    out
}

/// The generated default organisation file of a province.
pub(super) fn default_file(plate: ProvincePlate, tax: &Taxonomy, geo: &Geography) -> OrgFile {
    let pname = &geo.province(plate).name;
    let governorship_types: Vec<InstitutionTypeCode> = tax
        .institution_types()
        .iter()
        .filter(|t| t.kind == InstitutionKind::Governorship)
        .map(|t| t.code.clone())
        .collect();
    let mut units = Vec::new();

    let mut valilik = unit(
        format!("{plate}.VALILIK"),
        UnitKind::Valilik,
        format!("{pname} Valiliği"),
    );
    valilik.handles = governorship_types.clone();
    valilik.officer = vec![
        officer("VALI", format!("{pname} Valisi"), OfficerRole::Vali),
        officer(
            "VALI_YARDIMCISI",
            format!("{pname} Vali Yardımcısı"),
            OfficerRole::ValiYardimcisi,
        ),
    ];
    if !governorship_types.is_empty() {
        valilik.officer.extend(handling_officers(&valilik.name));
    }
    units.push(valilik);

    let mut sube = unit(
        format!("{plate}.ACIK_KAPI"),
        UnitKind::AcikKapiSube,
        format!("{pname} Valiliği Açık Kapı Şube Müdürlüğü"),
    );
    sube.active_from = date(DEFAULT_PROVINCE_FROM);
    sube.officer = vec![officer(
        "HEAD",
        format!("{pname} Açık Kapı Şube Müdürü"),
        OfficerRole::Head,
    )];
    units.push(sube);

    let mut ohal = unit(
        format!("{plate}.OHAL"),
        UnitKind::OhalBurosu,
        format!("{pname} Valiliği OHAL İşlemleri Bürosu"),
    );
    ohal.officer.extend(handling_officers(&ohal.name));
    units.push(ohal);

    for d in geo.districts(plate) {
        if !has_district_units(geo, plate, &d.name) {
            continue;
        }
        let part = id_part(&d.name);
        let mut k = unit(
            format!("{plate}.{part}.KAYMAKAMLIK"),
            UnitKind::Kaymakamlik,
            format!("{} Kaymakamlığı", d.name),
        );
        k.district = Some(d.name.clone());
        k.handles = governorship_types.clone();
        k.officer = vec![officer(
            "KAYMAKAM",
            format!("{} Kaymakamı", d.name),
            OfficerRole::Kaymakam,
        )];
        if !governorship_types.is_empty() {
            k.officer.extend(handling_officers(&k.name));
        }
        units.push(k);
        let mut s = unit(
            format!("{plate}.{part}.ACIK_KAPI"),
            UnitKind::AcikKapiSefligi,
            format!("{} Kaymakamlığı Açık Kapı Şefliği", d.name),
        );
        s.district = Some(d.name.clone());
        s.active_from = date(DEFAULT_DISTRICT_FROM);
        s.officer = vec![officer(
            "HEAD",
            format!("{} Açık Kapı Şefi", d.name),
            OfficerRole::Head,
        )];
        units.push(s);
    }

    let taken: HashSet<String> = units.iter().map(|u| u.id.clone()).collect();
    for t in tax.institution_types() {
        if t.kind != InstitutionKind::Governorship {
            units.extend(institution_units(t, plate, geo, &taken));
        }
    }
    OrgFile {
        schema: super::SCHEMA_VERSION,
        province: plate.get(),
        version: format!("generated-{}", tax.version()),
        description: format!(
            "{pname}: varsayılan teşkilat, taksonomi ve coğrafyadan üretildi (görevliler rol yer tutucularıdır)"
        ),
        unit: units,
    }
}

/// A hand-written file completed with the generated units of every institution type it does not
/// handle at all; returns the file and the types added. An unknown plate is returned unchanged.
pub(super) fn fill(
    mut file: OrgFile,
    tax: &Taxonomy,
    geo: &Geography,
) -> (OrgFile, Vec<InstitutionTypeCode>) {
    let Ok(plate) = ProvincePlate::new(file.province) else {
        return (file, Vec::new());
    };
    let handled: HashSet<&InstitutionTypeCode> =
        file.unit.iter().flat_map(|u| u.handles.iter()).collect();
    let missing: Vec<&InstitutionType> = tax
        .institution_types()
        .iter()
        .filter(|t| !handled.contains(&t.code))
        .collect();
    let mut taken: HashSet<String> = file.unit.iter().map(|u| u.id.clone()).collect();
    let mut added = Vec::new();
    for t in missing {
        let units = institution_units(t, plate, geo, &taken);
        taken.extend(units.iter().map(|u| u.id.clone()));
        file.unit.extend(units);
        added.push(t.code.clone());
    }
    (file, added)
}
