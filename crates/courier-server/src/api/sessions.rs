//! Signing staff in and out.

use argon2::{Argon2, PasswordHash, PasswordVerifier};
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use chrono::Utc;
use courier_core::api::{Session, SessionCreate, StaffInfo};

use super::{Json, Staff};
use crate::db::libraries;
use crate::error::ApiError;
use crate::tokens::{hash_token, random_token};
use crate::AppState;

/// Failed staff sign-ins allowed per address within 15 minutes.
pub const SIGN_IN_MAX_FAILURES: u32 = 10;

/// Password checks running at the same time, at most.
static PASSWORD_CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// A hash that no password matches, checked when the user is unknown so that
/// both refusals take the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Yf9LqO3TIXb3Wb2F8MByqWYL9sH5ewxNHrv9o2uCVpI";

/// Signs a staff member in with their user name and password.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions",
    request_body = SessionCreate,
    responses((status = 201, body = Session), (status = 401, body = courier_core::api::ErrorBody)))]
#[tracing::instrument(skip_all, fields(username = %body.username))]
pub async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(body): Json<SessionCreate>,
) -> Result<(StatusCode, Json<Session>), ApiError> {
    if !state.sign_in_limiter.try_begin(peer.ip()) {
        tracing::warn!("sign-in rate-limited");
        return Err(ApiError::rate_limited());
    }
    let username = body.username.trim().to_owned();
    let found = state
        .store
        .read(move |conn| libraries::password_hash(conn, &username))
        .await?;

    let (staff_id, hash) = match &found {
        Some((id, hash)) => (Some(*id), hash.clone()),
        None => (None, DUMMY_HASH.to_owned()),
    };
    let password = body.password;
    // Each check takes about 19 MiB for a moment: a few at a time.
    let permit = PASSWORD_CHECKS
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    let verified = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        verify_password(&password, &hash)
    })
    .await
    .map_err(ApiError::internal)?;
    let Some(staff_id) = staff_id.filter(|_| verified) else {
        tracing::warn!("sign-in refused");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "wrong user name or password",
        ));
    };

    state.sign_in_limiter.succeeded(peer.ip());
    let token = random_token();
    let expires_at = Utc::now() + state.session_ttl;
    let token_hash = hash_token(&token);
    let member = state
        .store
        .write(move |conn| {
            libraries::create_session(conn, staff_id, &token_hash, expires_at)?;
            libraries::staff_by_id(conn, staff_id)
        })
        .await?;

    tracing::debug!(library = %member.library.symbol, "signed in");
    let staff = StaffInfo {
        username: member.username,
        library: member.library.reference(),
    };
    Ok((
        StatusCode::CREATED,
        Json(Session {
            token,
            expires_at,
            staff,
        }),
    ))
}

/// Signs the current session out.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "sessions",
    responses((status = 204), (status = 401, body = courier_core::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete(State(state): State<AppState>, staff: Staff) -> Result<StatusCode, ApiError> {
    let token_hash = staff.token_hash;
    state
        .store
        .write(move |conn| libraries::delete_session(conn, &token_hash))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hashes a new password for storage.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    use argon2::password_hash::SaltString;
    use argon2::PasswordHasher;
    use rand::RngCore;

    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| anyhow::anyhow!("cannot salt the password: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("courier-demo").unwrap();
        assert!(verify_password("courier-demo", &hash));
        assert!(!verify_password("courier-dem0", &hash));
        assert!(!verify_password("courier-demo", "not a hash"));
        assert!(!verify_password("anything", DUMMY_HASH));
    }
}
