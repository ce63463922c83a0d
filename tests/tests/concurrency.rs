//! No attachment is ever served more times than its limit, however many
//! downloads start at once, through the staff API and patron links alike.

use courier_e2e::{body, scan, TestServer};
use futures::future::join_all;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_simultaneous_downloads_of_a_three_download_file_serve_exactly_three() {
    let server = TestServer::start().await;
    let lender = server.sign_in("lender").await;
    let borrower = server.sign_in("borrower").await;
    let attachment = body(
        server
            .upload(
                &lender,
                1,
                "race.pdf",
                scan("multipage.pdf"),
                &[("max_downloads", "3")],
            )
            .await,
    )
    .await;
    let id = attachment["id"].as_i64().unwrap();
    let document_url = attachment["document_url"].as_str().unwrap().to_owned();

    // Half through the staff API, half through the patron's Download button,
    // each on its own connection.
    let attempts = (0..200).map(|i| {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        let request = if i % 2 == 0 {
            client
                .get(server.url(&format!("/api/v1/attachments/{id}/content")))
                .bearer_auth(&borrower)
        } else {
            client
                .post(&document_url)
                .form(&[("accept_copyright", "yes")])
        };
        async move {
            let r = request.send().await.expect("answers");
            let status = r.status();
            let bytes = r.bytes().await.expect("a body");
            (status, bytes.len())
        }
    });
    let outcomes = join_all(attempts).await;

    let served: Vec<_> = outcomes
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .collect();
    let refused = outcomes
        .iter()
        .filter(|(s, _)| *s == StatusCode::GONE)
        .count();
    assert_eq!(served.len(), 3, "exactly the limit is served");
    assert_eq!(refused, 197, "the rest are refused with 410");
    assert!(
        served
            .iter()
            .all(|(_, len)| *len == scan("multipage.pdf").len()),
        "each served download is whole"
    );

    let list = body(server.get(&lender, "/api/v1/requests/1/attachments").await).await;
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(listed["downloads_used"], 3);
    assert_eq!(listed["access_text"], "0 downloads remaining");
}
