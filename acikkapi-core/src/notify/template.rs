//! Message templates with named placeholders, and the embedded Turkish SMS texts.

use serde::{Deserialize, Serialize};

use crate::application::Outcome as AnswerOutcome;
use crate::{Error, Result};

/// A parsed template: literal text and `{name}` placeholders (`{{` and `}}` are literal braces).
///
/// ```
/// use acikkapi_core::notify::Template;
///
/// let t = Template::parse("greeting", "Merhaba {ad}, {{örnek}}")?;
/// assert_eq!(t.render(&[("ad", "Ayşe")])?, "Merhaba Ayşe, {örnek}");
/// assert!(t.render(&[]).is_err()); // missing {ad}
/// # Ok::<(), acikkapi_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    name: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Placeholder(String),
}

impl Template {
    /// Parses `text`; `name` is used in error messages.
    pub fn parse(name: &str, text: &str) -> Result<Template> {
        let err = |reason: String| Error::TemplateSyntax {
            template: name.to_string(),
            reason,
        };
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|p| p.1) == Some('{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek().map(|p| p.1) == Some('}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let mut ph = String::new();
                    loop {
                        match chars.next() {
                            Some((_, '}')) => break,
                            Some((_, c)) if c.is_alphanumeric() || c == '_' => ph.push(c),
                            Some((j, c)) => {
                                return Err(err(format!(
                                    "character {c:?} in placeholder at byte {j}"
                                )));
                            }
                            None => return Err(err(format!("unclosed {{ at byte {i}"))),
                        }
                    }
                    if ph.is_empty() {
                        return Err(err(format!("empty placeholder at byte {i}")));
                    }
                    if !lit.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Placeholder(ph));
                }
                '}' => {
                    return Err(err(format!(
                        "unmatched }} at byte {i} (write }}}} for a brace)"
                    )));
                }
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Text(lit));
        }
        Ok(Template {
            name: name.to_string(),
            parts,
        })
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The placeholder names, in order of appearance (with repeats).
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Placeholder(n) => Some(n.as_str()),
            Part::Text(_) => None,
        })
    }

    /// Fills in the placeholders from `values` (name, value); values not used are ignored.
    pub fn render(&self, values: &[(&str, &str)]) -> Result<String> {
        match self.expand(values) {
            (out, None) => Ok(out),
            (_, Some(name)) => Err(Error::MissingPlaceholder {
                template: self.name.clone(),
                placeholder: name.to_owned(),
            }),
        }
    }

    /// Renders a template already checked to use only the names in `values` (see
    /// [`SmsTemplates::parse`]); a name without a value would be written as `{name}`, which the
    /// check rules out.
    fn fill(&self, values: &[(&str, &str)]) -> String {
        self.expand(values).0
    }

    /// The text with every placeholder that has a value filled in (one without is written as
    /// `{name}`), and the first placeholder without a value.
    fn expand(&self, values: &[(&str, &str)]) -> (String, Option<&str>) {
        let mut out = String::new();
        let mut missing = None;
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Placeholder(name) => match values.iter().find(|(k, _)| k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        missing = missing.or(Some(name.as_str()));
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                },
            }
        }
        (out, missing)
    }
}

/// The stage of an application an SMS reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsStage {
    /// Kayıt: the application was registered (with its tracking number).
    Registered,
    /// Yönlendirme: the application was routed to an institution.
    Routed,
    /// Cevap: the application was answered (with its outcome).
    Answered,
}

impl SmsStage {
    /// The template's name in the data file.
    pub fn name(self) -> &'static str {
        match self {
            SmsStage::Registered => "registered",
            SmsStage::Routed => "routed",
            SmsStage::Answered => "answered",
        }
    }

    /// Every stage.
    pub const ALL: [SmsStage; 3] = [SmsStage::Registered, SmsStage::Routed, SmsStage::Answered];

    /// The placeholders the stage's SMS is rendered with: a template may use these and no
    /// others ([`SmsTemplates::parse`] refuses any other).
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            SmsStage::Registered => &["tracking_number"],
            SmsStage::Routed => &["tracking_number", "institution"],
            SmsStage::Answered => &["tracking_number", "outcome"],
        }
    }
}

#[derive(Deserialize)]
struct TemplatesFile {
    schema: u32,
    registered: TemplateEntry,
    routed: TemplateEntry,
    answered: TemplateEntry,
}

