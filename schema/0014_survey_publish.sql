-- Issue 12 (public side): publishing a survey's results with privacy
-- built in, "what we did with your answers", and the moderation of free
-- text (docs/survey-publish.md).

-- One row per survey whose publication the author has set (a survey
-- without a row is unpublished, k 5, points snapped). k is the smallest
-- number of respondents a public figure may rest on: never below 3.
-- results_from is the first day (UTC, YYYY-MM-DD) the results are public.
-- what_we_did is {"fi","sv","en"} texts; links [{url, title:{fi,sv,en}}].
CREATE TABLE survey_publication (
    survey_id    INTEGER PRIMARY KEY REFERENCES survey(id) ON DELETE CASCADE,
    results      INTEGER NOT NULL DEFAULT 0 CHECK (results IN (0, 1)),
    results_from TEXT,
    k            INTEGER NOT NULL DEFAULT 5 CHECK (k BETWEEN 3 AND 1000),
    snap         INTEGER NOT NULL DEFAULT 1 CHECK (snap IN (0, 1)),
    hex_size     INTEGER NOT NULL DEFAULT 500 CHECK (hex_size BETWEEN 100 AND 10000),
    status       TEXT CHECK (status IS NULL OR status IN ('analysing', 'decided', 'implemented')),
    what_we_did  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(what_we_did)),
    links        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(links)),
    -- bumped by every change of these settings and every moderation, so
    -- the public results know when to be computed again
    revision     INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT
);

-- The moderation state of a free-text answer, named by its answer id
-- ("RESPONSE.QUESTION" or "RESPONSE.QUESTION.INDEX.FOLLOWUP" for a
-- follow-up of a drawn feature). No row: pending. Only approved texts are
-- public.
CREATE TABLE survey_text_state (
    response_id INTEGER NOT NULL REFERENCES survey_response(id) ON DELETE CASCADE,
    answer      TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    updated_at  TEXT NOT NULL,
    updated_by  TEXT,
    PRIMARY KEY (response_id, answer)
) WITHOUT ROWID;

-- A respondent who kept the resume link of a draft may read their own
-- answers beside the results. Sending the response deletes the draft
-- (survey_store_response_insert); this trigger keeps its token's hash,
-- now naming the response. Drafts purged unsent leave nothing.
CREATE TABLE survey_response_token (
    token_hash  TEXT PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES survey_response(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX survey_response_token_response ON survey_response_token(response_id);
CREATE TRIGGER survey_draft_sent BEFORE DELETE ON survey_draft
BEGIN
    INSERT OR IGNORE INTO survey_response_token (token_hash, response_id)
    SELECT OLD.token_hash, r.id FROM survey_response r
    WHERE r.survey_id = OLD.survey_id AND r.uuid = OLD.uuid;
END;
