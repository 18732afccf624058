//! The permission matrix, cell by cell, against the Authorizer and against real calls of the
//! application service; and a property test: no random sequence of commands and reads by random
//! actors lets an actor read or change an application outside the matrix.
//!
//! The matrix is `authz::MATRIX` (the policy itself, as data); every (relation, operation,
//! confidential) cell is exercised here: the actor of that relation is built for a real application
//! in the state the operation needs, the Authorizer must place the actor in that relation, and the
//! service call must succeed exactly when the matrix allows it (a refusal is `Error::Forbidden`).

use std::sync::Arc;

use acikkapi_core::Error;
use acikkapi_core::application::ApplicationInput;
use acikkapi_core::geo::{Geography, ProvincePlate};
use acikkapi_core::ids::TrackingNumber;
use acikkapi_core::journal::MemoryJournal;
use acikkapi_core::org::{DateRange, OfficerId, OrgFile, Organisation, Role, UnitId};
use acikkapi_core::service::{Applications, Query};
use acikkapi_core::taxonomy::Taxonomy;
use acikkapi_core::workflow::application::authz::{
    Authorizer, MATRIX, Operation, Relation, Subject, allowed,
};
use acikkapi_core::workflow::application::{ApplicationState, ApplicationWorkflow, Outcome};
use acikkapi_core::workflow::ports::{MemorySink, local_time};
use acikkapi_core::workflow::{Actor, CitizenProof, EngineOptions, GovernorPost, InstanceId};
use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    local_time(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), 10, 0)
}

/// When the matrix's operations run: the yetkili officers are away from the 24th.
fn t1() -> DateTime<Utc> {
    local_time(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), 10, 0)
}

/// Denizli's organisation with every yetkili, kaymakam and vali yardımcısı (the officers
/// applications are routed to) away from 24 November to the end of the year (they were present
/// when the applications were routed on the 23rd).
fn denizli_with_absences() -> Arc<Organisation> {
    let (name, text) = Organisation::embedded_file(ProvincePlate::new(20).unwrap()).unwrap();
    let mut file: OrgFile = toml::from_str(text).unwrap();
    for u in &mut file.unit {
        for o in &mut u.officer {
            if matches!(
                o.role,
                Role::Yetkili | Role::Kaymakam | Role::ValiYardimcisi
            ) {
                o.unavailable.push(DateRange {
                    from: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
                    to: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                });
            }
        }
    }
    Arc::new(
        Organisation::from_file(file, name, Taxonomy::embedded(), Geography::embedded()).unwrap(),
    )
}

fn authorizer() -> Authorizer {
    let denizli = denizli_with_absences();
    Authorizer::with_organisations(Arc::new(move |p: ProvincePlate| {
        if p.get() == 20 {
            Some(Arc::clone(&denizli))
        } else {
            Organisation::for_province(p).ok()
        }
    }))
}

fn service(authz: &Authorizer) -> Applications {
    Applications::open(
        ApplicationWorkflow {
            authorizer: authz.clone(),
            ..ApplicationWorkflow::default()
        },
        Arc::new(MemoryJournal::new()),
        MemorySink::new(),
        EngineOptions::default(),
    )
    .unwrap()
}

fn input(special: bool, confidential: bool) -> ApplicationInput {
    let json = acikkapi_core::samples::ALL[if special { 3 } else { 0 }].1;
    let mut input: ApplicationInput = serde_json::from_str(json).unwrap();
    input.confidential = Some(confidential);
    input
}

fn unit(s: &str) -> UnitId {
    UnitId::parse(s).unwrap()
}

fn officer_id(s: &str) -> OfficerId {
    OfficerId::parse(s).unwrap()
}

fn clerk() -> Actor {
    Actor::clerk("b1", unit("20.ACIK_KAPI"))
}

