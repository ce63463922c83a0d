//! A real SMTP server on loopback for the notice tests: Debian's aiosmtpd,
//! storing every message it accepts in a Maildir.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An aiosmtpd process and the Maildir it fills.
pub struct SmtpServer {
    pub port: u16,
    pub maildir: tempfile::TempDir,
    child: Option<Child>,
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl SmtpServer {
    /// A mail server that is not running yet, on a port of its own.
    pub fn stopped() -> SmtpServer {
        SmtpServer {
            port: free_port(),
            maildir: tempfile::tempdir().expect("temp dir"),
            child: None,
        }
    }

    /// Starts a mail server at once.
    pub async fn start() -> SmtpServer {
        let mut server = SmtpServer::stopped();
        server.run().await;
        server
    }

    /// `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the process and waits until it accepts connections.
    pub async fn run(&mut self) {
        let child = Command::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{}", self.port),
            ])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("/usr/bin/python3 -m aiosmtpd starts (Debian package python3-aiosmtpd)");
        self.child = Some(child);

        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "aiosmtpd listens within 20 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<PathBuf> = ["new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(self.maildir.path().join("mail").join(sub)).ok())
            .flatten()
            .filter_map(|e| Some(e.ok()?.path()))
            .collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
    }

    /// Waits until at least `count` messages have arrived.
    pub async fn wait_for(&self, count: usize) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "{count} message(s) arrive within 30 s; {} did",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
