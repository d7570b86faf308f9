-- Issue 14: accessibility walks (docs/walks.md). A walk is recorded by
-- participants with a short code; its findings are followed from open to
-- verified, reviewed by the council and summed into figures per walk,
-- area and street stretch.

-- A walk. Only the SHA-256 of its code is kept (code_hash, hex): a code is
-- shown once when made. groups is a JSON array of user-group keys;
-- participants a count (no names). route is a (Multi)LineString, area a
-- (Multi)Polygon; at least one. walked_m is the route's geodesic length.
CREATE TABLE walk (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    walk_date    TEXT NOT NULL CHECK (walk_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    organiser    TEXT NOT NULL CHECK (length(organiser) BETWEEN 1 AND 200),
    groups       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(groups)),
    participants INTEGER NOT NULL DEFAULT 0 CHECK (participants BETWEEN 0 AND 1000),
    notes        TEXT CHECK (notes IS NULL OR length(notes) <= 4000),
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    code_hash    TEXT NOT NULL UNIQUE,
    walked_m     REAL NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL
);
SELECT AddGeometryColumn('walk', 'route', 4326, 'GEOMETRY', 'XY', 0);
SELECT AddGeometryColumn('walk', 'area', 4326, 'GEOMETRY', 'XY', 0);
SELECT CreateSpatialIndex('walk', 'route');
SELECT CreateSpatialIndex('walk', 'area');
CREATE INDEX walk_date ON walk(walk_date, id);

-- Metres of each walk's route inside each district and accessibility
-- area (kind 'district' or 'accessibility'), computed when the route is
-- stored, so per-area figures need no geometry work.
CREATE TABLE walk_area_length (
    walk_id INTEGER NOT NULL REFERENCES walk(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('district', 'accessibility')),
    code    TEXT NOT NULL,
    metres  REAL NOT NULL,
    PRIMARY KEY (walk_id, kind, code)
) WITHOUT ROWID;

-- A finding. uuid is the id the recording device made (lower case);
-- body_hash the SHA-256 of the request that made it, so a resend is told
-- from a conflicting body. level/special_area/district are where it lies
-- (its point, or a line's middle point). verdicts are the thresholds of
-- that level checked against measurements. The consensus of the council's
-- reviews is kept here (consensus, consensus_grade and the counts) so
-- layers and figures read one row. fixed_at is the first change to
-- 'fixed' (median days from open to fixed).
CREATE TABLE walk_finding (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    walk_id         INTEGER REFERENCES walk(id) ON DELETE CASCADE,
    type            TEXT NOT NULL,
    grade           TEXT NOT NULL CHECK (grade IN ('vaara', 'este', 'haitta')),
    groups          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(groups)),
    measurements    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(measurements)),
    verdicts        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(verdicts)),
    level           TEXT NOT NULL CHECK (level IN ('perustaso', 'erikoistaso')),
    special_area    TEXT,
    district        TEXT,
    surface         TEXT,
    description     TEXT CHECK (description IS NULL OR length(description) <= 4000),
    status          TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'planned', 'fixed', 'verified', 'rejected')),
    target_date     TEXT,
    unit            TEXT,
    reason          TEXT,
    explanation     TEXT,
    verified_how    TEXT CHECK (verified_how IS NULL OR verified_how IN ('walk', 'photo', 'visit')),
    verified_walk   INTEGER,
    consensus       TEXT NOT NULL DEFAULT 'none'
                    CHECK (consensus IN ('none', 'unsure', 'agree', 'disagree', 'split')),
    consensus_grade TEXT NOT NULL CHECK (consensus_grade IN ('vaara', 'este', 'haitta')),
    n_agree         INTEGER NOT NULL DEFAULT 0,
    n_disagree      INTEGER NOT NULL DEFAULT 0,
    n_unsure        INTEGER NOT NULL DEFAULT 0,
    source          TEXT NOT NULL DEFAULT 'walk' CHECK (source IN ('walk', 'feedback')),
    feedback_id     INTEGER UNIQUE,
    body_hash       TEXT NOT NULL,
    fixed_at        TEXT,
    created_at      TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK (walk_id IS NOT NULL OR source = 'feedback')
);
SELECT AddGeometryColumn('walk_finding', 'geom', 4326, 'GEOMETRY', 'XY', 1);
SELECT CreateSpatialIndex('walk_finding', 'geom');
CREATE INDEX walk_finding_walk ON walk_finding(walk_id, created_at);
CREATE INDEX walk_finding_created ON walk_finding(created_at);

-- The public history of a finding: its creation and every status change,
-- with the public explanation; actor is for staff eyes only.
CREATE TABLE walk_finding_event (
    id          INTEGER PRIMARY KEY,
    finding_id  INTEGER NOT NULL REFERENCES walk_finding(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('created', 'status')),
    status      TEXT NOT NULL,
    target_date TEXT,
    unit        TEXT,
    reason      TEXT,
    how         TEXT,
    how_walk    INTEGER,
    explanation TEXT
);
CREATE INDEX walk_finding_event_finding ON walk_finding_event(finding_id, id);

-- Council reviews: one per reviewer (a staff account 'u:ID' or an API
-- token 't:ID'; name is shown to staff).
CREATE TABLE walk_review (
    finding_id  INTEGER NOT NULL REFERENCES walk_finding(id) ON DELETE CASCADE,
    reviewer    TEXT NOT NULL,
    name        TEXT NOT NULL,
    vote        TEXT NOT NULL CHECK (vote IN ('agree', 'disagree', 'unsure')),
    grade       TEXT CHECK (grade IS NULL OR grade IN ('vaara', 'este', 'haitta')),
    comment     TEXT CHECK (comment IS NULL OR length(comment) <= 2000),
    at          TEXT NOT NULL,
    PRIMARY KEY (finding_id, reviewer)
) WITHOUT ROWID;

-- The audit log gains the walk findings' status changes. SQLite cannot
-- change a CHECK, so the table is rebuilt with the same columns and rows
-- (as 0011 did).
CREATE TABLE account_event_new (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('user_add', 'role', 'disable', 'enable', 'password',
                                              'token_create', 'token_revoke', 'sign_in',
                                              'sign_in_failed', 'sign_out',
                                              'walk_finding_status')),
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
