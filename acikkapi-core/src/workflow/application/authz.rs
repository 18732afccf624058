//! Yetki: the one permission policy of the application workflow.
//!
//! Every command (the guards in `decide` call [`Authorizer::check`] before anything else) and every
//! read of the application service (one application, the citizen's view, inbox and search
//! listings item by item, statistics) asks the [`Authorizer`]. Decisions compare ids
//! ([`UnitId`], [`OfficerId`], the tracking number), never display names.
//!
//! # The rules
//! * **Citizen**: only [`Operation::Track`], only their own tracking number, and only when what
//!   they proved matches the application (the last four digits of the phone number in it, or the
//!   TCKN verified by e-Devlet). The view is masked (no officer, no notes, no other person's data).
//! * **Bureau clerk** (Açık Kapı unit): receives applications for its own province (the tracking
//!   number's plate is the unit's), and registers, routes, redirects, recategorises, closes, notes,
//!   reads and tracks (the citizen's view, to answer a citizen at the desk) what its unit received; an application received before unit ids were recorded
//!   (no `bureau_unit`) belongs to the clerks of its province.
//! * **Officer** (yetkili, yedek, head): reads and notes what is assigned to their unit (or waits
//!   for approval to be assigned to it); returns and answers only as the assigned officer, or as a
//!   *yedek* of the assigned unit while the assigned officer is away (the organisation's
//!   `unavailable` periods, on the day of the command). A confidential application: only the
//!   assigned officer (and that substitute) reads it.
//! * **Governor's office** (vali, vali yardımcısı, kaymakam): approves (or sends back) special applications whose
//!   chain holds its office (the routed unit, the decided escalation chain and the province's
//!   valilik); reads and notes every application of its province, a confidential one only when
//!   its chain holds the office.
//! * **Analyst**: [`Operation::Statistics`] only (de-identified records); never one application.
//! * **System**: [`Operation::Tick`] only (the timers).
//! * **Strategy department** and actors recorded before typing ([`Actor::Recorded`]): nothing.
//!
//! The full matrix (role × operation × confidential) is [`MATRIX`], tested cell by cell.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::ApplicationState;
use crate::geo::ProvincePlate;
use crate::ids::TrackingNumber;
use crate::org::{OfficerId, Organisation, Role, UnitId, UnitKind};
use crate::workflow::ports::local_date;
use crate::workflow::{Actor, CitizenProof, InstanceId};
use crate::{Error, Result};

/// İşlem: what an actor asks to do with an application (or with all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// Başvuru al: create an application.
    Receive,
    /// Kaydet: check and register.
    Register,
    /// Yetkiliye ilet: route.
    Route,
    /// Yönlendir: send to another authority.
    Redirect,
    /// Onayla: approve a special application's routing.
    Approve,
    /// Geri gönder: refuse a special application's proposed routing.
    SendBack,
    /// İade et: return as "not ours".
    Return,
    /// Yeniden sınıflandır.
    Recategorise,
    /// Cevapla.
    Answer,
    /// Kapat: the citizen was informed.
    Close,
    /// Not ekle: an internal note.
    AddNote,
    /// Görüntüle: the staff view of one application (also each item of an inbox or a search).
    Read,
    /// Sorgula: the citizen's masked view.
    Track,
    /// İstatistik: de-identified records and the statistics block.
    Statistics,
    /// Zamanlayıcılar: fire the due timers.
    Tick,
}

impl Operation {
    /// Every operation, in the order of the matrix.
    pub const ALL: [Operation; 15] = [
        Operation::Receive,
        Operation::Register,
        Operation::Route,
        Operation::Redirect,
        Operation::Approve,
        Operation::SendBack,
        Operation::Return,
        Operation::Recategorise,
        Operation::Answer,
        Operation::Close,
        Operation::AddNote,
        Operation::Read,
        Operation::Track,
        Operation::Statistics,
        Operation::Tick,
    ];

    /// The operation's name in messages and in the matrix (`"answer"`).
    pub fn name(self) -> &'static str {
        match self {
            Operation::Receive => "receive",
            Operation::Register => "register",
            Operation::Route => "route",
            Operation::Redirect => "redirect",
            Operation::Approve => "approve",
            Operation::SendBack => "send_back",
            Operation::Return => "return",
            Operation::Recategorise => "recategorise",
            Operation::Answer => "answer",
            Operation::Close => "close",
            Operation::AddNote => "add_note",
            Operation::Read => "read",
            Operation::Track => "track",
            Operation::Statistics => "statistics",
            Operation::Tick => "tick",
        }
    }
}

