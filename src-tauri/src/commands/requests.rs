//! The Request Manager's lists and Full Request Details, with status changes
//! one at a time (with the ship prompt) or many at once (without it).

use courier_client::view::{ChangeView, RequestList, RequestView, StatusLabel};
use courier_client::{ChangeOutcome, Desk, ListQuery};
use courier_core::{ship_prompt_needed, Role, Status};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

use crate::state::AppState;
use crate::sync_loop;

#[tauri::command]
pub fn status_labels() -> Vec<StatusLabel> {
    StatusLabel::all()
}

/// One Request Manager list, synced first when the server answers.
#[tauri::command]
pub async fn list_requests(
    app: AppHandle,
    state: State<'_, AppState>,
    role: Option<Role>,
    statuses: Vec<Status>,
    search: Option<String>,
) -> Result<RequestList, String> {
    let desk = state.desk().await?;
    let online = sync_loop::sync_once(&app, &desk).await;
    let query = ListQuery {
        role,
        statuses,
        search,
        limit: Some(courier_client::LIST_PAGE),
    };
    let requests = desk.list(&query).map_err(|e| e.to_string())?;
    Ok(RequestList {
        requests,
        offline: !online,
    })
}

#[tauri::command]
pub async fn request_details(state: State<'_, AppState>, id: i64) -> Result<RequestView, String> {
    state
        .desk()
        .await?
        .view(id)
        .await
        .map_err(|e| e.to_string())
}

/// A status change from Full Request Details. Shipping a copy request with
/// no attachment first asks staff, in a native OK/Cancel dialog.
#[tauri::command]
pub async fn change_status(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    status: Status,
) -> Result<ChangeView, String> {
    let desk = state.desk().await?;
    let request = desk.view(id).await.map_err(|e| e.to_string())?.request;
    let number = request.summary.number.clone();

    let summary = &request.summary;
    if ship_prompt_needed(summary.kind, status, summary.attachment_count)
        && !confirm_ship(&app, &number).await
    {
        return Ok(ChangeView::Kept { number });
    }
    change_one(&desk, id, number, status).await
}

/// The brief list's status change for one or many requests: no ship prompt.
#[tauri::command]
pub async fn change_statuses(
    state: State<'_, AppState>,
    ids: Vec<i64>,
    status: Status,
) -> Result<Vec<ChangeView>, String> {
    let desk = state.desk().await?;
    let mut results = Vec::with_capacity(ids.len());
    for id in ids {
        let number = match desk.cache().detail(id) {
            Ok(Some(detail)) => detail.summary.number,
            _ => format!("request {id}"),
        };
        results.push(change_one(&desk, id, number, status).await?);
    }
    Ok(results)
}

async fn change_one(
    desk: &Desk,
    id: i64,
    number: String,
    status: Status,
) -> Result<ChangeView, String> {
    Ok(
        match desk
            .change_status(id, status)
            .await
            .map_err(|e| e.to_string())?
        {
            ChangeOutcome::Sent => ChangeView::Sent { number },
            ChangeOutcome::Queued => ChangeView::Queued { number },
            ChangeOutcome::Refused(reason) => ChangeView::Refused { number, reason },
        },
    )
}

/// The ship prompt. OK ships without an attachment; Cancel keeps the request
/// as it is.
async fn confirm_ship(app: &AppHandle, number: &str) -> bool {
    let (answer, answered) = tokio::sync::oneshot::channel();
    app.dialog()
        .message(format!(
            "{number} is a copy request with no attachment.\n\n\
             Attach the article with Upload Document before shipping, or choose OK to \
             mark it shipped without one."
        ))
        .title("Ship without an attachment?")
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancel)
        .show(move |ok| {
            let _ = answer.send(ok);
        });
    answered.await.unwrap_or(false)
}
