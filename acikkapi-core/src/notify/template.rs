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
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Placeholder(name) => match values.iter().find(|(k, _)| k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        return Err(Error::MissingPlaceholder {
                            template: self.name.clone(),
                            placeholder: name.clone(),
                        });
                    }
                },
            }
        }
        Ok(out)
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
/// ```
/// use acikkapi_core::notify::{AnswerOutcome, SmsTemplates};
///
/// let t = SmsTemplates::embedded();
/// let sms = t.answered("2026-000123", AnswerOutcome::PartlyPositive)?;
/// assert!(sms.contains("2026-000123") && sms.contains("Sonuç: kısmen olumlu."));
/// # Ok::<(), acikkapi_core::Error>(())
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
        Ok(SmsTemplates {
            registered: Template::parse("registered", &file.registered.text)?,
            routed: Template::parse("routed", &file.routed.text)?,
            answered: Template::parse("answered", &file.answered.text)?,
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

    /// "Registered, your tracking number is …".
    pub fn registered(&self, tracking_number: &str) -> Result<String> {
        self.render(
            SmsStage::Registered,
            &[("tracking_number", tracking_number)],
        )
    }

    /// "Routed to …".
    pub fn routed(&self, tracking_number: &str, institution: &str) -> Result<String> {
        self.render(
            SmsStage::Routed,
            &[
                ("tracking_number", tracking_number),
                ("institution", institution),
            ],
        )
    }

    /// "Answered, outcome: …".
    pub fn answered(&self, tracking_number: &str, outcome: AnswerOutcome) -> Result<String> {
        self.render(
            SmsStage::Answered,
            &[
                ("tracking_number", tracking_number),
                ("outcome", outcome.label_tr()),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::sms::{SmsEncoding, analyze};

    #[test]
    fn embedded_templates_render() {
        let t = SmsTemplates::parse(EMBEDDED).unwrap();
        let reg = t.registered("2026-000123").unwrap();
        assert!(reg.contains("Takip numaranız: 2026-000123."), "{reg}");
        let routed = t
            .routed("2026-000123", "Denizli İl Sağlık Müdürlüğü")
            .unwrap();
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
            assert!(t.answered("2026-000123", o).unwrap().contains(word));
        }
        // Every citizen SMS fits one segment with the Turkish shift table (not 2+ UCS-2 segments).
        for text in [
            reg,
            routed,
            t.answered("2026-000123", AnswerOutcome::PartlyPositive)
                .unwrap(),
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
