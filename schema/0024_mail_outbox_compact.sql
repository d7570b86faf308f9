-- 0024: compact outbox rows, one index fewer (issue 17's speed figure, docs/mail.md).
--
-- The feedback POST queued each message with its subject and text,
-- rendered on the writer thread from reads of the category, the unit and
-- the reporter's contact: queuing added a third to the writer's time per
-- POST. A receipt and a unit's "new item" message are now queued as a
-- compact row: kind, item, recipient, language, Message-ID, unsubscribe
-- secret and params, what only the moment of queuing knows (a receipt's
-- follow-up token; a unit's message: "new"); subject and body_text stay
-- '' and the sender renders the text when it sends (src/mail/sender.c,
-- src/feedback/notify.c's api_notify_render).
--
-- params NULL: subject and body_text hold the message, as before. Every
-- row queued before this migration is such a row and is sent as it was
-- queued, so existing rows need no rewrite; the other kinds (answers,
-- status changes, merges, digests, subscribers' mail) are still queued
-- with their text, which they must keep as it was at the change.
-- params is emptied (NULL) with body_text once a message is sent or
-- cancelled: a receipt's follow-up token is a secret. A failed compact
-- row keeps it, so an admin's retry can render it again.
ALTER TABLE mail_outbox ADD COLUMN params TEXT;

-- One index fewer in the change's transaction: every message queued also
-- wrote an entry in the item index, one more B-tree page in each commit
-- of the durable POST. Its users, cancelling an item's unsent messages
-- (withdrawal, purge, reassignment), all ask for state = 'queued', which
-- mail_outbox_due (state, next_attempt) finds, so only the unsent rows
-- are looked at, however many sent ones the table keeps.
DROP INDEX mail_outbox_feedback;
