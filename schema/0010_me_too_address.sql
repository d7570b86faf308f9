-- 0010_me_too_address: "me too" counts at most once per item per client
-- address a day (issue 19), beside the once-per-browser cookie rule.
--
-- address is a keyed hash (BLAKE2b, hex) of the day and the client's
-- address (an IPv6 address's /64): the key is random at each start of the
-- server and never written anywhere, so the rows cannot be turned back
-- into addresses, and rows of earlier days are deleted as the next "me
-- too" is written. The address itself is never stored.
CREATE TABLE feedback_me_too_address (
    feedback_id INTEGER NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    address     TEXT NOT NULL CHECK (length(address) = 64),
    day         TEXT NOT NULL,  -- YYYY-MM-DD (UTC) the hash was made for
    PRIMARY KEY (feedback_id, address)
) WITHOUT ROWID;
CREATE INDEX feedback_me_too_address_day ON feedback_me_too_address(day);
