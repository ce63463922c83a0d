//! Demo data: two libraries, their staff, and requests in every list, some
//! with real scanned documents, so that a new user sees real data at once.

use std::path::Path;

use anyhow::{bail, Context};
use courier_core::api::{NewRequest, Patron};
use courier_core::{DownloadLimit, ExpiryDays, FileType, Kind, Status};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::api::hash_password;
use crate::db::attachments::{self, NewAttachment};
use crate::db::libraries::{self, NewLibrary, StaffMember};
use crate::db::{requests, Store};
use crate::documents::{count_pages, Documents};
use crate::error::ApiError;
use crate::tokens::{random_token, DocumentKey};

/// The password of both demo staff members.
pub const PASSWORD: &str = "courier-demo";

/// The scans the demo attaches, kept in the binary so that it runs anywhere.
const SCANS: [(&str, &[u8]); 4] = [
    ("c03-29.pdf", include_bytes!("../demo/c03-29.pdf")),
    ("multipage.pdf", include_bytes!("../demo/multipage.pdf")),
    ("skew.pdf", include_bytes!("../demo/skew.pdf")),
    ("linn.pdf", include_bytes!("../demo/linn.pdf")),
];

/// Whether the data folder holds a database with libraries in it.
pub fn has_data(data_dir: &Path) -> bool {
    let path = data_dir.join("courier.db");
    path.exists()
        && Store::open(&path)
            .ok()
            .and_then(|store| store.write_blocking(libraries::any).ok())
            .unwrap_or(false)
}

/// Fills an empty data folder with the demo; refuses one that holds data.
pub fn fill(data_dir: &Path) -> anyhow::Result<()> {
    if has_data(data_dir) {
        bail!(
            "{} already holds data; the demo fills only an empty data folder",
            data_dir.display()
        );
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let store = Store::open(&data_dir.join("courier.db"))?;
    let documents = Documents::open(data_dir)?;
    let key = DocumentKey::load_or_create(&data_dir.join("document.key"))?;
    let hash = hash_password(PASSWORD)?;

    store
        .write_blocking(|conn| build(conn, &documents, &key, &hash))
        .map_err(|e| anyhow::anyhow!("cannot write the demo: {}", e.message))
}

fn build(
    conn: &Connection,
    documents: &Documents,
    key: &DocumentKey,
    hash: &str,
) -> Result<(), ApiError> {
    let lender_lib = libraries::add_library(
        conn,
        &NewLibrary {
            symbol: "RVUL",
            name: "Riverside University Library",
            ill_email: "ill@riverside.example.edu",
            time_zone: "America/Chicago",
        },
    )?;
    let borrower_lib = libraries::add_library(
        conn,
        &NewLibrary {
            symbol: "BVAS",
            name: "Bay View Academy of Sciences Library",
            ill_email: "ill@bayview.example.org",
            time_zone: "America/New_York",
        },
    )?;
    let lender = libraries::staff_by_id(
        conn,
        libraries::add_staff(conn, lender_lib, "lender", hash)?,
    )?;
    let borrower = libraries::staff_by_id(
        conn,
        libraries::add_staff(conn, borrower_lib, "borrower", hash)?,
    )?;

    let demo = Demo {
        conn,
        documents,
        key,
        lender: &lender,
        borrower: &borrower,
    };
    demo.request(
        Kind::Copy,
        "Serial publication and the Victorian reader",
        "Journal of Book History",
        "Ana Ruiz",
        &[Status::Shipped],
        &[("multipage.pdf", 0)],
    )?;
    demo.request(
        Kind::Copy,
        "Chapter III: The house on the hill",
        "Collected Victorian Fiction",
        "Tom Becker",
        &[Status::Shipped, Status::Received],
        &[("c03-29.pdf", 1)],
    )?;
    demo.request(
        Kind::Copy,
        "Typewriter scans as historical sources",
        "Archival Practice",
        "Lena Park",
        &[Status::WillSupply, Status::Shipped],
        &[("skew.pdf", 0), ("linn.pdf", 0)],
    )?;
    demo.request(
        Kind::Copy,
        "Optical character recognition of skewed pages",
        "Document Analysis Review",
        "Sam Osei",
        &[Status::WillSupply],
        &[],
    )?;
    demo.request(
        Kind::Copy,
        "Letter-size facsimiles in interlibrary loan",
        "ILL Quarterly",
        "Priya Nair",
        &[],
        &[],
    )?;
    demo.request(
        Kind::Copy,
        "Paper permanence in nineteenth-century books",
        "Conservation Notes",
        "Jon Weber",
        &[],
        &[],
    )?;
    demo.request(
        Kind::Loan,
        "A history of the county library service",
        "",
        "Maria Okafor",
        &[],
        &[],
    )?;
    demo.request(
        Kind::Loan,
        "Mapping the river towns",
        "",
        "Ken Ito",
        &[Status::Shipped],
        &[],
    )?;
    Ok(())
}

struct Demo<'a> {
    conn: &'a Connection,
    documents: &'a Documents,
    key: &'a DocumentKey,
    lender: &'a StaffMember,
    borrower: &'a StaffMember,
}

