//! `acikkapi demo`: a month of Açık Kapı applications for one province (Denizli by default), end to
//! end on the embedded defaults, through the simulation of `acikkapi_core::sim` (the one synthetic
//! intake of the project): Poisson arrivals with the model's weekday, seasonal and holiday shapes,
//! registration, native routing, business-day timers ticked every office hour, officers answering
//! from their queues, returning and running late, a file journal in a temporary folder, SMS
//! through the outbox to the console (a sample plus the counts), and the statistics block. At the
//! end the journal is replayed into a second engine and compared.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use acikkapi_core::calendar::Calendar;
use acikkapi_core::geo::Geography;
use acikkapi_core::journal::{FileJournal, FileJournalOptions, FsyncPolicy, Journal};
use acikkapi_core::notify::{
    ConsoleNotifier, DeliveryReceipt, DeliveryState, Notification, Notifier, RetryPolicy,
};
use acikkapi_core::routing::Router;
use acikkapi_core::sim::{self, Model, Policy, Scenario};
use acikkapi_core::stats::render::{Format, render};
use acikkapi_core::stats::{self, ReportOptions, records_from_engine};
use acikkapi_core::workflow::application::{ApplicationEvent, ApplicationWorkflow};
use acikkapi_core::workflow::ports::NullSink;
use acikkapi_core::workflow::{DurableOutbox, Engine, EngineOptions, format_tr};
use acikkapi_postgres::PgStore;
use chrono::{Datelike, NaiveDate};
use clap::Args;

use super::store::PgLocation;
use super::{CliError, CliResult, Io};

/// `acikkapi demo` options.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Province (name or plate).
    #[arg(long, default_value = "Denizli")]
    pub province: String,
    /// Month to simulate, YYYY-MM.
    #[arg(long, default_value = "2026-03")]
    pub month: String,
    /// Number of applications in the month (the model's Poisson process conditioned on this total).
    #[arg(long, default_value_t = 1500)]
    pub count: usize,
    /// Seed of the synthetic data.
    #[arg(long, default_value_t = 20)]
    pub seed: u64,
    /// How many SMS to print (the rest are counted).
    #[arg(long, default_value_t = 6)]
    pub sms_sample: usize,
    /// Keep the journal in this folder instead of a temporary one (removed at the end).
    #[arg(long, conflicts_with = "database")]
    pub journal_dir: Option<PathBuf>,
    /// Run on this PostgreSQL database (`postgres://…`) instead of journal files: the
    /// applications in the province's stream (its two-digit plate, `20`), the SMS outbox in
    /// `sms/<plate>`. Both must be empty; they are kept. The schema is migrated if needed.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Sync the journal to disk (group commit; on PostgreSQL, synchronous commits); default: no
    /// fsync (a demo, not a ledger).
    #[arg(long)]
    pub fsync: bool,
    /// Where to write the self-contained HTML report (statistics block and charts); default
    /// `rapor.html` in `--journal-dir` when given, else `acikkapi-demo-rapor.html` here.
    #[arg(long)]
    pub html: Option<PathBuf>,
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
            // The console notifier prints the number masked.
            return self.console.send(n);
        }
        Ok(DeliveryReceipt {
            provider_id: format!("demo-{total}"),
            segments: None,
        })
    }
}

/// The first day of a `YYYY-MM` month and its number of days.
fn month_range(month: &str) -> Result<(NaiveDate, u32), CliError> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| CliError::Usage(format!("ay YYYY-AA biçiminde olmalı: {month:?}")))?;
    let mut days = 0;
    let mut d = first;
    while d.month() == first.month() {
        days += 1;
        d = d
            .succ_opt()
            .ok_or_else(|| CliError::Usage(format!("geçersiz ay: {month}")))?;
    }
    Ok((first, days))
}

/// Counts of the events that tell the story (timers, returns, approvals…), over every history.
fn event_counts(engine: &Engine<ApplicationWorkflow>) -> BTreeMap<&'static str, u64> {
    let mut c = BTreeMap::new();
    for (_, inst) in engine.instances() {
        for env in &inst.history {
            let k = match env.event {
                ApplicationEvent::ReminderSent { .. } => "hatırlatma",
                ApplicationEvent::MarkedOverdue { .. } => "süresi geçti",
                ApplicationEvent::Escalated { .. } => "üst makama bildirim",
                ApplicationEvent::Returned { .. } => "iade edildi",
                ApplicationEvent::NotProcessed { .. } => "işleme alınmadı",
                ApplicationEvent::ApprovalRequested { .. } => "vali onayına sunuldu",
                ApplicationEvent::Recategorised { .. } => "yeniden sınıflandırıldı",
                ApplicationEvent::Redirected { .. } => "yönlendirildi",
                ApplicationEvent::DeadlineSet { .. } => "cevap süresi değişti",
                _ => continue,
            };
            *c.entry(k).or_default() += 1;
        }
    }
    c
}

