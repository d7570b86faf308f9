-- Issue 15: the items' category, unit and district names come from a copy
-- each connection keeps (src/features/labels.c). It knew the copy was
-- current only while nothing at all had been committed since it was read,
-- so every write made every connection read the three tables again, and
-- the writer read them for each item it answered (a ninth of a feedback
-- POST's instructions). A value the three tables' own triggers change
-- tells whether those tables changed: any writer (the server, an import,
-- sqlite3 by hand) changes it. A random value, not a count: a rolled-back
-- change takes a count back to where it was, and the next change would
-- give that same count to other names, so a copy read inside the
-- rolled-back transaction would pass for current. A new random value
-- does not meet an old one (one chance in 2^64).
-- IF NOT EXISTS and DROP ... IF EXISTS: a database rolled back to an
-- older version (tests) runs this again.
CREATE TABLE IF NOT EXISTS label_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT OR IGNORE INTO label_version (id, n) VALUES (1, 0);

DROP TRIGGER IF EXISTS label_version_category_insert;
DROP TRIGGER IF EXISTS label_version_category_update;
DROP TRIGGER IF EXISTS label_version_category_delete;
DROP TRIGGER IF EXISTS label_version_unit_insert;
DROP TRIGGER IF EXISTS label_version_unit_update;
DROP TRIGGER IF EXISTS label_version_unit_delete;
DROP TRIGGER IF EXISTS label_version_district_insert;
DROP TRIGGER IF EXISTS label_version_district_update;
DROP TRIGGER IF EXISTS label_version_district_delete;
CREATE TRIGGER label_version_category_insert AFTER INSERT ON category BEGIN
    UPDATE label_version SET n = random() WHERE id = 1; END;
CREATE TRIGGER label_version_category_update AFTER UPDATE ON category BEGIN
    UPDATE label_version SET n = random() WHERE id = 1; END;
CREATE TRIGGER label_version_category_delete AFTER DELETE ON category BEGIN
    UPDATE label_version SET n = random() WHERE id = 1; END;
CREATE TRIGGER label_version_unit_insert AFTER INSERT ON unit BEGIN
    UPDATE label_version SET n = random() WHERE id = 1; END;
CREATE TRIGGER label_version_unit_update AFTER UPDATE ON unit BEGIN
    UPDATE label_version SET n = random() WHERE id = 1; END;
CREATE TRIGGER label_version_unit_delete AFTER DELETE ON unit BEGIN
    UPDATE label_version SET n = random() WHERE id = 1; END;
CREATE TRIGGER label_version_district_insert AFTER INSERT ON district BEGIN
    UPDATE label_version SET n = random() WHERE id = 1; END;
CREATE TRIGGER label_version_district_update AFTER UPDATE ON district BEGIN
    UPDATE label_version SET n = random() WHERE id = 1; END;
CREATE TRIGGER label_version_district_delete AFTER DELETE ON district BEGIN
    UPDATE label_version SET n = random() WHERE id = 1; END;