#[derive(Deserialize)]
struct TemplateEntry {
    text: String,
}

/// The SMS texts for the three stages (`data/sms_templates.toml`, or a file of the same shape).
///
/// A value of this type renders every stage: [`parse`](Self::parse) refuses a template that
/// uses a placeholder its stage does not provide ([`SmsStage::placeholders`]), so the texts for
/// the workflow ([`registered`](Self::registered), [`routed`](Self::routed),
/// [`answered`](Self::answered)) cannot fail and no SMS is ever dropped for a template error.
///
/// ```
/// use acikkapi_core::notify::{AnswerOutcome, SmsTemplates};
///
/// let t = SmsTemplates::embedded();
/// let sms = t.answered("2026-000123", AnswerOutcome::PartlyPositive);
/// assert!(sms.contains("2026-000123") && sms.contains("Sonuç: kısmen olumlu."));
/// // A set whose routed SMS names something the workflow does not give is refused up front.
/// let bad = r#"schema = 1
/// [registered]
/// text = "{tracking_number}"
/// [routed]
/// text = "{tracking_number} {officer}"
/// [answered]
/// text = "{outcome}""#;
/// assert!(SmsTemplates::parse(bad).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsTemplates {
    registered: Template,
    routed: Template,
    answered: Template,
}

const EMBEDDED: &str = include_str!("../../data/sms_templates.toml");

impl SmsTemplates {
    /// Parses a templates file.
    pub fn parse(text: &str) -> Result<SmsTemplates> {
        let data_err = |line: usize, message: String| Error::DataFile {
            file: "sms_templates.toml".into(),
            line,
            message,
        };
        let file: TemplatesFile = toml::from_str(text).map_err(|e| data_err(0, e.to_string()))?;
        if file.schema != 1 {
            return Err(Error::UnsupportedSchema {
                found: file.schema,
                supported: 1,
            });
        }
        let checked = |stage: SmsStage, entry: &TemplateEntry| -> Result<Template> {
            let t = Template::parse(stage.name(), &entry.text)?;
            let known = stage.placeholders();
            if let Some(unknown) = t.placeholders().find(|p| !known.contains(p)) {
                let given: Vec<String> = known.iter().map(|k| format!("{{{k}}}")).collect();
                return Err(Error::TemplateSyntax {
                    template: stage.name().to_string(),
                    reason: format!(
                        "unknown placeholder {{{unknown}}}: this SMS is rendered with {}",
                        given.join(", ")
                    ),
                });
            }
            Ok(t)
        };
        Ok(SmsTemplates {
            registered: checked(SmsStage::Registered, &file.registered)?,
            routed: checked(SmsStage::Routed, &file.routed)?,
            answered: checked(SmsStage::Answered, &file.answered)?,
        })
    }

    /// The embedded templates.
    pub fn embedded() -> SmsTemplates {
        // Embedded at compile time and parsed by the test `embedded_templates_render`, so this
        // cannot fail at run time.
        SmsTemplates::parse(EMBEDDED).unwrap_or_else(|e| panic!("embedded sms_templates.toml: {e}"))
    }

    /// The template of a stage.
    pub fn template(&self, stage: SmsStage) -> &Template {
        match stage {
            SmsStage::Registered => &self.registered,
            SmsStage::Routed => &self.routed,
            SmsStage::Answered => &self.answered,
        }
    }

    /// Renders a stage's template with the given values.
    pub fn render(&self, stage: SmsStage, values: &[(&str, &str)]) -> Result<String> {
        self.template(stage).render(values)
    }

    /// "Registered, your tracking number is …". Cannot fail: the set was checked at parse.
    pub fn registered(&self, tracking_number: &str) -> String {
        self.registered
            .fill(&[("tracking_number", tracking_number)])
    }

    /// "Routed to …". Cannot fail: the set was checked at parse.
    pub fn routed(&self, tracking_number: &str, institution: &str) -> String {
        self.routed.fill(&[
            ("tracking_number", tracking_number),
            ("institution", institution),
        ])
    }

