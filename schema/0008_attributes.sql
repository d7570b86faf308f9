-- 0008_attributes: category-specific questions (Open311 service
-- definitions) and the residents' answers to them.
--
-- A definition belongs to one category; a list type keeps its choices as
-- a JSON array of {key, name:{fi,sv,en}} (they are only ever read whole,
-- with the definition). The answers sit with the item as one JSON object
-- {code: value | [values]}, checked against the definitions by the API
-- before they are stored: they are public facts about the place, never
-- personal data.
CREATE TABLE category_attribute (
    category       TEXT NOT NULL REFERENCES category(id) ON DELETE CASCADE,
    code           TEXT NOT NULL CHECK (code GLOB '[a-z]*' AND length(code) <= 40),
    sort           INTEGER NOT NULL DEFAULT 0,
    datatype       TEXT NOT NULL CHECK (datatype IN ('string', 'number', 'datetime', 'text',
                                                     'singlevaluelist', 'multivaluelist')),
    required       INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
    description_fi TEXT NOT NULL,
    description_sv TEXT NOT NULL,
    description_en TEXT NOT NULL,
    value_list     TEXT CHECK (value_list IS NULL OR json_valid(value_list)),
    PRIMARY KEY (category, code)
);

ALTER TABLE feedback ADD COLUMN attributes TEXT
    CHECK (attributes IS NULL OR json_valid(attributes));
