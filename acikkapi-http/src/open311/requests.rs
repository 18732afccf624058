//! `POST requests`, `GET requests`, `requests/{id}`, `tokens/{token}`.

use std::sync::Arc;

use acikkapi_core::application::{ApplicationInput, TextOrNumber};
use acikkapi_core::geo::Geography;
use acikkapi_core::org::Organisation;
use acikkapi_core::service::public::is_open;
use acikkapi_core::service::{Applications, MAX_PUBLIC_REQUESTS, PublicQuery, PublicRequest};
use acikkapi_core::taxonomy::{CategoryCode, Taxonomy};
use acikkapi_core::workflow::{Actor, CommandId};
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use chrono::{DateTime, TimeDelta, Utc};
use http_body_util::BodyExt;
use serde_json::{Value, json};

use super::location::{self, LocationFields};
use crate::credentials::KeyHolder;
use crate::error::ApiError;
use crate::form;
use crate::state::AppState;

/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
/// The widest `start_date`..`end_date` window.
pub const MAX_WINDOW_DAYS: i64 = 90;

/// A datetime as Open311 writes it: RFC 3339 with Türkiye's offset.
pub(crate) fn datetime(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::Istanbul)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Runs a (blocking) service call off the async threads, on a thread of its own rather than
/// tokio's blocking pool: the PostgreSQL store's blocking API refuses any thread that carries a
/// tokio runtime context, and the blocking pool's threads do. The number of such threads is
/// bounded by [`Config::concurrency`](crate::Config::concurrency).
async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
) -> Result<R, ApiError> {
    let failed = |what: &dyn std::fmt::Display| {
        tracing::error!(error = %what, "hizmet çağrısı tamamlanamadı");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "sunucu hatası")
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("acikkapi-call".into())
        .spawn(move || {
            // A closed receiver (the request was cut by its timeout) drops the result.
            let _ = tx.send(f());
        })
        .map_err(|e| failed(&e))?;
    // A panic in `f` drops the sender.
    rx.await.map_err(|e| failed(&e))
}

/// One application in Open311's shape (no applicant data: see the module docs of `open311`).
pub(crate) fn request_doc(p: &PublicRequest) -> Value {
    let geo = Geography::embedded();
    let tax = Taxonomy::embedded();
    let category = CategoryCode::parse(&p.category)
        .ok()
        .and_then(|c| tax.category(&c));
    let heading = category.and_then(|c| tax.heading(&c.heading));
    let province = geo.province(p.province);
    json!({
        "service_request_id": p.tracking,
        "status": if is_open(p.status) { "open" } else { "closed" },
        "status_notes": p.answer,
        "service_name": category.map(|c| c.name_tr.clone()),
        "service_code": p.category,
        "description": Value::Null,
        "agency_responsible": p.agency,
        "service_notice": p.notice,
        "requested_datetime": datetime(p.received_at),
        "updated_datetime": datetime(p.updated_at),
        "expected_datetime": p.deadline.map(datetime),
        "address": format!("{}, {}", p.district, province.name),
        "address_id": format!("{:02}/{}", p.province.get(), p.district),
        "zipcode": Value::Null,
        "lat": Value::Null,
        "long": Value::Null,
        "media_url": Value::Null,
        "extended_attributes": {
            "status": p.status.name(),
            "status_tr": p.status.name_tr(),
            "outcome": p.outcome.map(|o| o.label_tr()),
            "outcome_code": p.outcome.map(|o| serde_json::to_value(o).unwrap_or(Value::Null)),
            "group": heading.map(|h| h.name_tr.clone()),
            "province": province.name,
            "district": p.district,
        },
    })
}

/// The fields `POST requests` takes; anything else is refused (a typo must not lose data).
const KNOWN_FIELDS: &[&str] = &[
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
];

fn content_type_is_form(headers: &HeaderMap) -> Result<(), ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut parts = ct.split(';').map(str::trim);
    let mime = parts.next().unwrap_or("");
    let charset_ok = parts.all(|p| match p.split_once('=') {
        Some((k, v)) if k.trim().eq_ignore_ascii_case("charset") => {
            v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    });
    if mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") && charset_ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "içerik türü application/x-www-form-urlencoded (UTF-8) olmalı, {:?} verildi",
                ct.chars().take(80).collect::<String>()
            ),
        ))
    }
}

