//! Başvuru: the application model — what a citizen asked, who asked, where, when and how.
//!
//! [`Application`] is a *valid* application (build one with [`crate::validate::validate`] from
//! an [`ApplicationInput`], the raw form as a clerk or a web form sends it).
//!
//! Serialization: every type has stable snake_case JSON field names. An applicant's TCKN and
//! phone number serialize **masked** by default (logs); wrap the value in
//! [`Full`](crate::ids::Full) to store it losslessly:
//!
//! ```
//! # use acikkapi_core::{application::*, geo::ProvincePlate, ids::*, taxonomy::CategoryCode};
//! # use chrono::TimeZone;
//! let app = Application {
//!     tracking_number: None,
//!     kind: ApplicationKind::Sikayet,
//!     channel: Channel::EDevlet,
//!     applicant: Applicant {
//!         id: Tckn::from_first_nine(1),
//!         name: "Ayşe".into(),
//!         surname: "Yılmaz".into(),
//!         mother_maiden_initials: ('K', 'A'),
//!         phone: PhoneNumber::parse("0532 000 00 01").unwrap(),
//!         birth_year: Some(1980),
//!         gender: Some(Gender::Female),
//!     },
//!     subject: "Mahallemizde üç gündür çöpler toplanmıyor.".into(),
//!     category: CategoryCode::parse("YEREL.DIGER").unwrap(),
//!     location: Location { province: ProvincePlate::new(20).unwrap(), district: "Pamukkale".into() },
//!     received_at: chrono_tz::Europe::Istanbul.with_ymd_and_hms(2026, 11, 23, 10, 30, 0).unwrap(),
//!     flags: Flags::default(),
//! };
//! let log = serde_json::to_string(&app).unwrap();
//! assert!(log.contains("\"100******46\"") && !log.contains("10000000146"));
//! let stored = serde_json::to_string(&acikkapi_core::ids::Full(&app)).unwrap();
//! assert!(stored.contains("\"received_at\":\"2026-11-23T10:30:00+03:00\""));
//! let back: Application = serde_json::from_str(&stored).unwrap();
//! assert_eq!(back, app);
//! ```

mod input;

use std::fmt;
use std::str::FromStr;

use chrono::DateTime;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::geo::ProvincePlate;
use crate::ids::{PhoneNumber, Tckn, TrackingNumber};
use crate::taxonomy::CategoryCode;
use crate::text::search_key;

pub use input::{ApplicationInput, TextOrNumber};

/// Başvuru: an application by a citizen, checked and normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// Başvuru takip numarası: assigned at registration (`None` before).
    pub tracking_number: Option<TrackingNumber>,
    /// Şikâyet, talep or ihbar.
    pub kind: ApplicationKind,
    /// Where it was received.
    pub channel: Channel,
    /// Başvuru sahibi: who applied.
    pub applicant: Applicant,
    /// Konu / başvuru metni: the citizen's text, trimmed.
    pub subject: String,
    /// Kategori: the category it is classified under.
    pub category: CategoryCode,
    /// Where the matter is (province and district).
    pub location: Location,
    /// Başvuru tarihi: when it was received, in Europe/Istanbul time. Serialized as RFC 3339
    /// with offset; any offset is accepted when reading and converted to Europe/Istanbul.
    #[serde(with = "istanbul_time")]
    pub received_at: DateTime<Tz>,
    /// Özellikli, gizli, OHAL, mihmandarlık and other markers.
    #[serde(default)]
    pub flags: Flags,
}

impl Application {
    /// The applicant de-identified for statistics, with the age taken in the year the
    /// application was received.
    pub fn deidentified_applicant(&self) -> DeidentifiedApplicant {
        use chrono::Datelike;
        self.applicant.deidentified(self.received_at.year())
    }
}

/// Serde for a `DateTime<Tz>` in Europe/Istanbul: RFC 3339 with offset out; any RFC 3339 offset
/// in, converted to Europe/Istanbul.
pub mod istanbul_time {
    use chrono::{DateTime, SecondsFormat};
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `2026-11-23T10:30:00+03:00` (seconds precision unless there are fractions).
    pub fn serialize<S: Serializer>(t: &DateTime<Tz>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, false))
    }

    /// Reads any RFC 3339 time and converts it to Europe/Istanbul.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Tz>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(s.trim())
            .map(crate::time::to_local)
            .map_err(serde::de::Error::custom)
    }
}

