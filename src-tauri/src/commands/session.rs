//! Sign in, sign out, and coming back signed in after a restart.

use std::sync::Arc;

use courier_client::view::{SignedIn, SyncState};
use courier_client::{Cache, Desk, StaffApi};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

use crate::state::AppState;
use crate::{sync_loop, token_store};

/// Who signed in last, so that the app can find their token and cache again.
/// Holds no secret.
#[derive(Serialize, Deserialize)]
struct LastUser {
    server_url: String,
    username: String,
}

const LAST_USER: &str = "last-user.json";

#[tauri::command]
pub async fn sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    username: String,
    password: String,
) -> Result<SignedIn, String> {
    let server_url = state.settings.read().await.server_url();
    let api = StaffApi::new(&server_url).map_err(|e| e.to_string())?;
    let session = api
        .sign_in(username.trim(), &password)
        .await
        .map_err(|e| e.to_string())?;

    let keyring_warning =
        token_store::store(&server_url, &session.staff.username, &session.token).err();
    let last = LastUser {
        server_url: server_url.clone(),
        username: session.staff.username.clone(),
    };
    remember(&state, Some(&last))?;
    let desk = open_desk(&state, api.with_token(session.token), &last.username)?;
    desk.cache()
        .set_staff(&session.staff)
        .map_err(|e| e.to_string())?;
    *state.desk.write().await = Some(desk.clone());
    let online = sync_loop::sync_once(&app, &desk).await;

    Ok(SignedIn {
        staff: session.staff,
        server_url,
        offline: !online,
        keyring_warning,
    })
}

/// Signs in again with the token kept in the keyring, if there is one; works
/// offline from the cache.
#[tauri::command]
pub async fn resume(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<SignedIn>, String> {
    if let Some(desk) = state.desk.read().await.clone() {
        return Ok(signed_in(&desk, &*state.sync_state.read().await));
    }
    let server_url = state.settings.read().await.server_url();
    let Some(last) = recall(&state).filter(|last| last.server_url == server_url) else {
        return Ok(None);
    };
    let Some(token) = token_store::load(&server_url, &last.username)? else {
        return Ok(None);
    };

    let api = StaffApi::new(&server_url)
        .map_err(|e| e.to_string())?
        .with_token(token);
    let desk = open_desk(&state, api, &last.username)?;
    *state.desk.write().await = Some(desk.clone());
    sync_loop::sync_once(&app, &desk).await;
    Ok(signed_in(&desk, &*state.sync_state.read().await))
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), String> {
    let Some(desk) = state.desk.write().await.take() else {
        return Ok(());
    };
    if let Err(error) = desk.api().sign_out().await {
        tracing::debug!(%error, "server did not end the session");
    }
    if let Some(last) = recall(&state) {
        if let Err(error) = token_store::forget(&last.server_url, &last.username) {
            tracing::warn!(%error, "could not remove the session token from the keyring");
        }
    }
    remember(&state, None)
}

/// Syncs now, for the interface's "refresh".
#[tauri::command]
pub async fn sync_now(app: AppHandle, state: State<'_, AppState>) -> Result<SyncState, String> {
    let desk = state.desk().await?;
    sync_loop::sync_once(&app, &desk).await;
    Ok(state.sync_state.read().await.clone())
}

fn open_desk(state: &AppState, api: StaffApi, username: &str) -> Result<Arc<Desk>, String> {
    let file = state.cache_file(api.base_url(), username);
    if let Some(folder) = file.parent() {
        std::fs::create_dir_all(folder).map_err(|e| format!("cannot create the cache: {e}"))?;
    }
    let cache = Cache::open(&file).map_err(|e| e.to_string())?;
    Ok(Arc::new(Desk::new(api, cache)))
}

fn signed_in(desk: &Desk, sync_state: &SyncState) -> Option<SignedIn> {
    let staff = desk.cache().staff().ok().flatten()?;
    Some(SignedIn {
        staff,
        server_url: desk.api().base_url().to_string(),
        offline: sync_state.offline,
        keyring_warning: None,
    })
}

fn remember(state: &AppState, last: Option<&LastUser>) -> Result<(), String> {
    let file = state.config_dir.join(LAST_USER);
    let written = match last {
        Some(last) => serde_json::to_string(last)
            .map_err(std::io::Error::other)
            .and_then(|text| std::fs::write(&file, text)),
        None => match std::fs::remove_file(&file) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        },
    };
    written.map_err(|e| format!("could not remember who signed in: {e}"))
}

fn recall(state: &AppState) -> Option<LastUser> {
    let text = std::fs::read_to_string(state.config_dir.join(LAST_USER)).ok()?;
    serde_json::from_str(&text).ok()
}