impl Demo<'_> {
    fn request(
        &self,
        kind: Kind,
        title: &str,
        journal: &str,
        patron: &str,
        moves: &[Status],
        scans: &[(&str, u32)],
    ) -> Result<(), ApiError> {
        let email = format!(
            "{}@patrons.example.org",
            patron.to_lowercase().replace(' ', ".")
        );
        let new = NewRequest {
            lender: self.lender.library.symbol.clone(),
            kind,
            title: title.to_owned(),
            author: Some("Example, A.".to_owned()),
            journal: (!journal.is_empty()).then(|| journal.to_owned()),
            volume: (kind == Kind::Copy).then(|| "12".to_owned()),
            issue: (kind == Kind::Copy).then(|| "3".to_owned()),
            year: Some("1998".to_owned()),
            pages: (kind == Kind::Copy).then(|| "45-58".to_owned()),
            patron: Patron {
                name: patron.to_owned(),
                email: Some(email),
            },
        };
        let id = requests::create(self.conn, self.borrower, &new)?;

        let description = match journal {
            "" => title.to_owned(),
            journal => format!("{title} ({journal})"),
        };
        for (part, (name, used)) in scans.iter().enumerate() {
            let description = match scans.len() {
                1 => description.clone(),
                _ => format!("{description}, part {}", part + 1),
            };
            self.attach(id, &description, name, *used)?;
        }
        for to in moves {
            let by = if matches!(to, Status::Received | Status::Completed) {
                self.borrower
            } else {
                self.lender
            };
            requests::move_status(self.conn, by, id, *to)?;
        }
        Ok(())
    }

    fn attach(
        &self,
        request_id: i64,
        description: &str,
        name: &str,
        used: u32,
    ) -> Result<(), ApiError> {
        let bytes = SCANS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| *b)
            .ok_or_else(|| ApiError::internal(name))?;
        let storage_name = random_token();
        let path = self.documents.path(&storage_name);
        std::fs::write(&path, bytes)?;
        let pages = count_pages(&path, FileType::Pdf)?;

        let id = attachments::insert(
            self.conn,
            request_id,
            &NewAttachment {
                filename: name.to_owned(),
                description: description.to_owned(),
                size: bytes.len() as u64,
                pages,
                sha256: hex::encode(Sha256::digest(bytes)),
                media_type: FileType::Pdf.mime().to_owned(),
                storage_name,
                max_downloads: DownloadLimit::default(),
                expires_in: ExpiryDays::default(),
                uploaded_by: self.lender.username.clone(),
            },
            self.key,
        )?;
        for _ in 0..used {
            attachments::count_download(
                self.conn,
                id,
                attachments::Channel::Staff,
                Some("borrower"),
                chrono::Utc::now(),
            )?;
        }
        Ok(())
    }
}
