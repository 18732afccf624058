//! Politika: the policy under test — deadline, reminders, escalation, queue discipline, unit
//! capacities and the rule set — loadable from TOML.
//!
//! Schema (every field optional; defaults = the Açık Kapı rules in force):
//!
//! ```toml
//! name = "baseline"            # label in reports
//! description = "…"
//! deadline_days = 7            # cevap süresi, business days
//! reminder_before = 2          # remind the officer this many business days before (0 = never)
//! escalate_every = 2           # escalate every N business days after the deadline (0 = never)
//! max_escalations = 3          # levels (birim amiri → vali yardımcısı/kaymakam → vali)
//! queue = "fifo"               # fifo | earliest_deadline | escalated_first
//! capacity_factor = 1.0        # multiplies every unit's answers per business day
//! rules = "rules/20-denizli.rhai"  # Rhai rule set, relative to this file; absent = native router
//!
//! [capacity]                   # answers per business day for named units (unit ids), overriding
//! "20.MERKEZEFENDI.MEB" = 6.0  # the model's derived capacity (before capacity_factor)
//! ```
//!
//! ```
//! let p = acikkapi_core::sim::Policy::from_toml("deadline_days = 5\nqueue = \"earliest_deadline\"").unwrap();
//! assert_eq!(p.deadline_days, 5);
//! assert_eq!(p.reminder_before, 2);
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::routing::DeadlinePolicy;
use crate::workflow::application::ApplicationConfig;
use crate::{Error, Result};

/// Sıra düzeni: the order in which an officer takes up the applications that are ready.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum QueueDiscipline {
    /// In the order they became ready (the deadline does not change who is served when).
    #[default]
    Fifo,
    /// Earliest deadline first.
    EarliestDeadline,
    /// Escalated ones first (highest level first), then in order.
    EscalatedFirst,
}

/// The policy under test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Label.
    pub name: String,
    /// What it is about.
    pub description: String,
    /// Cevap süresi (business days).
    pub deadline_days: u32,
    /// Reminder this many business days before the deadline (0 = none).
    pub reminder_before: u32,
    /// Escalation interval in business days after the deadline (0 = none).
    pub escalate_every: u32,
    /// Escalation levels.
    pub max_escalations: u32,
    /// Queue discipline.
    pub queue: QueueDiscipline,
    /// Factor on every unit's capacity.
    pub capacity_factor: f64,
    /// Capacity overrides (unit id → answers per business day).
    pub capacity: BTreeMap<String, f64>,
    /// Rhai rule set file (relative to the policy file); `None` = the native router.
    pub rules: Option<String>,
}

impl Default for Policy {
    fn default() -> Self {
        let c = ApplicationConfig::default();
        Policy {
            name: "baseline".to_owned(),
            description: String::new(),
            deadline_days: c.answer_days,
            reminder_before: c.reminder_before,
            escalate_every: c.escalate_every,
            max_escalations: c.max_escalations,
            queue: QueueDiscipline::Fifo,
            capacity_factor: 1.0,
            capacity: BTreeMap::new(),
            rules: None,
        }
    }
}

impl Policy {
    /// Parses and checks a policy.
    pub fn from_toml(text: &str) -> Result<Policy> {
        let p: Policy = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        p.check()?;
        Ok(p)
    }

    /// Checks the values: a deadline of 1–60 business days, the reminder before the deadline, a
    /// finite positive capacity factor and non-negative capacities.
    pub fn check(&self) -> Result<()> {
        if !(1..=60).contains(&self.deadline_days) {
            return Err(invalid(format!(
                "deadline_days = {}: 1–60 expected",
                self.deadline_days
            )));
        }
        if self.reminder_before >= self.deadline_days {
            return Err(invalid(format!(
                "reminder_before = {} must be shorter than deadline_days = {}",
                self.reminder_before, self.deadline_days
            )));
        }
        if self.escalate_every > 60 || self.max_escalations > 10 {
            return Err(invalid(
                "escalate_every ≤ 60 and max_escalations ≤ 10 expected".into(),
            ));
        }
        if !(self.capacity_factor.is_finite()
            && self.capacity_factor > 0.0
            && self.capacity_factor <= 100.0)
        {
            return Err(invalid(format!(
                "capacity_factor = {}: (0, 100] expected",
                self.capacity_factor
            )));
        }
        if let Some((k, v)) = self
            .capacity
            .iter()
            .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
        {
            return Err(invalid(format!("capacity.{k} = {v}: ≥ 0 expected")));
        }
        Ok(())
    }

    /// The router's deadline policy that goes with this policy: ordinary applications get
    /// `deadline_days`, special ones the router's shorter defaults. The engine applies the routing's
    /// deadline capped at `deadline_days`, so a router left at the default 7 days would cut a
    /// 10-day experiment back to 7: build the native router with this (as
    /// `acikkapi_rules::sim::router_for_policy` does).
    ///
    /// ```
    /// let p = acikkapi_core::sim::Policy::from_toml("deadline_days = 10").unwrap();
    /// let d = p.deadline_policy();
    /// assert_eq!((d.normal_days, d.special_days, d.urgent_days), (10, 5, 3));
    /// ```
    pub fn deadline_policy(&self) -> DeadlinePolicy {
        DeadlinePolicy {
            normal_days: self.deadline_days,
            ..DeadlinePolicy::default()
        }
    }

    /// The workflow settings of this policy.
    pub fn workflow_config(&self) -> ApplicationConfig {
        ApplicationConfig {
            answer_days: self.deadline_days,
            reminder_before: self.reminder_before,
            escalate_every: self.escalate_every,
            max_escalations: self.max_escalations,
        }
    }
}

fn invalid(message: String) -> Error {
    Error::InvalidSimulation {
        what: "policy",
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_rules_in_force_and_bad_values_are_refused() {
        let p = Policy::from_toml("").unwrap();
        assert_eq!(p.workflow_config(), ApplicationConfig::default());
        assert_eq!(p.queue, QueueDiscipline::Fifo);
        for bad in [
            "deadline_days = 0",
            "deadline_days = 3\nreminder_before = 3",
            "capacity_factor = 0.0",
            "colour = 1",
            "queue = \"random\"",
            "[capacity]\nx = -1.0",
        ] {
            assert!(Policy::from_toml(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn example_policies_parse() {
        for text in [
            include_str!("../../../examples/policies/baseline.toml"),
            include_str!("../../../examples/policies/deadline5.toml"),
            include_str!("../../../examples/policies/denizli-rules.toml"),
        ] {
            Policy::from_toml(text).unwrap();
        }
    }
}
