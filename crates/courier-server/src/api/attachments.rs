//! Attachments: uploading, the "Uploaded Files" list, staff downloads and
//! withdrawal.

use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, State};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use chrono::Utc;
use courier_core::api::{Attachment, ErrorBody};
use courier_core::{DownloadLimit, ExpiryDays, Role, MAX_FILE_SIZE};
use serde::Deserialize;

use super::{Json, Path, Query, Staff};
use crate::db::attachments::{self, Channel, NewAttachment};
use crate::db::requests;
use crate::delivery;
use crate::documents::{Incoming, Received};
use crate::error::ApiError;
use crate::AppState;

/// Room for the multipart framing and the small fields around the file.
const MULTIPART_SLACK: u64 = 64 * 1024;

/// The largest upload body read at all.
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max((MAX_FILE_SIZE + MULTIPART_SLACK) as usize)
}

/// The form of an upload, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The scanned document: PDF, TIFF, JPEG or PNG, up to 125 MiB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    /// What the file holds; the request's title when left out.
    description: Option<String>,
    /// 1 to 5; 5 when left out.
    max_downloads: Option<i64>,
    /// 1 to 90; 90 when left out.
    expires_in_days: Option<i64>,
}

/// The lender's staff upload a document to a request.
#[utoipa::path(post, path = "/api/v1/requests/{id}/attachments", tag = "attachments",
    params(("id" = i64, Path, description = "the request's id")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(request_id = id, library = %staff.member.library.symbol))]
pub async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    request: axum::extract::Request,
) -> Result<(StatusCode, Json<Attachment>), ApiError> {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|size| size > MAX_FILE_SIZE + MULTIPART_SLACK) {
        tracing::warn!(declared, "upload refused before reading: too large");
        return Err(ApiError::too_large());
    }
    let member = staff.member.clone();
    let allowed = state
        .store
        .read(move |conn| check_can_upload(&requests::get(conn, id)?, &member))
        .await;
    if let Err(e) = allowed {
        return Err(refuse_unread(request, declared, e).await);
    }
    let mut multipart =
        Multipart::from_request(request, &state)
            .await
            .map_err(|e: MultipartRejection| {
                ApiError::bad_request(format!(
                    "send the upload as multipart/form-data: {}",
                    e.body_text()
                ))
            })?;

    let form = read_form(&state, &mut multipart).await;
    let form = match form {
        Ok(form) => form,
        Err((e, file)) => {
            if let Some(file) = file {
                file.discard(&state.documents).await;
            }
            return Err(e);
        }
    };
    // Once the file is whole and checked, storing it runs to its end even
    // if the client goes away, so that no file is left without its record.
    let stored = tokio::spawn(store_upload(state, id, staff.member, form));
    let attachment = stored.await.map_err(ApiError::internal)??;

    tracing::debug!(
        attachment_id = attachment.id,
        size = attachment.size,
        "attachment stored"
    );
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// Moves a checked upload into place and records it, or leaves nothing.
async fn store_upload(
    state: AppState,
    id: i64,
    member: crate::db::libraries::StaffMember,
    form: UploadFields,
) -> Result<Attachment, ApiError> {
    let UploadFields {
        file,
        filename,
        description,
        max_downloads,
        expires_in,
    } = form;
    let documents = state.documents.clone();
    if let Err(e) = documents.commit(&file).await {
        file.discard(&documents).await;
        return Err(e);
    }

    let new = NewAttachment {
        filename,
        description,
        size: file.size,
        pages: file.pages,
        sha256: file.sha256.clone(),
        media_type: file.file_type.mime().to_owned(),
        storage_name: file.storage_name.clone(),
        max_downloads,
        expires_in,
        uploaded_by: member.username.clone(),
    };
    let (key, public_url) = (state.key.clone(), state.public_url.clone());
    let recorded = state
        .store
        .write(move |conn| {
            let request = requests::get(conn, id)?;
            check_can_upload(&request, &member)?;
            let description = match new.description.is_empty() {
                true => request.title.clone(),
                false => new.description.clone(),
            };
            let attachment_id =
                attachments::insert(conn, id, &NewAttachment { description, ..new }, &key)?;
            let stored = attachments::get(conn, attachment_id)?;
            Ok(attachments::shape(
                &stored,
                &request,
                &key,
                &public_url,
                Utc::now(),
            ))
        })
        .await;
    if recorded.is_err() {
        file.discard(&documents).await;
    }
    recorded
}

