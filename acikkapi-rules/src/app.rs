//! The read-only application view a rule script sees as `app`.
//!
//! Scripts do not get the Rust domain model: they get a flat, documented record of the fields that
//! matter for routing (see `RULES.md`). [`AppView`] is that record on the Rust side; inside the
//! script it is the constant `app`, with read-only properties (`app.category`, `app.district`, …).

use chrono::NaiveDate;
use rhai::{Engine, ImmutableString};
use serde::{Deserialize, Serialize};

/// Başvuru görünümü: the routing-relevant fields of an application, as a script sees them.
///
/// ```
/// use acikkapi_rules::AppView;
/// let app = AppView::new("YEREL.DIGER", 20, "Pamukkale");
/// assert_eq!(app.heading(), "YEREL");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppView {
    /// Kategori kodu, e.g. `"YEREL.DIGER"`.
    pub category: String,
    /// İl plaka kodu (1–81).
    pub province: u8,
    /// İlçe adı as registered (e.g. `"Pamukkale"`; empty for the province centre).
    pub district: String,
    /// Başvuru türü: `"sikayet"`, `"talep"`, `"ihbar"`, `"bilgi"`, …
    pub kind: String,
    /// Başvuru kanalı: `"web"`, `"e-devlet"`, `"yuz_yuze"`, `"telefon"`, `"posta"`, …
    pub channel: String,
    /// Özel başvuru (special application: elderly, disabled, martyr's family, …).
    pub special: bool,
    /// Önem derecesi, 0 (normal) … 5 (most important).
    pub importance: u8,
    /// Olağanüstü hal (state of emergency) routing in force.
    pub ohal: bool,
    /// Gizli başvuru (confidential: applicant identity hidden from the unit).
    pub confidential: bool,
    /// Refakatli başvuru (the applicant is accompanied by a carer).
    pub escort: bool,
    /// Doğrudan birime: a unit the registering officer chose by hand (empty when none).
    pub direct_to_unit: String,
    /// Başvuru metni, the citizen's text.
    pub text: String,
    /// Başvuru tarihi (date received).
    pub received: NaiveDate,
}

impl Default for AppView {
    fn default() -> Self {
        AppView {
            category: String::new(),
            province: 1,
            district: String::new(),
            kind: "sikayet".into(),
            channel: "web".into(),
            special: false,
            importance: 0,
            ohal: false,
            confidential: false,
            escort: false,
            direct_to_unit: String::new(),
            text: String::new(),
            // 2026-01-05 is a Monday: a neutral default received date. The literal is valid.
            received: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default(),
        }
    }
}

impl AppView {
    /// A view with the given category, province and district and default other fields.
    pub fn new(category: &str, province: u8, district: &str) -> AppView {
        AppView {
            category: category.to_string(),
            province,
            district: district.to_string(),
            ..AppView::default()
        }
    }

    /// Hizmet başlığı: the heading part of the category code (before the first `.`).
    pub fn heading(&self) -> &str {
        self.category.split('.').next().unwrap_or("")
    }

    /// The value of one field, as part of a cache key.
    pub(crate) fn key_part(&self, field: Field) -> KeyPart {
        match field {
            Field::Category => KeyPart::Str(self.category.clone()),
            Field::Heading => KeyPart::Str(self.heading().to_string()),
            Field::Kind => KeyPart::Str(self.kind.clone()),
            Field::Channel => KeyPart::Str(self.channel.clone()),
            Field::Province => KeyPart::Int(i64::from(self.province)),
            Field::District => KeyPart::Str(self.district.clone()),
            Field::Special => KeyPart::Int(i64::from(self.special)),
            Field::Importance => KeyPart::Int(i64::from(self.importance)),
            Field::Ohal => KeyPart::Int(i64::from(self.ohal)),
            Field::Confidential => KeyPart::Int(i64::from(self.confidential)),
            Field::Escort => KeyPart::Int(i64::from(self.escort)),
            Field::DirectToUnit => KeyPart::Str(self.direct_to_unit.clone()),
            Field::Text => KeyPart::Str(self.text.clone()),
            Field::Received => KeyPart::Int(i64::from(
                self.received
                    .signed_duration_since(NaiveDate::MIN)
                    .num_days() as i32,
            )),
        }
    }
}

