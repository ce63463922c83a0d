//! Attachments: their records, the atomic download count and the short
//! grants that let a browser resume a counted download.

use chrono::{DateTime, Duration, Utc};
use courier_core::api::Attachment;
use courier_core::{access_state, access_text, AccessState, DownloadLimit, ExpiryDays};
use rusqlite::{params, Connection, OptionalExtension};

use super::requests::Request;
use super::{changes, from_secs, to_secs};
use crate::error::ApiError;
use crate::tokens::DocumentKey;

/// An attachment's stored row.
#[derive(Debug, Clone)]
pub struct StoredAttachment {
    pub id: i64,
    pub request_id: i64,
    pub filename: String,
    pub description: String,
    pub size: u64,
    pub pages: Option<u32>,
    pub sha256: String,
    pub media_type: String,
    pub storage_name: String,
    pub token_nonce: String,
    pub max_downloads: u32,
    pub downloads_used: u32,
    pub uploaded_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub purged_at: Option<DateTime<Utc>>,
}

impl StoredAttachment {
    /// Whether the file may be downloaded as of `now`.
    pub fn access(&self, now: DateTime<Utc>) -> AccessState {
        access_state(
            self.max_downloads,
            self.downloads_used,
            self.expires_at,
            now,
        )
    }

    /// Why a download cannot start, or `None` when it can.
    pub fn refusal(&self, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Option<String> {
        if self.withdrawn_at.is_some() {
            return Some("the lending library has withdrawn this document".to_owned());
        }
        match self.access(now) {
            AccessState::Open { .. } if self.purged_at.is_none() => None,
            AccessState::Open { .. } => Some("this document is no longer stored".to_owned()),
            state => Some(access_text(state, tz)),
        }
    }
}

const COLUMNS: &str = "id, request_id, filename, description, size, pages, sha256, media_type, \
    storage_name, token_nonce, max_downloads, downloads_used, uploaded_at, expires_at, \
    withdrawn_at, purged_at";

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredAttachment> {
    Ok(StoredAttachment {
        id: row.get(0)?,
        request_id: row.get(1)?,
        filename: row.get(2)?,
        description: row.get(3)?,
        size: row.get(4)?,
        pages: row.get(5)?,
        sha256: row.get(6)?,
        media_type: row.get(7)?,
        storage_name: row.get(8)?,
        token_nonce: row.get(9)?,
        max_downloads: row.get(10)?,
        downloads_used: row.get(11)?,
        uploaded_at: from_secs(row.get(12)?),
        expires_at: from_secs(row.get(13)?),
        withdrawn_at: row.get::<_, Option<i64>>(14)?.map(from_secs),
        purged_at: row.get::<_, Option<i64>>(15)?.map(from_secs),
    })
}

/// A document that has been stored and is ready to be recorded.
pub struct NewAttachment {
    pub filename: String,
    pub description: String,
    pub size: u64,
    pub pages: Option<u32>,
    pub sha256: String,
    pub media_type: String,
    pub storage_name: String,
    pub max_downloads: DownloadLimit,
    pub expires_in: ExpiryDays,
    pub uploaded_by: String,
}

/// Records an uploaded document on `request_id`.
pub fn insert(
    conn: &Connection,
    request_id: i64,
    new: &NewAttachment,
    key: &DocumentKey,
) -> Result<i64, ApiError> {
    let now = Utc::now();
    let nonce = DocumentKey::new_nonce();
    let token_hash = crate::tokens::hash_token(&key.token(&nonce));

    conn.execute(
        "INSERT INTO attachments (request_id, filename, description, size, pages, sha256,
             media_type, storage_name, token_nonce, token_hash, max_downloads, uploaded_by,
             uploaded_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            request_id,
            new.filename,
            new.description,
            new.size,
            new.pages,
            new.sha256,
            new.media_type,
            new.storage_name,
            nonce,
            token_hash,
            new.max_downloads.get(),
            new.uploaded_by,
            to_secs(now),
            to_secs(new.expires_in.expires_at(now)),
        ],
    )?;
    let id = conn.last_insert_rowid();
    conn.execute(
        "UPDATE requests SET updated_at = ?2 WHERE id = ?1",
        params![request_id, to_secs(now)],
    )?;
    changes::record(conn, request_id)?;
    Ok(id)
}

