-- Issue 19, the Low and Info findings: API tokens that expire and can be
-- revoked, Idempotency-Keys per client, public statistics whose ETag
-- follows public data only, and a merged reporter's "me too" counted once.

-- API tokens: expires_at (Unix seconds; NULL never: tokens made before
-- this migration keep working until revoked), revoked_at (Unix seconds;
-- NULL while valid) and last_used_at (Unix seconds, noted at most once an
-- hour per token, so use costs no write per request). A revoked or
-- expired token is refused at authentication; the row stays for the
-- listing and the audit log.
ALTER TABLE api_token ADD COLUMN expires_at INTEGER;
ALTER TABLE api_token ADD COLUMN revoked_at INTEGER;
ALTER TABLE api_token ADD COLUMN last_used_at INTEGER;

-- The audit log gains 'token_revoke'. SQLite cannot change a CHECK, so
-- the table is rebuilt with the same columns and rows.
CREATE TABLE account_event_new (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('user_add', 'role', 'disable', 'enable', 'password',
                                              'token_create', 'token_revoke', 'sign_in',
                                              'sign_in_failed', 'sign_out')),
    target      TEXT NOT NULL,
    before      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(before)),
    after       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(after)),
    client_addr TEXT
);
INSERT INTO account_event_new (id, at, actor, kind, target, before, after, client_addr)
    SELECT id, at, actor, kind, target, before, after, client_addr FROM account_event;
DROP TABLE account_event;
ALTER TABLE account_event_new RENAME TO account_event;
CREATE INDEX account_event_at ON account_event(at);

-- Idempotency-Keys belong to one client: scope is 't:' and the API
-- token's id for an authenticated client, else 'a:' and a keyed BLAKE2b
-- hash of the client's address (never the address: an unkeyed hash of an
-- IPv4 address is reversed by trying all 2^32). The same key from another
-- client is another key. Remembered responses are kept 48 hours, so the
-- old unscoped rows are dropped rather than guessed into a scope.
DROP TABLE idempotency;
CREATE TABLE idempotency (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    location     TEXT,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_created ON idempotency(created_at);

-- Random keys the server keeps across restarts (a replay must still match
-- after one): 'idempotency_scope' keys the address hash above. Made here,
-- once, by SQLite's randomness; never shown or logged.
CREATE TABLE server_secret (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL CHECK (length(value) = 32)
);
INSERT INTO server_secret (name, value) VALUES ('idempotency_scope', randomblob(32));

-- Public statistics: the change log (0007) is their ETag, so it must move
-- only when something public moves. Items hidden before and after a
-- change are in no public figure, and an UPDATE that names a column
-- without changing its value (an internal note rewrites the row) changes
-- nothing: neither is logged any more.
DROP TRIGGER stats_feedback_insert;
CREATE TRIGGER stats_feedback_insert AFTER INSERT ON feedback WHEN new.hidden = 0 BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (new.id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
DROP TRIGGER stats_feedback_update;
CREATE TRIGGER stats_feedback_update
AFTER UPDATE OF category, status, unit_id, district_id, hidden, created_at, first_answered_at,
                closed_at, geom ON feedback
WHEN (old.hidden = 0 OR new.hidden = 0)
     AND (old.category IS NOT new.category OR old.status IS NOT new.status
          OR old.unit_id IS NOT new.unit_id OR old.district_id IS NOT new.district_id
          OR old.hidden IS NOT new.hidden OR old.created_at IS NOT new.created_at
          OR old.first_answered_at IS NOT new.first_answered_at
          OR old.closed_at IS NOT new.closed_at OR old.geom IS NOT new.geom) BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (new.id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
DROP TRIGGER stats_feedback_delete;
CREATE TRIGGER stats_feedback_delete AFTER DELETE ON feedback WHEN old.hidden = 0 BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (old.id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;

-- "Me too": the reporter of an item merged into another counts there as a
-- voter row 'merged-reporter-' || the merged item's id (zero-padded to 64
-- characters, never a hex hash, so never a browser's), not as a bare +1:
-- merging the same item again (merge, reopen, merge) then counts nothing.
-- Merges made before this migration get their row; the counts already
-- include them, so me_too is left as it is.
INSERT OR IGNORE INTO feedback_me_too (feedback_id, voter, at)
    SELECT duplicate_of, printf('merged-reporter-%048d', id), updated_at
    FROM feedback WHERE status = 'duplicate' AND duplicate_of IS NOT NULL;
