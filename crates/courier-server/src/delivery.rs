//! Sending documents: a counted download, and the grant that lets the same
//! browser fetch the file again in ranges for a short while without a
//! second count.

use axum::body::Body;
use axum::http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE,
};
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::db::attachments::{self, Channel, StoredAttachment};
use crate::db::requests;
use crate::error::ApiError;
use crate::tokens::{hash_token, random_token};
use crate::AppState;

/// The response header that carries a download grant.
pub const GRANT_HEADER: &str = "courier-download-grant";

/// How much of a file is read at a time when it is sent, counted or under a
/// grant. Each download holds about three of these at once (the file's read
/// buffer, the chunk being filled and the chunk being written), so this sets
/// the memory of many parallel downloads as much as their speed: measured on
/// loopback (BENCHMARKS.md), 64 KiB sends about 1.1 GB/s per download, 192 KiB
/// about 2.2 GB/s, and 50 parallel downloads then peak near 45 MiB of RSS.
const SEND_BUFFER: usize = 192 * 1024;

/// A counted download, ready to send.
pub struct Counted {
    pub response: Response,
    /// The grant to fetch the same file again, in ranges, without counting.
    pub grant: String,
}

/// Counts one download of `attachment_id` and starts sending it.
///
/// The file is opened first, so that a count is never spent on a file that
/// cannot be sent; the count itself is one atomic statement.
pub async fn counted(
    state: &AppState,
    attachment_id: i64,
    channel: Channel,
    by_staff: Option<String>,
) -> Result<Counted, ApiError> {
    let (attachment, zone) = state
        .store
        .read(move |conn| {
            let attachment = attachments::get(conn, attachment_id)?;
            let request = requests::get(conn, attachment.request_id)?;
            Ok((attachment, request.borrower.time_zone))
        })
        .await?;
    if let Some(why) = attachment.refusal(Utc::now(), zone) {
        return Err(ApiError::gone(why));
    }
    let file = tokio::fs::File::open(state.documents.path(&attachment.storage_name))
        .await
        .map_err(|_| ApiError::gone("this document is no longer stored"))?;

    let grant = random_token();
    let grant_hash = hash_token(&grant);
    let counted = state
        .store
        .write(move |conn| {
            let now = Utc::now();
            let counted = attachments::count_download(
                conn,
                attachment_id,
                channel,
                by_staff.as_deref(),
                now,
            )?;
            if counted {
                attachments::create_grant(conn, attachment_id, &grant_hash, now)?;
            }
            Ok(counted)
        })
        .await?;
    if !counted {
        // Someone else took the last download, or the expiry passed meanwhile.
        let now = Utc::now();
        let used_up = StoredAttachment {
            downloads_used: attachment.max_downloads,
            ..attachment.clone()
        };
        let why = attachment
            .refusal(now, zone)
            .or_else(|| used_up.refusal(now, zone));
        return Err(ApiError::gone(
            why.unwrap_or_else(|| "0 downloads remaining".to_owned()),
        ));
    }

    tracing::debug!(attachment_id, channel = ?channel, "download counted");
    let stream = tokio_util::io::ReaderStream::with_capacity(file, SEND_BUFFER);
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    file_headers(headers, &attachment);
    headers.insert(CONTENT_LENGTH, HeaderValue::from(attachment.size));
    if let Ok(value) = HeaderValue::from_str(&grant) {
        headers.insert(GRANT_HEADER, value);
    }
    Ok(Counted { response, grant })
}

/// The headers of a download that do not depend on ranges.
pub fn file_headers(headers: &mut HeaderMap, attachment: &StoredAttachment) {
    if let Ok(value) = HeaderValue::from_str(&attachment.media_type) {
        headers.insert(CONTENT_TYPE, value);
    }
    headers.insert(
        CONTENT_DISPOSITION,
        content_disposition(&attachment.filename),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
}

/// The answer to a `HEAD` without a grant: what a download would send,
/// without counting or sending it.
pub fn head(attachment: &StoredAttachment) -> Response {
    let mut response = StatusCode::OK.into_response();
    file_headers(response.headers_mut(), attachment);
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(attachment.size));
    response
}

