//! The file types Courier accepts, judged by content and never by name.

/// A scanned document's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    /// Portable Document Format, the usual form of a scan.
    Pdf,
    /// Tagged Image File Format, as many scanners write.
    Tiff,
    /// A JPEG photograph of a page.
    Jpeg,
    /// A PNG image of a page.
    Png,
}

/// How many leading bytes [`FileType::sniff`] needs to judge a file.
pub const SNIFF_LEN: usize = 1024;

impl FileType {
    /// Judges a file by its first bytes (at least [`SNIFF_LEN`] of them when
    /// the file is that long). Returns `None` for anything not accepted.
    ///
    /// PDF readers accept a `%PDF-` header anywhere in the first kilobyte, so
    /// this does too.
    pub fn sniff(head: &[u8]) -> Option<FileType> {
        const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";

        if head.starts_with(PNG) {
            Some(FileType::Png)
        } else if head.starts_with(b"\xff\xd8\xff") {
            Some(FileType::Jpeg)
        } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
            Some(FileType::Tiff)
        } else if head[..head.len().min(SNIFF_LEN)]
            .windows(5)
            .any(|w| w == b"%PDF-")
        {
            Some(FileType::Pdf)
        } else {
            None
        }
    }

    /// The media type sent with the file.
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Tiff => "image/tiff",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
        }
    }

    /// Finds the type from its media type, as stored.
    pub fn from_mime(mime: &str) -> Option<FileType> {
        [FileType::Pdf, FileType::Tiff, FileType::Jpeg, FileType::Png]
            .into_iter()
            .find(|t| t.mime() == mime)
    }
}

/// The message for a file whose content is none of the accepted types.
pub const UNSUPPORTED_TYPE: &str = "file type not accepted: upload a PDF, TIFF, JPEG or PNG scan";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_are_recognised_by_their_content() {
        assert_eq!(FileType::sniff(b"%PDF-1.7\n%\xe2\xe3"), Some(FileType::Pdf));
        assert_eq!(
            FileType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(FileType::Png)
        );
        assert_eq!(
            FileType::sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"),
            Some(FileType::Jpeg)
        );
        assert_eq!(FileType::sniff(b"II*\0\x08\0\0\0"), Some(FileType::Tiff));
        assert_eq!(FileType::sniff(b"MM\0*\0\0\0\x08"), Some(FileType::Tiff));
    }

    #[test]
    fn a_pdf_header_after_leading_junk_within_a_kilobyte_counts() {
        let mut head = vec![b' '; 1000];
        head.extend_from_slice(b"%PDF-1.4");
        assert_eq!(FileType::sniff(&head), Some(FileType::Pdf));

        let mut late = vec![b' '; 1100];
        late.extend_from_slice(b"%PDF-1.4");
        assert_eq!(FileType::sniff(&late), None);
    }

    #[test]
    fn other_content_is_refused_whatever_its_name() {
        assert_eq!(FileType::sniff(b"PK\x03\x04 a zip named article.pdf"), None);
        assert_eq!(FileType::sniff(b"<html>"), None);
        assert_eq!(FileType::sniff(b""), None);
        assert_eq!(FileType::sniff(b"%PD"), None);
    }

    #[test]
    fn media_types_round_trip() {
        for t in [FileType::Pdf, FileType::Tiff, FileType::Jpeg, FileType::Png] {
            assert_eq!(FileType::from_mime(t.mime()), Some(t));
        }
        assert_eq!(FileType::from_mime("text/plain"), None);
    }
}
