//! SIGTERM stops the server only after running transfers have finished.

use std::time::Duration;

use courier_e2e::{body, slow_upload, TestServer};
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_running_upload_finish_before_the_server_stops() {
    let mut server = TestServer::start().await;
    let lender = server.sign_in("lender").await;

    // A 16 MiB PNG sent over about two seconds.
    let signature = b"\x89PNG\r\n\x1a\n";
    let upload = slow_upload(
        &server,
        &lender,
        "slow.png",
        signature,
        16,
        Duration::from_millis(120),
    );
    tokio::time::sleep(Duration::from_millis(600)).await;

    let mut child = server.child.take().expect("the server runs");
    let signalled = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());

    let response = upload.await.unwrap().expect("the upload is answered");
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "the running upload finished"
    );
    assert_eq!(body(response).await["size"], 16 << 20);

    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "the server stopped cleanly: {status:?}");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = TestServer::start_with(&["--header-timeout-seconds", "1"]).await;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();

    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the server closed the connection instead of waiting forever"
    );
    assert!(
        !answer.starts_with(b"HTTP/1.1 200"),
        "no answer to half a request"
    );

    let r = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "others are served as before");
}
