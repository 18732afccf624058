//! The application workflow's journal schemas and the upcasts between them
//! ([`WorkflowDefinition::upcast`](crate::workflow::WorkflowDefinition::upcast)).
//!
//! | schema | change |
//! |---|---|
//! | 1 | journals written before schema versions existed |
//! | 2 | `not_processed` carries `problems` (structured [`Problem`]s) instead of `reasons` (Turkish sentences); actors are typed and assignments carry unit and officer ids ([`legacy::upcast_record`](super::legacy::upcast_record)) |
//!
//! Every step from schema 1 to 2 lives in [`v1_to_v2`]; a change of shape in the same release
//! adds its own function there, not a new schema.

use serde_json::{Map, Value};

use crate::validate::Problem;
use crate::{Error, Result};

/// The schema this code writes.
pub(super) const SCHEMA: u32 = 2;

fn bad(message: impl Into<String>) -> Error {
    Error::WorkflowStorage {
        message: message.into(),
    }
}

/// One step: the record of schema `from` in the shape of schema `from + 1`.
pub(super) fn upcast(from: u32, envelope: Value) -> Result<Value> {
    match from {
        1 => v1_to_v2(envelope),
        _ => Err(bad(format!("no upcast from schema {from}"))),
    }
}

/// Schema 1 → 2.
fn v1_to_v2(mut envelope: Value) -> Result<Value> {
    if let Some(event) = envelope.get_mut("event") {
        not_processed_problems(event)?;
    }
    // Typed actors and assignments: unit names resolved to ids in the organisation of the
    // tracking number's province.
    super::legacy::upcast_record(&mut envelope)?;
    Ok(envelope)
}

/// `{"not_processed": {"reasons": ["…"]}}` → `{"not_processed": {"problems": [{…}]}}`, each
/// sentence read back with [`Problem::from_legacy_text`] (so it renders exactly as stored).
fn not_processed_problems(event: &mut Value) -> Result<()> {
    let Some(body) = event.get_mut("not_processed") else {
        return Ok(());
    };
    let Some(fields) = body.as_object_mut() else {
        return Err(bad("not_processed is not an object"));
    };
    let Some(reasons) = fields.remove("reasons") else {
        return Err(bad("not_processed without reasons"));
    };
    let Value::Array(reasons) = reasons else {
        return Err(bad("not_processed reasons is not a list"));
    };
    let problems = reasons
        .iter()
        .map(|r| {
            let text = r
                .as_str()
                .ok_or_else(|| bad("not_processed reason is not text"))?;
            serde_json::to_value(Problem::from_legacy_text(text)).map_err(|e| bad(e.to_string()))
        })
        .collect::<Result<Vec<Value>>>()?;
    let mut out = Map::new();
    out.insert("problems".to_owned(), Value::Array(problems));
    // Anything else the body held is kept (and refused by the deserializer if unknown).
    out.extend(std::mem::take(fields));
    *fields = out;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::validate::Field;
    use crate::workflow::application::ApplicationEvent;

    #[test]
    fn schema_1_reasons_become_problems_that_render_as_stored() {
        let env = json!({"seq": 3, "instance": "AK-20-2026-0000001-3", "event": {"not_processed": {"reasons": [
            "Cep telefonu numarası girilmemiş; bu bilgi zorunludur.",
            "T.C. Kimlik No geçersiz: kontrol haneleri tutmuyor (123******01).",
            "Başvuru mükerrer."
        ]}}});
        let up = upcast(1, env).unwrap();
        assert_eq!(up["seq"], 3);
        let event: ApplicationEvent = serde_json::from_value(up["event"].clone()).unwrap();
        let ApplicationEvent::NotProcessed { problems } = event else {
            panic!("{event:?}");
        };
        assert_eq!(
            problems[0],
            Problem::MissingField {
                field: Field::Phone
            }
        );
        assert_eq!(
            problems[1].to_string(),
            "T.C. Kimlik No geçersiz: kontrol haneleri tutmuyor (123******01)."
        );
        assert_eq!(problems[1].field(), Some(Field::Tckn));
        assert_eq!(problems[2].to_string(), "Başvuru mükerrer.");
        assert_eq!(problems[2].field(), None);
    }

    #[test]
    fn other_events_are_unchanged_and_bad_shapes_are_errors() {
        let env = json!({
            "instance": "AK-20-2026-0000001-3",
            "event": {"closed": {"at": "2026-03-06T09:00:00Z"}}
        });
        assert_eq!(upcast(1, env.clone()).unwrap(), env);
        for body in [
            json!(1),
            json!({}),
            json!({"reasons": "x"}),
            json!({"reasons": [1]}),
        ] {
            let record =
                json!({"instance": "AK-20-2026-0000001-3", "event": {"not_processed": body}});
            assert!(upcast(1, record).is_err());
        }
        assert!(upcast(2, env).is_err());
    }
}
