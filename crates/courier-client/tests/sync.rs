//! The cache and the outbox against a real server on loopback.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{offline_desk, scan, TestServer};
use courier_client::{Cache, ChangeOutcome, ListQuery, OutboxState, StaffApi, SyncEvent, Upload};
use courier_core::api::{NewRequest, Patron};
use courier_core::{Kind, Role, Status};

/// The borrower asks the lender for a new copy; returns its id.
async fn new_copy_request(borrower: &StaffApi, lender: &StaffApi, title: &str) -> i64 {
    let lender_symbol = lender_symbol(lender).await;
    let request = NewRequest {
        lender: lender_symbol,
        kind: Kind::Copy,
        title: title.into(),
        author: Some("Test Author".into()),
        journal: Some("Journal of Tests".into()),
        volume: None,
        issue: None,
        year: Some("2026".into()),
        pages: Some("1-9".into()),
        patron: Patron {
            name: "Pat Tester".into(),
            email: Some("pat@example.org".into()),
        },
    };
    borrower
        .create_request(&request)
        .await
        .expect("request created")
        .id
}

async fn lender_symbol(lender: &StaffApi) -> String {
    let page = lender.changes(0).await.expect("changes");
    let any = page
        .requests
        .iter()
        .find(|r| r.summary.role == Role::Lender)
        .expect("lender request");
    any.summary.lender.symbol.clone()
}

fn moves_to(history: &[courier_core::api::StatusEvent], status: Status) -> usize {
    history.iter().filter(|e| e.to == status).count()
}

#[tokio::test]
async fn first_sync_fills_an_empty_cache_with_every_request_the_library_sees() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = server.desk("lender", dir.path()).await;
    assert_eq!(desk.cache().cursor().unwrap(), 0);

    let report = desk.sync().await.unwrap();

    assert!(report.online);
    assert!(report.events.is_empty(), "a first sync announces nothing");
    let everything = desk.cache().list(&ListQuery::default()).unwrap();
    assert_eq!(report.pulled, everything.len());
    let listed = desk
        .api()
        .requests(&courier_client::RequestQuery {
            per_page: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(everything.len() as u64, listed.total);
    for summary in &everything {
        let cached = desk
            .cache()
            .detail(summary.id)
            .unwrap()
            .expect("cached detail");
        let live = desk.api().request(summary.id).await.unwrap();
        assert_eq!(
            cached, live,
            "cached {} differs from the server",
            summary.number
        );
    }
    assert!(desk.cache().cursor().unwrap() > 0);
}

#[tokio::test]
async fn incremental_sync_brings_only_what_changed() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = server.desk("lender", dir.path()).await;
    desk.sync().await.unwrap();
    let borrower = server.api("borrower").await;

    let id = new_copy_request(&borrower, desk.api(), "Incremental sync").await;
    let report = desk.sync().await.unwrap();

    assert_eq!(report.pulled, 1, "only the new request comes down");
    let cached = desk
        .cache()
        .detail(id)
        .unwrap()
        .expect("new request cached");
    assert_eq!(cached.summary.status, Status::Pending);
    assert_eq!(
        desk.sync().await.unwrap().pulled,
        0,
        "nothing changed since"
    );
}

