-- Issue 11: map surveys. A survey's definitions, its responses, their
-- answers and their drawn features, normalised so that QGIS opens the
-- features as layers and SQL counts the answers (docs/surveys.md).

-- One row per survey. draft is the document being edited (the whole JSON
-- definition, checked by survey_def_parse before it is stored); version is
-- the published version residents answer (0 while never published).
-- public_questions lists the map questions whose answers the author has
-- made public (their OGC collections are then open to everyone).
CREATE TABLE survey (
    id               INTEGER PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL DEFAULT 'draft'
                     CHECK (state IN ('draft', 'published', 'closed', 'archived')),
    draft            TEXT NOT NULL CHECK (json_valid(draft)),
    version          INTEGER NOT NULL DEFAULT 0,
    public_questions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(public_questions)),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    created_by       TEXT,
    published_at     TEXT,
    closed_at        TEXT
);

-- Every published version, kept for ever: a response is checked against,
-- and read with, the version it answered.
CREATE TABLE survey_version (
    survey_id  INTEGER NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    definition TEXT NOT NULL CHECK (json_valid(definition)),
    created_at TEXT NOT NULL,
    created_by TEXT,
    PRIMARY KEY (survey_id, version)
) WITHOUT ROWID;

-- One row per submitted response. uuid is the client's id; body_hash the
-- hex SHA-256 of the body it was sent with, so the same body again is
-- answered as the first time and another body under the same id is a
-- conflict. seconds_taken is all that is kept of "started". without_map
-- counts the map questions answered by district, place or words.
CREATE TABLE survey_response (
    id            INTEGER PRIMARY KEY,
    survey_id     INTEGER NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
    uuid          TEXT NOT NULL,
    version       INTEGER NOT NULL,
    language      TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    submitted_at  TEXT NOT NULL,
    seconds_taken INTEGER,
    without_map   INTEGER NOT NULL DEFAULT 0,
    body_hash     TEXT NOT NULL,
    UNIQUE (survey_id, uuid),
    FOREIGN KEY (survey_id, version) REFERENCES survey_version(survey_id, version)
);
CREATE INDEX survey_response_time ON survey_response(survey_id, submitted_at);

-- One row per answered (or skipped) question outside the map questions'
-- features; value is the answer as JSON ("skip" when skipped).
CREATE TABLE survey_answer (
    response_id INTEGER NOT NULL REFERENCES survey_response(id) ON DELETE CASCADE,
    question    TEXT NOT NULL,
    value       TEXT NOT NULL CHECK (json_valid(value)),
    skipped     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (response_id, question)
) WITHOUT ROWID;

-- Personal data given with consent lives apart, as feedback_contact does:
-- no public statement and no public export reads this table.
CREATE TABLE survey_personal (
    response_id INTEGER NOT NULL REFERENCES survey_response(id) ON DELETE CASCADE,
    question    TEXT NOT NULL,
    value       TEXT NOT NULL CHECK (json_valid(value)),
    PRIMARY KEY (response_id, question)
) WITHOUT ROWID;

-- One row per drawn feature of a map question, or per placed geobudget
-- item. located says how: a drawn geometry (geom set), a district, one of
-- the survey's places, or words. answers holds the feature's follow-up
-- answers as a JSON object. survey_id and question are repeated here so a
-- question's layer is one indexed range.
CREATE TABLE survey_feature (
    id          INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES survey_response(id) ON DELETE CASCADE,
    survey_id   INTEGER NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
    question    TEXT NOT NULL,
    idx         INTEGER NOT NULL,
    located     TEXT NOT NULL CHECK (located IN ('geometry', 'district', 'place', 'words')),
    district_id INTEGER REFERENCES district(id) ON DELETE SET NULL,
    place       TEXT,
    description TEXT,
    item        TEXT,
    answers     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(answers)),
    created_at  TEXT NOT NULL,
    UNIQUE (response_id, question, idx)
);
SELECT AddGeometryColumn('survey_feature', 'geom', 4326, 'GEOMETRY', 'XY', 0);
SELECT CreateSpatialIndex('survey_feature', 'geom');
CREATE INDEX survey_feature_question ON survey_feature(survey_id, question, id);

-- Drafts saved for resuming on another device: only the hash of the
-- private token is stored. They are not responses and count nowhere;
-- deleted when the response with the same uuid is submitted, or after 30
-- days.
CREATE TABLE survey_draft (
    token_hash TEXT PRIMARY KEY,
    survey_id  INTEGER NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
    uuid       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    language   TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    page       INTEGER NOT NULL DEFAULT 0,
    answers    TEXT NOT NULL CHECK (json_valid(answers)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX survey_draft_uuid ON survey_draft(survey_id, uuid);
CREATE INDEX survey_draft_updated ON survey_draft(updated_at);
