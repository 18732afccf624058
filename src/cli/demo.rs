//! `acikkapi demo`: a month of Açık Kapı applications for one province (Denizli by default), end to
//! end on the embedded defaults: synthetic intake (deterministic seed), registration, routing,
//! business-day timers ticked every office hour, officers answering, returning and running late,
//! a file journal in a temporary folder, SMS to the console (a sample plus the counts), and the
//! statistics block. At the end the journal is replayed into a second engine and compared.

mod synth;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use acikkapi_core::calendar::Calendar;
use acikkapi_core::geo::Geography;
use acikkapi_core::journal::{FileJournal, FileJournalOptions, FsyncPolicy, Journal};
use acikkapi_core::notify::{
    ConsoleNotifier, DeliveryReceipt, DeliveryState, Notification, Notifier, RetryPolicy,
};
use acikkapi_core::org::UnitId;
use acikkapi_core::routing::{RouteRequest, Router, Target};
use acikkapi_core::stats::render::{Format, render};
use acikkapi_core::stats::{self, ReportOptions, records_from_engine};
use acikkapi_core::taxonomy::Taxonomy;
use acikkapi_core::workflow::application::{
    ApplicationCommand, ApplicationWorkflow, Assignment, Outcome,
};
use acikkapi_core::workflow::ports::{NullSink, local_time};
use acikkapi_core::workflow::{
    Actor, CommandId, DurableOutbox, Engine, EngineOptions, InstanceId, Role, format_tr,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use clap::Args;

use super::{CliError, CliResult, Io};
use synth::{Fate, Handling, Rng, Synth};

/// `acikkapi demo` options.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Province (name or plate).
    #[arg(long, default_value = "Denizli")]
    pub province: String,
    /// Month to simulate, YYYY-MM.
    #[arg(long, default_value = "2026-03")]
    pub month: String,
    /// Number of applications in the month.
    #[arg(long, default_value_t = 1500)]
    pub count: usize,
    /// Seed of the synthetic data.
    #[arg(long, default_value_t = 20)]
    pub seed: u64,
    /// How many SMS to print (the rest are counted).
    #[arg(long, default_value_t = 6)]
    pub sms_sample: usize,
    /// Keep the journal in this folder instead of a temporary one (removed at the end).
    #[arg(long)]
    pub journal_dir: Option<PathBuf>,
    /// Sync the journal to disk (group commit); default: no fsync (a demo, not a ledger).
    #[arg(long)]
    pub fsync: bool,
    /// Where to write the self-contained HTML report (statistics block and charts); default
    /// `rapor.html` in `--journal-dir` when given, else `acikkapi-demo-rapor.html` here.
    #[arg(long)]
    pub html: Option<PathBuf>,
}

/// Something the demo will do at a business hour.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    Approve(usize),
    Answer(usize),
    Return(usize),
    Reroute(usize),
    Close(usize),
}

struct Sim<'a> {
    engine: Engine<ApplicationWorkflow>,
    synth: Synth<'a>,
    router: Arc<Router>,
    slots: Vec<DateTime<Utc>>,
    plans: Vec<synth::Planned>,
    assignments: Vec<Option<Assignment>>,
    queue: BinaryHeap<Reverse<(usize, u64, Action)>>,
    order: u64,
    stats: BTreeMap<&'static str, u64>,
    bureau: Actor,
    vali: Actor,
}

fn month_slots(month: &str) -> Result<(i32, Vec<DateTime<Utc>>), CliError> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| CliError::Usage(format!("ay YYYY-AA biçiminde olmalı: {month:?}")))?;
    let cal = Calendar::public_sector();
    let mut slots = Vec::new();
    let mut day = first;
    while day.month() == first.month() {
        if cal.is_business_day(day)? {
            for hour in 9..=17 {
                slots.push(local_time(day, hour, 0));
            }
        }
        day = day
            .succ_opt()
            .ok_or_else(|| CliError::Usage(format!("geçersiz ay: {month}")))?;
    }
    Ok((first.year(), slots))
}

