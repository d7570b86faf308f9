-- 0021_moderator_queue: the moderator's queue (issue 18). An item can be
-- assigned to a person (a staff account) as well as to a unit; canned
-- replies per category and status, in Finnish, Swedish and English, kept
-- by admins and inserted into the answer box by moderators.
ALTER TABLE feedback ADD COLUMN assignee_id INTEGER REFERENCES staff_user(id);
CREATE INDEX feedback_assignee ON feedback(assignee_id) WHERE assignee_id IS NOT NULL;

CREATE TABLE canned_reply (
    id         INTEGER PRIMARY KEY,
    -- NULL: for every category / every status.
    category   TEXT REFERENCES category(id),
    status     TEXT CHECK (status IS NULL OR status IN ('received', 'in_progress', 'planned',
                   'resolved', 'not_resolvable', 'duplicate', 'forwarded')),
    title      TEXT NOT NULL,
    body_fi    TEXT,
    body_sv    TEXT,
    body_en    TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    CHECK (coalesce(body_fi, body_sv, body_en) IS NOT NULL)
);
CREATE INDEX canned_reply_for ON canned_reply(category, status);
