//! Kullanıcı: who acts on the workflow, typed.
//!
//! Every actor carries what access decisions need: a citizen the tracking number and what they
//! proved, a clerk and an officer their [`UnitId`] (an officer also the [`OfficerId`] and
//! [`Role`]), the governor's office who it is (vali, vali yardımcısı, kaymakam) and which
//! valilik/kaymakamlık. The [`Authorizer`](crate::workflow::application::authz::Authorizer)
//! decides with these ids; display names are never compared.
//!
//! # Serde
//! An actor is written as one flat object, the shape journals always had:
//! `{"role":"bureau","id":"buro-1","unit":"20.ACIK_KAPI"}`,
//! `{"role":"yetkili","id":"20.SGK.YETKILI","unit":"20.SGK"}`,
//! `{"role":"vali","id":"20.VALILIK.VALI","unit":"20.VALILIK"}`,
//! `{"role":"analyst","id":"analist-1"}`, `{"role":"system","id":"sistem"}`,
//! `{"role":"citizen","tracking":"AK-20-2026-0000001-3","phone_last_four":"4567"}` (or
//! `"tckn":"…"` for e-Devlet; the TCKN is masked unless written inside [`Full`](crate::ids::Full)).
//!
//! Journals written before actors were typed hold display names as units
//! (`{"role":"bureau","id":"buro-1","unit":"Denizli Valiliği Açık Kapı Bürosu"}`) and the roles
//! `officer` / `governor`. Those still read: a unit that parses as a [`UnitId`] is one; an
//! officer's unit is the unit of its [`OfficerId`]; anything else is kept as it was recorded in
//! [`Actor::Recorded`], which no access rule admits. The journal upcast
//! ([`legacy::upcast_record`](crate::workflow::application::legacy::upcast_record)) resolves the
//! names with the province of the instance first, so replayed journals get typed actors.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::{Tckn, TrackingNumber};
use crate::org::{OfficerId, Role, UnitId};

/// Doğrulama: what a citizen proved when asking about an application.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum CitizenProof {
    /// The last four digits of the phone number given in the application.
    PhoneLastFour(String),
    /// e-Devlet login: the TC Kimlik No verified by e-Devlet.
    EDevlet(Tckn),
}

impl fmt::Debug for CitizenProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CitizenProof::PhoneLastFour(_) => f.write_str("PhoneLastFour(****)"),
            CitizenProof::EDevlet(t) => write!(f, "EDevlet({t:?})"),
        }
    }
}

/// The governor's office: who in the valilik or kaymakamlık acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GovernorPost {
    /// Vali.
    Vali,
    /// Vali yardımcısı.
    ValiYardimcisi,
    /// Kaymakam.
    Kaymakam,
}

impl GovernorPost {
    /// The post as a [`Role`].
    pub fn role(self) -> Role {
        match self {
            GovernorPost::Vali => Role::Vali,
            GovernorPost::ValiYardimcisi => Role::ValiYardimcisi,
            GovernorPost::Kaymakam => Role::Kaymakam,
        }
    }

    /// The post of a governor's role (`None` for other roles).
    pub fn of_role(role: Role) -> Option<GovernorPost> {
        match role {
            Role::Vali => Some(GovernorPost::Vali),
            Role::ValiYardimcisi => Some(GovernorPost::ValiYardimcisi),
            Role::Kaymakam => Some(GovernorPost::Kaymakam),
            _ => None,
        }
    }
}

