//! Secrets handed out by the server: staff session tokens, document tokens
//! and download grants. Each is at least 256 random bits, sent once and
//! stored only as its SHA-256.

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh random token of 256 bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The key that turns an attachment's stored nonce into its document token.
///
/// Document tokens are not stored, yet staff must be able to copy an
/// attachment's document URL at any time; so the token is derived from a
/// random per-attachment nonce with this key, which lives in the data folder
/// beside the database and never in it.
#[derive(Clone)]
pub struct DocumentKey([u8; 32]);

impl DocumentKey {
    /// Reads the key from `path`, creating it on first start.
    pub fn load_or_create(path: &Path) -> anyhow::Result<DocumentKey> {
        if let Ok(bytes) = std::fs::read(path) {
            let key: [u8; 32] = bytes.try_into().map_err(|_| {
                anyhow::anyhow!("{} is damaged: it must hold 32 bytes", path.display())
            })?;
            return Ok(DocumentKey(key));
        }

        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        write_private(path, &key)?;
        Ok(DocumentKey(key))
    }

    /// A new random nonce for an attachment, as stored.
    pub fn new_nonce() -> String {
        let mut nonce = [0u8; 16];
        rand::rng().fill_bytes(&mut nonce);
        hex::encode(nonce)
    }

    /// The document token of the attachment with `nonce`.
    pub fn token(&self, nonce: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(b"courier document token\0");
        mac.update(nonce.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_distinct() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
    }

    #[test]
    fn document_tokens_are_stable_per_nonce_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        let key = DocumentKey::load_or_create(&path).unwrap();
        let again = DocumentKey::load_or_create(&path).unwrap();
        let nonce = DocumentKey::new_nonce();
        assert_eq!(key.token(&nonce), again.token(&nonce));
        assert_ne!(key.token(&nonce), key.token(&DocumentKey::new_nonce()));
        assert_eq!(key.token(&nonce).len(), 43);
    }

    #[test]
    fn a_damaged_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, b"short").unwrap();
        assert!(DocumentKey::load_or_create(&path).is_err());
    }
}
