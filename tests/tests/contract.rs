//! The staff API's contract over real HTTP: each address, its answers and
//! its refusals with their status and error shape.

use courier_e2e::{assert_error, body, crafted_pdf, scan, TestServer, DAMAGED_PDF};
use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn health_answers_ok_when_storage_works() {
    let server = TestServer::start().await;
    let r = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_in_returns_a_token_and_the_staff_library() {
    let server = TestServer::start().await;
    let r = server
        .client
        .post(server.url("/api/v1/sessions"))
        .json(&json!({"username": "lender", "password": "courier-demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let session = body(r).await;
    assert!(session["token"].as_str().unwrap().len() >= 32);
    assert_eq!(session["staff"]["username"], "lender");
    assert_eq!(session["staff"]["library"]["symbol"], "RVUL");
    assert_eq!(
        session["staff"]["library"]["name"],
        "Riverside University Library"
    );
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_are_refused_alike() {
    let server = TestServer::start().await;
    for (user, password) in [("lender", "wrong"), ("nobody", "courier-demo")] {
        let r = server
            .client
            .post(server.url("/api/v1/sessions"))
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .unwrap();
        let message = assert_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
        assert_eq!(message, "wrong user name or password");
    }
}

#[tokio::test]
async fn signing_out_ends_the_token() {
    let server = TestServer::start().await;
    let token = server.sign_in("lender").await;
    let r = server
        .client
        .delete(server.url("/api/v1/sessions/current"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = server.get(&token, "/api/v1/requests").await;
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn malformed_bodies_get_the_error_shape() {
    let server = TestServer::start().await;
    let token = server.sign_in("borrower").await;
    let url = server.url("/api/v1/requests");

    let r = server
        .client
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::BAD_REQUEST, "bad_request").await;

    let r = server
        .client
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"title": "no lender"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;

    let r = server
        .client
        .post(&url)
        .bearer_auth(&token)
        .body("title=x")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type").await;

    let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let r = server
        .client
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;

    let r = server.get(&token, "/api/v1/requests/not-a-number").await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;

    let r = server.get(&token, "/api/v1/requests?status=lost").await;
    assert_error(r, StatusCode::BAD_REQUEST, "bad_request").await;

    let r = server
        .client
        .put(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;

    let r = server
        .client
        .get(server.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn borrower_creates_a_request_with_a_number() {
    let server = TestServer::start().await;
    let token = server.sign_in("borrower").await;
    let r = server
        .post_json(
            &token,
            "/api/v1/requests",
            json!({"lender": "RVUL", "kind": "copy", "title": "Ledgers of a lending library",
                   "patron": {"name": "Rosa Patron", "email": "rosa@patrons.example.org"}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let request = body(r).await;
    assert!(request["id"].as_i64().is_some());
    let number = request["number"].as_str().unwrap();
    assert!(
        number.starts_with("ILL-2") && number.len() == "ILL-2026-000123".len(),
        "{number}"
    );
    assert_eq!(request["status"], "pending");
    assert_eq!(request["role"], "borrower");
    assert_eq!(request["history"][0]["to"], "pending");
}

#[tokio::test]
async fn new_requests_are_checked() {
    let server = TestServer::start().await;
    let token = server.sign_in("borrower").await;
    let cases = [
        (
            json!({"lender": "NOPE", "kind": "copy", "title": "t", "patron": {"name": "p"}}),
            "no library",
        ),
        (
            json!({"lender": "BVAS", "kind": "copy", "title": "t", "patron": {"name": "p"}}),
            "itself",
        ),
        (
            json!({"lender": "RVUL", "kind": "copy", "title": " ", "patron": {"name": "p"}}),
            "title",
        ),
        (
            json!({"lender": "RVUL", "kind": "copy", "title": "t", "patron": {"name": "p", "email": "not-an-address"}}),
            "e-mail",
        ),
        (
            json!({"lender": "RVUL", "kind": "copy", "title": "a\r\nBcc: x@y", "patron": {"name": "p"}}),
            "control",
        ),
    ];
    for (value, words) in cases {
        let r = server.post_json(&token, "/api/v1/requests", value).await;
        let message = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        assert!(message.contains(words), "{message:?} names {words:?}");
    }
    let r = server
        .post_json(
            &token,
            "/api/v1/requests",
            json!({"lender": "RVUL", "kind": "gift", "title": "t", "patron": {"name": "p"}}),
        )
        .await;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
}

#[tokio::test]
async fn lists_are_the_librarys_own_newest_first_paged_and_searchable() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let third = server.sign_in("third").await;

    let page = body(
        server
            .get(&lender, "/api/v1/requests?role=lender&per_page=3")
            .await,
    )
    .await;
    assert_eq!(page["total"], 8);
    assert_eq!(page["requests"].as_array().unwrap().len(), 3);
    let ids: Vec<i64> = page["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![8, 7, 6], "newest first");
    assert!(
        page["requests"][0]["patron_name"].is_null(),
        "lenders do not see patrons"
    );

    let page2 = body(
        server
            .get(&lender, "/api/v1/requests?role=lender&per_page=3&page=3")
            .await,
    )
    .await;
    assert_eq!(page2["requests"].as_array().unwrap().len(), 2);

    let pending = body(
        server
            .get(&lender, "/api/v1/requests?role=lender&status=pending")
            .await,
    )
    .await;
    assert!(pending["requests"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "pending"));
    assert_eq!(pending["total"], 3);

    let found = body(server.get(&lender, "/api/v1/requests?q=typewriter").await).await;
    assert_eq!(found["total"], 1);
    assert_eq!(
        found["requests"][0]["title"],
        "Typewriter scans as historical sources"
    );

    let borrower = server.sign_in("borrower").await;
    let by_patron = body(server.get(&borrower, "/api/v1/requests?q=Okafor").await).await;
    assert_eq!(by_patron["total"], 1);
    let not_for_lender = body(server.get(&lender, "/api/v1/requests?q=Okafor").await).await;
    assert_eq!(not_for_lender["total"], 0, "lenders cannot search patrons");

    let none = body(server.get(&third, "/api/v1/requests").await).await;
    assert_eq!(none["total"], 0);
    assert_error(
        server.get(&lender, "/api/v1/requests?per_page=500").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
}

#[tokio::test]
async fn full_details_carry_citation_history_and_attachments() {
    let server = TestServer::start().await;
    let borrower = server.sign_in("borrower").await;
    let detail = body(server.get(&borrower, "/api/v1/requests/3").await).await;
    assert_eq!(detail["title"], "Typewriter scans as historical sources");
    assert_eq!(detail["volume"], "12");
    assert_eq!(detail["patron"]["email"], "lena.park@patrons.example.org");
    let moves: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap())
        .collect();
    assert_eq!(moves, vec!["pending", "will_supply", "shipped"]);
    assert_eq!(detail["attachments"].as_array().unwrap().len(), 2);
    assert_eq!(detail["next_statuses"], json!(["received"]));

    let lender = server.sign_in("lender").await;
    let seen_by_lender = body(server.get(&lender, "/api/v1/requests/3").await).await;
    assert!(seen_by_lender["patron"].is_null());
    assert_eq!(seen_by_lender["next_statuses"], json!([]));

    assert_error(
        server.get(&borrower, "/api/v1/requests/999").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn status_moves_follow_the_table() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let borrower = server.sign_in("borrower").await;
    let id = server.new_request(&borrower, "copy").await;

    server.move_to(&lender, id, "will_supply").await;
    let r = server.try_move(&borrower, id, "shipped").await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    server.move_to(&lender, id, "shipped").await;

    let r = server.try_move(&lender, id, "pending").await;
    let message = assert_error(r, StatusCode::CONFLICT, "status_refused").await;
    assert!(
        message.contains("shipped"),
        "the message names the current status: {message}"
    );

    server.move_to(&borrower, id, "received").await;
    let r = server.try_move(&borrower, id, "returned").await;
    assert_error(r, StatusCode::CONFLICT, "status_refused").await;
    server.move_to(&borrower, id, "completed").await;

    let r = server.try_move(&borrower, id, "flying").await;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let detail = body(
        server
            .get(&borrower, &format!("/api/v1/requests/{id}"))
            .await,
    )
    .await;
    assert_eq!(detail["status"], "completed");
    assert_eq!(detail["history"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn lenders_ship_straight_from_pending_and_loans_are_returned() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let borrower = server.sign_in("borrower").await;
    let id = server.new_request(&borrower, "loan").await;
    server.move_to(&lender, id, "shipped").await;
    server.move_to(&borrower, id, "received").await;
    server.move_to(&borrower, id, "returned").await;
    server.move_to(&borrower, id, "completed").await;

    let cancelled = server.new_request(&borrower, "copy").await;
    server.move_to(&borrower, cancelled, "cancelled").await;
    let r = server.try_move(&lender, cancelled, "shipped").await;
    assert_error(r, StatusCode::CONFLICT, "status_refused").await;
}

#[tokio::test]
async fn a_retried_status_change_with_the_same_key_moves_once() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let borrower = server.sign_in("borrower").await;
    let id = server.new_request(&borrower, "copy").await;
    let send = || {
        server
            .client
            .post(server.url(&format!("/api/v1/requests/{id}/status")))
            .bearer_auth(&lender)
            .header("Idempotency-Key", "outbox-1")
            .json(&json!({"status": "will_supply"}))
            .send()
    };
    assert_eq!(send().await.unwrap().status(), StatusCode::OK);
    let again = send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK, "the first answer again");
    let detail = body(server.get(&lender, &format!("/api/v1/requests/{id}")).await).await;
    assert_eq!(detail["history"].as_array().unwrap().len(), 2, "moved once");

    // The same key for another change is a mistake, not a replay.
    let other = server.new_request(&borrower, "copy").await;
    let r = server
        .client
        .post(server.url(&format!("/api/v1/requests/{other}/status")))
        .bearer_auth(&lender)
        .header("Idempotency-Key", "outbox-1")
        .json(&json!({"status": "will_supply"}))
        .send()
        .await
        .unwrap();
    let message = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert!(message.contains("Idempotency-Key"), "{message}");
    let untouched = body(
        server
            .get(&lender, &format!("/api/v1/requests/{other}"))
            .await,
    )
    .await;
    assert_eq!(untouched["status"], "pending");
}

#[tokio::test]
async fn an_uploaded_scan_is_listed_with_its_hash_pages_and_access() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let bytes = scan("multipage.pdf");
    let sha = hex::encode(Sha256::digest(&bytes));

    let r = server
        .upload(
            &lender,
            4,
            "Kapitel 3 – Müller.pdf",
            bytes.clone(),
            &[("description", "Pages 45-58")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let attachment = body(r).await;
    assert_eq!(attachment["filename"], "Kapitel 3 – Müller.pdf");
    assert_eq!(attachment["description"], "Pages 45-58");
    assert_eq!(attachment["size"], bytes.len());
    assert_eq!(attachment["pages"], 6);
    assert_eq!(attachment["sha256"], sha);
    assert_eq!(attachment["max_downloads"], 5);
    assert_eq!(attachment["downloads_used"], 0);
    let expires: chrono::DateTime<chrono::Utc> =
        attachment["expires_at"].as_str().unwrap().parse().unwrap();
    let uploaded: chrono::DateTime<chrono::Utc> =
        attachment["uploaded_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires - uploaded, chrono::Duration::days(90));
    let date = expires
        .with_timezone(&chrono_tz::America::New_York)
        .format("%m/%d/%Y");
    assert_eq!(
        attachment["access_text"],
        format!("5 downloads remaining until {date}")
    );
    assert!(attachment["document_url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/d/", server.base)));

    let list = body(server.get(&lender, "/api/v1/requests/4/attachments").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    for field in [
        "id",
        "filename",
        "description",
        "size",
        "pages",
        "sha256",
        "max_downloads",
        "downloads_used",
        "expires_at",
        "access_text",
        "document_url",
    ] {
        assert!(!list[0][field].is_null(), "{field} is listed");
    }
}

#[tokio::test]
async fn upload_limits_are_chosen_within_their_ranges() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let ok = body(
        server
            .upload(
                &lender,
                4,
                "a.pdf",
                scan("c03-29.pdf"),
                &[("max_downloads", "1"), ("expires_in_days", "1")],
            )
            .await,
    )
    .await;
    assert_eq!(ok["max_downloads"], 1);
    assert!(ok["access_text"]
        .as_str()
        .unwrap()
        .starts_with("1 download remaining until "));
    assert_eq!(
        ok["description"], "Optical character recognition of skewed pages",
        "the title by default"
    );

    let long = "d".repeat(501);
    let r = server
        .upload(
            &lender,
            4,
            "a.pdf",
            scan("c03-29.pdf"),
            &[("description", &long)],
        )
        .await;
    let message = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert!(message.contains("longer than 500"), "{message}");

    for (field, value) in [
        ("max_downloads", "6"),
        ("max_downloads", "0"),
        ("expires_in_days", "91"),
        ("expires_in_days", "0"),
        ("max_downloads", "five"),
    ] {
        let r = server
            .upload(&lender, 4, "a.pdf", scan("c03-29.pdf"), &[(field, value)])
            .await;
        assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    }
    let list = body(server.get(&lender, "/api/v1/requests/4/attachments").await).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "refused uploads leave nothing"
    );
}

#[tokio::test]
async fn damaged_pdfs_and_other_types_are_refused_by_content() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;

    let r = server
        .upload(&lender, 4, "article.pdf", DAMAGED_PDF.to_vec(), &[])
        .await;
    let message = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert!(message.contains("damaged"), "{message}");

    let r = server
        .upload(
            &lender,
            4,
            "article.pdf",
            b"PK\x03\x04 a zip file named like a pdf".to_vec(),
            &[],
        )
        .await;
    assert_error(r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type").await;

    let r = server
        .upload(&lender, 4, "empty.pdf", Vec::new(), &[])
        .await;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;

    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0".to_vec();
    let r = server.upload(&lender, 4, "page-scan.bin", png, &[]).await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "a PNG is accepted whatever its name"
    );
    assert_eq!(body(r).await["media_type"], "image/png");

    let list = body(server.get(&lender, "/api/v1/requests/4/attachments").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let stored = std::fs::read_dir(server.data_dir().join("documents"))
        .unwrap()
        .count();
    let incoming = std::fs::read_dir(server.data_dir().join("incoming"))
        .unwrap()
        .count();
    assert_eq!(
        (stored, incoming),
        (4 + 1, 0),
        "the demo's four scans and the PNG, nothing else"
    );
}

#[tokio::test]
async fn uploads_are_for_the_lender_while_the_request_is_open() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let borrower = server.sign_in("borrower").await;
    let r = server
        .upload(&borrower, 4, "a.pdf", scan("c03-29.pdf"), &[])
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = server
        .upload(&lender, 2, "a.pdf", scan("c03-29.pdf"), &[])
        .await;
    let message = assert_error(r, StatusCode::CONFLICT, "status_refused").await;
    assert!(message.contains("received"), "{message}");
    let r = server
        .upload(&lender, 1, "a.pdf", scan("c03-29.pdf"), &[])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "shipped requests still take uploads"
    );
}

#[tokio::test]
async fn a_declared_oversize_upload_is_refused_before_it_is_read() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    // Declare 200 MiB but send only a few bytes: the answer must come
    // without waiting for the rest.
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    let head = format!(
        "POST /api/v1/requests/4/attachments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {lender}\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {}\r\n\r\n--b\r\n",
        200 * 1024 * 1024
    );
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("\"too_large\""), "{text}");
}

#[tokio::test]
async fn exactly_125_mib_is_accepted_and_one_byte_more_is_refused_while_streaming() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let limit = 131_072_000usize;
    // A PNG signature and zeros: a real type, without the cost of parsing.
    let mut bytes = vec![0u8; limit];
    bytes[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");

    let r = server
        .upload(&lender, 4, "big.png", bytes.clone(), &[])
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(body(r).await["size"], limit);

    // One byte more, sent in chunks without a declared length.
    bytes.push(0);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        bytes.chunks(1 << 20).map(|c| Ok(c.to_vec())).collect();
    let part =
        reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
            .file_name("big.png");
    let r = server
        .client
        .post(server.url("/api/v1/requests/4/attachments"))
        .bearer_auth(&lender)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    let list = body(server.get(&lender, "/api/v1/requests/4/attachments").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_staff_download_counts_one_and_sends_the_file_with_its_name() {
    let server = TestServer::start().await;
    let borrower = server.sign_in("borrower").await;
    let r = server.get(&borrower, "/api/v1/attachments/1/content").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["content-length"], "1120291");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        disposition,
        "attachment; filename=\"multipage.pdf\"; filename*=UTF-8''multipage.pdf"
    );
    let grant = r.headers()["courier-download-grant"]
        .to_str()
        .unwrap()
        .to_owned();
    let bytes = r.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), scan("multipage.pdf").as_slice());

    let list = body(
        server
            .get(&borrower, "/api/v1/requests/1/attachments")
            .await,
    )
    .await;
    assert_eq!(list[0]["downloads_used"], 1);
    assert!(list[0]["access_text"]
        .as_str()
        .unwrap()
        .starts_with("4 downloads remaining until "));

    // The same download resumed in ranges under its grant counts nothing.
    let r = server
        .client
        .get(server.url(&format!("/api/v1/attachments/1/content?grant={grant}")))
        .bearer_auth(&borrower)
        .header("range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()["content-range"], "bytes 100-199/1120291");
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        &scan("multipage.pdf")[100..200]
    );
    let head = server
        .client
        .head(server.url(&format!("/api/v1/attachments/1/content?grant={grant}")))
        .bearer_auth(&borrower)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-length"], "1120291");
    let head = server
        .client
        .head(server.url("/api/v1/attachments/1/content"))
        .bearer_auth(&borrower)
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.status(),
        StatusCode::OK,
        "HEAD without a grant counts nothing"
    );
    let list = body(
        server
            .get(&borrower, "/api/v1/requests/1/attachments")
            .await,
    )
    .await;
    assert_eq!(list[0]["downloads_used"], 1);

    // A grant resumes its download, but sends at most the file's size again.
    let granted = |range: &'static str| {
        server
            .client
            .get(server.url(&format!("/api/v1/attachments/1/content?grant={grant}")))
            .bearer_auth(&borrower)
            .header("range", range)
            .send()
    };
    let rest = granted("bytes=200-").await.unwrap();
    assert_eq!(rest.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(rest.bytes().await.unwrap().len(), 1_120_291 - 200);
    let again = granted("bytes=0-999").await.unwrap();
    let message = assert_error(again, StatusCode::GONE, "gone").await;
    assert!(message.contains("download again (it counts)"), "{message}");

    let r = server
        .client
        .get(server.url("/api/v1/attachments/1/content?grant=forged"))
        .bearer_auth(&borrower)
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::GONE, "gone").await;
}

#[tokio::test]
async fn a_used_up_attachment_is_no_longer_served() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let borrower = server.sign_in("borrower").await;
    let attachment = body(
        server
            .upload(
                &lender,
                1,
                "one.pdf",
                scan("linn.pdf"),
                &[("max_downloads", "2")],
            )
            .await,
    )
    .await;
    let id = attachment["id"].as_i64().unwrap();
    for _ in 0..2 {
        assert_eq!(
            server
                .get(&borrower, &format!("/api/v1/attachments/{id}/content"))
                .await
                .status(),
            StatusCode::OK
        );
    }
    let r = server
        .get(&borrower, &format!("/api/v1/attachments/{id}/content"))
        .await;
    let message = assert_error(r, StatusCode::GONE, "gone").await;
    assert_eq!(message, "0 downloads remaining");
    let head = server
        .client
        .head(server.url(&format!("/api/v1/attachments/{id}/content")))
        .bearer_auth(&borrower)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::GONE, "HEAD answers as GET would");
    let list = body(server.get(&lender, "/api/v1/requests/1/attachments").await).await;
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(listed["access_text"], "0 downloads remaining");
    assert_eq!(listed["downloads_used"], 2);
}

#[tokio::test]
async fn a_withdrawn_attachment_stays_listed_but_is_not_served() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let borrower = server.sign_in("borrower").await;
    let r = server
        .client
        .delete(server.url("/api/v1/attachments/1"))
        .bearer_auth(&borrower)
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = server
        .client
        .delete(server.url("/api/v1/attachments/1"))
        .bearer_auth(&lender)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = server
        .client
        .delete(server.url("/api/v1/attachments/1"))
        .bearer_auth(&lender)
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::CONFLICT, "already_withdrawn").await;

    let r = server.get(&borrower, "/api/v1/attachments/1/content").await;
    assert_error(r, StatusCode::GONE, "gone").await;
    let list = body(
        server
            .get(&borrower, "/api/v1/requests/1/attachments")
            .await,
    )
    .await;
    assert!(list[0]["withdrawn_at"].is_string());
    assert_eq!(list[0]["downloadable"], false);
}

#[tokio::test]
async fn the_change_feed_lists_changed_requests_after_a_number() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let borrower = server.sign_in("borrower").await;

    let first = body(server.get(&lender, "/api/v1/changes?after=0").await).await;
    assert_eq!(first["requests"].as_array().unwrap().len(), 8);
    let next = first["next"].as_i64().unwrap();
    assert!(next > 0);
    assert_eq!(first["has_more"], false);

    let quiet = body(
        server
            .get(&lender, &format!("/api/v1/changes?after={next}"))
            .await,
    )
    .await;
    assert!(quiet["requests"].as_array().unwrap().is_empty());
    assert_eq!(quiet["next"], next);

    server.move_to(&lender, 4, "shipped").await;
    let _ = server
        .get(&borrower, "/api/v1/attachments/1/content")
        .await
        .bytes()
        .await;
    let changed = body(
        server
            .get(&lender, &format!("/api/v1/changes?after={next}"))
            .await,
    )
    .await;
    let ids: Vec<i64> = changed["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![4, 1]);
    assert_eq!(
        changed["requests"][1]["attachments"][0]["downloads_used"], 1,
        "download counts follow"
    );
    assert!(changed["next"].as_i64().unwrap() > next);

    let third = server.sign_in("third").await;
    let nothing = body(server.get(&third, "/api/v1/changes?after=0").await).await;
    assert!(nothing["requests"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_openapi_document_describes_every_staff_address() {
    let server = TestServer::start().await;
    let doc = body(
        server
            .client
            .get(server.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/sessions",
        "/api/v1/sessions/current",
        "/api/v1/requests",
        "/api/v1/requests/{id}",
        "/api/v1/requests/{id}/status",
        "/api/v1/requests/{id}/attachments",
        "/api/v1/attachments/{id}/content",
        "/api/v1/attachments/{id}",
        "/api/v1/changes",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is described");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn staff_read_and_change_their_own_librarys_settings() {
    let server = TestServer::start().await;
    let borrower = server.sign_in("borrower").await;
    let settings = body(server.get(&borrower, "/api/v1/library").await).await;
    assert_eq!(settings["symbol"], "BVAS");
    assert_eq!(settings["time_zone"], "America/New_York");
    assert_eq!(settings["received_with_attachments_notice"], false);
    assert!(!settings["copyright_notice"].as_str().unwrap().is_empty());

    let update = json!({"ill_email": "loans@bayview.example.org", "time_zone": "Europe/Berlin",
                        "copyright_notice": "For research only.", "received_with_attachments_notice": true,
                        "iso_partner": true});
    let r = server
        .client
        .put(server.url("/api/v1/library"))
        .bearer_auth(&borrower)
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let changed = body(server.get(&borrower, "/api/v1/library").await).await;
    assert_eq!(changed["ill_email"], "loans@bayview.example.org");
    assert_eq!(changed["iso_partner"], true);
    let lender = server.sign_in("lender").await;
    assert_eq!(
        body(server.get(&lender, "/api/v1/library").await).await["symbol"],
        "RVUL",
        "each library its own"
    );

    // Access dates follow the borrowing library's new zone.
    let list = body(
        server
            .get(&borrower, "/api/v1/requests/1/attachments")
            .await,
    )
    .await;
    let expires: chrono::DateTime<chrono::Utc> =
        list[0]["expires_at"].as_str().unwrap().parse().unwrap();
    let date = expires
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%m/%d/%Y");
    assert_eq!(
        list[0]["access_text"],
        format!("5 downloads remaining until {date}")
    );

    for (field, value) in [
        ("time_zone", json!("Mars/Olympus")),
        ("ill_email", json!("not an address")),
        ("copyright_notice", json!(" ")),
    ] {
        let mut bad = update.clone();
        bad[field] = value;
        let r = server
            .client
            .put(server.url("/api/v1/library"))
            .bearer_auth(&borrower)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    }
    assert_eq!(
        body(server.get(&borrower, "/api/v1/library").await).await,
        changed,
        "refusals change nothing"
    );
}

#[tokio::test]
async fn document_and_session_tokens_are_long_and_stored_only_as_hashes() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let list = body(server.get(&lender, "/api/v1/requests/3/attachments").await).await;
    let tokens: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            a["document_url"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(tokens.len(), 2);
    assert_ne!(tokens[0], tokens[1]);

    let mut stored = Vec::new();
    for name in ["courier.db", "courier.db-wal"] {
        stored.extend(std::fs::read(server.data_dir().join(name)).unwrap_or_default());
    }
    assert!(stored.len() > 10_000, "the database was read");
    for token in tokens.iter().chain([&lender]) {
        // URL-safe base64 without padding: 6 bits a character.
        assert!(token.len() * 6 >= 128, "{token} carries at least 128 bits");
        let found = stored.windows(token.len()).any(|w| w == token.as_bytes());
        assert!(!found, "the token {token} is not stored as it is");
    }
}

#[tokio::test]
async fn hostile_pdfs_are_refused_as_damaged_and_the_server_stays_up() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;

    let plain = server
        .upload(&lender, 4, "plain.pdf", crafted_pdf(b"", 1), &[])
        .await;
    assert_eq!(
        body(plain).await["pages"],
        1,
        "the crafted file is a valid PDF"
    );

    let deep = [b"/X ".to_vec(), b"[".repeat(100_000), b"]".repeat(100_000)].concat();
    let lying = crafted_pdf(b"", 4_000_000_000);
    for (name, pdf) in [("deep.pdf", crafted_pdf(&deep, 1)), ("lying.pdf", lying)] {
        let r = server.upload(&lender, 4, name, pdf, &[]).await;
        let message = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        assert!(message.contains("damaged"), "{name}: {message}");
    }
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
    let list = body(server.get(&lender, "/api/v1/requests/4/attachments").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}