/// Turkish display names and lenient parsing for the small enums below.
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident = $serde:literal, $tr:literal $(| $alias:literal)*;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $serde)] $variant,)+
        }

        impl $name {
            /// All values, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The Turkish display name.
            pub fn name_tr(self) -> &'static str {
                match self { $($name::$variant => $tr,)+ }
            }

            /// The stable serde name.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $serde,)+ }
            }

            /// Parses the serde name, the Turkish name or a common alias, in any case, with or
            /// without Turkish letters, with spaces, `-` or `_` between words.
            pub fn parse(s: &str) -> Option<$name> {
                let key = search_key(s);
                $(
                    if key == search_key($serde) || key == search_key($tr) $(|| key == search_key($alias))* {
                        return Some($name::$variant);
                    }
                )+
                None
            }
        }

        impl fmt::Display for $name {
            /// The Turkish display name.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name_tr())
            }
        }

        impl FromStr for $name {
            type Err = String;
            /// Like [`parse`](Self::parse); the error is the input.
            fn from_str(s: &str) -> Result<Self, String> {
                Self::parse(s).ok_or_else(|| format!("{}: {s:?}", $what))
            }
        }
    };
}

named_enum!(
    /// Başvuru türü: the kind of application.
    ///
    /// ```
    /// use acikkapi_core::application::ApplicationKind;
    /// assert_eq!(ApplicationKind::Sikayet.to_string(), "Şikâyet");
    /// assert_eq!(ApplicationKind::parse("ŞİKAYET"), Some(ApplicationKind::Sikayet));
    /// assert_eq!(serde_json::to_string(&ApplicationKind::Ihbar).unwrap(), "\"ihbar\"");
    /// ```
    ApplicationKind, "başvuru türü" {
        /// Şikâyet: a complaint.
        Sikayet = "sikayet", "Şikâyet" | "şikayet";
        /// Talep: a request.
        Talep = "talep", "Talep" | "istek";
        /// İhbar: a tip-off / report of wrongdoing.
        Ihbar = "ihbar", "İhbar";
    }
);

named_enum!(
    /// Başvuru kanalı: where an application was received.
    ///
    /// ```
    /// use acikkapi_core::application::Channel;
    /// assert_eq!(Channel::Kiosk.to_string(), "KİOSK");
    /// assert_eq!(Channel::parse("e-devlet"), Some(Channel::EDevlet));
    /// assert_eq!(Channel::parse("Çağrı Merkezi"), Some(Channel::CagriMerkezi));
    /// ```
    Channel, "başvuru kanalı" {
        /// At the counter, spoken (the clerk writes it down).
        BankoSozlu = "banko_sozlu", "Banko (sözlü)" | "sözlü";
        /// At the counter, a written petition (dilekçe).
        BankoYazili = "banko_yazili", "Banko (yazılı)" | "yazılı" | "dilekçe";
        /// The web site.
        Web = "web", "Web" | "internet";
        /// The mobile app.
        Mobil = "mobil", "Mobil" | "mobile";
        /// e-Devlet Kapısı.
        EDevlet = "e_devlet", "e-Devlet" | "edevlet";
        /// A kiosk at the governorship.
        Kiosk = "kiosk", "KİOSK";
        /// The call centre.
        CagriMerkezi = "cagri_merkezi", "Çağrı Merkezi" | "telefon";
    }
);

named_enum!(
    /// Mihmandarlık gerekçesi: why an applicant is escorted through the building.
    EscortReason, "mihmandarlık gerekçesi" {
        /// Yaşlı: elderly.
        Elderly = "elderly", "Yaşlı";
        /// Engelli: disabled.
        Disabled = "disabled", "Engelli";
        /// Hasta: sick.
        Sick = "sick", "Hasta";
        /// Şehit yakını: relative of a martyr.
        MartyrRelative = "martyr_relative", "Şehit yakını" | "şehit ailesi";
        /// Gazi: veteran.
        Veteran = "veteran", "Gazi";
    }
);