/// Who an actor is *relative to one application*: the rows of the [`MATRIX`]. Computed by
/// [`Authorizer::relation`]; the matrix says what each relation may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relation {
    /// A citizen whose proof matches the application.
    CitizenOwn,
    /// A citizen asking about another number, or whose proof does not match.
    CitizenOther,
    /// A clerk of the unit that received the application (or of its province, for old records).
    ClerkOwn,
    /// A clerk of another unit.
    ClerkOther,
    /// The officer the application is assigned to (or waits to be assigned to).
    OfficerAssigned,
    /// A yedek of the assigned unit while the assigned officer is away.
    OfficerSubstitute,
    /// Another officer of the assigned unit (the assigned officer is present, or not a yedek).
    OfficerSameUnit,
    /// An officer of another unit.
    OfficerOther,
    /// Vali, vali yardımcısı or kaymakam whose office is on the application's chain.
    GovernorChain,
    /// The governor's office of the same province, not on the chain.
    GovernorProvince,
    /// The governor's office of another province.
    GovernorOther,
    /// An analyst.
    Analyst,
    /// The system (timers).
    System,
    /// The strategy department.
    Strategy,
    /// An actor recorded before typing (cannot act).
    Recorded,
}

impl Relation {
    /// Every relation, in the order of the matrix.
    pub const ALL: [Relation; 15] = [
        Relation::CitizenOwn,
        Relation::CitizenOther,
        Relation::ClerkOwn,
        Relation::ClerkOther,
        Relation::OfficerAssigned,
        Relation::OfficerSubstitute,
        Relation::OfficerSameUnit,
        Relation::OfficerOther,
        Relation::GovernorChain,
        Relation::GovernorProvince,
        Relation::GovernorOther,
        Relation::Analyst,
        Relation::System,
        Relation::Strategy,
        Relation::Recorded,
    ];
}

/// One cell group of the permission matrix: what `relation` may do to an ordinary (`open`) and
/// to a confidential (`confidential`) application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// Who.
    pub relation: Relation,
    /// What.
    pub operation: Operation,
    /// Allowed on an ordinary application.
    pub open: bool,
    /// Allowed on a confidential application.
    pub confidential: bool,
}

const fn p(relation: Relation, operation: Operation, open: bool, confidential: bool) -> Permission {
    Permission {
        relation,
        operation,
        open,
        confidential,
    }
}

use Operation as O;
use Relation as R;

/// Yetki matrisi: the whole policy as data. A pair not listed is denied; the state machine still
/// decides whether an allowed operation fits the application's status. The Authorizer reads this
/// table (it is the policy, not a copy of it), and the tests check every cell against real
/// commands and reads.
pub const MATRIX: &[Permission] = &[
    p(R::CitizenOwn, O::Track, true, true),
    p(R::ClerkOwn, O::Receive, true, true),
    p(R::ClerkOwn, O::Register, true, true),
    p(R::ClerkOwn, O::Route, true, true),
    p(R::ClerkOwn, O::Redirect, true, true),
    p(R::ClerkOwn, O::Recategorise, true, true),
    p(R::ClerkOwn, O::Close, true, true),
    p(R::ClerkOwn, O::AddNote, true, true),
    p(R::ClerkOwn, O::Read, true, true),
    p(R::ClerkOwn, O::Track, true, true),
    p(R::OfficerAssigned, O::Return, true, true),
    p(R::OfficerAssigned, O::Answer, true, true),
    p(R::OfficerAssigned, O::AddNote, true, true),
    p(R::OfficerAssigned, O::Read, true, true),
    p(R::OfficerSubstitute, O::Return, true, true),
    p(R::OfficerSubstitute, O::Answer, true, true),
    p(R::OfficerSubstitute, O::AddNote, true, true),
    p(R::OfficerSubstitute, O::Read, true, true),
    p(R::OfficerSameUnit, O::AddNote, true, false),
    p(R::OfficerSameUnit, O::Read, true, false),
    p(R::GovernorChain, O::Approve, true, true),
    p(R::GovernorChain, O::SendBack, true, true),
    p(R::GovernorChain, O::AddNote, true, true),
    p(R::GovernorChain, O::Read, true, true),
    p(R::GovernorProvince, O::AddNote, true, false),
    p(R::GovernorProvince, O::Read, true, false),
    p(R::Analyst, O::Statistics, true, true),
    p(R::System, O::Tick, true, true),
];

