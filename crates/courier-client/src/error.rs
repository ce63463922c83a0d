//! What can go wrong between the desktop and the server, in words staff can
//! act on.

/// Why a call to the server or the cache did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server did not answer: it is stopped, unreachable or too slow.
    /// Work goes on from the cache; changes wait in the outbox.
    #[error("the server at {url} cannot be reached ({reason})")]
    Offline { url: String, reason: String },

    /// The server answered with an error of the staff API.
    #[error("{message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },

    /// The server answered something that is not the staff API.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),

    /// A file chosen for upload cannot be sent, before any byte goes out.
    #[error("{0}")]
    Refused(String),

    /// The local cache failed.
    #[error("the local cache failed: {0}")]
    Cache(#[from] rusqlite::Error),

    /// A local file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ClientError {
    /// Whether the server could not be reached, so that trying later may work.
    pub fn is_offline(&self) -> bool {
        matches!(self, ClientError::Offline { .. })
    }

    /// Whether the server gave a final "no" to what was asked: trying the
    /// same thing again would get the same answer.
    pub fn is_refusal(&self) -> bool {
        match self {
            ClientError::Api { status, .. } => {
                (400..500).contains(status) && *status != 401 && *status != 408 && *status != 429
            }
            _ => false,
        }
    }

    /// The HTTP status the server answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}