/// Refuses an upload whose body has not been read: a small body is read
/// and dropped first, so that clients that send it whole before listening
/// get the answer; a large one is cut short with `Connection: close`.
async fn refuse_unread(
    request: axum::extract::Request,
    declared: Option<u64>,
    e: ApiError,
) -> ApiError {
    const DRAIN_LIMIT: u64 = 8 * 1024 * 1024;

    match declared {
        Some(size) if size <= DRAIN_LIMIT => {
            let _ = axum::body::to_bytes(request.into_body(), DRAIN_LIMIT as usize).await;
            e
        }
        _ => e.closing(),
    }
}

fn check_can_upload(
    request: &requests::Request,
    member: &crate::db::libraries::StaffMember,
) -> Result<(), ApiError> {
    if request.role_for(member)? != Role::Lender {
        return Err(ApiError::forbidden(
            "only the lending library uploads documents",
        ));
    }
    if !request.status.accepts_uploads() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "status_refused",
            format!(
                "the request is {} and no longer takes uploads",
                request.status
            ),
        ));
    }
    Ok(())
}

struct UploadFields {
    file: Received,
    filename: String,
    description: String,
    max_downloads: DownloadLimit,
    expires_in: ExpiryDays,
}

/// Reads the upload form, streaming the file to disk as it arrives.
async fn read_form(
    state: &AppState,
    multipart: &mut Multipart,
) -> Result<UploadFields, (ApiError, Option<Received>)> {
    let mut file: Option<(Received, String)> = None;
    let mut description = String::new();
    let mut max_downloads = DownloadLimit::default();
    let mut expires_in = ExpiryDays::default();

    let fail = |e: ApiError, file: Option<(Received, String)>| (e, file.map(|(f, _)| f));
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(fail(multipart_error(e), file)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let outcome = match name.as_str() {
            "file" if file.is_some() => Err(ApiError::invalid("send one file per upload")),
            "file" => {
                let filename = clean_filename(field.file_name().unwrap_or_default());
                receive_file(state, field)
                    .await
                    .map(|received| file = Some((received, filename)))
            }
            "description" => text(field, 500).await.map(|t| description = t),
            "max_downloads" => limit(field, DownloadLimit::new)
                .await
                .map(|l| max_downloads = l),
            "expires_in_days" => limit(field, ExpiryDays::new).await.map(|l| expires_in = l),
            _ => Err(ApiError::invalid(format!("unknown field {name:?}"))),
        };
        if let Err(e) = outcome {
            return Err(fail(e, file));
        }
    }

    let (file, filename) = file.ok_or_else(|| {
        (
            ApiError::invalid("choose a file to upload (field \"file\")"),
            None,
        )
    })?;
    let filename = if filename.is_empty() {
        format!("document.{}", extension(&file))
    } else {
        filename
    };
    Ok(UploadFields {
        file,
        filename,
        description,
        max_downloads,
        expires_in,
    })
}

async fn receive_file(state: &AppState, mut field: Field<'_>) -> Result<Received, ApiError> {
    let mut incoming: Incoming = state.documents.begin().await?;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => incoming.write(&chunk).await?,
            Ok(None) => break,
            Err(e) => {
                incoming.discard().await;
                return Err(multipart_error(e));
            }
        }
    }
    incoming.finish().await
}

fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large()
    } else {
        ApiError::bad_request(format!(
            "the upload is malformed or was interrupted: {}",
            e.body_text()
        ))
    }
}

async fn text(mut field: Field<'_>, max_chars: usize) -> Result<String, ApiError> {
    let name = field.name().unwrap_or_default().to_owned();
    let too_long = || ApiError::invalid(format!("{name} is longer than {max_chars} characters"));

    // Read no more than the longest text could take, four bytes a character.
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > max_chars * 4 {
            return Err(too_long());
        }
        bytes.extend_from_slice(&chunk);
    }
    let value = String::from_utf8(bytes)
        .map_err(|_| ApiError::invalid(format!("{name} is not UTF-8 text")))?;

    let value = value.trim();
    if value.chars().count() > max_chars {
        return Err(too_long());
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "{name} contains control characters"
        )));
    }
    Ok(value.to_owned())
}

async fn number(field: Field<'_>) -> Result<i64, ApiError> {
    let name = field.name().unwrap_or_default().to_owned();
    let value = text(field, 20).await?;
    value
        .parse()
        .map_err(|_| ApiError::invalid(format!("{name} must be a whole number, not {value:?}")))
}

/// A whole-number field checked by `make`.
async fn limit<T>(
    field: Field<'_>,
    make: impl FnOnce(i64) -> Result<T, courier_core::LimitError>,
) -> Result<T, ApiError> {
    Ok(make(number(field).await?)?)
}

