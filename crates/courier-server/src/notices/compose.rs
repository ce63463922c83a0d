//! The words of each notice, in plain text and HTML.

use askama::Template;
use chrono::Utc;
use courier_core::api::NoticeKind;

use crate::db::attachments::{self, StoredAttachment};
use crate::db::notices::NewNotice;
use crate::db::requests::Request;
use crate::error::ApiError;
use crate::tokens::DocumentKey;

/// One document as a notice lists it.
pub struct DocumentLine {
    pub description: String,
    pub filename: String,
    pub access_text: String,
    pub url: String,
}

impl DocumentLine {
    fn of(a: &StoredAttachment, request: &Request, key: &DocumentKey, public_url: &str) -> Self {
        let shaped = attachments::shape(a, request, key, public_url, Utc::now());
        DocumentLine {
            description: shaped.description,
            filename: shaped.filename,
            access_text: shaped.access_text,
            url: shaped.document_url,
        }
    }
}

#[derive(Template)]
#[template(path = "mail/received.txt")]
struct ReceivedText<'a> {
    patron_name: &'a str,
    title: &'a str,
    number: &'a str,
    documents: &'a [DocumentLine],
    copyright: &'a str,
    library: &'a str,
    ill_email: Option<&'a str>,
}

/// The HTML part, over the same fields as the text part.
#[derive(Template)]
#[template(path = "mail/received.html")]
struct ReceivedHtml<'a> {
    m: &'a ReceivedText<'a>,
}

/// A subject line: one line, at most about 150 characters.
fn subject(prefix: &str, title: &str) -> String {
    let title: String = title
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    format!("{prefix}: {title}")
}

/// The "Received with Attachments" notice for the patron of `request`, if
/// the borrowing library wants it and there is something and someone to
/// send it to.
pub fn received(
    request: &Request,
    stored: &[StoredAttachment],
    key: &DocumentKey,
    public_url: &str,
) -> Result<Option<NewNotice>, ApiError> {
    let borrower = &request.borrower;
    let Some(email) = request
        .patron_email
        .as_deref()
        .filter(|_| borrower.received_with_attachments_notice)
    else {
        return Ok(None);
    };
    let documents: Vec<DocumentLine> = stored
        .iter()
        .filter(|a| a.withdrawn_at.is_none() && a.purged_at.is_none())
        .map(|a| DocumentLine::of(a, request, key, public_url))
        .collect();
    if documents.is_empty() {
        return Ok(None);
    }

    let ill_email = Some(borrower.ill_email.as_str()).filter(|e| !e.is_empty());
    let text = ReceivedText {
        patron_name: &request.patron_name,
        title: &request.title,
        number: &request.number,
        documents: &documents,
        copyright: &borrower.copyright_notice,
        library: &borrower.name,
        ill_email,
    };
    let html = ReceivedHtml { m: &text };

    Ok(Some(NewNotice {
        request_id: request.id,
        attachment_id: None,
        kind: NoticeKind::ReceivedWithAttachments,
        recipient: email.to_owned(),
        from_name: borrower.name.clone(),
        reply_to: ill_email.map(str::to_owned),
        subject: subject(
            &format!("Your interlibrary loan {} has arrived", request.number),
            &request.title,
        ),
        body_text: text.render().map_err(ApiError::internal)?,
        body_html: html.render().map_err(ApiError::internal)?,
    }))
}

#[derive(Template)]
#[template(path = "mail/document_url.txt")]
struct DocumentUrlText<'a> {
    lender: &'a str,
    lender_email: Option<&'a str>,
    title: &'a str,
    number: &'a str,
    description: &'a str,
    filename: &'a str,
    access_text: &'a str,
    url: &'a str,
}

/// The HTML part, over the same fields as the text part.
#[derive(Template)]
#[template(path = "mail/document_url.html")]
struct DocumentUrlHtml<'a> {
    m: &'a DocumentUrlText<'a>,
}

/// The document-URL notice to the borrowing library's ILL address.
pub fn document_url(
    request: &Request,
    attachment: &StoredAttachment,
    key: &DocumentKey,
    public_url: &str,
) -> Result<NewNotice, ApiError> {
    let to = request.borrower.ill_email.trim();
    if to.is_empty() {
        return Err(ApiError::invalid(format!(
            "{} has no ILL e-mail address: copy the document URL instead",
            request.borrower.name
        )));
    }
    let line = DocumentLine::of(attachment, request, key, public_url);
    let lender = &request.lender;
    let lender_email = Some(lender.ill_email.as_str()).filter(|e| !e.is_empty());
    let text = DocumentUrlText {
        lender: &lender.name,
        lender_email,
        title: &request.title,
        number: &request.number,
        description: &line.description,
        filename: &line.filename,
        access_text: &line.access_text,
        url: &line.url,
    };
    let html = DocumentUrlHtml { m: &text };

    Ok(NewNotice {
        request_id: request.id,
        attachment_id: Some(attachment.id),
        kind: NoticeKind::DocumentUrl,
        recipient: to.to_owned(),
        from_name: lender.name.clone(),
        reply_to: lender_email.map(str::to_owned),
        subject: subject(&format!("Document for {}", request.number), &request.title),
        body_text: text.render().map_err(ApiError::internal)?,
        body_html: html.render().map_err(ApiError::internal)?,
    })
}
