//! What staff wait for in the desktop app: the first sync of a library with
//! 10,000 requests into an empty cache, and opening a Request Manager list
//! over 100,000 cached requests. Run by `bench/run` (see BENCHMARKS.md).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use courier_client::{Cache, Desk, ListQuery, StaffApi};
use courier_core::api::{NewRequest, Patron, RequestDetail};
use courier_core::{Kind, Role, Status};
use courier_server::ServerConfig;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use futures_util::StreamExt;

const SYNCED: usize = 10_000;
const LISTED: i64 = 100_000;
const PASSWORD: &str = "courier-demo";

/// A server with the demo data and 10,000 more requests from the borrower.
async fn server_with_requests(data: &std::path::Path) -> (courier_server::RunningServer, String) {
    courier_server::demo::fill(data).expect("demo data");
    let listen: SocketAddr = "127.0.0.1:0".parse().expect("address");
    let running = courier_server::start(ServerConfig::new(data.to_path_buf(), listen))
        .await
        .expect("server starts");
    let url = format!("http://{}", running.local_addr());

    let borrower = signed_in(&url, "borrower").await;
    futures_util::stream::iter(0..SYNCED)
        .map(|i| {
            let borrower = borrower.clone();
            async move {
                let request = NewRequest {
                    lender: "RVUL".into(),
                    kind: Kind::Copy,
                    title: format!("Serial fiction in the provincial press, part {i}"),
                    author: Some("A. Reader".into()),
                    journal: Some("Victorian Periodicals Review".into()),
                    volume: Some("12".into()),
                    issue: Some("3".into()),
                    year: Some("1998".into()),
                    pages: Some("101-119".into()),
                    patron: Patron {
                        name: format!("Patron {i}"),
                        email: Some(format!("patron{i}@example.org")),
                    },
                };
                borrower.create_request(&request).await.expect("request");
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
    (running, url)
}

async fn signed_in(url: &str, username: &str) -> StaffApi {
    let api = StaffApi::new(url).expect("address");
    let session = api.sign_in(username, PASSWORD).await.expect("sign in");
    api.with_token(session.token)
}

/// `count` copies of `template`, each its own pending lending request.
fn lending_requests(template: &RequestDetail, ids: std::ops::Range<i64>) -> Vec<RequestDetail> {
    let mut value = serde_json::to_value(template).expect("json");
    value["role"] = serde_json::json!(Role::Lender);
    value["status"] = serde_json::json!(Status::Pending);
    ids.map(|id| {
        value["id"] = id.into();
        value["number"] = format!("ILL-2026-{id:06}").into();
        value["created_at"] =
            serde_json::json!(template.summary.created_at + chrono::Duration::seconds(id));
        serde_json::from_value(value.clone()).expect("request")
    })
    .collect()
}

fn desk(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let data = tempfile::tempdir().expect("data folder");
    let (_server, url) = runtime.block_on(server_with_requests(data.path()));
    let borrower = runtime.block_on(signed_in(&url, "borrower"));

    let mut group = c.benchmark_group("desk");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(10));

    group.bench_function("sync_10000_requests", |b| {
        b.iter_custom(|iterations| {
            let mut spent = Duration::ZERO;
            for _ in 0..iterations {
                let dir = tempfile::tempdir().expect("cache folder");
                let cache = Cache::open(&dir.path().join("cache.sqlite")).expect("cache");
                let desk = Desk::new(borrower.clone(), cache);
                let began = Instant::now();
                let report = runtime.block_on(desk.sync()).expect("sync");
                spent += began.elapsed();
                assert!(report.pulled >= SYNCED, "pulled {}", report.pulled);
            }
            spent
        })
    });

    let dir = tempfile::tempdir().expect("cache folder");
    let cache = Cache::open(&dir.path().join("cache.sqlite")).expect("cache");
    let template = runtime
        .block_on(borrower.request(1))
        .expect("a request to copy");
    for start in (1..=LISTED).step_by(1000) {
        let page = lending_requests(&template, start..start + 1000);
        cache.apply(&page, start + 999).expect("stored");
    }
    let desk = Desk::new(borrower.clone(), cache);
    // What the Request Manager asks for: the newest page of the list.
    let pending = ListQuery {
        role: Some(Role::Lender),
        statuses: vec![Status::Pending],
        search: None,
        limit: Some(courier_client::LIST_PAGE),
    };
    group.bench_function("list_first_page_of_100000", |b| {
        b.iter(|| {
            let rows = desk.list(&pending).expect("list");
            assert_eq!(rows.len(), courier_client::LIST_PAGE as usize);
            rows.len()
        })
    });
    group.finish();
}

criterion_group!(benches, desk);
criterion_main!(benches);