/// The state an operation needs, made by the right actors at `t0`.
fn prepare(svc: &Applications, op: Operation, confidential: bool) -> Option<TrackingNumber> {
    let c = clerk();
    let special = matches!(op, Operation::Approve | Operation::SendBack);
    match op {
        Operation::Receive | Operation::Statistics | Operation::Tick => None,
        Operation::Register => Some(
            svc.receive(&c, input(false, confidential), t0(), None)
                .unwrap(),
        ),
        _ => {
            let t = svc
                .submit(&c, input(special, confidential), t0(), None)
                .unwrap()
                .tracking;
            let id = t.to_string();
            if matches!(
                op,
                Operation::Route | Operation::Redirect | Operation::Recategorise
            ) {
                return Some(t);
            }
            svc.route(&c, &id, 0, t0(), None).unwrap();
            if op == Operation::Close {
                let a = assigned(svc, &id).unwrap();
                let officer = Actor::officer(a, Role::Yetkili);
                svc.answer(&officer, &id, Outcome::Positive, "Yapıldı.", t0(), None)
                    .unwrap();
            }
            Some(t)
        }
    }
}

fn state(svc: &Applications, id: &str) -> Option<ApplicationState> {
    svc.with_engine(|e| e.instance(&InstanceId::new(id)).map(|i| i.state.clone()))
}

fn assigned(svc: &Applications, id: &str) -> Option<OfficerId> {
    let s = state(svc, id)?;
    s.assignment.or(s.pending).map(|a| a.officer)
}

/// An actor of `relation` for the application `tracking` (if any) in its current state, and
/// whether the state has such an actor at all (no assigned officer before routing, no head in a
/// kaymakamlık…; then a stand-in of another row).
fn actor_for(
    svc: &Applications,
    relation: Relation,
    tracking: Option<&TrackingNumber>,
) -> (Actor, bool) {
    let id = tracking.map(ToString::to_string);
    let s = id.as_deref().and_then(|id| state(svc, id));
    let a = s
        .as_ref()
        .and_then(|s| s.assignment.clone().or(s.pending.clone()));
    let denizli = denizli_with_absences();
    let of_unit = |role: Role| {
        a.as_ref().and_then(|a| {
            denizli
                .unit(&a.unit)?
                .first_with(role)
                .map(|o| Actor::officer(o.id.clone(), role))
        })
    };
    let any_tracking =
        || TrackingNumber::new(ProvincePlate::new(20).unwrap(), 2026, 999_999).unwrap();
    let standin = |o: Option<Actor>, id: &str, role: Role| match o {
        Some(a) => (a, true),
        None => (Actor::officer(officer_id(id), role), false),
    };
    let exists = tracking.is_some() || !needs_application(relation);
    let actor = match relation {
        Relation::CitizenOwn | Relation::CitizenOther => {
            let digits = s
                .as_ref()
                .and_then(|s| s.input.phone.clone())
                .map(|p| {
                    let d: String = p.chars().filter(char::is_ascii_digit).collect();
                    d[d.len() - 4..].to_owned()
                })
                .unwrap_or_else(|| "0001".into());
            let digits = if relation == Relation::CitizenOwn {
                digits
            } else {
                "9999".into()
            };
            Actor::citizen(
                tracking.copied().unwrap_or_else(any_tracking),
                CitizenProof::PhoneLastFour(digits),
            )
        }
        Relation::ClerkOwn => clerk(),
        Relation::ClerkOther => match tracking {
            Some(_) => Actor::clerk("b2", unit("20.MERKEZEFENDI.ACIK_KAPI")),
            // Receiving: a clerk of a unit that is no Açık Kapı unit.
            None => Actor::clerk("b2", unit("20.SGK")),
        },
        Relation::OfficerAssigned => {
            return standin(
                a.as_ref()
                    .map(|a| Actor::officer(a.officer.clone(), Role::Yetkili)),
                "20.MEB.YETKILI",
                Role::Yetkili,
            );
        }
        Relation::OfficerSubstitute => {
            return standin(of_unit(Role::Yedek), "20.MEB.YEDEK", Role::Yedek);
        }
        Relation::OfficerSameUnit => {
            return standin(of_unit(Role::Head), "20.MEB.HEAD", Role::Head);
        }
        Relation::OfficerOther => {
            let other = if a.as_ref().is_some_and(|a| a.unit.as_str() == "20.SGK") {
                "20.EMNIYET.YETKILI"
            } else {
                "20.SGK.YETKILI"
            };
            Actor::officer(officer_id(other), Role::Yetkili)
        }
        Relation::GovernorChain => {
            Actor::governor(GovernorPost::Vali, officer_id("20.VALILIK.VALI"))
        }
        Relation::GovernorProvince => {
            // A kaymakam whose kaymakamlık is not on the application's chain.
            let chain: Vec<UnitId> = a
                .iter()
                .flat_map(|a| std::iter::once(a.unit.clone()).chain(a.escalation.clone()))
                .collect();
            let k = ["20.ACIPAYAM.KAYMAKAMLIK", "20.BABADAG.KAYMAKAMLIK"]
                .into_iter()
                .find(|k| !chain.contains(&unit(k)))
                .unwrap();
            Actor::governor(GovernorPost::Kaymakam, officer_id(&format!("{k}.KAYMAKAM")))
        }
        Relation::GovernorOther => {
            Actor::governor(GovernorPost::Vali, officer_id("34.VALILIK.VALI"))
        }
        Relation::Analyst => Actor::analyst("a1"),
        Relation::System => Actor::system(),
        Relation::Strategy => Actor::Strategy { id: "sgb".into() },
        Relation::Recorded => Actor::Recorded {
            role: "bureau".into(),
            id: "buro-1".into(),
            unit: "Denizli Valiliği Açık Kapı Bürosu".into(),
        },
    };
    (actor, exists)
}

