//! Hata: the one error type of the HTTP service, and how core errors map to HTTP.
//!
//! Every failure a handler or a middleware meets becomes an [`ApiError`]: an HTTP status and one
//! or more `{code, description}` pairs, written as Open311 says (JSON: an array of objects; XML:
//! `<errors><error><code/><description/></error></errors>`) in the format the client asked for.
//! The `code` is the HTTP status, as in the spec's examples. Core errors map by kind
//! ([`ApiError::from_core`]): an unknown application is 404, a refused permission 403, a bad
//! value 400, a storage failure 500 (logged, shown without detail).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::format::Format;

/// An error response (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The descriptions (at least one).
    pub descriptions: Vec<String>,
    /// The format to write it in.
    pub format: Format,
}

impl ApiError {
    /// An error with one description, in JSON until [`in_format`](Self::in_format) says otherwise.
    pub fn new(status: StatusCode, description: impl Into<String>) -> Self {
        ApiError {
            status,
            descriptions: vec![description.into()],
            format: Format::Json,
        }
    }

    /// 400 Bad Request.
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, description)
    }

    /// 404 Not Found.
    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, description)
    }

    /// 403 Forbidden: a missing or wrong `api_key` (one answer for both).
    pub fn bad_key() -> Self {
        Self::new(StatusCode::FORBIDDEN, "api_key geçersiz veya eksik")
    }

    /// The same error in `format`.
    pub fn in_format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// A core error as HTTP (see the module docs).
    pub fn from_core(err: &acikkapi_core::Error) -> Self {
        use acikkapi_core::Error as E;
        match err {
            E::UnknownInstance(t) => Self::not_found(format!("başvuru bulunamadı: {t}")),
            E::Forbidden { .. } => Self::new(StatusCode::FORBIDDEN, err.to_string()),
            E::Conflict { .. } | E::CommandIdReused { .. } | E::ConcurrencyConflict { .. } => {
                Self::new(StatusCode::CONFLICT, err.to_string())
            }
            E::WorkflowStorage { .. }
            | E::CorruptHistory { .. }
            | E::JournalIo { .. }
            | E::JournalCorrupt { .. }
            | E::JournalUnwritable { .. }
            | E::JournalLocked { .. }
            | E::StoreUnavailable { .. } => {
                tracing::error!(error = %err, "depolama hatası");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "sunucu hatası; başvuru kaydedilemedi",
                )
            }
            other => Self::bad_request(other.to_string()),
        }
    }

    /// The Open311 error document.
    pub fn document(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.descriptions
                .iter()
                .map(|d| json!({"code": self.status.as_u16(), "description": d}))
                .collect(),
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.descriptions.join("; "))
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.format.render("errors", &self.document());
        let mut res = (self.status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.format.content_type()),
        );
        res
    }
}