/// Kullanıcı: who issues a command or asks to see an application.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// Vatandaş: the applicant, for their own application, with what they proved.
    Citizen {
        /// The tracking number the citizen asks about.
        tracking: TrackingNumber,
        /// What the citizen proved.
        proof: CitizenProof,
    },
    /// Açık Kapı bürosu: a clerk of an Açık Kapı unit.
    Clerk {
        /// The clerk's personal id (sicil); never shown to citizens.
        id: String,
        /// The Açık Kapı unit (`20.ACIK_KAPI`, `20.MERKEZEFENDI.ACIK_KAPI`).
        unit: UnitId,
    },
    /// Yetkili, yedek or birim amiri of an institution.
    Officer {
        /// The officer.
        id: OfficerId,
        /// The unit the officer works in.
        unit: UnitId,
        /// The officer's post ([`Role::Yetkili`], [`Role::Yedek`], [`Role::Head`]).
        role: Role,
    },
    /// Vali, vali yardımcısı or kaymakam.
    Governor {
        /// The post.
        who: GovernorPost,
        /// The person's officer id in the organisation (`20.VALILIK.VALI`).
        id: OfficerId,
        /// The valilik or kaymakamlık.
        unit: UnitId,
    },
    /// Analist: de-identified records only.
    Analyst {
        /// Personal id.
        id: String,
    },
    /// Strateji Geliştirme Başkanlığı (opinions on personnel changes).
    Strategy {
        /// Personal id.
        id: String,
    },
    /// Sistem: the engine itself (timers).
    System,
    /// An actor as recorded in a journal before actors were typed, whose unit could not be
    /// resolved to an id. Kept for the history (who did what, as it was written); no access rule
    /// admits it, so it can never act.
    Recorded {
        /// The role as recorded (`"bureau"`, `"governor"`, …).
        role: String,
        /// The id as recorded.
        id: String,
        /// The unit's display name as recorded.
        unit: String,
    },
}

impl Actor {
    /// A clerk of an Açık Kapı unit.
    pub fn clerk(id: impl Into<String>, unit: UnitId) -> Actor {
        Actor::Clerk {
            id: id.into(),
            unit,
        }
    }

    /// An officer; the unit is the officer id's unit (`20.SGK.YETKILI` → `20.SGK`).
    pub fn officer(id: OfficerId, role: Role) -> Actor {
        let unit = id.unit();
        Actor::Officer { id, unit, role }
    }

    /// The governor's office; the unit is the officer id's unit (`20.VALILIK.VALI` → `20.VALILIK`).
    pub fn governor(who: GovernorPost, id: OfficerId) -> Actor {
        let unit = id.unit();
        Actor::Governor { who, id, unit }
    }

    /// A citizen asking about their application.
    pub fn citizen(tracking: TrackingNumber, proof: CitizenProof) -> Actor {
        Actor::Citizen { tracking, proof }
    }

    /// A clerk of a province's Açık Kapı Şube Müdürlüğü (the bureau at the valilik), for front ends
    /// that act for "the bureau of the province" (the Python binding's default for bureau
    /// operations, the demo).
    pub fn bureau_of(plate: crate::geo::ProvincePlate) -> crate::Result<Actor> {
        let org = crate::org::Organisation::for_province(plate)?;
        Ok(Actor::clerk("buro", org.acik_kapi_unit().id.clone()))
    }

    /// An analyst.
    pub fn analyst(id: impl Into<String>) -> Actor {
        Actor::Analyst { id: id.into() }
    }

    /// The engine itself, used for timer events.
    pub fn system() -> Self {
        Actor::System
    }

    /// The actor's role.
    pub fn role(&self) -> Role {
        match self {
            Actor::Citizen { .. } => Role::Citizen,
            Actor::Clerk { .. } => Role::Bureau,
            Actor::Officer { role, .. } => *role,
            Actor::Governor { who, .. } => who.role(),
            Actor::Analyst { .. } => Role::Analyst,
            Actor::Strategy { .. } => Role::Strategy,
            Actor::System => Role::System,
            Actor::Recorded { role, .. } => match role.as_str() {
                "bureau" => Role::Bureau,
                "officer" => Role::Yetkili,
                "governor" => Role::Vali,
                "analyst" => Role::Analyst,
                "strategy" => Role::Strategy,
                _ => Role::System,
            },
        }
    }

