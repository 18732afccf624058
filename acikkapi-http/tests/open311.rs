//! Open311 GeoReport v2 over real HTTP on loopback: the spec's resources in both formats, the
//! flow submit → route → answer, and every bad input the service must refuse.

mod support;

use acikkapi_core::application::Outcome;
use acikkapi_core::geo::ProvincePlate;
use acikkapi_core::org::Role;
use acikkapi_core::workflow::Actor;
use serde_json::Value;
use support::{Server, encode};

const V2: &str = "/open311/v2";

/// The spec's POST example, every standard field, with Açık Kapı values: a Denizli rubbish
/// complaint, the address as text, coordinates given too (checked, not mapped), an email, device
/// and account id (accepted, not stored), a media URL, and the form fields as attributes.
fn spec_post(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("api_key", key.to_owned()),
        ("service_code", "YEREL.COP".into()),
        ("lat", "37.7512".into()),
        ("long", "29.1007".into()),
        (
            "address_string",
            "Kınıklı Mahallesi, Pamukkale, Denizli".into(),
        ),
        ("email", "ayse@example.invalid".into()),
        ("device_id", "tt222111".into()),
        ("account_id", "123456".into()),
        ("first_name", "Ayşe Nur".into()),
        ("last_name", "Yılmaz".into()),
        ("phone", "0532 000 00 01".into()),
        (
            "description",
            "Kınıklı Mahallesi'nde çöpler bir haftadır toplanmıyor, konteynerlerin çevresi \
             kokudan geçilmiyor."
                .into(),
        ),
        ("media_url", "http://example.invalid/cop.jpg".into()),
        ("attribute[tckn]", "10000000146".into()),
        ("attribute[mother_maiden_initials]", "KA".into()),
        ("attribute[birth_year]", "1984".into()),
        ("attribute[gender]", "female".into()),
        ("attribute[kind]", "sikayet".into()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn submit(server: &Server) -> (String, String) {
    let form = spec_post(&server.key);
    let r = server.post_form(&format!("{V2}/requests.json"), &pairs(&form));
    assert_eq!(r.status, 200, "{}", r.text());
    let doc = r.json();
    let first = &doc[0];
    (
        first["service_request_id"].as_str().unwrap().to_owned(),
        first["token"].as_str().unwrap().to_owned(),
    )
}

/// Asserts an Open311 error array in JSON with `status` as its code.
fn json_error(r: &support::Reply, status: u16) -> String {
    assert_eq!(r.status, status, "{}", r.text());
    assert!(
        r.header("content-type")
            .unwrap_or("")
            .starts_with("application/json"),
        "{:?} {}",
        r.headers,
        r.text()
    );
    let doc = r.json();
    let errors = doc.as_array().expect("an array of errors");
    assert!(!errors.is_empty());
    for e in errors {
        assert_eq!(e["code"], status);
        assert!(e["description"].as_str().is_some_and(|d| !d.is_empty()));
    }
    errors[0]["description"].as_str().unwrap().to_owned()
}

fn xml_error(r: &support::Reply, status: u16) {
    assert_eq!(r.status, status, "{}", r.text());
    assert!(r.header("content-type").unwrap().starts_with("text/xml"));
    let t = r.text();
    assert!(
        t.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors><error><code>"),
        "{t}"
    );
    assert!(
        t.contains(&format!("<code>{status}</code><description>")),
        "{t}"
    );
    assert!(t.ends_with("</description></error></errors>"), "{t}");
}

#[test]
fn discovery_services_and_definitions_in_both_formats() {
    let s = Server::start();
    let d = s.get(&format!("{V2}/discovery.json"));
    assert_eq!(d.status, 200);
    let doc = d.json();
    assert_eq!(
        doc["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert_eq!(doc["endpoints"][0]["formats"][0], "text/xml");
    let dx = s.get(&format!("{V2}/discovery.xml")).text();
    assert!(
        dx.contains("<endpoints><endpoint>") && dx.contains("<format>application/json</format>"),
        "{dx}"
    );

    let list = s.get(&format!("{V2}/services.json"));
    assert_eq!(list.status, 200);
    let services = list.json();
    let services = services.as_array().unwrap();
    assert!(services.len() > 300, "one service per category");
    let cop = services
        .iter()
        .find(|x| x["service_code"] == "YEREL.COP")
        .unwrap();
    assert_eq!(cop["metadata"], true);
    assert_eq!(cop["type"], "realtime");
    assert!(
        cop["group"].as_str().unwrap().len() > 3,
        "the heading is the group"
    );
    let xml = s.get(&format!("{V2}/services.xml"));
    assert_eq!(xml.status, 200);
    assert!(xml.header("content-type").unwrap().starts_with("text/xml"));
    let xml = xml.text();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><services><service>"));
    assert!(xml.contains("<service_code>YEREL.COP</service_code>"));
    assert_eq!(xml.matches("<service>").count(), services.len());

    let def = s.get(&format!("{V2}/services/YEREL.COP.json")).json();
    assert_eq!(def["service_code"], "YEREL.COP");
    let attrs = def["attributes"].as_array().unwrap();
    let codes: Vec<&str> = attrs.iter().map(|a| a["code"].as_str().unwrap()).collect();
    for c in [
        "tckn",
        "mother_maiden_initials",
        "birth_year",
        "gender",
        "kind",
    ] {
        assert!(codes.contains(&c), "{c} in {codes:?}");
    }
    let gender = attrs.iter().find(|a| a["code"] == "gender").unwrap();
    assert_eq!(gender["datatype"], "singlevaluelist");
    assert!(
        gender["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["key"] == "female")
    );
    let defx = s.get(&format!("{V2}/services/YEREL.COP.xml")).text();
    assert!(
        defx.contains("<service_definition><attributes><attribute>"),
        "{defx}"
    );
    assert!(defx.contains("<values><value><key>"), "{defx}");

    json_error(&s.get(&format!("{V2}/services/YOK.BOYLE.json")), 404);
    xml_error(&s.get(&format!("{V2}/services/YOK.BOYLE.xml")), 404);
    // No format suffix: not an Open311 resource.
    json_error(&s.get(&format!("{V2}/services")), 404);
    json_error(&s.get(&format!("{V2}/services/YEREL.COP")), 404);
    json_error(&s.get("/nowhere"), 404);
    assert_eq!(s.get("/healthz").status, 200);
    assert_eq!(s.get("/readyz").json()["status"], "ready");
}

#[test]
fn submit_route_answer_over_open311() {
    let s = Server::start();
    let (id, token) = submit(&s);
    assert!(id.starts_with("AK-20-"), "{id}: Denizli's number");

    // Registered: open, no agency yet, the registration SMS as the notice.
    let r = s.get(&format!("{V2}/requests/{id}.json")).json();
    let req = &r[0];
    assert_eq!(req["service_request_id"], id.as_str());
    assert_eq!(req["status"], "open");
    assert_eq!(req["service_code"], "YEREL.COP");
    assert_eq!(req["agency_responsible"], Value::Null);
    assert!(req["service_notice"].as_str().unwrap().contains(&id));
    assert_eq!(req["address_id"], "20/Pamukkale");
    assert!(
        req["requested_datetime"]
            .as_str()
            .unwrap()
            .ends_with("+03:00")
    );

    // The token leads to the request.
    let t = s.get(&format!("{V2}/tokens/{token}.json")).json();
    assert_eq!(t[0]["service_request_id"], id.as_str());
    assert_eq!(t[0]["token"], token.as_str());
    let tx = s.get(&format!("{V2}/tokens/{token}.xml")).text();
    assert!(
        tx.contains(&format!("<service_request_id>{id}</service_request_id>")),
        "{tx}"
    );
    json_error(&s.get(&format!("{V2}/tokens/00ff.json")), 404);

    // The bureau routes (through the service): the agency and the deadline appear.
    let bureau = Actor::bureau_of(ProvincePlate::new(20).unwrap()).unwrap();
    let now = chrono::Utc::now();
    s.service.route(&bureau, &id, 0, now, None).unwrap();
    let a = s
        .service
        .view(&bureau, &id, now)
        .unwrap()
        .state
        .assignment
        .unwrap();
    let r = s.get(&format!("{V2}/requests/{id}.json")).json();
    let req = &r[0];
    assert_eq!(req["agency_responsible"], a.unit_name.as_str());
    let expected = req["expected_datetime"].as_str().unwrap();
    assert!(expected.ends_with("+03:00"), "{expected}");
    let parsed = chrono::DateTime::parse_from_rfc3339(expected).unwrap();
    assert!(
        parsed
            > chrono::DateTime::parse_from_rfc3339(req["requested_datetime"].as_str().unwrap())
                .unwrap()
    );
    assert!(
        req["service_notice"]
            .as_str()
            .unwrap()
            .contains(&a.unit_name)
    );
    assert_eq!(req["status_notes"], Value::Null);

    // The officer answers: status_notes and the outcome.
    let officer = Actor::officer(a.officer.clone(), Role::Yetkili);
    s.service
        .answer(
            &officer,
            &id,
            Outcome::PartlyPositive,
            "Konteynerler boşaltıldı; haftada iki kez toplanacak.",
            now,
            None,
        )
        .unwrap();
    let r = s.get(&format!("{V2}/requests/{id}.json")).json();
    let req = &r[0];
    assert_eq!(req["status"], "closed");
    assert_eq!(
        req["status_notes"],
        "Konteynerler boşaltıldı; haftada iki kez toplanacak."
    );
    assert_eq!(req["extended_attributes"]["outcome"], "kısmen olumlu");
    assert_eq!(req["extended_attributes"]["status"], "answered");
    let x = s.get(&format!("{V2}/requests/{id}.xml"));
    assert_eq!(x.status, 200);
    let x = x.text();
    assert!(
        x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><service_requests><request>"),
        "{x}"
    );
    assert!(x.contains("<status>closed</status>"), "{x}");
    assert!(
        x.contains(
            "<status_notes>Konteynerler boşaltıldı; haftada iki kez toplanacak.</status_notes>"
        ),
        "{x}"
    );
    assert!(
        x.contains(&format!(
            "<agency_responsible>{}</agency_responsible>",
            a.unit_name
        )),
        "{x}"
    );

    // Listings: by id, by code, by status.
    let by_id = s
        .get(&format!("{V2}/requests.json?service_request_id={id}"))
        .json();
    assert_eq!(by_id.as_array().unwrap().len(), 1);
    let closed = s
        .get(&format!(
            "{V2}/requests.json?service_code=YEREL.COP&status=closed"
        ))
        .json();
    assert_eq!(closed.as_array().unwrap().len(), 1);
    let open = s.get(&format!("{V2}/requests.json?status=open")).json();
    assert_eq!(open.as_array().unwrap().len(), 0);
    let other = s
        .get(&format!("{V2}/requests.json?service_code=SAGLIK.DIGER"))
        .json();
    assert_eq!(other.as_array().unwrap().len(), 0);
    json_error(
        &s.get(&format!("{V2}/requests/AK-20-2026-0999999-0.json")),
        404,
    );
}

#[test]
fn listings_carry_no_personal_data_and_no_confidential_application() {
    let s = Server::start();
    let (id, _) = submit(&s);
    let mut secret = spec_post(&s.key);
    secret.push(("attribute[confidential]", "evet".into()));
    let r = s.post_form(&format!("{V2}/requests.json"), &pairs(&secret));
    assert_eq!(r.status, 200, "{}", r.text());
    let secret_id = r.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The confidential one is unknown to the public, like a number that does not exist.
    json_error(&s.get(&format!("{V2}/requests/{secret_id}.json")), 404);
    for format in ["json", "xml"] {
        for path in [
            format!("{V2}/requests.{format}"),
            format!("{V2}/requests/{id}.{format}"),
            format!("{V2}/requests.{format}?service_request_id={id},{secret_id}"),
        ] {
            let r = s.get(&path);
            assert_eq!(r.status, 200, "{path}");
            let text = r.text();
            assert!(text.contains(&id), "{path}: {text}");
            assert!(
                !text.contains(&secret_id),
                "{path}: the confidential one is listed"
            );
            for personal in [
                "10000000146",
                "Ayşe",
                "Yılmaz",
                "0532",
                "000 00 01",
                "05320000001",
                "+905320000001",
                "1984",
                "ayse@",
                "tt222111",
                "çöpler bir haftadır",
            ] {
                assert!(!text.contains(personal), "{path}: {personal:?} in {text}");
            }
        }
    }
}

#[test]
fn bad_keys_are_403_in_both_formats() {
    let s = Server::start();
    let mut form = spec_post("ak_0000000000000000_00");
    json_error(
        &s.post_form(&format!("{V2}/requests.json"), &pairs(&form)),
        403,
    );
    xml_error(
        &s.post_form(&format!("{V2}/requests.xml"), &pairs(&form)),
        403,
    );
    // A real key's id with another secret.
    let id = s.key.split('_').nth(1).unwrap();
    form[0].1 = format!("ak_{id}_{}", "0".repeat(64));
    json_error(
        &s.post_form(&format!("{V2}/requests.json"), &pairs(&form)),
        403,
    );
    form.remove(0);
    json_error(
        &s.post_form(&format!("{V2}/requests.json"), &pairs(&form)),
        403,
    );
    assert_eq!(
        s.get(&format!("{V2}/requests.json"))
            .json()
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing was submitted"
    );
}

#[test]
fn bad_input_gets_a_clear_4xx() {
    let s = Server::start_with(acikkapi_http::Config {
        body_limit: 32 * 1024,
        request_timeout: std::time::Duration::from_secs(2),
        header_timeout: std::time::Duration::from_secs(1),
        ..acikkapi_http::Config::default()
    });
    let post = format!("{V2}/requests.json");
    let ok = spec_post(&s.key);
    let with = |name: &'static str, value: &str| {
        let mut f = ok.clone();
        f.retain(|(k, _)| *k != name);
        f.push((name, value.to_owned()));
        f
    };
    // Unknown service code, an unknown field, an unknown attribute, a repeated field.
    assert!(
        json_error(
            &s.post_form(&post, &pairs(&with("service_code", "YOK.BOYLE"))),
            400
        )
        .contains("service_code")
    );
    json_error(&s.post_form(&post, &pairs(&with("colour", "red"))), 400);
    json_error(
        &s.post_form(&post, &pairs(&with("attribute[shoe_size]", "42"))),
        400,
    );
    let mut twice = ok.clone();
    twice.push(("description", "ikinci".into()));
    json_error(&s.post_form(&post, &pairs(&twice)), 400);
    // Description: 4,000 characters pass the form check, 4,001 do not.
    let long = "ç".repeat(4_001);
    assert!(
        json_error(
            &s.post_form(&post, &pairs(&with("description", &long))),
            400
        )
        .contains("4000")
    );
    let r = s.post_form(&post, &pairs(&with("description", &"ç".repeat(4_000))));
    assert_eq!(r.status, 200, "{}", r.text());
    // A location that cannot be mapped.
    let mut coords_only = ok.clone();
    coords_only.retain(|(k, _)| *k != "address_string");
    assert!(json_error(&s.post_form(&post, &pairs(&coords_only)), 400).contains("address_string"));
    json_error(
        &s.post_form(&post, &pairs(&with("address_string", "Atlantis"))),
        400,
    );
    // An application the validator refuses: 400 with its problems, in Turkish.
    let r = s.post_form(&post, &pairs(&with("attribute[tckn]", "12345678901")));
    json_error(&r, 400);
    assert!(
        r.json().as_array().unwrap().len() >= 2,
        "the summary and each problem: {}",
        r.text()
    );
    // Wrong content types: JSON, XML (with a DTD: never parsed), none.
    let form = encode(&pairs(&ok));
    json_error(
        &s.post(
            &post,
            "application/json",
            b"{\"service_code\":\"YEREL.COP\"}",
        ),
        415,
    );
    let dtd = b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><r>&b;</r>";
    json_error(&s.post(&post, "text/xml", dtd), 415);
    json_error(
        &s.post(
            &post,
            "application/x-www-form-urlencoded; charset=latin1",
            form.as_bytes(),
        ),
        415,
    );
    json_error(&s.raw(format!("POST {post} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{form}", form.len()).as_bytes()), 415);
    // Malformed forms and invalid UTF-8, raw and percent-encoded.
    let ct = "application/x-www-form-urlencoded";
    json_error(
        &s.post(&post, ct, format!("{form}&description=%G1").as_bytes()),
        400,
    );
    json_error(&s.post(&post, ct, format!("{form}&x=%").as_bytes()), 400);
    let mut raw_bad = form.clone().into_bytes();
    raw_bad.extend_from_slice(b"&description=\xff\xfe");
    json_error(&s.post(&post, ct, &raw_bad), 400);
    json_error(
        &s.post(&post, ct, format!("{form}&description=%C3%28").as_bytes()),
        400,
    );
    json_error(&s.get(&format!("{V2}/requests.json?status=%FF")), 400);
    // Too large: declared, and sent chunked without a length.
    json_error(&s.post(&post, ct, &vec![b'a'; 40 * 1024]), 413);
    let mut chunked = format!("POST {post} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: {ct}\r\nTransfer-Encoding: chunked\r\n\r\n").into_bytes();
    for _ in 0..40 {
        chunked.extend_from_slice(b"400\r\n");
        chunked.extend_from_slice(&[b'a'; 1024]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    json_error(&s.raw(&chunked), 413);
    // GET filters.
    json_error(
        &s.get(&format!(
            "{V2}/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"
        )),
        400,
    );
    json_error(
        &s.get(&format!(
            "{V2}/requests.json?start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"
        )),
        400,
    );
    xml_error(
        &s.get(&format!("{V2}/requests.xml?start_date=yesterday")),
        400,
    );
    xml_error(&s.get(&format!("{V2}/requests.xml?status=pending")), 400);
    json_error(&s.get(&format!("{V2}/requests.json?colour=red")), 400);
    // A POST to something else.
    json_error(
        &s.post(&format!("{V2}/services.json"), ct, form.as_bytes()),
        405,
    );
    // A body that never comes: 408 at the request timeout, not a hang.
    let stalled = format!(
        "POST {post} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: {ct}\r\nContent-Length: 1000\r\n\r\napi_key="
    );
    json_error(&s.raw(stalled.as_bytes()), 408);
    // Headers that never end (slowloris): the connection is closed at the header timeout; the
    // client's read ends (EOF or a 408 from hyper) instead of waiting for its own 30 s timeout.
    let mut slow = std::net::TcpStream::connect(s.addr).unwrap();
    slow.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    std::io::Write::write_all(&mut slow, b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: a").unwrap();
    let mut rest = Vec::new();
    let read = std::io::Read::read_to_end(&mut slow, &mut rest);
    assert!(read.is_ok(), "the server closed the connection: {read:?}");
    assert!(
        rest.is_empty() || rest.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&rest)
    );
    // And the service still answers.
    assert_eq!(s.get("/healthz").status, 200);
    assert_eq!(s.post_form(&post, &pairs(&ok)).status, 200);
}

#[test]
fn shutdown_finishes_the_request_in_flight_and_refuses_new_ones() {
    let mut s = Server::start_with(acikkapi_http::Config {
        request_timeout: std::time::Duration::from_secs(2),
        ..acikkapi_http::Config::default()
    });
    let addr = s.addr;
    // A request in flight: its body never comes, so it ends at the request timeout with 408.
    let mut inflight = std::net::TcpStream::connect(addr).unwrap();
    inflight
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    std::io::Write::write_all(
        &mut inflight,
        format!(
            "POST {V2}/requests.json HTTP/1.1\r\nHost: t\r\nContent-Type: \
             application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\napi_key="
        )
        .as_bytes(),
    )
    .unwrap();
    // Let the server read the headers before the shutdown begins: connections are accepted in
    // order, so the in-flight one is being served once a later one was answered (and a short
    // pause gives its task the moment to parse what is already in its buffer).
    assert_eq!(s.get("/healthz").status, 200);
    std::thread::sleep(std::time::Duration::from_millis(200));
    s.begin_stop();
    let mut reply = Vec::new();
    std::io::Read::read_to_end(&mut inflight, &mut reply).unwrap();
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("\"code\":408"), "{reply}");
    s.join();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "no longer accepting after shutdown"
    );
}

#[test]
fn the_concurrency_limit_is_one_for_the_whole_service() {
    // The stalled request must take the only permit before /healthz asks for it; on a loaded
    // machine the server may not have admitted it yet when /healthz arrives, so the scenario is
    // tried again with a longer head start. A limit per route fails every attempt (/healthz is
    // answered at once, before the stalled request's 408).
    let mut seen = Vec::new();
    for head_start_ms in [200, 600, 1500, 3000] {
        let order = concurrency_scenario(std::time::Duration::from_millis(head_start_ms));
        if order == [("stalled", 408), ("healthz", 200)] {
            return;
        }
        seen.push(order);
    }
    panic!("/healthz never waited for the stalled request's permit: {seen:?}");
}

fn concurrency_scenario(head_start: std::time::Duration) -> Vec<(&'static str, u16)> {
    let s = Server::start_with(acikkapi_http::Config {
        request_timeout: std::time::Duration::from_secs(2),
        concurrency: 1,
        ..acikkapi_http::Config::default()
    });
    let (tx, rx) = std::sync::mpsc::channel();
    let mut stalled = std::net::TcpStream::connect(s.addr).unwrap();
    stalled
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    std::io::Write::write_all(
        &mut stalled,
        format!(
            "POST {V2}/requests.json HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: \
             application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\napi_key="
        )
        .as_bytes(),
    )
    .unwrap();
    std::thread::sleep(head_start);
    // Another route: it waits for the only permit, held by the stalled request.
    std::thread::scope(|scope| {
        let tx2 = tx.clone();
        let s = &s;
        scope.spawn(move || {
            let r = s.get("/healthz");
            tx2.send(("healthz", r.status)).unwrap();
        });
        let mut reply = Vec::new();
        std::io::Read::read_to_end(&mut stalled, &mut reply).unwrap();
        tx.send((
            "stalled",
            u16::from(reply.starts_with(b"HTTP/1.1 408")) * 408,
        ))
        .unwrap();
    });
    rx.try_iter().collect()
}
