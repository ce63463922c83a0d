//! A real Courier server on loopback, filled with the demo data, and desks
//! signed in to it.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use courier_client::{Cache, Desk, StaffApi};
use courier_server::{RunningServer, ServerConfig};
use tempfile::TempDir;

pub const PASSWORD: &str = "courier-demo";

pub struct TestServer {
    pub data: TempDir,
    pub addr: SocketAddr,
    running: Option<RunningServer>,
}

impl TestServer {
    /// A server on a free loopback port, with the demo libraries and requests.
    /// Without a mail server, it writes notices to `outbox/` in its data
    /// folder.
    pub async fn demo() -> TestServer {
        TestServer::demo_mailing_to(None).await
    }

    /// The same, sending notices to the mail server at `smtp_url`.
    pub async fn demo_mailing_to(smtp_url: Option<String>) -> TestServer {
        let data = tempfile::tempdir().expect("data folder");
        courier_server::demo::fill(data.path()).expect("demo data");
        let listen: SocketAddr = "127.0.0.1:0".parse().expect("address");
        let mut config = ServerConfig::new(data.path().to_path_buf(), listen);
        config.smtp_url = smtp_url;
        let running = courier_server::start(config).await.expect("server starts");
        let addr = running.local_addr();
        TestServer {
            data,
            addr,
            running: Some(running),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server; clients now find nobody at its address.
    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
    }

    /// Starts the server again on the same address and data.
    pub async fn restart(&mut self) {
        let config = ServerConfig::new(self.data.path().to_path_buf(), self.addr);
        self.running = Some(
            courier_server::start(config)
                .await
                .expect("server restarts"),
        );
    }

    /// The staff API, signed in as `username`.
    pub async fn api(&self, username: &str) -> StaffApi {
        let api = StaffApi::new(&self.url()).expect("address");
        let session = api.sign_in(username, PASSWORD).await.expect("sign in");
        api.with_token(session.token)
    }

    /// A desk for `username` with a cache file in `dir`.
    pub async fn desk(&self, username: &str, dir: &Path) -> Desk {
        let cache = Cache::open(&dir.join(format!("{username}.sqlite"))).expect("cache");
        Desk::new(self.api(username).await, cache)
    }
}

/// A desk whose server address leads nowhere: the same staff, offline.
pub fn offline_desk(api: &StaffApi, cache_file: &Path) -> Desk {
    let token = token_of(api);
    let nowhere = StaffApi::new(&format!("http://127.0.0.1:{}", free_port())).expect("address");
    Desk::new(
        nowhere.with_token(token),
        Cache::open(cache_file).expect("cache"),
    )
}

fn token_of(api: &StaffApi) -> String {
    api.token().expect("signed in").to_string()
}

/// A loopback port nobody listens on.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// The project's real scan for uploads.
pub fn scan(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/desktop/fixtures")
        .join(name)
}
