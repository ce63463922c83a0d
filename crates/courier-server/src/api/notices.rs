//! Notices: listing a request's e-mails, sending a document URL to the
//! borrowing library, and retrying a failed notice.

use axum::extract::State;
use axum::http::StatusCode;
use courier_core::api::{ErrorBody, Notice};
use courier_core::Role;
use serde::Deserialize;

use super::{Json, Path, Query, Staff};
use crate::db::{attachments, notices, requests};
use crate::error::ApiError;
use crate::notices::compose;
use crate::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct NoticesQuery {
    /// The request's id.
    request: i64,
}

/// The notices of a request and their state.
#[utoipa::path(get, path = "/api/v1/notices", tag = "notices", params(NoticesQuery),
    responses((status = 200, body = Vec<Notice>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<NoticesQuery>,
) -> Result<Json<Vec<Notice>>, ApiError> {
    let member = staff.member;
    let list = state
        .store
        .read(move |conn| {
            let request = requests::get(conn, query.request)?;
            let role = request.role_for(&member)?;
            notices::for_request(conn, request.id, role == Role::Borrower)
        })
        .await?;
    Ok(Json(list))
}

/// The lender's staff have Courier e-mail an attachment's document URL to
/// the borrowing library's ILL address.
#[utoipa::path(post, path = "/api/v1/attachments/{id}/notices", tag = "notices",
    params(("id" = i64, Path, description = "the attachment's id")),
    responses((status = 201, body = Notice), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(attachment_id = id, library = %staff.member.library.symbol))]
pub async fn send_document_url(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<Notice>), ApiError> {
    let member = staff.member;
    let key = state.key.clone();
    let public_url = state.public_url.clone();

    let notice = state
        .store
        .write(move |conn| {
            let attachment = attachments::get(conn, id)?;
            let request = requests::get(conn, attachment.request_id)?;
            if request.role_for(&member)? != Role::Lender {
                return Err(ApiError::forbidden(
                    "only the lending library sends document URLs",
                ));
            }
            if let Some(why) = attachment.refusal(chrono::Utc::now(), request.borrower.time_zone) {
                return Err(ApiError::gone(why));
            }
            let notice_id = notices::queue(
                conn,
                &compose::document_url(&request, &attachment, &key, &public_url)?,
            )?;
            let list = notices::for_request(conn, request.id, false)?;
            list.into_iter()
                .find(|n| n.id == notice_id)
                .ok_or_else(|| ApiError::internal("notice vanished"))
        })
        .await?;

    state.notice_wake.notify_one();
    tracing::debug!(notice_id = notice.id, "document URL notice queued");
    Ok((StatusCode::CREATED, Json(notice)))
}

/// Queues a failed notice again.
#[utoipa::path(post, path = "/api/v1/notices/{id}/retry", tag = "notices",
    params(("id" = i64, Path, description = "the notice's id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn retry(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let member = staff.member;
    state
        .store
        .write(move |conn| {
            requests::get(conn, notices::request_of(conn, id)?)?.role_for(&member)?;
            notices::retry(conn, id)
        })
        .await?;
    state.notice_wake.notify_one();
    Ok(StatusCode::NO_CONTENT)
}
