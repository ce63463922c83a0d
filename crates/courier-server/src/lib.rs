//! Courier Server: holds ILL requests and their documents, counts downloads
//! and serves the pages patrons open in an ordinary browser.
//!
//! It runs alone as the `courier-server` binary, or inside the desktop app
//! through [`start`].

pub mod api;
pub mod config;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod documents;
pub mod error;
pub mod limiter;
pub mod notices;
pub mod patron;
pub mod purge;
pub mod serve;
pub mod tokens;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::ServerConfig;

use crate::db::Store;
use crate::documents::Documents;
use crate::tokens::DocumentKey;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub documents: Documents,
    pub key: DocumentKey,
    pub public_url: Arc<str>,
    pub session_ttl: chrono::Duration,
    /// Failed guest-tracking sign-ins per address.
    pub track_limiter: Arc<limiter::AttemptLimiter>,
    /// Failed staff sign-ins per address.
    pub sign_in_limiter: Arc<limiter::AttemptLimiter>,
    /// Wakes the notice worker when a notice is stored.
    pub notice_wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// Opens the data folder: the database, the documents and the key.
    pub fn open(config: &ServerConfig) -> anyhow::Result<AppState> {
        config.check()?;
        let dir = &config.data_dir;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let store = Store::open(&dir.join("courier.db"))
            .with_context(|| format!("cannot open the database in {}", dir.display()))?;
        let documents = Documents::open(dir).with_context(|| {
            format!("cannot prepare the documents folders in {}", dir.display())
        })?;
        let known = store
            .write_blocking(db::attachments::storage_names)
            .map_err(|e| anyhow::anyhow!(e.message))?;
        let orphans = documents
            .remove_orphans(&known)
            .with_context(|| format!("cannot tidy the documents folder in {}", dir.display()))?;
        if orphans > 0 {
            tracing::warn!(
                orphans,
                "removed documents that an interrupted upload left behind"
            );
        }

        // Every document link derives from the key: a new key would break
        // the links already sent, so a missing one stops the start.
        let key_path = dir.join("document.key");
        if !key_path.exists() && !known.is_empty() {
            anyhow::bail!(
                "{} is missing, but {} documents' links depend on it: restore it from a backup \
                 of this data folder",
                key_path.display(),
                known.len()
            );
        }
        let key = DocumentKey::load_or_create(&key_path)
            .with_context(|| format!("cannot read or create {}", key_path.display()))?;

        Ok(AppState {
            store,
            documents,
            key,
            public_url: config.public_url().into(),
            session_ttl: chrono::Duration::try_seconds(config.session_ttl_seconds as i64)
                .context("session-ttl-seconds is out of range")?,
            track_limiter: Arc::new(limiter::AttemptLimiter::new(
                patron::track::MAX_FAILURES,
                patron::track::WINDOW,
            )),
            sign_in_limiter: Arc::new(limiter::AttemptLimiter::new(
                api::SIGN_IN_MAX_FAILURES,
                patron::track::WINDOW,
            )),
            notice_wake: Arc::new(tokio::sync::Notify::new()),
        })
    }
}

/// The whole application: staff API, patron pages and health check.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::router())
        .merge(patron::router())
        .route("/healthz", axum::routing::get(healthz))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;

    match state.store.check().await {
        Ok(()) => "ok\n".into_response(),
        Err(e) => e.into_response(),
    }
}

/// A server running in the background of this process.
pub struct RunningServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits for running transfers to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts a server for `config` in the background of this process.
pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    // With port 0 the system picks the port: links must name the real one.
    let config = ServerConfig {
        listen: addr,
        ..config
    };
    let state = AppState::open(&config)?;
    let (stop, stopped) = watch::channel(false);

    let mailer = notices::Mailer::new(
        config.smtp_url.as_deref(),
        config.mail_from.as_deref(),
        config.data_dir.join("outbox"),
        std::time::Duration::from_secs(config.notice_retry_seconds),
    )?;
    purge::spawn(state.clone(), stopped.clone());
    notices::spawn(
        state.clone(),
        Arc::new(mailer),
        state.notice_wake.clone(),
        stopped.clone(),
    );
    let header_timeout = std::time::Duration::from_secs(config.header_timeout_seconds);
    let task = tokio::spawn(serve::run(listener, app(state), header_timeout, stopped));

    tracing::info!(%addr, "listening");
    Ok(RunningServer { addr, stop, task })
}
