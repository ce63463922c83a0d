//! The offline cache: every request the staff's library can see, as the
//! server last described it, in one SQLite file that also holds the outbox.
//!
//! Each request is stored whole (its `RequestDetail` as JSON) next to the
//! few columns that lists filter and search on, so that a detail view
//! offline shows exactly what it showed online.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::SecondsFormat;
use courier_core::api::{
    LibrarySettings, Notice, NoticeState, RequestDetail, RequestSummary, StaffInfo,
};
use courier_core::{Role, Status};
use rusqlite::{params, Connection, OptionalExtension};

use crate::ClientError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    id          INTEGER PRIMARY KEY,
    number      TEXT NOT NULL,
    role        TEXT NOT NULL,
    status      TEXT NOT NULL,
    title       TEXT NOT NULL,
    patron_name TEXT,
    created_at  TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_by_list ON requests (role, status, created_at);
CREATE TABLE IF NOT EXISTS outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id      INTEGER NOT NULL,
    number          TEXT NOT NULL,
    status          TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL DEFAULT 'queued',
    error           TEXT,
    queued_at       TEXT NOT NULL,
    done_at         TEXT
);
CREATE TABLE IF NOT EXISTS failed_notices (
    id       INTEGER PRIMARY KEY,
    attempts INTEGER NOT NULL
);
";

/// Which cached requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Only requests where the library takes this side.
    pub role: Option<Role>,
    /// Only requests in one of these statuses; all when empty.
    pub statuses: Vec<Status>,
    /// Text found in the number, the title or the patron's name.
    pub search: Option<String>,
    /// At most this many requests, the newest; all when `None`.
    pub limit: Option<u32>,
}

/// How many requests a Request Manager list shows: the newest; a search
/// finds the others.
pub const LIST_PAGE: u32 = 500;

/// The local SQLite cache of one staff member's view of one server.
pub struct Cache {
    conn: Mutex<Connection>,
}

