//! The TypeScript types of the staff interface come from the Rust types.
//!
//! `generated_bindings_are_up_to_date` fails when `ui/src/bindings` differs
//! from what the Rust types generate; run it with `COURIER_WRITE_BINDINGS=1`
//! to rewrite them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use courier_client::view::{
    AttachmentList, ChangeView, DesktopSettings, RequestList, RequestView, SignedIn, StatusLabel,
    SyncState, UploadProgress, UploadView,
};
use courier_client::SyncEvent;
use courier_core::api::{
    Attachment, LibraryRef, Notice, NoticeKind, NoticeState, Patron, RequestDetail, RequestSummary,
    StatusEvent,
};
use courier_core::{Kind, Role, Status};
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

fn library(symbol: &str) -> LibraryRef {
    LibraryRef {
        symbol: symbol.into(),
        name: format!("{symbol} Library"),
    }
}

fn full_detail() -> RequestDetail {
    let at = Utc
        .with_ymd_and_hms(2026, 3, 4, 10, 0, 0)
        .single()
        .expect("date");
    let attachment = Attachment {
        id: 7,
        request_id: 3,
        filename: "scan.pdf".into(),
        description: "Chapter III".into(),
        size: 167_938,
        pages: Some(1),
        sha256: "ab".repeat(32),
        media_type: "application/pdf".into(),
        max_downloads: 5,
        downloads_used: 1,
        uploaded_at: at,
        expires_at: at,
        access_text: "4 downloads remaining until 06/02/2026".into(),
        downloadable: true,
        document_url: "http://127.0.0.1:8470/d/abc".into(),
        withdrawn_at: Some(at),
    };
    RequestDetail {
        summary: RequestSummary {
            id: 3,
            number: "ILL-2026-000003".into(),
            kind: Kind::Copy,
            status: Status::WillSupply,
            title: "A title".into(),
            author: Some("An author".into()),
            journal: Some("A journal".into()),
            year: Some("1890".into()),
            lender: library("LEND"),
            borrower: library("BORR"),
            role: Role::Borrower,
            patron_name: Some("A patron".into()),
            attachment_count: 1,
            created_at: at,
            updated_at: at,
        },
        volume: Some("2".into()),
        issue: Some("3".into()),
        pages: Some("10-20".into()),
        patron: Some(Patron {
            name: "A patron".into(),
            email: Some("p@example.org".into()),
        }),
        next_statuses: vec![Status::Cancelled],
        history: vec![StatusEvent {
            from: Some(Status::Pending),
            to: Status::WillSupply,
            by_library: "LEND".into(),
            by_staff: "lender".into(),
            at,
        }],
        attachments: vec![attachment],
        notices: vec![Notice {
            id: 1,
            request_id: 3,
            attachment_id: Some(7),
            kind: NoticeKind::DocumentUrl,
            recipient: "ill@example.org".into(),
            subject: "Document for ILL-2026-000003".into(),
            state: NoticeState::Failed,
            attempts: 3,
            last_error: Some("connection refused".into()),
            created_at: at,
            sent_at: Some(at),
            next_attempt_at: Some(at),
        }],
    }
}

#[test]
fn shapes_match_the_api() {
    let mut sparse = full_detail();
    sparse.summary.author = None;
    sparse.patron = None;
    sparse.history[0].from = None;
    sparse.attachments[0].pages = None;
    sparse.attachments[0].withdrawn_at = None;
    sparse.notices.clear();

    for detail in [full_detail(), sparse] {
        let core = serde_json::to_value(&detail).expect("core serialises");
        let twin: courier_client::shapes::RequestDetail =
            serde_json::from_value(core.clone()).expect("twin reads the core JSON");
        let again = serde_json::to_value(&twin).expect("twin serialises");
        assert_eq!(core, again, "shapes.rs no longer matches courier_core::api");
    }
    for status in Status::ALL {
        let core = serde_json::to_value(status).expect("status");
        let twin: courier_client::shapes::Status =
            serde_json::from_value(core.clone()).expect("twin");
        assert_eq!(serde_json::to_value(twin).expect("twin"), core);
    }
}
