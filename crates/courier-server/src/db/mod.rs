//! The SQLite store: one database in the data folder, opened in WAL mode,
//! migrated on start, and used from blocking threads so that SQLite never
//! stalls the async runtime.

pub mod attachments;
pub mod changes;
pub mod libraries;
pub mod notices;
pub mod requests;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use crate::error::ApiError;

/// A pool of connections to the server's database.
#[derive(Clone)]
pub struct Store {
    pool: r2d2::Pool<SqliteConnectionManager>,
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("schema.sql")),
        M::up(include_str!("notices.sql")),
        M::up(include_str!("grants_and_keys.sql")),
    ])
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        let manager = SqliteConnectionManager::file(path).with_init(|conn| {
            conn.busy_timeout(Duration::from_secs(10))?;
            conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        });

        // WAL mode is a property of the file: set it once, before the pool
        // opens connections that could contend for it.
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        migrations().to_latest(&mut conn)?;
        drop(conn);

        let pool = r2d2::Pool::builder().max_size(8).build(manager)?;

        Ok(Store { pool })
    }

    /// Runs `f` with a connection on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let conn = pool.get().map_err(ApiError::internal)?;
            f(&conn)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Runs `f` in an immediate (write-locked) transaction on a blocking
    /// thread, committing when it returns `Ok`.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            write_now(&mut *pool.get().map_err(ApiError::internal)?, f)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Runs `f` in a write transaction on the calling thread, for the
    /// command-line tools.
    pub fn write_blocking<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        write_now(&mut *self.pool.get().map_err(ApiError::internal)?, f)
    }

    /// Runs a quick read and write against the database, for `/healthz`.
    pub async fn check(&self) -> Result<(), ApiError> {
        self.write(|conn| {
            conn.execute_batch("CREATE TEMP TABLE IF NOT EXISTS health (x); DELETE FROM health;")?;
            Ok(())
        })
        .await
    }
}

fn write_now<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Connection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = f(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// Seconds since the epoch, as stored.
pub fn to_secs(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

/// A stored time back as a date.
pub fn from_secs(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }
}
