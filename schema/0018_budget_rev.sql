-- Issue 13, ballot throughput: a round's revision, raised by every change
-- of what a ballot is checked against (the round's document, its
-- projects), so a process can keep the round parsed and its projects
-- loaded (src/budget/cache.c) and tell with one indexed read whether they
-- are still current.
ALTER TABLE budget_round ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER budget_round_rev AFTER UPDATE OF doc ON budget_round
BEGIN
    UPDATE budget_round SET rev = rev + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER budget_project_rev_insert AFTER INSERT ON budget_project
BEGIN
    UPDATE budget_round SET rev = rev + 1 WHERE id = NEW.round_id;
END;

CREATE TRIGGER budget_project_rev_update AFTER UPDATE ON budget_project
BEGIN
    UPDATE budget_round SET rev = rev + 1 WHERE id = NEW.round_id;
END;

CREATE TRIGGER budget_project_rev_delete AFTER DELETE ON budget_project
BEGIN
    UPDATE budget_round SET rev = rev + 1 WHERE id = OLD.round_id;
END;
