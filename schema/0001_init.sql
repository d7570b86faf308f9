-- 0001_init: categories, reference areas, feedback and its private contact.
-- Runs inside one transaction; the runner records the version.

CREATE TABLE category (
    id          TEXT PRIMARY KEY CHECK (id GLOB '[a-z]*' AND length(id) <= 40),
    sort        INTEGER NOT NULL DEFAULT 0,
    name_fi     TEXT NOT NULL,
    name_sv     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    description_fi TEXT NOT NULL DEFAULT '',
    description_sv TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT ''
);

-- The municipality boundary: one row. Places outside it are refused.
CREATE TABLE municipality (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    code    TEXT NOT NULL,
    name_fi TEXT NOT NULL,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL
);
SELECT AddGeometryColumn('municipality', 'geom', 4326, 'MULTIPOLYGON', 'XY', 1);

CREATE TABLE district (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE,
    name_fi TEXT NOT NULL,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL
);
SELECT AddGeometryColumn('district', 'geom', 4326, 'MULTIPOLYGON', 'XY', 1);
SELECT CreateSpatialIndex('district', 'geom');

-- Areas where the city has promised a higher accessibility level.
CREATE TABLE accessibility_area (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE,
    name_fi TEXT NOT NULL,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL,
    level   TEXT NOT NULL DEFAULT 'special'
);
SELECT AddGeometryColumn('accessibility_area', 'geom', 4326, 'MULTIPOLYGON', 'XY', 1);
SELECT CreateSpatialIndex('accessibility_area', 'geom');

CREATE TABLE feedback (
    id            INTEGER PRIMARY KEY,
    category      TEXT NOT NULL REFERENCES category(id),
    description   TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    place         TEXT CHECK (place IS NULL OR length(place) <= 500),
    status        TEXT NOT NULL DEFAULT 'received'
                  CHECK (status IN ('received', 'in_progress', 'closed')),
    closed_reason TEXT CHECK (closed_reason IS NULL OR closed_reason IN
                  ('fixed', 'taken_into_account', 'not_possible', 'duplicate', 'forwarded')),
    answer        TEXT,
    answered_at   TEXT,
    district_id   INTEGER REFERENCES district(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK ((status = 'closed') = (closed_reason IS NOT NULL))
);
SELECT AddGeometryColumn('feedback', 'geom', 4326, 'GEOMETRY', 'XY', 1);
SELECT CreateSpatialIndex('feedback', 'geom');
CREATE INDEX feedback_created ON feedback(created_at);
CREATE INDEX feedback_status ON feedback(status);
CREATE INDEX feedback_category ON feedback(category);
CREATE INDEX feedback_district ON feedback(district_id);

-- Personal data lives apart so that no query for public output can reach
-- it by accident: no public statement joins this table.
CREATE TABLE feedback_contact (
    feedback_id INTEGER PRIMARY KEY REFERENCES feedback(id) ON DELETE CASCADE,
    name        TEXT,
    email       TEXT,
    phone       TEXT
);