/// Runs the demo.
pub fn run(args: DemoArgs, io: &mut Io<'_>) -> CliResult {
    let started = Instant::now();
    let province = Geography::embedded().require_province(&args.province)?;
    let (start, days) = month_range(&args.month)?;
    if args.count == 0 || province.population_2023 == 0 {
        return Err(CliError::Usage("simüle edilecek başvuru yok".into()));
    }
    let opened = match &args.database {
        Some(url) => pg_journals(url, province.plate.get(), args.fsync)?,
        None => file_journals(&args)?,
    };
    let (journal, sms_journal) = (opened.journal.clone(), opened.sms_journal.clone());
    let outbox = Arc::new(Mutex::new(DurableOutbox::open(
        sms_journal,
        RetryPolicy::default(),
    )?));
    let console = SampleConsole::new(args.sms_sample);

    // The rate that makes `count` the expected number of arrivals in the month.
    let mut scenario = Scenario::new(province.plate.get(), start, days, args.seed)?;
    scenario.per_100k_year = Some(
        args.count as f64 / f64::from(days) * 365.0 / f64::from(province.population_2023)
            * 100_000.0,
    );
    scenario.exact_count = Some(args.count as u64);
    let prepared = sim::prepare(&scenario, &Model::embedded()?)?;
    let router = Router::shared(province.plate)?;
    let policy = Policy::default();
    let mut slots = 0u64;
    let engine = sim::run_with(
        &prepared,
        &policy,
        router.as_ref(),
        journal.clone(),
        outbox.clone(),
        |now| {
            slots += 1;
            outbox
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .tick(now, &console)
                .map(|_| ())
        },
    )?;
    let elapsed = started.elapsed();

    let out = &mut *io.stdout;
    let business_days = (0..days)
        .filter_map(|i| start.checked_add_days(chrono::Days::new(u64::from(i))))
        .filter(|d| {
            Calendar::public_sector()
                .is_business_day(*d)
                .unwrap_or(false)
        })
        .count();
    writeln!(
        out,
        "Açık Kapı demo: {}, {} ({} iş günü, {} mesai saati), tohum {}, {} başvuru",
        province.name,
        args.month,
        business_days,
        format_tr(business_days as i64 * 9),
        args.seed,
        format_tr(prepared.arrivals.len() as i64)
    )?;
    writeln!(out, "Günlük: {}", opened.shown)?;
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
        "Giden kutusu: {} SMS teslim bekliyor ({})",
        format_tr(pending as i64),
        opened.sms_shown
    )?;
    let events = event_counts(&engine);
    let e = |k: &str| format_tr(events.get(k).copied().unwrap_or(0) as i64);
    writeln!(
        out,
        "\nZamanlayıcılar: {} hatırlatma, {} süresi geçti, {} üst makama bildirim",
        e("hatırlatma"),
        e("süresi geçti"),
        e("üst makama bildirim")
    )?;
    let line: Vec<String> = [
        "iade edildi",
        "işleme alınmadı",
        "vali onayına sunuldu",
        "yeniden sınıflandırıldı",
        "yönlendirildi",
        "cevap süresi değişti",
    ]
    .iter()
    .map(|k| format!("{k} {}", e(k)))
    .collect();
    writeln!(out, "Süreç: {}", line.join(", "))?;
    let states: Vec<String> = engine
        .counts()
        .into_iter()
        .map(|(k, v)| format!("{k} {}", format_tr(v as i64)))
        .collect();
    writeln!(out, "Durumlar: {}", states.join(", "))?;

    // Recovery: a second engine from the journal alone must agree.
    let replay_start = Instant::now();
    let replayed = Engine::open(
        ApplicationWorkflow::with_config(policy.workflow_config()),
        journal.clone(),
        NullSink,
        EngineOptions::default(),
    )?;
    let same = replayed.states() == engine.states();
    writeln!(
        out,
        "Günlükten yeniden kurulum: {} olay, {} ms, durum {}",
        format_tr(replayed.last_seq() as i64),
        replay_start.elapsed().as_millis(),
        if same { "aynı" } else { "FARKLI" }
    )?;
    writeln!(
        out,
        "Süre: {} ms ({} olay, {} zaman dilimi)",
        elapsed.as_millis(),
        format_tr(engine.last_seq() as i64),
        format_tr(slots as i64)
    )?;
    // The analysts' report of the same month, as a self-contained HTML page.
    let records = records_from_engine(&engine)?;
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
    writeln!(
        out,
        "Süresi geçmiş bekleyen: {}",
        stats::format::format_int_tr(engine.overdue_pending())
    )?;
    writeln!(out, "\n{}", engine.statistics())?;
    drop(replayed);
    drop(engine);
    drop(journal);
    drop(outbox);
    opened.finish();
    Ok(if same { 0 } else { 2 })
}

/// The demo's two journals: the applications and the SMS outbox's.
struct DemoJournals {
    journal: Arc<dyn Journal>,
    sms_journal: Arc<dyn Journal>,
    /// Where the application journal is, as shown.
    shown: String,
    /// Where the outbox's journal is, as shown (short).
    sms_shown: String,
    /// A temporary folder to remove at the end.
    temporary: Option<PathBuf>,
}

