//! Personel yetkisi: the one access policy of the personnel-change workflow.
//!
//! The workflow's guards ([`PersonnelWorkflow::decide`](super::PersonnelWorkflow) and its timer)
//! and every method of [`service::Personnel`](crate::service::Personnel), reads and listings
//! included, ask [`check`]; the policy itself is the table [`MATRIX`], as data.
//!
//! # The rules (2020 circular, as the workflow encodes it)
//! * The request is raised by the valilik / kaymakamlık side: the Açık Kapı bureau clerk or the
//!   governor's office (vali, vali yardımcısı, kaymakam) **of the province of the staff's unit**
//!   (the plate of its [`UnitId`]); they may also withdraw it and read it.
//! * Strateji Geliştirme Başkanlığı ([`Actor::Strategy`], a ministry department, so of every
//!   province) gives the opinion and reads the requests.
//! * The governor's office of the province decides (approve / reject).
//! * The system fires the timers (the late opinion).
//! * Anyone else (citizens, officers, analysts, the other provinces, actors recorded before
//!   typing) can do nothing with a personnel request, reading included. A request recorded with
//!   a display name as the staff unit ([`StaffUnit::Recorded`]) has no province, so only the
//!   SGB reads it and gives its opinion.

use super::{ChangeRequest, PersonnelCommand, StaffUnit};
use crate::geo::ProvincePlate;
use crate::org::UnitId;
use crate::workflow::{Actor, InstanceId};
use crate::{Error, Result};

/// İşlem: what an actor asks to do with a personnel request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PersonnelOperation {
    /// Talep et: raise a request.
    Submit,
    /// Görüş ver: the SGB's opinion.
    GiveOpinion,
    /// Onayla.
    Approve,
    /// Reddet.
    Reject,
    /// Geri çek.
    Withdraw,
    /// Read one request, or see it in a listing.
    Read,
    /// Fire the timers.
    Tick,
}

impl PersonnelOperation {
    /// Every operation, for tables and tests.
    pub const ALL: &'static [PersonnelOperation] = &[
        PersonnelOperation::Submit,
        PersonnelOperation::GiveOpinion,
        PersonnelOperation::Approve,
        PersonnelOperation::Reject,
        PersonnelOperation::Withdraw,
        PersonnelOperation::Read,
        PersonnelOperation::Tick,
    ];

    /// The operation's name (as in errors and command ids).
    pub fn name(self) -> &'static str {
        match self {
            PersonnelOperation::Submit => "submit",
            PersonnelOperation::GiveOpinion => "give_opinion",
            PersonnelOperation::Approve => "approve",
            PersonnelOperation::Reject => "reject",
            PersonnelOperation::Withdraw => "withdraw",
            PersonnelOperation::Read => "read",
            PersonnelOperation::Tick => "tick",
        }
    }

    /// The operation a command asks for.
    pub fn of(command: &PersonnelCommand) -> PersonnelOperation {
        match command {
            PersonnelCommand::Submit { .. } => PersonnelOperation::Submit,
            PersonnelCommand::GiveOpinion { .. } => PersonnelOperation::GiveOpinion,
            PersonnelCommand::Approve => PersonnelOperation::Approve,
            PersonnelCommand::Reject { .. } => PersonnelOperation::Reject,
            PersonnelCommand::Withdraw => PersonnelOperation::Withdraw,
        }
    }
}

/// Who an actor is relative to one request: the rows of [`MATRIX`], computed by [`relation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PersonnelRelation {
    /// An Açık Kapı bureau clerk of the staff unit's province.
    ClerkOwnProvince,
    /// A bureau clerk of another province (or no request in question).
    ClerkOtherProvince,
    /// Vali, vali yardımcısı or kaymakam of the staff unit's province.
    GovernorOwnProvince,
    /// The governor's office of another province (or no request in question).
    GovernorOtherProvince,
    /// Strateji Geliştirme Başkanlığı.
    Strategy,
    /// An officer of any unit (yetkili, yedek, head).
    Officer,
    /// A citizen.
    Citizen,
    /// An analyst.
    Analyst,
    /// The system (timers).
    System,
    /// An actor recorded before actors were typed.
    Recorded,
}

