//! Embedding acikkapi in an existing system: the whole life of one application through the public
//! Rust API, on a journal file that survives restarts.
//!
//! `cargo run --example embed [JOURNAL]` (default: a fresh file in the temporary directory)
//!
//! 1. the counter takes the citizen's form (JSON, as an e-İçişleri front end would send it);
//! 2. the workflow engine registers it (validation, tracking number, deadline on the Turkish
//!    calendar) and queues the SMS;
//! 3. the province's router (Rhai rules over the native router) decides the unit, the officer,
//!    the escalation chain and the deadline; the decision becomes the `Route` command;
//! 4. the officer answers; the timers run on `tick(now)`;
//! 5. the citizen's masked history and the statistics block are read back — also after reopening
//!    the journal, which is what a restart does.

use std::error::Error;
use std::sync::Arc;

use acikkapi::core::application::ApplicationInput;
use acikkapi::core::geo::ProvincePlate;
use acikkapi::core::ids::TrackingNumber;
use acikkapi::core::journal::{FileJournal, FileJournalOptions};
use acikkapi::core::routing::RouteRequest;
use acikkapi::core::workflow::application::{
    ApplicationCommand, ApplicationWorkflow, Assignment, Outcome,
};
use acikkapi::core::workflow::ports::{MemorySink, local_time};
use acikkapi::core::workflow::{Actor, CommandId, Engine, EngineOptions, InstanceId, Role};
use acikkapi::rules::ScriptedRouter;
use chrono::NaiveDate;

/// What a web form sends: a request for a health appointment in Pamukkale (Denizli).
const FORM: &str = r#"{
  "tckn": "10000000146", "name": "Ayşe", "surname": "Yılmaz", "mother_maiden_initials": "KA",
  "phone": "0532 123 45 67", "birth_year": 1980, "gender": "kadın",
  "kind": "talep", "channel": "web",
  "subject": "Annem için kardiyoloji randevusu üç haftadır verilmiyor.",
  "category": "SAGLIK.RANDEVU", "province": "Denizli", "district": "Pamukkale",
  "received_at": "2026-11-23T10:15:00+03:00"
}"#;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args().nth(1).map_or_else(
        || std::env::temp_dir().join(format!("acikkapi-embed-{}.journal", std::process::id())),
        Into::into,
    );
    let _ = std::fs::remove_file(&path);
    run(&path)?;
    let _ = std::fs::remove_file(&path);
    Ok(())
}

fn run(path: &std::path::Path) -> Result<(), Box<dyn Error>> {
    let denizli = ProvincePlate::new(20)?;
    let monday = NaiveDate::from_ymd_opt(2026, 11, 23).ok_or("date")?;
    let now = local_time(monday, 10, 20);

    // One writer per journal file: a second engine on the same file gets Error::JournalLocked.
    let journal = Arc::new(FileJournal::open(path, FileJournalOptions::default())?);
    let sms = MemorySink::new();
    let mut engine = Engine::open(
        ApplicationWorkflow::default(),
        journal,
        sms.clone(),
        EngineOptions::default(),
    )?;

    // 1–2. Receive and register. Command ids make retries safe: the same id twice has one effect.
    let tracking = TrackingNumber::new(denizli, 2026, 1)?;
    let id = InstanceId::new(tracking.to_string());
    let bureau = Actor::new(Role::Bureau, "buro-1", "20.ACIK_KAPI");
    let input: ApplicationInput = serde_json::from_str(FORM)?;
    let receive = ApplicationCommand::Receive {
        input: Box::new(input),
    };
    engine.execute(&id, CommandId::new("web-1/al"), None, &bureau, now, receive)?;
    let out = engine.execute(
        &id,
        CommandId::new("web-1/kaydet"),
        None,
        &bureau,
        now,
        ApplicationCommand::Register,
    )?;
    println!("{tracking}: {}", out.status);
    let state = &engine.instance(&id).ok_or("no instance")?.state;
    let app = state.application.clone().ok_or("not registered")?;
    if let Some(due) = state.deadline {
        let due = due.with_timezone(&chrono_tz::Europe::Istanbul);
        println!("  answer due: {}", due.format("%d.%m.%Y %H:%M"));
    }

    // 3. Route with the province's rules; the decision carries the deadline too.
    let router = ScriptedRouter::for_province(denizli.get())?;
    let decision = router.route(&RouteRequest::from(&app))?;
    println!(
        "  decided by {:?}: {:?}, {} business days",
        decision.decided_by, decision.target, decision.deadline_days
    );
    let assignment = Assignment::from_decision(&decision, |u| router.native().unit_name(u))
        .ok_or("the decision does not route")?;
    let officer = Actor::new(
        Role::Officer,
        assignment.officer.clone(),
        assignment.unit.clone(),
    );
    let out = engine.execute(
        &id,
        CommandId::new("web-1/ilet"),
        None,
        &bureau,
        now,
        ApplicationCommand::Route { assignment },
    )?;
    println!("  {} → {}", out.status, officer.unit);

    // 4. Timers, then the answer two days later.
    let wednesday = local_time(NaiveDate::from_ymd_opt(2026, 11, 25).ok_or("date")?, 11, 0);
    let fired = engine.tick(wednesday)?;
    println!("  timers fired by Wednesday: {}", fired.len());
    let answer = ApplicationCommand::Answer {
        outcome: Outcome::Positive,
        text: "Randevunuz 2 Aralık 10:40 için oluşturuldu.".into(),
    };
    engine.execute(
        &id,
        CommandId::new("memur/cevap"),
        None,
        &officer,
        wednesday,
        answer,
    )?;

    // 5. What the citizen sees (masked), the SMS sent, and the statistics block.
    let public = engine.track(&tracking.to_string())?;
    for entry in &public.entries {
        let at = entry.at.with_timezone(&chrono_tz::Europe::Istanbul);
        println!("  [{}] {}", at.format("%d.%m.%Y %H:%M"), entry.text);
    }
    println!("  SMS queued: {}", sms.notifications().len());
    drop(engine);

    // A restart: the state is the fold of the journal.
    let journal = Arc::new(FileJournal::open(path, FileJournalOptions::default())?);
    let engine = Engine::open(
        ApplicationWorkflow::default(),
        journal,
        MemorySink::new(),
        EngineOptions::default(),
    )?;
    let block = engine.statistics();
    print!("\nafter reopening {}:\n{block}", path.display());
    assert_eq!((block.received, block.positive), (1, 1));
    Ok(())
}

#[cfg(test)]
mod tests {
    /// `cargo test` runs the example end to end (`test = true` in Cargo.toml).
    #[test]
    fn the_example_runs() {
        let path = std::env::temp_dir().join(format!(
            "acikkapi-embed-test-{}.journal",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        super::run(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
    }
}
