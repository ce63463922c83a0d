//! TypeScript twins of the staff API shapes in `courier_core::api`.
//!
//! The core crate stays free of code generation, so these mirror its types
//! field for field for ts-rs alone; Rust code never builds them. The test
//! `shapes_match_the_api` in `tests/bindings.rs` serialises real server
//! answers through both and fails on any difference, so the two cannot drift
//! apart unnoticed: a field missing on either side changes the JSON.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `courier_core::Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    WillSupply,
    Shipped,
    Received,
    Returned,
    Completed,
    Unfilled,
    Cancelled,
}

/// `courier_core::Kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Copy,
    Loan,
}

/// `courier_core::Role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Lender,
    Borrower,
}

/// `courier_core::api::LibraryRef`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LibraryRef {
    pub symbol: String,
    pub name: String,
}

/// `courier_core::api::StaffInfo`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct StaffInfo {
    pub username: String,
    pub library: LibraryRef,
}

/// `courier_core::api::Patron`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Patron {
    pub name: String,
    pub email: Option<String>,
}

/// `courier_core::api::RequestSummary`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RequestSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub number: String,
    pub kind: Kind,
    pub status: Status,
    pub title: String,
    pub author: Option<String>,
    pub journal: Option<String>,
    pub year: Option<String>,
    pub lender: LibraryRef,
    pub borrower: LibraryRef,
    pub role: Role,
    pub patron_name: Option<String>,
    pub attachment_count: u32,
    pub created_at: String,
    pub updated_at: String,
}

/// `courier_core::api::StatusEvent`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct StatusEvent {
    pub from: Option<Status>,
    pub to: Status,
    pub by_library: String,
    pub by_staff: String,
    pub at: String,
}

/// `courier_core::api::RequestDetail`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RequestDetail {
    #[serde(flatten)]
    pub summary: RequestSummary,
    pub volume: Option<String>,
    pub issue: Option<String>,
    pub pages: Option<String>,
    pub patron: Option<Patron>,
    pub next_statuses: Vec<Status>,
    pub history: Vec<StatusEvent>,
    pub attachments: Vec<Attachment>,
    pub notices: Vec<Notice>,
}

/// `courier_core::api::NoticeKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    ReceivedWithAttachments,
    DocumentUrl,
}

/// `courier_core::api::NoticeState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NoticeState {
    Queued,
    Sent,
    Failed,
}

/// `courier_core::api::Notice`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Notice {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub request_id: i64,
    #[ts(type = "number | null")]
    pub attachment_id: Option<i64>,
    pub kind: NoticeKind,
    pub recipient: String,
    pub subject: String,
    pub state: NoticeState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub next_attempt_at: Option<String>,
}

/// `courier_core::api::Attachment`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Attachment {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub request_id: i64,
    pub filename: String,
    pub description: String,
    #[ts(type = "number")]
    pub size: u64,
    pub pages: Option<u32>,
    pub sha256: String,
    pub media_type: String,
    pub max_downloads: u32,
    pub downloads_used: u32,
    pub uploaded_at: String,
    pub expires_at: String,
    pub access_text: String,
    pub downloadable: bool,
    pub document_url: String,
    pub withdrawn_at: Option<String>,
}
