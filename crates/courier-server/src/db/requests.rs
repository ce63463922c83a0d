//! ILL requests: creating them, listing them for a library, reading them in
//! full and moving their status.

use chrono::{DateTime, Datelike, Utc};
use courier_core::api::{NewRequest, Patron, RequestDetail, RequestSummary, StatusEvent};
use courier_core::{Kind, RequestNumber, Role, Status};
use rusqlite::{params, Connection, OptionalExtension};

use super::libraries::{self, Library, StaffMember};
use super::{attachments, changes, from_secs, to_secs};
use crate::error::ApiError;
use crate::tokens::DocumentKey;

/// A request's stored row, before it is shaped for one library's eyes.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: i64,
    pub number: String,
    pub kind: Kind,
    pub status: Status,
    pub title: String,
    pub author: Option<String>,
    pub journal: Option<String>,
    pub volume: Option<String>,
    pub issue: Option<String>,
    pub year: Option<String>,
    pub pages: Option<String>,
    pub patron_name: String,
    pub patron_email: Option<String>,
    pub lender: Library,
    pub borrower: Library,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Request {
    /// The side `library_id` takes on this request, if any.
    pub fn role_of(&self, library_id: i64) -> Option<Role> {
        if self.lender.id == library_id {
            Some(Role::Lender)
        } else if self.borrower.id == library_id {
            Some(Role::Borrower)
        } else {
            None
        }
    }

    /// The side `staff` takes, or a refusal for staff of a third library.
    pub fn role_for(&self, staff: &StaffMember) -> Result<Role, ApiError> {
        self.role_of(staff.library.id)
            .ok_or_else(|| ApiError::forbidden("this request belongs to other libraries"))
    }
}

const COLUMNS: &str = "r.id, r.number, r.kind, r.status, r.title, r.author, r.journal, r.volume, \
    r.issue, r.year, r.pages, r.patron_name, r.patron_email, r.lender_id, r.borrower_id, \
    r.created_at, r.updated_at";

/// A request's columns and both its libraries', read in one statement.
fn select() -> String {
    format!(
        "SELECT {COLUMNS}, {}, {} FROM requests r
         JOIN libraries lender ON lender.id = r.lender_id
         JOIN libraries borrower ON borrower.id = r.borrower_id",
        libraries::library_columns("lender"),
        libraries::library_columns("borrower"),
    )
}

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Request> {
    let kind: String = row.get(2)?;
    let status: String = row.get(3)?;
    let bad = |e: courier_core::status::UnknownWord| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    };

    Ok(Request {
        id: row.get(0)?,
        number: row.get(1)?,
        kind: kind.parse().map_err(bad)?,
        status: status.parse().map_err(bad)?,
        title: row.get(4)?,
        author: row.get(5)?,
        journal: row.get(6)?,
        volume: row.get(7)?,
        issue: row.get(8)?,
        year: row.get(9)?,
        pages: row.get(10)?,
        patron_name: row.get(11)?,
        patron_email: row.get(12)?,
        lender: libraries::library_from_row(row, 17)?,
        borrower: libraries::library_from_row(row, 25)?,
        created_at: from_secs(row.get(15)?),
        updated_at: from_secs(row.get(16)?),
    })
}

/// The request with `id`, whoever may see it.
pub fn get(conn: &Connection, id: i64) -> Result<Request, ApiError> {
    let sql = format!("{} WHERE r.id = ?1", select());
    conn.prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| ApiError::not_found("request"))
}

/// The request with `number` whose patron has `email`, for guest tracking.
pub fn by_number_and_patron_email(
    conn: &Connection,
    number: &RequestNumber,
    email: &str,
) -> Result<Option<Request>, ApiError> {
    let sql = format!(
        "{} WHERE r.number = ?1 AND r.patron_email IS NOT NULL
           AND lower(r.patron_email) = lower(?2)",
        select()
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![number.to_string(), email.trim()], from_row)
        .optional()?)
}

fn clean(value: &Option<String>, field: &str, max: usize) -> Result<Option<String>, ApiError> {
    let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(ApiError::invalid(format!(
            "{field} is longer than {max} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "{field} contains control characters"
        )));
    }
    Ok(Some(value.to_owned()))
}

