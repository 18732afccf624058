//! The scripted router as the simulation's router ([`acikkapi_core::sim::SimRouter`]), so that a
//! policy experiment can put a province's Rhai rule set under test.

use std::path::Path;
use std::sync::Arc;

use acikkapi_core::application::Application;
use acikkapi_core::geo::ProvincePlate;
use acikkapi_core::org::UnitId;
use acikkapi_core::routing::{Decision, Router};
use acikkapi_core::sim::{Policy, SimRouter};

use crate::{OrgEnv, RuleRegistry, RuleSet, ScriptedRouter};

/// A [`ScriptedRouter`] with a label for reports (`"20-denizli.rhai@1a2b3c4d"`).
#[derive(Debug)]
pub struct ScriptedSimRouter {
    router: ScriptedRouter,
    label: String,
}

impl SimRouter for ScriptedSimRouter {
    fn route(&self, app: &Application) -> acikkapi_core::Result<Decision> {
        self.router
            .route_application(app)
            .map_err(|e| acikkapi_core::Error::InvalidSimulation {
                what: "rules",
                message: e.to_string(),
            })
    }

    fn unit_name(&self, unit: &UnitId) -> String {
        SimRouter::unit_name(self.router.native(), unit)
    }

    fn label(&self) -> String {
        self.label.clone()
    }
}

/// The router a policy asks for in a province: the native router with the policy's deadline, and
/// on top of it the policy's rule set (`policy.rules`, a path to a `.rhai` file) when it names one.
/// Errors: an unknown province, an unreadable or invalid rule file.
pub fn router_for_policy(policy: &Policy, plate: u8) -> crate::Result<Box<dyn SimRouter>> {
    let native_err = |e: acikkapi_core::Error| crate::Error::Native(e.to_string());
    let p = ProvincePlate::new(plate).map_err(native_err)?;
    let native = Router::for_province(p)
        .map_err(native_err)?
        .with_policy(policy.deadline_policy());
    let Some(path) = &policy.rules else {
        return Ok(Box::new(native));
    };
    let source = crate::source::read_script(Path::new(path))?;
    let rules = RuleSet::compile(path, &source, Arc::new(OrgEnv::for_province(plate)?))?;
    let label = format!(
        "{}@{}",
        Path::new(path)
            .file_name()
            .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned()),
        rules.short_version()
    );
    Ok(Box::new(ScriptedSimRouter {
        router: ScriptedRouter::new(native, RuleRegistry::with(plate, rules)),
        label,
    }))
}
