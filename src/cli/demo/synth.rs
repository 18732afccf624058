//! Synthetic intake for the demo: a deterministic random generator and a realistic mix of
//! applications for one province, with what will happen to each.

use acikkapi_core::application::{ApplicationInput, TextOrNumber};
use acikkapi_core::geo::{Geography, ProvincePlate};
use acikkapi_core::ids::TrackingNumber;
use acikkapi_core::taxonomy::{Category, Taxonomy};
use acikkapi_core::workflow::application::Outcome;

/// SplitMix64: small, fast, deterministic; good enough for synthetic data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `p` (0–1).
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// An index drawn with the given weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }
}

/// What happens to an application after routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Answered after this many business hours.
    Answer { after: usize, outcome: Outcome },
    /// Returned as "not ours" after `after` hours, re-routed (recategorised first if
    /// `recategorise`), then answered `answer_after` hours later.
    Return {
        after: usize,
        recategorise: bool,
        answer_after: usize,
        outcome: Outcome,
    },
    /// Never answered within the simulation.
    Silent,
}

/// What the bureau does at registration (when the application is valid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handling {
    /// Route to an officer; then the fate.
    Route(Fate),
    /// Redirect to another authority.
    Redirect {
        to: &'static str,
        reason: &'static str,
    },
}

/// One synthetic application.
#[derive(Debug, Clone)]
pub struct Planned {
    pub tracking: String,
    pub slot: usize,
    pub input: ApplicationInput,
    pub handling: Handling,
}

const FIRST: &[&str] = &[
    "Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Meryem", "Şerife", "Mehmet", "Mustafa",
    "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "İsmail", "Osman", "Yusuf", "Murat", "Ömer",
];
const LAST: &[&str] = &[
    "Yılmaz",
    "Kaya",
    "Demir",
    "Çelik",
    "Şahin",
    "Yıldız",
    "Yıldırım",
    "Öztürk",
    "Aydın",
    "Özdemir",
    "Arslan",
    "Doğan",
    "Kılıç",
    "Aslan",
    "Çetin",
    "Kara",
    "Koç",
    "Kurt",
    "Özkan",
    "Şimşek",
];
const TEXTS: &[&str] = &[
    "Mahallemizdeki sokak lambaları iki haftadır yanmıyor, gereğinin yapılmasını arz ederim.",
    "Başvurumla ilgili işlem yapılmadı, bilgi verilmesini talep ediyorum.",
    "Çocuğumun okulunda servis sorunu yaşanıyor, çözüm bekliyoruz.",
    "Hastanede randevu alamıyorum, yardımcı olunmasını rica ederim.",
    "Köy yolumuz yağmurdan sonra kullanılamaz hale geldi.",
    "Sosyal yardım başvurumun sonucunu öğrenmek istiyorum.",
    "Komşu işyerinden gece geç saatlere kadar gürültü geliyor.",
    "Tarım arazimize sulama suyu verilmiyor, mağduriyetimizin giderilmesini talep ederim.",
];

/// Heading weights for the mix (heading code, weight); other headings weigh 2.
const HEADING_WEIGHTS: &[(&str, u32)] = &[
    ("YEREL", 22),
    ("SOSYAL", 12),
    ("SAGLIK", 10),
    ("EGITIM", 8),
    ("CALISMA", 8),
    ("EMNIYET", 6),
    ("ULASTIRMA", 5),
    ("TARIM", 5),
    ("ENERJI", 5),
    ("TAPU", 4),
    ("VALILIK", 4),
];

fn outcome(rng: &mut Rng) -> Outcome {
    [
        Outcome::Positive,
        Outcome::Negative,
        Outcome::PartlyPositive,
    ][rng.weighted(&[55, 30, 15])]
}

fn tckn(rng: &mut Rng) -> String {
    let mut d = [0u32; 11];
    d[0] = 1 + rng.below(9) as u32;
    for x in d.iter_mut().take(9).skip(1) {
        *x = rng.below(10) as u32;
    }
    let odd = d[0] + d[2] + d[4] + d[6] + d[8];
    let even = d[1] + d[3] + d[5] + d[7];
    d[9] = (odd * 7 + 100 - even) % 10;
    d[10] = d[..10].iter().sum::<u32>() % 10;
    d.iter()
        .map(|x| char::from_digit(*x, 10).unwrap_or('0'))
        .collect()
}

/// The generator: geography and taxonomy of one province.
pub struct Synth<'a> {
    plate: u8,
    districts: Vec<&'a str>,
    categories: Vec<&'a Category>,
    weights: Vec<u32>,
}

