-- Issue 13: participatory budgeting (docs/budgeting.md). A round's document
-- (texts, budget, areas, phases, voting rule, voters, method) is stored
-- whole as checked JSON; proposals, projects, codes and ballots are rows.
-- A ballot is kept apart from who cast it: no row links a ballot to a
-- code or a browser.

CREATE TABLE budget_round (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    doc         TEXT NOT NULL CHECK (json_valid(doc)),
    published   INTEGER NOT NULL DEFAULT 0,
    -- set by hand (POST .../phase); NULL: the phase follows the dates
    phase_by_hand TEXT CHECK (phase_by_hand IN ('upcoming', 'proposals', 'review',
                                                 'voting', 'results', 'implementation')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT
);

-- A resident's proposal, moderated as feedback is. located says how it was
-- placed: a geometry (Point or Polygon), a district, or nowhere in
-- particular. Contact details live in budget_proposal_contact.
CREATE TABLE budget_proposal (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES budget_round(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    category    TEXT NOT NULL,
    language    TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    located     TEXT NOT NULL CHECK (located IN ('geometry', 'district', 'none')),
    district    TEXT,
    area        TEXT,
    moderation  TEXT NOT NULL DEFAULT 'public' CHECK (moderation IN ('public', 'hidden')),
    note        TEXT,
    supports    INTEGER NOT NULL DEFAULT 0,
    -- the review, public once given
    feasible    INTEGER,
    reason      TEXT,
    cost        INTEGER,
    unit        TEXT,
    reviewed_at TEXT,
    project_id  INTEGER REFERENCES budget_project(id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL
);
SELECT AddGeometryColumn('budget_proposal', 'geom', 4326, 'GEOMETRY', 'XY', 0);
SELECT CreateSpatialIndex('budget_proposal', 'geom');
CREATE INDEX budget_proposal_round ON budget_proposal(round_id);

CREATE TABLE budget_proposal_contact (
    proposal_id INTEGER PRIMARY KEY REFERENCES budget_proposal(id) ON DELETE CASCADE,
    name        TEXT,
    email       TEXT,
    phone       TEXT
);

-- "Me too": one per browser (the SHA-256 of its vaikuta_browser cookie).
CREATE TABLE budget_support (
    proposal_id INTEGER NOT NULL REFERENCES budget_proposal(id) ON DELETE CASCADE,
    browser     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (proposal_id, browser)
) WITHOUT ROWID;

-- What residents vote on: one or more merged proposals, or the city's own.
-- status is NULL until results; cancelled needs its reason.
CREATE TABLE budget_project (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES budget_round(id) ON DELETE CASCADE,
    title       TEXT NOT NULL CHECK (json_valid(title)),
    description TEXT NOT NULL CHECK (json_valid(description)),
    category    TEXT,
    area        TEXT NOT NULL,
    district    TEXT,
    cost        INTEGER NOT NULL CHECK (cost > 0),
    unit        TEXT,
    status      TEXT CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    status_reason TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (status IS NOT 'cancelled' OR status_reason IS NOT NULL)
);
SELECT AddGeometryColumn('budget_project', 'geom', 4326, 'GEOMETRY', 'XY', 0);
SELECT CreateSpatialIndex('budget_project', 'geom');
CREATE INDEX budget_project_round ON budget_project(round_id);

-- Dated public updates of a project's implementation.
CREATE TABLE budget_project_update (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES budget_project(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    status      TEXT CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    text        TEXT NOT NULL CHECK (json_valid(text)),
    photos      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(photos))
);

-- Single-use voting codes: only the SHA-256 of the code is kept.
CREATE TABLE budget_code (
    code_hash   TEXT PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES budget_round(id) ON DELETE CASCADE,
    batch       TEXT NOT NULL,
    used        INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX budget_code_round ON budget_code(round_id, batch);

-- Browsers that cast an open ballot in a round (not which ballot).
CREATE TABLE budget_voter (
    round_id    INTEGER NOT NULL REFERENCES budget_round(id) ON DELETE CASCADE,
    browser     TEXT NOT NULL,
    PRIMARY KEY (round_id, browser)
) WITHOUT ROWID;

-- One row per ballot, its latest choices: a change replaces choices, so a
-- changed ballot counts once. choices is a JSON array of project ids
-- (knapsack, approval) or an object {id: points}. token_hash is the
-- SHA-256 of the private change link's token (NULL for paper ballots).
-- Paper ballots count once confirmed by a second staff account.
CREATE TABLE budget_ballot (
    id           INTEGER PRIMARY KEY,
    round_id     INTEGER NOT NULL REFERENCES budget_round(id) ON DELETE CASCADE,
    area         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('code', 'open', 'paper')),
    choices      TEXT NOT NULL CHECK (json_valid(choices)),
    total        INTEGER NOT NULL,
    age_group    TEXT,
    postal_code  TEXT,
    token_hash   TEXT UNIQUE,
    sheet        TEXT,
    entered_by   TEXT,
    confirmed_by TEXT,
    counted      INTEGER NOT NULL DEFAULT 1,
    submitted_at TEXT NOT NULL,
    changed_at   TEXT,
    UNIQUE (round_id, sheet)
);
CREATE INDEX budget_ballot_round ON budget_ballot(round_id, area);
