//! The OpenAPI document of the staff API, generated from the handlers.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{attachments, changes, library, notices, requests, sessions};

#[derive(OpenApi)]
#[openapi(
    info(title = "Courier staff API", description = "Requests, attachments and download limits for ILL staff."),
    paths(
        sessions::create, sessions::delete,
        requests::list, requests::create, requests::show, requests::change_status,
        attachments::upload, attachments::list, attachments::content, attachments::withdraw,
        changes::since,
        library::show, library::update,
        notices::list, notices::send_document_url, notices::retry,
    ),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /api/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
