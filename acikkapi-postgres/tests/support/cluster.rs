//! A throwaway PostgreSQL cluster of a test's own (`scripts/find-postgres.sh --throwaway`), for the
//! tests that stop or freeze the server: never the shared one.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// A throwaway cluster, stopped and removed when dropped (thawed first if frozen).
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// URL of the cluster's `postgres` database.
    pub url: String,
    /// Processes stopped by [`freeze`](Cluster::freeze), not yet continued.
    frozen: Mutex<Vec<String>>,
}

fn script() -> PathBuf {
    // From acikkapi-postgres's tests, and from the root package's (which include this module).
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = here.join("scripts/find-postgres.sh");
    if root.exists() {
        root
    } else {
        here.join("../scripts/find-postgres.sh")
    }
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Cluster {
    /// Starts one, or `None` (after a loud message) when none can be started outside CI.
    pub fn start() -> Option<Cluster> {
        let file =
            std::env::temp_dir().join(format!("acikkapi-restart-{}.cluster", std::process::id()));
        let _ = std::fs::remove_file(&file);
        let out = Command::new("bash")
            .arg(script())
            .arg("--throwaway")
            .env("ACIKKAPI_PG_CLUSTER_FILE", &file)
            .output()
            .expect("run scripts/find-postgres.sh");
        let dir = std::fs::read_to_string(&file)
            .ok()
            .map(|d| PathBuf::from(d.trim()));
        let _ = std::fs::remove_file(&file);
        let why = String::from_utf8_lossy(&out.stderr).into_owned();
        let Some(dir) = dir.filter(|_| out.status.success()) else {
            if ci() {
                panic!("CI=true but no throwaway PostgreSQL cluster could be started: {why}");
            }
            eprintln!("\n!!!!! SKIPPED: restart test without a throwaway cluster: {why}\n");
            return None;
        };
        let url = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let bin = PathBuf::from(
            std::fs::read_to_string(dir.join("bindir"))
                .expect("the cluster's bindir file")
                .trim(),
        );
        let mut cluster = Cluster {
            port: 0,
            dir,
            bin,
            url,
            frozen: Mutex::new(Vec::new()),
        };
        // The guard exists from here on: a failure below still removes the cluster.
        cluster.port = cluster
            .url
            .rsplit_once(':')
            .and_then(|(_, rest)| rest.split('/').next()?.parse().ok())
            .expect("a port in the cluster's URL");
        Some(cluster)
    }

    /// Runs the cluster's `pg_ctl` (as the postgres user when root: PostgreSQL refuses root).
    fn pg_ctl(&self, args: &[&str]) -> Output {
        let pg_ctl = self.bin.join("pg_ctl");
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&pg_ctl);
            c
        } else {
            Command::new(&pg_ctl)
        };
        cmd.arg("-D").arg(self.dir.join("data")).args(args);
        cmd.output().expect("run pg_ctl")
    }

    /// `pg_ctl stop -m immediate`: every server process quits at once, no checkpoint (the next
    /// start runs crash recovery).
    pub fn stop_immediate(&self) {
        let out = self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
        assert!(
            out.status.success(),
            "pg_ctl stop -m immediate: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `pg_ctl start` with the options the script started the cluster with.
    pub fn start_again(&self) {
        let log = self.dir.join("server.log");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            self.port,
            self.dir.display()
        );
        let out = self.pg_ctl(&[
            "-l",
            &log.display().to_string(),
            "-w",
            "-t",
            "60",
            "-o",
            &options,
            "start",
        ]);
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }
}

impl Cluster {
    /// The server's processes: the postmaster (first line of `postmaster.pid`) and its children.
    fn processes(&self) -> Vec<String> {
        let pid = std::fs::read_to_string(self.dir.join("data/postmaster.pid"))
            .expect("the cluster's postmaster.pid")
            .lines()
            .next()
            .expect("a pid")
            .trim()
            .to_owned();
        let children = Command::new("pgrep")
            .args(["-P", &pid])
            .output()
            .expect("run pgrep");
        let mut pids = vec![pid];
        pids.extend(
            String::from_utf8_lossy(&children.stdout)
                .split_whitespace()
                .map(str::to_owned),
        );
        pids
    }

    fn signal(pids: &[String], signal: &str) {
        let out = Command::new("kill")
            .arg(signal)
            .args(pids)
            .output()
            .expect("run kill");
        assert!(
            out.status.success(),
            "kill {signal} {pids:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Freezes the server (SIGSTOP to each of its processes): connections stay open, nothing
    /// answers, as with a server that hangs or a network that drops every packet.
    pub fn freeze(&self) {
        let pids = self.processes();
        Self::signal(&pids, "-STOP");
        self.frozen.lock().expect("frozen").extend(pids);
    }

    /// Lets a frozen server go on (SIGCONT).
    pub fn thaw(&self) {
        let pids = std::mem::take(&mut *self.frozen.lock().unwrap_or_else(|p| p.into_inner()));
        if !pids.is_empty() {
            Self::signal(&pids, "-CONT");
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // A stopped server would make the script's `pg_ctl stop` wait in vain.
        let pids = std::mem::take(&mut *self.frozen.lock().unwrap_or_else(|p| p.into_inner()));
        if !pids.is_empty() {
            let _ = Command::new("kill").arg("-CONT").args(&pids).output();
        }
        let out = Command::new("bash")
            .arg(script())
            .arg("--stop")
            .arg(&self.dir)
            .output();
        if !out.is_ok_and(|o| o.status.success()) {
            eprintln!(
                "could not remove the throwaway cluster in {}",
                self.dir.display()
            );
        }
    }
}
