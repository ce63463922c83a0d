//! Once the expiry passes the file is no longer served, and every channel
//! says so in the same words.

use chrono::{Duration, Utc};
use courier_server::db::to_secs;
use courier_server::{demo, start, AppState, ServerConfig};
use rusqlite::params;

#[tokio::test]
async fn an_expired_attachment_is_refused_with_the_expiry_date_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    demo::fill(dir.path()).unwrap();
    let config = ServerConfig::new(dir.path().to_owned(), "127.0.0.1:0".parse().unwrap());
    let expired_at = Utc::now() - Duration::seconds(1);
    let state = AppState::open(&config).unwrap();
    state
        .store
        .write(move |conn| {
            conn.execute(
                "UPDATE attachments SET expires_at = ?2 WHERE id = ?1",
                params![1, to_secs(expired_at)],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    drop(state);
    let server = start(config).await.unwrap();
    let base = format!("http://{}", server.local_addr());
    let client = reqwest::Client::new();

    let session: serde_json::Value = client
        .post(format!("{base}/api/v1/sessions"))
        .json(&serde_json::json!({"username": "borrower", "password": demo::PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap();
    let date = expired_at
        .with_timezone(&chrono_tz::America::New_York)
        .format("%m/%d/%Y")
        .to_string();
    let expected = format!("Download access expired {date}");
    let attachments = || async {
        let url = format!("{base}/api/v1/requests/1/attachments");
        let r = client.get(url).bearer_auth(token).send().await.unwrap();
        r.json::<serde_json::Value>().await.unwrap()
    };

    let list = attachments().await;
    assert_eq!(list[0]["access_text"], expected);
    assert_eq!(list[0]["downloadable"], false);

    let r = client
        .get(format!("{base}/api/v1/attachments/1/content"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 410);
    let error: serde_json::Value = r.json().await.unwrap();
    assert_eq!(error["error"]["message"], expected);

    let document_url = list[0]["document_url"].as_str().unwrap();
    let r = client
        .post(document_url)
        .form(&[("accept_copyright", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 410);
    assert!(r.text().await.unwrap().contains(&expected));

    let list = attachments().await;
    assert_eq!(list[0]["downloads_used"], 0, "nothing was counted");
    server.shutdown().await;
}
