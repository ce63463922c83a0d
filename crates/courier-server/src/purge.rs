//! Deletes the files of attachments that can no longer be downloaded, a
//! grace day after they expired or were used up (at once when withdrawn).
//! Their records, counts and download history stay.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use crate::db::attachments;
use crate::AppState;

/// How often the purge runs.
const EVERY: Duration = Duration::from_secs(15 * 60);

/// Runs the purge now and then every [`EVERY`] until `stop` turns true.
pub fn spawn(state: AppState, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        loop {
            match run(&state).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "purged documents"),
                Err(e) => tracing::error!(error = %e.message, "purge failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
        }
    });
}

/// Purges what is due now; returns how many files were deleted.
pub async fn run(state: &AppState) -> Result<usize, crate::error::ApiError> {
    let due = state
        .store
        .read(|conn| attachments::due_for_purge(conn, Utc::now()))
        .await?;
    let count = due.len();

    for (id, storage_name) in due {
        state.documents.remove(&storage_name)?;
        state
            .store
            .write(move |conn| attachments::mark_purged(conn, id, Utc::now()))
            .await?;
        tracing::debug!(attachment_id = id, "document purged");
    }
    Ok(count)
}
