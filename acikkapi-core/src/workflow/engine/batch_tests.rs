//! Batches: pre-decisions ([`Engine::predecide`]) are reused only on the state they were made on,
//! and then staged exactly as the leader would have staged them; a failed batch gives every caller
//! the same typed error.

use std::sync::Arc;

use super::*;
use crate::application::{ApplicationInput, TextOrNumber};
use crate::ids::Full;
use crate::journal::MemoryJournal;
use crate::workflow::EngineOptions;
use crate::workflow::application::{ApplicationCommand, ApplicationWorkflow, Status};
use crate::workflow::ports::MemorySink;

fn engine() -> Engine<ApplicationWorkflow> {
    Engine::open(
        ApplicationWorkflow::default(),
        Arc::new(MemoryJournal::new()),
        MemorySink::new(),
        EngineOptions::default(),
    )
    .unwrap()
}

fn clerk() -> Actor {
    Actor::clerk("b1", crate::org::UnitId::parse("20.ACIK_KAPI").unwrap())
}

fn now() -> DateTime<Utc> {
    "2026-03-02T06:00:00Z".parse().unwrap()
}

fn request(
    instance: &str,
    command_id: &str,
    expected: Option<u64>,
    command: ApplicationCommand,
) -> CommandRequest<ApplicationWorkflow> {
    CommandRequest::new(
        &InstanceId::new(instance),
        CommandId::new(command_id),
        expected,
        &clerk(),
        now(),
        command,
    )
}

fn receive(instance: &str) -> CommandRequest<ApplicationWorkflow> {
    let input = ApplicationInput {
        tckn: Some("10000000146".into()),
        name: Some("Ayşe".into()),
        surname: Some("Yılmaz".into()),
        mother_maiden_initials: Some("KA".into()),
        phone: Some("0532 123 45 67".into()),
        birth_year: Some(TextOrNumber::Number(1980)),
        gender: Some("kadın".into()),
        kind: Some("şikayet".into()),
        channel: Some("e-Devlet".into()),
        subject: Some("Mahallemizde üç gündür çöpler toplanmıyor.".into()),
        category: Some("YEREL.DIGER".into()),
        province: Some(TextOrNumber::Number(20)),
        district: Some("Pamukkale".into()),
        ..ApplicationInput::default()
    };
    request(
        instance,
        &format!("{instance}:al"),
        Some(0),
        ApplicationCommand::Receive {
            input: Box::new(input),
        },
    )
}

fn note(instance: &str, id: &str) -> CommandRequest<ApplicationWorkflow> {
    request(
        instance,
        id,
        None,
        ApplicationCommand::AddNote {
            text: format!("not {id}"),
        },
    )
}

/// Every staged record is the encoding of its envelope (whose `seq` is its journal position).
fn check_records(p: &Prepared<ApplicationWorkflow>) {
    let envelopes: Vec<_> = p.commits.iter().flat_map(|c| &c.envelopes).collect();
    assert_eq!(envelopes.len(), p.records.len());
    for (i, (env, record)) in envelopes.iter().zip(&p.records).enumerate() {
        assert_eq!(env.seq, p.base_seq + i as u64 + 1);
        assert_eq!(*record, serde_json::to_vec(&Full(env)).unwrap());
    }
}

fn staged(p: &Prepared<ApplicationWorkflow>, i: usize) -> &Staged<ApplicationWorkflow> {
    match p.slots[i] {
        Slot::Pending { index, .. } => &p.commits[index],
        Slot::Failed(ref e) => panic!("request {i} failed: {e}"),
        Slot::Ready(_) => panic!("request {i} was a repeat"),
    }
}

#[test]
fn a_reused_pre_decision_stages_what_the_leader_would_decide() {
    let mut e = engine();
    // Journal positions of more than one digit, and a batch that does not start at 1.
    for i in 0..12 {
        assert!(e.execute_batch([receive(&format!("A{i}"))])[0].is_ok());
    }
    let requests = || {
        vec![
            receive("N1"),
            request("A3", "A3:kaydet", Some(1), ApplicationCommand::Register),
            note("A4", "A4:not"),
        ]
    };
    let pres: Vec<_> = requests().iter().map(|r| e.predecide(r)).collect();
    assert!(pres.iter().all(Option::is_some));
    let reused = e.prepare_batch_predecided(requests().into_iter().zip(pres));
    let fresh = e.prepare_batch(requests());
    check_records(&reused);
    check_records(&fresh);
    assert_eq!(reused.records, fresh.records);
    for i in 0..3 {
        let (a, b) = (staged(&reused, i), staged(&fresh, i));
        assert_eq!((&a.state, a.version), (&b.state, b.version));
        assert_eq!(a.outcome, b.outcome);
        assert_eq!(a.envelopes, b.envelopes);
    }
    let results = e.apply_prepared(reused).results;
    assert_eq!(results[1].as_ref().unwrap().status, "registered");
}

