//! Shared by the benchmarks that take applications through the workflow or append events.
// Each bench uses its own part of this module.
#![allow(dead_code)]

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use acikkapi::core::application::{ApplicationInput, TextOrNumber};
use acikkapi::core::geo::ProvincePlate;
use acikkapi::core::journal::Journal;
use acikkapi::core::service::Applications;
use acikkapi::core::workflow::application::ApplicationWorkflow;
use acikkapi::core::workflow::ports::{NullSink, local_time};
use acikkapi::core::workflow::{Actor, EngineOptions};
use chrono::{DateTime, NaiveDate, Utc};

/// Receive, register, route: the durable commands of one [`Workload::application`].
pub const COMMANDS_PER_APPLICATION: u64 = 3;

/// A ~200-byte JSON event like the workflow writes.
pub fn event(i: u64) -> Vec<u8> {
    let e = format!(
        r#"{{"type":"routed","application":"2026-{i:06}","at":"2026-11-23T09:00:00Z","from":"20.00.VALILIK","to":"20.12.SAGLIK","officer":"Ayşe Yılmaz","note":"İl Sağlık Müdürlüğüne iletildi"}}"#
    );
    e.into_bytes()
}

/// The submit + route workload: the application service on a journal, Denizli's Açık Kapı
/// bureau as the clerk.
pub struct Workload {
    /// The service under test.
    pub service: Applications,
    bureau: Actor,
    now: DateTime<Utc>,
}

impl Workload {
    /// The service on `journal` (opened with the default workflow and options).
    pub fn open(journal: Arc<dyn Journal>) -> Workload {
        let service = Applications::open(
            ApplicationWorkflow::default(),
            journal,
            NullSink,
            EngineOptions::default(),
        )
        .unwrap();
        Workload {
            service,
            bureau: Actor::bureau_of(ProvincePlate::new(20).unwrap()).unwrap(),
            now: local_time(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 9, 0),
        }
    }

    /// One application through submit (receive + register) and route: three durable commands.
    pub fn application(&self, i: u64) {
        let submitted = self
            .service
            .submit(&self.bureau, input(i), self.now, None)
            .unwrap();
        assert_eq!(submitted.status, "registered");
        let out = self
            .service
            .route(
                &self.bureau,
                &submitted.tracking.to_string(),
                0,
                self.now,
                None,
            )
            .unwrap();
        assert!(!out.repeated);
    }

    /// `submitters` threads, each taking `per_thread` applications through; the wall time.
    pub fn run(&self, submitters: usize, per_thread: u64) -> Duration {
        let barrier = Barrier::new(submitters + 1);
        std::thread::scope(|s| {
            for t in 0..submitters {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    for i in 0..per_thread {
                        self.application(t as u64 * 1_000_000 + i);
                    }
                });
            }
            barrier.wait();
            let start = Instant::now();
            // The scope joins the submitters before returning.
            start
        })
        .elapsed()
    }
}

/// A valid submission (Denizli, Pamukkale, YEREL.DIGER); `i` varies the phone number.
pub fn input(i: u64) -> ApplicationInput {
    ApplicationInput {
        tckn: Some("10000000146".into()),
        name: Some("Ayşe".into()),
        surname: Some("Yılmaz".into()),
        mother_maiden_initials: Some("KA".into()),
        phone: Some(format!(
            "0532 {:03} {:02} {:02}",
            i % 1000,
            i % 100,
            (i / 100) % 100
        )),
        birth_year: Some(TextOrNumber::Number(1980)),
        gender: Some("kadın".into()),
        kind: Some("şikayet".into()),
        channel: Some("e-Devlet".into()),
        subject: Some(
            "Mahallemizde üç gündür çöpler toplanmıyor, gereğinin yapılmasını rica ederim.".into(),
        ),
        category: Some("YEREL.DIGER".into()),
        province: Some(TextOrNumber::Number(20)),
        district: Some("Pamukkale".into()),
        ..ApplicationInput::default()
    }
}
