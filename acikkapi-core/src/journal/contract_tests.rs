//! The [journal contract](super::contract) run against the core's implementations:
//! [`MemoryJournal`] and [`FileJournal`] (acikkapi-postgres runs it against `PgJournal`).

use std::sync::atomic::{AtomicU64, Ordering};

use super::file_tests::TempDir;
use super::{FileJournal, FileJournalOptions, MemoryJournal, contract::Subject};

/// Memory journals: nothing survives the handle, and a snapshot cannot be separated from it.
struct Memory;

impl Subject for Memory {
    type J = MemoryJournal;
    fn create(&self) -> (MemoryJournal, String) {
        (MemoryJournal::new(), String::new())
    }
    fn reopen(&self, _: &str) -> Option<MemoryJournal> {
        None
    }
    fn transplant_snapshot(&self, _: &str, _: &str) -> bool {
        false
    }
}

fn memory_journals() -> Memory {
    Memory
}

/// File journals in one temporary directory, one file each.
struct Files {
    dir: TempDir,
    next: AtomicU64,
}

fn files() -> Files {
    Files {
        dir: TempDir::new(),
        next: AtomicU64::new(0),
    }
}

impl Subject for Files {
    type J = FileJournal;
    fn create(&self) -> (FileJournal, String) {
        let name = format!("j{}.journal", self.next.fetch_add(1, Ordering::Relaxed));
        let j = FileJournal::open(self.dir.file(&name), FileJournalOptions::default())
            .expect("create file journal");
        (j, name)
    }
    fn reopen(&self, name: &str) -> Option<FileJournal> {
        Some(
            FileJournal::open(self.dir.file(name), FileJournalOptions::default())
                .expect("reopen file journal"),
        )
    }
    fn transplant_snapshot(&self, from: &str, to: &str) -> bool {
        let snap = |name: &str| self.dir.file(&format!("{name}.snapshot"));
        std::fs::copy(snap(from), snap(to)).expect("copy snapshot file");
        true
    }
}

mod memory {
    crate::contract_tests!(super::memory_journals);
}

mod file {
    crate::contract_tests!(super::files);
}
