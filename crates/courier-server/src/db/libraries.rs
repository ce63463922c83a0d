//! Libraries, their staff and the staff's sessions.

use chrono::{DateTime, Utc};
use courier_core::api::{LibraryRef, LibrarySettings, LibrarySettingsUpdate};
use rusqlite::{params, Connection, OptionalExtension};

use super::to_secs;
use crate::error::ApiError;

/// The notice patrons confirm when a library has not written its own.
pub const DEFAULT_COPYRIGHT_NOTICE: &str = "This copy is supplied for the purposes of private \
study or research only. It may not be copied again, shared or used for any commercial purpose. \
Making further copies may infringe copyright law.";

/// A library as the server works with it.
#[derive(Debug, Clone)]
pub struct Library {
    pub id: i64,
    pub symbol: String,
    pub name: String,
    pub ill_email: String,
    pub time_zone: chrono_tz::Tz,
    pub copyright_notice: String,
    pub received_with_attachments_notice: bool,
    pub iso_partner: bool,
}

impl Library {
    pub fn reference(&self) -> LibraryRef {
        LibraryRef {
            symbol: self.symbol.clone(),
            name: self.name.clone(),
        }
    }

    pub fn settings(&self) -> LibrarySettings {
        LibrarySettings {
            symbol: self.symbol.clone(),
            name: self.name.clone(),
            ill_email: self.ill_email.clone(),
            time_zone: self.time_zone.name().to_owned(),
            copyright_notice: self.copyright_notice.clone(),
            received_with_attachments_notice: self.received_with_attachments_notice,
            iso_partner: self.iso_partner,
        }
    }
}

/// A signed-in staff member, as the handlers see them.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub id: i64,
    pub username: String,
    pub library: Library,
}

const LIBRARY_COLUMNS: &str = "l.id, l.symbol, l.name, l.ill_email, l.time_zone, \
    l.copyright_notice, l.received_with_attachments_notice, l.iso_partner";

/// The library columns of [`library_from_row`] under another table alias.
pub(crate) fn library_columns(alias: &str) -> String {
    LIBRARY_COLUMNS.replace("l.", &format!("{alias}."))
}

/// A library from the columns of [`LIBRARY_COLUMNS`] starting at `at`.
pub(crate) fn library_from_row(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Library> {
    let zone: String = row.get(at + 4)?;
    Ok(Library {
        id: row.get(at)?,
        symbol: row.get(at + 1)?,
        name: row.get(at + 2)?,
        ill_email: row.get(at + 3)?,
        time_zone: zone.parse().unwrap_or(chrono_tz::UTC),
        copyright_notice: row.get(at + 5)?,
        received_with_attachments_notice: row.get(at + 6)?,
        iso_partner: row.get(at + 7)?,
    })
}

/// Parses an IANA time zone name, with a message naming the mistake.
pub fn parse_time_zone(name: &str) -> Result<chrono_tz::Tz, ApiError> {
    name.trim().parse().map_err(|_| {
        ApiError::invalid(format!(
            "unknown time zone {name:?}: use an IANA name such as America/New_York"
        ))
    })
}

/// The details of a new library.
pub struct NewLibrary<'a> {
    pub symbol: &'a str,
    pub name: &'a str,
    pub ill_email: &'a str,
    pub time_zone: &'a str,
}

