//! `acikkapi db migrate URL` and `acikkapi db status URL` through the real binary, on a real
//! PostgreSQL (found as in acikkapi-postgres's tests; skipped loudly without one, failing in CI).

mod common;
#[path = "../acikkapi-postgres/tests/support/mod.rs"]
mod pg_support;

use common::acikkapi;

#[test]
fn status_migrate_status() {
    let Some(db) = pg_support::TestDb::create() else {
        return;
    };
    let before = acikkapi(&["db", "status", &db.url]);
    assert_eq!(
        before.code, 1,
        "pending migrations: exit 1\n{}",
        before.stderr
    );
    assert!(
        before.stdout.starts_with("0001 journal"),
        "{}",
        before.stdout
    );
    assert!(before.stdout.contains("pending"), "{}", before.stdout);

    let first = acikkapi(&["db", "migrate", &db.url]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let expected: Vec<String> = acikkapi_postgres::migrate::MIGRATIONS
        .iter()
        .map(|m| format!("applied {:04} {}", m.version, m.name))
        .collect();
    assert_eq!(first.stdout.trim(), expected.join("\n"));
    let again = acikkapi(&["db", "migrate", &db.url]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("up to date"), "{}", again.stdout);

    let after = acikkapi(&["db", "status", &db.url]);
    assert_eq!(after.code, 0, "{}", after.stderr);
    assert!(after.stdout.contains(" applied "), "{}", after.stdout);
    assert!(!after.stdout.contains("pending"));
}

#[test]
fn unreachable_database_is_an_error_with_exit_2() {
    let out = acikkapi(&["db", "status", "postgres://nobody:secret@127.0.0.1:9/x"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("retryable"), "{}", out.stderr);
    assert!(!out.stderr.contains("secret"), "no password in messages");
}