impl<'a> Synth<'a> {
    pub fn new(plate: ProvincePlate, geo: &'a Geography, tax: &'a Taxonomy) -> Synth<'a> {
        let categories: Vec<&Category> = tax.categories().iter().collect();
        // Each category weighs its heading's weight divided by the heading's category count.
        let weights = categories
            .iter()
            .map(|c| {
                let w = HEADING_WEIGHTS
                    .iter()
                    .find(|(h, _)| *h == c.heading.as_str())
                    .map_or(2, |(_, w)| *w);
                let n = tax.categories_of(&c.heading).count().max(1) as u32;
                (w * 100 / n).max(1)
            })
            .collect();
        Synth {
            plate: plate.get(),
            districts: geo
                .districts(plate)
                .iter()
                .map(|d| d.name.as_str())
                .collect(),
            categories,
            weights,
        }
    }

    /// A random category.
    pub fn category(&self, rng: &mut Rng) -> &'a Category {
        self.categories[rng.weighted(&self.weights)]
    }

    /// One application in business-hour `slot`.
    pub fn application(&self, rng: &mut Rng, n: usize, year: i32, slot: usize) -> Planned {
        // Central districts (Merkezefendi, Pamukkale) get over half of the applications.
        let district = match rng.below(100) {
            0..=29 => self
                .districts
                .iter()
                .copied()
                .find(|d| *d == "Merkezefendi"),
            30..=54 => self.districts.iter().copied().find(|d| *d == "Pamukkale"),
            _ => Some(self.districts[rng.below(self.districts.len())]),
        }
        .or_else(|| self.districts.first().copied());
        let category = self.category(rng);
        let female = rng.chance(0.45);
        let first = if female {
            FIRST[rng.below(8)]
        } else {
            FIRST[8 + rng.below(12)]
        };
        let letters = "ABCDEFGHIKLMNOPRSTUVYZ".as_bytes();
        let initials: String = (0..2)
            .map(|_| char::from(letters[rng.below(letters.len())]))
            .collect();
        let mut input = ApplicationInput {
            tckn: Some(tckn(rng)),
            name: Some(first.to_owned()),
            surname: Some(LAST[rng.below(LAST.len())].to_owned()),
            mother_maiden_initials: Some(initials),
            phone: Some(format!(
                "05{:02} {:03} {:02} {:02}",
                30 + rng.below(26),
                rng.below(1000),
                rng.below(100),
                rng.below(100)
            )),
            birth_year: Some(TextOrNumber::Number(1940 + rng.below(66) as i64))
                .filter(|_| rng.chance(0.95)),
            gender: Some(if female { "kadın" } else { "erkek" }.to_owned())
                .filter(|_| rng.chance(0.96)),
            kind: Some(["şikayet", "talep", "ihbar"][rng.weighted(&[50, 40, 10])].to_owned()),
            channel: Some(
                [
                    "e-Devlet",
                    "web",
                    "banko sözlü",
                    "banko yazılı",
                    "çağrı merkezi",
                    "mobil",
                ][rng.weighted(&[30, 15, 20, 10, 20, 5])]
                .to_owned(),
            ),
            subject: Some(TEXTS[rng.below(TEXTS.len())].to_owned()),
            category: Some(category.code.as_str().to_owned()),
            province: Some(TextOrNumber::Number(i64::from(self.plate))),
            district: district.map(str::to_owned),
            special: Some(rng.chance(0.02)),
            confidential: Some(rng.chance(0.02)),
            ohal: Some(rng.chance(0.01)),
            ..ApplicationInput::default()
        };
        // About 4 % are not processable, each for a typical reason.
        if rng.chance(0.04) {
            match rng.below(4) {
                0 => input.subject = Some("?".to_owned()),
                1 => input.tckn = Some("12345678901".to_owned()),
                2 => input.phone = None,
                _ => input.name = None,
            }
        }
        let handling = if rng.chance(0.03) {
            [
                Handling::Redirect {
                    to: "CİMER",
                    reason: "Bakanlık merkez teşkilatının konusu",
                },
                Handling::Redirect {
                    to: "Denizli Cumhuriyet Başsavcılığı",
                    reason: "Yargı konusu",
                },
            ][rng.below(2)]
            .clone()
        } else {
            Handling::Route(self.fate(rng))
        };
        Planned {
            tracking: ProvincePlate::new(self.plate)
                .ok()
                .and_then(|p| TrackingNumber::new(p, year as u16, n as u32).ok())
                .map_or_else(
                    || format!("{year}-{:02}-{n:06}", self.plate),
                    |t| t.to_string(),
                ),
            slot,
            input,
            handling,
        }
    }

    /// 9 business hours a day: most answered within the 7-day deadline, some returned, some late,
    /// a few never.
    fn fate(&self, rng: &mut Rng) -> Fate {
        let day = 9;
        match rng.weighted(&[76, 8, 11, 5]) {
            0 => Fate::Answer {
                after: 2 + rng.below(day * 6),
                outcome: outcome(rng),
            },
            1 => Fate::Return {
                after: 1 + rng.below(day * 2),
                recategorise: rng.chance(0.4),
                answer_after: 2 + rng.below(day * 4),
                outcome: outcome(rng),
            },
            2 => Fate::Answer {
                after: day * (8 + rng.below(7)),
                outcome: outcome(rng),
            },
            _ => Fate::Silent,
        }
    }
}