/// Adds a library; its symbol must be new.
pub fn add_library(conn: &Connection, new: &NewLibrary<'_>) -> Result<i64, ApiError> {
    let symbol = new.symbol.trim().to_ascii_uppercase();
    if symbol.is_empty() || symbol.len() > 16 || !symbol.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(ApiError::invalid(
            "a library symbol is 1 to 16 letters or digits",
        ));
    }
    if new.name.trim().is_empty() || new.name.chars().any(char::is_control) || new.name.len() > 200
    {
        return Err(ApiError::invalid(
            "a library needs a name of one line, at most 200 characters",
        ));
    }
    let zone = parse_time_zone(new.time_zone)?;
    let email = new.ill_email.trim();
    if !email.is_empty() && email.parse::<lettre::Address>().is_err() {
        return Err(ApiError::invalid(format!(
            "{email:?} is not an e-mail address"
        )));
    }
    if by_symbol(conn, &symbol)?.is_some() {
        return Err(ApiError::invalid(format!(
            "a library with the symbol {symbol} exists already"
        )));
    }

    conn.execute(
        "INSERT INTO libraries (symbol, name, ill_email, time_zone, copyright_notice)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            symbol,
            new.name.trim(),
            new.ill_email.trim(),
            zone.name(),
            DEFAULT_COPYRIGHT_NOTICE
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn by_symbol(conn: &Connection, symbol: &str) -> Result<Option<Library>, ApiError> {
    let sql = format!("SELECT {LIBRARY_COLUMNS} FROM libraries l WHERE l.symbol = ?1");
    Ok(conn
        .query_row(&sql, [symbol], |row| library_from_row(row, 0))
        .optional()?)
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Library, ApiError> {
    let sql = format!("SELECT {LIBRARY_COLUMNS} FROM libraries l WHERE l.id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], |row| library_from_row(row, 0))
        .optional()?
        .ok_or_else(|| ApiError::not_found("library"))
}

/// Changes the settings staff may change.
pub fn update_settings(
    conn: &Connection,
    library_id: i64,
    update: &LibrarySettingsUpdate,
) -> Result<Library, ApiError> {
    let zone = parse_time_zone(&update.time_zone)?;
    let email = update.ill_email.trim();
    if !email.is_empty() && email.parse::<lettre::Address>().is_err() {
        return Err(ApiError::invalid(format!(
            "{email:?} is not an e-mail address"
        )));
    }
    if update.copyright_notice.trim().is_empty() {
        return Err(ApiError::invalid("the copyright notice cannot be empty"));
    }
    if update.copyright_notice.len() > 4000 {
        return Err(ApiError::invalid(
            "the copyright notice is longer than 4,000 characters",
        ));
    }

    conn.execute(
        "UPDATE libraries SET ill_email = ?2, time_zone = ?3, copyright_notice = ?4,
         received_with_attachments_notice = ?5, iso_partner = ?6 WHERE id = ?1",
        params![
            library_id,
            email,
            zone.name(),
            update.copyright_notice.trim(),
            update.received_with_attachments_notice,
            update.iso_partner
        ],
    )?;
    by_id(conn, library_id)
}

/// Adds a staff member with an already hashed password.
pub fn add_staff(
    conn: &Connection,
    library_id: i64,
    username: &str,
    password_hash: &str,
) -> Result<i64, ApiError> {
    let username = username.trim();
    if username.is_empty()
        || username.len() > 64
        || username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ApiError::invalid(
            "a user name is 1 to 64 characters without spaces",
        ));
    }
    let taken: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM staff WHERE username = ?1)",
        [username],
        |r| r.get(0),
    )?;
    if taken {
        return Err(ApiError::invalid(format!(
            "the user name {username} is taken"
        )));
    }

    conn.execute(
        "INSERT INTO staff (library_id, username, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![library_id, username, password_hash, to_secs(Utc::now())],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A staff member's id and password hash, for signing in.
pub fn password_hash(conn: &Connection, username: &str) -> Result<Option<(i64, String)>, ApiError> {
    Ok(conn
        .query_row(
            "SELECT id, password_hash FROM staff WHERE username = ?1",
            [username],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?)
}

pub fn staff_by_id(conn: &Connection, staff_id: i64) -> Result<StaffMember, ApiError> {
    let sql = format!(
        "SELECT s.id, s.username, {LIBRARY_COLUMNS} FROM staff s
         JOIN libraries l ON l.id = s.library_id WHERE s.id = ?1"
    );
    conn.prepare_cached(&sql)?
        .query_row([staff_id], staff_from_row)
        .optional()?
        .ok_or_else(|| ApiError::not_found("staff member"))
}

fn staff_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StaffMember> {
    Ok(StaffMember {
        id: row.get(0)?,
        username: row.get(1)?,
        library: library_from_row(row, 2)?,
    })
}

pub fn create_session(
    conn: &Connection,
    staff_id: i64,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let now = to_secs(Utc::now());
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
    conn.execute(
        "INSERT INTO sessions (token_hash, staff_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, staff_id, now, to_secs(expires_at)],
    )?;
    Ok(())
}

/// The staff member whose unexpired session has `token_hash`.
pub fn session_staff(
    conn: &Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<StaffMember>, ApiError> {
    let sql = format!(
        "SELECT s.id, s.username, {LIBRARY_COLUMNS} FROM sessions t
         JOIN staff s ON s.id = t.staff_id JOIN libraries l ON l.id = s.library_id
         WHERE t.token_hash = ?1 AND t.expires_at > ?2"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![token_hash, to_secs(now)], staff_from_row)
        .optional()?)
}

pub fn delete_session(conn: &Connection, token_hash: &str) -> Result<(), ApiError> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

/// Whether any library exists yet: a data folder with one holds data.
pub fn any(conn: &Connection) -> Result<bool, ApiError> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM libraries)", [], |r| r.get(0))?)
}
