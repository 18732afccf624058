//! Reading stored records across schema versions: a record of the current schema is
//! deserialized as it is; an older one is read as JSON, upcast step by step by the definition
//! ([`WorkflowDefinition::upcast`]) and then deserialized. A record of a newer schema than the
//! code knows is refused (an older program must not guess at a newer shape).

use serde_json::Value;

use super::Envelope;
use crate::workflow::WorkflowDefinition;
use crate::{Error, Result};

/// The schema of records written before [`Envelope::schema`] existed.
pub(super) const FIRST_SCHEMA: u32 = 1;

/// Serde default of [`Envelope::schema`].
pub(super) fn first_schema() -> u32 {
    FIRST_SCHEMA
}

fn corrupt(seq: u64, message: impl Into<String>) -> Error {
    Error::CorruptHistory {
        seq,
        message: message.into(),
    }
}

fn too_new(seq: u64, schema: u64, current: u32) -> Error {
    corrupt(
        seq,
        format!(
            "record of schema {schema}, this program reads schemas {FIRST_SCHEMA} to {current} \
             (written by a newer version)"
        ),
    )
}

/// What the previous record of a replay was: a journal is in time order, so the records of an
/// older schema come first and in a run; while in that run, [`decode`] reads records as JSON
/// for upcasting straight away instead of first trying the current shape. (On the schema-1
/// fixture, 768 records: replay takes about 1.8× the time of the same records in the current
/// schema this way, 2.5–5× when every old record is first tried in the current shape; release
/// build, a shared machine, so rough.) Records of any schema in any order are still read right.
#[derive(Debug, Default)]
pub(super) struct SchemaHint {
    older: bool,
}

