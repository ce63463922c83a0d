//! A crash in the middle of an upload leaves no half document behind.

use std::time::Duration;

use courier_e2e::{body, slow_upload, TestServer};
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_upload_leaves_no_attachment_and_no_stray_file() {
    let mut server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let stored_before = std::fs::read_dir(server.data_dir().join("documents"))
        .unwrap()
        .count();

    // Send 64 MiB slowly enough that the kill lands in the middle.
    let upload = slow_upload(
        &server,
        &lender,
        "big.pdf",
        b"%PDF-1.7",
        64,
        Duration::from_millis(40),
    );

    // Wait until part of the file has reached the disk, then kill.
    let incoming = server.data_dir().join("incoming");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let written: u64 = std::fs::read_dir(&incoming)
            .unwrap()
            .filter_map(|e| e.ok()?.metadata().ok())
            .map(|m| m.len())
            .sum();
        if written > 4 << 20 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the upload reaches the disk"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill();
    assert!(upload.await.unwrap().is_err(), "the upload was cut off");
    assert_eq!(
        std::fs::read_dir(&incoming).unwrap().count(),
        1,
        "a half file was on disk at the crash"
    );

    server.launch().await;
    let lender = server.sign_in("lender").await;
    let list = body(server.get(&lender, "/api/v1/requests/4/attachments").await).await;
    assert_eq!(list.as_array().unwrap().len(), 0, "no attachment is listed");
    assert_eq!(
        std::fs::read_dir(&incoming).unwrap().count(),
        0,
        "no partial file remains"
    );
    let stored_after = std::fs::read_dir(server.data_dir().join("documents"))
        .unwrap()
        .count();
    assert_eq!(stored_after, stored_before, "no stray document");
    assert_eq!(
        server
            .client
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_document_renamed_into_place_without_its_record_is_removed_at_start() {
    let mut server = TestServer::start().await;
    server.kill();
    // What a crash between the rename and the database commit leaves.
    let stray = server.data_dir().join("documents").join("left-by-a-crash");
    std::fs::write(&stray, b"%PDF-1.7 half").unwrap();
    // What is not Courier's stays: a volume's lost+found, a hidden file.
    let volume = server.data_dir().join("documents").join("lost+found");
    std::fs::create_dir(&volume).unwrap();
    let hidden = server.data_dir().join("documents").join(".keep");
    std::fs::write(&hidden, b"").unwrap();

    server.launch().await;
    assert!(!stray.exists());
    assert!(volume.is_dir() && hidden.exists());
    let lender = server.sign_in("lender").await;
    let list = body(server.get(&lender, "/api/v1/requests/1/attachments").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "recorded documents stay");
}
