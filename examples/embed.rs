//! Embedding acikkapi in an existing system: the whole life of one application through the public
//! Rust API, on a journal file that survives restarts.
//!
//! `cargo run --example embed [JOURNAL]` (default: a fresh file in the temporary directory)
//!
//! 1. the counter takes the citizen's form (JSON, as an e-İçişleri front end would send it);
//! 2. the application service registers it as the bureau (validation, a tracking number from
//!    durable state, deadline on the Turkish calendar) and queues the SMS;
//! 3. the province's router (Rhai rules over the native router) decides the unit, the officer,
//!    the escalation chain and the deadline; the service turns the decision into the commands;
//! 4. the officer answers from the unit's inbox; the timers run on `tick(now)`;
//! 5. the citizen's masked history (after verification) and the statistics block (an analyst) are
//!    read back — also after reopening the journal, which is what a restart does.
//!
//! Every call names its actor; the service's one permission policy decides.

use std::error::Error;
use std::sync::Arc;

use acikkapi::core::application::ApplicationInput;
use acikkapi::core::geo::ProvincePlate;
use acikkapi::core::journal::{FileJournal, FileJournalOptions};
use acikkapi::core::org::{Role, UnitId};
use acikkapi::core::service::{ApplicationRouter, Applications, Query};
use acikkapi::core::workflow::application::{ApplicationWorkflow, Outcome};
use acikkapi::core::workflow::ports::{MemorySink, local_time};
use acikkapi::core::workflow::{Actor, CitizenProof, CommandId, EngineOptions};
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
    let monday = NaiveDate::from_ymd_opt(2026, 11, 23).ok_or("date")?;
    let now = local_time(monday, 10, 20);

    // One writer per journal file: a second engine on the same file gets Error::JournalLocked.
    // The service routes with each province's rules (Rhai over the native router).
    let journal = Arc::new(FileJournal::open(path, FileJournalOptions::default())?);
    let sms = MemorySink::new();
    let service = Applications::open(
        ApplicationWorkflow::default(),
        journal,
        sms.clone(),
        EngineOptions::default(),
    )?
    .with_routers(Box::new(|plate: ProvincePlate| {
        let r = ScriptedRouter::for_province(plate).map_err(|e| {
            acikkapi::core::Error::GuardFailed {
                rule: e.to_string(),
            }
        })?;
        let r: Arc<dyn ApplicationRouter + Send + Sync> = Arc::new(r);
        Ok(r)
    }));

    // 1–2. The bureau receives and registers; the service allocates the tracking number in the
    // bureau's province. Command ids make retries safe: the same id twice has one effect.
    let bureau = Actor::clerk("buro-1", UnitId::parse("20.ACIK_KAPI")?);
    let input: ApplicationInput = serde_json::from_str(FORM)?;
    let submitted = service.submit(&bureau, input, now, Some(CommandId::new("web-1")))?;
    let tracking = submitted.tracking.to_string();
    println!("{tracking}: {}", submitted.status);
    let view = service.view(&bureau, &tracking, now)?;
    if let Some(due) = view.state.deadline {
        let due = due.with_timezone(&chrono_tz::Europe::Istanbul);
        println!("  answer due: {}", due.format("%d.%m.%Y %H:%M"));
    }

    // 3. Route with the province's rules; the decision carries the deadline too.
    let out = service.route(
        &bureau,
        &tracking,
        0,
        now,
        Some(CommandId::new("web-1/ilet")),
    )?;
    let assignment = service
        .view(&bureau, &tracking, now)?
        .state
        .assignment
        .ok_or("the decision does not route")?;
    println!("  {} → {}", out.status, assignment.unit_name);

    // 4. Timers, then the officer sees it in the unit's inbox and answers two days later.
    let wednesday = local_time(NaiveDate::from_ymd_opt(2026, 11, 25).ok_or("date")?, 11, 0);
    let fired = service.tick(&Actor::system(), wednesday)?;
    println!("  timers fired by Wednesday: {}", fired.len());
    let officer = Actor::officer(assignment.officer.clone(), Role::Yetkili);
    let inbox = service.inbox(&officer, &Query::default(), wednesday);
    println!("  officer's inbox: {} open", inbox.total);
    service.answer(
        &officer,
        &tracking,
        Outcome::Positive,
        "Randevunuz 2 Aralık 10:40 için oluşturuldu.",
        wednesday,
        Some(CommandId::new("memur/cevap")),
    )?;

    // 5. What the citizen sees (masked, after proving the last four digits of the phone), the
    // SMS sent, and the statistics block (an analyst).
    let citizen = Actor::citizen(
        submitted.tracking,
        CitizenProof::PhoneLastFour("4567".into()),
    );
    let public = service.track(&citizen, &tracking, wednesday)?;
    for entry in &public.entries {
        let at = entry.at.with_timezone(&chrono_tz::Europe::Istanbul);
        println!("  [{}] {}", at.format("%d.%m.%Y %H:%M"), entry.text);
    }
    println!("  SMS queued: {}", sms.notifications().len());
    drop(service);

    // A restart: the state is the fold of the journal.
    let journal = Arc::new(FileJournal::open(path, FileJournalOptions::default())?);
    let service = Applications::open(
        ApplicationWorkflow::default(),
        journal,
        MemorySink::new(),
        EngineOptions::default(),
    )?;
    let block = service.statistics(&Actor::analyst("analist-1"), wednesday)?;
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