/// Whether the matrix allows `operation` to `relation` on an application that is (or is not)
/// confidential.
pub fn allowed(relation: Relation, operation: Operation, confidential: bool) -> bool {
    MATRIX.iter().any(|c| {
        c.relation == relation
            && c.operation == operation
            && if confidential { c.confidential } else { c.open }
    })
}

/// The application an operation is about.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// An application about to be received under this id.
    New(&'a InstanceId),
    /// An existing application.
    Existing(&'a InstanceId, &'a ApplicationState),
    /// No single application (statistics, timers).
    All,
}

/// Where the Authorizer finds a province's organisation (officers' absences, the valilik).
pub type OrganisationSource = dyn Fn(ProvincePlate) -> Option<Arc<Organisation>> + Send + Sync;

/// Yetkilendirici: decides with [`MATRIX`] and the organisation (for substitutes and the valilik):
/// by default the embedded one of each province ([`Organisation::for_province`]).
#[derive(Clone, Default)]
pub struct Authorizer {
    orgs: Option<Arc<OrganisationSource>>,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer")
            .field("custom_organisations", &self.orgs.is_some())
            .finish()
    }
}

fn forbidden(actor: &Actor, op: Operation, id: Option<&InstanceId>) -> Error {
    Error::Forbidden {
        role: actor.role_tr().to_owned(),
        action: match id {
            Some(id) => format!("{} ({id})", op.name()),
            None => op.name().to_owned(),
        },
    }
}

/// The province of an application: its tracking number's plate, else the registered
/// application's province, else the receiving unit's.
fn plate_of(id: &InstanceId, s: Option<&ApplicationState>) -> Option<u8> {
    if let Ok(t) = TrackingNumber::parse(id.as_str()) {
        return Some(t.plate().get());
    }
    let s = s?;
    s.application
        .as_ref()
        .map(|a| a.location.province.get())
        .or_else(|| {
            s.bureau_unit
                .as_ref()
                .and_then(UnitId::plate)
                .map(ProvincePlate::get)
        })
}

fn last_four(digits: &str) -> Option<String> {
    let d: Vec<char> = digits.chars().filter(char::is_ascii_digit).collect();
    (d.len() >= 4).then(|| d[d.len() - 4..].iter().collect())
}

fn proof_matches(proof: &CitizenProof, s: &ApplicationState) -> bool {
    match proof {
        CitizenProof::PhoneLastFour(four) => {
            let phone = match &s.application {
                Some(a) => last_four(a.applicant.phone.expose()),
                None => s.input.phone.as_deref().and_then(last_four),
            };
            phone.as_deref() == Some(four.as_str())
        }
        CitizenProof::EDevlet(tckn) => match &s.application {
            Some(a) => a.applicant.id == *tckn,
            None => s.input.tckn.as_deref().map(str::trim) == Some(tckn.expose()),
        },
    }
}

impl Authorizer {
    /// The policy, with the embedded organisations.
    pub fn new() -> Self {
        Authorizer::default()
    }

    /// The policy with organisations from `orgs` (a province's own file, a test's).
    pub fn with_organisations(orgs: Arc<OrganisationSource>) -> Self {
        Authorizer { orgs: Some(orgs) }
    }

    fn org(&self, plate: u8) -> Option<Arc<Organisation>> {
        let plate = ProvincePlate::new(plate).ok()?;
        match &self.orgs {
            Some(f) => f(plate),
            None => Organisation::for_province(plate).ok(),
        }
    }

    /// Whether `officer` is away on the day of `now` (the organisation's `unavailable` periods).
    fn away(&self, officer: &OfficerId, now: DateTime<Utc>) -> bool {
        officer
            .unit()
            .plate()
            .map(ProvincePlate::get)
            .and_then(|p| self.org(p))
            .is_some_and(|org| {
                org.officer(officer)
                    .is_some_and(|(_, o)| !o.available_on(local_date(now)))
            })
    }

