//! The check at registration: the [`Validator`] port, with the project's
//! [`validate`](crate::validate) as the standard implementation.

use chrono::{DateTime, Utc};

use crate::application::{Application, ApplicationInput};
use crate::geo::Geography;
use crate::taxonomy::Taxonomy;
use crate::validate::{Rejection, validate_at};

/// Kayıt kontrolü: decides at registration whether a submission can be processed.
pub trait Validator: Send + Sync {
    /// The valid, normalised application, or every problem found (structured: field and kind,
    /// rendered to Turkish only when shown) why it cannot be processed. `received_at` is when the bureau received it: the reception time
    /// when the input has none, and the latest reception time accepted. Must be deterministic.
    fn validate(
        &self,
        input: &ApplicationInput,
        received_at: DateTime<Utc>,
    ) -> Result<Application, Rejection>;

    /// Whether a category code exists (for recategorisation).
    fn category_exists(&self, code: &str) -> bool;
}

/// The standard check: [`validate_at`] on the embedded geography and taxonomy.
#[derive(Debug, Clone, Copy, Default)]
pub struct StandardValidator;

impl Validator for StandardValidator {
    fn validate(
        &self,
        input: &ApplicationInput,
        received_at: DateTime<Utc>,
    ) -> Result<Application, Rejection> {
        let now = crate::time::to_local(received_at);
        validate_at(input, Geography::embedded(), Taxonomy::embedded(), now)
    }

    fn category_exists(&self, code: &str) -> bool {
        Taxonomy::embedded().require_category(code).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::ports::local_time;
    use chrono::NaiveDate;

    fn input() -> ApplicationInput {
        crate::workflow::application::tests::intake()
    }

    #[test]
    fn a_complete_input_is_valid_and_received_when_the_bureau_received_it() {
        let at = local_time(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), 10, 0);
        let app = StandardValidator.validate(&input(), at).unwrap();
        assert_eq!(app.category.as_str(), "EGITIM.DIGER");
        assert_eq!(app.received_at.with_timezone(&Utc), at);
    }

    #[test]
    fn every_problem_is_listed() {
        let at = local_time(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), 10, 0);
        let bad = ApplicationInput {
            tckn: Some("12345678901".into()),
            district: Some("Kadıköy".into()),
            category: Some("YOK.BOYLE".into()),
            ..input()
        };
        let problems = StandardValidator.validate(&bad, at).unwrap_err().problems;
        let fields: Vec<_> = problems.iter().map(|p| p.field()).collect();
        use crate::validate::Field;
        assert_eq!(
            fields,
            [
                Some(Field::Tckn),
                Some(Field::Category),
                Some(Field::District)
            ],
            "{problems:?}"
        );
        assert!(StandardValidator.category_exists("SAGLIK.DIGER"));
        assert!(!StandardValidator.category_exists("SAGLIK.YOK"));
    }
}
