//! Reading journals written before actors and assignments were typed.
//!
//! Version 1 records (everything written before the typed [`Actor`](crate::workflow::Actor))
//! hold display names where today's records hold ids:
//!
//! | where | version 1 | today |
//! |---|---|---|
//! | `actor` | `{"role":"bureau","id":"buro-1","unit":"Denizli Valiliği Açık Kapı Bürosu"}` | `{"role":"bureau","id":"buro-1","unit":"20.ACIK_KAPI"}` |
//! | `actor` | `{"role":"governor","id":"vali","unit":"Denizli Valiliği"}` | `{"role":"vali","id":"20.VALILIK.VALI","unit":"20.VALILIK"}` |
//! | `actor` | `{"role":"officer","id":"20.SGK.YETKILI","unit":"Denizli Sosyal Güvenlik İl Müdürlüğü"}` | `{"role":"yetkili","id":"20.SGK.YETKILI","unit":"20.SGK"}` |
//! | assignment | `{"unit":"<name>","officer":"<id>","escalation":["<name>",…]}` | `{"unit":"<id>","unit_name":"<name>","officer":"<id>","escalation":["<id>",…],"escalation_names":["<name>",…]}` |
//! | `received` | `{"bureau":"<name>"}` | `{"bureau":"<name>","bureau_unit":"<id>"}` |
//!
//! Two paths read them:
//! * without context, the types' own `Deserialize` ([`Actor`](crate::workflow::Actor),
//!   [`Assignment`]): an assignment's officer id names its unit and its province,
//!   whose organisation resolves the escalation names; an actor's unit that is not an id stays
//!   [`Actor::Recorded`](crate::workflow::Actor::Recorded), which no access rule admits;
//! * with the instance as context, [`upcast_record`]: a pure function on the record's JSON that
//!   rewrites a version-1 record into today's shape, resolving names with the organisation of the
//!   province the tracking number carries (`AK-20-…` → Denizli). It is meant for the journal's
//!   upcast hook, run before a record is deserialized.

use serde::Deserialize;
use serde_json::Value;

use super::Assignment;
use crate::geo::ProvincePlate;
use crate::ids::TrackingNumber;
use crate::org::{OfficerId, Organisation, UnitId};
use crate::{Error, Result};

/// The wire form of an [`Assignment`], today's or version 1.
#[derive(Deserialize)]
pub(super) struct AssignmentWire {
    unit: String,
    #[serde(default)]
    unit_name: Option<String>,
    officer: String,
    #[serde(default)]
    escalation: Vec<String>,
    #[serde(default)]
    escalation_names: Vec<String>,
    #[serde(default)]
    deadline_days: Option<u32>,
}

fn org_of(plate: u8) -> std::result::Result<std::sync::Arc<Organisation>, String> {
    let plate = ProvincePlate::new(plate).map_err(|e| e.to_string())?;
    Organisation::for_province(plate).map_err(|e| e.to_string())
}

