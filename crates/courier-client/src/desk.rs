//! The desk: the staff API and the cache working together.
//!
//! Lists and details are always answered from the cache, which a sync keeps
//! level with the server by following `/api/v1/changes`; when the server
//! cannot be reached the same answers come back marked offline. Status
//! changes go through the outbox first and are then sent, in order, each with
//! its own idempotency key.

use std::collections::HashSet;

use courier_core::api::{
    LibrarySettings, LibrarySettingsUpdate, Notice, NoticeKind, RequestDetail,
};
use courier_core::{Role, Status};
use serde::Serialize;
use tokio::sync::Mutex;
use ts_rs::TS;

use crate::view::{LibrarySettingsView, RequestRow, RequestView};
use crate::{Cache, ClientError, ListQuery, OutboxState, StaffApi};

/// Something staff should hear about, found while syncing.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SyncEvent {
    /// A lender uploaded a document to one of our borrowing requests.
    DocumentArrived {
        request_id: i64,
        number: String,
        title: String,
        filename: String,
    },
    /// The borrower marked one of our lending requests received.
    LendingReceived {
        request_id: i64,
        number: String,
        title: String,
    },
    /// The server refused a change that had waited in the outbox.
    ChangeRefused {
        request_id: i64,
        number: String,
        status: Status,
        reason: String,
    },
    /// A notice our library sent failed for good: the patron's "Received
    /// with Attachments" e-mail (borrower) or a document URL (lender).
    NoticeFailed {
        request_id: i64,
        number: String,
        title: String,
        notice: NoticeKind,
        reason: String,
    },
}

/// What one sync did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// Whether the server answered.
    pub online: bool,
    /// How many changed requests were stored.
    pub pulled: usize,
    /// The ids of the requests stored, so that open views can redraw.
    pub changed: Vec<i64>,
    /// How many queued changes the server made.
    pub sent: usize,
    pub events: Vec<SyncEvent>,
    /// Why the server could not be reached, when it could not.
    pub offline_reason: Option<String>,
}

/// What became of one status change made by staff.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeOutcome {
    Sent,
    /// Waiting in the outbox for the server to come back.
    Queued,
    Refused(String),
}

/// One staff member's connection to one server, with their cache.
pub struct Desk {
    api: StaffApi,
    cache: Cache,
    /// Only one flush at a time, so that the same change is never in flight
    /// twice from this app.
    flushing: Mutex<()>,
    /// Only one sync at a time, so that each event is found once.
    syncing: Mutex<()>,
}

impl Desk {
    pub fn new(api: StaffApi, cache: Cache) -> Self {
        Desk {
            api,
            cache,
            flushing: Mutex::new(()),
            syncing: Mutex::new(()),
        }
    }

