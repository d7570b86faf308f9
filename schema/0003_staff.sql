-- 0003_staff: staff accounts, API tokens for integrations, sign-in
-- sessions and failed sign-ins (for throttling).
-- Passwords are Argon2id strings from libsodium (crypto_pwhash_str).
-- Tokens and session ids are 32 random bytes; only their SHA-256 (hex) is
-- stored, so a copy of the database does not let anyone in. Times in
-- staff_session and login_failure are Unix seconds (compared, not shown).
CREATE TABLE staff_user (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'moderator', 'planner', 'council')),
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL
);
CREATE TABLE api_token (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'moderator', 'planner', 'council')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE staff_session (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES staff_user(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX staff_session_user ON staff_session(user_id);
CREATE INDEX staff_session_expires ON staff_session(expires_at);
CREATE TABLE login_failure (
    key      TEXT PRIMARY KEY,  -- 'name:NAME' or 'addr:ADDRESS'
    failures INTEGER NOT NULL,
    last_at  INTEGER NOT NULL
);
