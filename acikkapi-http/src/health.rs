//! Sağlık: `GET /healthz` (the process answers) and `GET /readyz` (it takes traffic: the journal
//! is open, the database (if any) answers, and shutdown has not begun).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Value, json};

use crate::state::AppState;

/// The health routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if !state.is_ready() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "shutting_down"})),
        )
    } else if !state.store_ready() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "database_unavailable"})),
        )
    } else {
        let mut applications = 0;
        state.service.with_engines(|e| applications += e.len());
        (
            StatusCode::OK,
            Json(json!({"status": "ready", "applications": applications})),
        )
    }
}
