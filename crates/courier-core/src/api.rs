//! The shapes the staff API takes and returns, shared by the server and the
//! desktop client so that both read and write the same JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Kind, Role, Status};

/// A library as other records name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LibraryRef {
    /// The library's short symbol, such as `BVAS`.
    pub symbol: String,
    /// The library's full name.
    pub name: String,
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StaffInfo {
    /// The staff member's user name.
    pub username: String,
    /// The library they work for.
    pub library: LibraryRef,
}

/// The body of `POST /api/v1/sessions`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionCreate {
    /// The staff member's user name.
    pub username: String,
    /// Their password.
    pub password: String,
}

/// A new session: the bearer token for every later call.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Session {
    /// The bearer token; keep it secret.
    pub token: String,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
    /// Who signed in.
    pub staff: StaffInfo,
}

/// The person who asked for the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Patron {
    /// The patron's name.
    pub name: String,
    /// Where the patron gets notices; also what they sign in with to track
    /// the request.
    #[serde(default)]
    pub email: Option<String>,
}

/// The body of `POST /api/v1/requests`: a borrower's new request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewRequest {
    /// The lending library's symbol.
    pub lender: String,
    /// `copy` or `loan`.
    pub kind: Kind,
    /// The article's or book's title.
    pub title: String,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub journal: Option<String>,
    #[serde(default)]
    pub volume: Option<String>,
    #[serde(default)]
    pub issue: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub pages: Option<String>,
    /// The patron who asked.
    pub patron: Patron,
}

/// A request as the lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RequestSummary {
    pub id: i64,
    /// The number staff and patrons quote, such as `ILL-2026-000123`.
    pub number: String,
    pub kind: Kind,
    pub status: Status,
    pub title: String,
    pub author: Option<String>,
    pub journal: Option<String>,
    pub year: Option<String>,
    pub lender: LibraryRef,
    pub borrower: LibraryRef,
    /// The side the signed-in staff's library takes on this request.
    pub role: Role,
    /// The patron's name; shown to the borrowing library only.
    pub patron_name: Option<String>,
    /// How many attachments are on the request, withdrawn ones excepted.
    pub attachment_count: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One status move in a request's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusEvent {
    /// The status before; `None` for the creation of the request.
    pub from: Option<Status>,
    pub to: Status,
    /// The symbol of the library whose staff made the move.
    pub by_library: String,
    /// The user name of the staff member who made the move.
    pub by_staff: String,
    pub at: DateTime<Utc>,
}

/// A request with everything on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RequestDetail {
    #[serde(flatten)]
    pub summary: RequestSummary,
    pub volume: Option<String>,
    pub issue: Option<String>,
    pub pages: Option<String>,
    /// The patron's details; shown to the borrowing library only.
    pub patron: Option<Patron>,
    /// The statuses the signed-in staff may move the request to.
    pub next_statuses: Vec<Status>,
    /// Every move, oldest first.
    pub history: Vec<StatusEvent>,
    /// The attachments, oldest first, withdrawn ones included and marked.
    pub attachments: Vec<Attachment>,
    /// The e-mails sent about the request, oldest first.
    #[serde(default)]
    pub notices: Vec<Notice>,
}

/// An uploaded document, as the "Uploaded Files" panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Attachment {
    pub id: i64,
    pub request_id: i64,
    /// The name the file was uploaded with.
    pub filename: String,
    pub description: String,
    /// The size in bytes.
    pub size: u64,
    /// The number of pages, where the format tells it.
    pub pages: Option<u32>,
    /// The SHA-256 of the content, in lowercase hexadecimal.
    pub sha256: String,
    /// The media type judged from the content.
    pub media_type: String,
    pub max_downloads: u32,
    pub downloads_used: u32,
    pub uploaded_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// "5 downloads remaining until 03/04/2027" and so on.
    pub access_text: String,
    /// Whether a download may start now.
    pub downloadable: bool,
    /// The link that works without signing in and carries the same limits.
    pub document_url: String,
    /// Set when the lender withdrew the attachment.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// The body of `POST /api/v1/requests/{id}/status`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusChange {
    pub status: Status,
}

/// A page of requests.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RequestPage {
    pub requests: Vec<RequestSummary>,
    pub page: u32,
    pub per_page: u32,
    /// How many requests match, over all pages.
    pub total: u64,
}

/// What changed since a change number, for the desktop cache.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChangePage {
    /// The change number asked for.
    pub after: i64,
    /// The change number to ask for next.
    pub next: i64,
    /// Whether more changes wait beyond `next`.
    pub has_more: bool,
    /// The requests that changed, as they are now.
    pub requests: Vec<RequestDetail>,
}

/// A library's own settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LibrarySettings {
    pub symbol: String,
    pub name: String,
    /// The ILL office's e-mail address, which gets document URLs.
    pub ill_email: String,
    /// The IANA time zone, such as `America/New_York`, for access dates.
    pub time_zone: String,
    /// The copyright notice patrons confirm before they download.
    pub copyright_notice: String,
    /// Whether patrons get the "Received with Attachments" e-mail.
    pub received_with_attachments_notice: bool,
    /// Whether the library uses another ILL system and gets documents by URL.
    pub iso_partner: bool,
}

/// The body of `PUT /api/v1/library`: the settings staff may change.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LibrarySettingsUpdate {
    pub ill_email: String,
    pub time_zone: String,
    pub copyright_notice: String,
    pub received_with_attachments_notice: bool,
    pub iso_partner: bool,
}

/// The body of every error response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for programs (`code`) and for people (`message`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorDetail {
    /// A stable word such as `not_found` or `status_refused`.
    pub code: String,
    /// A short sentence for people.
    pub message: String,
}

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// To the patron, when the borrower marks a request received.
    ReceivedWithAttachments,
    /// To the borrowing library's ILL address, with one document URL.
    DocumentUrl,
}

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NoticeState {
    /// Stored and waiting to be sent (again, after a failure).
    Queued,
    /// Handed to the mail server, or written to the outbox folder.
    Sent,
    /// Given up after repeated failures; staff may retry it.
    Failed,
}

/// An e-mail Courier sends, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Notice {
    pub id: i64,
    pub request_id: i64,
    /// The attachment a document-URL notice carries.
    pub attachment_id: Option<i64>,
    pub kind: NoticeKind,
    /// The recipient's address; "the patron" for the lending library.
    pub recipient: String,
    pub subject: String,
    pub state: NoticeState,
    /// How many times sending was tried.
    pub attempts: u32,
    /// Why the last try failed.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When the next try is due, while queued.
    pub next_attempt_at: Option<DateTime<Utc>>,
}
