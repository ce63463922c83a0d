//! The pages patrons open in an ordinary browser: guest tracking and the
//! document pages. Rendered on the server, working without JavaScript,
//! under a strict Content-Security-Policy.

mod document;
pub mod track;

use askama::Template;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;

pub fn router() -> Router<AppState> {
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };

    Router::new()
        .route("/track", get(track::form).post(track::submit))
        .route("/d/{token}", get(document::landing).post(document::download))
        .route("/static/courier.css", get(stylesheet))
        .layer(header(
            "content-security-policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("referrer-policy", "no-referrer"))
        .layer(header("x-frame-options", "DENY"))
}

async fn stylesheet() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/courier.css"),
    )
        .into_response()
}

/// Renders a page with `status`.
fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (
            status,
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            Html(html),
        )
            .into_response(),
        Err(e) => crate::error::ApiError::internal(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    heading: &'a str,
    message: &'a str,
}

/// A page that says one thing: a refusal or a dead end.
fn message(status: StatusCode, heading: &str, message: &str) -> Response {
    page(status, &Message { heading, message })
}

/// A size as people read it: "1.2 MB".
fn human_size(bytes: u64) -> String {
    match bytes {
        b if b < 1000 => format!("{b} bytes"),
        b if b < 1_000_000 => format!("{:.0} kB", b as f64 / 1000.0),
        b => format!("{:.1} MB", b as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(44), "44 bytes");
        assert_eq!(human_size(167_938), "168 kB");
        assert_eq!(human_size(131_072_000), "131.1 MB");
    }
}
