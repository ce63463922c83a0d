//! How the server is configured: command-line flags, then `COURIER_*`
//! environment variables, then a TOML file, then defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

/// Everything a server needs to run.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The folder with the database and the documents.
    pub data_dir: PathBuf,
    /// Where to listen.
    pub listen: SocketAddr,
    /// The address patrons reach, for the links in pages and e-mails;
    /// `http://` plus the listen address when not set.
    pub public_url: Option<String>,
    /// `smtp://HOST:PORT` of the mail server for notices.
    pub smtp_url: Option<String>,
    /// The sender address of notices.
    pub mail_from: Option<String>,
    /// How long a staff sign-in lasts.
    pub session_ttl_seconds: u64,
    /// The wait before a failed notice's second try; it doubles each time.
    pub notice_retry_seconds: u64,
    /// How long a client may take to send a request's headers.
    pub header_timeout_seconds: u64,
}

/// The default length of a staff sign-in: a working day and then some.
pub const DEFAULT_SESSION_TTL_SECONDS: u64 = 12 * 60 * 60;

/// The default time a client has to send a request's headers.
pub const DEFAULT_HEADER_TIMEOUT_SECONDS: u64 = 30;

/// The longest staff sign-in allowed.
pub const MAX_SESSION_TTL_SECONDS: u64 = 30 * 24 * 60 * 60;

/// The longest first wait before a failed notice is tried again.
pub const MAX_NOTICE_RETRY_SECONDS: u64 = 24 * 60 * 60;

/// The default first wait before a failed notice is tried again.
pub const DEFAULT_NOTICE_RETRY_SECONDS: u64 = 30;

impl ServerConfig {
    /// A configuration with only the data folder and the address set.
    pub fn new(data_dir: PathBuf, listen: SocketAddr) -> ServerConfig {
        ServerConfig {
            data_dir,
            listen,
            public_url: None,
            smtp_url: None,
            mail_from: None,
            session_ttl_seconds: DEFAULT_SESSION_TTL_SECONDS,
            notice_retry_seconds: DEFAULT_NOTICE_RETRY_SECONDS,
            header_timeout_seconds: DEFAULT_HEADER_TIMEOUT_SECONDS,
        }
    }

    /// Checks the values that have bounds, with a message naming the setting.
    pub fn check(&self) -> anyhow::Result<()> {
        if !(1..=MAX_SESSION_TTL_SECONDS).contains(&self.session_ttl_seconds) {
            anyhow::bail!(
                "session-ttl-seconds must be from 1 to {MAX_SESSION_TTL_SECONDS} (30 days)"
            );
        }
        if !(1..=MAX_NOTICE_RETRY_SECONDS).contains(&self.notice_retry_seconds) {
            anyhow::bail!(
                "notice-retry-seconds must be from 1 to {MAX_NOTICE_RETRY_SECONDS} (a day)"
            );
        }
        if !(1..=600).contains(&self.header_timeout_seconds) {
            anyhow::bail!("header-timeout-seconds must be from 1 to 600");
        }
        if let Some(url) = &self.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                anyhow::bail!("public-url must start with http:// or https://, not {url:?}");
            }
        }
        Ok(())
    }

    /// The address patrons reach, without a trailing slash. Unless set, it
    /// is the listen address, with this machine's name in place of an
    /// address that means "every interface" (`0.0.0.0`, `::`), which no
    /// browser can open.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None if self.listen.ip().is_unspecified() => {
                let host = gethostname::gethostname().to_string_lossy().into_owned();
                let host = if host.is_empty() {
                    "localhost".to_owned()
                } else {
                    host
                };
                format!("http://{host}:{}", self.listen.port())
            }
            None => format!("http://{}", self.listen),
        }
    }
}

/// The settings a TOML file may hold; every one is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub public_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub session_ttl_seconds: Option<u64>,
    pub notice_retry_seconds: Option<u64>,
    pub header_timeout_seconds: Option<u64>,
}

impl FileConfig {
    /// Reads a TOML configuration file.
    pub fn read(path: &std::path::Path) -> anyhow::Result<FileConfig> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not valid: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_defaults_to_the_listen_address() {
        let config = ServerConfig::new("d".into(), "127.0.0.1:8470".parse().unwrap());
        assert_eq!(config.public_url(), "http://127.0.0.1:8470");
        let config = ServerConfig {
            public_url: Some("https://ill.example.org/".into()),
            ..config
        };
        assert_eq!(config.public_url(), "https://ill.example.org");
    }

    #[test]
    fn every_interface_is_replaced_by_the_machines_name() {
        let config = ServerConfig::new("d".into(), "0.0.0.0:8470".parse().unwrap());
        let url = config.public_url();
        assert!(
            url.starts_with("http://") && url.ends_with(":8470"),
            "{url}"
        );
        assert!(!url.contains("0.0.0.0"), "{url}");
    }

    #[test]
    fn bounded_settings_are_checked() {
        let config = ServerConfig::new("d".into(), "127.0.0.1:0".parse().unwrap());
        assert!(config.check().is_ok());
        let long = ServerConfig {
            session_ttl_seconds: u64::MAX,
            ..config.clone()
        };
        assert!(long
            .check()
            .unwrap_err()
            .to_string()
            .contains("session-ttl-seconds"));
        let never = ServerConfig {
            notice_retry_seconds: 0,
            ..config.clone()
        };
        assert!(never
            .check()
            .unwrap_err()
            .to_string()
            .contains("notice-retry-seconds"));
        let ftp = ServerConfig {
            public_url: Some("ftp://x".into()),
            ..config
        };
        assert!(ftp.check().unwrap_err().to_string().contains("public-url"));
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<FileConfig>("data-dir = \"x\"\nlisten = \"0.0.0.0:1\"").is_ok());
        assert!(toml::from_str::<FileConfig>("colour = \"blue\"").is_err());
    }
}
