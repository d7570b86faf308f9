-- 0023_answer_languages: the public answer in more than one language
-- (issue 18). feedback.answer stays the answer as written (Finnish, or the
-- first language the moderator wrote in; every older answer is there);
-- answer_sv and answer_en are its Swedish and English versions, NULL when
-- none was written, and a reader in that language then gets answer. The
-- events keep each version beside public_answer in the same way.
ALTER TABLE feedback ADD COLUMN answer_sv TEXT;
ALTER TABLE feedback ADD COLUMN answer_en TEXT;
ALTER TABLE feedback_event ADD COLUMN public_answer_sv TEXT;
ALTER TABLE feedback_event ADD COLUMN public_answer_en TEXT;