/// Records a borrower's new request to `new.lender`.
pub fn create(conn: &Connection, staff: &StaffMember, new: &NewRequest) -> Result<i64, ApiError> {
    let title = clean(&Some(new.title.clone()), "title", 500)?
        .ok_or_else(|| ApiError::invalid("a request needs a title"))?;
    let patron_name = clean(&Some(new.patron.name.clone()), "patron name", 200)?
        .ok_or_else(|| ApiError::invalid("a request needs the patron's name"))?;
    let patron_email = clean(&new.patron.email, "patron e-mail", 254)?;
    if let Some(email) = &patron_email {
        if email.parse::<lettre::Address>().is_err() {
            return Err(ApiError::invalid(
                "the patron e-mail is not an e-mail address",
            ));
        }
    }
    let lender = libraries::by_symbol(conn, &new.lender.trim().to_ascii_uppercase())?
        .ok_or_else(|| ApiError::invalid(format!("no library has the symbol {:?}", new.lender)))?;
    if lender.id == staff.library.id {
        return Err(ApiError::invalid("a library cannot request from itself"));
    }

    let now = Utc::now();
    let year = now.year();
    let sequence: u32 = conn.query_row(
        "SELECT COALESCE(MAX(number_sequence), 0) + 1 FROM requests WHERE number_year = ?1",
        [year],
        |r| r.get(0),
    )?;
    let number = RequestNumber { year, sequence }.to_string();

    conn.execute(
        "INSERT INTO requests (number, number_year, number_sequence, lender_id, borrower_id, kind,
             status, title, author, journal, volume, issue, year, pages, patron_name, patron_email,
             created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
        params![
            number,
            year,
            sequence,
            lender.id,
            staff.library.id,
            new.kind.as_str(),
            title,
            clean(&new.author, "author", 300)?,
            clean(&new.journal, "journal", 300)?,
            clean(&new.volume, "volume", 50)?,
            clean(&new.issue, "issue", 50)?,
            clean(&new.year, "year", 20)?,
            clean(&new.pages, "pages", 50)?,
            patron_name,
            patron_email,
            to_secs(now),
        ],
    )?;
    let id = conn.last_insert_rowid();

    record_history(conn, id, None, Status::Pending, staff, now)?;
    changes::record(conn, id)?;
    Ok(id)
}

fn record_history(
    conn: &Connection,
    request_id: i64,
    from: Option<Status>,
    to: Status,
    staff: &StaffMember,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    conn.execute(
        "INSERT INTO status_history (request_id, from_status, to_status, by_library_id, by_staff, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![request_id, from.map(Status::as_str), to.as_str(), staff.library.id, staff.username, to_secs(at)],
    )?;
    Ok(())
}

/// Moves a request to `to`, if the rules let `staff` make that move now.
pub fn move_status(
    conn: &Connection,
    staff: &StaffMember,
    request_id: i64,
    to: Status,
) -> Result<Request, ApiError> {
    let request = get(conn, request_id)?;
    let role = request.role_for(staff)?;
    request.status.check_move(to, request.kind, role)?;

    let now = Utc::now();
    conn.execute(
        "UPDATE requests SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![request_id, to.as_str(), to_secs(now)],
    )?;
    record_history(conn, request_id, Some(request.status), to, staff, now)?;
    changes::record(conn, request_id)?;

    get(conn, request_id)
}

/// Which requests a list shows.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub role: Option<Role>,
    pub status: Vec<Status>,
    pub search: Option<String>,
    pub page: u32,
    pub per_page: u32,
}