/// An assignment from its wire form. Today's form (with `unit_name`) is parsed as it is; a
/// version-1 form (`unit` and `escalation` as names) takes the unit from the officer's id and
/// resolves the escalation names in the organisation of the officer's province. A name that the
/// organisation does not know is an error naming it.
pub(super) fn assignment(w: AssignmentWire) -> std::result::Result<Assignment, String> {
    let officer = OfficerId::parse(&w.officer).map_err(|e| e.to_string())?;
    if let Some(unit_name) = w.unit_name {
        let unit = UnitId::parse(&w.unit).map_err(|e| e.to_string())?;
        let escalation = w
            .escalation
            .iter()
            .map(|u| UnitId::parse(u).map_err(|e| e.to_string()))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        if !w.escalation_names.is_empty() && w.escalation_names.len() != escalation.len() {
            return Err(format!(
                "escalation has {} units and {} names",
                escalation.len(),
                w.escalation_names.len()
            ));
        }
        return Ok(Assignment {
            unit,
            unit_name,
            officer,
            escalation,
            escalation_names: w.escalation_names,
            deadline_days: w.deadline_days,
        });
    }
    // Version 1: names. The officer's unit is the routed unit (the router picks the officer
    // among the unit's own), and its plate names the organisation for the chain.
    let unit = officer.unit();
    let mut escalation = Vec::with_capacity(w.escalation.len());
    if !w.escalation.is_empty() {
        let org = org_of(unit.plate().map_or(0, ProvincePlate::get))?;
        for name in &w.escalation {
            let u = org
                .find_unit_by_name(name)
                .ok_or_else(|| format!("eski kayıtta bilinmeyen birim: {name:?}"))?;
            escalation.push(u.id.clone());
        }
    }
    Ok(Assignment {
        unit,
        unit_name: w.unit,
        officer,
        escalation,
        escalation_names: w.escalation,
        deadline_days: w.deadline_days,
    })
}

