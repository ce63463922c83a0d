//! Courier Desktop: the Tauri shell around `courier-client`.
//!
//! It runs the embedded server, keeps the session token in the OS keyring,
//! shows native dialogs and notifications, and hands the staff interface
//! (`ui/`) the commands of `commands/`. Everything that works without a
//! window lives in `courier-client`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod embedded;
mod notify;
mod settings;
mod state;
mod sync_loop;
mod token_store;

use tauri::Manager;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,courier_desktop=debug".into()),
        )
        .init();

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .setup(|app| {
            let state = state::AppState::load(app.handle())?;
            app.manage(state);
            embedded::start_in_background(app.handle().clone());
            sync_loop::spawn(app.handle().clone());
            Ok(())
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!("../tauri.conf.json"));

    match app {
        Ok(app) => app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event {
                embedded::stop_blocking(handle);
            }
        }),
        Err(error) => {
            eprintln!("Courier Desktop could not start: {error}");
            std::process::exit(1);
        }
    }
}
