//! What the app holds while it runs: its folders, its settings, the embedded
//! server and the signed-in desk.

use std::path::PathBuf;
use std::sync::Arc;

use courier_client::view::{DesktopSettings, SyncState};
use courier_client::Desk;
use courier_server::RunningServer;
use tauri::{AppHandle, Manager};
use tokio::sync::{Mutex, RwLock};

use crate::settings;

pub struct AppState {
    /// Where the settings file lives.
    pub config_dir: PathBuf,
    /// Where the embedded server's data folder and the caches live.
    pub data_dir: PathBuf,
    pub settings: RwLock<DesktopSettings>,
    pub server: Mutex<Option<RunningServer>>,
    pub desk: RwLock<Option<Arc<Desk>>>,
    pub sync_state: RwLock<SyncState>,
}

impl AppState {
    pub fn load(app: &AppHandle) -> anyhow::Result<AppState> {
        let config_dir = app.path().app_config_dir()?;
        let data_dir = app.path().app_data_dir()?;
        std::fs::create_dir_all(&config_dir)?;
        std::fs::create_dir_all(&data_dir)?;
        let settings = settings::load(&config_dir);

        Ok(AppState {
            config_dir,
            data_dir,
            settings: RwLock::new(settings),
            server: Mutex::new(None),
            desk: RwLock::new(None),
            sync_state: RwLock::new(SyncState {
                offline: false,
                queued: 0,
                last_synced_at: None,
                message: None,
            }),
        })
    }

    /// The signed-in desk, or a message saying to sign in.
    pub async fn desk(&self) -> Result<Arc<Desk>, String> {
        self.desk
            .read()
            .await
            .clone()
            .ok_or_else(|| "please sign in first".to_string())
    }

    /// The embedded server's data folder.
    pub fn server_data_dir(&self) -> PathBuf {
        self.data_dir.join("server")
    }

    /// The cache file of one staff member on one server.
    pub fn cache_file(&self, server_url: &str, username: &str) -> PathBuf {
        let safe = |text: &str| -> String {
            text.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect()
        };
        self.data_dir
            .join("cache")
            .join(format!("{}@{}.sqlite", safe(username), safe(server_url)))
    }
}
