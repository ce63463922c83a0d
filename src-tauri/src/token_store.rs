//! The session token lives in the operating system's keyring (the Secret
//! Service on Linux), never in a file or the cache.

use keyring::Entry;

const SERVICE: &str = "courier-desktop";

fn entry(server_url: &str, username: &str) -> Result<Entry, String> {
    Entry::new(SERVICE, &format!("{username}@{server_url}")).map_err(explain)
}

/// Keeps `token` for `username` on `server_url`.
pub fn store(server_url: &str, username: &str, token: &str) -> Result<(), String> {
    entry(server_url, username)?
        .set_password(token)
        .map_err(explain)
}

/// The kept token, if there is one.
pub fn load(server_url: &str, username: &str) -> Result<Option<String>, String> {
    match entry(server_url, username)?.get_password() {
        Ok(token) => Ok(Some(token)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(error) => Err(explain(error)),
    }
}

/// Forgets the kept token.
pub fn forget(server_url: &str, username: &str) -> Result<(), String> {
    match entry(server_url, username)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(error) => Err(explain(error)),
    }
}

fn explain(error: keyring::Error) -> String {
    match error {
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => format!(
            "no keyring service is running, so Courier cannot keep you signed in after it \
             closes. Start a Secret Service (GNOME Keyring or KWallet) and sign in again. \
             ({error})"
        ),
        other => format!("the keyring refused to keep the session: {other}"),
    }
}
