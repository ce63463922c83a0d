//! The bearer token of a signed-in staff member.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::Utc;

use crate::db::libraries::{self, StaffMember};
use crate::error::ApiError;
use crate::tokens::hash_token;
use crate::AppState;

/// The staff member the request's bearer token belongs to.
pub struct Staff {
    pub member: StaffMember,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            // The scheme's name is case-insensitive (RFC 9110).
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        let token_hash = hash_token(token);

        let lookup = token_hash.clone();
        let member = state
            .store
            .read(move |conn| libraries::session_staff(conn, &lookup, Utc::now()))
            .await?
            .ok_or_else(ApiError::unauthorized)?;

        Ok(Staff { member, token_hash })
    }
}