    /// The units on an application's chain: the assigned and pending units, their decided
    /// escalation chains, and the province's valilik.
    fn chain(&self, s: &ApplicationState, plate: Option<u8>) -> Vec<UnitId> {
        let mut out: Vec<UnitId> = Vec::new();
        for a in [&s.assignment, &s.pending].into_iter().flatten() {
            out.push(a.unit.clone());
            out.extend(a.escalation.iter().cloned());
        }
        if let Some(org) = plate.and_then(|p| self.org(p)) {
            out.push(org.valilik().id.clone());
        }
        out
    }

    /// Who `actor` is relative to `subject` on the day of `now` (the row of the matrix).
    pub fn relation(&self, actor: &Actor, subject: Subject<'_>, now: DateTime<Utc>) -> Relation {
        let (id, state) = match subject {
            Subject::New(id) => (Some(id), None),
            Subject::Existing(id, s) => (Some(id), Some(s)),
            Subject::All => (None, None),
        };
        let plate = id.and_then(|id| plate_of(id, state));
        match actor {
            Actor::Citizen { tracking, proof } => {
                let own = id.is_some_and(|id| id.as_str() == tracking.to_string())
                    && state.is_some_and(|s| proof_matches(proof, s));
                if own { R::CitizenOwn } else { R::CitizenOther }
            }
            Actor::Clerk { unit, .. } => {
                let own = match state {
                    Some(s) => match &s.bureau_unit {
                        Some(b) => b == unit,
                        None => plate.is_some() && plate == unit.plate().map(ProvincePlate::get),
                    },
                    // Receiving: an Açık Kapı unit, of the tracking number's province when the
                    // id is one (an engine used with other ids makes no province claim).
                    None => {
                        let own_plate = unit.plate().map(ProvincePlate::get);
                        plate.is_none_or(|p| Some(p) == own_plate)
                            && own_plate.and_then(|p| self.org(p)).is_some_and(|org| {
                                org.unit(unit).is_some_and(|u| {
                                    matches!(
                                        u.kind,
                                        UnitKind::AcikKapiSube | UnitKind::AcikKapiSefligi
                                    )
                                })
                            })
                    }
                };
                if own { R::ClerkOwn } else { R::ClerkOther }
            }
            Actor::Officer {
                id: officer,
                unit,
                role,
            } => {
                let Some(s) = state else {
                    return R::OfficerOther;
                };
                let assigned = [&s.assignment, &s.pending].into_iter().flatten();
                let mut rel = R::OfficerOther;
                for a in assigned {
                    if &a.officer == officer {
                        return R::OfficerAssigned;
                    }
                    if &a.unit == unit {
                        rel = if *role == Role::Yedek && self.away(&a.officer, now) {
                            R::OfficerSubstitute
                        } else {
                            R::OfficerSameUnit
                        };
                    }
                }
                rel
            }
            Actor::Governor { unit, .. } => {
                let Some(s) = state else {
                    return R::GovernorOther;
                };
                if self.chain(s, plate).contains(unit) {
                    R::GovernorChain
                } else if plate.is_some() && plate == unit.plate().map(ProvincePlate::get) {
                    R::GovernorProvince
                } else {
                    R::GovernorOther
                }
            }
            Actor::Analyst { .. } => R::Analyst,
            Actor::System => R::System,
            Actor::Strategy { .. } => R::Strategy,
            Actor::Recorded { .. } => R::Recorded,
        }
    }

    /// Allows or refuses `operation` by `actor` on `subject` at `now`
    /// ([`Error::Forbidden`], naming the role and the operation).
    pub fn check(
        &self,
        actor: &Actor,
        operation: Operation,
        subject: Subject<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if self.permits(actor, operation, subject, now) {
            Ok(())
        } else {
            let id = match subject {
                Subject::New(id) | Subject::Existing(id, _) => Some(id),
                Subject::All => None,
            };
            Err(forbidden(actor, operation, id))
        }
    }

    /// Whether [`check`](Self::check) allows it.
    pub fn permits(
        &self,
        actor: &Actor,
        operation: Operation,
        subject: Subject<'_>,
        now: DateTime<Utc>,
    ) -> bool {
        let confidential = match subject {
            Subject::Existing(_, s) => s.confidential(),
            Subject::New(_) | Subject::All => false,
        };
        allowed(self.relation(actor, subject, now), operation, confidential)
    }
}