impl AppView {
    /// Feeds the value of one field to a hasher (no allocation).
    pub(crate) fn hash_field<H: std::hash::Hasher>(&self, field: Field, h: &mut H) {
        use std::hash::Hash;
        match field {
            Field::Category => self.category.hash(h),
            Field::Heading => self.heading().hash(h),
            Field::Kind => self.kind.hash(h),
            Field::Channel => self.channel.hash(h),
            Field::Province => self.province.hash(h),
            Field::District => self.district.hash(h),
            Field::Special => self.special.hash(h),
            Field::Importance => self.importance.hash(h),
            Field::Ohal => self.ohal.hash(h),
            Field::Confidential => self.confidential.hash(h),
            Field::Escort => self.escort.hash(h),
            Field::DirectToUnit => self.direct_to_unit.hash(h),
            Field::Text => self.text.hash(h),
            Field::Received => self.received.hash(h),
        }
    }

    /// Whether a field has the value of a cache-key part (no allocation).
    pub(crate) fn field_is(&self, field: Field, part: &KeyPart) -> bool {
        match (part, self.key_str(field)) {
            (KeyPart::Str(s), Some(v)) => s == v,
            (KeyPart::Int(_), None) => self.key_part(field) == *part,
            _ => false,
        }
    }

    fn key_str(&self, field: Field) -> Option<&str> {
        Some(match field {
            Field::Category => &self.category,
            Field::Heading => self.heading(),
            Field::Kind => &self.kind,
            Field::Channel => &self.channel,
            Field::District => &self.district,
            Field::DirectToUnit => &self.direct_to_unit,
            Field::Text => &self.text,
            _ => return None,
        })
    }
}

/// One value of a cache key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum KeyPart {
    Str(String),
    Int(i64),
}

/// A field of `app` a script can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// `app.category`
    Category,
    /// `app.heading`
    Heading,
    /// `app.kind`
    Kind,
    /// `app.channel`
    Channel,
    /// `app.province`
    Province,
    /// `app.district`
    District,
    /// `app.special`
    Special,
    /// `app.importance`
    Importance,
    /// `app.ohal`
    Ohal,
    /// `app.confidential`
    Confidential,
    /// `app.escort`
    Escort,
    /// `app.direct_to_unit`
    DirectToUnit,
    /// `app.text`
    Text,
    /// `app.received`
    Received,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 14] = [
        Field::Category,
        Field::Heading,
        Field::Kind,
        Field::Channel,
        Field::Province,
        Field::District,
        Field::Special,
        Field::Importance,
        Field::Ohal,
        Field::Confidential,
        Field::Escort,
        Field::DirectToUnit,
        Field::Text,
        Field::Received,
    ];

    /// The property name in scripts (`app.<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Field::Category => "category",
            Field::Heading => "heading",
            Field::Kind => "kind",
            Field::Channel => "channel",
            Field::Province => "province",
            Field::District => "district",
            Field::Special => "special",
            Field::Importance => "importance",
            Field::Ohal => "ohal",
            Field::Confidential => "confidential",
            Field::Escort => "escort",
            Field::DirectToUnit => "direct_to_unit",
            Field::Text => "text",
            Field::Received => "received",
        }
    }

    /// The field with that property name.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The script-side `app` value: the same fields as [`AppView`], as cheap-to-clone Rhai strings.
#[derive(Debug, Clone)]
pub(crate) struct ScriptApp {
    category: ImmutableString,
    heading: ImmutableString,
    kind: ImmutableString,
    channel: ImmutableString,
    district: ImmutableString,
    direct_to_unit: ImmutableString,
    text: ImmutableString,
    received: ImmutableString,
    pub(crate) received_date: NaiveDate,
    province: i64,
    importance: i64,
    special: bool,
    ohal: bool,
    confidential: bool,
    escort: bool,
}

impl From<&AppView> for ScriptApp {
    fn from(a: &AppView) -> ScriptApp {
        ScriptApp {
            category: a.category.as_str().into(),
            heading: a.heading().into(),
            kind: a.kind.as_str().into(),
            channel: a.channel.as_str().into(),
            district: a.district.as_str().into(),
            direct_to_unit: a.direct_to_unit.as_str().into(),
            text: a.text.as_str().into(),
            received: a.received.format("%Y-%m-%d").to_string().into(),
            received_date: a.received,
            province: i64::from(a.province),
            importance: i64::from(a.importance),
            special: a.special,
            ohal: a.ohal,
            confidential: a.confidential,
            escort: a.escort,
        }
    }
}

/// Registers the `app` type and its read-only properties.
pub(crate) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<ScriptApp>("Application");
    macro_rules! getters {
        ($($name:ident),*) => {$(
            engine.register_get(stringify!($name), |a: &mut ScriptApp| a.$name.clone());
        )*};
    }
    getters!(
        category,
        heading,
        kind,
        channel,
        district,
        direct_to_unit,
        text,
        received,
        province,
        importance,
        special,
        ohal,
        confidential,
        escort
    );
}