/// The body, at most `limit` bytes (413 past it, before reading further when the length is
/// declared).
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("istek gövdesi {limit} bayt sınırını aşıyor"),
        )
    };
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > limit as u64
    {
        return Err(too_large());
    }
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes().to_vec()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(too_large())
        }
        Err(_) => Err(ApiError::bad_request("istek gövdesi okunamadı")),
    }
}

fn yes_no(code: &str, v: &str) -> Result<bool, ApiError> {
    match v.trim().to_lowercase().as_str() {
        "evet" | "true" | "1" | "yes" => Ok(true),
        "hayir" | "hayır" | "false" | "0" | "no" => Ok(false),
        _ => Err(ApiError::bad_request(format!(
            "attribute[{code}]: evet veya hayir olmalı"
        ))),
    }
}

/// The form as an application input, the service code and the key; every problem of the form
/// itself (not of the application: the validator judges that) is a 400 or 403.
fn input_of(
    pairs: Vec<(String, String)>,
    state: &AppState,
) -> Result<(ApplicationInput, KeyHolder, location::Place), ApiError> {
    let mut input = ApplicationInput::default();
    let mut loc = LocationFields::default();
    let mut key = None;
    let mut service_code = None;
    let mut seen = std::collections::HashSet::new();
    for (name, value) in pairs {
        if !seen.insert(name.clone()) {
            return Err(ApiError::bad_request(format!(
                "{name} birden çok kez verilmiş"
            )));
        }
        if let Some(code) = name
            .strip_prefix("attribute[")
            .and_then(|r| r.strip_suffix(']'))
        {
            match code {
                "tckn" => input.tckn = Some(value),
                "mother_maiden_initials" => input.mother_maiden_initials = Some(value),
                "birth_year" => input.birth_year = Some(TextOrNumber::Text(value)),
                "gender" => input.gender = Some(value),
                "kind" => input.kind = Some(value),
                "hide_identity" => input.hide_identity = Some(yes_no(code, &value)?),
                "confidential" => input.confidential = Some(yes_no(code, &value)?),
                "escort" => input.escort = Some(value),
                other => {
                    return Err(ApiError::bad_request(format!(
                        "bilinmeyen öznitelik: attribute[{}]",
                        other.chars().take(40).collect::<String>()
                    )));
                }
            }
            continue;
        }
        match name.as_str() {
            "api_key" => key = Some(value),
            "service_code" => service_code = Some(value),
            "lat" => loc.lat = Some(value),
            "long" => loc.long = Some(value),
            "address_string" => loc.address_string = Some(value),
            "address_id" => loc.address_id = Some(value),
            "first_name" => input.name = Some(value),
            "last_name" => input.surname = Some(value),
            "phone" => input.phone = Some(value),
            "description" => {
                let n = value.chars().count();
                if n > MAX_DESCRIPTION_CHARS {
                    return Err(ApiError::bad_request(format!(
                        "description en çok {MAX_DESCRIPTION_CHARS} karakter olabilir ({n} verildi)"
                    )));
                }
                input.subject = Some(value);
            }
            // Accepted as Open311 defines them, not stored: the applicant is reached by phone,
            // and the service keeps no device ids.
            n if KNOWN_FIELDS.contains(&n) => {}
            other => {
                return Err(ApiError::bad_request(format!(
                    "bilinmeyen alan: {}",
                    other.chars().take(40).collect::<String>()
                )));
            }
        }
    }
    let holder = key
        .as_deref()
        .and_then(|k| state.keys.verify(k))
        .ok_or_else(ApiError::bad_key)?;
    let code = service_code.ok_or_else(|| ApiError::bad_request("service_code gerekli"))?;
    if !super::services::exists(&code) {
        return Err(ApiError::bad_request(format!(
            "service_code bilinmiyor: {}",
            code.chars().take(40).collect::<String>()
        )));
    }
    let place = location::resolve(&loc)?;
    input.category = Some(code);
    input.province = Some(TextOrNumber::Text(format!("{:02}", place.province.get())));
    input.district = place.district.clone();
    input.channel = Some(holder.channel.code().to_owned());
    Ok((input, holder, place))
}

