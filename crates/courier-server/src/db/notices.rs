//! Notices as stored: each is written, whole, in the same transaction as
//! the change that causes it, and only then sent by the worker.

use chrono::{DateTime, Duration, Utc};
use courier_core::api::{Notice, NoticeKind, NoticeState};
use rusqlite::{params, Connection, OptionalExtension};

use super::{changes, from_secs, to_secs};
use crate::error::ApiError;

/// A composed e-mail, ready to store.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub request_id: i64,
    pub attachment_id: Option<i64>,
    pub kind: NoticeKind,
    pub recipient: String,
    pub from_name: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// A stored notice with everything the worker needs to send it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub request_id: i64,
    pub kind: NoticeKind,
    pub recipient: String,
    pub from_name: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    pub attempts: u32,
}

fn kind_word(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::ReceivedWithAttachments => "received_with_attachments",
        NoticeKind::DocumentUrl => "document_url",
    }
}

fn parse_kind(word: &str) -> NoticeKind {
    match word {
        "document_url" => NoticeKind::DocumentUrl,
        _ => NoticeKind::ReceivedWithAttachments,
    }
}

fn parse_state(word: &str) -> NoticeState {
    match word {
        "sent" => NoticeState::Sent,
        "failed" => NoticeState::Failed,
        _ => NoticeState::Queued,
    }
}

/// Stores a notice, due at once.
pub fn queue(conn: &Connection, notice: &NewNotice) -> Result<i64, ApiError> {
    let now = to_secs(Utc::now());
    let message_id = format!("<{}@courier.notice>", crate::tokens::random_token());
    conn.execute(
        "INSERT INTO notices (request_id, attachment_id, kind, recipient, from_name, reply_to,
             subject, body_text, body_html, message_id, state, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'queued', ?11, ?11)",
        params![
            notice.request_id,
            notice.attachment_id,
            kind_word(notice.kind),
            notice.recipient,
            notice.from_name,
            notice.reply_to,
            notice.subject,
            notice.body_text,
            notice.body_html,
            message_id,
            now,
        ],
    )?;
    let id = conn.last_insert_rowid();
    changes::record(conn, notice.request_id)?;
    Ok(id)
}

/// The notices of a request, oldest first; the patron's address is shown
/// only when `show_patron` is set.
pub fn for_request(
    conn: &Connection,
    request_id: i64,
    show_patron: bool,
) -> Result<Vec<Notice>, ApiError> {
    let mut stmt = conn.prepare(
        "SELECT id, request_id, attachment_id, kind, recipient, subject, state, attempts,
                last_error, created_at, sent_at, next_attempt_at
         FROM notices WHERE request_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([request_id], |row| {
        let kind = parse_kind(&row.get::<_, String>(3)?);
        let recipient: String = row.get(4)?;
        let state = parse_state(&row.get::<_, String>(6)?);
        Ok(Notice {
            id: row.get(0)?,
            request_id: row.get(1)?,
            attachment_id: row.get(2)?,
            kind,
            recipient: if kind == NoticeKind::ReceivedWithAttachments && !show_patron {
                "the patron".to_owned()
            } else {
                recipient
            },
            subject: row.get(5)?,
            state,
            attempts: row.get(7)?,
            last_error: row.get(8)?,
            created_at: from_secs(row.get(9)?),
            sent_at: row.get::<_, Option<i64>>(10)?.map(from_secs),
            next_attempt_at: if state == NoticeState::Queued {
                row.get::<_, Option<i64>>(11)?.map(from_secs)
            } else {
                None
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The request a notice belongs to.
pub fn request_of(conn: &Connection, id: i64) -> Result<i64, ApiError> {
    conn.query_row("SELECT request_id FROM notices WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| ApiError::not_found("notice"))
}

/// Takes up to `limit` due notices, pushing each one's next try out by
/// `lease` so that a second worker, or this one after a crash, retries it
/// only if this try never finished.
pub fn take_due(
    conn: &Connection,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u32,
) -> Result<Vec<Outgoing>, ApiError> {
    let mut stmt = conn.prepare(
        "SELECT id, request_id, kind, recipient, from_name, reply_to, subject, body_text,
                body_html, message_id, attempts
         FROM notices WHERE state = 'queued' AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2",
    )?;
    let due: Vec<Outgoing> = stmt
        .query_map(params![to_secs(now), limit], |row| {
            Ok(Outgoing {
                id: row.get(0)?,
                request_id: row.get(1)?,
                kind: parse_kind(&row.get::<_, String>(2)?),
                recipient: row.get(3)?,
                from_name: row.get(4)?,
                reply_to: row.get(5)?,
                subject: row.get(6)?,
                body_text: row.get(7)?,
                body_html: row.get(8)?,
                message_id: row.get(9)?,
                attempts: row.get::<_, u32>(10)? + 1,
            })
        })?
        .collect::<Result<_, _>>()?;
    for notice in &due {
        conn.execute(
            "UPDATE notices SET attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1",
            params![notice.id, to_secs(now + lease)],
        )?;
    }
    Ok(due)
}

pub fn mark_sent(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<(), ApiError> {
    let request_id = request_of(conn, id)?;
    conn.execute(
        "UPDATE notices SET state = 'sent', sent_at = ?2, last_error = NULL WHERE id = ?1",
        params![id, to_secs(now)],
    )?;
    changes::record(conn, request_id)
}

/// Records a failed try: queued again at `retry_at`, or failed for good.
pub fn mark_failed(
    conn: &Connection,
    id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), ApiError> {
    let request_id = request_of(conn, id)?;
    match retry_at {
        Some(at) => conn.execute(
            "UPDATE notices SET state = 'queued', last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
            params![id, error, to_secs(at)],
        )?,
        None => conn.execute(
            "UPDATE notices SET state = 'failed', last_error = ?2, next_attempt_at = NULL WHERE id = ?1",
            params![id, error],
        )?,
    };
    changes::record(conn, request_id)
}

/// Queues a failed notice again, on staff's request.
pub fn retry(conn: &Connection, id: i64) -> Result<(), ApiError> {
    let request_id = request_of(conn, id)?;
    let changed = conn.execute(
        "UPDATE notices SET state = 'queued', attempts = 0, next_attempt_at = ?2 WHERE id = ?1 AND state = 'failed'",
        params![id, to_secs(Utc::now())],
    )?;
    if changed == 0 {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "not_failed",
            "only a failed notice can be retried",
        ));
    }
    changes::record(conn, request_id)
}
