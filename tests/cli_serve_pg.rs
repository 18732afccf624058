//! `acikkapi serve --database postgres://…` as two processes on one throwaway database (found as
//! in acikkapi-postgres's tests; skipped loudly without a server, failing under CI=true): both
//! start at once (migrations), each serves the application submitted to the other, their
//! tracking numbers differ, `/readyz` is ready, and both stop on SIGTERM.

mod common;
#[path = "../acikkapi-postgres/tests/support/mod.rs"]
mod pg_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::acikkapi;

/// A bounded wait: the child is killed at the deadline and the test fails.
fn wait_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("acikkapi serve did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

struct Running {
    child: Child,
    addr: String,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Running {
    fn drop(&mut self) {
        // Only if a test failed half-way: never leave the server behind.
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn spawn(dir: &str, url: &str, node: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_acikkapi"))
        .args(["serve", "--data-dir", dir, "--listen", "127.0.0.1:0"])
        .args([
            "--database",
            url,
            "--refresh-interval-ms",
            "200",
            "--node",
            node,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("acikkapi serve starts")
}

/// Reads the first line (the address); the read ends when the child prints it or exits.
fn listening(mut child: Child) -> Running {
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let Some(addr) = line.trim().strip_prefix("dinleniyor: http://") else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("unexpected first line {line:?}")
    };
    Running {
        addr: addr.to_owned(),
        child,
        stdout,
    }
}

fn http(addr: &str, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    let status = buf.split(' ').nth(1).unwrap().parse().unwrap();
    let body = buf
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn get(addr: &str, path: &str) -> (u16, String) {
    http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
    )
}

/// Submits an application in Denizli/Pamukkale (both nodes in the same province stream, so
/// their tracking numbers come from the same counter); returns its tracking number.
fn submit(addr: &str, key: &str, tckn: &str, phone: &str, text: &str) -> String {
    let form = format!(
        "api_key={key}&service_code=YEREL.COP&address_id=20%2FPamukkale&first_name=Ay%C5%9Fe&\
         last_name=Y%C4%B1lmaz&phone={phone}&description={text}&\
         attribute%5Btckn%5D={tckn}&attribute%5Bmother_maiden_initials%5D=KA&\
         attribute%5Bbirth_year%5D=1984&attribute%5Bgender%5D=female&attribute%5Bkind%5D=sikayet"
    );
    let (status, body) = http(
        addr,
        &format!(
            "POST /open311/v2/requests.json HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ),
    );
    assert_eq!(status, 200, "{body}");
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    doc[0]["service_request_id"].as_str().unwrap().to_owned()
}

/// `requests/{id}.json` on `addr`, retried until 200 or the deadline (the node reads the other
/// node's records in within its refresh interval).
fn served(addr: &str, id: &str, limit: Duration) -> String {
    let start = Instant::now();
    loop {
        let (status, body) = get(addr, &format!("/open311/v2/requests/{id}.json"));
        if status == 200 {
            return body;
        }
        assert_eq!(status, 404, "{body}");
        assert!(
            start.elapsed() < limit,
            "{addr} did not serve {id} within {limit:?}: {body}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn terminate(r: &mut Running) {
    let pid = r.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = wait_exit(&mut r.child, Duration::from_secs(15));
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    r.stdout.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("kapandı"), "{rest:?}");
}

#[test]
fn two_nodes_on_one_database_serve_each_others_applications() {
    let Some(db) = pg_support::TestDb::create() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("acikkapi-cli-serve-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let key = acikkapi(&["key", "add", "--data-dir", d, "--channel", "web"]);
    assert_eq!(key.code, 0, "{}", key.stderr);
    let key = key.stdout.trim().to_owned();

    // Both start at once on a database that has no schema yet.
    let (a, b) = (spawn(d, &db.url, "a"), spawn(d, &db.url, "b"));
    let (mut a, mut b) = (listening(a), listening(b));
    for r in [&a, &b] {
        let (status, body) = get(&r.addr, "/readyz");
        assert_eq!(status, 200, "{body}");
    }

    let on_a = submit(
        &a.addr,
        &key,
        "10000000146",
        "05320000001",
        "%C3%87%C3%B6pler+toplanm%C4%B1yor+A.",
    );
    let on_b = submit(
        &b.addr,
        &key,
        "10000000146",
        "05320000001",
        "%C3%87%C3%B6pler+toplanm%C4%B1yor+B.",
    );
    assert_ne!(on_a, on_b, "tracking numbers are unique across nodes");

    let limit = Duration::from_secs(5);
    assert!(served(&b.addr, &on_a, limit).contains(&on_a));
    assert!(served(&a.addr, &on_b, limit).contains(&on_b));
    // The listing of each node includes the other's application once it has refreshed.
    let start = Instant::now();
    loop {
        let (status, body) = get(&a.addr, "/open311/v2/requests.json");
        assert_eq!(status, 200, "{body}");
        if body.contains(&on_a) && body.contains(&on_b) {
            break;
        }
        assert!(start.elapsed() < limit, "node a lists {body}");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Nothing of the applications is in the data directory: only the keys.
    assert!(!dir.join("basvuru.journal").exists());

    terminate(&mut a);
    terminate(&mut b);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_database_url_with_a_stream_or_an_unreachable_server_is_refused() {
    let dir =
        std::env::temp_dir().join(format!("acikkapi-cli-serve-pg-bad-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    let out = acikkapi(&[
        "serve",
        "--data-dir",
        d,
        "--listen",
        "127.0.0.1:0",
        "--database",
        "postgres://u@127.0.0.1/x?stream=34",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("stream="), "{}", out.stderr);
    let out = acikkapi(&[
        "serve",
        "--data-dir",
        d,
        "--listen",
        "127.0.0.1:0",
        "--database",
        "postgres://nobody:secret@127.0.0.1:9/x",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("veritabanı"), "{}", out.stderr);
    assert!(!out.stderr.contains("secret"), "no password in messages");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Polls `/readyz` until it answers `status`, or fails at the deadline.
fn ready_becomes(addr: &str, status: u16, limit: Duration) -> String {
    let start = Instant::now();
    loop {
        let (got, body) = get(addr, "/readyz");
        if got == status {
            return body;
        }
        assert!(
            start.elapsed() < limit,
            "/readyz stayed {got} ({body}), not {status}, for {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn readyz_is_503_while_the_database_is_down_and_ready_again_after() {
    // A cluster of the test's own: it is stopped (never the shared server).
    let Some(cluster) = pg_support::cluster::Cluster::start() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("acikkapi-cli-serve-pg-rd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let mut r = listening(spawn(d, &cluster.url, "rd"));
    ready_becomes(&r.addr, 200, Duration::from_secs(5));
    cluster.stop_immediate();
    let body = ready_becomes(&r.addr, 503, Duration::from_secs(15));
    assert!(body.contains("database_unavailable"), "{body}");
    // The process keeps serving what needs no database.
    assert_eq!(get(&r.addr, "/healthz").0, 200);
    cluster.start_again();
    ready_becomes(&r.addr, 200, Duration::from_secs(15));
    terminate(&mut r);
    let _ = std::fs::remove_dir_all(&dir);
}
