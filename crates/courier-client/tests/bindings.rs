//! The TypeScript types of the staff interface come from the Rust types:
//! courier-client's views and, through courier-core's `ts` feature, the API
//! types the server itself sends, so there is no second copy to drift.
//!
//! `generated_bindings_are_up_to_date` fails when `ui/src/bindings` differs
//! from what the Rust types generate; run it with `COURIER_WRITE_BINDINGS=1`
//! to rewrite them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use courier_client::view::{
    AttachmentList, ChangeView, DesktopSettings, LibrarySettingsView, RequestList, RequestView,
    SignedIn, StatusLabel, SyncState, UploadProgress, UploadView,
};
use courier_client::SyncEvent;
use courier_core::api::{LibrarySettingsUpdate, Notice};
use ts_rs::{Config, TS};

fn export_all(dir: &Path) {
    let config = Config::new().with_out_dir(dir).with_large_int("number");
    let results = [
        SignedIn::export_all(&config),
        RequestList::export_all(&config),
        RequestView::export_all(&config),
        ChangeView::export_all(&config),
        StatusLabel::export_all(&config),
        AttachmentList::export_all(&config),
        UploadProgress::export_all(&config),
        UploadView::export_all(&config),
        SyncState::export_all(&config),
        DesktopSettings::export_all(&config),
        SyncEvent::export_all(&config),
        LibrarySettingsView::export_all(&config),
        LibrarySettingsUpdate::export_all(&config),
        Notice::export_all(&config),
    ];
    for result in results {
        if let Err(error) = result {
            panic!("could not export TypeScript bindings: {error}");
        }
    }
}

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        files.insert(name, text);
    }
    files
}

#[test]
fn generated_bindings_are_up_to_date() {
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    if std::env::var_os("COURIER_WRITE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        export_all(&committed);
        return;
    }

    let fresh = tempfile::tempdir().expect("temporary directory");
    export_all(fresh.path());
    assert_eq!(
        read_dir(&committed),
        read_dir(fresh.path()),
        "ui/src/bindings is stale: run COURIER_WRITE_BINDINGS=1 cargo test -p courier-client \
         --test bindings"
    );
}