/// Rewrites one version-1 journal record (an envelope as JSON) into today's shape, in place:
/// the actor's unit name becomes the unit's id (and `officer` / `governor` the roles of the merged
/// [`Role`](crate::org::Role)), the receiving bureau's unit id is added to `received`, and
/// assignments get ids. Names are resolved in the organisation of the province of the record's
/// instance (a tracking number `AK-PP-…`). A record already in today's shape is left as it is
/// (the function is idempotent). Errors: the instance is not a tracking number, or a name is not
/// a unit of that province ([`Error::CorruptHistory`] with the record's `seq`).
///
/// Bureau clerks whose unit name is not a unit of the province (the simulation wrote
/// `"<İl> Valiliği Açık Kapı Bürosu"`) are the province's Açık Kapı Şube; a governor recorded as
/// `"<İl> Valiliği"` is the vali of that valilik (the only governor the old code had).
pub fn upcast_record(record: &mut Value) -> Result<()> {
    let seq = record.get("seq").and_then(Value::as_u64).unwrap_or(0);
    let corrupt = |message: String| Error::CorruptHistory { seq, message };
    let Some(instance) = record.get("instance").and_then(Value::as_str) else {
        return Err(corrupt("kayıtta süreç numarası yok".to_owned()));
    };
    let tracking = TrackingNumber::parse(instance)
        .map_err(|e| corrupt(format!("{instance}: takip numarası değil: {e}")))?;
    let org = Organisation::for_province(tracking.plate())?;
    if let Some(actor) = record.get_mut("actor") {
        upcast_actor(actor, &org).map_err(corrupt)?;
    }
    let Some(event) = record.get_mut("event").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (kind, body) in event.iter_mut() {
        match kind.as_str() {
            "received" => {
                if body.get("bureau_unit").is_none()
                    && let Some(name) = body.get("bureau").and_then(Value::as_str)
                {
                    let unit = bureau_unit(name, &org);
                    body["bureau_unit"] = Value::String(unit.as_str().to_owned());
                }
            }
            "routed" | "approval_requested" => {
                if let Some(a) = body.get_mut("assignment") {
                    upcast_assignment(a, &org).map_err(corrupt)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn bureau_unit(name: &str, org: &Organisation) -> UnitId {
    match UnitId::parse(name) {
        Ok(u) => u,
        Err(_) => org
            .find_unit_by_name(name)
            .map_or_else(|| org.acik_kapi_unit().id.clone(), |u| u.id.clone()),
    }
}

fn upcast_actor(actor: &mut Value, org: &Organisation) -> std::result::Result<(), String> {
    let Some(obj) = actor.as_object_mut() else {
        return Err("kullanıcı bir nesne değil".to_owned());
    };
    let role = obj.get("role").and_then(Value::as_str).unwrap_or("");
    let unit = obj.get("unit").and_then(Value::as_str).unwrap_or("");
    if UnitId::parse(unit).is_ok() && !matches!(role, "officer" | "governor") {
        return Ok(());
    }
    match role {
        "bureau" => {
            let u = bureau_unit(unit, org);
            obj.insert("unit".into(), Value::String(u.as_str().to_owned()));
        }
        "officer" => {
            let id = obj.get("id").and_then(Value::as_str).unwrap_or("");
            let oid = OfficerId::parse(id).map_err(|e| e.to_string())?;
            // The post as the organisation knows it (yetkili or yedek); yetkili if unknown.
            let post = org
                .officer(&oid)
                .map_or("yetkili", |(_, o)| o.role.as_str());
            obj.insert("role".into(), Value::String(post.to_owned()));
            obj.insert("unit".into(), Value::String(oid.unit().as_str().to_owned()));
        }
        "governor" => {
            let valilik = org.valilik();
            let u = UnitId::parse(unit)
                .ok()
                .or_else(|| org.find_unit_by_name(unit).map(|u| u.id.clone()))
                .unwrap_or_else(|| valilik.id.clone());
            let office = org.unit(&u).unwrap_or(valilik);
            let post = office
                .officers
                .iter()
                .find(|o| o.role.is_governor())
                .ok_or_else(|| format!("{u}: vali/kaymakam yok"))?;
            obj.insert("role".into(), Value::String(post.role.as_str().to_owned()));
            obj.insert("id".into(), Value::String(post.id.as_str().to_owned()));
            obj.insert("unit".into(), Value::String(office.id.as_str().to_owned()));
        }
        _ => {}
    }
    Ok(())
}

fn upcast_assignment(a: &mut Value, org: &Organisation) -> std::result::Result<(), String> {
    let Some(obj) = a.as_object_mut() else {
        return Err("görevlendirme bir nesne değil".to_owned());
    };
    if obj.contains_key("unit_name") {
        return Ok(());
    }
    let name = obj
        .get("unit")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let officer = obj.get("officer").and_then(Value::as_str).unwrap_or("");
    let oid = OfficerId::parse(officer).map_err(|e| e.to_string())?;
    let unit = org
        .find_unit_by_name(&name)
        .map_or_else(|| oid.unit(), |u| u.id.clone());
    let names: Vec<String> = obj
        .get("escalation")
        .and_then(Value::as_array)
        .map(|v| {
            v.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut ids = Vec::with_capacity(names.len());
    for n in &names {
        let u = org
            .find_unit_by_name(n)
            .ok_or_else(|| format!("eski kayıtta bilinmeyen birim: {n:?}"))?;
        ids.push(Value::String(u.id.as_str().to_owned()));
    }
    obj.insert("unit".into(), Value::String(unit.as_str().to_owned()));
    obj.insert("unit_name".into(), Value::String(name));
    if !ids.is_empty() {
        obj.insert("escalation".into(), Value::Array(ids));
        obj.insert(
            "escalation_names".into(),
            Value::Array(names.into_iter().map(Value::String).collect()),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Actor;
    use crate::workflow::application::ApplicationEvent;
    use serde_json::json;

    fn record(actor: Value, event: Value) -> Value {
        json!({"workflow":"basvuru","seq":7,"instance":"AK-20-2026-0000001-3","version":1,
               "command":"c","at":"2026-03-01T04:17:00Z","actor":actor,"event":event})
    }

    #[test]
    fn a_sim_bureau_becomes_the_provinces_acik_kapi_unit() {
        let mut r = record(
            json!({"role":"bureau","id":"buro-1","unit":"Denizli Valiliği Açık Kapı Bürosu"}),
            json!({"closed":{"at":"2026-03-01T04:17:00Z"}}),
        );
        upcast_record(&mut r).unwrap();
        assert_eq!(r["actor"]["unit"], "20.ACIK_KAPI");
        let a: Actor = serde_json::from_value(r["actor"].clone()).unwrap();
        assert_eq!(a.unit().unwrap().as_str(), "20.ACIK_KAPI");
        // Idempotent.
        let before = r.clone();
        upcast_record(&mut r).unwrap();
        assert_eq!(r, before);
    }

    #[test]
    fn a_governor_by_name_becomes_the_vali() {
        let mut r = record(
            json!({"role":"governor","id":"vali","unit":"Denizli Valiliği"}),
            json!({"approved":{"by":"Denizli Valiliği"}}),
        );
        upcast_record(&mut r).unwrap();
        assert_eq!(r["actor"]["role"], "vali");
        assert_eq!(r["actor"]["id"], "20.VALILIK.VALI");
        assert_eq!(r["actor"]["unit"], "20.VALILIK");
        let a: Actor = serde_json::from_value(r["actor"].clone()).unwrap();
        assert!(matches!(a, Actor::Governor { .. }));
    }

    #[test]
    fn assignments_and_bureaus_get_ids() {
        let mut r = record(
            json!({"role":"bureau","id":"buro","unit":"20.ACIK_KAPI"}),
            json!({"routed":{"assignment":{"unit":"Denizli Büyükşehir Belediyesi",
                "officer":"20.BUYUKSEHIR_BELEDIYESI.YETKILI",
                "escalation":["Denizli Büyükşehir Belediyesi","Denizli Valiliği"],"deadline_days":7}}}),
        );
        upcast_record(&mut r).unwrap();
        let a = &r["event"]["routed"]["assignment"];
        assert_eq!(a["unit"], "20.BUYUKSEHIR_BELEDIYESI");
        assert_eq!(a["unit_name"], "Denizli Büyükşehir Belediyesi");
        assert_eq!(
            a["escalation"],
            json!(["20.BUYUKSEHIR_BELEDIYESI", "20.VALILIK"])
        );
        let e: ApplicationEvent = serde_json::from_value(r["event"].clone()).unwrap();
        let ApplicationEvent::Routed { assignment } = e else {
            panic!("routed")
        };
        assert_eq!(assignment.escalation_names[1], "Denizli Valiliği");
    }

    #[test]
    fn context_free_assignment_reads_the_old_shape_the_same_way() {
        let old = json!({"unit":"Acıpayam Kaymakamlığı","officer":"20.ACIPAYAM.KAYMAKAMLIK.KAYMAKAM",
            "escalation":["Acıpayam Kaymakamlığı","Denizli Valiliği"],"deadline_days":5});
        let direct: Assignment = serde_json::from_value(old.clone()).unwrap();
        let mut r = record(
            json!({"role":"system","id":"sistem","unit":"Açık Kapı"}),
            json!({"approval_requested":{"assignment":old}}),
        );
        upcast_record(&mut r).unwrap();
        let upcast: Assignment =
            serde_json::from_value(r["event"]["approval_requested"]["assignment"].clone()).unwrap();
        assert_eq!(direct, upcast);
        assert_eq!(direct.unit.as_str(), "20.ACIPAYAM.KAYMAKAMLIK");
        // And today's shape round-trips.
        let text = serde_json::to_string(&direct).unwrap();
        assert_eq!(serde_json::from_str::<Assignment>(&text).unwrap(), direct);
    }

    #[test]
    fn unknown_names_and_instances_are_errors() {
        let mut r = record(
            json!({"role":"bureau","id":"buro","unit":"20.ACIK_KAPI"}),
            json!({"routed":{"assignment":{"unit":"X","officer":"20.SGK.YETKILI",
                "escalation":["Hiç Olmayan Müdürlük"]}}}),
        );
        assert!(matches!(
            upcast_record(&mut r),
            Err(Error::CorruptHistory { seq: 7, .. })
        ));
        let mut r = record(json!({"role":"system"}), json!({"closed":{}}));
        r["instance"] = json!("not-a-tracking-number");
        assert!(upcast_record(&mut r).is_err());
    }
}
