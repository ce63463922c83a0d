//! Requests: the library's lists, new requests, full details and status moves.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use courier_core::api::{ErrorBody, NewRequest, RequestDetail, RequestPage, StatusChange};
use courier_core::{Role, Status};
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;

use super::{Json, Path, Query, Staff};
use crate::db::requests::{self, ListFilter};
use crate::db::to_secs;
use crate::db::{attachments, notices};
use crate::error::ApiError;
use crate::notices::compose;
use crate::AppState;

/// The query of `GET /api/v1/requests`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// `lender` or `borrower`; both sides when left out.
    role: Option<Role>,
    /// One status, or several separated by commas.
    status: Option<String>,
    /// Words to find in the number, the title or the patron's name.
    q: Option<String>,
    /// The page, from 1.
    page: Option<u32>,
    /// Requests per page, 1 to 200; 50 when left out.
    per_page: Option<u32>,
}

/// The library's requests, newest first, paged.
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", params(ListQuery),
    responses((status = 200, body = RequestPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<Json<RequestPage>, ApiError> {
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        Some(words) => words
            .split(',')
            .map(|w| {
                w.trim()
                    .parse::<Status>()
                    .map_err(|e| ApiError::bad_request(e.0))
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let per_page = query.per_page.unwrap_or(50);
    if !(1..=200).contains(&per_page) {
        return Err(ApiError::bad_request("per_page must be from 1 to 200"));
    }
    let filter = ListFilter {
        role: query.role,
        status,
        search: query.q,
        page: query.page.unwrap_or(1).max(1),
        per_page,
    };

    let library_id = staff.member.library.id;
    let page = filter.page;
    let (requests, total) = state
        .store
        .read(move |conn| requests::list(conn, library_id, &filter))
        .await?;

    Ok(Json(RequestPage {
        requests,
        page,
        per_page,
        total,
    }))
}

/// The borrower's staff create a request to a lending library.
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", request_body = NewRequest,
    responses((status = 201, body = RequestDetail), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(library = %staff.member.library.symbol))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Json(new): Json<NewRequest>,
) -> Result<(StatusCode, Json<RequestDetail>), ApiError> {
    let member = staff.member;
    let library_id = member.library.id;
    let key = state.key.clone();
    let public_url = state.public_url.clone();

    let detail = state
        .store
        .write(move |conn| {
            let id = requests::create(conn, &member, &new)?;
            let request = requests::get(conn, id)?;
            requests::detail(conn, &request, library_id, &key, &public_url)
        })
        .await?;

    tracing::debug!(number = %detail.summary.number, "request created");
    Ok((StatusCode::CREATED, Json(detail)))
}

/// A request in full, with attachments and status history.
#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "requests",
    params(("id" = i64, Path, description = "the request's id")),
    responses((status = 200, body = RequestDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Json<RequestDetail>, ApiError> {
    let library_id = staff.member.library.id;
    let key = state.key.clone();
    let public_url = state.public_url.clone();

    let detail = state
        .store
        .read(move |conn| {
            let request = requests::get(conn, id)?;
            requests::detail(conn, &request, library_id, &key, &public_url)
        })
        .await?;
    Ok(Json(detail))
}

/// Moves a request to a new status. An `Idempotency-Key` header makes a
/// retried call return the first answer instead of moving twice.
#[utoipa::path(post, path = "/api/v1/requests/{id}/status", tag = "requests",
    params(("id" = i64, Path, description = "the request's id"),
           ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    request_body = StatusChange,
    responses((status = 200, body = RequestDetail), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(request_id = id, library = %staff.member.library.symbol, to = %change.status))]
pub async fn change_status(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(change): Json<StatusChange>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let key = idempotency_key(&headers)?;
    let member = staff.member;
    let doc_key = state.key.clone();
    let public_url = state.public_url.clone();

    let (status, body) = state
        .store
        .write(move |conn| {
            let library_id = member.library.id;
            if let Some(key) = &key {
                let earlier: Option<(u16, String, i64, Option<String>)> = conn
                    .query_row(
                        "SELECT status_code, body, request_id, to_status FROM idempotency_keys
                         WHERE library_id = ?1 AND key = ?2",
                        params![library_id, key],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )
                    .optional()?;
                if let Some((status, body, request_id, to)) = earlier {
                    if request_id != id || to.as_deref().is_some_and(|to| to != change.status.as_str()) {
                        return Err(ApiError::invalid(
                            "this Idempotency-Key was used for another change: use a new key for each change",
                        ));
                    }
                    return Ok((status, body));
                }
            }

            let outcome = requests::move_status(conn, &member, id, change.status).and_then(|request| {
                if request.status == Status::Received {
                    queue_received_notice(conn, &request, &doc_key, &public_url)?;
                }
                requests::detail(conn, &request, library_id, &doc_key, &public_url)
            });
            let (status, body) = match &outcome {
                Ok(detail) => (200, serde_json::to_string(detail).map_err(ApiError::internal)?),
                // A refusal is remembered too, so that a retry gets the same answer.
                Err(e) if e.status.is_client_error() => (e.status.as_u16(), error_json(e)),
                Err(_) => return outcome.map(|_| (0, String::new())),
            };
            if let Some(key) = &key {
                conn.execute(
                    "INSERT INTO idempotency_keys
                         (library_id, key, request_id, to_status, status_code, body, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        library_id,
                        key,
                        id,
                        change.status.as_str(),
                        status,
                        body,
                        to_secs(chrono::Utc::now())
                    ],
                )?;
            }
            Ok((status, body))
        })
        .await?;

    state.notice_wake.notify_one();
    let status = StatusCode::from_u16(status).map_err(ApiError::internal)?;
    let body: serde_json::Value = serde_json::from_str(&body).map_err(ApiError::internal)?;
    if status.is_success() {
        tracing::debug!("status moved");
    } else {
        tracing::warn!(status = status.as_u16(), "status move refused");
    }
    Ok((status, Json(body)))
}

/// Stores the patron's "Received with Attachments" notice, in the same
/// transaction as the move, when the borrowing library wants it.
fn queue_received_notice(
    conn: &rusqlite::Connection,
    request: &requests::Request,
    key: &crate::tokens::DocumentKey,
    public_url: &str,
) -> Result<(), ApiError> {
    let stored = attachments::stored_for_request(conn, request.id)?;
    if let Some(notice) = compose::received(request, &stored, key, public_url)? {
        notices::queue(conn, &notice)?;
        tracing::debug!(number = %request.number, "patron notice queued");
    }
    Ok(())
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| ApiError::bad_request("the Idempotency-Key header must be ASCII"))?
        .trim();
    if key.is_empty() || key.len() > 200 {
        return Err(ApiError::bad_request(
            "the Idempotency-Key header must be 1 to 200 characters",
        ));
    }
    Ok(Some(key.to_owned()))
}

fn error_json(e: &ApiError) -> String {
    serde_json::json!({"error": {"code": e.code, "message": e.message}}).to_string()
}
