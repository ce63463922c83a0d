//! The staff API over HTTP: one method per call of SPEC section 4 that the
//! desktop uses, each returning the shapes of `courier_core::api`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use courier_core::api::{
    Attachment, ChangePage, ErrorBody, LibrarySettings, LibrarySettingsUpdate, NewRequest, Notice,
    RequestDetail, RequestPage, Session, SessionCreate, StatusChange,
};
use courier_core::limits::check_file_size;
use courier_core::{Role, Status};
use futures_util::StreamExt;
use reqwest::{multipart, Body, Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use tokio_util::io::ReaderStream;

use crate::ClientError;

/// How long a small call may take before the server counts as unreachable.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// A connection to one Courier server, signed in or not.
#[derive(Clone)]
pub struct StaffApi {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

/// Which requests a list call asks for.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub role: Option<Role>,
    pub status: Option<Status>,
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A request just created.
#[derive(Debug, Clone, Deserialize)]
pub struct Created {
    pub id: i64,
    pub number: String,
}

/// One file to upload, with the limits it will carry.
#[derive(Debug, Clone)]
pub struct Upload {
    pub description: String,
    pub max_downloads: u32,
    pub expires_in_days: u32,
}

impl StaffApi {
    /// Connects to the server at `base_url` (such as `http://127.0.0.1:8470`).
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        let base = base_url.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::Refused(format!(
                "server address {base:?} must start with http:// or https://"
            )));
        }

        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        Ok(StaffApi {
            base,
            http,
            token: None,
        })
    }

    /// The same connection, sending `token` with every call.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The session token, once signed in.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The server's address, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Whether the server answers `GET /healthz`.
    pub async fn health(&self) -> Result<(), ClientError> {
        let response = self
            .send(self.http.get(self.url("/healthz")).timeout(CALL_TIMEOUT))
            .await?;
        check(response).await.map(drop)
    }

    /// Signs in and returns the new session with its token.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<Session, ClientError> {
        let body = SessionCreate {
            username: username.into(),
            password: password.into(),
        };
        let call = self.http.post(self.url("/api/v1/sessions")).json(&body);
        self.json(call.timeout(CALL_TIMEOUT)).await
    }

    /// Ends the session on the server.
    pub async fn sign_out(&self) -> Result<(), ClientError> {
        let call = self.call(Method::DELETE, "/api/v1/sessions/current");
        check(self.send(call).await?).await.map(drop)
    }

    /// One page of the library's requests, newest first.
    pub async fn requests(&self, query: &RequestQuery) -> Result<RequestPage, ClientError> {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(role) = query.role {
            params.push(("role", role.as_str().into()));
        }
        if let Some(status) = query.status {
            params.push(("status", status.as_str().into()));
        }
        if let Some(q) = &query.q {
            params.push(("q", q.clone()));
        }
        params.push(("page", query.page.unwrap_or(1).to_string()));
        params.push(("per_page", query.per_page.unwrap_or(50).to_string()));
        self.json(self.call(Method::GET, "/api/v1/requests").query(&params))
            .await
    }

    /// Creates a request as the borrowing library; returns its id and number.
    pub async fn create_request(&self, request: &NewRequest) -> Result<Created, ClientError> {
        self.json(self.call(Method::POST, "/api/v1/requests").json(request))
            .await
    }

    /// A request with its citation, patron, history and attachments.
    pub async fn request(&self, id: i64) -> Result<RequestDetail, ClientError> {
        self.json(self.call(Method::GET, &format!("/api/v1/requests/{id}")))
            .await
    }

    /// Moves a request to `status`. The server makes the move once per
    /// `idempotency_key`: sending the same key again returns the first answer.
    pub async fn change_status(
        &self,
        id: i64,
        status: Status,
        idempotency_key: &str,
    ) -> Result<(), ClientError> {
        let call = self
            .call(Method::POST, &format!("/api/v1/requests/{id}/status"))
            .header("Idempotency-Key", idempotency_key)
            .json(&StatusChange { status });
        check(self.send(call).await?).await.map(drop)
    }

    /// The "Uploaded Files" list of a request.
    pub async fn attachments(&self, request_id: i64) -> Result<Vec<Attachment>, ClientError> {
        let path = format!("/api/v1/requests/{request_id}/attachments");
        self.json(self.call(Method::GET, &path)).await
    }

    /// Uploads the file at `path`, calling `progress(sent, total)` as its
    /// bytes are handed to the connection.
    pub async fn upload(
        &self,
        request_id: i64,
        path: &Path,
        upload: &Upload,
        progress: impl Fn(u64, u64) + Send + Sync + 'static,
    ) -> Result<Attachment, ClientError> {
        let file = tokio::fs::File::open(path).await?;
        let total = file.metadata().await?.len();
        check_file_size(total).map_err(|e| ClientError::Refused(e.to_string()))?;

        let progress = Arc::new(progress);
        let mut sent = 0u64;
        let body = ReaderStream::new(file).map(move |chunk| {
            if let Ok(bytes) = &chunk {
                sent = sent.saturating_add(bytes.len() as u64);
                progress(sent, total);
            }
            chunk
        });
        let filename = path
            .file_name()
            .map_or("document".into(), |n| n.to_string_lossy());
        let file_part = multipart::Part::stream_with_length(Body::wrap_stream(body), total)
            .file_name(filename.into_owned())
            .mime_str("application/octet-stream")
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let form = multipart::Form::new()
            .text("description", upload.description.clone())
            .text("max_downloads", upload.max_downloads.to_string())
            .text("expires_in_days", upload.expires_in_days.to_string())
            .part("file", file_part);

        let path = format!("/api/v1/requests/{request_id}/attachments");
        let call = self
            .authorized(self.http.post(self.url(&path)))
            .multipart(form);
        decode(check(self.send(call).await?).await?).await
    }

    /// Downloads an attachment to `dest`, which counts one download. The file
    /// appears under its name only once it is complete.
    pub async fn download(&self, attachment_id: i64, dest: &Path) -> Result<u64, ClientError> {
        let path = format!("/api/v1/attachments/{attachment_id}/content");
        let call = self.authorized(self.http.get(self.url(&path)));
        let response = check(self.send(call).await?).await?;

        let mut partial = dest.as_os_str().to_owned();
        partial.push(".part");
        let partial = std::path::PathBuf::from(partial);
        let mut out = tokio::fs::File::create(&partial).await?;
        let mut written = 0u64;
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let bytes = chunk.map_err(|e| self.offline(&e))?;
            out.write_all(&bytes).await?;
            written = written.saturating_add(bytes.len() as u64);
        }
        out.sync_all().await?;
        drop(out);
        tokio::fs::rename(&partial, dest).await?;
        Ok(written)
    }

    /// The requests that changed after change number `after`.
    pub async fn changes(&self, after: i64) -> Result<ChangePage, ClientError> {
        let call = self
            .call(Method::GET, "/api/v1/changes")
            .query(&[("after", after)]);
        self.json(call).await
    }

    /// The settings of the signed-in staff's library.
    pub async fn library(&self) -> Result<LibrarySettings, ClientError> {
        self.json(self.call(Method::GET, "/api/v1/library")).await
    }

    /// Changes the library's settings; the server refuses bad input with a
    /// message that says what to fix.
    pub async fn update_library(
        &self,
        update: &LibrarySettingsUpdate,
    ) -> Result<LibrarySettings, ClientError> {
        self.json(self.call(Method::PUT, "/api/v1/library").json(update))
            .await
    }

    /// The notices of a request, oldest first.
    pub async fn notices(&self, request_id: i64) -> Result<Vec<Notice>, ClientError> {
        let call = self
            .call(Method::GET, "/api/v1/notices")
            .query(&[("request", request_id)]);
        self.json(call).await
    }

    /// Has the server e-mail an attachment's document URL to the borrowing
    /// library's ILL address (lender staff only). Returns the stored notice.
    pub async fn send_document_url(&self, attachment_id: i64) -> Result<Notice, ClientError> {
        let path = format!("/api/v1/attachments/{attachment_id}/notices");
        self.json(self.call(Method::POST, &path)).await
    }

    /// Queues a failed notice again.
    pub async fn retry_notice(&self, notice_id: i64) -> Result<(), ClientError> {
        let call = self.call(Method::POST, &format!("/api/v1/notices/{notice_id}/retry"));
        check(self.send(call).await?).await.map(drop)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn authorized(&self, call: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(token) => call.bearer_auth(token),
            None => call,
        }
    }

    fn call(&self, method: Method, path: &str) -> RequestBuilder {
        self.authorized(self.http.request(method, self.url(path)))
            .timeout(CALL_TIMEOUT)
    }

    async fn send(&self, call: RequestBuilder) -> Result<Response, ClientError> {
        call.send().await.map_err(|e| self.offline(&e))
    }

    async fn json<T: DeserializeOwned>(&self, call: RequestBuilder) -> Result<T, ClientError> {
        decode(check(self.send(call).await?).await?).await
    }

    fn offline(&self, error: &reqwest::Error) -> ClientError {
        let reason = if error.is_timeout() {
            "no answer in time".to_string()
        } else if error.is_connect() {
            "connection refused or no route".to_string()
        } else {
            error.to_string()
        };
        ClientError::Offline {
            url: self.base.clone(),
            reason,
        }
    }
}

/// Turns an error answer into [`ClientError::Api`] with the server's words.
async fn check(response: Response) -> Result<Response, ClientError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }

    let text = response.text().await.unwrap_or_default();
    let (code, message) = match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => (body.error.code, body.error.message),
        Err(_) => ("http".to_string(), format!("the server answered {status}")),
    };
    Err(ClientError::Api {
        status: status.as_u16(),
        code,
        message,
    })
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    let bytes = response
        .bytes()
        .await
        .map_err(|e| ClientError::Protocol(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(e.to_string()))
}
