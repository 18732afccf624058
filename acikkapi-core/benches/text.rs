//! Turkish text (case mapping, search keys, collation) and phone-number parsing: the per-call cost
//! of the functions that validation, geo lookups and the rules engine call on every application.
//!
//! `cargo bench -p acikkapi-core --bench text -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use acikkapi_core::geo::Geography;
use acikkapi_core::ids::PhoneNumber;
use acikkapi_core::text;
use criterion::{Criterion, criterion_group, criterion_main};

/// A citizen's text of about 4,000 characters: Turkish prose with digits and punctuation.
fn long_text() -> String {
    let sentence = "Mahallemizdeki çöp konteynerleri İKİ HAFTADIR boşaltılmıyor; Şikâyetimizi \
                    12.03.2026 tarihinde belediyeye ilettik, ışıklandırma da çalışmıyor. ";
    sentence.repeat(4000 / sentence.chars().count() + 1)
}

fn bench_text(c: &mut Criterion) {
    let long = long_text();
    let names: Vec<String> = Geography::embedded()
        .all_districts()
        .map(|d| d.name.clone())
        .collect();
    let mut g = c.benchmark_group("text");
    g.bench_function("lower_tr_name", |b| {
        b.iter(|| text::to_lower_tr(black_box("DİYARBAKIR")))
    });
    g.bench_function("upper_tr_name", |b| {
        b.iter(|| text::to_upper_tr(black_box("Kâğıthane")))
    });
    g.bench_function("title_tr_name", |b| {
        b.iter(|| text::to_title_tr(black_box("KAHRAMANMARAŞ İL MÜDÜRLÜĞÜ")))
    });
    g.bench_function("lower_tr_4k", |b| {
        b.iter(|| text::to_lower_tr(black_box(&long)))
    });
    // The same text with an emoji: not plain Turkish, so ICU4X's path.
    let emoji = format!("{long} 🙏");
    g.bench_function("lower_tr_4k_emoji", |b| {
        b.iter(|| text::to_lower_tr(black_box(&emoji)))
    });
    g.bench_function("search_key_4k_emoji", |b| {
        b.iter(|| text::search_key(black_box(&emoji)))
    });
    g.bench_function("search_key_name", |b| {
        b.iter(|| text::search_key(black_box("Şanlıurfa / SİVEREK")))
    });
    g.bench_function("search_key_4k", |b| {
        b.iter(|| text::search_key(black_box(&long)))
    });
    g.bench_function("compare_tr_pair", |b| {
        b.iter(|| text::compare_tr(black_box("Âdem Çelik"), black_box("Adil Çalışkan")))
    });
    g.bench_function("sort_tr_973_districts", |b| {
        b.iter(|| {
            let mut v = names.clone();
            text::sort_tr(&mut v);
            v
        })
    });
    g.finish();

    let mut g = c.benchmark_group("phone");
    g.bench_function("parse_mobile", |b| {
        b.iter(|| PhoneNumber::parse(black_box("0532 123 45 67")))
    });
    g.bench_function("parse_international", |b| {
        b.iter(|| PhoneNumber::parse(black_box("+90 (505) 111-22-33")))
    });
    g.bench_function("parse_landline_rejected", |b| {
        b.iter(|| PhoneNumber::parse(black_box("0258 296 10 00")))
    });
    g.finish();
}

criterion_group!(benches, bench_text);
criterion_main!(benches);
