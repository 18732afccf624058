//! The service's own decisions: numbering from durable state, idempotent ids, decisions turned
//! into commands (route, redirect, reject to CİMER, a returned application taken back first).

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::journal::{FileJournal, FileJournalOptions};
use crate::org::{Role, UnitId};
use crate::routing::Target;
use crate::workflow::ports::local_time;

fn t0() -> DateTime<Utc> {
    local_time(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), 10, 0)
}

fn clerk() -> Actor {
    Actor::clerk("b1", UnitId::parse("20.ACIK_KAPI").unwrap())
}

fn sample() -> ApplicationInput {
    serde_json::from_str(crate::samples::ALL[0].1).unwrap()
}

/// The native decision with its target replaced.
struct Forced(Target);

impl ApplicationRouter for Forced {
    fn route_application(&self, app: &Application, importance: u8) -> Result<Decision> {
        let native = Router::shared(app.location.province)?;
        let mut d = native.route_application(app, importance)?;
        d.target = self.0.clone();
        Ok(d)
    }

    fn unit_name(&self, unit: &UnitId) -> String {
        Router::shared(ProvincePlate::new(20).unwrap())
            .map(|r| r.unit_name(unit))
            .unwrap_or_default()
    }
}

#[test]
fn numbers_continue_from_the_journal_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("acikkapi-service-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("j.journal");
    let _ = std::fs::remove_file(&path);
    let open = || {
        Applications::open(
            ApplicationWorkflow::default(),
            Arc::new(FileJournal::open(&path, FileJournalOptions::default()).unwrap()),
            MemorySink::new(),
            EngineOptions::default(),
        )
        .unwrap()
    };
    let first: Vec<u32> = {
        let s = open();
        (0..3)
            .map(|_| {
                s.submit(&clerk(), sample(), t0(), None)
                    .unwrap()
                    .tracking
                    .sequence()
            })
            .collect()
    };
    assert_eq!(first, [1, 2, 3]);
    let s = open();
    let next = s.submit(&clerk(), sample(), t0(), None).unwrap().tracking;
    assert_eq!(
        (next.plate().get(), next.year(), next.sequence()),
        (20, 2026, 4)
    );
    drop(s);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_repeated_command_id_returns_the_first_result() {
    let s = Applications::in_memory().unwrap();
    let id = Some(CommandId::new("web-1"));
    let a = s.submit(&clerk(), sample(), t0(), id.clone()).unwrap();
    let b = s.submit(&clerk(), sample(), t0(), id).unwrap();
    assert_eq!(a, b);
    assert_eq!(s.with_engine(Engine::len), 1);
    let t = a.tracking.to_string();
    let r1 = s
        .route(&clerk(), &t, 0, t0(), Some(CommandId::new("r")))
        .unwrap();
    let r2 = s
        .route(&clerk(), &t, 0, t0(), Some(CommandId::new("r")))
        .unwrap();
    assert!(!r1.repeated && r2.repeated && r1.version == r2.version);
}

#[test]
fn the_clerks_province_numbers_the_application() {
    let s = Applications::in_memory().unwrap();
    // An İstanbul clerk receives a Denizli form: the number is İstanbul's (the receiving bureau).
    let istanbul = Actor::clerk("b", UnitId::parse("34.ACIK_KAPI").unwrap());
    let t = s.receive(&istanbul, sample(), t0(), None).unwrap();
    assert_eq!(t.plate().get(), 34);
    // No unit, no number.
    assert!(matches!(
        s.receive(&Actor::analyst("a"), sample(), t0(), None),
        Err(Error::Forbidden { .. })
    ));
}

#[test]
fn decisions_become_route_redirect_or_cimer() {
    let s = Applications::in_memory().unwrap();
    let c = clerk();
    let routed = s
        .submit(&c, sample(), t0(), None)
        .unwrap()
        .tracking
        .to_string();
    assert_eq!(
        s.route(&c, &routed, 0, t0(), None).unwrap().status,
        "routed"
    );
    let a = s.view(&c, &routed, t0()).unwrap().state.assignment.unwrap();
    assert_eq!(a.officer.unit(), a.unit);

    let rejected = s
        .submit(&c, sample(), t0(), None)
        .unwrap()
        .tracking
        .to_string();
    let reject = Forced(Target::Reject {
        reason: "Bakanlık merkez teşkilatının konusu".into(),
    });
    assert_eq!(
        s.route_with(&c, &rejected, &reject, 0, t0(), None)
            .unwrap()
            .status,
        "redirected"
    );
    let st = s.view(&c, &rejected, t0()).unwrap().state;
    assert_eq!(st.redirected_to.as_deref(), Some(REJECTED_TO));

    let redirected = s
        .submit(&c, sample(), t0(), None)
        .unwrap()
        .tracking
        .to_string();
    let to = Forced(Target::Redirect {
        unit: UnitId::parse("20.SGK").unwrap(),
    });
    s.route_with(&c, &redirected, &to, 0, t0(), None).unwrap();
    let st = s.view(&c, &redirected, t0()).unwrap().state;
    assert_eq!(
        st.redirected_to.as_deref(),
        Some("Denizli Sosyal Güvenlik İl Müdürlüğü")
    );

    // A returned application that a rule now redirects is first taken back (recategorised).
    let officer = Actor::officer(a.officer.clone(), Role::Yetkili);
    let later = s
        .submit(&c, sample(), t0(), None)
        .unwrap()
        .tracking
        .to_string();
    s.route(&c, &later, 0, t0(), None).unwrap();
    s.return_not_ours(&officer, &later, "Bizim değil", t0(), None)
        .unwrap();
    assert_eq!(
        s.route_with(&c, &later, &to, 0, t0(), None).unwrap().status,
        "redirected"
    );
    let history = s.with_engine(|e| {
        e.instance(&InstanceId::new(later.clone()))
            .unwrap()
            .history
            .iter()
            .map(|env| env.command.to_string())
            .collect::<Vec<_>>()
    });
    assert!(
        history.iter().any(|c| c.ends_with(":geri-al")),
        "{history:?}"
    );
    assert!(s.route(&c, &later, 9, t0(), None).is_err());
}

#[test]
fn a_repeated_command_id_tells_nothing_to_whom_may_not_run_it() {
    let s = Applications::in_memory().unwrap();
    let c = clerk();
    let sub = s
        .submit(&c, sample(), t0(), Some(CommandId::new("web-7")))
        .unwrap();
    let t = sub.tracking.to_string();
    let cid = Some(CommandId::new("ilet-1"));
    s.route(&c, &t, 0, t0(), cid.clone()).unwrap();
    let analyst = Actor::analyst("a");
    let other = Actor::clerk("b", UnitId::parse("20.MERKEZEFENDI.ACIK_KAPI").unwrap());
    for who in [&analyst, &other] {
        assert!(matches!(
            s.route(who, &t, 0, t0(), cid.clone()),
            Err(Error::Forbidden { .. })
        ));
        assert!(matches!(
            s.close(who, &t, t0(), Some(CommandId::new(format!("{t}:4:kapat")))),
            Err(Error::Forbidden { .. })
        ));
    }
    // The number of a repeated submit only to a bureau that may receive it.
    assert!(matches!(
        s.receive(&analyst, sample(), t0(), Some(CommandId::new("web-7"))),
        Err(Error::Forbidden { .. })
    ));
    assert_eq!(
        s.receive(&c, sample(), t0(), Some(CommandId::new("web-7")))
            .unwrap(),
        sub.tracking
    );
}

#[test]
fn the_public_view_shows_no_applicant_and_no_confidential_application() {
    let s = Applications::in_memory().unwrap();
    let c = clerk();
    let open = s
        .submit(&c, sample(), t0(), None)
        .unwrap()
        .tracking
        .to_string();
    let mut secret_input = sample();
    secret_input.confidential = Some(true);
    let secret = s
        .submit(&c, secret_input, t0(), None)
        .unwrap()
        .tracking
        .to_string();
    let mut bad_input = sample();
    bad_input.tckn = Some("123".into());
    let bad = s.submit(&c, bad_input, t0(), None).unwrap();
    assert_eq!(bad.status, "not_processed");

    let registered = s.public_request(&open).unwrap();
    assert_eq!(registered.status, Status::Registered);
    assert_eq!(registered.agency, None);
    assert!(registered.notice.as_deref().unwrap().contains(&open));

    s.route(&c, &open, 0, t0(), None).unwrap();
    let a = s.view(&c, &open, t0()).unwrap().state.assignment.unwrap();
    let officer = Actor::officer(a.officer.clone(), Role::Yetkili);
    let routed = s.public_request(&open).unwrap();
    assert_eq!(routed.agency.as_deref(), Some(a.unit_name.as_str()));
    assert!(routed.deadline.is_some());
    assert!(routed.notice.as_deref().unwrap().contains(&a.unit_name));
    s.answer(
        &officer,
        &open,
        Outcome::PartlyPositive,
        "Çöpler toplandı.",
        t0(),
        None,
    )
    .unwrap();
    let answered = s.public_request(&open).unwrap();
    assert_eq!(answered.answer.as_deref(), Some("Çöpler toplandı."));
    assert_eq!(answered.outcome, Some(Outcome::PartlyPositive));
    assert!(!public::is_open(answered.status));

    // The confidential and the not processed ones are unknown, as a number that does not exist.
    for t in [
        secret.as_str(),
        &bad.tracking.to_string(),
        "AK-20-2026-0009999-1",
    ] {
        assert!(matches!(
            s.public_request(t),
            Err(Error::UnknownInstance(_))
        ));
    }
    let all = s.public_requests(&PublicQuery::default());
    assert_eq!(
        all.iter().map(|p| p.tracking.as_str()).collect::<Vec<_>>(),
        [open.as_str()]
    );
    let text = serde_json::to_string(&all).unwrap();
    for personal in [
        "10000000146",
        "Ayşe",
        "Yılmaz",
        "0532",
        "000 00 01",
        "1984",
        "çöpler bir haftadır",
    ] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    // Filters.
    let q = |f: PublicQuery| s.public_requests(&f).len();
    assert_eq!(
        q(PublicQuery {
            open: Some(true),
            ..Default::default()
        }),
        0
    );
    assert_eq!(
        q(PublicQuery {
            open: Some(false),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        q(PublicQuery {
            categories: vec!["SAGLIK.DIGER".into()],
            ..Default::default()
        }),
        0
    );
    assert_eq!(
        q(PublicQuery {
            from: Some(t0() + chrono::TimeDelta::days(1)),
            ..Default::default()
        }),
        0
    );
    assert_eq!(
        q(PublicQuery {
            tracking: vec![open.clone()],
            limit: 1,
            ..Default::default()
        }),
        1
    );
}