/// Runs `op` as `actor` on `tracking` through the service; `Ok` if the service did it.
fn call(
    svc: &Applications,
    actor: &Actor,
    op: Operation,
    tracking: Option<&TrackingNumber>,
    confidential: bool,
    now: DateTime<Utc>,
) -> acikkapi_core::Result<()> {
    let id = tracking.map(ToString::to_string).unwrap_or_default();
    let id = id.as_str();
    match op {
        Operation::Receive => svc
            .receive(actor, input(false, confidential), now, None)
            .map(drop),
        Operation::Register => svc.register(actor, id, now, None).map(drop),
        Operation::Route => svc.route(actor, id, 0, now, None).map(drop),
        Operation::Redirect => svc
            .redirect(actor, id, "CİMER", "Bakanlık konusu", now, None)
            .map(drop),
        Operation::Approve => svc.approve(actor, id, now, None).map(drop),
        Operation::SendBack => svc
            .send_back(actor, id, "Yeniden değerlendirilsin", now, None)
            .map(drop),
        Operation::Return => svc
            .return_not_ours(actor, id, "Bizim değil", now, None)
            .map(drop),
        Operation::Recategorise => svc
            .recategorise(actor, id, "SAGLIK.DIGER", now, None)
            .map(drop),
        Operation::Answer => svc
            .answer(actor, id, Outcome::Negative, "Karşılanamadı.", now, None)
            .map(drop),
        Operation::Close => svc.close(actor, id, now, None).map(drop),
        Operation::AddNote => svc.add_note(actor, id, "not", now, None).map(drop),
        Operation::Read => svc.view(actor, id, now).map(drop),
        Operation::Track => svc.track(actor, id, now).map(drop),
        Operation::Statistics => svc.statistics(actor, now).map(drop),
        Operation::Tick => svc.tick(actor, now).map(drop),
    }
}

/// Relations that exist only towards an existing application (for a new one or for all
/// applications they fall back to the "other" row).
fn needs_application(r: Relation) -> bool {
    matches!(
        r,
        Relation::CitizenOwn
            | Relation::OfficerAssigned
            | Relation::OfficerSubstitute
            | Relation::OfficerSameUnit
            | Relation::GovernorChain
            | Relation::GovernorProvince
    )
}