impl PersonnelRelation {
    /// Every relation, for tables and tests.
    pub const ALL: &'static [PersonnelRelation] = &[
        PersonnelRelation::ClerkOwnProvince,
        PersonnelRelation::ClerkOtherProvince,
        PersonnelRelation::GovernorOwnProvince,
        PersonnelRelation::GovernorOtherProvince,
        PersonnelRelation::Strategy,
        PersonnelRelation::Officer,
        PersonnelRelation::Citizen,
        PersonnelRelation::Analyst,
        PersonnelRelation::System,
        PersonnelRelation::Recorded,
    ];
}

/// One allowed cell of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonnelPermission {
    /// Who.
    pub relation: PersonnelRelation,
    /// What.
    pub operation: PersonnelOperation,
}

const fn p(relation: PersonnelRelation, operation: PersonnelOperation) -> PersonnelPermission {
    PersonnelPermission {
        relation,
        operation,
    }
}

use PersonnelOperation as O;
use PersonnelRelation as R;

/// Yetki tablosu: the whole policy as data. A pair not listed is denied; the state machine still
/// decides whether an allowed operation fits the request's status.
pub const MATRIX: &[PersonnelPermission] = &[
    p(R::ClerkOwnProvince, O::Submit),
    p(R::ClerkOwnProvince, O::Withdraw),
    p(R::ClerkOwnProvince, O::Read),
    p(R::GovernorOwnProvince, O::Submit),
    p(R::GovernorOwnProvince, O::Approve),
    p(R::GovernorOwnProvince, O::Reject),
    p(R::GovernorOwnProvince, O::Withdraw),
    p(R::GovernorOwnProvince, O::Read),
    p(R::Strategy, O::GiveOpinion),
    p(R::Strategy, O::Read),
    p(R::System, O::Tick),
];

/// Whether [`MATRIX`] allows `operation` to `relation`.
pub fn allowed(relation: PersonnelRelation, operation: PersonnelOperation) -> bool {
    MATRIX
        .iter()
        .any(|c| c.relation == relation && c.operation == operation)
}

/// The plate of a unit id (`20.ACIK_KAPI` → 20; a national `TR.…` unit has none).
/// The province of a request: the plate of the staff's unit, none for a recorded name.
pub fn province_of(request: &ChangeRequest) -> Option<u8> {
    match &request.staff.unit {
        StaffUnit::Id(u) => u.plate().map(ProvincePlate::get),
        StaffUnit::Recorded(_) => None,
    }
}

/// Who `actor` is relative to `request` (`None`: no request in question, e.g. the timers).
pub fn relation(actor: &Actor, request: Option<&ChangeRequest>) -> PersonnelRelation {
    let own = |unit: &UnitId| {
        let plate = request.and_then(province_of);
        plate.is_some() && plate == unit.plate().map(ProvincePlate::get)
    };
    match actor {
        Actor::Clerk { unit, .. } if own(unit) => R::ClerkOwnProvince,
        Actor::Clerk { .. } => R::ClerkOtherProvince,
        Actor::Governor { unit, .. } if own(unit) => R::GovernorOwnProvince,
        Actor::Governor { .. } => R::GovernorOtherProvince,
        Actor::Strategy { .. } => R::Strategy,
        Actor::Officer { .. } => R::Officer,
        Actor::Citizen { .. } => R::Citizen,
        Actor::Analyst { .. } => R::Analyst,
        Actor::System => R::System,
        Actor::Recorded { .. } => R::Recorded,
    }
}

/// Allows or refuses `operation` by `actor` on `request` ([`Error::Forbidden`] naming the role,
/// the operation and the request's id when known).
pub fn check(
    actor: &Actor,
    operation: PersonnelOperation,
    request: Option<&ChangeRequest>,
    id: Option<&InstanceId>,
) -> Result<()> {
    if allowed(relation(actor, request), operation) {
        Ok(())
    } else {
        Err(Error::Forbidden {
            role: actor.role_tr().to_owned(),
            action: match id {
                Some(id) => format!("{} ({id})", operation.name()),
                None => operation.name().to_owned(),
            },
        })
    }
}

/// Whether [`check`] allows it.
pub fn permits(
    actor: &Actor,
    operation: PersonnelOperation,
    request: Option<&ChangeRequest>,
) -> bool {
    allowed(relation(actor, request), operation)
}
