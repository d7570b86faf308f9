-- Issue 14 (and 16): photos of findings, reports and updates
-- (docs/photos.md). Only the processed sizes are kept, never the upload:
-- the original is what carries the GPS position and the camera's serial.
-- The bytes are BLOBs here, so a photo and its owner commit together and
-- `vaikuta backup` carries them as rows; the BLOB columns come last so
-- reading the others never walks their overflow pages.
-- owner_kind/owner_id are NULL while the photo is pending (uploaded, not
-- yet attached by its owner's write); pending photos are purged.
CREATE TABLE photo (
    id             TEXT PRIMARY KEY CHECK (length(id) = 32),
    owner_kind     TEXT,
    owner_id       TEXT,
    hidden         INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    source_type    TEXT NOT NULL CHECK (source_type IN ('jpeg', 'png', 'webp', 'heif')),
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    thumb_w        INTEGER NOT NULL,
    thumb_h        INTEGER NOT NULL,
    display_bytes  INTEGER NOT NULL,
    thumb_bytes    INTEGER NOT NULL,
    display_sha256 TEXT NOT NULL,
    thumb_sha256   TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    attached_at    TEXT,
    display        BLOB NOT NULL,
    thumb          BLOB NOT NULL,
    CHECK ((owner_kind IS NULL) = (owner_id IS NULL))
);

CREATE INDEX photo_owner ON photo (owner_kind, owner_id) WHERE owner_kind IS NOT NULL;
CREATE INDEX photo_pending ON photo (created_at) WHERE owner_kind IS NULL;
