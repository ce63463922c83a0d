//! The commands the staff interface calls. Each is short: it finds the desk,
//! calls `courier-client`, and turns errors into sentences for the screen.

mod files;
mod notices;
mod requests;
mod session;
mod settings;

use tauri::ipc::Invoke;
use tauri::Wry;

/// Every command, for `tauri::Builder::invoke_handler`. The same names are
/// declared in `build.rs` and granted in `capabilities/`.
pub fn handler() -> impl Fn(Invoke<Wry>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        session::resume,
        session::sign_in,
        session::sign_out,
        session::sync_now,
        settings::get_settings,
        settings::save_settings,
        settings::library_settings,
        settings::save_library_settings,
        requests::status_labels,
        requests::list_requests,
        requests::request_details,
        requests::change_status,
        requests::change_statuses,
        files::open_upload_window,
        files::choose_files,
        files::upload_file,
        files::list_attachments,
        files::download_attachment,
        files::copy_document_url,
        notices::send_document_url,
        notices::retry_notice,
    ]
}
