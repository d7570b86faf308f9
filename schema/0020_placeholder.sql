-- 0020: a placeholder so that this branch builds (migrations are numbered
-- without gaps); the real 0020 belongs to another branch. Drop this file
-- and its line in meson.build when merging after that branch.
SELECT 1;
