//! Documents: the Upload window, the Uploaded Files panel's downloads, and
//! copying a document URL.

use std::path::PathBuf;

use courier_client::view::{AttachmentList, UploadProgress, UploadView};
use courier_client::Upload;
use courier_core::{DownloadLimit, ExpiryDays};
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager, State, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_dialog::DialogExt;

use crate::state::AppState;

/// Opens (or brings forward) the Upload window of one request.
#[tauri::command]
pub async fn open_upload_window(app: AppHandle, id: i64, number: String) -> Result<(), String> {
    let label = format!("upload-{id}");
    if let Some(window) = app.get_webview_window(&label) {
        return window.set_focus().map_err(|e| e.to_string());
    }
    let url = WebviewUrl::App(format!("upload.html?request={id}").into());
    WebviewWindowBuilder::new(&app, label, url)
        .title(format!("Upload Document \u{2014} {number}"))
        .inner_size(620.0, 600.0)
        .min_inner_size(480.0, 420.0)
        .build()
        .map(drop)
        .map_err(|e| format!("could not open the Upload window: {e}"))
}

/// "Choose File": the native file dialog; the chosen paths.
#[tauri::command]
pub async fn choose_files(app: AppHandle) -> Result<Vec<String>, String> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Choose the scanned documents")
        .add_filter(
            "Scans (PDF, TIFF, JPEG, PNG)",
            &["pdf", "tif", "tiff", "jpg", "jpeg", "png"],
        )
        .add_filter("All files", &["*"])
        .pick_files(move |files| {
            let _ = answer.send(files.unwrap_or_default());
        });
    let files = answered.await.unwrap_or_default();
    Ok(files
        .into_iter()
        .filter_map(|f| f.into_path().ok())
        .map(|p| p.to_string_lossy().into_owned())
        .collect())
}

/// Uploads one file, reporting its bytes on `progress` as they are sent. A
/// refused file is an answer, not an error: it carries the reason.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn upload_file(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    file: u32,
    path: String,
    description: String,
    max_downloads: i64,
    expires_in_days: i64,
    progress: Channel<UploadProgress>,
) -> Result<UploadView, String> {
    let desk = state.desk().await?;
    let limits = DownloadLimit::new(max_downloads)
        .and_then(|limit| ExpiryDays::new(expires_in_days).map(|days| (limit.get(), days.get())));
    let (max_downloads, expires_in_days) = match limits {
        Ok(limits) => limits,
        Err(error) => {
            return Ok(UploadView::Refused {
                reason: error.to_string(),
            })
        }
    };

    let upload = Upload {
        description,
        max_downloads,
        expires_in_days,
    };
    let report = move |sent, total| {
        let _ = progress.send(UploadProgress { file, sent, total });
    };
    let answer = desk
        .api()
        .upload(id, &PathBuf::from(path), &upload, report)
        .await;
    match answer {
        Ok(attachment) => {
            let _ = desk.refresh(id).await;
            let _ = app.emit("attachments-changed", id);
            Ok(UploadView::Uploaded { attachment })
        }
        Err(error) => Ok(UploadView::Refused {
            reason: error.to_string(),
        }),
    }
}

/// The Uploaded Files panel: fresh counts from the server, or the cached ones.
#[tauri::command]
pub async fn list_attachments(
    state: State<'_, AppState>,
    id: i64,
) -> Result<AttachmentList, String> {
    let desk = state.desk().await?;
    match desk.api().attachments(id).await {
        Ok(attachments) => Ok(AttachmentList {
            attachments,
            offline: false,
        }),
        Err(error) if error.is_offline() => {
            let cached = desk.cache().detail(id).map_err(|e| e.to_string())?;
            let attachments = cached.map(|d| d.attachments).unwrap_or_default();
            Ok(AttachmentList {
                attachments,
                offline: true,
            })
        }
        Err(error) => Err(error.to_string()),
    }
}

/// Download: a native Save dialog, then the download, which counts one.
/// Returns where the file was saved, or nothing when staff cancelled.
#[tauri::command]
pub async fn download_attachment(
    app: AppHandle,
    state: State<'_, AppState>,
    request_id: i64,
    attachment_id: i64,
    filename: String,
) -> Result<Option<String>, String> {
    let desk = state.desk().await?;
    let (answer, answered) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Save the document")
        .set_file_name(&filename)
        .save_file(move |path| {
            let _ = answer.send(path);
        });
    let Some(path) = answered.await.ok().flatten() else {
        return Ok(None);
    };
    let path = path.into_path().map_err(|e| e.to_string())?;

    desk.api()
        .download(attachment_id, &path)
        .await
        .map_err(|e| e.to_string())?;
    let _ = desk.refresh(request_id).await;
    Ok(Some(path.to_string_lossy().into_owned()))
}

#[tauri::command]
pub fn copy_document_url(app: AppHandle, url: String) -> Result<(), String> {
    app.clipboard()
        .write_text(url)
        .map_err(|e| format!("could not copy: {e}"))
}
