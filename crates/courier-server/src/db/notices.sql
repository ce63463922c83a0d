-- Version 2: notices, stored before they are sent.

CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    attachment_id INTEGER REFERENCES attachments(id),
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    from_name TEXT NOT NULL,
    reply_to TEXT,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at INTEGER,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX notices_due ON notices(state, next_attempt_at);
CREATE INDEX notices_request ON notices(request_id, id);
