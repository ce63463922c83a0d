//! What the staff interface receives from the desktop shell.
//!
//! These carry the real `courier_core` types, whose TypeScript bindings come
//! from courier-core's `ts` feature, so the interface reads exactly what the
//! server sends.

use chrono::{DateTime, Utc};
use courier_core::api::{Attachment, LibrarySettings, RequestDetail, RequestSummary, StaffInfo};
use courier_core::Status;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::OutboxEntry;

/// Who is signed in, where, and whether the server answers.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SignedIn {
    pub staff: StaffInfo,
    pub server_url: String,
    pub offline: bool,
    /// Set when the OS keyring could not keep the session token, which then
    /// lives in memory only until the app closes.
    pub keyring_warning: Option<String>,
}

/// One line of a Request Manager list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RequestRow {
    pub request: RequestSummary,
    /// The statuses staff may move it to, for the brief list's bulk change.
    pub next_statuses: Vec<Status>,
    /// The status a change still waiting in the outbox will move it to.
    pub queued_status: Option<Status>,
}

/// A Request Manager list, answered from the cache.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RequestList {
    pub requests: Vec<RequestRow>,
    /// Whether the server could not be reached for this answer.
    pub offline: bool,
}

/// Full Request Details.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RequestView {
    pub request: RequestDetail,
    /// Changes to this request still waiting for the server, or refused.
    pub outbox: Vec<OutboxEntry>,
    /// Whether the lender may still upload documents to it.
    pub accepts_uploads: bool,
    pub offline: bool,
}

/// What became of one status change.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ChangeView {
    /// The server made the move.
    Sent { number: String },
    /// The server cannot be reached; the change waits in the outbox.
    Queued { number: String },
    /// The server refused the move, for this reason.
    Refused { number: String, reason: String },
    /// Staff answered Cancel to the ship prompt; nothing changed.
    Kept { number: String },
}

/// A status and the words staff see for it, from `Status::label`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StatusLabel {
    pub status: Status,
    pub label: String,
}

impl StatusLabel {
    /// Every status with its label, in the order staff use them.
    pub fn all() -> Vec<StatusLabel> {
        Status::ALL
            .into_iter()
            .map(|status| StatusLabel {
                status,
                label: status.label().to_string(),
            })
            .collect()
    }
}

/// The Uploaded Files panel's list, fresh from the server or cached.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AttachmentList {
    pub attachments: Vec<Attachment>,
    pub offline: bool,
}

/// The staff's own library settings ("Patron Notification Set-up"), fresh
/// from the server or, offline, as last seen and read-only.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LibrarySettingsView {
    pub settings: LibrarySettings,
    pub offline: bool,
}

/// How far one file of the Upload window has gone.
#[derive(Debug, Clone, Serialize, TS)]
pub struct UploadProgress {
    /// The file's place in the window's list.
    pub file: u32,
    pub sent: u64,
    pub total: u64,
}

/// What became of one uploaded file.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum UploadView {
    Uploaded { attachment: Attachment },
    Refused { reason: String },
}

/// The health of the connection, sent to every window after each sync.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SyncState {
    pub offline: bool,
    /// Changes still waiting in the outbox.
    pub queued: u32,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Why the last sync failed, when it did.
    pub message: Option<String>,
}

/// Where the app gets its server from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DesktopSettings {
    /// Run the server inside the app (true), or use `remote_url` (false).
    pub embedded: bool,
    /// The address the embedded server listens on, such as `0.0.0.0:8470`.
    pub listen: String,
    /// The address patrons get in document URLs, such as
    /// `http://ill-pc.example.org:8470`; empty for the server's own guess.
    pub public_url: String,
    /// A shared server's address, used when `embedded` is false.
    pub remote_url: String,
}

impl Default for DesktopSettings {
    fn default() -> Self {
        DesktopSettings {
            embedded: true,
            listen: "0.0.0.0:8470".into(),
            public_url: String::new(),
            remote_url: String::new(),
        }
    }
}

impl DesktopSettings {
    /// The address the app's client calls.
    pub fn server_url(&self) -> String {
        if !self.embedded {
            return self.remote_url.trim().trim_end_matches('/').to_string();
        }
        let port = self.listen.rsplit(':').next().unwrap_or("8470");
        format!("http://127.0.0.1:{port}")
    }
}
