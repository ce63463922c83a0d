//! Courier's staff client: everything the desktop app does that needs no
//! window.
//!
//! - [`StaffApi`] speaks the server's staff API over HTTP.
//! - [`Cache`] keeps every request the staff's library can see, with its
//!   attachments and download counts, in a local SQLite file, and holds the
//!   outbox of status changes waiting for the server.
//! - [`Desk`] puts the two together: lists and details answered from the
//!   cache, kept fresh by following `/api/v1/changes`, and status changes
//!   sent through the outbox so that each reaches the server exactly once,
//!   even across a crash or a night offline.
//! - [`view`] holds the shapes the staff interface receives. Their TypeScript
//!   bindings, and those of the API types of `courier_core::api`, are
//!   generated from the Rust types (see `tests/bindings.rs`).

mod api;
mod cache;
mod desk;
mod error;
mod outbox;
pub mod view;

pub use api::{Created, RequestQuery, StaffApi, Upload};
pub use cache::{Cache, ListQuery, LIST_PAGE};
pub use desk::{ChangeOutcome, Desk, SyncEvent, SyncReport};
pub use error::ClientError;
pub use outbox::{OutboxEntry, OutboxState};