#[test]
fn a_stale_pre_decision_is_decided_again() {
    let mut e = engine();
    assert!(e.execute_batch([receive("A")])[0].is_ok());
    let register = || request("A", "A:kaydet", None, ApplicationCommand::Register);
    let pre = e.predecide(&register()).unwrap();
    // The application changes after the pre-decision: it is redirected.
    let redirect = request(
        "A",
        "A:yonlendir",
        None,
        ApplicationCommand::Redirect {
            to: "CİMER".into(),
            reason: "deneme".into(),
        },
    );
    assert!(e.execute_batch([redirect])[0].is_ok());
    let p = e.prepare_batch_predecided([(register(), Some(pre))]);
    assert!(
        p.records.is_empty(),
        "the stale Registered event was staged"
    );
    assert!(matches!(
        p.slots[0],
        Slot::Failed(Error::InvalidTransition { .. })
    ));
}

#[test]
fn pre_decisions_of_one_instance_in_one_batch_see_the_commands_before_them() {
    let mut e = engine();
    assert!(e.execute_batch([receive("A")])[0].is_ok());
    // Both decided by their callers on version 1; the second runs on the first's state.
    let requests = || {
        vec![
            request("A", "A:kaydet", None, ApplicationCommand::Register),
            note("A", "A:not"),
        ]
    };
    let pres: Vec<_> = requests().iter().map(|r| e.predecide(r)).collect();
    assert!(pres.iter().all(Option::is_some));
    let p = e.prepare_batch_predecided(requests().into_iter().zip(pres));
    check_records(&p);
    assert_eq!(staged(&p, 0).version, 2);
    let second = staged(&p, 1);
    assert_eq!(second.version, 3);
    assert_eq!(second.outcome.version, 3);
    assert_eq!(second.state.status, Status::Registered);
    assert_eq!(p.records, e.prepare_batch(requests()).records);
}

#[test]
fn no_pre_decision_for_what_the_leader_must_refuse_or_repeat() {
    let mut e = engine();
    assert!(e.execute_batch([receive("A")])[0].is_ok());
    // A known command id, a version that does not hold, a refused command, no instance id.
    assert!(e.predecide(&receive("A")).is_none());
    assert!(
        e.predecide(&request("A", "x", Some(7), ApplicationCommand::Register))
            .is_none()
    );
    assert!(
        e.predecide(&request("A", "y", None, ApplicationCommand::Close))
            .is_none()
    );
    assert!(e.predecide(&note("", "z")).is_none());
    // The leader then decides them and reports what it finds.
    let results = e.execute_batch([
        receive("A"),
        request("A", "x", Some(7), ApplicationCommand::Register),
        request("A", "y", None, ApplicationCommand::Close),
    ]);
    assert!(results[0].as_ref().unwrap().repeated);
    assert!(matches!(results[1], Err(Error::Conflict { .. })));
    assert!(matches!(results[2], Err(Error::InvalidTransition { .. })));
}

#[test]
fn an_open_record_takes_any_journal_position() {
    // As an envelope is written: `workflow`, `schema`, `seq` first, the event after.
    let record = br#"{"workflow":"basvuru","schema":3,"seq":0,"instance":"X","event":{"text":"\"seq\":0,","seq":0}}"#.to_vec();
    let open = OpenRecord::open(record).unwrap();
    for seq in [0, 1, 9, 10, 4_294_967_296, u64::MAX] {
        let closed: serde_json::Value = serde_json::from_slice(&open.close(seq)).unwrap();
        assert_eq!(closed["seq"], seq);
        assert_eq!(closed["event"]["seq"], 0);
        assert_eq!(closed["event"]["text"], "\"seq\":0,");
    }
    assert!(OpenRecord::open(b"{\"seq\":1}".to_vec()).is_none());
}

#[test]
fn every_caller_of_a_failed_batch_gets_the_same_typed_error() {
    for original in [
        Error::StoreUnavailable {
            retryable: true,
            message: "connection lost".into(),
        },
        Error::StoreUnavailable {
            retryable: false,
            message: "permission denied".into(),
        },
        Error::ConcurrencyConflict {
            expected: 3,
            actual: 5,
        },
    ] {
        let mut shared = Some(original);
        let first = take_or_share(&mut shared);
        let second = take_or_share(&mut shared);
        assert_eq!(first.to_string(), second.to_string());
        assert_eq!(first.is_retryable(), second.is_retryable());
        assert_eq!(
            std::mem::discriminant(&first),
            std::mem::discriminant(&second),
            "{second:?}"
        );
    }
}
