//! Files are purged once expired or used up, after a grace day; withdrawn
//! files at once. Records, counts and download history stay.

use chrono::{Duration, Utc};
use courier_server::db::{attachments, to_secs};
use courier_server::{demo, purge, AppState, ServerConfig};
use rusqlite::params;

fn open() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    demo::fill(dir.path()).unwrap();
    let config = ServerConfig::new(dir.path().to_owned(), "127.0.0.1:0".parse().unwrap());
    let state = AppState::open(&config).unwrap();
    (dir, state)
}

async fn set(state: &AppState, sql: &'static str, id: i64, at: chrono::DateTime<Utc>) {
    state
        .store
        .write(move |conn| {
            conn.execute(sql, params![id, to_secs(at)])?;
            Ok(())
        })
        .await
        .unwrap();
}

async fn stored(state: &AppState, id: i64) -> attachments::StoredAttachment {
    state
        .store
        .read(move |conn| attachments::get(conn, id))
        .await
        .unwrap()
}

#[tokio::test]
async fn an_expired_file_is_kept_for_a_grace_day_then_purged_and_its_record_stays() {
    let (_dir, state) = open();
    let path = state.documents.path(&stored(&state, 1).await.storage_name);

    set(
        &state,
        "UPDATE attachments SET expires_at = ?2 WHERE id = ?1",
        1,
        Utc::now() - Duration::hours(23),
    )
    .await;
    assert_eq!(purge::run(&state).await.unwrap(), 0, "within the grace day");
    assert!(path.exists());

    set(
        &state,
        "UPDATE attachments SET expires_at = ?2 WHERE id = ?1",
        1,
        Utc::now() - Duration::hours(25),
    )
    .await;
    assert_eq!(purge::run(&state).await.unwrap(), 1);
    assert!(!path.exists());

    let record = stored(&state, 1).await;
    assert!(record.purged_at.is_some());
    assert_eq!(record.sha256.len(), 64, "the record stays");
    assert_eq!(purge::run(&state).await.unwrap(), 0, "purged once");
}

#[tokio::test]
async fn a_used_up_file_is_purged_a_day_after_its_last_download_with_its_count_kept() {
    let (_dir, state) = open();
    // Attachment 2 (request 2) has one download used; use up the rest.
    state
        .store
        .write(|conn| {
            for _ in 0..4 {
                assert!(attachments::count_download(
                    conn,
                    2,
                    attachments::Channel::Patron,
                    None,
                    Utc::now()
                )?);
            }
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(
        purge::run(&state).await.unwrap(),
        0,
        "not before a grace day"
    );

    set(
        &state,
        "UPDATE attachments SET last_download_at = ?2 WHERE id = ?1",
        2,
        Utc::now() - Duration::days(2),
    )
    .await;
    assert_eq!(purge::run(&state).await.unwrap(), 1);
    let record = stored(&state, 2).await;
    assert_eq!(record.downloads_used, 5);
    let history: i64 = state
        .store
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT COUNT(*) FROM downloads WHERE attachment_id = 2",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(history, 5, "the download history stays");
}

#[tokio::test]
async fn a_withdrawn_file_is_purged_at_the_next_run() {
    let (_dir, state) = open();
    let path = state.documents.path(&stored(&state, 3).await.storage_name);
    state
        .store
        .write(|conn| attachments::withdraw(conn, 3, Utc::now()))
        .await
        .unwrap();
    assert_eq!(purge::run(&state).await.unwrap(), 1);
    assert!(!path.exists());
}

#[tokio::test]
async fn an_open_file_is_never_purged() {
    let (_dir, state) = open();
    assert_eq!(purge::run(&state).await.unwrap(), 0);
    assert_eq!(
        std::fs::read_dir(state.documents.path("")).unwrap().count(),
        4
    );
}
