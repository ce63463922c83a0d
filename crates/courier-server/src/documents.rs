//! The documents folder: uploads are streamed to a temporary file while
//! hashed and counted, judged by their content, then renamed into place only
//! once complete, so that a crash never leaves half a document behind.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use courier_core::filetype::SNIFF_LEN;
use courier_core::{FileType, MAX_FILE_SIZE};
use sha2::{Digest, Sha256};
use tokio::fs::File;
use tokio::io::AsyncWriteExt;

use crate::error::ApiError;

/// Where documents live: `documents/` for complete files and `incoming/` for
/// uploads in progress.
#[derive(Debug, Clone)]
pub struct Documents {
    stored: PathBuf,
    incoming: PathBuf,
}

impl Documents {
    /// Opens the folders under `data_dir`, creating them if needed, and
    /// removes what an earlier run left unfinished.
    pub fn open(data_dir: &Path) -> std::io::Result<Documents> {
        let documents = Documents {
            stored: data_dir.join("documents"),
            incoming: data_dir.join("incoming"),
        };
        std::fs::create_dir_all(&documents.stored)?;
        std::fs::create_dir_all(&documents.incoming)?;

        for entry in std::fs::read_dir(&documents.incoming)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::remove_file(entry.path())?;
            }
        }
        Ok(documents)
    }

    /// The path of a stored document.
    pub fn path(&self, storage_name: &str) -> PathBuf {
        self.stored.join(storage_name)
    }

    /// Starts receiving an upload.
    pub async fn begin(&self) -> Result<Incoming, ApiError> {
        let storage_name = crate::tokens::random_token();
        let path = self.incoming.join(&storage_name);
        let file = File::create(&path).await?;
        Ok(Incoming {
            file,
            temp: TempFile(path),
            storage_name,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
        })
    }

    /// Moves a checked upload into place and makes the move durable.
    pub async fn commit(&self, upload: &Received) -> Result<(), ApiError> {
        tokio::fs::rename(&upload.temp.0, self.path(&upload.storage_name)).await?;
        let dir = self.stored.clone();
        tokio::task::spawn_blocking(move || std::fs::File::open(dir)?.sync_all())
            .await
            .map_err(ApiError::internal)??;
        Ok(())
    }

    /// Deletes a stored document; a missing file is not an error.
    pub fn remove(&self, storage_name: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.path(storage_name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Deletes stored files that no record refers to: what a crash between
    /// the rename and the database commit can leave.
    pub fn remove_orphans(
        &self,
        known: &std::collections::HashSet<String>,
    ) -> std::io::Result<usize> {
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.stored)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // Folders and hidden files (a volume's lost+found, a .keep) are
            // not Courier's: storage names are URL-safe Base64.
            if !entry.file_type()?.is_file() || name.starts_with('.') {
                continue;
            }
            if !known.contains(&name) {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// A file in the incoming folder, removed when dropped: an upload given up
/// for any reason, a client gone mid-way included, leaves nothing behind.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        // After the rename into place there is nothing left to remove.
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An upload being received.
pub struct Incoming {
    file: File,
    temp: TempFile,
    storage_name: String,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
}

impl Incoming {
    /// Appends a chunk; refuses the upload as soon as it passes the limit.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), ApiError> {
        self.size += chunk.len() as u64;
        if self.size > MAX_FILE_SIZE {
            self.discard().await;
            return Err(ApiError::too_large());
        }
        if self.head.len() < SNIFF_LEN {
            let take = (SNIFF_LEN - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        if let Err(e) = self.file.write_all(chunk).await {
            self.discard().await;
            return Err(e.into());
        }
        Ok(())
    }

    /// Removes the partial file.
    pub async fn discard(&mut self) {
        let _ = tokio::fs::remove_file(&self.temp.0).await;
    }

    /// Flushes the file to disk and judges its content.
    pub async fn finish(mut self) -> Result<Received, ApiError> {
        let checked = async {
            courier_core::limits::check_file_size(self.size)?;
            self.file.flush().await?;
            self.file.sync_all().await?;
            let file_type = FileType::sniff(&self.head).ok_or_else(ApiError::unsupported_type)?;
            let path = self.temp.0.clone();
            // Judging a file takes memory in proportion to what it has to
            // parse: a few at a time keep the server's memory bounded.
            let permit = CHECKS.acquire().await.map_err(ApiError::internal)?;
            let pages = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                count_pages(&path, file_type)
            })
            .await
            .map_err(ApiError::internal)??;
            Ok::<_, ApiError>((file_type, pages))
        }
        .await;

        match checked {
            Ok((file_type, pages)) => Ok(Received {
                temp: self.temp,
                storage_name: self.storage_name,
                sha256: hex::encode(self.hasher.finalize()),
                size: self.size,
                file_type,
                pages,
            }),
            Err(e) => {
                self.discard().await;
                Err(e)
            }
        }
    }
}

/// A complete upload that passed every check, still under its temporary name.
pub struct Received {
    temp: TempFile,
    pub storage_name: String,
    pub sha256: String,
    pub size: u64,
    pub file_type: FileType,
    pub pages: Option<u32>,
}

impl Received {
    /// Removes the file when its record could not be written.
    pub async fn discard(&self, documents: &Documents) {
        let _ = tokio::fs::remove_file(&self.temp.0).await;
        let _ = documents.remove(&self.storage_name);
    }
}

/// Files judged at the same time, at most.
static CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The message for a PDF that does not parse.
pub const DAMAGED_PDF: &str = "the PDF looks damaged and cannot be read: scan or export it again";

/// Counts the pages of a file, refusing one that does not parse.
pub(crate) fn count_pages(path: &Path, file_type: FileType) -> Result<Option<u32>, ApiError> {
    match file_type {
        FileType::Pdf => {
            let file = std::fs::File::open(path)?;
            // SAFETY: the file is this upload's own, in the incoming folder,
            // and nothing writes to it any more; the map is read only.
            let bytes = unsafe { memmap2::Mmap::map(&file)? };
            // Only the cross-reference table, the trailer and the page tree
            // are parsed, with lopdf's nesting limits: the rest of the file
            // is neither read into memory nor parsed.
            let metadata = lopdf::Document::load_metadata_mem(&bytes)
                .map_err(|_| ApiError::invalid(DAMAGED_PDF))?;
            match metadata.page_count {
                0 if metadata.encrypted => Err(ApiError::invalid(
                    "the PDF is password-protected: upload it without a password",
                )),
                // A page tree that claims more pages than the file could hold
                // is as damaged as one that yields none.
                n if n == 0 || u64::from(n) > MAX_FILE_SIZE / 64 => Err(ApiError::invalid(
                    "the PDF has no readable pages: it looks damaged; scan or export it again",
                )),
                n => Ok(Some(n)),
            }
        }
        FileType::Tiff => {
            let damaged = |_| ApiError::invalid("the TIFF image looks damaged and cannot be read");
            let file = std::fs::File::open(path)?;
            let mut decoder = tiff::decoder::Decoder::new(BufReader::new(file)).map_err(damaged)?;
            let mut pages = 1;
            while decoder.more_images() {
                decoder.next_image().map_err(damaged)?;
                pages += 1;
            }
            Ok(Some(pages))
        }
        FileType::Jpeg | FileType::Png => Ok(Some(1)),
    }
}
