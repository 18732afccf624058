//! Shared by the benchmarks that take applications through the workflow.

use acikkapi::core::application::{ApplicationInput, TextOrNumber};

/// A valid submission (Denizli, Pamukkale, YEREL.DIGER); `i` varies the phone number.
pub fn input(i: u64) -> ApplicationInput {
    ApplicationInput {
        tckn: Some("10000000146".into()),
        name: Some("Ayşe".into()),
        surname: Some("Yılmaz".into()),
        mother_maiden_initials: Some("KA".into()),
        phone: Some(format!(
            "0532 {:03} {:02} {:02}",
            i % 1000,
            i % 100,
            (i / 100) % 100
        )),
        birth_year: Some(TextOrNumber::Number(1980)),
        gender: Some("kadın".into()),
        kind: Some("şikayet".into()),
        channel: Some("e-Devlet".into()),
        subject: Some(
            "Mahallemizde üç gündür çöpler toplanmıyor, gereğinin yapılmasını rica ederim.".into(),
        ),
        category: Some("YEREL.DIGER".into()),
        province: Some(TextOrNumber::Number(20)),
        district: Some("Pamukkale".into()),
        ..ApplicationInput::default()
    }
}