impl Cache {
    /// Opens (or creates) the cache file at `path`.
    pub fn open(path: &Path) -> Result<Self, ClientError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // The outbox must survive a crash of the app: every commit reaches
        // the disk before a change is reported as queued.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Cache {
            conn: Mutex::new(conn),
        })
    }

    /// The change number the next sync asks for; 0 for an empty cache.
    pub fn cursor(&self) -> Result<i64, ClientError> {
        Ok(self
            .meta("cursor")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Who this cache belongs to, as the server said at sign-in.
    pub fn staff(&self) -> Result<Option<StaffInfo>, ClientError> {
        Ok(self
            .meta("staff")?
            .and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// Records who this cache belongs to.
    pub fn set_staff(&self, staff: &StaffInfo) -> Result<(), ClientError> {
        let json =
            serde_json::to_string(staff).map_err(|e| ClientError::Protocol(e.to_string()))?;
        self.set_meta("staff", &json)
    }

    /// The library's settings as last seen, for reading offline.
    pub fn library(&self) -> Result<Option<LibrarySettings>, ClientError> {
        Ok(self
            .meta("library")?
            .and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// Keeps the library's settings as the server just described them.
    pub fn set_library(&self, settings: &LibrarySettings) -> Result<(), ClientError> {
        let json =
            serde_json::to_string(settings).map_err(|e| ClientError::Protocol(e.to_string()))?;
        self.set_meta("library", &json)
    }

    /// Notes the state of one of our notices and returns whether it has just
    /// failed for good: failed now, and not failed (with as many tries) when
    /// last noted. A notice retried by staff that fails again is a new
    /// failure.
    pub fn note_notice(&self, notice: &Notice) -> Result<bool, ClientError> {
        let conn = self.lock();
        if notice.state != NoticeState::Failed {
            conn.execute("DELETE FROM failed_notices WHERE id = ?1", [notice.id])?;
            return Ok(false);
        }
        let changed = conn.execute(
            "INSERT INTO failed_notices (id, attempts) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET attempts = excluded.attempts
             WHERE attempts <> excluded.attempts",
            params![notice.id, notice.attempts],
        )?;
        Ok(changed > 0)
    }

    /// Forgets that a notice failed, once staff have asked for it again.
    pub fn forget_failed_notice(&self, notice_id: i64) -> Result<(), ClientError> {
        self.lock()
            .execute("DELETE FROM failed_notices WHERE id = ?1", [notice_id])?;
        Ok(())
    }

    /// Stores the requests of one change page and moves the cursor past it,
    /// in one transaction. Returns each request as it was before, if known.
    pub fn apply(
        &self,
        requests: &[RequestDetail],
        next: i64,
    ) -> Result<Vec<Option<RequestDetail>>, ClientError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let mut before = Vec::with_capacity(requests.len());
        for detail in requests {
            before.push(read_detail(&tx, detail.summary.id)?);
            write_detail(&tx, detail)?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('cursor', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [next.to_string()],
        )?;
        tx.commit()?;
        Ok(before)
    }

    /// Stores one request as the server just described it.
    pub fn put(&self, detail: &RequestDetail) -> Result<(), ClientError> {
        write_detail(&self.lock(), detail)
    }

    /// One request, as last seen.
    pub fn detail(&self, id: i64) -> Result<Option<RequestDetail>, ClientError> {
        read_detail(&self.lock(), id)
    }

    /// The requests matching `query`, newest first.
    pub fn list(&self, query: &ListQuery) -> Result<Vec<RequestSummary>, ClientError> {
        Ok(self
            .list_details(query)?
            .into_iter()
            .map(|d| d.summary)
            .collect())
    }

    /// The requests matching `query` with everything on them, newest first.
    pub fn list_details(&self, query: &ListQuery) -> Result<Vec<RequestDetail>, ClientError> {
        let mut sql = String::from("SELECT detail FROM requests WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        if let Some(role) = query.role {
            args.push(role.as_str().to_string());
            sql.push_str(&format!(" AND role = ?{}", args.len()));
        }
        if !query.statuses.is_empty() {
            let mut marks = Vec::new();
            for status in &query.statuses {
                args.push(status.as_str().to_string());
                marks.push(format!("?{}", args.len()));
            }
            sql.push_str(&format!(" AND status IN ({})", marks.join(", ")));
        }
        if let Some(text) = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            args.push(format!("%{}%", escape_like(text)));
            let n = args.len();
            sql.push_str(&format!(
                " AND (number LIKE ?{n} ESCAPE '\\' OR title LIKE ?{n} ESCAPE '\\' \
                 OR patron_name LIKE ?{n} ESCAPE '\\')"
            ));
        }
        sql.push_str(" ORDER BY created_at DESC, id DESC");
        if let Some(limit) = query.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }

        let conn = self.lock();
        let mut statement = conn.prepare(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(args.iter()), |row| {
            row.get::<_, String>(0)
        })?;
        let mut found = Vec::new();
        for json in rows {
            found.push(parse_detail(&json?)?);
        }
        Ok(found)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held cannot leave SQLite half-written
        // (transactions roll back), so a poisoned lock is still usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn meta(&self, key: &str) -> Result<Option<String>, ClientError> {
        let conn = self.lock();
        let value = conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(value)
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), ClientError> {
        self.lock().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

fn read_detail(conn: &Connection, id: i64) -> Result<Option<RequestDetail>, ClientError> {
    let json: Option<String> = conn
        .query_row("SELECT detail FROM requests WHERE id = ?1", [id], |row| {
            row.get(0)
        })
        .optional()?;
    json.map(|j| parse_detail(&j)).transpose()
}

fn write_detail(conn: &Connection, detail: &RequestDetail) -> Result<(), ClientError> {
    let summary = &detail.summary;
    let json = serde_json::to_string(detail).map_err(|e| ClientError::Protocol(e.to_string()))?;
    conn.execute(
        "INSERT INTO requests (id, number, role, status, title, patron_name, created_at, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET
             number = excluded.number, role = excluded.role, status = excluded.status,
             title = excluded.title, patron_name = excluded.patron_name,
             created_at = excluded.created_at, detail = excluded.detail",
        params![
            summary.id,
            summary.number,
            summary.role.as_str(),
            summary.status.as_str(),
            summary.title,
            summary.patron_name,
            summary
                .created_at
                .to_rfc3339_opts(SecondsFormat::Micros, true),
            json,
        ],
    )?;
    Ok(())
}

fn parse_detail(json: &str) -> Result<RequestDetail, ClientError> {
    serde_json::from_str(json)
        .map_err(|e| ClientError::Protocol(format!("cached request is unreadable: {e}")))
}

fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
