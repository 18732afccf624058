//! `acikkapi serve` as a process: starts on a fresh data directory, answers /healthz and an
//! Open311 submission made with a key from `acikkapi key add`, stops on SIGTERM, and a restart
//! on the same directory still knows the application.

mod common;

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

fn start(dir: &str) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_acikkapi"))
        .args(["serve", "--data-dir", dir, "--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("acikkapi serve starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // The first line names the address; the read ends when the child prints it or exits.
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("dinleniyor: http://")
        .unwrap_or_else(|| {
            let _ = child.kill();
            panic!("unexpected first line {line:?}")
        })
        .to_owned();
    Running {
        child,
        addr,
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

fn terminate(r: &mut Running) {
    let pid = r.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = wait_exit(&mut r.child, Duration::from_secs(30));
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    r.stdout.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("kapandı"), "{rest:?}");
}

#[test]
fn serve_starts_on_a_fresh_dir_answers_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("acikkapi-cli-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();

    // A key first (the directory does not exist yet: it is made).
    let key = acikkapi(&["key", "add", "--data-dir", d, "--channel", "web"]);
    assert_eq!(key.code, 0, "{}", key.stderr);
    let key = key.stdout.trim().to_owned();
    assert!(key.starts_with("ak_"), "{key}");
    let stored = std::fs::read_to_string(dir.join("credentials.json")).unwrap();
    assert!(
        !stored.contains(key.rsplit('_').next().unwrap()),
        "only the hash is stored"
    );
    let bad = acikkapi(&["key", "add", "--data-dir", d, "--channel", "güvercin"]);
    assert_eq!(bad.code, 2, "{}", bad.stdout);

    let mut r = start(d);
    let (status, body) = get(&r.addr, "/healthz");
    assert_eq!((status, body.as_str()), (200, "{\"status\":\"ok\"}"));
    assert_eq!(get(&r.addr, "/readyz").0, 200);
    let form = format!(
        "api_key={key}&service_code=YEREL.COP&address_id=20%2FPamukkale&first_name=Ay%C5%9Fe&\
         last_name=Y%C4%B1lmaz&phone=05320000001&description=%C3%87%C3%B6pler+toplanm%C4%B1yor.&\
         attribute%5Btckn%5D=10000000146&attribute%5Bmother_maiden_initials%5D=KA&\
         attribute%5Bbirth_year%5D=1984&attribute%5Bgender%5D=female&attribute%5Bkind%5D=sikayet"
    );
    let (status, body) = http(
        &r.addr,
        &format!(
            "POST /open311/v2/requests.json HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ),
    );
    assert_eq!(status, 200, "{body}");
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = doc[0]["service_request_id"].as_str().unwrap().to_owned();
    terminate(&mut r);
    assert!(dir.join("basvuru.journal").exists());

    // A restart on the same directory serves the same application.
    let mut r = start(d);
    let (status, body) = get(&r.addr, &format!("/open311/v2/requests/{id}.json"));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&id));
    terminate(&mut r);

    // A directory with someone else's files is refused.
    let foreign = dir.join("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "x").unwrap();
    let out = acikkapi(&[
        "serve",
        "--data-dir",
        foreign.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("boş değil"), "{}", out.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}
