//! Who may call each staff address: the request's lender, its borrower, the
//! staff of a third library, a caller without a token, and one whose token
//! has expired.

use std::time::Duration;

use courier_e2e::{assert_error, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A staff address with its body, if any.
struct Call {
    method: Method,
    path: String,
    body: Option<serde_json::Value>,
}

fn call(method: Method, path: &str, body: Option<serde_json::Value>) -> Call {
    Call {
        method,
        path: path.to_owned(),
        body,
    }
}

async fn send(server: &TestServer, token: Option<&str>, call: &Call) -> reqwest::Response {
    let mut request = server
        .client
        .request(call.method.clone(), server.url(&call.path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = &call.body {
        request = request.json(body);
    }
    request.send().await.expect("answers")
}

/// Every staff address that names a request or attachment of BVAS and RVUL.
fn request_calls() -> Vec<Call> {
    vec![
        call(Method::GET, "/api/v1/requests/4", None),
        call(
            Method::POST,
            "/api/v1/requests/4/status",
            Some(json!({"status": "will_supply"})),
        ),
        call(Method::GET, "/api/v1/requests/1/attachments", None),
        call(Method::GET, "/api/v1/attachments/1/content", None),
        call(Method::DELETE, "/api/v1/attachments/3", None),
    ]
}

#[tokio::test]
async fn a_third_librarys_staff_are_forbidden_every_request_address() {
    let server = TestServer::start().await;
    let third = server.sign_in("third").await;
    for call in request_calls() {
        let r = send(&server, Some(&third), &call).await;
        assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let r = server
        .upload(&third, 4, "a.pdf", courier_e2e::scan("c03-29.pdf"), &[])
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;

    // Nothing changed: the lender still sees the request pending and the
    // attachment untouched.
    let lender = server.sign_in("lender").await;
    let detail = courier_e2e::body(server.get(&lender, "/api/v1/requests/4").await).await;
    assert_eq!(detail["status"], "will_supply");
    let list = courier_e2e::body(server.get(&lender, "/api/v1/requests/1/attachments").await).await;
    assert_eq!(list[0]["downloads_used"], 0);
}

#[tokio::test]
async fn every_staff_address_needs_a_token() {
    let server = TestServer::start().await;
    let mut calls = request_calls();
    calls.extend([
        call(Method::GET, "/api/v1/requests", None),
        call(
            Method::POST,
            "/api/v1/requests",
            Some(json!({"lender": "RVUL", "kind": "copy", "title": "t", "patron": {"name": "p"}})),
        ),
        call(Method::POST, "/api/v1/requests/4/attachments", None),
        call(Method::GET, "/api/v1/changes?after=0", None),
        call(Method::DELETE, "/api/v1/sessions/current", None),
    ]);
    for call in &calls {
        let r = send(&server, None, call).await;
        assert_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
        let r = send(&server, Some("not-a-real-token"), call).await;
        assert_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

#[tokio::test]
async fn an_expired_token_is_refused_everywhere() {
    // Times are kept in whole seconds: a two-second sign-in lasts at least one.
    let server = TestServer::start_with(&["--session-ttl-seconds", "2"]).await;
    let lender = server.sign_in("lender").await;
    assert_eq!(
        server.get(&lender, "/api/v1/requests").await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(3100)).await;

    let mut calls = request_calls();
    calls.push(call(Method::GET, "/api/v1/requests", None));
    calls.push(call(Method::GET, "/api/v1/changes", None));
    for call in &calls {
        let r = send(&server, Some(&lender), call).await;
        assert_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

#[tokio::test]
async fn lender_only_and_borrower_only_actions_are_enforced() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let borrower = server.sign_in("borrower").await;

    // Only the lender uploads and withdraws.
    let r = server
        .upload(&borrower, 4, "a.pdf", courier_e2e::scan("c03-29.pdf"), &[])
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = server
        .client
        .delete(server.url("/api/v1/attachments/3"))
        .bearer_auth(&borrower)
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;

    // Only the lender ships; only the borrower receives and cancels.
    let r = server.try_move(&borrower, 4, "shipped").await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = server.try_move(&lender, 1, "received").await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = server.try_move(&lender, 5, "cancelled").await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;

    // Both sides read the request and its attachments, and both may download.
    for token in [&lender, &borrower] {
        assert_eq!(
            server.get(token, "/api/v1/requests/1").await.status(),
            StatusCode::OK
        );
        assert_eq!(
            server
                .get(token, "/api/v1/requests/1/attachments")
                .await
                .status(),
            StatusCode::OK
        );
        assert_eq!(
            server
                .get(token, "/api/v1/attachments/1/content")
                .await
                .status(),
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_read_whatever_its_case() {
    let server = TestServer::start().await;
    let token = server.sign_in("lender").await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let r = server
            .client
            .get(server.url("/api/v1/requests"))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{scheme}");
    }
    let r = server
        .client
        .get(server.url("/api/v1/requests"))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn failed_staff_sign_ins_are_rate_limited_per_address() {
    let server = TestServer::start().await;
    let attempt = |password: &'static str| {
        server
            .client
            .post(server.url("/api/v1/sessions"))
            .json(&json!({"username": "lender", "password": password}))
            .send()
    };
    let answers = futures::future::join_all((0..30).map(|_| attempt("guess"))).await;
    let refused = answers
        .iter()
        .filter(|r| r.as_ref().unwrap().status() == StatusCode::UNAUTHORIZED)
        .count();
    let limited = answers
        .iter()
        .filter(|r| r.as_ref().unwrap().status() == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (refused, limited),
        (10, 20),
        "ten checked, even when racing; the rest refused unchecked"
    );

    let r = attempt("courier-demo").await.unwrap();
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn racing_guest_tracking_attempts_cannot_pass_the_limit() {
    let server = TestServer::start().await;
    let attempts = (0..40).map(|_| {
        server
            .client
            .post(server.url("/track"))
            .form(&[
                ("number", "ILL-2026-000001"),
                ("email", "someone.else@example.org"),
            ])
            .send()
    });
    let answers = futures::future::join_all(attempts).await;
    let checked = answers
        .iter()
        .filter(|r| r.as_ref().unwrap().status() == StatusCode::NOT_FOUND)
        .count();
    let limited = answers
        .iter()
        .filter(|r| r.as_ref().unwrap().status() == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, limited), (5, 35));
}
