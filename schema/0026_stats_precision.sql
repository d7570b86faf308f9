-- Issue 15: map tiles follow the change log (0007/0011), and a tile at
-- street zoom leaves out feedback placed only by its district
-- (location_precision 'district'). A change of location_precision alone
-- (a moderator's correction) must therefore be logged, or a cached tile
-- keeps drawing the item as a pin (or never draws it). The trigger of
-- 0011 again, with location_precision among its columns. DROP ... IF
-- EXISTS: a database rolled back to an older version (tests) runs this
-- again.
DROP TRIGGER IF EXISTS stats_feedback_update;
CREATE TRIGGER stats_feedback_update
AFTER UPDATE OF category, status, unit_id, district_id, hidden, created_at, first_answered_at,
                closed_at, geom, location_precision ON feedback
WHEN (old.hidden = 0 OR new.hidden = 0)
     AND (old.category IS NOT new.category OR old.status IS NOT new.status
          OR old.unit_id IS NOT new.unit_id OR old.district_id IS NOT new.district_id
          OR old.hidden IS NOT new.hidden OR old.created_at IS NOT new.created_at
          OR old.first_answered_at IS NOT new.first_answered_at
          OR old.closed_at IS NOT new.closed_at OR old.geom IS NOT new.geom
          OR old.location_precision IS NOT new.location_precision) BEGIN
    INSERT INTO stats_change (feedback_id, at) VALUES (new.id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