impl Sim<'_> {
    fn schedule(&mut self, slot: usize, action: Action) {
        self.order += 1;
        self.queue.push(Reverse((slot, self.order, action)));
    }

    fn count(&mut self, what: &'static str) {
        *self.stats.entry(what).or_default() += 1;
    }

    fn run(
        &mut self,
        i: usize,
        step: &str,
        actor: &Actor,
        slot: usize,
        cmd: ApplicationCommand,
    ) -> Result<String, CliError> {
        let id = InstanceId::new(self.plans[i].tracking.clone());
        // One command id per step and version: the bureau's UI would send the version it showed.
        let version = self.engine.instance(&id).map_or(0, |inst| inst.version);
        let cid = CommandId::new(format!("{id}:{version}:{step}"));
        let out = self
            .engine
            .execute(&id, cid, Some(version), actor, self.slots[slot], cmd)
            .map_err(|e| CliError::Usage(format!("{id} ({step}): {e}")))?;
        Ok(out.status)
    }

    fn officer(&self, i: usize) -> Actor {
        let a = self.assignments[i].clone().unwrap_or(Assignment {
            escalation: Vec::new(),
            unit: String::new(),
            officer: String::new(),
        });
        Actor::new(Role::Officer, a.officer, a.unit)
    }

    fn intake(&mut self, i: usize) -> Result<(), CliError> {
        let slot = self.plans[i].slot;
        let bureau = self.bureau.clone();
        let input = self.plans[i].input.clone();
        self.run(
            i,
            "al",
            &bureau,
            slot,
            ApplicationCommand::Receive {
                input: Box::new(input),
            },
        )?;
        if self.run(i, "kaydet", &bureau, slot, ApplicationCommand::Register)? != "registered" {
            self.count("işleme alınmadı");
            return Ok(());
        }
        match self.plans[i].handling.clone() {
            Handling::Redirect { to, reason } => {
                self.count("yönlendirildi");
                let cmd = ApplicationCommand::Redirect {
                    to: to.to_owned(),
                    reason: reason.to_owned(),
                };
                self.run(i, "yonlendir", &bureau, slot, cmd)?;
            }
            Handling::Route(_) => self.route(i, slot, "ilet")?,
        }
        Ok(())
    }

    /// Routes with the native router ([`Router`]): the unit and receiving officer, and the
    /// escalation chain decided with it; a redirect or a rejection by the router ends as a
    /// redirection.
    fn route(&mut self, i: usize, slot: usize, step: &str) -> Result<(), CliError> {
        let id = InstanceId::new(self.plans[i].tracking.clone());
        let app = self
            .engine
            .instance(&id)
            .and_then(|inst| inst.state.application.clone())
            .ok_or_else(|| CliError::Usage(format!("{id}: kayıtlı başvuru yok")))?;
        let router = Arc::clone(&self.router);
        let decision = router.route(&RouteRequest::from(&app))?;
        let org = router.org();
        let name = |u: &UnitId| {
            org.unit(u)
                .map_or_else(|| u.as_str().to_owned(), |x| x.name.clone())
        };
        let bureau = self.bureau.clone();
        let assignment = match &decision.target {
            Target::Route { unit, officer } => Assignment {
                unit: name(unit),
                officer: officer.as_str().to_owned(),
                escalation: decision.escalation.iter().map(name).collect(),
            },
            Target::Redirect { unit } => {
                self.count("yönlendirildi");
                let cmd = ApplicationCommand::Redirect {
                    to: name(unit),
                    reason: "Başvuru sahibinin talebi".into(),
                };
                self.run(i, "yonlendir", &bureau, slot, cmd)?;
                return Ok(());
            }
            Target::Reject { reason } => {
                self.count("yönlendirildi");
                let cmd = ApplicationCommand::Redirect {
                    to: "CİMER".into(),
                    reason: reason.clone(),
                };
                self.run(i, "yonlendir", &bureau, slot, cmd)?;
                return Ok(());
            }
        };
        self.assignments[i] = Some(assignment.clone());
        let bureau = self.bureau.clone();
        let status = self.run(
            i,
            step,
            &bureau,
            slot,
            ApplicationCommand::Route { assignment },
        )?;
        if status == "awaiting_approval" {
            self.count("vali onayına sunuldu");
            self.schedule(slot + 9, Action::Approve(i));
        } else {
            self.after_routing(i, slot);
        }
        Ok(())
    }

    fn after_routing(&mut self, i: usize, slot: usize) {
        let rerouted = self.stats_for(i);
        match (&self.plans[i].handling, rerouted) {
            (Handling::Route(Fate::Answer { after, .. }), _) => {
                self.schedule(slot + after, Action::Answer(i))
            }
            (Handling::Route(Fate::Return { after, .. }), false) => {
                self.schedule(slot + after, Action::Return(i))
            }
            (Handling::Route(Fate::Return { answer_after, .. }), true) => {
                self.schedule(slot + answer_after, Action::Answer(i))
            }
            _ => {}
        }
    }

    /// Whether the application was already returned once.
    fn stats_for(&self, i: usize) -> bool {
        let id = InstanceId::new(self.plans[i].tracking.clone());
        self.engine
            .instance(&id)
            .is_some_and(|inst| inst.state.returns > 0)
    }

    fn act(&mut self, slot: usize, action: Action) -> Result<(), CliError> {
        let bureau = self.bureau.clone();
        match action {
            Action::Approve(i) => {
                let vali = self.vali.clone();
                self.run(i, "onay", &vali, slot, ApplicationCommand::Approve)?;
                self.after_routing(i, slot);
            }
            Action::Answer(i) => {
                let outcome = match self.plans[i].handling {
                    Handling::Route(
                        Fate::Answer { outcome, .. } | Fate::Return { outcome, .. },
                    ) => outcome,
                    _ => Outcome::Positive,
                };
                let text = match outcome {
                    Outcome::Positive => "Talebiniz doğrultusunda gerekli işlem yapılmıştır.",
                    Outcome::Negative => "Talebiniz mevzuat gereği karşılanamamaktadır.",
                    Outcome::PartlyPositive => {
                        "Talebinizin bir kısmı karşılanmış, kalan kısmı programa alınmıştır."
                    }
                };
                let officer = self.officer(i);
                self.run(
                    i,
                    "cevap",
                    &officer,
                    slot,
                    ApplicationCommand::Answer {
                        outcome,
                        text: text.to_owned(),
                    },
                )?;
                self.schedule(slot + 1, Action::Close(i));
            }
            Action::Return(i) => {
                let officer = self.officer(i);
                self.run(
                    i,
                    "iade",
                    &officer,
                    slot,
                    ApplicationCommand::Return {
                        reason: "Kurumumuzun görev alanında değildir".into(),
                    },
                )?;
                self.count("iade edildi");
                self.schedule(slot + 1, Action::Reroute(i));
            }
            Action::Reroute(i) => {
                if matches!(
                    self.plans[i].handling,
                    Handling::Route(Fate::Return {
                        recategorise: true,
                        ..
                    })
                ) {
                    let mut rng = Rng::new(i as u64);
                    let category = self.synth.category(&mut rng).code.as_str().to_owned();
                    self.run(
                        i,
                        "yeniden-siniflandir",
                        &bureau,
                        slot,
                        ApplicationCommand::Recategorise { category },
                    )?;
                    self.count("yeniden sınıflandırıldı");
                }
                self.route(i, slot, "yeniden-ilet")?;
            }
            Action::Close(i) => {
                self.run(i, "kapat", &bureau, slot, ApplicationCommand::Close)?;
            }
        }
        Ok(())
    }
}