/// `POST requests`.
pub(crate) async fn submit(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, ApiError> {
    content_type_is_form(headers)?;
    let bytes = read_body(headers, body, state.config.body_limit).await?;
    let pairs = form::parse(&bytes).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let (input, holder, place) = input_of(pairs, state)?;
    let org = Organisation::for_province(place.province).map_err(|e| ApiError::from_core(&e))?;
    let actor = Actor::clerk(
        format!("kanal-{}-{}", holder.channel.code(), holder.id),
        org.acik_kapi_unit().id.clone(),
    );
    let mut token_bytes = [0u8; 16];
    getrandom::fill(&mut token_bytes).map_err(|e| {
        tracing::error!(error = %e, "rastgele sayı üretilemedi");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "sunucu hatası")
    })?;
    let token: String = token_bytes.iter().map(|b| format!("{b:02x}")).collect();
    let service = Arc::clone(&state.service);
    let cid = CommandId::new(format!("open311-{token}"));
    let (submitted, problems, public) = blocking(move || {
        let now = Utc::now();
        let submitted = service.submit(&actor, input, now, Some(cid))?;
        let t = submitted.tracking.to_string();
        let problems = if submitted.status == "not_processed" {
            service.view_with(&actor, &t, now, |s, _| s.reasons_tr())?
        } else {
            Vec::new()
        };
        let public = service.public_request(&t).ok();
        Ok::<_, acikkapi_core::Error>((submitted, problems, public))
    })
    .await?
    .map_err(|e| ApiError::from_core(&e))?;
    if !problems.is_empty() {
        let mut err = ApiError::bad_request(format!(
            "başvuru işleme alınmadı ({}): {} sorun",
            submitted.tracking,
            problems.len()
        ));
        err.descriptions.extend(problems);
        return Err(err);
    }
    tracing::info!(tracking = %submitted.tracking, channel = holder.channel.code(), key = %holder.id, "open311 başvurusu kaydedildi");
    Ok(json!([{
        "service_request_id": submitted.tracking.to_string(),
        "token": token,
        "service_notice": public.and_then(|p| p.notice),
        "account_id": Value::Null,
    }]))
}

fn parse_date(name: &str, v: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(v.trim())
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::bad_request(format!(
                "{name}: W3C/RFC 3339 biçiminde bir zaman olmalı (2026-11-23T09:00:00+03:00)"
            ))
        })
}

fn list_param(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The `GET requests` filters as a [`PublicQuery`].
fn query_of(raw: &str, now: DateTime<Utc>) -> Result<PublicQuery, ApiError> {
    let pairs = form::parse(raw.as_bytes()).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let mut q = PublicQuery {
        limit: MAX_PUBLIC_REQUESTS,
        ..PublicQuery::default()
    };
    let (mut start, mut end) = (None, None);
    for (name, value) in pairs {
        match name.as_str() {
            "service_request_id" => q.tracking = list_param(&value),
            "service_code" => q.categories = list_param(&value),
            "start_date" => start = Some(parse_date("start_date", &value)?),
            "end_date" => end = Some(parse_date("end_date", &value)?),
            "status" => {
                let wanted = list_param(&value);
                let open = wanted.iter().any(|s| s == "open");
                let closed = wanted.iter().any(|s| s == "closed");
                if let Some(bad) = wanted.iter().find(|s| *s != "open" && *s != "closed") {
                    return Err(ApiError::bad_request(format!(
                        "status open veya closed olmalı: {}",
                        bad.chars().take(20).collect::<String>()
                    )));
                }
                q.open = match (open, closed) {
                    (true, false) => Some(true),
                    (false, true) => Some(false),
                    _ => None,
                };
            }
            "jurisdiction_id" | "api_key" | "extensions" => {}
            other => {
                return Err(ApiError::bad_request(format!(
                    "bilinmeyen parametre: {}",
                    other.chars().take(40).collect::<String>()
                )));
            }
        }
    }
    if !q.tracking.is_empty() {
        // The spec: with ids, the other filters are ignored.
        if q.tracking.len() > MAX_PUBLIC_REQUESTS {
            return Err(ApiError::bad_request(format!(
                "en çok {MAX_PUBLIC_REQUESTS} service_request_id"
            )));
        }
        return Ok(PublicQuery {
            tracking: q.tracking,
            limit: MAX_PUBLIC_REQUESTS,
            ..PublicQuery::default()
        });
    }
    let window = TimeDelta::days(MAX_WINDOW_DAYS);
    let (from, to) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, s + window),
        (None, Some(e)) => (e - window, e),
        (None, None) => (now - window, now),
    };
    if to < from {
        return Err(ApiError::bad_request("end_date start_date'den önce olamaz"));
    }
    if to - from > window {
        return Err(ApiError::bad_request(format!(
            "start_date ile end_date arası en çok {MAX_WINDOW_DAYS} gün olabilir"
        )));
    }
    q.from = Some(from);
    q.to = Some(to);
    Ok(q)
}