/// The record at `seq`, in the current schema of `def`.
pub(super) fn decode<W: WorkflowDefinition>(
    def: &W,
    seq: u64,
    bytes: &[u8],
    hint: &mut SchemaHint,
) -> Result<Envelope<W::Event>> {
    let current = def.schema_version();
    // The common case: a record of the current schema, deserialized directly. A record that
    // deserializes but is of another schema is read again below (its fields may mean something
    // else in the old shape).
    let direct = if hint.older {
        None
    } else {
        let direct = serde_json::from_slice::<Envelope<W::Event>>(bytes);
        if let Ok(env) = &direct
            && env.schema == current
        {
            return direct.map_err(|e| corrupt(seq, e.to_string()));
        }
        Some(direct)
    };
    let mut value: Value =
        serde_json::from_slice(bytes).map_err(|e| corrupt(seq, e.to_string()))?;
    let Some(fields) = value.as_object() else {
        return Err(corrupt(seq, "record is not a JSON object"));
    };
    let schema = match fields.get("schema") {
        None => u64::from(FIRST_SCHEMA),
        Some(v) => v
            .as_u64()
            .filter(|s| *s >= u64::from(FIRST_SCHEMA))
            .ok_or_else(|| corrupt(seq, format!("schema {v} is not a version number")))?,
    };
    if schema > u64::from(current) {
        return Err(too_new(seq, schema, current));
    }
    hint.older = schema < u64::from(current);
    if schema == u64::from(current) {
        // Of the current schema and not readable directly: report the deserializer's message.
        return match direct {
            Some(direct) => direct,
            None => serde_json::from_value(value),
        }
        .map_err(|e| corrupt(seq, e.to_string()));
    }
    let from = u32::try_from(schema).map_err(|_| too_new(seq, schema, current))?;
    for step in from..current {
        value = def.upcast(step, value).map_err(|e| {
            corrupt(
                seq,
                format!("upcasting from schema {step} to {}: {e}", step + 1),
            )
        })?;
    }
    let Some(fields) = value.as_object_mut() else {
        return Err(corrupt(seq, "upcast record is not a JSON object"));
    };
    fields.insert("schema".to_owned(), Value::from(current));
    serde_json::from_value(value).map_err(|e| {
        corrupt(
            seq,
            format!("record upcast from schema {from} to {current}: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{DateTime, TimeZone, Utc};
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    use crate::journal::{Journal, MemoryJournal};
    use crate::workflow::ports::{BusinessCalendar, NullSink};
    use crate::workflow::{
        Actor, CommandId, Context, Engine, EngineOptions, InstanceId, SnapshotStatus, Timer,
        WorkflowDefinition,
    };
    use crate::{Error, Result};

    /// A counter whose event changed shape twice: schema 1 `{"add": n}`, schema 2
    /// `{"added": {"n": n}}`, schema 3 `{"added": {"amount": n}}`, and whose actor moved from
    /// `"actor"` to `"by"` in schema 3 (an upcast may rewrite the whole envelope).
    struct Counter {
        schema: u32,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Event {
        Added { amount: u64 },
    }

    impl WorkflowDefinition for Counter {
        type State = u64;
        type Command = u64;
        type Event = Event;

        fn name(&self) -> &'static str {
            "sayac"
        }

        fn decide(&self, _: Option<&u64>, c: &u64, _: &Context<'_>) -> Result<Vec<Event>> {
            Ok(vec![Event::Added { amount: *c }])
        }

        fn apply(&self, state: Option<u64>, event: &Event) -> Result<u64> {
            let Event::Added { amount } = event;
            Ok(state.unwrap_or(0) + amount)
        }

        fn status(&self, _: &u64) -> &'static str {
            "open"
        }

        fn statuses(&self) -> &'static [&'static str] {
            &["open"]
        }

        fn next_timer(&self, _: &u64, _: &dyn BusinessCalendar) -> Option<Timer> {
            None
        }

        fn on_timer(&self, _: &u64, _: &Timer, _: &Context<'_>) -> Result<Vec<Event>> {
            Ok(Vec::new())
        }

        fn command_name(&self, _: &u64) -> String {
            "add".to_owned()
        }

        fn schema_version(&self) -> u32 {
            self.schema
        }

        fn upcast(&self, from: u32, mut env: serde_json::Value) -> Result<serde_json::Value> {
            let bad = |m: &str| Error::WorkflowStorage {
                message: m.to_owned(),
            };
            match from {
                1 => {
                    let n = env["event"]["add"].take();
                    if !n.is_u64() {
                        return Err(bad("no amount"));
                    }
                    env["event"] = json!({"added": {"n": n}});
                }
                2 => {
                    let n = env["event"]["added"]["n"].take();
                    env["event"] = json!({"added": {"amount": n}});
                    // The instance id is there for upcasts that need it.
                    assert!(env["instance"].is_string());
                }
                _ => return Err(bad("unknown step")),
            }
            Ok(env)
        }
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    /// A record as some schema wrote it (`schema: None`: before versions existed).
    fn record(seq: u64, version: u64, schema: Option<u32>, event: serde_json::Value) -> Vec<u8> {
        let mut env = json!({
            "workflow": "sayac", "seq": seq, "instance": "c1", "version": version,
            "command": format!("c{seq}"), "at": at(), "actor": Actor::system(), "event": event,
        });
        if let Some(s) = schema {
            env["schema"] = json!(s);
        }
        serde_json::to_vec(&env).unwrap()
    }

    fn open(schema: u32, log: Arc<MemoryJournal>) -> Result<Engine<Counter>> {
        Engine::open(Counter { schema }, log, NullSink, EngineOptions::default())
    }

    #[test]
    fn records_of_every_older_schema_are_upcast_and_replay() {
        let log = Arc::new(MemoryJournal::new());
        log.append(&[
            record(1, 1, None, json!({"add": 2})),
            record(2, 2, Some(2), json!({"added": {"n": 3}})),
            record(3, 3, Some(3), json!({"added": {"amount": 5}})),
        ])
        .unwrap();
        let mut engine = open(3, log.clone()).unwrap();
        let id = InstanceId::new("c1");
        let inst = engine.instance(&id).unwrap();
        assert_eq!(inst.state, 10);
        assert!(inst.history.iter().all(|e| e.schema == 3));
        assert_eq!(inst.history[0].event, Event::Added { amount: 2 });
        // New records carry the current schema.
        let system = Actor::system();
        engine
            .execute(&id, CommandId::new("c4"), Some(3), &system, at(), 1)
            .unwrap();
        let last = log.read_range(crate::journal::Seq(4), 1).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&last[0].payload).unwrap();
        assert_eq!(v["schema"], json!(3));
        // Any order of schemas reads right (the replay's hint is only a shortcut).
        log.append(&[record(5, 5, None, json!({"add": 4}))])
            .unwrap();
        let engine = open(3, log).unwrap();
        assert_eq!(engine.instance(&id).unwrap().state, 15);
    }

    #[test]
    fn an_old_record_that_happens_to_fit_the_new_shape_is_still_upcast() {
        // `{"added": {"amount": 7, "n": 1}}` deserializes in the schema-3 shape (as 7), but a
        // schema-2 record means 1: the record's schema decides, not whether it happens to parse.
        let log = Arc::new(MemoryJournal::new());
        log.append(&[record(
            1,
            1,
            Some(2),
            json!({"added": {"amount": 7, "n": 1}}),
        )])
        .unwrap();
        let engine = open(3, log).unwrap();
        assert_eq!(engine.instance(&InstanceId::new("c1")).unwrap().state, 1);
    }

    #[test]
    fn a_record_of_a_newer_schema_is_refused_with_its_position() {
        let log = Arc::new(MemoryJournal::new());
        log.append(&[
            record(1, 1, Some(2), json!({"added": {"n": 3}})),
            record(2, 2, Some(4), json!({"added": {"amount": 5}})),
        ])
        .unwrap();
        match open(3, log) {
            Err(Error::CorruptHistory { seq: 2, message }) => {
                assert!(message.contains("schema 4"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_failing_upcast_or_a_bad_schema_is_reported_with_its_position() {
        let log = Arc::new(MemoryJournal::new());
        log.append(&[record(1, 1, None, json!({"add": "many"}))])
            .unwrap();
        match open(3, log) {
            Err(Error::CorruptHistory { seq: 1, message }) => {
                assert!(message.contains("from schema 1 to 2"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        for schema in [json!(0), json!("2"), json!(-1)] {
            let log = Arc::new(MemoryJournal::new());
            let mut env: serde_json::Value =
                serde_json::from_slice(&record(1, 1, None, json!({"add": 1}))).unwrap();
            env["schema"] = schema.clone();
            log.append(&[serde_json::to_vec(&env).unwrap()]).unwrap();
            assert!(
                matches!(open(3, log), Err(Error::CorruptHistory { seq: 1, .. })),
                "{schema}"
            );
        }
    }

    #[test]
    fn a_snapshot_of_an_older_schema_is_refused_and_every_record_replayed() {
        let log = Arc::new(MemoryJournal::new());
        log.append(&[record(1, 1, None, json!({"add": 2}))])
            .unwrap();
        open(3, log.clone()).unwrap().snapshot().unwrap();
        // The same snapshot as a schema-2 program would have written it.
        let mut snap = log.read_snapshot().unwrap().unwrap();
        let mut data: serde_json::Value = serde_json::from_slice(&snap.data).unwrap();
        assert_eq!(data["schema"], json!(3));
        data["schema"] = json!(2);
        snap.data = serde_json::to_vec(&data).unwrap();
        log.write_snapshot(&snap).unwrap();
        let engine = open(3, log.clone()).unwrap();
        match engine.snapshot_status() {
            SnapshotStatus::Rejected { reason } => assert!(reason.contains("schema 2"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(engine.instance(&InstanceId::new("c1")).unwrap().state, 2);
        // The same schema's snapshot is used.
        let mut engine = engine;
        engine.snapshot().unwrap();
        assert_eq!(
            open(3, log).unwrap().snapshot_status(),
            &SnapshotStatus::Loaded { seq: 1 }
        );
    }
}