    /// The unit the actor works in, if any.
    pub fn unit(&self) -> Option<&UnitId> {
        match self {
            Actor::Clerk { unit, .. }
            | Actor::Officer { unit, .. }
            | Actor::Governor { unit, .. } => Some(unit),
            _ => None,
        }
    }

    /// The actor's personal id as text (`sistem` for the system; the tracking number for a citizen).
    pub fn id_str(&self) -> String {
        match self {
            Actor::Citizen { tracking, .. } => tracking.to_string(),
            Actor::Clerk { id, .. }
            | Actor::Analyst { id }
            | Actor::Strategy { id }
            | Actor::Recorded { id, .. } => id.clone(),
            Actor::Officer { id, .. } | Actor::Governor { id, .. } => id.to_string(),
            Actor::System => "sistem".to_owned(),
        }
    }

    /// A short label for messages: the Turkish role name.
    pub fn role_tr(&self) -> &'static str {
        self.role().name_tr()
    }
}

/// The wire form of an actor (one flat object).
#[derive(Serialize, Deserialize)]
struct Wire {
    role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tracking: Option<TrackingNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phone_last_four: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tckn: Option<Tckn>,
}

impl Serialize for Actor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut w = Wire {
            role: self.role().as_str().to_owned(),
            id: None,
            unit: None,
            tracking: None,
            phone_last_four: None,
            tckn: None,
        };
        match self {
            Actor::Citizen { tracking, proof } => {
                w.tracking = Some(*tracking);
                match proof {
                    CitizenProof::PhoneLastFour(d) => w.phone_last_four = Some(d.clone()),
                    CitizenProof::EDevlet(t) => w.tckn = Some(*t),
                }
            }
            Actor::Recorded { role, id, unit } => {
                w.role = role.clone();
                w.id = Some(id.clone());
                w.unit = Some(unit.clone());
            }
            other => {
                w.id = Some(other.id_str());
                w.unit = other.unit().map(|u| u.as_str().to_owned());
            }
        }
        w.serialize(s)
    }
}

fn bad<E: serde::de::Error>(what: &str) -> E {
    E::custom(format!("kullanıcı okunamadı: {what}"))
}

impl<'de> Deserialize<'de> for Actor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(d)?;
        from_wire(w).map_err(|m| bad(&m))
    }
}