#[tokio::test]
async fn the_cache_answers_lists_search_and_details_while_the_server_is_stopped() {
    let mut server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = server.desk("borrower", dir.path()).await;
    desk.sync().await.unwrap();
    let online_list = desk.list(&ListQuery {
        role: Some(Role::Borrower),
        ..Default::default()
    });
    let online_list = online_list.unwrap();
    let first_two = desk
        .list(&ListQuery {
            role: Some(Role::Borrower),
            limit: Some(2),
            ..Default::default()
        })
        .unwrap();
    let ids = |rows: &[courier_client::view::RequestRow]| {
        rows.iter().map(|r| r.request.id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&first_two),
        ids(&online_list[..2]),
        "a limited list is its newest requests"
    );
    let some = online_list
        .first()
        .expect("the borrower has requests")
        .request
        .clone();

    server.stop().await;

    let report = desk.sync().await.unwrap();
    assert!(!report.online);
    let offline_list = desk
        .list(&ListQuery {
            role: Some(Role::Borrower),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(offline_list.len(), online_list.len());
    let by_number = desk
        .list(&ListQuery {
            search: Some(some.number.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        by_number.iter().map(|r| r.request.id).collect::<Vec<_>>(),
        vec![some.id]
    );
    let title_word = some.title.split_whitespace().last().unwrap().to_lowercase();
    let by_title = desk
        .list(&ListQuery {
            search: Some(title_word),
            ..Default::default()
        })
        .unwrap();
    assert!(by_title.iter().any(|r| r.request.id == some.id));
    if let Some(patron) = &some.patron_name {
        let by_patron = desk
            .list(&ListQuery {
                search: Some(patron.clone()),
                ..Default::default()
            })
            .unwrap();
        assert!(by_patron.iter().any(|r| r.request.id == some.id));
    }
    let statuses = vec![some.status];
    let by_status = desk
        .list(&ListQuery {
            statuses,
            ..Default::default()
        })
        .unwrap();
    assert!(by_status.iter().all(|r| r.request.status == some.status));
    let view = desk.view(some.id).await.unwrap();
    assert!(view.offline);
    assert_eq!(view.request.summary, some);
}

#[tokio::test]
async fn changes_made_offline_are_sent_in_order_exactly_once_when_the_server_returns() {
    let mut server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let borrower = server.api("borrower").await;
    let desk = server.desk("lender", dir.path()).await;
    let first = new_copy_request(&borrower, desk.api(), "Offline one").await;
    let second = new_copy_request(&borrower, desk.api(), "Offline two").await;
    desk.sync().await.unwrap();

    server.stop().await;
    assert_eq!(
        desk.change_status(first, Status::WillSupply).await.unwrap(),
        ChangeOutcome::Queued
    );
    assert_eq!(
        desk.change_status(second, Status::Shipped).await.unwrap(),
        ChangeOutcome::Queued
    );
    assert_eq!(
        desk.change_status(first, Status::Shipped).await.unwrap(),
        ChangeOutcome::Queued
    );
    let rows = desk.list(&ListQuery {
        search: Some("Offline one".into()),
        ..Default::default()
    });
    assert_eq!(rows.unwrap()[0].queued_status, Some(Status::Shipped));
    server.restart().await;

    let report = desk.sync().await.unwrap();

    assert!(report.online);
    assert_eq!(report.sent, 3);
    assert!(desk.cache().queued().unwrap().is_empty());
    let one = borrower.request(first).await.unwrap();
    assert_eq!(one.summary.status, Status::Shipped);
    assert_eq!(moves_to(&one.history, Status::WillSupply), 1);
    assert_eq!(moves_to(&one.history, Status::Shipped), 1);
    let two = borrower.request(second).await.unwrap();
    assert_eq!(moves_to(&two.history, Status::Shipped), 1);
    assert_eq!(desk.sync().await.unwrap().sent, 0, "nothing is sent twice");
}

/// Run only by the kill test, in a child process: queues a change, says so,
/// and waits to be killed before it can send it.
#[test]
#[ignore = "helper process of a_change_queued_before_the_app_is_killed_is_sent_exactly_once"]
fn helper_queue_then_wait_to_be_killed() {
    let (Ok(file), Ok(id)) = (
        std::env::var("COURIER_TEST_CACHE"),
        std::env::var("COURIER_TEST_ID"),
    ) else {
        return;
    };
    let cache = Cache::open(std::path::Path::new(&file)).unwrap();
    let id: i64 = id.parse().unwrap();
    cache
        .enqueue(id, "killed-before-sending", Status::WillSupply)
        .unwrap();
    println!("queued");
    std::thread::sleep(std::time::Duration::from_secs(120));
}

#[tokio::test]
async fn a_change_queued_before_the_app_is_killed_is_sent_exactly_once() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let borrower = server.api("borrower").await;
    let desk = server.desk("lender", dir.path()).await;
    let id = new_copy_request(&borrower, desk.api(), "Killed before sending").await;
    desk.sync().await.unwrap();
    let cache_file = dir.path().join("lender.sqlite");

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "helper_queue_then_wait_to_be_killed",
            "--nocapture",
        ])
        .env("COURIER_TEST_CACHE", &cache_file)
        .env("COURIER_TEST_ID", id.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.any(|l| l.map(|l| l.contains("queued")).unwrap_or(false)));
    child.kill().unwrap();
    child.wait().unwrap();

    // The app starts again on the same cache; the change is still there.
    let restarted =
        courier_client::Desk::new(desk.api().clone(), Cache::open(&cache_file).unwrap());
    assert_eq!(restarted.cache().queued().unwrap().len(), 1);
    let report = restarted.sync().await.unwrap();

    assert_eq!(report.sent, 1);
    let detail = borrower.request(id).await.unwrap();
    assert_eq!(detail.summary.status, Status::WillSupply);
    assert_eq!(moves_to(&detail.history, Status::WillSupply), 1);
}

#[tokio::test]
async fn a_change_whose_answer_was_lost_is_not_made_twice() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let borrower = server.api("borrower").await;
    let desk = server.desk("lender", dir.path()).await;
    let id = new_copy_request(&borrower, desk.api(), "Answer lost").await;
    desk.sync().await.unwrap();

    // The move reached the server, but the app died before it heard back.
    let entry = desk
        .cache()
        .enqueue(id, "answer-lost", Status::Shipped)
        .unwrap();
    desk.api()
        .change_status(id, Status::Shipped, &entry.idempotency_key)
        .await
        .unwrap();
    let report = desk.sync().await.unwrap();

    assert_eq!(report.sent, 1);
    assert!(report.events.is_empty());
    let detail = borrower.request(id).await.unwrap();
    assert_eq!(moves_to(&detail.history, Status::Shipped), 1);
}