/// A notifier that prints the first `limit` SMS through [`ConsoleNotifier`] (numbers masked)
/// and counts every SMS by stage (from the idempotency key `<tracking>/<stage>/<version>`).
struct SampleConsole {
    console: ConsoleNotifier<Vec<u8>>,
    limit: usize,
    counts: Mutex<BTreeMap<String, u64>>,
}

impl SampleConsole {
    fn new(limit: usize) -> Self {
        SampleConsole {
            console: ConsoleNotifier::new(Vec::new()),
            limit,
            counts: Mutex::new(BTreeMap::new()),
        }
    }

    fn finish(self) -> (Vec<u8>, BTreeMap<String, u64>) {
        let counts = self.counts.into_inner().unwrap_or_else(|p| p.into_inner());
        (self.console.into_inner(), counts)
    }
}

impl Notifier for SampleConsole {
    fn send(&self, n: &Notification) -> acikkapi_core::Result<DeliveryReceipt> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let total: u64 = counts.values().sum();
        let stage = n.key.0.split('/').nth(1).unwrap_or("?").to_owned();
        *counts.entry(stage).or_default() += 1;
        if (total as usize) < self.limit {
            let masked = Notification {
                recipient: mask_phone(&n.recipient),
                ..n.clone()
            };
            return self.console.send(&masked);
        }
        Ok(DeliveryReceipt {
            provider_id: format!("demo-{total}"),
            segments: None,
        })
    }
}