pub fn get(conn: &Connection, id: i64) -> Result<StoredAttachment, ApiError> {
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| ApiError::not_found("attachment"))
}

/// The attachment whose document token hashes to `token_hash`.
pub fn by_token_hash(
    conn: &Connection,
    token_hash: &str,
) -> Result<Option<StoredAttachment>, ApiError> {
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE token_hash = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([token_hash], from_row)
        .optional()?)
}

/// Every attachment of `request_id`, oldest first.
pub fn stored_for_request(
    conn: &Connection,
    request_id: i64,
) -> Result<Vec<StoredAttachment>, ApiError> {
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE request_id = ?1 ORDER BY id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([request_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The "Uploaded Files" list of a request, as of `now`.
pub fn for_request(
    conn: &Connection,
    request: &Request,
    key: &DocumentKey,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Attachment>, ApiError> {
    Ok(stored_for_request(conn, request.id)?
        .into_iter()
        .map(|a| shape(&a, request, key, public_url, now))
        .collect())
}

/// The public link of an attachment.
pub fn document_url(public_url: &str, key: &DocumentKey, nonce: &str) -> String {
    format!(
        "{}/d/{}",
        public_url.trim_end_matches('/'),
        key.token(nonce)
    )
}

/// An attachment as the API shows it.
pub fn shape(
    a: &StoredAttachment,
    request: &Request,
    key: &DocumentKey,
    public_url: &str,
    now: DateTime<Utc>,
) -> Attachment {
    let state = a.access(now);
    let text = match a.withdrawn_at {
        Some(_) => "Withdrawn by the lending library".to_owned(),
        None => access_text(state, request.borrower.time_zone),
    };

    Attachment {
        id: a.id,
        request_id: a.request_id,
        filename: a.filename.clone(),
        description: a.description.clone(),
        size: a.size,
        pages: a.pages,
        sha256: a.sha256.clone(),
        media_type: a.media_type.clone(),
        max_downloads: a.max_downloads,
        downloads_used: a.downloads_used,
        uploaded_at: a.uploaded_at,
        expires_at: a.expires_at,
        access_text: text,
        downloadable: a.refusal(now, request.borrower.time_zone).is_none(),
        document_url: document_url(public_url, key, &a.token_nonce),
        withdrawn_at: a.withdrawn_at,
    }
}

/// Who started a download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Staff,
    Patron,
}

/// Counts one download of attachment `id`, if one remains and it has not
/// expired, been withdrawn or purged. Returns whether it was counted.
///
/// The check and the increment are one SQL statement inside the caller's
/// write transaction, so no interleaving of requests can serve more
/// downloads than the limit.
pub fn count_download(
    conn: &Connection,
    id: i64,
    channel: Channel,
    by_staff: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let counted = conn.execute(
        "UPDATE attachments SET downloads_used = downloads_used + 1, last_download_at = ?2
         WHERE id = ?1 AND downloads_used < max_downloads AND expires_at > ?2
           AND withdrawn_at IS NULL AND purged_at IS NULL",
        params![id, to_secs(now)],
    )? == 1;
    if !counted {
        return Ok(false);
    }

    let channel = match channel {
        Channel::Staff => "staff",
        Channel::Patron => "patron",
    };
    conn.execute(
        "INSERT INTO downloads (attachment_id, channel, by_staff, at) VALUES (?1, ?2, ?3, ?4)",
        params![id, channel, by_staff, to_secs(now)],
    )?;
    record_change(conn, id)?;
    Ok(true)
}

/// Notes in the change feed that attachment `id`'s request changed.
fn record_change(conn: &Connection, id: i64) -> Result<(), ApiError> {
    let request_id: i64 = conn.query_row(
        "SELECT request_id FROM attachments WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    changes::record(conn, request_id)
}

/// How long a browser may fetch a counted download again, in ranges.
pub const GRANT_LIFETIME: Duration = Duration::minutes(30);

/// Stores a grant to fetch attachment `id` again without counting.
pub fn create_grant(
    conn: &Connection,
    id: i64,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    conn.execute(
        "DELETE FROM download_grants WHERE expires_at <= ?1",
        [to_secs(now)],
    )?;
    conn.execute(
        "INSERT INTO download_grants (token_hash, attachment_id, expires_at) VALUES (?1, ?2, ?3)",
        params![token_hash, id, to_secs(now + GRANT_LIFETIME)],
    )?;
    Ok(())
}

/// Whether a live grant for attachment `id` has `token_hash`.
pub fn grant_is_valid(
    conn: &Connection,
    id: i64,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM download_grants g JOIN attachments a ON a.id = g.attachment_id
         WHERE g.token_hash = ?1 AND g.attachment_id = ?2 AND g.expires_at > ?3
           AND a.withdrawn_at IS NULL AND a.purged_at IS NULL)",
        params![token_hash, id, to_secs(now)],
        |r| r.get(0),
    )?)
}

/// Charges `bytes` sent again under a grant, if the grant is live and has
/// sent less than `cap` bytes in all with them. Returns whether it may send.
pub fn charge_grant(
    conn: &Connection,
    id: i64,
    token_hash: &str,
    bytes: u64,
    cap: u64,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
    let cap = i64::try_from(cap).unwrap_or(i64::MAX);
    Ok(conn.execute(
        "UPDATE download_grants SET bytes_served = bytes_served + ?3
         WHERE token_hash = ?1 AND attachment_id = ?2 AND expires_at > ?5
           AND bytes_served + ?3 <= ?4",
        params![token_hash, id, bytes, cap, to_secs(now)],
    )? == 1)
}

/// Marks an attachment withdrawn by its lender; its file goes at the next purge.
pub fn withdraw(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<bool, ApiError> {
    let changed = conn.execute(
        "UPDATE attachments SET withdrawn_at = ?2 WHERE id = ?1 AND withdrawn_at IS NULL",
        params![id, to_secs(now)],
    )? == 1;
    if changed {
        conn.execute("DELETE FROM download_grants WHERE attachment_id = ?1", [id])?;
        record_change(conn, id)?;
    }
    Ok(changed)
}

/// How long a file is kept after it expired or was used up.
pub const PURGE_GRACE: Duration = Duration::days(1);

/// Files due for deletion as of `now`: withdrawn ones, and expired or used-up
/// ones once a grace day has passed. Returns `(id, storage_name)` pairs.
pub fn due_for_purge(
    conn: &Connection,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, String)>, ApiError> {
    let cutoff = to_secs(now - PURGE_GRACE);
    let mut stmt = conn.prepare(
        "SELECT id, storage_name FROM attachments WHERE purged_at IS NULL AND (
             withdrawn_at IS NOT NULL
             OR expires_at <= ?1
             OR (downloads_used >= max_downloads AND last_download_at <= ?1))",
    )?;
    let rows = stmt.query_map([cutoff], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn mark_purged(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<(), ApiError> {
    conn.execute(
        "UPDATE attachments SET purged_at = ?2 WHERE id = ?1",
        params![id, to_secs(now)],
    )?;
    Ok(())
}

/// The names of every stored file that the database still refers to.
pub fn storage_names(conn: &Connection) -> Result<std::collections::HashSet<String>, ApiError> {
    let mut stmt = conn.prepare("SELECT storage_name FROM attachments WHERE purged_at IS NULL")?;
    let rows = stmt.query_map([], |row| row.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