    pub fn api(&self) -> &StaffApi {
        &self.api
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Sends the outbox, then pulls what changed. Being offline is not an
    /// error: the report says so and the cache keeps answering.
    pub async fn sync(&self) -> Result<SyncReport, ClientError> {
        let _only_one = self.syncing.lock().await;
        let mut report = SyncReport {
            online: true,
            ..SyncReport::default()
        };

        let pulled = async {
            let (sent, refused) = self.flush().await?;
            report.sent = sent;
            report.events.extend(refused);
            let (changed, events) = self.pull().await?;
            report.pulled = changed.len();
            report.changed = changed;
            report.events.extend(events);
            Ok::<(), ClientError>(())
        };
        match pulled.await {
            Ok(()) => Ok(report),
            Err(ClientError::Offline { reason, .. }) => {
                report.online = false;
                report.offline_reason = Some(reason);
                Ok(report)
            }
            Err(error) => Err(error),
        }
    }

    /// Follows `/api/v1/changes` from the cache's cursor to the end; returns
    /// the ids of the requests stored. The first sync of an empty cache fills
    /// it and reports no events.
    async fn pull(&self) -> Result<(Vec<i64>, Vec<SyncEvent>), ClientError> {
        let first_sync = self.cache.cursor()? == 0;
        let mut pulled = Vec::new();
        let mut events = Vec::new();

        loop {
            let after = self.cache.cursor()?;
            let page = self.api.changes(after).await?;
            let before = self.cache.apply(&page.requests, page.next)?;
            pulled.extend(page.requests.iter().map(|r| r.summary.id));
            for (old, new) in before.iter().zip(&page.requests) {
                let failed = self.new_failures(new)?;
                if !first_sync {
                    events.extend(events_between(old.as_ref(), new));
                    events.extend(failed);
                }
            }
            if !page.has_more || page.next <= after {
                break;
            }
        }
        tracing::debug!(
            pulled = pulled.len(),
            events = events.len(),
            "pulled changes"
        );
        Ok((pulled, events))
    }

    /// The notices of `request` that our library sent and that failed for
    /// good since the cache last saw them. Each failure is recorded in the
    /// cache, so it is announced once however the request reached the cache.
    fn new_failures(&self, request: &RequestDetail) -> Result<Vec<SyncEvent>, ClientError> {
        let summary = &request.summary;
        let mut events = Vec::new();
        for notice in request.notices.iter().filter(|n| is_ours(n, summary.role)) {
            if !self.cache.note_notice(notice)? {
                continue;
            }
            tracing::warn!(number = %summary.number, notice_id = notice.id, "notice failed");
            events.push(SyncEvent::NoticeFailed {
                request_id: summary.id,
                number: summary.number.clone(),
                title: summary.title.clone(),
                notice: notice.kind,
                reason: notice.last_error.clone().unwrap_or_default(),
            });
        }
        Ok(events)
    }

    /// The library's settings: fresh from the server when it answers (and
    /// kept in the cache), the cached ones, read-only, when it does not.
    pub async fn library(&self) -> Result<LibrarySettingsView, ClientError> {
        match self.api.library().await {
            Ok(settings) => {
                self.cache.set_library(&settings)?;
                Ok(LibrarySettingsView {
                    settings,
                    offline: false,
                })
            }
            Err(error) if error.is_offline() => match self.cache.library()? {
                Some(settings) => Ok(LibrarySettingsView {
                    settings,
                    offline: true,
                }),
                None => Err(error),
            },
            Err(error) => Err(error),
        }
    }

    /// Saves the library's settings on the server; a refusal carries the
    /// server's message, and nothing is kept.
    pub async fn save_library(
        &self,
        update: &LibrarySettingsUpdate,
    ) -> Result<LibrarySettings, ClientError> {
        let settings = self.api.update_library(update).await?;
        self.cache.set_library(&settings)?;
        tracing::debug!(library = %settings.symbol, "library settings saved");
        Ok(settings)
    }

    /// Has the server e-mail an attachment's document URL to the borrowing
    /// library, then refreshes the request so that the notice is listed.
    pub async fn send_document_url(
        &self,
        request_id: i64,
        attachment_id: i64,
    ) -> Result<Notice, ClientError> {
        let notice = self.api.send_document_url(attachment_id).await?;
        if let Err(error) = self.refresh(request_id).await {
            tracing::debug!(request_id, %error, "refresh after sending a document URL failed");
        }
        Ok(notice)
    }

    /// Queues a failed notice again, then refreshes its request.
    pub async fn retry_notice(&self, request_id: i64, notice_id: i64) -> Result<(), ClientError> {
        self.api.retry_notice(notice_id).await?;
        self.cache.forget_failed_notice(notice_id)?;
        if let Err(error) = self.refresh(request_id).await {
            tracing::debug!(request_id, %error, "refresh after a retry failed");
        }
        Ok(())
    }

    /// Sends every queued change, oldest first. Stops at the first that
    /// cannot reach the server; marks refused ones and moves on. Returns how
    /// many were sent and an event per refusal.
    pub async fn flush(&self) -> Result<(usize, Vec<SyncEvent>), ClientError> {
        let _only_one = self.flushing.lock().await;
        let mut sent = 0;
        let mut refused = Vec::new();

        for entry in self.cache.queued()? {
            let answer = self
                .api
                .change_status(entry.request_id, entry.status, &entry.idempotency_key)
                .await;
            match answer {
                Ok(()) => {
                    self.cache.mark_sent(entry.seq)?;
                    sent += 1;
                    tracing::debug!(number = %entry.number, status = %entry.status, "sent change");
                }
                Err(error) if error.is_refusal() => {
                    let reason = error.to_string();
                    self.cache.mark_refused(entry.seq, &reason)?;
                    tracing::warn!(number = %entry.number, status = %entry.status, "change refused");
                    refused.push(SyncEvent::ChangeRefused {
                        request_id: entry.request_id,
                        number: entry.number.clone(),
                        status: entry.status,
                        reason,
                    });
                }
                Err(error) => return Err(error),
            }
            // The cache learns the request's new state from the next pull;
            // refreshing now keeps the screen right in between.
            if let Err(error) = self.refresh(entry.request_id).await {
                tracing::debug!(number = %entry.number, %error, "refresh after change failed");
            }
        }
        Ok((sent, refused))
    }

    /// Fetches one request from the server and stores it in the cache.
    pub async fn refresh(&self, id: i64) -> Result<RequestDetail, ClientError> {
        let detail = self.api.request(id).await?;
        self.cache.put(&detail)?;
        Ok(detail)
    }

    /// A Request Manager list from the cache, with any queued moves shown.
    pub fn list(&self, query: &ListQuery) -> Result<Vec<RequestRow>, ClientError> {
        let queued = self.cache.queued()?;
        let rows = self.cache.list_details(query)?.into_iter().map(|detail| {
            let id = detail.summary.id;
            let queued_status = queued
                .iter()
                .rev()
                .find(|e| e.request_id == id)
                .map(|e| e.status);
            RequestRow {
                request: detail.summary,
                next_statuses: detail.next_statuses,
                queued_status,
            }
        });
        Ok(rows.collect())
    }

    /// Full Request Details: fresh from the server when it answers, from the
    /// cache when it does not.
    pub async fn view(&self, id: i64) -> Result<RequestView, ClientError> {
        let (request, offline) = match self.refresh(id).await {
            Ok(detail) => (detail, false),
            Err(error) if error.is_offline() => match self.cache.detail(id)? {
                Some(detail) => (detail, true),
                None => return Err(error),
            },
            Err(error) => return Err(error),
        };
        let outbox = self
            .cache
            .outbox()?
            .into_iter()
            .filter(|e| e.request_id == id && e.state != OutboxState::Sent)
            .collect();
        let accepts_uploads =
            request.summary.role == Role::Lender && request.summary.status.accepts_uploads();
        Ok(RequestView {
            request,
            outbox,
            accepts_uploads,
            offline,
        })
    }

    /// Moves one request to `status`: checked against the rules as far as the
    /// cache knows the request, queued durably, then sent if the server
    /// answers.
    pub async fn change_status(
        &self,
        id: i64,
        status: Status,
    ) -> Result<ChangeOutcome, ClientError> {
        let Some(detail) = self.cache.detail(id)? else {
            return Err(ClientError::Refused(format!(
                "request {id} is not in the cache yet"
            )));
        };
        let summary = &detail.summary;
        if let Err(refusal) = summary
            .status
            .check_move(status, summary.kind, summary.role)
        {
            return Ok(ChangeOutcome::Refused(refusal.to_string()));
        }

        let entry = self.cache.enqueue(id, &summary.number, status)?;
        match self.flush().await {
            Ok(_) | Err(ClientError::Offline { .. }) => {}
            Err(error) => return Err(error),
        }

        let now = self
            .cache
            .outbox()?
            .into_iter()
            .find(|e| e.seq == entry.seq);
        Ok(match now {
            Some(e) if e.state == OutboxState::Sent => ChangeOutcome::Sent,
            Some(e) if e.state == OutboxState::Refused => {
                ChangeOutcome::Refused(e.error.unwrap_or_default())
            }
            _ => ChangeOutcome::Queued,
        })
    }
}

/// The events one request's change means for its library's staff.
fn events_between(old: Option<&RequestDetail>, new: &RequestDetail) -> Vec<SyncEvent> {
    let Some(old) = old else {
        return Vec::new();
    };
    let summary = &new.summary;
    let mut events = Vec::new();

    if summary.role == Role::Borrower {
        let known: HashSet<i64> = old.attachments.iter().map(|a| a.id).collect();
        for attachment in &new.attachments {
            if !known.contains(&attachment.id) && attachment.withdrawn_at.is_none() {
                events.push(SyncEvent::DocumentArrived {
                    request_id: summary.id,
                    number: summary.number.clone(),
                    title: summary.title.clone(),
                    filename: attachment.filename.clone(),
                });
            }
        }
    }
    if summary.role == Role::Lender
        && summary.status == Status::Received
        && old.summary.status != Status::Received
    {
        events.push(SyncEvent::LendingReceived {
            request_id: summary.id,
            number: summary.number.clone(),
            title: summary.title.clone(),
        });
    }
    events
}

/// Whether `notice` was sent by the library that takes `role`: the patron's
/// e-mail by the borrower, a document URL by the lender. Only that library's
/// staff hear when it fails.
fn is_ours(notice: &Notice, role: Role) -> bool {
    match notice.kind {
        NoticeKind::ReceivedWithAttachments => role == Role::Borrower,
        NoticeKind::DocumentUrl => role == Role::Lender,
    }
}
