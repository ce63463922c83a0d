//! Library settings and notices through the desk, against a real server on
//! loopback: the settings round trip (and its refusals and offline reading),
//! and the notices of a request as the cache keeps them.

mod common;

use std::time::Duration;

use common::{offline_desk, scan, TestServer};
use courier_client::{ChangeOutcome, Desk, StaffApi, SyncEvent, Upload};
use courier_core::api::{
    LibrarySettings, LibrarySettingsUpdate, NewRequest, Notice, NoticeKind, NoticeState, Patron,
};
use courier_core::{Kind, Role, Status};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn update_of(settings: &LibrarySettings) -> LibrarySettingsUpdate {
    LibrarySettingsUpdate {
        ill_email: settings.ill_email.clone(),
        time_zone: settings.time_zone.clone(),
        copyright_notice: settings.copyright_notice.clone(),
        received_with_attachments_notice: settings.received_with_attachments_notice,
        iso_partner: settings.iso_partner,
    }
}

/// Switches the borrowing library's "Received with Attachments" notice on.
async fn switch_notice_on(borrower: &Desk) -> LibrarySettings {
    let mut update = update_of(&borrower.library().await.expect("settings").settings);
    update.received_with_attachments_notice = true;
    borrower.save_library(&update).await.expect("saved")
}

/// A copy request from the borrower, with a patron e-mail, that the lender
/// has shipped with the real scan attached. Returns its id and attachment id.
async fn shipped_with_scan(borrower: &StaffApi, lender: &StaffApi, title: &str) -> (i64, i64) {
    let lender_symbol = lender.library().await.expect("lender's settings").symbol;
    let request = NewRequest {
        lender: lender_symbol,
        kind: Kind::Copy,
        title: title.into(),
        author: Some("Test Author".into()),
        journal: None,
        volume: None,
        issue: None,
        year: Some("2026".into()),
        pages: None,
        patron: Patron {
            name: "Pat Tester".into(),
            email: Some("pat@example.org".into()),
        },
    };
    let id = borrower.create_request(&request).await.expect("created").id;
    let upload = Upload {
        description: title.into(),
        max_downloads: 5,
        expires_in_days: 90,
    };
    let attachment = lender
        .upload(id, &scan("c03-29.pdf"), &upload, |_, _| {})
        .await
        .expect("uploaded");
    lender
        .change_status(id, Status::Shipped, &format!("ship-{id}"))
        .await
        .expect("shipped");
    (id, attachment.id)
}

/// Syncs `desk` until the cached request has a notice of `kind` in `state`.
async fn cached_notice(desk: &Desk, id: i64, kind: NoticeKind, state: NoticeState) -> Notice {
    for _ in 0..100 {
        desk.sync().await.expect("sync");
        let cached = desk.cache().detail(id).expect("cache").expect("cached");
        if let Some(notice) = cached
            .notices
            .iter()
            .find(|n| n.kind == kind && n.state == state)
        {
            return notice.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {kind:?} notice in state {state:?} reached the cache of request {id}");
}

#[tokio::test]
async fn library_settings_are_saved_read_back_and_read_offline() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = server.desk("borrower", dir.path()).await;
    let before = desk.library().await.unwrap();
    assert!(!before.offline);

    let update = LibrarySettingsUpdate {
        ill_email: "ill-office@bayview.example.org".into(),
        time_zone: "Europe/Berlin".into(),
        copyright_notice: "For private study only.".into(),
        received_with_attachments_notice: !before.settings.received_with_attachments_notice,
        iso_partner: !before.settings.iso_partner,
    };
    let saved = desk.save_library(&update).await.unwrap();

    assert_eq!(saved.ill_email, update.ill_email);
    assert_eq!(saved.time_zone, "Europe/Berlin");
    assert_eq!(saved.copyright_notice, "For private study only.");
    assert_eq!(
        saved.received_with_attachments_notice,
        update.received_with_attachments_notice
    );
    assert_eq!(saved.iso_partner, update.iso_partner);
    assert_eq!(saved.symbol, before.settings.symbol);
    assert_eq!(desk.library().await.unwrap().settings, saved);
    assert_eq!(
        desk.api().library().await.unwrap(),
        saved,
        "the server keeps them"
    );

    let offline = offline_desk(desk.api(), &dir.path().join("borrower.sqlite"));
    let read = offline.library().await.unwrap();
    assert!(read.offline);
    assert_eq!(read.settings, saved);
    let refused = offline.save_library(&update).await.unwrap_err();
    assert!(refused.is_offline(), "{refused}");
}

#[tokio::test]
async fn settings_the_server_refuses_come_back_with_its_message_and_change_nothing() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = server.desk("borrower", dir.path()).await;
    let before = desk.library().await.unwrap().settings;

    let mut bad_zone = update_of(&before);
    bad_zone.time_zone = "Mars/Olympus_Mons".into();
    let mut bad_email = update_of(&before);
    bad_email.ill_email = "not an address".into();
    let mut no_notice = update_of(&before);
    no_notice.copyright_notice = "   ".into();

    for update in [bad_zone, bad_email, no_notice] {
        let error = desk.save_library(&update).await.unwrap_err();
        assert_eq!(error.status(), Some(422), "{error}");
        assert!(!error.to_string().is_empty());
    }
    assert_eq!(desk.api().library().await.unwrap(), before);
    assert_eq!(desk.cache().library().unwrap(), Some(before));
}