fn from_wire(w: Wire) -> Result<Actor, String> {
    let id = w.id.unwrap_or_default();
    let recorded = |role: &str, id: String, unit: Option<String>| Actor::Recorded {
        role: role.to_owned(),
        id,
        unit: unit.unwrap_or_default(),
    };
    let unit_id = w.unit.as_deref().and_then(|u| UnitId::parse(u).ok());
    let role: Role = serde_json::from_value(serde_json::Value::String(w.role.clone()))
        .map_err(|_| format!("bilinmeyen rol {:?}", w.role))?;
    Ok(match role {
        Role::Citizen => {
            let tracking = w.tracking.ok_or("vatandaş için takip numarası gerekli")?;
            let proof = match (w.phone_last_four, w.tckn) {
                (Some(d), None) if d.len() == 4 && d.bytes().all(|b| b.is_ascii_digit()) => {
                    CitizenProof::PhoneLastFour(d)
                }
                (None, Some(t)) => CitizenProof::EDevlet(t),
                _ => {
                    return Err(
                        "vatandaş telefonun son dört hanesi veya e-Devlet TCKN ile doğrulanır"
                            .to_owned(),
                    );
                }
            };
            Actor::Citizen { tracking, proof }
        }
        Role::Bureau => match unit_id {
            Some(unit) => Actor::Clerk { id, unit },
            None => recorded("bureau", id, w.unit),
        },
        Role::Yetkili | Role::Yedek | Role::Head => match OfficerId::parse(&id) {
            Ok(oid) => {
                let unit = unit_id.unwrap_or_else(|| oid.unit());
                Actor::Officer {
                    id: oid,
                    unit,
                    role,
                }
            }
            Err(_) => recorded(&w.role, id, w.unit),
        },
        Role::Vali | Role::ValiYardimcisi | Role::Kaymakam => {
            match (OfficerId::parse(&id), GovernorPost::of_role(role)) {
                (Ok(oid), Some(who)) => {
                    let unit = unit_id.unwrap_or_else(|| oid.unit());
                    Actor::Governor { who, id: oid, unit }
                }
                _ => recorded(&w.role, id, w.unit),
            }
        }
        Role::Analyst => Actor::Analyst { id },
        Role::Strategy => Actor::Strategy { id },
        Role::System => Actor::System,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_actors_round_trip() {
        let actors = [
            Actor::clerk("buro-1", UnitId::parse("20.ACIK_KAPI").unwrap()),
            Actor::officer(OfficerId::parse("20.SGK.YETKILI").unwrap(), Role::Yetkili),
            Actor::governor(
                GovernorPost::Vali,
                OfficerId::parse("20.VALILIK.VALI").unwrap(),
            ),
            Actor::analyst("a-1"),
            Actor::Strategy { id: "s".into() },
            Actor::System,
            Actor::citizen(
                TrackingNumber::parse("AK-20-2026-0000001-3").unwrap(),
                CitizenProof::PhoneLastFour("4567".into()),
            ),
        ];
        for a in actors {
            let text = serde_json::to_string(&a).unwrap();
            let back: Actor = serde_json::from_str(&text).unwrap();
            assert_eq!(back, a, "{text}");
        }
    }

    #[test]
    fn old_journal_shapes_read() {
        let a: Actor = serde_json::from_str(
            r#"{"role":"officer","id":"20.SAGLIK_MUDURLUGU.YETKILI","unit":"Denizli İl Sağlık Müdürlüğü"}"#,
        )
        .unwrap();
        assert_eq!(
            a,
            Actor::Officer {
                id: OfficerId::parse("20.SAGLIK_MUDURLUGU.YETKILI").unwrap(),
                unit: UnitId::parse("20.SAGLIK_MUDURLUGU").unwrap(),
                role: Role::Yetkili
            }
        );
        let b: Actor =
            serde_json::from_str(r#"{"role":"bureau","id":"buro","unit":"20.ACIK_KAPI"}"#).unwrap();
        assert_eq!(b.unit().unwrap().as_str(), "20.ACIK_KAPI");
        let c: Actor = serde_json::from_str(
            r#"{"role":"bureau","id":"buro-1","unit":"Denizli Valiliği Açık Kapı Bürosu"}"#,
        )
        .unwrap();
        assert!(matches!(c, Actor::Recorded { .. }));
        assert_eq!(c.role(), Role::Bureau);
        // Recorded actors write back exactly what was read.
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"role":"bureau","id":"buro-1","unit":"Denizli Valiliği Açık Kapı Bürosu"}"#
        );
        let s: Actor =
            serde_json::from_str(r#"{"role":"system","id":"sistem","unit":"Açık Kapı"}"#).unwrap();
        assert_eq!(s, Actor::System);
        let g: Actor =
            serde_json::from_str(r#"{"role":"governor","id":"vali","unit":"Denizli Valiliği"}"#)
                .unwrap();
        assert!(matches!(g, Actor::Recorded { .. }));
    }

    #[test]
    fn citizen_needs_a_proof() {
        assert!(
            serde_json::from_str::<Actor>(
                r#"{"role":"citizen","tracking":"AK-20-2026-0000001-3"}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<Actor>(
                r#"{"role":"citizen","tracking":"AK-20-2026-0000001-3","phone_last_four":"45"}"#
            )
            .is_err()
        );
        assert!(serde_json::from_str::<Actor>(r#"{"role":"wizard","id":"x"}"#).is_err());
    }
}
