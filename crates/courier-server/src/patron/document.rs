//! A document's page (`GET /d/{token}`), which counts nothing, and its
//! Download button (`POST /d/{token}`), which counts one.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{COOKIE, RANGE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::Utc;
use serde::Deserialize;

use super::{human_size, message, page};
use crate::db::attachments::{self, Channel, StoredAttachment};
use crate::db::requests::{self, Request};
use crate::delivery;
use crate::error::ApiError;
use crate::tokens::hash_token;
use crate::AppState;

/// The cookie that carries a download grant back to the same document.
const GRANT_COOKIE: &str = "courier_grant";

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage<'a> {
    library: &'a str,
    number: &'a str,
    title: &'a str,
    description: &'a str,
    filename: &'a str,
    size: String,
    pages: Option<u32>,
    access_text: &'a str,
    downloadable: bool,
    unavailable: &'a str,
    copyright_lines: Vec<&'a str>,
    error: Option<&'a str>,
}

/// Finds the document a token names, or the page that says why not.
async fn find(state: &AppState, token: &str) -> Result<(StoredAttachment, Request), Response> {
    let token_hash = hash_token(token);
    let found = state
        .store
        .read(move |conn| {
            let Some(attachment) = attachments::by_token_hash(conn, &token_hash)? else {
                return Ok(None);
            };
            let request = requests::get(conn, attachment.request_id)?;
            Ok(Some((attachment, request)))
        })
        .await
        .map_err(IntoResponse::into_response)?;

    match found {
        None => Err(message(
            StatusCode::NOT_FOUND,
            "Link not recognised",
            "This download link is not known. Check that it was copied whole, or ask your library for a new one.",
        )),
        Some((_, request)) if !request.status.visible_to_patron() => Err(message(
            StatusCode::FORBIDDEN,
            "Not available yet",
            "The lending library has not shipped this document yet. Try again once your library tells you it has arrived.",
        )),
        Some(found) => Ok(found),
    }
}

fn render(
    attachment: &StoredAttachment,
    request: &Request,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let now = Utc::now();
    let zone = request.borrower.time_zone;
    let refusal = attachment.refusal(now, zone);
    let access = courier_core::access_text(attachment.access(now), zone);
    let (status, access_text, unavailable) = match (&refusal, attachment.withdrawn_at) {
        (None, _) => (status, access.as_str(), ""),
        (Some(why), Some(_)) => (StatusCode::GONE, "Withdrawn", why.as_str()),
        (Some(why), None) => (StatusCode::GONE, access.as_str(), why.as_str()),
    };
    let unavailable = if unavailable.is_empty() || unavailable == access_text {
        "This document can no longer be downloaded. Ask your library if you still need it."
    } else {
        unavailable
    };

    page(
        status,
        &DocumentPage {
            library: &request.borrower.name,
            number: &request.number,
            title: &request.title,
            description: &attachment.description,
            filename: &attachment.filename,
            size: human_size(attachment.size),
            pages: attachment.pages,
            access_text,
            downloadable: refusal.is_none(),
            unavailable,
            copyright_lines: request
                .borrower
                .copyright_notice
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect(),
            error,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct GrantQuery {
    grant: Option<String>,
}

/// The landing page; or, for a browser holding a grant from a counted
/// download and asking for a range, that part of the file.
pub async fn landing(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<GrantQuery>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let (attachment, request) = match find(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };

    // A grant in the query asks for the file; a grant in the cookie only
    // answers range requests, so that reopening the page still shows it.
    let wants_file = query.grant.is_some() || headers.contains_key(RANGE);
    let grant = query.grant.or_else(|| grant_cookie(&headers));
    if let (Some(grant), true) = (grant, wants_file) {
        return match delivery::granted(&state, &attachment, &grant, &method, &headers).await {
            Ok(response) => response,
            // An expired or spent grant: show the page, from which a new
            // (counted) download can start.
            Err(e) if e.status == StatusCode::GONE => {
                render(&attachment, &request, None, StatusCode::OK)
            }
            Err(e) => e.into_response(),
        };
    }
    render(&attachment, &request, None, StatusCode::OK)
}

fn grant_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == GRANT_COOKIE)
        .map(|(_, value)| value.to_owned())
}

#[derive(Debug, Deserialize)]
pub struct DownloadFields {
    #[serde(default)]
    accept_copyright: String,
}

/// The Download button: counts one download and starts it, once the patron
/// has confirmed the copyright notice.
#[tracing::instrument(skip_all)]
pub async fn download(
    State(state): State<AppState>,
    Path(token): Path<String>,
    fields: Result<Form<DownloadFields>, FormRejection>,
) -> Response {
    let (attachment, request) = match find(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let confirmed = fields.is_ok_and(|Form(f)| f.accept_copyright == "yes");
    if !confirmed {
        let error = "Confirm that you have read the copyright notice to download.";
        return render(
            &attachment,
            &request,
            Some(error),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }

    match delivery::counted(&state, attachment.id, Channel::Patron, None).await {
        Ok(counted) => {
            let mut response = counted.response;
            let secure = if state.public_url.starts_with("https:") {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{GRANT_COOKIE}={}; Path=/d/{token}; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
                counted.grant,
                attachments::GRANT_LIFETIME.num_seconds()
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(SET_COOKIE, value);
            }
            tracing::debug!(attachment_id = attachment.id, "patron download");
            response
        }
        Err(ApiError {
            status: StatusCode::GONE,
            ..
        }) => {
            // Re-read so that the page tells what ended the access.
            match find(&state, &token).await {
                Ok((attachment, request)) => render(&attachment, &request, None, StatusCode::GONE),
                Err(page) => page,
            }
        }
        Err(e) => e.into_response(),
    }
}