#[test]
fn every_cell_of_the_matrix_holds_for_the_authorizer_and_the_service() {
    let authz = authorizer();
    let mut checked = 0;
    for confidential in [false, true] {
        for op in Operation::ALL {
            for relation in Relation::ALL {
                let svc = service(&authz);
                let tracking = prepare(&svc, op, confidential);
                let (actor, exists) = actor_for(&svc, relation, tracking.as_ref());
                let id = tracking.as_ref().map(|t| InstanceId::new(t.to_string()));
                let s = id.as_ref().and_then(|i| state(&svc, i.as_str()));
                let subject = match (&id, &s) {
                    (Some(i), Some(s)) => Subject::Existing(i, s),
                    _ => Subject::All,
                };
                let actual = authz.relation(&actor, subject, t1());
                let cell = format!("{relation:?} × {op:?} × confidential={confidential}");
                if exists {
                    assert_eq!(actual, relation, "{cell}: actor in the wrong row");
                } else {
                    // No such actor in this state: the cell must be a refusal, and the
                    // stand-in gets what its own row allows.
                    assert!(
                        !allowed(relation, op, confidential),
                        "{cell}: an allowed cell needs its actor"
                    );
                }
                let expected = allowed(actual, op, confidential);
                if let Some(s) = &s {
                    assert_eq!(s.confidential(), confidential, "{cell}");
                    assert_eq!(
                        authz.permits(&actor, op, subject, t1()),
                        expected,
                        "{cell}: Authorizer"
                    );
                }
                let before = id
                    .as_ref()
                    .map(|i| svc.with_engine(|e| e.instance(i).map(|x| x.version)));
                match call(&svc, &actor, op, tracking.as_ref(), confidential, t1()) {
                    Ok(()) => assert!(expected, "{cell}: the service allowed a denied cell"),
                    Err(Error::Forbidden { .. }) => {
                        assert!(!expected, "{cell}: the service refused an allowed cell");
                        let after = id
                            .as_ref()
                            .map(|i| svc.with_engine(|e| e.instance(i).map(|x| x.version)));
                        assert_eq!(before, after, "{cell}: a refusal changed the application");
                    }
                    Err(e) => panic!("{cell}: {e}"),
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 2 * Operation::ALL.len() * Relation::ALL.len());
    // Every listed cell names a known relation and operation once.
    for (i, a) in MATRIX.iter().enumerate() {
        for b in &MATRIX[i + 1..] {
            assert!((a.relation, a.operation) != (b.relation, b.operation));
        }
    }
}

#[test]
fn listings_hold_only_what_the_actor_may_read() {
    let authz = authorizer();
    let svc = service(&authz);
    let open = prepare(&svc, Operation::Answer, false).unwrap();
    let secret = prepare(&svc, Operation::Answer, true).unwrap();
    let officer = actor_for(&svc, Relation::OfficerAssigned, Some(&open)).0;
    let head = actor_for(&svc, Relation::OfficerSameUnit, Some(&open)).0;
    let q = Query::default();
    let tr = |p: acikkapi_core::service::Page<acikkapi_core::service::InboxItem>| {
        p.items.into_iter().map(|i| i.tracking).collect::<Vec<_>>()
    };
    // The assigned officer sees both (both are routed to the same officer); the head of the unit
    // only the ordinary one; another bureau nothing; an analyst nothing.
    let mut both = vec![open.to_string(), secret.to_string()];
    both.sort();
    let mut seen = tr(svc.inbox(&officer, &q, t1()));
    seen.sort();
    assert_eq!(seen, both);
    assert_eq!(tr(svc.inbox(&head, &q, t1())), vec![open.to_string()]);
    let other = actor_for(&svc, Relation::ClerkOther, Some(&open)).0;
    assert!(tr(svc.search(&other, &q, t1())).is_empty());
    assert!(tr(svc.search(&Actor::analyst("a"), &q, t1())).is_empty());
    assert_eq!(svc.search(&clerk(), &q, t1()).total, 2);
    // Pages.
    let page = svc.search(
        &clerk(),
        &Query {
            per_page: 1,
            page: 1,
            ..Query::default()
        },
        t1(),
    );
    assert_eq!((page.items.len(), page.total), (1, 2));
}

#[test]
fn an_officer_cannot_answer_an_application_not_assigned_to_them() {
    let authz = authorizer();
    let svc = service(&authz);
    let t = prepare(&svc, Operation::Answer, false).unwrap();
    let other = actor_for(&svc, Relation::OfficerOther, Some(&t)).0;
    let err = svc
        .answer(&other, &t.to_string(), Outcome::Positive, "x", t0(), None)
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err}");
    // Before the absence the yedek is no substitute: only the assigned officer answers.
    let yedek = actor_for(&svc, Relation::OfficerSubstitute, Some(&t)).0;
    assert!(
        svc.answer(&yedek, &t.to_string(), Outcome::Positive, "x", t0(), None)
            .is_err()
    );
    assert!(
        svc.answer(&yedek, &t.to_string(), Outcome::Positive, "x", t1(), None)
            .is_ok()
    );
}

/// Actors for the property test: one of each row, relative to Denizli applications.
fn pool(tracking: &[TrackingNumber]) -> Vec<Actor> {
    let mut v = vec![
        clerk(),
        Actor::clerk("b2", unit("20.MERKEZEFENDI.ACIK_KAPI")),
        Actor::clerk("b3", unit("34.ACIK_KAPI")),
        Actor::officer(officer_id("20.SGK.YETKILI"), Role::Yetkili),
        Actor::officer(officer_id("20.PAMUKKALE.BELEDIYE.YETKILI"), Role::Yetkili),
        Actor::officer(officer_id("20.PAMUKKALE.BELEDIYE.YEDEK"), Role::Yedek),
        Actor::officer(officer_id("20.PAMUKKALE.BELEDIYE.HEAD"), Role::Head),
        Actor::governor(GovernorPost::Vali, officer_id("20.VALILIK.VALI")),
        Actor::governor(
            GovernorPost::Kaymakam,
            officer_id("20.MERKEZEFENDI.KAYMAKAMLIK.KAYMAKAM"),
        ),
        Actor::governor(GovernorPost::Vali, officer_id("34.VALILIK.VALI")),
        Actor::analyst("a"),
        Actor::system(),
        Actor::Strategy { id: "s".into() },
    ];
    for t in tracking {
        v.push(Actor::citizen(
            *t,
            CitizenProof::PhoneLastFour("0001".into()),
        ));
        v.push(Actor::citizen(
            *t,
            CitizenProof::PhoneLastFour("0004".into()),
        ));
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn no_sequence_reaches_outside_the_matrix(
        ops in prop::collection::vec((0..3usize, 0..32usize, 0..15usize, any::<bool>()), 1..40)
    ) {
        let authz = authorizer();
        let svc = service(&authz);
        // Three applications: ordinary, confidential, special; registered by the clerk.
        let c = clerk();
        let apps: Vec<TrackingNumber> = [(false, false), (false, true), (true, false)]
            .into_iter()
            .map(|(special, conf)| svc.submit(&c, input(special, conf), t0(), None).unwrap().tracking)
            .collect();
        let actors = pool(&apps);
        let mut now = t0();
        for (app, who, op, flip) in ops {
            now += chrono::Duration::hours(5);
            let op = Operation::ALL[op];
            let actor = &actors[who % actors.len()];
            let t = &apps[app];
            let id = InstanceId::new(t.to_string());
            let before = state(&svc, id.as_str()).unwrap();
            let version = svc.with_engine(|e| e.instance(&id).map(|i| i.version));
            let subject = match op {
                Operation::Statistics | Operation::Tick => Subject::All,
                Operation::Receive => Subject::New(&id),
                _ => Subject::Existing(&id, &before),
            };
            let permitted = authz.permits(actor, op, subject, now);
            if op == Operation::Receive {
                // Receiving makes a new application (the matrix test covers it).
                continue;
            }
            let result = call(&svc, actor, op, Some(t), flip, now);
            if result.is_ok() {
                prop_assert!(permitted, "{:?} did {:?} on {} outside the matrix", actor, op, t);
            }
            if !permitted {
                prop_assert!(matches!(result, Err(Error::Forbidden { .. })), "{:?}", result);
                if op != Operation::Tick {
                    let after = svc.with_engine(|e| e.instance(&id).map(|i| i.version));
                    prop_assert_eq!(version, after);
                }
            }
        }
    }
}