/// `GET requests`.
pub(crate) async fn list(state: &AppState, raw_query: &str) -> Result<Value, ApiError> {
    let q = query_of(raw_query, Utc::now())?;
    let service: Arc<Applications> = Arc::clone(&state.service);
    let found = blocking(move || service.public_requests(&q)).await?;
    Ok(Value::Array(found.iter().map(request_doc).collect()))
}

/// `GET requests/{id}`.
pub(crate) async fn one(state: &AppState, id: &str) -> Result<Value, ApiError> {
    let service = Arc::clone(&state.service);
    let id = id.to_owned();
    let p = blocking(move || service.public_request(&id))
        .await?
        .map_err(|e| ApiError::from_core(&e))?;
    Ok(json!([request_doc(&p)]))
}

/// `GET tokens/{token}`: the application a submission with this token made, if the public may
/// see it.
pub(crate) async fn token(state: &AppState, token: &str) -> Result<Value, ApiError> {
    let service = Arc::clone(&state.service);
    let token = token.to_owned();
    let found = blocking(move || {
        let cid = CommandId::new(format!("open311-{token}"));
        // Every partition (province stream): the token does not say which one it went to.
        let mut tracking = None;
        service.with_engines(|e| {
            if tracking.is_none() {
                tracking = e.command_outcome(&cid).map(|o| o.instance.to_string());
            }
        });
        let tracking = tracking?;
        service.public_request(&tracking).ok()?;
        Some((tracking, token))
    })
    .await?;
    let (tracking, token) = found.ok_or_else(|| ApiError::not_found("böyle bir belirteç yok"))?;
    Ok(json!([{"service_request_id": tracking, "token": token}]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_windows() {
        let now: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        let q = query_of("", now).unwrap();
        assert_eq!(q.to, Some(now));
        assert_eq!(q.from, Some(now - TimeDelta::days(90)));
        let q = query_of(
            "start_date=2026-11-01T00:00:00%2B03:00&end_date=2026-11-30T00:00:00Z&status=open",
            now,
        )
        .unwrap();
        assert_eq!(q.open, Some(true));
        assert!(
            query_of(
                "start_date=2026-01-01T00:00:00Z&end_date=2026-11-30T00:00:00Z",
                now
            )
            .is_err()
        );
        assert!(
            query_of(
                "start_date=2026-11-30T00:00:00Z&end_date=2026-11-01T00:00:00Z",
                now
            )
            .is_err()
        );
        assert!(query_of("start_date=yesterday", now).is_err());
        assert!(query_of("status=pending", now).is_err());
        assert!(query_of("color=red", now).is_err());
        let q = query_of("service_request_id=A,B&status=open", now).unwrap();
        assert_eq!((q.tracking.len(), q.open, q.from), (2, None, None));
    }

    #[test]
    fn datetimes_carry_the_offset() {
        let t: DateTime<Utc> = "2026-11-23T06:30:00Z".parse().unwrap();
        assert_eq!(datetime(t), "2026-11-23T09:30:00+03:00");
    }
}
