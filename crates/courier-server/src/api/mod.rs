//! The staff API under `/api/v1`: JSON in and out, bearer tokens, and the
//! contract's error shape on every refusal, axum's own rejections included.

mod attachments;
mod auth;
mod changes;
mod library;
mod notices;
mod openapi;
mod requests;
mod sessions;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;

pub use auth::Staff;
pub use sessions::{hash_password, SIGN_IN_MAX_FAILURES};

use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/v1/sessions", post(sessions::create))
        .route("/api/v1/sessions/current", delete(sessions::delete))
        .route(
            "/api/v1/requests",
            get(requests::list).post(requests::create),
        )
        .route("/api/v1/requests/{id}", get(requests::show))
        .route(
            "/api/v1/requests/{id}/status",
            post(requests::change_status),
        )
        .route(
            "/api/v1/requests/{id}/attachments",
            get(attachments::list)
                .post(attachments::upload)
                .layer(attachments::body_limit()),
        )
        .route(
            "/api/v1/attachments/{id}/content",
            get(attachments::content),
        )
        .route("/api/v1/attachments/{id}", delete(attachments::withdraw))
        .route("/api/v1/changes", get(changes::since))
        .route("/api/v1/library", get(library::show).put(library::update))
        .route("/api/v1/notices", get(notices::list))
        .route("/api/v1/notices/{id}/retry", post(notices::retry))
        .route(
            "/api/v1/attachments/{id}/notices",
            post(notices::send_document_url),
        )
        .method_not_allowed_fallback(method_not_allowed)
}

/// The answer for an address that does not exist.
pub async fn not_found(method: Method) -> Response {
    let what = if method == Method::GET {
        "page"
    } else {
        "address"
    };
    ApiError::not_found(what).into_response()
}

/// The answer for a method an address does not take.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this address does not take that method",
    )
}

/// `axum::Json` whose rejections speak the contract's error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => {
                ApiError::invalid(format!("the JSON does not fit: {}", e.body_text()))
            }
            JsonRejection::JsonSyntaxError(_) => {
                ApiError::bad_request("the body is not valid JSON")
            }
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_type",
                "send the body as application/json",
            ),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "the body is too large",
                )
                .closing()
            }
            JsonRejection::BytesRejection(_) => {
                ApiError::bad_request("the body could not be read whole").closing()
            }
            other => ApiError::bad_request(other.body_text()),
        }
    }
}

/// `axum::extract::Path` with the contract's error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::not_found("record")
    }
}

/// `axum::extract::Query` with the contract's error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::bad_request(format!("bad query: {}", rejection.body_text()))
    }
}
