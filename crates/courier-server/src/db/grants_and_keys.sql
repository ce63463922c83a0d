-- Version 3: how much a download grant has sent again, and the move an
-- idempotency key was first used for.

ALTER TABLE download_grants ADD COLUMN bytes_served INTEGER NOT NULL DEFAULT 0;
ALTER TABLE idempotency_keys ADD COLUMN to_status TEXT;
