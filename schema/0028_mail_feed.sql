-- Issue 17: queuing a new item's mail adds < 5 % to the feedback POST
-- (docs/mail.md, "A new item's mail"). The POST's receipt and its unit's
-- "new item" message were two outbox rows in the POST's transaction, about
-- 140 thousand instructions each against 730 thousand for the whole POST.
-- Now the item is the durable record of what it owes: the POST marks it
-- (feedback.mail = 1) and keeps the receipt's follow-up token in the
-- contact row it writes anyway. The sender reads the marked items past
-- mail_feed.last_item_id, sends their messages and then moves the cursor
-- in one writer job per batch; only a message that must wait or failed
-- becomes an outbox row. A crash between the send and the cursor's move
-- sends again after the restart with the same Message-ID: the ids are
-- derived from the item and the key below (HMAC), not drawn.
CREATE TABLE mail_feed (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_item_id  INTEGER NOT NULL,  -- every item up to here has had its new-item mail
    key           BLOB NOT NULL      -- 32 random bytes: Message-IDs and unsubscribe links
);
-- Items saved before this migration had their mail queued as rows by the
-- POST itself: the cursor starts past them.
INSERT INTO mail_feed (id, last_item_id, key) SELECT 1, coalesce(max(id), 0), randomblob(32) FROM feedback;

-- 1: saved through a door that mails (the POST and its Open311 and OGC
-- doors); NULL: seeds and imports, which mail nobody.
ALTER TABLE feedback ADD COLUMN mail INTEGER;

-- The follow-up token for the receipt's link, kept only until the receipt
-- is sent (or becomes an outbox row): the outbox row's params held it
-- until then before.
ALTER TABLE feedback_contact ADD COLUMN receipt_token TEXT;
