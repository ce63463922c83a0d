//! Keeps the cache level with the server while the app runs, sends the
//! outbox when the server is back, and tells every window how it went.

use std::time::Duration;

use chrono::Utc;
use courier_client::Desk;
use tauri::{AppHandle, Emitter, Manager};

use crate::notify;
use crate::state::AppState;

/// Seconds between syncs; `COURIER_SYNC_SECONDS` changes it (tests use 1).
fn period() -> Duration {
    let seconds = std::env::var("COURIER_SYNC_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok());
    Duration::from_secs(seconds.unwrap_or(5).clamp(1, 3600))
}

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(period()).await;
            let desk = app.state::<AppState>().desk.read().await.clone();
            if let Some(desk) = desk {
                sync_once(&app, &desk).await;
            }
        }
    });
}

/// One sync: notifications for what it found, and the new state for the
/// windows. Returns whether the server answered.
pub async fn sync_once(app: &AppHandle, desk: &Desk) -> bool {
    let state = app.state::<AppState>();
    let report = desk.sync().await;
    let queued = desk.cache().queued().map(|q| q.len()).unwrap_or(0);

    let mut sync_state = state.sync_state.write().await;
    match report {
        Ok(report) => {
            sync_state.offline = !report.online;
            sync_state.message = report.offline_reason;
            if report.online {
                sync_state.last_synced_at = Some(Utc::now());
            }
            if !report.changed.is_empty() {
                // Open Full Request Details redraw what changed, such as a
                // notice that went from queued to sent.
                let _ = app.emit("requests-changed", &report.changed);
            }
            notify::announce(report.events);
        }
        Err(error) => {
            sync_state.offline = false;
            sync_state.message = Some(error.to_string());
        }
    }
    sync_state.queued = u32::try_from(queued).unwrap_or(u32::MAX);
    let online = !sync_state.offline;
    let _ = app.emit("sync-state", sync_state.clone());
    online
}
