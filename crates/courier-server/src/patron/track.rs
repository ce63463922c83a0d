//! Guest tracking: a patron signs in with the request number and their
//! e-mail address and sees the request's status and documents.

use std::net::SocketAddr;
use std::time::Duration;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::Utc;
use courier_core::RequestNumber;
use serde::Deserialize;

use super::{human_size, message, page};
use crate::db::{attachments, requests};
use crate::AppState;

/// Failed sign-ins allowed per address within [`WINDOW`].
pub const MAX_FAILURES: u32 = 5;
/// How long failed sign-ins are remembered.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Template)]
#[template(path = "track_form.html")]
struct TrackForm<'a> {
    error: Option<&'a str>,
    number: &'a str,
    email: &'a str,
}

pub async fn form() -> Response {
    page(
        StatusCode::OK,
        &TrackForm {
            error: None,
            number: "",
            email: "",
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct TrackFields {
    #[serde(default)]
    number: String,
    #[serde(default)]
    email: String,
}

struct DocumentRow {
    description: String,
    filename: String,
    size: String,
    pages: Option<u32>,
    access_text: String,
    downloadable: bool,
    url: String,
}

#[derive(Template)]
#[template(path = "track_result.html")]
struct TrackResult {
    library: String,
    number: String,
    title: String,
    author: Option<String>,
    status: &'static str,
    lender: String,
    documents: Vec<DocumentRow>,
    empty_text: &'static str,
}

const NOT_FOUND: &str =
    "No request matches that number and e-mail address. Check both and try again.";

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    fields: Result<Form<TrackFields>, FormRejection>,
) -> Response {
    let ip = peer.ip();
    if !state.track_limiter.try_begin(ip) {
        tracing::warn!("guest tracking rate-limited");
        return message(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            "Too many sign-ins failed from your address. Wait 15 minutes and try again.",
        );
    }
    let Ok(Form(fields)) = fields else {
        return page(
            StatusCode::BAD_REQUEST,
            &TrackForm {
                error: Some("Enter the request number and your e-mail address."),
                number: "",
                email: "",
            },
        );
    };
    let refuse = |status, error| {
        page(
            status,
            &TrackForm {
                error: Some(error),
                number: &fields.number,
                email: &fields.email,
            },
        )
    };

    let Some(number) = RequestNumber::parse(&fields.number) else {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "That is not a request number: it looks like ILL-2026-000123.",
        );
    };
    let email = fields.email.trim().to_owned();
    if email.is_empty() || email.len() > 254 {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter the e-mail address you gave your library.",
        );
    }

    let key = state.key.clone();
    let public_url = state.public_url.clone();
    let found = state
        .store
        .read(move |conn| {
            let Some(request) = requests::by_number_and_patron_email(conn, &number, &email)? else {
                return Ok(None);
            };
            let stored = attachments::stored_for_request(conn, request.id)?;
            Ok(Some((request, stored)))
        })
        .await;
    let (request, stored) = match found {
        Ok(Some(found)) => found,
        Ok(None) => {
            tracing::warn!("guest tracking sign-in failed");
            return refuse(StatusCode::NOT_FOUND, NOT_FOUND);
        }
        Err(e) => return axum::response::IntoResponse::into_response(e),
    };

    state.track_limiter.succeeded(ip);
    let now = Utc::now();
    let visible = request.status.visible_to_patron();
    let documents = stored
        .iter()
        .filter(|a| visible && a.withdrawn_at.is_none())
        .map(|a| {
            let shaped = attachments::shape(a, &request, &key, &public_url, now);
            DocumentRow {
                description: shaped.description,
                filename: shaped.filename,
                size: human_size(shaped.size),
                pages: shaped.pages,
                access_text: shaped.access_text,
                downloadable: shaped.downloadable,
                url: shaped.document_url,
            }
        })
        .collect();

    tracing::debug!(number = %request.number, "guest tracking");
    page(
        StatusCode::OK,
        &TrackResult {
            library: request.borrower.name.clone(),
            number: request.number.clone(),
            title: request.title.clone(),
            author: request.author.clone(),
            status: request.status.label(),
            lender: request.lender.name.clone(),
            documents,
            empty_text: if visible {
                "The lending library sent no documents with this request."
            } else {
                "Documents appear here once the lending library has shipped them."
            },
        },
    )
}
