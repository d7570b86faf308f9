-- 0005_moderation: moderation, withdrawal, "me too", follow-up links and
-- the timestamps that response-time figures and retention need (issue 5).

-- 0 public; 1 hidden by a moderator; 2 withdrawn by its reporter through
-- the follow-up link. Only hidden = 0 is ever public (collections.c).
ALTER TABLE feedback ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1, 2));
-- The description as the resident wrote it, kept for admins only when a
-- moderator has edited personal data out of it; NULL otherwise.
ALTER TABLE feedback ADD COLUMN description_original TEXT;
-- How many residents said "me too" (feedback_me_too rows, plus the
-- reporters of duplicates merged into this one).
ALTER TABLE feedback ADD COLUMN me_too INTEGER NOT NULL DEFAULT 0 CHECK (me_too >= 0);
-- Hex SHA-256 of the reporter's private follow-up token; the token itself
-- is shown once, in the response to the report.
ALTER TABLE feedback ADD COLUMN followup_hash TEXT;
-- When the first public answer was given, and when the item last reached
-- an outcome (NULL while open): response times and the retention period.
ALTER TABLE feedback ADD COLUMN first_answered_at TEXT;
ALTER TABLE feedback ADD COLUMN closed_at TEXT;

UPDATE feedback SET first_answered_at = coalesce(
    (SELECT min(e.at) FROM feedback_event e
     WHERE e.feedback_id = feedback.id AND e.public_answer IS NOT NULL), answered_at);
UPDATE feedback SET closed_at = coalesce(
    (SELECT max(e.at) FROM feedback_event e
     WHERE e.feedback_id = feedback.id AND json_extract(e.after, '$.status') = feedback.status),
    updated_at)
WHERE status NOT IN ('received', 'in_progress', 'planned');

CREATE UNIQUE INDEX feedback_followup ON feedback(followup_hash) WHERE followup_hash IS NOT NULL;
-- The few non-public items, so public counts can subtract them cheaply.
CREATE INDEX feedback_nonpublic ON feedback(id) WHERE hidden <> 0;
CREATE INDEX feedback_closed ON feedback(closed_at) WHERE closed_at IS NOT NULL;

-- One "me too" per browser per item: voter is the hex SHA-256 of a random
-- browser token (a cookie), never an address.
CREATE TABLE feedback_me_too (
    feedback_id INTEGER NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    voter       TEXT NOT NULL CHECK (length(voter) = 64),
    at          TEXT NOT NULL,
    PRIMARY KEY (feedback_id, voter)
) WITHOUT ROWID;
