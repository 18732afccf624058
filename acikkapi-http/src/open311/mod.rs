//! Open311 GeoReport v2 under `/open311/v2/`, in JSON and XML.
//!
//! | endpoint | what |
//! | --- | --- |
//! | `GET discovery.{json,xml}` | the discovery document |
//! | `GET services.{json,xml}` | one service per category of the taxonomy |
//! | `GET services/{code}.{json,xml}` | the service definition: the Açık Kapı form fields as attributes |
//! | `POST requests.{json,xml}` | a submission (form-encoded, `api_key`), through the service as the key's channel |
//! | `GET requests.{json,xml}` | the public view of applications, filtered, at most 1,000 |
//! | `GET requests/{id}.{json,xml}` | one application's public view |
//! | `GET tokens/{token}.{json,xml}` | the application a submission's token made |
//!
//! # Mapping
//! Heading → `group`, category → service (`service_code` is the category code, `YEREL.COP`),
//! institution → `agency_responsible`, deadline → `expected_datetime`, the last SMS text →
//! `service_notice`, the answer → `status_notes`; status, outcome (olumlu / olumsuz / kısmen
//! olumlu), province and district in `extended_attributes`. Datetimes are RFC 3339 with the offset
//! of Türkiye (`+03:00`). The Open311 `status` is `open` until the application is answered,
//! closed or redirected.
//!
//! # Who acts
//! A submission acts as a clerk of the Açık Kapı unit of the application's province whose id is
//! the key's channel and id (`kanal-web-<key id>`): the channel takes the application in as the
//! bureau's desk would, and the tracking number is that province's. Reads act as nobody: they
//! return [`PublicRequest`](acikkapi_core::service::PublicRequest)s, which hold no applicant data
//! and never a confidential application (see [`acikkapi_core::service::public`]). The
//! applicant's own text (`description`) is not shown in listings either: citizens write their
//! names and numbers into it.

pub mod location;
mod requests;
mod services;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

use crate::error::ApiError;
use crate::format::Format;
use crate::state::AppState;

/// The prefix every Open311 path has.
pub const PREFIX: &str = "/open311/v2";

/// The Open311 routes (nested under [`PREFIX`] by the server).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{file}", get(get_file).post(post_file))
        .route("/services/{file}", get(get_service))
        .route("/requests/{file}", get(get_request))
        .route("/tokens/{file}", get(get_token))
        .fallback(not_found)
}

/// A document in `format` with status 200.
pub(crate) fn respond(format: Format, root: &str, doc: &Value) -> Response {
    let mut res = (StatusCode::OK, format.render(root, doc)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    res
}

/// The format of a path segment, or 404 (a path without `.json`/`.xml` is no Open311 resource).
fn split(file: &str) -> Result<(&str, Format), ApiError> {
    Format::split(file).ok_or_else(|| {
        ApiError::not_found(format!(
            "{file:?}: biçim uzantısı gerekli (.json veya .xml)"
        ))
    })
}

async fn not_found() -> ApiError {
    ApiError::not_found("böyle bir Open311 kaynağı yok")
}

async fn get_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (stem, format) = split(&file)?;
    let result = match stem {
        "discovery" => Ok(respond(format, "discovery", &services::discovery())),
        "services" => Ok(respond(format, "services", &services::list())),
        "requests" => requests::list(&state, query.as_deref().unwrap_or(""))
            .await
            .map(|doc| respond(format, "service_requests", &doc)),
        _ => Err(ApiError::not_found(format!(
            "böyle bir Open311 kaynağı yok: {stem}"
        ))),
    };
    result.map_err(|e| e.in_format(format))
}

async fn post_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (stem, format) = split(&file)?;
    if stem != "requests" {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "yalnızca requests'e POST yapılır",
        )
        .in_format(format));
    }
    requests::submit(&state, &headers, body)
        .await
        .map(|doc| respond(format, "service_requests", &doc))
        .map_err(|e| e.in_format(format))
}

async fn get_service(Path(file): Path<String>) -> Result<Response, ApiError> {
    let (code, format) = split(&file)?;
    services::definition(code)
        .map(|doc| respond(format, "service_definition", &doc))
        .map_err(|e| e.in_format(format))
}

async fn get_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let (id, format) = split(&file)?;
    requests::one(&state, id)
        .await
        .map(|doc| respond(format, "service_requests", &doc))
        .map_err(|e| e.in_format(format))
}

async fn get_token(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let (token, format) = split(&file)?;
    requests::token(&state, token)
        .await
        .map(|doc| respond(format, "service_requests", &doc))
        .map_err(|e| e.in_format(format))
}
