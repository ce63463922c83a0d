//! The rules of interlibrary-loan delivery, as plain Rust.
//!
//! Everything here is free of I/O so that the server, the desktop client and
//! their tests all call the same rules: which status moves are allowed and for
//! whom, how large an upload may be, how many downloads and days an attachment
//! may carry, which file types are accepted, and how the remaining access is
//! worded for staff and patrons.

pub mod access;
pub mod api;
pub mod filetype;
pub mod limits;
pub mod number;
pub mod status;

pub use access::{access_state, access_text, AccessState};
pub use filetype::FileType;
pub use limits::{DownloadLimit, ExpiryDays, LimitError, MAX_FILE_SIZE};
pub use number::RequestNumber;
pub use status::{ship_prompt_needed, Kind, MoveError, Role, Status};
