//! The server inside the app: one library, one machine, nothing to install.
//! It listens on all interfaces (port 8470 by default) since patrons must
//! reach it, keeps its data in the app's data folder, and gets the demo data
//! on first start so that staff can sign in at once.

use courier_server::ServerConfig;
use tauri::{AppHandle, Manager};

use crate::state::AppState;

/// Starts the embedded server without holding up the window.
pub fn start_in_background(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        if let Err(error) = restart(&app).await {
            tracing::error!(%error, "embedded server did not start");
        }
    });
}

/// Stops the embedded server if it runs, then starts it again when the
/// settings ask for it.
pub async fn restart(app: &AppHandle) -> Result<(), String> {
    let state = app.state::<AppState>();
    let mut server = state.server.lock().await;
    if let Some(running) = server.take() {
        running.shutdown().await;
    }

    let settings = state.settings.read().await.clone();
    if !settings.embedded {
        return Ok(());
    }
    let listen = settings
        .listen
        .parse()
        .map_err(|_| format!("server address {:?} is not valid", settings.listen))?;
    let data_dir = state.server_data_dir();
    let fill_dir = data_dir.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        std::fs::create_dir_all(&fill_dir)?;
        if !courier_server::demo::has_data(&fill_dir) {
            courier_server::demo::fill(&fill_dir)?;
            tracing::info!("filled the embedded server with the demo data");
        }
        Ok(())
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("could not prepare the server's data folder: {e:#}"))?;

    let mut config = ServerConfig::new(data_dir, listen);
    let public_url = settings.public_url.trim();
    config.public_url = (!public_url.is_empty()).then(|| public_url.to_string());
    let running = courier_server::start(config)
        .await
        .map_err(|e| format!("the embedded server could not start on {listen}: {e:#}"))?;
    tracing::info!(address = %running.local_addr(), "embedded server listening");
    *server = Some(running);
    Ok(())
}

/// Stops the embedded server as the app exits.
pub fn stop_blocking(app: &AppHandle) {
    let state = app.state::<AppState>();
    tauri::async_runtime::block_on(async {
        if let Some(running) = state.server.lock().await.take() {
            running.shutdown().await;
        }
    });
}
