//! Notices against a real SMTP server on loopback: the patron's "Received
//! with Attachments" mail, the document URL for the borrowing library, and
//! nothing lost when the mail server or Courier itself goes down.

use std::time::{Duration, Instant};

use courier_e2e::smtp::SmtpServer;
use courier_e2e::{body, scan, TestServer};
use mail_parser::MessageParser;
use reqwest::StatusCode;
use serde_json::{json, Value};

const MAIL_FROM: &str = "courier@ill.example.org";

async fn start_with_mail(smtp: &SmtpServer) -> TestServer {
    TestServer::start_with(&[
        "--smtp-url",
        &smtp.url(),
        "--mail-from",
        MAIL_FROM,
        "--notice-retry-seconds",
        "1",
    ])
    .await
}

/// Switches the borrowing library's "Received with Attachments" notice.
async fn set_received_notice(server: &TestServer, borrower: &str, on: bool) {
    let mut settings = body(server.get(borrower, "/api/v1/library").await).await;
    settings["received_with_attachments_notice"] = json!(on);
    let r = server
        .client
        .put(server.url("/api/v1/library"))
        .bearer_auth(borrower)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(body(r).await["received_with_attachments_notice"], on);
}

/// Asks Courier to e-mail attachment 1's document URL to the borrowing library.
async fn send_document_url(server: &TestServer, token: &str) -> reqwest::Response {
    server
        .client
        .post(server.url("/api/v1/attachments/1/notices"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn notices(server: &TestServer, token: &str, request: i64) -> Vec<Value> {
    let list = body(
        server
            .get(token, &format!("/api/v1/notices?request={request}"))
            .await,
    )
    .await;
    list.as_array().unwrap().clone()
}

/// Waits until the request's notices satisfy `done`.
async fn wait_notices(
    server: &TestServer,
    token: &str,
    request: i64,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let list = notices(server, token, request).await;
        if done(&list) {
            return list;
        }
        assert!(
            Instant::now() < deadline,
            "notices reach the expected state: {list:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_patron_gets_links_to_every_attachment_when_the_borrower_marks_it_received() {
    let smtp = SmtpServer::start().await;
    let server = start_with_mail(&smtp).await;
    let borrower = server.sign_in("borrower").await;
    set_received_notice(&server, &borrower, true).await;

    // Request 3 is shipped with two scans; nothing is sent before it is received.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(smtp.messages().is_empty(), "no mail before received");
    server.move_to(&borrower, 3, "received").await;

    let raw = smtp.wait_for(1).await.remove(0);
    let mail = MessageParser::default()
        .parse(&raw)
        .expect("a valid MIME message");
    let from = mail.from().and_then(|f| f.first()).expect("a sender");
    assert_eq!(from.name(), Some("Bay View Academy of Sciences Library"));
    assert_eq!(from.address(), Some(MAIL_FROM));
    let to = mail
        .to()
        .and_then(|t| t.first())
        .and_then(|a| a.address())
        .unwrap();
    assert_eq!(to, "lena.park@patrons.example.org");
    assert!(mail.subject().unwrap().contains("ILL-"));
    let text = mail.body_text(0).expect("a plain-text part").into_owned();
    assert!(mail.body_html(0).is_some(), "an HTML part");

    let attachments = body(
        server
            .get(&borrower, "/api/v1/requests/3/attachments")
            .await,
    )
    .await;
    for attachment in attachments.as_array().unwrap() {
        let url = attachment["document_url"].as_str().unwrap();
        assert!(text.contains(url), "the mail links {url}");
        assert!(text.contains(attachment["access_text"].as_str().unwrap()));
        let page = server.client.get(url).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(
            page.text()
                .await
                .unwrap()
                .contains(attachment["description"].as_str().unwrap()),
            "the link opens the right document"
        );
    }

    let list = wait_notices(&server, &borrower, 3, |l| {
        l.iter().all(|n| n["state"] == "sent")
    })
    .await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["kind"], "received_with_attachments");
    let lender = server.sign_in("lender").await;
    assert_eq!(
        notices(&server, &lender, 3).await[0]["recipient"],
        "the patron",
        "lenders do not see the patron's address"
    );
}

#[tokio::test]
async fn no_patron_mail_when_switched_off_without_an_address_or_without_attachments() {
    let smtp = SmtpServer::start().await;
    let server = start_with_mail(&smtp).await;
    let borrower = server.sign_in("borrower").await;
    let lender = server.sign_in("lender").await;

    // Switched off (the default): request 1 has an attachment and an address.
    server.move_to(&borrower, 1, "received").await;

    set_received_notice(&server, &borrower, true).await;
    // No attachment: request 8 is a shipped loan without documents.
    server.move_to(&borrower, 8, "received").await;
    // No patron address.
    let r = server
        .post_json(&borrower, "/api/v1/requests", json!({"lender": "RVUL", "kind": "copy", "title": "No address", "patron": {"name": "Walk-in Patron"}}))
        .await;
    let id = body(r).await["id"].as_i64().unwrap();
    assert_eq!(
        server
            .upload(&lender, id, "scan.pdf", scan("linn.pdf"), &[])
            .await
            .status(),
        StatusCode::CREATED
    );
    server.move_to(&lender, id, "shipped").await;
    server.move_to(&borrower, id, "received").await;

    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(smtp.messages().is_empty());
    for request in [1, 8, id] {
        assert!(notices(&server, &borrower, request).await.is_empty());
    }
}

#[tokio::test]
async fn the_lender_sends_a_document_url_to_the_borrowing_librarys_ill_address() {
    let smtp = SmtpServer::start().await;
    let server = start_with_mail(&smtp).await;
    let lender = server.sign_in("lender").await;
    let borrower = server.sign_in("borrower").await;

    let r = send_document_url(&server, &borrower).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = send_document_url(&server, &lender).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(body(r).await["state"], "queued");

    let raw = smtp.wait_for(1).await.remove(0);
    let mail = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        mail.from().and_then(|f| f.first()).and_then(|a| a.name()),
        Some("Riverside University Library")
    );
    assert_eq!(
        mail.to().and_then(|t| t.first()).and_then(|a| a.address()),
        Some("ill@bayview.example.org")
    );
    let attachment = &body(server.get(&lender, "/api/v1/requests/1/attachments").await).await[0];
    let text = mail.body_text(0).unwrap();
    assert!(text.contains(attachment["document_url"].as_str().unwrap()));
    assert!(
        text.contains(attachment["access_text"].as_str().unwrap()),
        "the link's limits are stated"
    );
    wait_notices(&server, &lender, 1, |l| {
        l.len() == 1 && l[0]["state"] == "sent"
    })
    .await;

    // Without an ILL address there is nowhere to send it.
    let mut settings = body(server.get(&borrower, "/api/v1/library").await).await;
    settings["ill_email"] = json!("");
    server
        .client
        .put(server.url("/api/v1/library"))
        .bearer_auth(&borrower)
        .json(&settings)
        .send()
        .await
        .unwrap();
    let r = send_document_url(&server, &lender).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_notice_waits_for_a_mail_server_that_is_down_and_is_delivered_once_it_is_back() {
    let mut smtp = SmtpServer::stopped();
    let server = start_with_mail(&smtp).await;
    let lender = server.sign_in("lender").await;
    let r = send_document_url(&server, &lender).await;
    assert_eq!(r.status(), StatusCode::CREATED);

    let failing = wait_notices(&server, &lender, 1, |l| {
        l[0]["attempts"].as_u64() >= Some(2)
    })
    .await;
    assert_eq!(failing[0]["state"], "queued", "still queued, to be retried");
    assert!(
        failing[0]["last_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "the last error is visible"
    );

    smtp.run().await;
    smtp.wait_for(1).await;
    wait_notices(&server, &lender, 1, |l| l[0]["state"] == "sent").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(smtp.messages().len(), 1, "delivered exactly once");
}

#[tokio::test]
async fn a_stored_notice_survives_a_crash_and_is_delivered_once_after_restart() {
    let mut smtp = SmtpServer::stopped();
    let mut server = start_with_mail(&smtp).await;
    let borrower = server.sign_in("borrower").await;
    set_received_notice(&server, &borrower, true).await;
    server.move_to(&borrower, 1, "received").await;
    wait_notices(&server, &borrower, 1, |l| {
        l.len() == 1 && l[0]["attempts"].as_u64() >= Some(1)
    })
    .await;

    server.kill();
    smtp.run().await;
    server.launch().await;

    smtp.wait_for(1).await;
    let borrower = server.sign_in("borrower").await;
    wait_notices(&server, &borrower, 1, |l| l[0]["state"] == "sent").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(smtp.messages().len(), 1, "delivered exactly once");
}

#[tokio::test]
async fn long_non_ascii_titles_and_names_make_valid_mail_without_extra_headers() {
    let smtp = SmtpServer::start().await;
    let server = start_with_mail(&smtp).await;
    let borrower = server.sign_in("borrower").await;
    let lender = server.sign_in("lender").await;
    set_received_notice(&server, &borrower, true).await;

    let title = format!(
        "Über die Zuverlässigkeit: {} – Ångström, Łódź und 東京",
        "sehr lange Titel ".repeat(20)
    );
    let r = server
        .post_json(
            &borrower,
            "/api/v1/requests",
            json!({"lender": "RVUL", "kind": "copy", "title": title,
                   "patron": {"name": "Zoë Ångström-Łukasiewicz", "email": "zoe@patrons.example.org"}}),
        )
        .await;
    let id = body(r).await["id"].as_i64().unwrap();
    server
        .upload(&lender, id, "Zuverlässigkeit.pdf", scan("c03-29.pdf"), &[])
        .await;
    server.move_to(&lender, id, "shipped").await;
    server.move_to(&borrower, id, "received").await;

    let raw = smtp.wait_for(1).await.remove(0);
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n" || w.starts_with(b"\n\n"))
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..head_end]);
    assert!(
        raw.split(|b| *b == b'\n').all(|line| line.len() <= 998),
        "no line over 998 octets"
    );
    assert!(head.is_ascii(), "headers are encoded");
    let names: Vec<String> = head
        .lines()
        .filter(|l| !l.starts_with([' ', '\t']))
        .filter_map(|l| l.split_once(':'))
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    assert!(!names.iter().any(|n| n == "bcc" || n == "cc"), "{names:?}");

    let mail = MessageParser::default().parse(&raw).unwrap();
    assert!(mail.subject().unwrap().contains("Über die Zuverlässigkeit"));
    assert!(mail
        .body_text(0)
        .unwrap()
        .contains("Dear Zoë Ångström-Łukasiewicz,"));
}

#[tokio::test]
async fn without_a_mail_server_notices_are_written_to_the_outbox() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let r = send_document_url(&server, &lender).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    wait_notices(&server, &lender, 1, |l| l[0]["state"] == "sent").await;

    let outbox: Vec<_> = std::fs::read_dir(server.data_dir().join("outbox"))
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(outbox.len(), 1);
    let raw = std::fs::read(outbox[0].path()).unwrap();
    let mail = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        mail.to().and_then(|t| t.first()).and_then(|a| a.address()),
        Some("ill@bayview.example.org")
    );
}