/// A file name as uploaded, without folders or control characters.
fn clean_filename(name: &str) -> String {
    const LONGEST: usize = 255;
    // Direction marks and overrides can make "gpj.exe" read as "exe.jpg".
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };

    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !hidden(*c)).collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    if cleaned.chars().count() <= LONGEST {
        return cleaned.to_owned();
    }
    // Too long: shorten the stem and keep the extension.
    match cleaned
        .rsplit_once('.')
        .filter(|(_, ext)| (1..=10).contains(&ext.chars().count()))
    {
        Some((stem, ext)) => {
            let stem: String = stem
                .chars()
                .take(LONGEST - 1 - ext.chars().count())
                .collect();
            format!("{stem}.{ext}")
        }
        None => cleaned.chars().take(LONGEST).collect(),
    }
}

fn extension(file: &Received) -> &'static str {
    match file.file_type {
        courier_core::FileType::Pdf => "pdf",
        courier_core::FileType::Tiff => "tif",
        courier_core::FileType::Jpeg => "jpg",
        courier_core::FileType::Png => "png",
    }
}

/// The "Uploaded Files" list of a request.
#[utoipa::path(get, path = "/api/v1/requests/{id}/attachments", tag = "attachments",
    params(("id" = i64, Path, description = "the request's id")),
    responses((status = 200, body = Vec<Attachment>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Attachment>>, ApiError> {
    let member = staff.member;
    let key = state.key.clone();
    let public_url = state.public_url.clone();

    let list = state
        .store
        .read(move |conn| {
            let request = requests::get(conn, id)?;
            request.role_for(&member)?;
            attachments::for_request(conn, &request, &key, &public_url, Utc::now())
        })
        .await?;
    Ok(Json(list))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ContentQuery {
    /// The grant of an earlier counted download, to fetch it again in ranges
    /// without counting.
    grant: Option<String>,
}

/// A staff download: counts one, then streams the file. With the `grant` of
/// that download, the file can be fetched again (ranges, `HEAD`) without a
/// second count for a short while.
#[utoipa::path(get, path = "/api/v1/attachments/{id}/content", tag = "attachments",
    params(("id" = i64, Path, description = "the attachment's id"), ContentQuery),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
              (status = 206, description = "part of the file, under a grant"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(attachment_id = id, library = %staff.member.library.symbol))]
pub async fn content(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(query): Query<ContentQuery>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let member = staff.member.clone();
    let (attachment, zone) = state
        .store
        .read(move |conn| {
            let attachment = attachments::get(conn, id)?;
            let request = requests::get(conn, attachment.request_id)?;
            request.role_for(&member)?;
            Ok((attachment, request.borrower.time_zone))
        })
        .await?;

    let grant = query.grant.or_else(|| {
        headers
            .get(delivery::GRANT_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    });
    if let Some(grant) = grant {
        return delivery::granted(&state, &attachment, &grant, &method, &headers).await;
    }
    if method == Method::HEAD {
        // What a download would answer, without counting it.
        if let Some(why) = attachment.refusal(Utc::now(), zone) {
            return Err(ApiError::gone(why));
        }
        return Ok(delivery::head(&attachment));
    }

    let counted =
        delivery::counted(&state, id, Channel::Staff, Some(staff.member.username)).await?;
    Ok(counted.response)
}

/// The lender withdraws an attachment; its record stays, its file goes.
#[utoipa::path(delete, path = "/api/v1/attachments/{id}", tag = "attachments",
    params(("id" = i64, Path, description = "the attachment's id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(attachment_id = id, library = %staff.member.library.symbol))]
pub async fn withdraw(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let member = staff.member;
    state
        .store
        .write(move |conn| {
            let attachment = attachments::get(conn, id)?;
            let request = requests::get(conn, attachment.request_id)?;
            if request.role_for(&member)? != Role::Lender {
                return Err(ApiError::forbidden(
                    "only the lending library withdraws documents",
                ));
            }
            if !attachments::withdraw(conn, id, Utc::now())? {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "already_withdrawn",
                    "the attachment is withdrawn already",
                ));
            }
            Ok(())
        })
        .await?;

    tracing::debug!("attachment withdrawn");
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_folders_and_control_characters() {
        assert_eq!(clean_filename("C:\\scans\\article.pdf"), "article.pdf");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("a\r\nb.pdf"), "ab.pdf");
        assert_eq!(clean_filename(".hidden.pdf"), "hidden.pdf");
        assert_eq!(clean_filename(&"x".repeat(300)).len(), 255);
        assert_eq!(clean_filename("\u{202E}fdp.exe"), "fdp.exe");
        let long = clean_filename(&format!("{}.pdf", "y".repeat(300)));
        assert_eq!(long.chars().count(), 255);
        assert!(long.ends_with("y.pdf"), "{long}");
    }
}
