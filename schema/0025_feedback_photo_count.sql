-- Issue 15: the OGC API items list feedback with their approved photos.
-- Probing the photo table for every row cost ~50-100 us per page of 100
-- although most items have none; photo_count (public photos: attached to
-- the item and approved, hidden = 0) lets the column read the photo table
-- only where there is something to read. Ordinary triggers keep it, so
-- every path that attaches, approves, hides or deletes a photo (media,
-- moderation, withdrawal, GDPR purge, restore) counts without code of its
-- own. owner_id is the item's id as text: the id = CAST(...) lookup finds
-- the row by its key, the second test keeps the match exact ('07', ' 7').
ALTER TABLE feedback ADD COLUMN photo_count INTEGER NOT NULL DEFAULT 0;

UPDATE feedback SET photo_count = (
    SELECT count(*) FROM photo p
    WHERE p.owner_kind = 'feedback' AND p.owner_id = CAST(feedback.id AS TEXT) AND p.hidden = 0)
WHERE id IN (SELECT CAST(owner_id AS INTEGER) FROM photo WHERE owner_kind = 'feedback' AND hidden = 0);

CREATE TRIGGER feedback_photo_count_insert AFTER INSERT ON photo
WHEN new.owner_kind = 'feedback' AND new.hidden = 0 BEGIN
    UPDATE feedback SET photo_count = photo_count + 1
    WHERE id = CAST(new.owner_id AS INTEGER) AND CAST(id AS TEXT) = new.owner_id;
END;

CREATE TRIGGER feedback_photo_count_update AFTER UPDATE OF owner_kind, owner_id, hidden ON photo
WHEN (old.owner_kind = 'feedback' AND old.hidden = 0) OR (new.owner_kind = 'feedback' AND new.hidden = 0) BEGIN
    UPDATE feedback SET photo_count = photo_count - 1
    WHERE old.owner_kind = 'feedback' AND old.hidden = 0
      AND id = CAST(old.owner_id AS INTEGER) AND CAST(id AS TEXT) = old.owner_id;
    UPDATE feedback SET photo_count = photo_count + 1
    WHERE new.owner_kind = 'feedback' AND new.hidden = 0
      AND id = CAST(new.owner_id AS INTEGER) AND CAST(id AS TEXT) = new.owner_id;
END;

CREATE TRIGGER feedback_photo_count_delete AFTER DELETE ON photo
WHEN old.owner_kind = 'feedback' AND old.hidden = 0 BEGIN
    UPDATE feedback SET photo_count = photo_count - 1
    WHERE id = CAST(old.owner_id AS INTEGER) AND CAST(id AS TEXT) = old.owner_id;
END;
