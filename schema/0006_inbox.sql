-- 0006_inbox: the staff inbox's order: unanswered first, then oldest
-- first: as an index, so its first page on a large table is an index
-- walk that stops at the page's end instead of a sort of every item.
-- The expression must stay exactly as collections.c writes its ORDER BY.
CREATE INDEX feedback_inbox ON feedback((answered_at IS NOT NULL), created_at, id);
