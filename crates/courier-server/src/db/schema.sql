-- Version 1: libraries, staff, requests, attachments and their downloads.
-- Times are Unix seconds (UTC).

CREATE TABLE libraries (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    ill_email TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    copyright_notice TEXT NOT NULL,
    received_with_attachments_notice INTEGER NOT NULL DEFAULT 0,
    iso_partner INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    library_id INTEGER NOT NULL REFERENCES libraries(id),
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    number_year INTEGER NOT NULL,
    number_sequence INTEGER NOT NULL,
    lender_id INTEGER NOT NULL REFERENCES libraries(id),
    borrower_id INTEGER NOT NULL REFERENCES libraries(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    author TEXT,
    journal TEXT,
    volume TEXT,
    issue TEXT,
    year TEXT,
    pages TEXT,
    patron_name TEXT NOT NULL,
    patron_email TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (number_year, number_sequence)
);
CREATE INDEX requests_lender ON requests(lender_id, created_at DESC);
CREATE INDEX requests_borrower ON requests(borrower_id, created_at DESC);

CREATE TABLE status_history (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    by_library_id INTEGER NOT NULL REFERENCES libraries(id),
    by_staff TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX status_history_request ON status_history(request_id, id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    filename TEXT NOT NULL,
    description TEXT NOT NULL,
    size INTEGER NOT NULL,
    pages INTEGER,
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    storage_name TEXT NOT NULL UNIQUE,
    token_nonce TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    max_downloads INTEGER NOT NULL CHECK (max_downloads BETWEEN 1 AND 5),
    downloads_used INTEGER NOT NULL DEFAULT 0 CHECK (downloads_used <= max_downloads),
    uploaded_by TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_download_at INTEGER,
    withdrawn_at INTEGER,
    purged_at INTEGER
);
CREATE INDEX attachments_request ON attachments(request_id, id);

CREATE TABLE downloads (
    id INTEGER PRIMARY KEY,
    attachment_id INTEGER NOT NULL REFERENCES attachments(id),
    channel TEXT NOT NULL,
    by_staff TEXT,
    at INTEGER NOT NULL
);

CREATE TABLE download_grants (
    token_hash TEXT PRIMARY KEY,
    attachment_id INTEGER NOT NULL REFERENCES attachments(id),
    expires_at INTEGER NOT NULL
);

CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    at INTEGER NOT NULL
);

CREATE TABLE idempotency_keys (
    library_id INTEGER NOT NULL REFERENCES libraries(id),
    key TEXT NOT NULL,
    request_id INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (library_id, key)
);
