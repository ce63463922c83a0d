//! Starts a real `courier-server` process on a loopback port in a temporary
//! data folder filled with the demo, and talks to it as clients would.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

pub mod smtp;

/// The demo staff's password.
pub const PASSWORD: &str = "courier-demo";

/// The server binary: `COURIER_SERVER_BIN` (set by `scripts/test`, which has
/// built the whole workspace), or else the workspace's debug build of
/// courier-server, brought up to date once.
pub fn server_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(path) = std::env::var_os("COURIER_SERVER_BIN") {
            return PathBuf::from(path);
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace root");
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "-q",
                "-p",
                "courier-server",
                "--bin",
                "courier-server",
            ])
            .current_dir(root)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "courier-server builds");
        root.join("target/debug/courier-server")
    })
    .clone()
}

/// A running server with the demo data and a third library (`THRD`, staff
/// `third`) that takes part in no request.
pub struct TestServer {
    pub dir: tempfile::TempDir,
    pub base: String,
    pub port: u16,
    pub child: Option<Child>,
    extra_args: Vec<String>,
    pub client: Client,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(&[]).await
    }

    /// Starts a server with extra command-line flags.
    pub async fn start_with(extra: &[&str]) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let run = |args: &[&str], input: Option<&str>| {
            let mut child = Command::new(server_bin())
                .args(args)
                .arg("--data-dir")
                .arg(dir.path())
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()
                .expect("courier-server starts");
            if let Some(input) = input {
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(input.as_bytes())
                    .expect("write stdin");
            }
            assert!(
                child.wait().expect("waits").success(),
                "courier-server {args:?} succeeds"
            );
        };
        run(&["demo"], None);
        run(
            &[
                "add-library",
                "--symbol",
                "THRD",
                "--name",
                "Third Library",
                "--time-zone",
                "Europe/Berlin",
            ],
            None,
        );
        run(
            &["add-staff", "--library", "THRD", "--username", "third"],
            Some("third-password\n"),
        );

        let mut server = TestServer {
            dir,
            base: String::new(),
            port: 0,
            child: None,
            extra_args: extra.iter().map(|s| s.to_string()).collect(),
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        };
        server.launch().await;
        server
    }

    /// Starts (or restarts) the server process on the same folder, on the
    /// port the system chose the first time.
    pub async fn launch(&mut self) {
        let mut child = Command::new(server_bin())
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(["--listen", &format!("127.0.0.1:{}", self.port)])
            .args(&self.extra_args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("courier-server starts");
        let stdout = child.stdout.take().expect("stdout");
        self.child = Some(child);

        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
            .expect("the server says where it listens");
        let base = line
            .trim()
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "the server says where it listens: {line:?}"
        );
        self.port = base
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port");
        self.base = base;

        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = self.client.get(self.url("/healthz")).send().await {
                if r.status() == StatusCode::OK {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the server answers /healthz within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the process at once, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Signs in and returns the bearer token.
    pub async fn sign_in(&self, username: &str) -> String {
        let password = if username == "third" {
            "third-password"
        } else {
            PASSWORD
        };
        let r = self
            .client
            .post(self.url("/api/v1/sessions"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .expect("sign-in answers");
        assert_eq!(r.status(), StatusCode::CREATED, "{username} signs in");
        body(r).await["token"].as_str().expect("a token").to_owned()
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("answers")
    }

    pub async fn post_json(&self, token: &str, path: &str, value: Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&value)
            .send()
            .await
            .expect("answers")
    }

    /// Creates a request from BVAS to RVUL as `borrower` and returns its id.
    pub async fn new_request(&self, borrower: &str, kind: &str) -> i64 {
        let r = self
            .post_json(
                borrower,
                "/api/v1/requests",
                json!({"lender": "RVUL", "kind": kind, "title": "Reading rooms of the 1890s",
                       "author": "Hale, M.", "journal": "Library History", "volume": "4", "issue": "2",
                       "year": "2001", "pages": "10-22",
                       "patron": {"name": "Rosa Patron", "email": "rosa@patrons.example.org"}}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        body(r).await["id"].as_i64().expect("an id")
    }

    /// Asks to move a request to `status`, and returns the answer.
    pub async fn try_move(&self, token: &str, id: i64, status: &str) -> Response {
        self.post_json(
            token,
            &format!("/api/v1/requests/{id}/status"),
            json!({"status": status}),
        )
        .await
    }

    /// Moves a request, asserting success.
    pub async fn move_to(&self, token: &str, id: i64, status: &str) {
        let r = self.try_move(token, id, status).await;
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "move to {status}: {}",
            r.text().await.unwrap_or_default()
        );
    }

    /// Uploads `bytes` as `filename` with optional limit fields.
    pub async fn upload(
        &self,
        token: &str,
        request_id: i64,
        filename: &str,
        bytes: Vec<u8>,
        fields: &[(&str, &str)],
    ) -> Response {
        let mut form = Form::new().part("file", Part::bytes(bytes).file_name(filename.to_owned()));
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        self.client
            .post(self.url(&format!("/api/v1/requests/{request_id}/attachments")))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload answers")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A response's JSON body.
pub async fn body(r: Response) -> Value {
    r.json().await.expect("a JSON body")
}

/// Asserts the contract's error shape and code, and returns the message.
pub async fn assert_error(r: Response, status: StatusCode, code: &str) -> String {
    assert_eq!(r.status(), status, "status");
    let value = body(r).await;
    assert_eq!(value["error"]["code"], code, "error code in {value}");
    let message = value["error"]["message"]
        .as_str()
        .expect("an error message")
        .to_owned();
    assert!(!message.is_empty());
    message
}

/// One of the real scans shipped with the demo.
pub fn scan(name: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    std::fs::read(root.join("crates/courier-server/demo").join(name)).expect("the scan exists")
}

/// The damaged PDF: a header and nothing else.
pub const DAMAGED_PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n% nothing follows\n";

/// A small PDF of three objects whose catalog carries `catalog_extra` and
/// whose page tree claims `count` pages, with a correct cross-reference table.
pub fn crafted_pdf(catalog_extra: &[u8], count: u64) -> Vec<u8> {
    let objects: [Vec<u8>; 3] = [
        [
            b"<< /Type /Catalog /Pages 2 0 R ".as_slice(),
            catalog_extra,
            b" >>",
        ]
        .concat(),
        format!("<< /Type /Pages /Kids [3 0 R] /Count {count} >>").into_bytes(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>".to_vec(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 4\n0000000000 65535 f \n");
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

/// Starts uploading, as `lender`, a file of `mib` MiB to request 4, one MiB
/// every `pause`, beginning with `signature`: slow enough for a test to act
/// while it is under way. The answer comes through the returned task.
pub fn slow_upload(
    server: &TestServer,
    lender: &str,
    filename: &str,
    signature: &'static [u8],
    mib: u32,
    pause: std::time::Duration,
) -> tokio::task::JoinHandle<reqwest::Result<Response>> {
    let chunks = futures::stream::unfold(0u32, move |sent| async move {
        if sent == mib {
            return None;
        }
        tokio::time::sleep(pause).await;
        let mut chunk = vec![0u8; 1 << 20];
        if sent == 0 {
            chunk[..signature.len()].copy_from_slice(signature);
        }
        Some((Ok::<_, std::io::Error>(chunk), sent + 1))
    });
    let part = Part::stream(reqwest::Body::wrap_stream(chunks)).file_name(filename.to_owned());
    let upload = server
        .client
        .post(server.url("/api/v1/requests/4/attachments"))
        .bearer_auth(lender)
        .multipart(Form::new().part("file", part))
        .send();
    tokio::spawn(upload)
}