fn mask_phone(p: &str) -> String {
    let n = p.chars().count();
    p.chars()
        .enumerate()
        .map(|(i, c)| if i < 5 || i + 2 >= n { c } else { '*' })
        .collect()
}

/// Runs the demo.
pub fn run(args: DemoArgs, io: &mut Io<'_>) -> CliResult {
    let started = Instant::now();
    let geo = Geography::embedded();
    let tax = Taxonomy::embedded();
    let province = geo.require_province(&args.province)?;
    let (year, slots) = month_slots(&args.month)?;
    if slots.is_empty() || args.count == 0 {
        return Err(CliError::Usage(
            "simüle edilecek iş saati veya başvuru yok".into(),
        ));
    }
    let (dir, temporary) = match &args.journal_dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("acikkapi-demo-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("basvuru.journal");
    if path.exists() {
        return Err(CliError::Usage(format!(
            "{} zaten var; boş bir klasör verin",
            path.display()
        )));
    }
    let options = FileJournalOptions {
        fsync: if args.fsync {
            FsyncPolicy::Group
        } else {
            FsyncPolicy::Never
        },
        ..FileJournalOptions::default()
    };
    let journal: Arc<dyn Journal> = Arc::new(FileJournal::open(&path, options)?);
    // SMS go through a durable outbox whose events are journaled next to the workflow journal.
    let sms_journal: Arc<dyn Journal> =
        Arc::new(FileJournal::open(dir.join("sms.journal"), options)?);
    let outbox = Arc::new(Mutex::new(DurableOutbox::open(
        sms_journal,
        RetryPolicy::default(),
    )?));
    let engine = Engine::open(
        ApplicationWorkflow::default(),
        journal.clone(),
        outbox.clone(),
        EngineOptions::default(),
    )?;
    let console = SampleConsole::new(args.sms_sample);

    let synth = Synth::new(province.plate, geo, tax);
    let mut rng = Rng::new(args.seed);
    let mut plans: Vec<_> = (0..args.count)
        .map(|n| {
            let slot = rng.below(slots.len());
            (slot, n)
        })
        .collect();
    plans.sort();
    let plans: Vec<_> = plans
        .into_iter()
        .enumerate()
        .map(|(n, (slot, _))| synth.application(&mut rng, n + 1, year, slot))
        .collect();
    let bureau_unit = format!("{} Valiliği Açık Kapı Bürosu", province.name);
    let mut sim = Sim {
        engine,
        synth,
        router: Router::shared(province.plate)?,
        assignments: vec![None; plans.len()],
        plans,
        slots,
        queue: BinaryHeap::new(),
        order: 0,
        stats: BTreeMap::new(),
        bureau: Actor::new(Role::Bureau, "buro-1", bureau_unit),
        vali: Actor::new(
            Role::Governor,
            "vali",
            format!("{} Valiliği", province.name),
        ),
    };

    let mut next_intake = 0;
    let mut fired: BTreeMap<String, u64> = BTreeMap::new();
    for slot in 0..sim.slots.len() {
        while next_intake < sim.plans.len() && sim.plans[next_intake].slot == slot {
            sim.intake(next_intake)?;
            next_intake += 1;
        }
        while let Some(Reverse((s, _, _))) = sim.queue.peek() {
            if *s > slot {
                break;
            }
            if let Some(Reverse((_, _, action))) = sim.queue.pop() {
                sim.act(slot, action)?;
            }
        }
        for f in sim.engine.tick(sim.slots[slot])? {
            let kind = f.key.split(':').next().unwrap_or_default().to_owned();
            *fired.entry(kind).or_default() += 1;
        }
        outbox
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .tick(sim.slots[slot], &console)?;
    }
    let elapsed = started.elapsed();

    let out = &mut *io.stdout;
    writeln!(
        out,
        "Açık Kapı demo: {}, {} ({} iş günü, {} mesai saati), tohum {}",
        province.name,
        args.month,
        sim.slots.len() / 9,
        format_tr(sim.slots.len() as i64),
        args.seed
    )?;
    writeln!(out, "Günlük: {}", path.display())?;
    let (sample, counts) = console.finish();
    writeln!(
        out,
        "\nSMS (ConsoleNotifier, ilk {} tanesi, numaralar maskeli):",
        args.sms_sample
    )?;
    out.write_all(&sample)?;
    let c = |k: &str| format_tr(counts.get(k).copied().unwrap_or(0) as i64);
    writeln!(
        out,
        "SMS toplam {} (kayıt {}, iletildi {}, cevap {})",
        format_tr(counts.values().sum::<u64>() as i64),
        c("registered"),
        c("routed"),
        c("answered")
    )?;
    let pending = outbox
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .outbox()
        .statuses()
        .filter(|m| m.state == DeliveryState::Pending)
        .count();
    writeln!(
        out,
        "Giden kutusu: {} SMS teslim bekliyor (sms.journal)",
        format_tr(pending as i64)
    )?;
    let f = |k: &str| format_tr(fired.get(k).copied().unwrap_or(0) as i64);
    writeln!(
        out,
        "\nZamanlayıcılar: {} hatırlatma, {} süresi geçti, {} üst makama bildirim",
        f("reminder"),
        f("overdue"),
        f("escalate")
    )?;
    let line: Vec<String> = sim
        .stats
        .iter()
        .map(|(k, v)| format!("{k} {}", format_tr(*v as i64)))
        .collect();
    writeln!(out, "Süreç: {}", line.join(", "))?;
    let counts: Vec<String> = sim
        .engine
        .counts()
        .into_iter()
        .map(|(k, v)| format!("{k} {}", format_tr(v as i64)))
        .collect();
    writeln!(out, "Durumlar: {}", counts.join(", "))?;

    // Recovery: a second engine from the journal alone must agree.
    let replay_start = Instant::now();
    let replayed = Engine::open(
        ApplicationWorkflow::default(),
        journal.clone(),
        NullSink,
        EngineOptions::default(),
    )?;
    let same = replayed.states() == sim.engine.states();
    writeln!(
        out,
        "Günlükten yeniden kurulum: {} olay, {} ms, durum {}",
        format_tr(replayed.last_seq() as i64),
        replay_start.elapsed().as_millis(),
        if same { "aynı" } else { "FARKLI" }
    )?;
    writeln!(
        out,
        "Süre: {} ms ({} olay)",
        elapsed.as_millis(),
        format_tr(sim.engine.last_seq() as i64)
    )?;
    // The analysts' report of the same month, as a self-contained HTML page.
    let records = records_from_engine(&sim.engine)?;
    let report = stats::report(&records, &ReportOptions::default());
    let html = args
        .html
        .clone()
        .unwrap_or_else(|| match &args.journal_dir {
            Some(d) => d.join("rapor.html"),
            None => PathBuf::from("acikkapi-demo-rapor.html"),
        });
    std::fs::write(&html, render(&report, None, Format::Html))
        .map_err(|e| CliError::Usage(format!("{}: yazılamadı: {e}", html.display())))?;
    writeln!(out, "HTML raporu: {}", html.display())?;
    writeln!(out, "\n{}", sim.engine.statistics())?;
    drop(replayed);
    drop(sim);
    drop(journal);
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(if same { 0 } else { 2 })
}