#[tokio::test]
async fn the_patron_notice_after_received_reaches_both_caches_as_sent() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let borrower = server.desk("borrower", dir.path()).await;
    let lender = server.desk("lender", dir.path()).await;
    switch_notice_on(&borrower).await;
    let (id, _) = shipped_with_scan(borrower.api(), lender.api(), "Notice after received").await;
    borrower.sync().await.unwrap();
    lender.sync().await.unwrap();

    let outcome = borrower.change_status(id, Status::Received).await.unwrap();

    assert_eq!(outcome, ChangeOutcome::Sent);
    let notice = cached_notice(
        &borrower,
        id,
        NoticeKind::ReceivedWithAttachments,
        NoticeState::Sent,
    )
    .await;
    assert_eq!(notice.recipient, "pat@example.org");
    assert_eq!(notice.attempts, 1);
    assert!(notice.sent_at.is_some());
    assert_eq!(notice.last_error, None);
    let seen_by_lender = cached_notice(
        &lender,
        id,
        NoticeKind::ReceivedWithAttachments,
        NoticeState::Sent,
    )
    .await;
    assert_eq!(seen_by_lender.recipient, "the patron");
    assert_eq!(seen_by_lender.id, notice.id);

    let outbox = server.data.path().join("outbox");
    let written: Vec<_> = std::fs::read_dir(&outbox)
        .expect("outbox folder")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(written.len(), 1, "one .eml in {}", outbox.display());
}

#[tokio::test]
async fn a_document_url_the_lender_sends_is_listed_in_its_cache_and_refused_without_ill_address() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let borrower = server.desk("borrower", dir.path()).await;
    let lender = server.desk("lender", dir.path()).await;
    let borrowing = borrower.library().await.unwrap().settings;
    let (id, attachment) = shipped_with_scan(borrower.api(), lender.api(), "Document URL").await;
    lender.sync().await.unwrap();

    let notice = lender.send_document_url(id, attachment).await.unwrap();

    assert_eq!(notice.kind, NoticeKind::DocumentUrl);
    assert_eq!(notice.attachment_id, Some(attachment));
    assert_eq!(notice.recipient, borrowing.ill_email);
    let cached = lender.cache().detail(id).unwrap().expect("cached");
    assert!(
        cached.notices.iter().any(|n| n.id == notice.id),
        "listed at once"
    );
    cached_notice(&lender, id, NoticeKind::DocumentUrl, NoticeState::Sent).await;

    let refused = borrower
        .send_document_url(id, attachment)
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(403), "{refused}");

    let mut no_address = update_of(&borrowing);
    no_address.ill_email = String::new();
    borrower.save_library(&no_address).await.unwrap();
    let refused = lender.send_document_url(id, attachment).await.unwrap_err();
    assert_eq!(refused.status(), Some(422), "{refused}");
}

/// A mail server on loopback that refuses every message for good.
async fn refusing_mail_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 refusing ESMTP\r\n").await;
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 refusing\r\n",
                        "MAIL" => b"550 5.7.1 no mail accepted here\r\n",
                        "QUIT" => b"221 bye\r\n",
                        _ => b"250 ok\r\n",
                    };
                    if write.write_all(answer).await.is_err() || verb == "QUIT" {
                        break;
                    }
                }
            });
        }
    });
    format!("smtp://{addr}")
}

#[tokio::test]
async fn a_notice_that_fails_for_good_is_announced_once_to_the_library_that_sent_it() {
    let server = TestServer::demo_mailing_to(Some(refusing_mail_server().await)).await;
    let dir = tempfile::tempdir().unwrap();
    let borrower = server.desk("borrower", dir.path()).await;
    let lender = server.desk("lender", dir.path()).await;
    switch_notice_on(&borrower).await;
    let (id, _) = shipped_with_scan(borrower.api(), lender.api(), "Refused mail").await;
    borrower.sync().await.unwrap();
    lender.sync().await.unwrap();
    borrower.change_status(id, Status::Received).await.unwrap();

    let mut announced = Vec::new();
    let mut failed = None;
    for _ in 0..100 {
        let report = borrower.sync().await.unwrap();
        announced.extend(report.events);
        let cached = borrower.cache().detail(id).unwrap().expect("cached");
        failed = cached
            .notices
            .into_iter()
            .find(|n| n.state == NoticeState::Failed);
        if failed.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let failed = failed.expect("the notice failed");
    assert!(failed
        .last_error
        .as_deref()
        .is_some_and(|e| e.contains("no mail accepted")));
    for _ in 0..3 {
        announced.extend(borrower.sync().await.unwrap().events);
    }
    let failures: Vec<_> = announced
        .iter()
        .filter(|e| matches!(e, SyncEvent::NoticeFailed { .. }))
        .collect();
    assert_eq!(failures.len(), 1, "{announced:?}");
    assert!(matches!(
        failures[0],
        SyncEvent::NoticeFailed { request_id, notice: NoticeKind::ReceivedWithAttachments, .. }
            if *request_id == id
    ));

    let lender_events = lender.sync().await.unwrap().events;
    assert!(
        !lender_events
            .iter()
            .any(|e| matches!(e, SyncEvent::NoticeFailed { .. })),
        "the patron's notice is the borrower's: {lender_events:?}"
    );
    let cached = lender.cache().detail(id).unwrap().expect("cached");
    assert_eq!(cached.summary.role, Role::Lender);
    assert!(cached
        .notices
        .iter()
        .any(|n| n.state == NoticeState::Failed));

    borrower.retry_notice(id, failed.id).await.unwrap();
    let mut after_retry = Vec::new();
    for _ in 0..100 {
        after_retry.extend(borrower.sync().await.unwrap().events);
        if !after_retry.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for _ in 0..3 {
        after_retry.extend(borrower.sync().await.unwrap().events);
    }
    assert!(
        matches!(after_retry.as_slice(), [SyncEvent::NoticeFailed { .. }]),
        "a retried notice that fails again is announced again, once: {after_retry:?}"
    );
}
