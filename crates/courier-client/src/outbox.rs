//! The outbox: status changes staff made, kept in the cache's database until
//! the server has answered them.
//!
//! Each change gets its idempotency key when it is queued, in the same commit,
//! so that sending it again after a crash (or after an answer that was lost on
//! the way) can never make the move twice.

use chrono::{DateTime, Utc};
use courier_core::Status;
use rand::RngCore;
use rusqlite::{params, Row};
use serde::Serialize;
use ts_rs::TS;

use crate::{Cache, ClientError};

/// Where a queued change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for the server.
    Queued,
    /// The server made the move.
    Sent,
    /// The server refused the move; it will not be sent again.
    Refused,
}

impl OutboxState {
    fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sent => "sent",
            OutboxState::Refused => "refused",
        }
    }

    fn parse(word: &str) -> OutboxState {
        match word {
            "sent" => OutboxState::Sent,
            "refused" => OutboxState::Refused,
            _ => OutboxState::Queued,
        }
    }
}

/// One status change in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OutboxEntry {
    /// The order changes were made in, and are sent in.
    pub seq: i64,
    pub request_id: i64,
    /// The request's number, for messages about the change.
    pub number: String,
    pub status: Status,
    /// Sent as `Idempotency-Key`; the same for every try of this change.
    pub idempotency_key: String,
    pub state: OutboxState,
    /// The server's reason, for a refused change.
    pub error: Option<String>,
    pub queued_at: DateTime<Utc>,
}

impl Cache {
    /// Queues a move of request `request_id` to `status`, durably.
    pub fn enqueue(
        &self,
        request_id: i64,
        number: &str,
        status: Status,
    ) -> Result<OutboxEntry, ClientError> {
        let key = new_idempotency_key();
        let now = Utc::now();
        let conn = self.lock();
        conn.execute(
            "INSERT INTO outbox (request_id, number, status, idempotency_key, queued_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![request_id, number, status.as_str(), key, now.to_rfc3339()],
        )?;
        let seq = conn.last_insert_rowid();
        Ok(OutboxEntry {
            seq,
            request_id,
            number: number.to_string(),
            status,
            idempotency_key: key,
            state: OutboxState::Queued,
            error: None,
            queued_at: now,
        })
    }

    /// The changes still waiting for the server, oldest first.
    pub fn queued(&self) -> Result<Vec<OutboxEntry>, ClientError> {
        self.outbox_where("state = 'queued'")
    }

    /// Every change ever queued, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, ClientError> {
        self.outbox_where("1 = 1")
    }

    /// Records that the server made the move.
    pub fn mark_sent(&self, seq: i64) -> Result<(), ClientError> {
        self.finish(seq, OutboxState::Sent, None)
    }

    /// Records that the server refused the move, and why.
    pub fn mark_refused(&self, seq: i64, reason: &str) -> Result<(), ClientError> {
        self.finish(seq, OutboxState::Refused, Some(reason))
    }

    fn finish(
        &self,
        seq: i64,
        state: OutboxState,
        reason: Option<&str>,
    ) -> Result<(), ClientError> {
        self.lock().execute(
            "UPDATE outbox SET state = ?2, error = ?3, done_at = ?4 WHERE seq = ?1",
            params![seq, state.as_str(), reason, Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }

    fn outbox_where(&self, condition: &str) -> Result<Vec<OutboxEntry>, ClientError> {
        let conn = self.lock();
        let sql = format!(
            "SELECT seq, request_id, number, status, idempotency_key, state, error, queued_at
             FROM outbox WHERE {condition} ORDER BY seq"
        );
        let mut statement = conn.prepare(&sql)?;
        let rows = statement.query_map([], read_entry)?;
        let mut entries = Vec::new();
        for row in rows {
            entries.push(row?);
        }
        Ok(entries)
    }
}

fn read_entry(row: &Row<'_>) -> rusqlite::Result<OutboxEntry> {
    let status: String = row.get(3)?;
    let state: String = row.get(5)?;
    let queued_at: String = row.get(7)?;
    let status = status.parse::<Status>().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(OutboxEntry {
        seq: row.get(0)?,
        request_id: row.get(1)?,
        number: row.get(2)?,
        status,
        idempotency_key: row.get(4)?,
        state: OutboxState::parse(&state),
        error: row.get(6)?,
        queued_at: DateTime::parse_from_rfc3339(&queued_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default(),
    })
}

/// 128 random bits, in hexadecimal.
fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
