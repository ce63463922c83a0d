//! The change feed the desktop cache follows.

use axum::extract::State;
use courier_core::api::{ChangePage, ErrorBody};
use serde::Deserialize;

use super::{Json, Query, Staff};
use crate::db::{changes, requests};
use crate::error::ApiError;
use crate::AppState;

/// How many changes one page reads at most.
const PAGE: u32 = 200;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ChangesQuery {
    /// The last change number the caller has seen; 0 for everything.
    after: Option<i64>,
}

/// The library's requests that changed after change number `after`, each as
/// it is now.
#[utoipa::path(get, path = "/api/v1/changes", tag = "changes", params(ChangesQuery),
    responses((status = 200, body = ChangePage), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn since(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ChangesQuery>,
) -> Result<Json<ChangePage>, ApiError> {
    let after = query.after.unwrap_or(0).max(0);
    let library_id = staff.member.library.id;
    let key = state.key.clone();
    let public_url = state.public_url.clone();

    let page = state
        .store
        .read(move |conn| {
            let tx = conn.unchecked_transaction()?;
            let (ids, next, has_more) = changes::since(&tx, library_id, after, PAGE)?;
            let requests = ids
                .into_iter()
                .map(|id| {
                    requests::detail(&tx, &requests::get(&tx, id)?, library_id, &key, &public_url)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ChangePage {
                after,
                next,
                has_more,
                requests,
            })
        })
        .await?;

    tracing::debug!(library_id, after, count = page.requests.len(), "changes");
    Ok(Json(page))
}
