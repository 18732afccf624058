//! Shared by the kill -9 tests (`journal_kill9.rs`, `tracking_kill9.rs`): a small deterministic
//! random generator, the seed, a temp dir, and one trial — run this test binary's `#[ignore]`d
//! child test, SIGKILL it at a random moment, return what it printed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// xorshift64*: small deterministic randomness without a dependency.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The seed from the environment variable `var`, or from the clock; printed on stderr.
pub fn seed(var: &str, test: &str) -> u64 {
    let seed = std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("{test}: seed {seed} (set {var} to repeat)");
    seed
}

/// A fresh directory in the temp dir (on a real disk here, not tmpfs), named after the test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("acikkapi-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One trial: runs the ignored test `child` of this binary with `env`, and SIGKILLs it — mostly
/// up to `window_us` microseconds after it printed a line containing `READY`, one time in eight
/// during its first 15 ms (start-up, recovery). Returns every line it printed; none contains
/// `READY` if it was killed before it was ready. The child's stderr goes to `stderr`.
pub fn run_and_kill(
    child: &str,
    env: &[(&str, String)],
    stderr: &Path,
    rng: &mut Rng,
    window_us: u64,
) -> Vec<String> {
    let exe = std::env::current_exe().unwrap();
    let mut process = Command::new(exe)
        .args([
            "--exact",
            child,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .unwrap();
    let stdout = process.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // libtest may print "test <child> ... " in front of the first line.
            if line.contains("READY") {
                let _ = tx.send(());
            }
            lines.push(line);
        }
        lines
    });
    if rng.below(8) == 0 {
        std::thread::sleep(Duration::from_millis(rng.below(15)));
    } else {
        rx.recv_timeout(Duration::from_secs(20))
            .expect("child became ready");
        std::thread::sleep(Duration::from_micros(rng.below(window_us)));
    }
    process.kill().unwrap(); // SIGKILL on Unix
    process.wait().unwrap();
    reader.join().unwrap()
}
