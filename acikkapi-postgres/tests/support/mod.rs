//! Finds a PostgreSQL server for the tests and gives each test a database of its own.
//!
//! Where the server comes from, in order: `ACIKKAPI_PG_URL` or `DATABASE_URL` (any database the
//! user may create databases from; `scripts/find-postgres.sh` sets it in `test.sh`, starting a
//! throwaway cluster when there is no server), else a server on 127.0.0.1:5432 (trusted local
//! users `postgres` or `root`). Without a server the tests skip with a loud message, unless
//! `CI=true`: then they fail.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Runs `sql` (one or more statements) on `url` with a one-shot connection.
pub fn sql(url: &str, sql: &str) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut cfg: tokio_postgres::Config = url.parse().map_err(|e| format!("{e}"))?;
    cfg.connect_timeout(Duration::from_secs(3));
    rt.block_on(async {
        let (client, conn) = cfg
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(|e| e.to_string())?;
        let driver = tokio::spawn(conn);
        let r = client.batch_execute(sql).await.map_err(|e| e.to_string());
        drop(client);
        let _ = driver.await;
        r
    })
}

/// The URL of a server's maintenance database, or why there is none.
fn server() -> Result<String, String> {
    for var in ["ACIKKAPI_PG_URL", "DATABASE_URL"] {
        if let Ok(url) = std::env::var(var)
            && !url.is_empty()
        {
            return sql(&url, "SELECT 1")
                .map(|()| url.clone())
                .map_err(|e| format!("{var} is set but the server does not answer: {e}"));
        }
    }
    let mut tried = Vec::new();
    for user in ["postgres", "root"] {
        let url = format!("postgres://{user}@127.0.0.1:5432/postgres");
        match sql(&url, "SELECT 1") {
            Ok(()) => return Ok(url),
            Err(e) => tried.push(format!("{url}: {e}")),
        }
    }
    Err(format!(
        "no ACIKKAPI_PG_URL / DATABASE_URL, and no server on 127.0.0.1:5432 ({})",
        tried.join("; ")
    ))
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A database of its own for one test, dropped when this goes out of scope.
pub struct TestDb {
    admin: String,
    name: String,
    /// URL of the test's database.
    pub url: String,
}

/// Replaces the database of a `postgres://…/db?…` URL.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

impl TestDb {
    /// A fresh database, or `None` (after a loud message) when there is no server and this is
    /// not CI. Panics in CI without a server: these tests never pass by skipping there.
    pub fn create() -> Option<TestDb> {
        let admin = match server() {
            Ok(url) => url,
            Err(why) if ci() => panic!(
                "CI=true but no PostgreSQL for the store tests: {why}. \
                 test.sh runs scripts/find-postgres.sh, which finds or starts one."
            ),
            Err(why) => {
                eprintln!(
                    "\n!!!!! SKIPPED: PostgreSQL store test without a server: {why}.\n\
                     !!!!! Set ACIKKAPI_PG_URL, or run scripts/find-postgres.sh (test.sh does).\n"
                );
                return None;
            }
        };
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "acikkapi_test_{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        sql(&admin, &format!("CREATE DATABASE {name}")).expect("create the test database");
        let url = with_database(&admin, &name);
        Some(TestDb { admin, name, url })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Err(e) = sql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        ) {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

#[test]
fn database_in_url_is_replaced() {
    assert_eq!(
        with_database("postgres://u@h:1/postgres?sslmode=disable", "x"),
        "postgres://u@h:1/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h:1", "x"), "postgres://u@h:1/x");
}

pub mod cluster;
pub mod node;
