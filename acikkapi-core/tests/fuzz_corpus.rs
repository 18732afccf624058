//! Replays the checked-in fuzz corpus and every regression input (`fuzz/corpus/<target>/`,
//! `fuzz/regressions/<target>/`) through the fuzz target bodies in `acikkapi_core::fuzzing`, on
//! stable, as part of `cargo test`. A panic in a body is a failure.

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    acikkapi_core::fuzzing::replay(&fuzz, target, body);
}

#[test]
fn application_json() {
    replay("application_json", acikkapi_core::fuzzing::application_json);
    // The bundled samples are seeds too, whether or not they were copied into the corpus.
    for (_, json) in acikkapi_core::samples::ALL {
        acikkapi_core::fuzzing::application_json(json.as_bytes());
    }
}

#[test]
fn ids() {
    replay("ids", acikkapi_core::fuzzing::ids);
}

#[test]
fn taxonomy_toml() {
    replay("taxonomy_toml", acikkapi_core::fuzzing::taxonomy_toml);
}

#[test]
fn org_toml() {
    replay("org_toml", acikkapi_core::fuzzing::org_toml);
    // The full embedded organisation files (too large for the corpus) go through the same body.
    for plate in [20, 34] {
        let plate = acikkapi_core::geo::ProvincePlate::new(plate).unwrap();
        let (_, text) = acikkapi_core::org::Organisation::embedded_file(plate).unwrap();
        acikkapi_core::fuzzing::org_toml(text.as_bytes());
    }
}

#[test]
fn journal_recovery() {
    replay("journal_recovery", acikkapi_core::fuzzing::journal_recovery);
}

#[test]
fn text_and_geo() {
    replay("text_and_geo", acikkapi_core::fuzzing::text_and_geo);
}