/// Whether `grant` lets its holder fetch `attachment_id` again now.
async fn grant_is_valid(
    state: &AppState,
    attachment_id: i64,
    grant: &str,
) -> Result<bool, ApiError> {
    let grant_hash = hash_token(grant);
    state
        .store
        .read(move |conn| attachments::grant_is_valid(conn, attachment_id, &grant_hash, Utc::now()))
        .await
}

/// Sends a file again under a grant, `GET` or `HEAD`, counting nothing.
///
/// A grant is for finishing the download it came with: in all, it sends at
/// most the file's size again, whatever the ranges asked, so that one
/// counted download can be resumed but never becomes a second copy.
pub async fn granted(
    state: &AppState,
    attachment: &StoredAttachment,
    grant: &str,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    if !grant_is_valid(state, attachment.id, grant).await? {
        return Err(ApiError::gone(
            "this download grant has expired: download again (it counts)",
        ));
    }

    let mut request = Request::builder().method(if method == Method::HEAD {
        Method::HEAD
    } else {
        Method::GET
    });
    for name in [
        "range",
        "if-range",
        "if-modified-since",
        "if-unmodified-since",
    ] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value);
        }
    }
    let request = request.body(Body::empty()).map_err(ApiError::internal)?;

    let path = state.documents.path(&attachment.storage_name);
    let served = ServeFile::new_with_mime(
        path,
        &attachment.media_type.parse().map_err(ApiError::internal)?,
    )
    .with_buf_chunk_size(SEND_BUFFER)
    .oneshot(request)
    .await
    .map_err(ApiError::internal)?;
    if served.status() == StatusCode::NOT_FOUND {
        return Err(ApiError::gone("this document is no longer stored"));
    }

    let sends = served
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .filter(|_| method != Method::HEAD && served.status().is_success())
        .unwrap_or(0);
    if sends > 0 {
        let (id, grant_hash, cap) = (attachment.id, hash_token(grant), attachment.size);
        let allowed = state
            .store
            .write(move |conn| {
                attachments::charge_grant(conn, id, &grant_hash, sends, cap, Utc::now())
            })
            .await?;
        if !allowed {
            return Err(ApiError::gone(
                "this download grant has sent the whole file again already: download again (it counts)",
            ));
        }
    }

    let mut response = served.map(Body::new);
    file_headers(response.headers_mut(), attachment);
    Ok(response)
}

/// Characters kept as they are in an RFC 5987 `filename*`.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `Content-Disposition: attachment` with the original file name (RFC 6266):
/// an ASCII `filename` for old clients and a UTF-8 `filename*` for the rest.
pub fn content_disposition(filename: &str) -> HeaderValue {
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(filename, ATTR_CHAR);
    let value = format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_names_are_quoted_and_encoded() {
        let value = content_disposition("Smith 2024 \"notes\".pdf");
        assert_eq!(
            value.to_str().unwrap(),
            "attachment; filename=\"Smith 2024 _notes_.pdf\"; filename*=UTF-8''Smith%202024%20%22notes%22.pdf"
        );
    }

    #[test]
    fn non_ascii_names_keep_their_letters_in_filename_star() {
        let value = content_disposition("Müller – Kapitel 3.pdf");
        let text = value.to_str().unwrap();
        assert!(
            text.starts_with("attachment; filename=\"M_ller _ Kapitel 3.pdf\""),
            "{text}"
        );
        assert!(
            text.ends_with("filename*=UTF-8''M%C3%BCller%20%E2%80%93%20Kapitel%203.pdf"),
            "{text}"
        );
    }

    #[test]
    fn line_breaks_cannot_reach_the_header() {
        let value = content_disposition("a\r\nSet-Cookie: x=1.pdf");
        assert!(!value.to_str().unwrap().contains('\n'));
    }
}
