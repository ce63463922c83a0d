//! The app's settings file: where the server is and what patrons get.

use std::path::Path;

use courier_client::view::DesktopSettings;

const FILE: &str = "settings.json";

/// The saved settings, or the defaults when there are none or they are
/// unreadable. `COURIER_LISTEN` overrides the embedded server's address.
pub fn load(config_dir: &Path) -> DesktopSettings {
    let mut settings = std::fs::read_to_string(config_dir.join(FILE))
        .ok()
        .and_then(|text| serde_json::from_str::<DesktopSettings>(&text).ok())
        .unwrap_or_default();
    if let Ok(listen) = std::env::var("COURIER_LISTEN") {
        settings.listen = listen;
    }
    settings
}

pub fn save(config_dir: &Path, settings: &DesktopSettings) -> Result<(), String> {
    let text = serde_json::to_string_pretty(settings).map_err(|e| e.to_string())?;
    let temporary = config_dir.join("settings.json.tmp");
    std::fs::write(&temporary, text)
        .and_then(|()| std::fs::rename(&temporary, config_dir.join(FILE)))
        .map_err(|e| format!("could not save the settings: {e}"))
}

/// Checks settings typed by staff; the message says what to fix.
pub fn check(settings: &DesktopSettings) -> Result<(), String> {
    if settings.listen.parse::<std::net::SocketAddr>().is_err() {
        return Err(format!(
            "server address {:?} is not an address and port, such as 0.0.0.0:8470",
            settings.listen
        ));
    }
    let public = settings.public_url.trim();
    if !public.is_empty() && !is_http(public) {
        return Err("the public URL must start with http:// or https://".into());
    }
    if !settings.embedded && !is_http(settings.remote_url.trim()) {
        return Err("a remote server's address must start with http:// or https://".into());
    }
    Ok(())
}

fn is_http(url: &str) -> bool {
    (url.starts_with("http://") || url.starts_with("https://")) && url.len() > "https://".len()
}
