-- 0004_workflow: the staff's handling workflow (issue 5).
--
-- Statuses become received, in_progress, planned, resolved,
-- not_resolvable, duplicate and forwarded; the old 'closed' + closed_reason
-- pair maps onto them. SQLite cannot change a CHECK constraint, so the
-- feedback table is rebuilt (SQLite's documented twelve-step procedure).
-- The runner turns foreign keys off around every migration and runs
-- PRAGMA foreign_key_check before committing, so dropping the old table does
-- not cascade into feedback_contact and a broken reference stops the commit.
-- The SpatiaLite geometry column and its R*Tree index are unregistered
-- before the drop and registered again on the new table.

-- Responsible units, e.g. street maintenance; each category has a default.
CREATE TABLE unit (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE CHECK (code GLOB '[a-z]*' AND length(code) <= 40),
    name_fi TEXT NOT NULL,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL
);
ALTER TABLE category ADD COLUMN default_unit INTEGER REFERENCES unit(id) ON DELETE SET NULL;

SELECT DisableSpatialIndex('feedback', 'geom');
SELECT DiscardGeometryColumn('feedback', 'geom');
DROP TABLE IF EXISTS idx_feedback_geom;

CREATE TABLE feedback_new (
    id            INTEGER PRIMARY KEY,
    category      TEXT NOT NULL REFERENCES category(id),
    description   TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    place         TEXT CHECK (place IS NULL OR length(place) <= 500),
    status        TEXT NOT NULL DEFAULT 'received'
                  CHECK (status IN ('received', 'in_progress', 'planned', 'resolved',
                                    'not_resolvable', 'duplicate', 'forwarded')),
    -- Why it cannot be resolved (public), only with not_resolvable.
    resolution_reason TEXT CHECK (resolution_reason IS NULL OR length(resolution_reason) <= 4000),
    duplicate_of  INTEGER REFERENCES feedback(id) ON DELETE SET NULL,
    forwarded_to  TEXT CHECK (forwarded_to IS NULL OR length(forwarded_to) <= 200),
    unit_id       INTEGER REFERENCES unit(id) ON DELETE SET NULL,
    answer        TEXT,          -- the latest public answer
    answered_at   TEXT,
    district_id   INTEGER REFERENCES district(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    geom          BLOB NOT NULL,
    CHECK (duplicate_of IS NULL OR duplicate_of <> id)
);
INSERT INTO feedback_new (id, category, description, place, status, resolution_reason,
                          duplicate_of, forwarded_to, unit_id, answer, answered_at,
                          district_id, created_at, updated_at, geom)
SELECT f.id, f.category, f.description, f.place,
       CASE WHEN f.status <> 'closed' THEN f.status
            WHEN f.closed_reason IN ('fixed', 'taken_into_account') THEN 'resolved'
            WHEN f.closed_reason = 'not_possible' THEN 'not_resolvable'
            WHEN f.closed_reason = 'duplicate' THEN 'duplicate'
            WHEN f.closed_reason = 'forwarded' THEN 'forwarded'
            ELSE 'resolved' END,
       NULL, NULL, NULL, NULL, f.answer, f.answered_at, f.district_id, f.created_at,
       f.updated_at, f.geom
FROM feedback f;
DROP TABLE feedback;
ALTER TABLE feedback_new RENAME TO feedback;
SELECT RecoverGeometryColumn('feedback', 'geom', 4326, 'GEOMETRY', 'XY');
SELECT CreateSpatialIndex('feedback', 'geom');
CREATE INDEX feedback_created ON feedback(created_at);
CREATE INDEX feedback_status ON feedback(status);
CREATE INDEX feedback_category ON feedback(category);
CREATE INDEX feedback_district ON feedback(district_id);
CREATE INDEX feedback_unit ON feedback(unit_id);

-- Every staff action on an item: its public history and the audit log.
-- before/after are JSON objects of the fields that changed; actor is the
-- staff account's (or token's) name, kept as text so the log outlives the
-- account.
CREATE TABLE feedback_event (
    id            INTEGER PRIMARY KEY,
    feedback_id   INTEGER NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    before        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(before)),
    after         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(after)),
    public_answer TEXT,
    internal_note TEXT
);
CREATE INDEX feedback_event_item ON feedback_event(feedback_id, id);
CREATE INDEX feedback_event_at ON feedback_event(at);