#[tokio::test]
async fn a_change_the_server_refuses_is_reported_once_and_not_retried() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let borrower = server.api("borrower").await;
    let desk = server.desk("lender", dir.path()).await;
    let id = new_copy_request(&borrower, desk.api(), "Cancelled meanwhile").await;
    desk.sync().await.unwrap();
    let cache_file = dir.path().join("lender.sqlite");

    let away = offline_desk(desk.api(), &cache_file);
    assert_eq!(
        away.change_status(id, Status::WillSupply).await.unwrap(),
        ChangeOutcome::Queued
    );
    borrower
        .change_status(id, Status::Cancelled, "borrower-cancels")
        .await
        .unwrap();
    let report = desk.sync().await.unwrap();

    assert_eq!(report.sent, 0);
    let [SyncEvent::ChangeRefused {
        request_id,
        status,
        reason,
        ..
    }] = report.events.as_slice()
    else {
        panic!("expected one refusal, got {:?}", report.events);
    };
    assert_eq!((*request_id, *status), (id, Status::WillSupply));
    assert!(
        reason.contains("cancelled"),
        "the reason names the current status: {reason}"
    );
    let outbox = desk.cache().outbox().unwrap();
    assert_eq!(outbox.last().unwrap().state, OutboxState::Refused);
    assert_eq!(
        desk.cache().detail(id).unwrap().unwrap().summary.status,
        Status::Cancelled
    );
    let again = desk.sync().await.unwrap();
    assert!(again.events.is_empty(), "a refusal is reported once");
    assert_eq!(again.sent, 0);
}

