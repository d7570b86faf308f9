-- 0002_idempotency: responses remembered per Idempotency-Key, so a client
-- on a flaky connection can repeat a POST without creating a duplicate.
-- request_hash is SHA-256 of method, path and body: the same key with a
-- different request is refused. Rows are kept at least 24 hours.
CREATE TABLE idempotency (
    key          TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    location     TEXT,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX idempotency_created ON idempotency(created_at);
