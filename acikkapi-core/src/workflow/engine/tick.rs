//! Timers through the commit path: the firings due at a tick, decided against a staged overlay.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::{Engine, Fired, Prepared};
use crate::Result;
use crate::workflow::{Actor, CommandId, Context, InstanceId, WorkflowDefinition};

impl<W: WorkflowDefinition> Engine<W> {
    /// Decides every timer due at `now`, in the order [`Engine::tick`] fires them (earliest
    /// first; a timer that becomes due by an earlier firing joins the queue). A firing that
    /// cannot be folded or encoded fails the whole tick (a definition bug).
    pub(crate) fn prepare_tick(&self, now: DateTime<Utc>) -> Result<Prepared<W>> {
        let mut p = Prepared::new(self.seq);
        let mut due: BTreeSet<(DateTime<Utc>, InstanceId)> = self
            .timers
            .iter()
            .take_while(|(at, _)| *at <= now)
            .cloned()
            .collect();
        let mut overlay: HashMap<InstanceId, usize> = HashMap::new();
        let mut seen: HashSet<(InstanceId, String)> = HashSet::new();
        let system = Actor::system();
        let calendar = self.options.calendar.as_ref();
        while let Some((_, id)) = due.pop_first() {
            let (state, version) = match overlay.get(&id) {
                Some(&i) => (&p.commits[i].state, p.commits[i].version),
                None => match self.instances.get(&id) {
                    Some(inst) => (&inst.state, inst.version),
                    None => {
                        p.resched.push(id);
                        continue;
                    }
                },
            };
            let Some(timer) = self.def.next_timer(state, calendar) else {
                p.resched.push(id);
                continue;
            };
            if timer.at > now {
                p.resched.push(id);
                continue;
            }
            // A definition whose fired timer is still due would loop forever: report it and drop
            // the timer until the instance changes.
            if !seen.insert((id.clone(), timer.key.clone())) {
                p.fired.push(Fired {
                    instance: id.clone(),
                    key: timer.key,
                    due: timer.at,
                    error: Some("timer still due after firing (definition bug)".to_owned()),
                });
                p.dropped.push(id);
                continue;
            }
            let ctx = Context {
                instance: &id,
                now,
                actor: &system,
                calendar,
                escalation: self.options.escalation.as_ref(),
            };
            let refused = match self.def.on_timer(state, &timer, &ctx) {
                Ok(events) if !events.is_empty() => Ok(events),
                Ok(_) => Err("timer produced no events".to_owned()),
                Err(e) => Err(e.to_string()),
            };
            let events = match refused {
                Ok(events) => events,
                Err(reason) => {
                    p.fired.push(Fired {
                        instance: id.clone(),
                        key: timer.key,
                        due: timer.at,
                        error: Some(reason),
                    });
                    p.dropped.push(id);
                    continue;
                }
            };
            let state = state.clone();
            let command = CommandId::new(format!("timer:{id}:{}", timer.key));
            let index = self.stage(
                &mut p,
                &id,
                command,
                &system,
                now,
                Some(state),
                version,
                events,
            )?;
            overlay.insert(id.clone(), index);
            if let Some(next) = self.def.next_timer(&p.commits[index].state, calendar)
                && next.at <= now
            {
                due.insert((next.at, id.clone()));
            }
            p.fired.push(Fired {
                instance: id,
                key: timer.key,
                due: timer.at,
                error: None,
            });
        }
        Ok(p)
    }
}