    /// "Answered, outcome: …". Cannot fail: the set was checked at parse.
    pub fn answered(&self, tracking_number: &str, outcome: AnswerOutcome) -> String {
        self.answered.fill(&[
            ("tracking_number", tracking_number),
            ("outcome", outcome.label_tr()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::sms::{SmsEncoding, analyze};

    #[test]
    fn embedded_templates_render() {
        let t = SmsTemplates::parse(EMBEDDED).unwrap();
        let reg = t.registered("2026-000123");
        assert!(reg.contains("Takip numaranız: 2026-000123."), "{reg}");
        let routed = t.routed("2026-000123", "Denizli İl Sağlık Müdürlüğü");
        assert!(
            routed.contains(
                "başvurunuz incelenmek üzere Denizli İl Sağlık Müdürlüğü birimine iletildi"
            )
        );
        for (o, word) in [
            (AnswerOutcome::Positive, "Sonuç: olumlu."),
            (AnswerOutcome::Negative, "Sonuç: olumsuz."),
            (AnswerOutcome::PartlyPositive, "Sonuç: kısmen olumlu."),
        ] {
            assert!(t.answered("2026-000123", o).contains(word));
        }
        // Every citizen SMS fits one segment with the Turkish shift table (not 2+ UCS-2 segments).
        for text in [
            reg,
            routed,
            t.answered("2026-000123", AnswerOutcome::PartlyPositive),
        ] {
            let info = analyze(&text);
            assert_eq!(info.encoding, SmsEncoding::Gsm7Turkish, "{text}");
            assert_eq!(info.segments, 1, "{text}: {info:?}");
        }
    }

    #[test]
    fn missing_placeholder_is_a_typed_error() {
        let t = SmsTemplates::embedded();
        let err = t
            .render(SmsStage::Routed, &[("tracking_number", "1")])
            .unwrap_err();
        assert!(
            matches!(&err, Error::MissingPlaceholder { template, placeholder } if template == "routed" && placeholder == "institution")
        );
        assert_eq!(
            t.template(SmsStage::Routed)
                .placeholders()
                .collect::<Vec<_>>(),
            ["tracking_number", "institution"]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_fails_typed(text in "\\PC{0,60}") {
            match Template::parse("t", &text) {
                Ok(t) => {
                    let names: Vec<String> = t.placeholders().map(String::from).collect();
                    let values: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "X")).collect();
                    let out = t.render(&values).unwrap();
                    if names.is_empty() {
                        proptest::prop_assert_eq!(out, text.replace("{{", "{").replace("}}", "}"));
                    }
                }
                Err(e) => {
                    let typed = matches!(e, Error::TemplateSyntax { .. });
                    proptest::prop_assert!(typed, "unexpected error {}", e);
                }
            }
        }
    }

    #[test]
    fn a_set_that_cannot_render_a_stage_is_refused() {
        let file = |registered: &str, routed: &str, answered: &str| {
            format!(
                "schema = 1\n[registered]\ntext = \"{registered}\"\n[routed]\ntext = \"{routed}\"\n[answered]\ntext = \"{answered}\"\n"
            )
        };
        let ok = SmsTemplates::parse(&file("K {tracking_number}", "{institution}", "{outcome}"))
            .unwrap();
        assert_eq!(ok.registered("T1"), "K T1");
        assert_eq!(ok.routed("T1", "Birim"), "Birim");
        // Each stage may use only what it is rendered with: {institution} is not given to the
        // registered SMS, {outcome} not to the routed one, {ad} to none.
        for (bad, stage) in [
            (file("{institution}", "x", "x"), "registered"),
            (file("x", "{tracking_number} {outcome}", "x"), "routed"),
            (file("x", "x", "{tracking_number} {ad}"), "answered"),
        ] {
            match SmsTemplates::parse(&bad) {
                Err(Error::TemplateSyntax { template, reason }) => {
                    assert_eq!(template, stage);
                    assert!(reason.contains("unknown placeholder"), "{reason}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn syntax_errors() {
        for bad in ["a {unclosed", "a {} b", "a } b", "a {x y}"] {
            assert!(
                matches!(Template::parse("t", bad), Err(Error::TemplateSyntax { .. })),
                "{bad}"
            );
        }
        let t = Template::parse("t", "{{{x}}}").unwrap();
        assert_eq!(t.render(&[("x", "1")]).unwrap(), "{1}");
        assert!(matches!(
            SmsTemplates::parse("schema = 2"),
            Err(Error::DataFile { .. })
        ));
    }
}
