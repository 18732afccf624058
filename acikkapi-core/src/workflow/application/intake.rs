//! What a citizen submits, and the check at registration.
//!
//! These are the workflow's own types for a submission. The domain types of `crate::application`
//! (and `crate::validate`) plug in through the [`Validator`] port.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::geo::{Geography, ProvincePlate};
use crate::taxonomy::Taxonomy;

/// Başvuru kanalı: how the application came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Şahsen: in person at the bureau.
    InPerson,
    /// Telefon.
    Phone,
    /// Dilekçe: a written petition.
    Petition,
    /// E-posta.
    Email,
    /// İnternet: the web form / e-Devlet.
    Web,
}

/// Başvuru türü.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Şikâyet: a complaint.
    Complaint,
    /// Talep: a request.
    Request,
    /// İhbar: a tip-off.
    Tip,
}

/// Cinsiyet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Kadın.
    Female,
    /// Erkek.
    Male,
    /// Belirtilmemiş.
    Unspecified,
}

/// Yaş grubu: what analysts see instead of a birth year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    /// Under 18.
    Under18,
    /// 18–29.
    From18To29,
    /// 30–44.
    From30To44,
    /// 45–64.
    From45To64,
    /// 65 and over.
    Over65,
    /// Unknown.
    Unknown,
}

impl AgeGroup {
    /// The age group of someone born in `birth_year`, at `at`.
    pub fn of(birth_year: Option<u16>, at: DateTime<Utc>) -> AgeGroup {
        let Some(y) = birth_year else {
            return AgeGroup::Unknown;
        };
        match at.year() - i32::from(y) {
            a if a < 0 => AgeGroup::Unknown,
            0..=17 => AgeGroup::Under18,
            18..=29 => AgeGroup::From18To29,
            30..=44 => AgeGroup::From30To44,
            45..=64 => AgeGroup::From45To64,
            _ => AgeGroup::Over65,
        }
    }
}

/// Başvuru sahibi: the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// Ad soyad.
    pub name: String,
    /// TC kimlik numarası, if given.
    pub tckn: Option<String>,
    /// Mobile number for SMS (10 digits, `5xxxxxxxxx`), if given.
    pub phone: Option<String>,
    /// Year of birth, if known.
    pub birth_year: Option<u16>,
    /// Gender.
    pub gender: Gender,
}

/// Özel durumlar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flags {
    /// Özellikli: followed by the vali/kaymakam; routing needs approval.
    pub special: bool,
    /// Gizli: visible only to the bureau that registered it, the assigned officer and the vali.
    pub confidential: bool,
    /// OHAL: related to the state-of-emergency measures.
    pub ohal: bool,
}

/// Başvuru girdisi: what the citizen submitted, as the bureau took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intake {
    /// Who.
    pub applicant: Applicant,
    /// Province plate (1–81).
    pub province: u8,
    /// District name, if the matter is local to one.
    pub district: Option<String>,
    /// Channel.
    pub channel: Channel,
    /// Kind.
    pub kind: Kind,
    /// Category code proposed by the bureau (`"EGITIM.DIGER"`).
    pub category: Option<String>,
    /// The citizen's text.
    pub text: String,
    /// Flags.
    pub flags: Flags,
}

/// Kayıt kontrolü: decides at registration whether a submission can be processed.
pub trait Validator: Send + Sync {
    /// `Ok(category)` when the submission can be registered under that category, or the reasons
    /// (Turkish, one per problem) why it cannot.
    fn validate(&self, intake: &Intake) -> Result<String, Vec<String>>;

    /// Whether a category code exists (for recategorisation).
    fn category_exists(&self, code: &str) -> bool;
}

/// The built-in check: applicant name, text, province/district on the embedded geography,
/// category on the embedded taxonomy, phone and TC kimlik number shape (with the checksum).
#[derive(Debug, Clone, Copy, Default)]
pub struct BasicValidator;

/// Checks the two TC kimlik checksum digits.
fn tckn_ok(s: &str) -> bool {
    let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 11 || s.len() != 11 || d[0] == 0 {
        return false;
    }
    let odd = d[0] + d[2] + d[4] + d[6] + d[8];
    let even = d[1] + d[3] + d[5] + d[7];
    let d10 = (odd * 7 + 100 - even) % 10;
    let d11 = (d[..10].iter().sum::<u32>()) % 10;
    d[9] == d10 && d[10] == d11
}