#[tokio::test]
async fn a_move_the_rules_forbid_is_refused_without_queuing() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let borrower = server.api("borrower").await;
    let desk = server.desk("lender", dir.path()).await;
    let id = new_copy_request(&borrower, desk.api(), "Wrong move").await;
    desk.sync().await.unwrap();

    let outcome = desk.change_status(id, Status::Received).await.unwrap();

    assert!(matches!(outcome, ChangeOutcome::Refused(_)), "{outcome:?}");
    assert!(desk.cache().outbox().unwrap().is_empty());
}

#[tokio::test]
async fn staff_hear_of_a_document_arrived_and_of_a_lending_request_received() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let lender = server.desk("lender", dir.path()).await;
    let borrower = server.desk("borrower", dir.path()).await;
    let id = new_copy_request(borrower.api(), lender.api(), "Heard about").await;
    lender.sync().await.unwrap();
    borrower.sync().await.unwrap();

    let upload = Upload {
        description: "Heard about".into(),
        max_downloads: 5,
        expires_in_days: 90,
    };
    lender
        .api()
        .upload(id, &scan("c03-29.pdf"), &upload, |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        lender.change_status(id, Status::Shipped).await.unwrap(),
        ChangeOutcome::Sent
    );
    let heard = borrower.sync().await.unwrap().events;
    assert!(
        heard.iter().any(
            |e| matches!(e, SyncEvent::DocumentArrived { request_id, filename, .. }
            if *request_id == id && filename == "c03-29.pdf")
        ),
        "{heard:?}"
    );

    assert_eq!(
        borrower.change_status(id, Status::Received).await.unwrap(),
        ChangeOutcome::Sent
    );
    let heard = lender.sync().await.unwrap().events;
    assert!(
        heard.iter().any(
            |e| matches!(e, SyncEvent::LendingReceived { request_id, .. }
            if *request_id == id)
        ),
        "{heard:?}"
    );
}

#[tokio::test]
async fn an_upload_reports_its_bytes_and_a_download_counts_one() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let lender = server.desk("lender", dir.path()).await;
    let borrower = server.desk("borrower", dir.path()).await;
    let id = new_copy_request(borrower.api(), lender.api(), "Uploaded and downloaded").await;
    let file = scan("c03-29.pdf");
    let size = std::fs::metadata(&file).unwrap().len();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();

    let upload = Upload {
        description: "Chapter III".into(),
        max_downloads: 5,
        expires_in_days: 90,
    };
    let attachment = lender
        .api()
        .upload(id, &file, &upload, move |sent, total| {
            record.lock().unwrap().push((sent, total))
        })
        .await
        .unwrap();

    assert_eq!(seen.lock().unwrap().last(), Some(&(size, size)));
    assert_eq!(attachment.size, size);
    assert!(attachment
        .access_text
        .starts_with("5 downloads remaining until "));
    let saved = dir.path().join("saved.pdf");
    let written = borrower
        .api()
        .download(attachment.id, &saved)
        .await
        .unwrap();
    assert_eq!(written, size);
    assert_eq!(
        std::fs::read(&saved).unwrap(),
        std::fs::read(&file).unwrap()
    );
    let after = borrower.api().attachments(id).await.unwrap();
    assert_eq!(after[0].downloads_used, 1);
    assert!(after[0]
        .access_text
        .starts_with("4 downloads remaining until "));
}

#[tokio::test]
async fn a_damaged_pdf_is_refused_with_the_servers_reason() {
    let server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let lender = server.desk("lender", dir.path()).await;
    let borrower = server.api("borrower").await;
    let id = new_copy_request(&borrower, lender.api(), "Damaged").await;

    let upload = Upload {
        description: "Damaged".into(),
        max_downloads: 5,
        expires_in_days: 90,
    };
    let refused = lender
        .api()
        .upload(id, &scan("invalid.pdf"), &upload, |_, _| {})
        .await;

    let error = refused.expect_err("a damaged PDF is refused");
    assert!(error.is_refusal(), "{error:?}");
    assert!(error.to_string().contains("damaged"), "{error}");
}
