-- The durable outbox of e-mail (issue 17, docs/mail.md): a message is
-- queued in the same transaction as the change that causes it, so a crash
-- never loses one; the sender (src/mail/sender.c) sends it later through
-- the SMTP relay and records what happened. Message-ID is fixed here, so
-- a resend after a crash carries the same one. Few indexes: queuing runs
-- inside the durable feedback POST.
CREATE TABLE mail_outbox (
    id            INTEGER PRIMARY KEY,
    message_id    TEXT NOT NULL,                 -- without the angle brackets; 128 random bits
    recipient     TEXT NOT NULL,
    language      TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    kind          TEXT NOT NULL,                 -- receipt, answer, status, merge, unit_new, test
    audience      TEXT NOT NULL CHECK (audience IN ('reporter', 'unit', 'test')),
    feedback_id   INTEGER,                       -- the item it is about, if any
    subject       TEXT NOT NULL,
    body_text     TEXT NOT NULL,                 -- the footer and the HTML part are added when sent;
                                                 -- emptied once sent: only what is due is kept
    unsubscribe   TEXT NOT NULL,                 -- the secret of the one-click link ?t=ID-SECRET
    state         TEXT NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'sent', 'failed', 'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  TEXT NOT NULL,                 -- RFC 3339
    last_error    TEXT,
    created_at    TEXT NOT NULL,
    sent_at       TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt);
CREATE INDEX mail_outbox_feedback ON mail_outbox(feedback_id);

-- Addresses that asked for no more mail, as the SHA-256 of the lower-cased
-- address (the address itself is not kept): for one item, or all
-- (feedback_id 0).
CREATE TABLE mail_unsubscribe (
    address_hash  TEXT NOT NULL,
    feedback_id   INTEGER NOT NULL DEFAULT 0,
    at            TEXT NOT NULL,
    PRIMARY KEY (address_hash, feedback_id)
);

-- The language a reporter used, for the mails about their item.
ALTER TABLE feedback_contact ADD COLUMN language TEXT;
-- A unit's address for new items routed to it (seeds/units.json "email").
ALTER TABLE unit ADD COLUMN email TEXT;
