//! The change feed: a monotonic number for every change to a request, which
//! the desktop cache follows to stay current.

use chrono::Utc;
use rusqlite::{params, Connection};

use super::to_secs;
use crate::error::ApiError;

/// Notes that `request_id` changed.
pub fn record(conn: &Connection, request_id: i64) -> Result<(), ApiError> {
    conn.execute(
        "INSERT INTO changes (request_id, at) VALUES (?1, ?2)",
        params![request_id, to_secs(Utc::now())],
    )?;
    Ok(())
}

/// The ids of `library_id`'s requests changed after `after`, each once, in
/// the order of their last change, at most `limit` changes read; with the
/// change number to ask for next and whether more wait.
pub fn since(
    conn: &Connection,
    library_id: i64,
    after: i64,
    limit: u32,
) -> Result<(Vec<i64>, i64, bool), ApiError> {
    let mut stmt = conn.prepare(
        "SELECT c.seq, c.request_id FROM changes c JOIN requests r ON r.id = c.request_id
         WHERE c.seq > ?1 AND (r.lender_id = ?2 OR r.borrower_id = ?2)
         ORDER BY c.seq LIMIT ?3",
    )?;
    let rows: Vec<(i64, i64)> = stmt
        .query_map(params![after, library_id, i64::from(limit) + 1], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;

    let has_more = rows.len() > limit as usize;
    let rows = &rows[..rows.len().min(limit as usize)];
    let next = match rows.last() {
        Some((seq, _)) => *seq,
        // Nothing for this library: skip past other libraries' changes too.
        None => conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
                r.get::<_, i64>(0)
            })?
            .max(after),
    };

    let mut ids: Vec<i64> = Vec::new();
    for (_, id) in rows.iter().rev() {
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    ids.reverse();
    Ok((ids, next, has_more))
}