named_enum!(
    /// Cinsiyet.
    Gender, "cinsiyet" {
        /// Kadın.
        Female = "female", "Kadın" | "k" | "f";
        /// Erkek.
        Male = "male", "Erkek" | "e" | "m";
    }
);

named_enum!(
    /// Yaş grubu: an age group for de-identified statistics.
    AgeGroup, "yaş grubu" {
        /// 0–17.
        Under18 = "0-17", "0–17";
        /// 18–29.
        From18To29 = "18-29", "18–29";
        /// 30–44.
        From30To44 = "30-44", "30–44";
        /// 45–64.
        From45To64 = "45-64", "45–64";
        /// 65 and over.
        From65 = "65+", "65 ve üzeri";
    }
);

impl AgeGroup {
    /// The group of an age in years.
    ///
    /// ```
    /// use acikkapi_core::application::AgeGroup;
    /// assert_eq!(AgeGroup::of_age(17), AgeGroup::Under18);
    /// assert_eq!(AgeGroup::of_age(18), AgeGroup::From18To29);
    /// assert_eq!(AgeGroup::of_age(65), AgeGroup::From65);
    /// ```
    pub fn of_age(age: u32) -> AgeGroup {
        match age {
            0..=17 => AgeGroup::Under18,
            18..=29 => AgeGroup::From18To29,
            30..=44 => AgeGroup::From30To44,
            45..=64 => AgeGroup::From45To64,
            _ => AgeGroup::From65,
        }
    }
}

/// Başvuru sahibi: the applicant. `Debug`, `Display` and the default `Serialize` show the TCKN
/// and the phone number masked (see [`crate::ids`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    /// T.C. Kimlik No or Yabancı Kimlik No.
    pub id: Tckn,
    /// Ad, in Turkish title case.
    pub name: String,
    /// Soyad, in Turkish title case.
    pub surname: String,
    /// Anne kızlık soyadının ilk ve son harfi: first and last letter of the mother's maiden
    /// surname (upper case), an identity check at the counter. Serialized as a 2-letter string.
    #[serde(with = "initials")]
    pub mother_maiden_initials: (char, char),
    /// Cep telefonu, for SMS.
    pub phone: PhoneNumber,
    /// Doğum yılı.
    #[serde(default)]
    pub birth_year: Option<u16>,
    /// Cinsiyet.
    #[serde(default)]
    pub gender: Option<Gender>,
}

impl Applicant {
    /// The applicant de-identified for analysts: age group (at `reference_year`), gender and
    /// whether a foreigner — no name, no identifiers.
    ///
    /// ```
    /// # use acikkapi_core::{application::*, ids::*};
    /// let a = Applicant {
    ///     id: Tckn::from_first_nine(1), name: "Ali".into(), surname: "Kaya".into(),
    ///     mother_maiden_initials: ('A', 'N'), phone: PhoneNumber::parse("5320000001").unwrap(),
    ///     birth_year: Some(1950), gender: Some(Gender::Male),
    /// };
    /// let d = a.deidentified(2026);
    /// assert_eq!(d.age_group, Some(AgeGroup::From65));
    /// assert_eq!(serde_json::to_string(&d).unwrap(),
    ///            r#"{"age_group":"65+","gender":"male","foreigner":false}"#);
    /// ```
    pub fn deidentified(&self, reference_year: i32) -> DeidentifiedApplicant {
        let age_group = self.birth_year.and_then(|y| {
            let age = reference_year - i32::from(y);
            u32::try_from(age).ok().map(AgeGroup::of_age)
        });
        DeidentifiedApplicant {
            age_group,
            gender: self.gender,
            foreigner: self.id.is_foreigner(),
        }
    }
}

impl fmt::Display for Applicant {
    /// `Ayşe Yılmaz (TCKN 100******46, tel. +90 5** *** ** 01)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} (TCKN {}, tel. {})",
            self.name, self.surname, self.id, self.phone
        )
    }
}

