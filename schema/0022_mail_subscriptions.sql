-- Issue 17, the rest (docs/mail.md).
--
-- Who asked to be told: a survey respondent ("what we did with your
-- answers"), a budgeting voter (the results), a council member (status
-- changes of walk findings in an area). Kept apart from answers and
-- ballots: no row here names a response or a ballot, and the address is
-- given in a request of its own. Residents' rows are deleted by the
-- contact-retention purge.
CREATE TABLE mail_subscription (
    id          INTEGER PRIMARY KEY,
    audience    TEXT NOT NULL CHECK (audience IN ('respondent', 'voter', 'council')),
    -- what it is about: survey:ID, budget:ID, district:CODE or accessibility:CODE
    topic       TEXT NOT NULL,
    email       TEXT NOT NULL,
    language    TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    owner       TEXT,                        -- a council member's account, 'u:ID' or 't:ID'
    created_at  TEXT NOT NULL,
    UNIQUE (topic, email)
);
CREATE INDEX mail_subscription_owner ON mail_subscription(owner);

-- The outbox again, with the new audiences and the subscription a message
-- was sent for (its "no more about this" deletes the subscription and
-- cancels what is still queued for it).
CREATE TABLE mail_outbox_new (
    id            INTEGER PRIMARY KEY,
    message_id    TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    language      TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    kind          TEXT NOT NULL,
    audience      TEXT NOT NULL
                  CHECK (audience IN ('reporter', 'unit', 'test', 'respondent', 'voter', 'council')),
    feedback_id   INTEGER,
    subject       TEXT NOT NULL,
    body_text     TEXT NOT NULL,
    unsubscribe   TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'sent', 'failed', 'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  TEXT NOT NULL,
    last_error    TEXT,
    created_at    TEXT NOT NULL,
    sent_at       TEXT,
    subscription_id INTEGER
);
INSERT INTO mail_outbox_new (id, message_id, recipient, language, kind, audience, feedback_id,
                             subject, body_text, unsubscribe, state, attempts, next_attempt,
                             last_error, created_at, sent_at)
SELECT id, message_id, recipient, language, kind, audience, feedback_id, subject, body_text,
       unsubscribe, state, attempts, next_attempt, last_error, created_at, sent_at
FROM mail_outbox;
DROP TABLE mail_outbox;
ALTER TABLE mail_outbox_new RENAME TO mail_outbox;
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt);
CREATE INDEX mail_outbox_feedback ON mail_outbox(feedback_id);
CREATE INDEX mail_outbox_subscription ON mail_outbox(subscription_id) WHERE subscription_id IS NOT NULL;

-- The language of a unit's mail (fi, sv or en), set by admins.
ALTER TABLE unit ADD COLUMN language TEXT NOT NULL DEFAULT 'fi' CHECK (language IN ('fi', 'sv', 'en'));

-- When a round's voters who asked were sent its results (NULL: not yet;
-- cleared when staff move the round back before its results), so the
-- message goes once whether the round reaches its results by hand or by
-- its dates (the writer's hourly check).
ALTER TABLE budget_round ADD COLUMN results_mailed_at TEXT;

-- A unit may take one message a day listing the items routed to it
-- instead of one per item (admins set digest); digest_sent_at is when the
-- last one was made (NULL: never).
ALTER TABLE unit ADD COLUMN digest INTEGER NOT NULL DEFAULT 0 CHECK (digest IN (0, 1));
ALTER TABLE unit ADD COLUMN digest_sent_at TEXT;
