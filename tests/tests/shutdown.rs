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