impl Validator for BasicValidator {
    fn validate(&self, intake: &Intake) -> Result<String, Vec<String>> {
        let mut reasons = Vec::new();
        if intake.applicant.name.trim().chars().count() < 3 {
            reasons.push("başvuru sahibinin adı soyadı eksik".to_owned());
        }
        if intake.text.trim().chars().count() < 10 {
            reasons.push("başvuru metni boş veya çok kısa".to_owned());
        }
        if let Some(t) = &intake.applicant.tckn
            && !tckn_ok(t)
        {
            reasons.push("TC kimlik numarası geçersiz".to_owned());
        }
        if let Some(p) = &intake.applicant.phone
            && !(p.len() == 10 && p.starts_with('5') && p.bytes().all(|b| b.is_ascii_digit()))
        {
            reasons.push("cep telefonu numarası geçersiz".to_owned());
        }
        if intake.applicant.tckn.is_none() && intake.applicant.phone.is_none() {
            reasons.push(
                "başvuru sahibine ulaşılacak bilgi (TC kimlik no veya telefon) yok".to_owned(),
            );
        }
        match ProvincePlate::new(intake.province) {
            Ok(plate) => {
                if let Some(d) = &intake.district
                    && Geography::embedded().district(plate, d).is_none()
                {
                    reasons.push(format!("bilinmeyen ilçe: {d}"));
                }
            }
            Err(_) => reasons.push(format!("geçersiz il plaka kodu: {}", intake.province)),
        }
        let category = match &intake.category {
            Some(c) if self.category_exists(c) => Some(c.clone()),
            Some(c) => {
                reasons.push(format!("bilinmeyen kategori: {c}"));
                None
            }
            None => {
                reasons.push("kategori belirtilmemiş".to_owned());
                None
            }
        };
        match category {
            Some(c) if reasons.is_empty() => Ok(c),
            _ => Err(reasons),
        }
    }

    fn category_exists(&self, code: &str) -> bool {
        Taxonomy::embedded().require_category(code).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn intake() -> Intake {
        Intake {
            applicant: Applicant {
                name: "Ayşe Yılmaz".into(),
                tckn: Some("10000000146".into()),
                phone: Some("5321234567".into()),
                birth_year: Some(1980),
                gender: Gender::Female,
            },
            province: 20,
            district: Some("Merkezefendi".into()),
            channel: Channel::Web,
            kind: Kind::Complaint,
            category: Some("EGITIM.DIGER".into()),
            text: "Okulun önündeki yol çok tehlikeli, önlem alınmasını istiyorum.".into(),
            flags: Flags::default(),
        }
    }

    #[test]
    fn a_complete_submission_is_valid() {
        assert_eq!(
            BasicValidator.validate(&intake()),
            Ok("EGITIM.DIGER".to_owned())
        );
    }

    #[test]
    fn every_problem_is_listed() {
        let mut i = intake();
        i.applicant.name = " ".into();
        i.applicant.tckn = Some("12345678901".into());
        i.district = Some("Kadıköy".into());
        i.category = Some("YOK.BOYLE".into());
        let reasons = BasicValidator.validate(&i).unwrap_err();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("TC kimlik")));
        assert!(reasons.iter().any(|r| r.contains("Kadıköy")));
    }

    #[test]
    fn tckn_checksum() {
        assert!(tckn_ok("10000000146"));
        assert!(!tckn_ok("10000000147"));
        assert!(!tckn_ok("00000000000"));
        assert!(!tckn_ok("1000000014"));
    }

    #[test]
    fn age_groups() {
        let at = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        assert_eq!(AgeGroup::of(Some(2010), at), AgeGroup::Under18);
        assert_eq!(AgeGroup::of(Some(2000), at), AgeGroup::From18To29);
        assert_eq!(AgeGroup::of(Some(1990), at), AgeGroup::From30To44);
        assert_eq!(AgeGroup::of(Some(1970), at), AgeGroup::From45To64);
        assert_eq!(AgeGroup::of(Some(1950), at), AgeGroup::Over65);
        assert_eq!(AgeGroup::of(None, at), AgeGroup::Unknown);
        assert_eq!(AgeGroup::of(Some(2030), at), AgeGroup::Unknown);
    }
}
