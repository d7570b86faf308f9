-- 0009_account_audit: the audit log of staff accounts (issue 5).
--
-- feedback_event (0004) logs what staff do to feedback; this table logs
-- what happens to the accounts themselves: users added, roles changed,
-- accounts disabled and enabled, passwords set, API tokens created, and
-- sign-ins (failed ones too) and sign-outs. Each row is written in the
-- same transaction as the change it records. actor is a staff or token
-- name, "cli:LOGIN" for the command line, or "anonymous" for a failed
-- sign-in; target is the account or token name. Kept as text, like
-- feedback_event.actor, so the log outlives the accounts. before/after
-- never hold a password or a hash: a new password is recorded only as
-- {"password":"changed"}. client_addr is the peer address of sign-ins.
CREATE TABLE account_event (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('user_add', 'role', 'disable', 'enable', 'password',
                                              'token_create', 'sign_in', 'sign_in_failed',
                                              'sign_out')),
    target      TEXT NOT NULL,
    before      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(before)),
    after       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(after)),
    client_addr TEXT
);
-- The audit log reads newest first by (at, id), merged with feedback_event.
CREATE INDEX account_event_at ON account_event(at);