#[tokio::test]
async fn a_notice_refused_for_good_is_marked_failed_and_staff_can_retry_it() {
    let mut smtp = SmtpServer::stopped();
    // A Maildir path that is a file: the mail server answers every message
    // with a permanent error.
    std::fs::write(smtp.maildir.path().join("mail"), b"not a folder").unwrap();
    smtp.run().await;
    let server = start_with_mail(&smtp).await;
    let lender = server.sign_in("lender").await;
    let r = send_document_url(&server, &lender).await;
    let id = body(r).await["id"].as_i64().unwrap();

    let failed = wait_notices(&server, &lender, 1, |l| l[0]["state"] == "failed").await;
    assert_eq!(
        failed[0]["attempts"], 1,
        "a permanent refusal is not retried by itself"
    );
    assert!(
        failed[0]["last_error"].as_str().unwrap().contains("500"),
        "{}",
        failed[0]["last_error"]
    );
    let changes = body(server.get(&lender, "/api/v1/changes?after=0").await).await;
    let request = changes["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == 1)
        .unwrap()
        .clone();
    assert_eq!(
        request["notices"][0]["state"], "failed",
        "the desktop cache learns of the failure"
    );

    let mail = smtp.maildir.path().join("mail");
    std::fs::remove_file(&mail).unwrap();
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(mail.join(sub)).unwrap();
    }
    let r = server
        .client
        .post(server.url(&format!("/api/v1/notices/{id}/retry")))
        .bearer_auth(&lender)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    smtp.wait_for(1).await;
    wait_notices(&server, &lender, 1, |l| l[0]["state"] == "sent").await;
    let r = server
        .client
        .post(server.url(&format!("/api/v1/notices/{id}/retry")))
        .bearer_auth(&lender)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "only failed notices are retried"
    );
}
