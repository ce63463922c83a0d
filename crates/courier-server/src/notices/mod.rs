//! Sending notices. Each notice is stored before it is sent; a worker sends
//! what is due, through the mail server or, without one, as `.eml` files in
//! the outbox folder, and retries with exponential back-off when the mail
//! server fails, until a bounded number of tries.

pub mod compose;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::{watch, Notify};

use crate::db::notices::{self, Outgoing};
use crate::AppState;

/// Tries before a notice is marked failed for good.
pub const MAX_ATTEMPTS: u32 = 8;
/// The longest wait between two tries.
const MAX_BACKOFF: Duration = Duration::hours(1);

/// Where notices go.
pub enum Transport {
    /// A mail server, over SMTP.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder, when no mail server is configured.
    Outbox(PathBuf),
}

/// Sends stored notices.
pub struct Mailer {
    transport: Transport,
    from: Address,
    retry_base: Duration,
}

/// Why a try failed, and whether trying again may help.
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

impl Mailer {
    /// A mailer for `smtp_url` (`smtp://HOST:PORT`), or for the outbox
    /// folder when there is none.
    pub fn new(
        smtp_url: Option<&str>,
        mail_from: Option<&str>,
        outbox: PathBuf,
        retry_base: StdDuration,
    ) -> anyhow::Result<Mailer> {
        let from: Address = mail_from
            .unwrap_or("courier@localhost")
            .parse()
            .map_err(|e| anyhow::anyhow!("the sender address is not valid: {e}"))?;
        let transport = match smtp_url {
            Some(url) => {
                let (host, port) = smtp_host_port(url)?;
                Transport::Smtp(
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                        .port(port)
                        .timeout(Some(StdDuration::from_secs(30)))
                        .build(),
                )
            }
            None => {
                std::fs::create_dir_all(&outbox)?;
                Transport::Outbox(outbox)
            }
        };
        let retry_base = Duration::from_std(retry_base).unwrap_or(Duration::seconds(30));
        Ok(Mailer {
            transport,
            from,
            retry_base,
        })
    }

    /// The wait before try number `attempts + 1`.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2i32.saturating_pow(attempts.saturating_sub(1).min(20));
        (self.retry_base * factor).min(MAX_BACKOFF)
    }

    /// Sends one notice.
    pub async fn send(&self, notice: &Outgoing) -> Result<(), SendError> {
        let message = message(notice, &self.from).map_err(|e| SendError {
            message: e,
            permanent: true,
        })?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: e.to_string(),
            }),
            Transport::Outbox(dir) => write_eml(dir, notice.id, &message.formatted())
                .await
                .map_err(|e| SendError {
                    message: format!("cannot write to the outbox: {e}"),
                    permanent: false,
                }),
        }
    }
}

/// The host and port of `smtp://HOST[:PORT]`.
fn smtp_host_port(url: &str) -> anyhow::Result<(String, u16)> {
    let invalid = || anyhow::anyhow!("the SMTP URL {url:?} is not valid: use smtp://HOST:PORT");
    let rest = url
        .strip_prefix("smtp://")
        .ok_or_else(invalid)?
        .trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().map_err(|_| invalid())?),
        None => (rest, 25),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.contains(['/', '@']) {
        return Err(invalid());
    }
    Ok((host.to_owned(), port))
}

/// The MIME message of a stored notice: plain text and HTML alternatives,
/// the library's name as the sender's name.
pub fn message(notice: &Outgoing, from: &Address) -> Result<Message, String> {
    let to: Address = notice
        .recipient
        .parse()
        .map_err(|e| format!("the recipient's address is not valid: {e}"))?;
    // Header values are one line; lettre encodes the rest.
    let one_line = |text: &str| -> String {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    let from_name = one_line(&notice.from_name);
    let mut builder = Message::builder()
        .from(Mailbox::new(Some(from_name.clone()), from.clone()))
        .to(Mailbox::new(None, to))
        .subject(one_line(&notice.subject))
        .message_id(Some(notice.message_id.clone()));
    if let Some(reply_to) = notice
        .reply_to
        .as_deref()
        .and_then(|r| r.parse::<Address>().ok())
    {
        builder = builder.reply_to(Mailbox::new(Some(from_name), reply_to));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            notice.body_text.clone(),
            notice.body_html.clone(),
        ))
        .map_err(|e| format!("cannot build the message: {e}"))
}

async fn write_eml(dir: &std::path::Path, id: i64, bytes: &[u8]) -> std::io::Result<()> {
    let path = dir.join(format!("notice-{id:06}.eml"));
    let partial = dir.join(format!(".notice-{id:06}.eml.partial"));
    tokio::fs::write(&partial, bytes).await?;
    tokio::fs::File::open(&partial).await?.sync_all().await?;
    tokio::fs::rename(&partial, &path).await
}