impl DemoJournals {
    /// Closes the journals and removes the temporary folder, if any.
    fn finish(self) {
        let temporary = self.temporary.clone();
        drop(self);
        if let Some(dir) = temporary {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// File journals in `--journal-dir` (or a temporary folder): `basvuru.journal`, `sms.journal`.
fn file_journals(args: &DemoArgs) -> Result<DemoJournals, CliError> {
    let (dir, temporary) = match &args.journal_dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("acikkapi-demo-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("basvuru.journal");
    let sms_path = dir.join("sms.journal");
    // A journal left by an earlier run is never reused: a leftover SMS outbox holds the same
    // idempotency keys (`<tracking>/<stage>/<version>`) this run makes, so every SMS would count
    // as already sent and none would go out.
    for (existing, why) in [
        (&path, ""),
        (
            &sms_path,
            " (önceki bir çalıştırmanın SMS giden kutusu: aynı anahtarlı SMS'ler gönderilmiş \
             sayılır, bu çalıştırmanın hiçbir SMS'i gönderilmezdi)",
        ),
    ] {
        if existing.exists() {
            return Err(CliError::Usage(format!(
                "{} zaten var{why}; boş bir klasör verin",
                existing.display()
            )));
        }
    }
    let options = FileJournalOptions {
        fsync: if args.fsync {
            FsyncPolicy::Group
        } else {
            FsyncPolicy::Never
        },
        ..FileJournalOptions::default()
    };
    Ok(DemoJournals {
        journal: Arc::new(FileJournal::open(&path, options)?),
        // SMS go through a durable outbox whose events are journaled next to the workflow journal.
        sms_journal: Arc::new(FileJournal::open(&sms_path, options)?),
        shown: path.display().to_string(),
        sms_shown: "sms.journal".into(),
        temporary: temporary.then_some(dir),
    })
}

/// The demo on a PostgreSQL database: both journals must be empty (as in a fresh folder, for the
/// same reason: a leftover outbox would swallow this run's SMS).
/// Without `fsync`, the sessions commit asynchronously (`synchronous_commit = off`, as the file
/// demo does not fsync: a commit is still all or nothing, but the server may lose the last
/// moments of a month it acknowledged if it crashes), unless the URL sets its own `options`.
fn pg_journals(url: &str, plate: u8, fsync: bool) -> Result<DemoJournals, CliError> {
    let pg = PgLocation::parse(url)?;
    let has_options = url
        .split_once('?')
        .is_some_and(|(_, q)| q.split('&').any(|p| p.starts_with("options=")));
    let pg = if fsync || has_options {
        pg
    } else {
        // The store sets the statement and lock timeouts only when the URL has no options.
        let ms = acikkapi_postgres::PgOptions::default()
            .statement_timeout
            .as_millis();
        let sep = if url.contains('?') { '&' } else { '?' };
        PgLocation::parse(&format!(
            "{url}{sep}options=-c%20synchronous_commit%3Doff%20-c%20statement_timeout%3D{ms}%20-c%20lock_timeout%3D{ms}"
        ))?
    };
    if pg.stream.is_some() {
        return Err(CliError::Usage(
            "demo --database: the demo chooses its streams (the province's plate and sms/<plate>); give the URL without ?stream=".into(),
        ));
    }
    let store = pg.connect_for_writing()?;
    let ProvinceJournals {
        journal,
        sms_journal,
        stream,
    } = open_pg_province(&store, plate)?;
    for (j, name) in [
        (&journal, stream.clone()),
        (&sms_journal, format!("sms/{stream}")),
    ] {
        if j.last_seq().0 > 0 || !matches!(j.read_snapshot(), Ok(None)) {
            return Err(CliError::Usage(format!(
                "{}: akış boş değil (önceki bir çalıştırmanın kayıtları); boş bir veritabanı verin",
                pg.shown(Some(&name))
            )));
        }
    }
    Ok(DemoJournals {
        journal,
        sms_journal,
        shown: pg.shown(Some(&stream)),
        sms_shown: format!("akış sms/{stream}"),
        temporary: None,
    })
}

/// **The seam** between the demo and the PostgreSQL store: the journals one province's service
/// runs on — its applications in stream `PLATE` (two digits, `"20"`, the stream naming of the
/// multi-province constructor that acikkapi-postgres is getting) and its SMS outbox's events in
/// `sms/PLATE` (a [`DurableOutbox`] on a stream, until the outbox table lands). When the store
/// opens the whole service itself (one stream per province, the outbox in its table), this is the
/// one function to replace; the rest of the demo only sees two `Arc<dyn Journal>`.
fn open_pg_province(store: &PgStore, plate: u8) -> Result<ProvinceJournals, CliError> {
    let stream = format!("{plate:02}");
    Ok(ProvinceJournals {
        journal: Arc::new(store.journal(&stream)?),
        sms_journal: Arc::new(store.journal(&format!("sms/{stream}"))?),
        stream,
    })
}

/// What [`open_pg_province`] opens.
struct ProvinceJournals {
    /// The applications.
    journal: Arc<dyn Journal>,
    /// The SMS outbox's events.
    sms_journal: Arc<dyn Journal>,
    /// The applications' stream.
    stream: String,
}
