//! Journal recovery is linear in the file's size, on the crafted file of issue 12: a header, then
//! a 17-byte record prefix (a length of half the file, crc 0, sequence 1) repeated to 8 MB. Before
//! the fix `journal verify` took 191 s on it (every plausible candidate's body was hashed anew).
//!
//! The time limit is the point in a release build (`test.sh` runs this binary with `--release`):
//! well under a second. A debug build only gets a generous bound; the bytes hashed are counted
//! by the unit test `crafted_candidates_are_ruled_out_in_linear_work`.

use std::time::{Duration, Instant};

use acikkapi_core::Error;
use acikkapi_core::journal::{FileJournal, FileJournalOptions, Journal, Recovery, format};

const SIZE: usize = 8 << 20;

fn crafted_file(first_len: u32) -> Vec<u8> {
    let record_prefix: Vec<u8> = [
        &((SIZE / 2) as u32).to_le_bytes()[..],
        &[0; 4],
        &1u64.to_le_bytes(),
        &[0],
    ]
    .concat();
    let mut file: Vec<u8> = format::header()
        .into_iter()
        .chain(record_prefix.iter().copied().cycle())
        .take(SIZE)
        .collect();
    file[16..20].copy_from_slice(&first_len.to_le_bytes());
    file
}

fn limit() -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_secs(60)
    } else {
        Duration::from_millis(500)
    }
}

#[test]
fn crafted_8mb_journal_verifies_and_salvages_in_linear_time() {
    let dir = std::env::temp_dir().join(format!("acikkapi-linear-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("crafted.journal");
    // The first record complete and damaged: corruption. The first one claiming more than the
    // file holds: the look-ahead must rule out every candidate after it (a torn tail).
    for (first_len, damaged) in [((SIZE / 2) as u32, true), (u32::MAX >> 6, false)] {
        std::fs::write(&path, crafted_file(first_len)).unwrap();
        let started = Instant::now();
        let verified = FileJournal::verify(&path);
        let took = started.elapsed();
        match (&verified, damaged) {
            (Err(Error::JournalCorrupt { offset: 16, .. }), true) => {}
            (Ok(r), false) => assert_eq!(r.torn_tail.as_ref().unwrap().bytes, SIZE as u64 - 16),
            _ => panic!("first length {first_len}: {verified:?}"),
        }
        eprintln!("first length {first_len}: verify {took:?}");
        assert!(took < limit(), "verify took {took:?}");
        let started = Instant::now();
        let salvaged = FileJournal::open(
            &path,
            FileJournalOptions {
                recovery: Recovery::Salvage,
                ..FileJournalOptions::default()
            },
        )
        .unwrap();
        let took = started.elapsed();
        eprintln!("first length {first_len}: salvaging open {took:?}");
        assert_eq!(salvaged.last_seq().0, 0);
        assert!(took < limit(), "salvage took {took:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
