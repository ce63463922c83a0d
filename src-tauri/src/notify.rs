//! Native notifications for what staff should not miss.

use courier_client::SyncEvent;
use courier_core::api::NoticeKind;

/// Shows one notification per event, without waiting for the desktop.
pub fn announce(events: Vec<SyncEvent>) {
    if events.is_empty() {
        return;
    }
    tauri::async_runtime::spawn_blocking(move || {
        for event in events {
            let (summary, body) = words(&event);
            let shown = notify_rust::Notification::new()
                .appname("Courier")
                .summary(&summary)
                .body(&body)
                .show();
            if let Err(error) = shown {
                tracing::warn!(%error, "could not show a notification");
            }
        }
    });
}

fn words(event: &SyncEvent) -> (String, String) {
    match event {
        SyncEvent::DocumentArrived {
            number,
            title,
            filename,
            ..
        } => (
            format!("Document arrived: {number}"),
            format!("{filename} was uploaded for \u{201c}{title}\u{201d}."),
        ),
        SyncEvent::LendingReceived { number, title, .. } => (
            format!("Received: {number}"),
            format!("The borrower received \u{201c}{title}\u{201d}."),
        ),
        SyncEvent::ChangeRefused {
            number,
            status,
            reason,
            ..
        } => (
            format!("Change refused: {number}"),
            format!(
                "The server refused the move to {}: {reason}",
                status.label()
            ),
        ),
        SyncEvent::NoticeFailed {
            number,
            title,
            notice,
            reason,
            ..
        } => {
            let what = match notice {
                NoticeKind::ReceivedWithAttachments => {
                    "The patron's \u{201c}Received with Attachments\u{201d} e-mail"
                }
                NoticeKind::DocumentUrl => "The document URL e-mail",
            };
            (
                format!("Notice failed: {number}"),
                format!(
                    "{what} for \u{201c}{title}\u{201d} could not be sent: {reason}. \
                     Retry it from Full Request Details."
                ),
            )
        }
    }
}
