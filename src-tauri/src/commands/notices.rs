//! Notices from Full Request Details: e-mailing a document URL to the
//! borrowing library, and retrying a notice that failed.

use courier_core::api::Notice;
use tauri::State;

use crate::state::AppState;

/// The lender's "Send document URL": the server e-mails the attachment's
/// document URL to the borrowing library's ILL address. A refusal (no ILL
/// address, the document no longer downloadable) comes back as the server's
/// message.
#[tauri::command]
pub async fn send_document_url(
    state: State<'_, AppState>,
    request_id: i64,
    attachment_id: i64,
) -> Result<Notice, String> {
    state
        .desk()
        .await?
        .send_document_url(request_id, attachment_id)
        .await
        .map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn retry_notice(
    state: State<'_, AppState>,
    request_id: i64,
    notice_id: i64,
) -> Result<(), String> {
    state
        .desk()
        .await?
        .retry_notice(request_id, notice_id)
        .await
        .map_err(|e| e.to_string())
}