/// Serde for the mother's maiden initials as a 2-letter string (`"KA"`).
mod initials {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &(char, char), s: S) -> Result<S::Ok, S::Error> {
        let mut out = String::with_capacity(8);
        out.push(v.0);
        out.push(v.1);
        s.serialize_str(&out)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<(char, char), D::Error> {
        let s = String::deserialize(d)?;
        let mut it = s.chars();
        match (it.next(), it.next(), it.next()) {
            (Some(a), Some(b), None) if a.is_alphabetic() && b.is_alphabetic() => Ok((a, b)),
            _ => Err(serde::de::Error::custom(format!(
                "anne kızlık soyadı baş ve son harfi iki harf olmalı: {s:?}"
            ))),
        }
    }
}

/// A de-identified applicant for statistics: no name, no identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeidentifiedApplicant {
    /// Age group, when the birth year is known.
    pub age_group: Option<AgeGroup>,
    /// Gender, when known.
    pub gender: Option<Gender>,
    /// Whether the applicant has a Yabancı Kimlik No.
    pub foreigner: bool,
}

/// Yer: where the matter of the application is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// İl.
    pub province: ProvincePlate,
    /// İlçe, by its canonical name in [`crate::geo`].
    pub district: String,
}

/// Başvuru işaretleri: markers that change how an application is handled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Flags {
    /// Özellikli başvuru: needs the governor's or district governor's attention.
    pub special: bool,
    /// Gizli: confidential; visible only to authorised officers.
    pub confidential: bool,
    /// OHAL: concerns the state-of-emergency measures.
    pub ohal: bool,
    /// Mihmandarlık: the applicant is escorted, and why.
    pub escort: Option<EscortReason>,
    /// Kimlik gizlensin: the applicant asked that their identity not be disclosed to the unit.
    pub hide_identity: bool,
    /// Birime doğrudan başvuru: the citizen asked to apply to this unit directly; the
    /// application is redirected there.
    pub direct_to_unit: Option<String>,
}

/// Sonuç: the outcome of an answered application (olumlu, olumsuz, kısmen olumlu). Also
/// `workflow::application::Outcome`, `stats::Outcome` and `notify::AnswerOutcome` (the SMS
/// templates name it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Olumlu: granted / founded.
    Positive,
    /// Olumsuz: refused / unfounded.
    Negative,
    /// Kısmen olumlu: partly granted.
    PartlyPositive,
}

impl Outcome {
    /// All outcomes.
    pub const ALL: [Outcome; 3] = [
        Outcome::Positive,
        Outcome::Negative,
        Outcome::PartlyPositive,
    ];