/// Runs the sending loop until `stop` turns true.
pub fn spawn(
    state: AppState,
    mailer: Arc<Mailer>,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        // One server owns the data folder: whatever a crash left mid-try is
        // due again now.
        let restart = state
            .store
            .write(|conn| {
                conn.execute(
                    "UPDATE notices SET next_attempt_at = ?1 WHERE state = 'queued'",
                    [Utc::now().timestamp()],
                )?;
                Ok(())
            })
            .await;
        if let Err(e) = restart {
            tracing::error!(error = %e.message, "cannot resume notices");
        }

        loop {
            let sent = send_due(&state, &mailer).await;
            if sent > 0 {
                continue;
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(StdDuration::from_secs(1)) => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
        }
    });
}

/// Sends every notice that is due; returns how many were tried.
async fn send_due(state: &AppState, mailer: &Mailer) -> usize {
    let lease = Duration::minutes(5);
    let due = match state
        .store
        .write(move |conn| notices::take_due(conn, Utc::now(), lease, 20))
        .await
    {
        Ok(due) => due,
        Err(e) => {
            tracing::error!(error = %e.message, "cannot read due notices");
            return 0;
        }
    };
    let count = due.len();

    for notice in due {
        let id = notice.id;
        let outcome = mailer.send(&notice).await;
        let recorded = match outcome {
            Ok(()) => {
                tracing::info!(notice_id = id, request_id = notice.request_id, kind = ?notice.kind, "notice sent");
                state
                    .store
                    .write(move |conn| notices::mark_sent(conn, id, Utc::now()))
                    .await
            }
            Err(e) => {
                let retry_at = (!e.permanent && notice.attempts < MAX_ATTEMPTS)
                    .then(|| Utc::now() + mailer.backoff(notice.attempts));
                tracing::warn!(notice_id = id, attempts = notice.attempts, retry = retry_at.is_some(), error = %e.message, "notice not sent");
                state
                    .store
                    .write(move |conn| notices::mark_failed(conn, id, &e.message, retry_at))
                    .await
            }
        };
        if let Err(e) = recorded {
            tracing::error!(notice_id = id, error = %e.message, "cannot record a notice's outcome");
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailer(base: u64) -> Mailer {
        let dir = std::env::temp_dir().join("courier-mailer-test");
        Mailer::new(None, None, dir, StdDuration::from_secs(base)).unwrap()
    }

    #[test]
    fn smtp_urls_name_a_host_and_a_port() {
        assert_eq!(
            smtp_host_port("smtp://127.0.0.1:2525").unwrap(),
            ("127.0.0.1".into(), 2525)
        );
        assert_eq!(
            smtp_host_port("smtp://mail.example.org").unwrap(),
            ("mail.example.org".into(), 25)
        );
        assert_eq!(
            smtp_host_port("smtp://[::1]:25").unwrap(),
            ("::1".into(), 25)
        );
        for bad in [
            "http://x:25",
            "smtp://",
            "smtp://x:port",
            "smtp://user@x:25",
        ] {
            assert!(smtp_host_port(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn back_off_doubles_from_the_base_and_is_capped() {
        let m = mailer(30);
        assert_eq!(m.backoff(1), Duration::seconds(30));
        assert_eq!(m.backoff(2), Duration::seconds(60));
        assert_eq!(m.backoff(4), Duration::seconds(240));
        assert_eq!(m.backoff(30), MAX_BACKOFF);
    }

    fn outgoing(subject: &str, from_name: &str) -> Outgoing {
        Outgoing {
            id: 1,
            request_id: 1,
            kind: courier_core::api::NoticeKind::DocumentUrl,
            recipient: "ill@bayview.example.org".into(),
            from_name: from_name.into(),
            reply_to: Some("ill@riverside.example.edu".into()),
            subject: subject.into(),
            body_text: "text".into(),
            body_html: "<p>html</p>".into(),
            message_id: "<x@courier.notice>".into(),
            attempts: 1,
        }
    }

    #[test]
    fn line_breaks_in_a_subject_or_a_name_cannot_add_headers() {
        let from: Address = "courier@riverside.example.edu".parse().unwrap();
        let evil = outgoing(
            "Hello\r\nBcc: victim@example.org",
            "Library\r\nBcc: other@example.org",
        );
        let formatted = String::from_utf8(message(&evil, &from).unwrap().formatted()).unwrap();
        assert!(
            !formatted
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "{formatted}"
        );
    }
}
