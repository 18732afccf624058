//! Actors and assignments of Denizli (20) for tests, with the ids of the embedded organisation.

use super::Assignment;
use crate::org::Role;
use crate::workflow::Actor;

/// Test actors of Denizli (20) with the ids of the embedded organisation.
pub(crate) fn clerk_of(unit: &str) -> Actor {
    Actor::clerk("b1", crate::org::UnitId::parse(unit).unwrap())
}
/// An officer by id (`20.MEB.YETKILI`) with the post in the embedded organisation.
pub(crate) fn officer_of(id: &str) -> Actor {
    let id = crate::org::OfficerId::parse(id).unwrap();
    let role = crate::org::Organisation::for_province(crate::geo::ProvincePlate::new(20).unwrap())
        .unwrap()
        .officer(&id)
        .map_or(Role::Yetkili, |(_, o)| o.role);
    Actor::officer(id, role)
}
/// The vali of Denizli.
pub(crate) fn vali_of_denizli() -> Actor {
    Actor::governor(
        crate::workflow::GovernorPost::Vali,
        crate::org::OfficerId::parse("20.VALILIK.VALI").unwrap(),
    )
}
/// An assignment to `unit` (named `name`) and its officer `officer`.
pub(crate) fn assign(unit: &str, name: &str, officer: &str) -> Assignment {
    Assignment {
        unit: crate::org::UnitId::parse(unit).unwrap(),
        unit_name: name.to_owned(),
        officer: crate::org::OfficerId::parse(officer).unwrap(),
        escalation: Vec::new(),
        escalation_names: Vec::new(),
        deadline_days: None,
    }
}
