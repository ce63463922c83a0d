//! The staff's own library settings.

use axum::extract::State;
use courier_core::api::{ErrorBody, LibrarySettings, LibrarySettingsUpdate};

use super::{Json, Staff};
use crate::db::libraries;
use crate::error::ApiError;
use crate::AppState;

/// The settings of the signed-in staff's library.
#[utoipa::path(get, path = "/api/v1/library", tag = "library",
    responses((status = 200, body = LibrarySettings), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(staff: Staff) -> Json<LibrarySettings> {
    Json(staff.member.library.settings())
}

/// Changes the library's ILL e-mail, time zone, copyright notice, notice
/// switch and ISO partner flag.
#[utoipa::path(put, path = "/api/v1/library", tag = "library", request_body = LibrarySettingsUpdate,
    responses((status = 200, body = LibrarySettings), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(library = %staff.member.library.symbol))]
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Json(update): Json<LibrarySettingsUpdate>,
) -> Result<Json<LibrarySettings>, ApiError> {
    let library_id = staff.member.library.id;
    let library = state
        .store
        .write(move |conn| libraries::update_settings(conn, library_id, &update))
        .await?;

    tracing::debug!("library settings changed");
    Ok(Json(library.settings()))
}
