-- 0007_stats: the change log that aggregate statistics (issue 6) follow.
--
-- Every change to a feedback item that any aggregate can see adds a row
-- (triggers below): the server's in-memory statistics snapshot re-reads
-- only the items logged after the last row it applied, and the newest seq
-- is the aggregates' ETag (its `at` their Last-Modified). feedback_id NULL
-- means "reference data changed" (areas, categories, units): the snapshot
-- is rebuilt. AUTOINCREMENT: a seq is never reused, even if old rows are
-- deleted to keep the log short.
CREATE TABLE stats_change (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    feedback_id INTEGER,
    at          TEXT NOT NULL
);
INSERT INTO stats_change (feedback_id, at) VALUES (NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

CREATE TRIGGER stats_feedback_insert AFTER INSERT ON feedback BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (new.id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
-- Only the columns an aggregate reads: an edited description or a "me
-- too" leaves the figures (and their ETag) as they were.
CREATE TRIGGER stats_feedback_update
AFTER UPDATE OF category, status, unit_id, district_id, hidden, created_at, first_answered_at,
                closed_at, geom ON feedback BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (new.id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
CREATE TRIGGER stats_feedback_delete AFTER DELETE ON feedback BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (old.id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;

CREATE TRIGGER stats_district_insert AFTER INSERT ON district BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
CREATE TRIGGER stats_district_update AFTER UPDATE ON district BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
CREATE TRIGGER stats_district_delete AFTER DELETE ON district BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
CREATE TRIGGER stats_area_insert AFTER INSERT ON accessibility_area BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
CREATE TRIGGER stats_area_update AFTER UPDATE ON accessibility_area BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
CREATE TRIGGER stats_area_delete AFTER DELETE ON accessibility_area BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
CREATE TRIGGER stats_category_insert AFTER INSERT ON category BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
CREATE TRIGGER stats_unit_insert AFTER INSERT ON unit BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
CREATE TRIGGER stats_unit_update AFTER UPDATE OF code ON unit BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