/// A page of the library's requests, newest first, and how many match.
pub fn list(
    conn: &Connection,
    library_id: i64,
    filter: &ListFilter,
) -> Result<(Vec<RequestSummary>, u64), ApiError> {
    let mut clauses = vec![match filter.role {
        Some(Role::Lender) => "r.lender_id = :library".to_owned(),
        Some(Role::Borrower) => "r.borrower_id = :library".to_owned(),
        None => "(r.lender_id = :library OR r.borrower_id = :library)".to_owned(),
    }];
    if !filter.status.is_empty() {
        let words: Vec<String> = filter
            .status
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        clauses.push(format!("r.status IN ({})", words.join(", ")));
    }
    let search = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let pattern = search.map(|s| {
        format!(
            "%{}%",
            s.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    if pattern.is_some() {
        // Patron names are searched only on the borrower's own requests.
        clauses.push(
            "(r.number LIKE :q ESCAPE '\\' OR r.title LIKE :q ESCAPE '\\'
              OR (r.borrower_id = :library AND r.patron_name LIKE :q ESCAPE '\\'))"
                .to_owned(),
        );
    }
    let condition = clauses.join(" AND ");
    let offset = i64::from(filter.page.saturating_sub(1)) * i64::from(filter.per_page);

    let mut named: Vec<(&str, &dyn rusqlite::ToSql)> = vec![(":library", &library_id)];
    if let Some(p) = &pattern {
        named.push((":q", p));
    }
    let total: u64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM requests r WHERE {condition}"),
        named.as_slice(),
        |r| r.get(0),
    )?;

    let per_page = i64::from(filter.per_page);
    named.push((":limit", &per_page));
    named.push((":offset", &offset));
    let sql = format!(
        "{} WHERE {condition} ORDER BY r.created_at DESC, r.id DESC LIMIT :limit OFFSET :offset",
        select()
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(named.as_slice(), from_row)?;
    let mut summaries = Vec::new();
    for row in rows {
        summaries.push(summary(conn, &row?, library_id)?);
    }
    Ok((summaries, total))
}

/// The request as the lists show it to `library_id`.
pub fn summary(
    conn: &Connection,
    request: &Request,
    library_id: i64,
) -> Result<RequestSummary, ApiError> {
    let role = request
        .role_of(library_id)
        .ok_or_else(|| ApiError::forbidden("this request belongs to other libraries"))?;
    let attachment_count: u32 = conn.query_row(
        "SELECT COUNT(*) FROM attachments WHERE request_id = ?1 AND withdrawn_at IS NULL",
        [request.id],
        |r| r.get(0),
    )?;

    Ok(RequestSummary {
        id: request.id,
        number: request.number.clone(),
        kind: request.kind,
        status: request.status,
        title: request.title.clone(),
        author: request.author.clone(),
        journal: request.journal.clone(),
        year: request.year.clone(),
        lender: request.lender.reference(),
        borrower: request.borrower.reference(),
        role,
        patron_name: (role == Role::Borrower).then(|| request.patron_name.clone()),
        attachment_count,
        created_at: request.created_at,
        updated_at: request.updated_at,
    })
}

/// Everything about the request, as `library_id` may see it.
pub fn detail(
    conn: &Connection,
    request: &Request,
    library_id: i64,
    key: &DocumentKey,
    public_url: &str,
) -> Result<RequestDetail, ApiError> {
    let summary = summary(conn, request, library_id)?;
    let role = summary.role;

    Ok(RequestDetail {
        volume: request.volume.clone(),
        issue: request.issue.clone(),
        pages: request.pages.clone(),
        patron: (role == Role::Borrower).then(|| Patron {
            name: request.patron_name.clone(),
            email: request.patron_email.clone(),
        }),
        next_statuses: request.status.next_for(request.kind, role),
        history: history(conn, request.id)?,
        attachments: attachments::for_request(conn, request, key, public_url, Utc::now())?,
        notices: super::notices::for_request(conn, request.id, role == Role::Borrower)?,
        summary,
    })
}

fn history(conn: &Connection, request_id: i64) -> Result<Vec<StatusEvent>, ApiError> {
    let mut stmt = conn.prepare(
        "SELECT h.from_status, h.to_status, l.symbol, h.by_staff, h.at FROM status_history h
         JOIN libraries l ON l.id = h.by_library_id WHERE h.request_id = ?1 ORDER BY h.id",
    )?;
    let rows = stmt.query_map([request_id], |row| {
        let from: Option<String> = row.get(0)?;
        let to: String = row.get(1)?;
        Ok(StatusEvent {
            from: from.and_then(|s| s.parse().ok()),
            to: to.parse().unwrap_or(Status::Pending),
            by_library: row.get(2)?,
            by_staff: row.get(3)?,
            at: from_secs(row.get(4)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