    /// Parses an outcome as an officer or analyst writes it: the Turkish label in any case, with or
    /// without Turkish letters (`olumlu`, `OLUMSUZ`, `kısmen olumlu`, `kismen_olumlu`) or the
    /// serde name (`positive`, `negative`, `partly_positive`).
    ///
    /// ```
    /// use acikkapi_core::application::Outcome;
    /// assert_eq!(Outcome::parse("Kısmen Olumlu"), Some(Outcome::PartlyPositive));
    /// assert_eq!(Outcome::parse("negative"), Some(Outcome::Negative));
    /// assert_eq!(Outcome::parse("belki"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Outcome> {
        let key = search_key(s);
        Outcome::ALL.into_iter().find(|o| {
            let serde_name = match o {
                Outcome::Positive => "positive",
                Outcome::Negative => "negative",
                Outcome::PartlyPositive => "partly positive",
            };
            key == search_key(o.label_tr()) || key == serde_name
        })
    }

    /// The word used in messages to the citizen.
    pub fn label_tr(self) -> &'static str {
        match self {
            Outcome::Positive => "olumlu",
            Outcome::Negative => "olumsuz",
            Outcome::PartlyPositive => "kısmen olumlu",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Full;
    use proptest::prelude::*;

    proptest! {
        /// An applicant's Debug, Display and default JSON never contain the full TCKN or the
        /// phone number; the full JSON round-trips.
        #[test]
        fn applicant_output_is_masked(
            n in any::<u32>(),
            block in prop::sample::select(vec![50u32, 53, 54, 55]),
            p in 0u32..100_000_000,
        ) {
            // 50x, 53x, 54x, 55x: mobile blocks (any 5xx is not: 512 is a pager range).
            let national = format!("{block}{p:08}");
            let a = Applicant {
                id: Tckn::from_first_nine(n),
                name: "Ayşe".into(),
                surname: "Yılmaz".into(),
                mother_maiden_initials: ('K', 'A'),
                phone: PhoneNumber::parse(&national).unwrap(),
                birth_year: None,
                gender: None,
            };
            let out = format!("{a} {a:?} {a:#?} {}", serde_json::to_string(&a).unwrap());
            prop_assert!(!out.contains(a.id.expose()));
            prop_assert!(!out.contains(&national[1..]));
            let stored = serde_json::to_string(&Full(&a)).unwrap();
            prop_assert_eq!(serde_json::from_str::<Applicant>(&stored).unwrap(), a);
        }
    }

    #[test]
    fn display_names() {
        let kinds: Vec<&str> = ApplicationKind::ALL.iter().map(|k| k.name_tr()).collect();
        assert_eq!(kinds, ["Şikâyet", "Talep", "İhbar"]);
        let channels: Vec<String> = Channel::ALL.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            channels,
            [
                "Banko (sözlü)",
                "Banko (yazılı)",
                "Web",
                "Mobil",
                "e-Devlet",
                "KİOSK",
                "Çağrı Merkezi"
            ]
        );
        let json: Vec<String> = Channel::ALL
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        assert_eq!(
            json,
            [
                "\"banko_sozlu\"",
                "\"banko_yazili\"",
                "\"web\"",
                "\"mobil\"",
                "\"e_devlet\"",
                "\"kiosk\"",
                "\"cagri_merkezi\""
            ]
        );
    }

    #[test]
    fn lenient_parsing_round_trips_every_name() {
        for &k in ApplicationKind::ALL {
            assert_eq!(ApplicationKind::parse(k.code()), Some(k));
            assert_eq!(ApplicationKind::parse(&k.name_tr().to_uppercase()), Some(k));
        }
        for &c in Channel::ALL {
            assert_eq!(Channel::parse(c.code()), Some(c));
            assert_eq!(Channel::parse(c.name_tr()), Some(c));
        }
        for &e in EscortReason::ALL {
            assert_eq!(EscortReason::parse(e.name_tr()), Some(e));
        }
        assert_eq!(Channel::parse("banko sözlü"), Some(Channel::BankoSozlu));
        assert_eq!(Gender::parse("K"), Some(Gender::Female));
        assert_eq!(ApplicationKind::parse("dilek"), None);
        assert_eq!(Channel::parse(""), None);
    }

    #[test]
    fn age_groups_at_boundaries() {
        let cases = [
            (0, "0-17"),
            (17, "0-17"),
            (18, "18-29"),
            (29, "18-29"),
            (30, "30-44"),
            (44, "30-44"),
            (45, "45-64"),
            (64, "45-64"),
            (65, "65+"),
            (120, "65+"),
        ];
        for (age, code) in cases {
            assert_eq!(AgeGroup::of_age(age).code(), code, "{age}");
        }
    }

    #[test]
    fn received_at_accepts_any_offset() {
        #[derive(Deserialize)]
        struct T {
            #[serde(with = "istanbul_time")]
            t: DateTime<Tz>,
        }
        let a: T = serde_json::from_str(r#"{"t":"2026-11-23T07:30:00Z"}"#).unwrap();
        assert_eq!(a.t.to_rfc3339(), "2026-11-23T10:30:00+03:00");
        assert_eq!(a.t.timezone(), chrono_tz::Europe::Istanbul);
        assert!(serde_json::from_str::<T>(r#"{"t":"23.11.2026"}"#).is_err());
    }

    #[test]
    fn initials_serde() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct T {
            #[serde(with = "initials")]
            i: (char, char),
        }
        let t = T { i: ('Ş', 'İ') };
        let s = serde_json::to_string(&t).unwrap();
        assert_eq!(s, r#"{"i":"Şİ"}"#);
        assert_eq!(serde_json::from_str::<T>(&s).unwrap(), t);
        assert!(serde_json::from_str::<T>(r#"{"i":"ABC"}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"i":"A1"}"#).is_err());
    }
}
