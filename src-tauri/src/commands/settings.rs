//! Settings: the embedded server's address, the public URL patrons get, or a
//! remote server instead; and the library's own settings, its "Patron
//! Notification Set-up", kept by the server.

use courier_client::view::{DesktopSettings, LibrarySettingsView};
use courier_core::api::{LibrarySettings, LibrarySettingsUpdate};
use tauri::{AppHandle, State};

use crate::state::AppState;
use crate::{embedded, settings};

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<DesktopSettings, String> {
    Ok(state.settings.read().await.clone())
}

/// Saves the settings and applies them: the embedded server restarts on its
/// new address, and staff sign in again when the server changed.
#[tauri::command]
pub async fn save_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: DesktopSettings,
) -> Result<DesktopSettings, String> {
    settings::check(&settings)?;
    let before = state.settings.read().await.clone();
    if before == settings {
        return Ok(settings);
    }

    settings::save(&state.config_dir, &settings)?;
    *state.settings.write().await = settings.clone();
    if before.server_url() != settings.server_url() {
        *state.desk.write().await = None;
    }
    embedded::restart(&app).await?;
    Ok(settings)
}

/// The signed-in staff's library settings; the cached ones, marked offline,
/// when the server cannot be reached.
#[tauri::command]
pub async fn library_settings(state: State<'_, AppState>) -> Result<LibrarySettingsView, String> {
    state
        .desk()
        .await?
        .library()
        .await
        .map_err(|e| e.to_string())
}

/// Saves the library settings; a refusal is the server's message.
#[tauri::command]
pub async fn save_library_settings(
    state: State<'_, AppState>,
    update: LibrarySettingsUpdate,
) -> Result<LibrarySettings, String> {
    state
        .desk()
        .await?
        .save_library(&update)
        .await
        .map_err(|e| e.to_string())
}
