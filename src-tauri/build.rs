//! Builds the Tauri context from the top-level `tauri.conf.json` and declares
//! the app's own commands, so that capabilities can grant them one by one.

use std::path::Path;

/// Every command the shell exposes to the staff interface.
const COMMANDS: &[&str] = &[
    "resume",
    "sign_in",
    "sign_out",
    "sync_now",
    "get_settings",
    "save_settings",
    "library_settings",
    "save_library_settings",
    "status_labels",
    "list_requests",
    "request_details",
    "change_status",
    "change_statuses",
    "open_upload_window",
    "choose_files",
    "upload_file",
    "list_attachments",
    "download_attachment",
    "copy_document_url",
    "send_document_url",
    "retry_notice",
];

fn main() {
    ensure_ui_dist();

    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(manifest);
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}

/// The app embeds `ui/dist`. A checkout where the interface was not built yet
/// still compiles (for `cargo clippy` and tests), with a page that says how to
/// build it.
fn ensure_ui_dist() {
    let dist = Path::new("../ui/dist");
    println!("cargo:rerun-if-changed=../ui/dist");
    println!("cargo:rerun-if-changed=capabilities");
    if dist.join("index.html").exists() {
        return;
    }

    let page = "<!doctype html><meta charset=utf-8><title>Courier</title>\
        <p>The staff interface is not built. Run <code>scripts/run-desktop</code>, \
        or <code>npm ci &amp;&amp; npm run build</code> in <code>ui/</code>.</p>";
    let written = std::fs::create_dir_all(dist)
        .and_then(|()| std::fs::write(dist.join("index.html"), page))
        .and_then(|()| std::fs::write(dist.join("upload.html"), page));
    if let Err(error) = written {
        panic!("could not write a placeholder ui/dist: {error}");
    }
}
