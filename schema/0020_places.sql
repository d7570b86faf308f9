-- The gazetteer (issue 16, docs/places.md): addresses, streets and named
-- places for "finding the place", and how exactly each feedback item is
-- placed.
--
-- gaz_name holds every name a resident searches for: streets (derived from
-- the addresses when they are loaded) and named places (a park, a rapids).
-- gaz_address holds the address points, each on its street. The names are
-- searched through an FTS5 trigram index (typo-tolerant: the query's
-- trigrams are OR'ed, the candidates re-ranked by edit distance in C); the
-- address points are found near a position through an R*Tree. The whole
-- gazetteer is replaced at once by `vaikuta load-addresses`.
CREATE TABLE gaz_name (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('street', 'place')),
    name_fi         TEXT NOT NULL,
    name_sv         TEXT,                       -- NULL where the source has none
    municipality_fi TEXT,
    municipality_sv TEXT,
    postcode        TEXT,
    lon             REAL NOT NULL,              -- EPSG:4326: the street's middle address
    lat             REAL NOT NULL,
    district_code   TEXT                        -- district.code when loaded; no foreign key:
                                                -- load-geo may replace the districts
);
CREATE INDEX gaz_name_street ON gaz_name(name_fi, municipality_fi);

CREATE TABLE gaz_address (
    id              INTEGER PRIMARY KEY,
    name_id         INTEGER REFERENCES gaz_name(id),  -- the street, set when loaded
    street_fi       TEXT NOT NULL,
    street_sv       TEXT,
    number          TEXT NOT NULL,              -- as written: "3", "3 A", "12-14"
    number_key      TEXT NOT NULL,              -- lower case, no spaces: "3a"
    number_int      INTEGER NOT NULL,           -- the leading whole number: 3
    postcode        TEXT,
    municipality_fi TEXT,
    municipality_sv TEXT,
    lon             REAL NOT NULL,
    lat             REAL NOT NULL,
    district_code   TEXT
);
CREATE INDEX gaz_address_number ON gaz_address(name_id, number_key);
CREATE INDEX gaz_address_int ON gaz_address(name_id, number_int);

CREATE VIRTUAL TABLE gaz_name_fts USING fts5(
    name_fi, name_sv, content = 'gaz_name', content_rowid = 'id', tokenize = 'trigram');
CREATE VIRTUAL TABLE gaz_address_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat);

-- Where a report is placed: exact (a point, line or area drawn on the
-- map), address (the point of an address the gazetteer found: Open311's
-- address_string, or the search box without moving the pin after), or
-- district (placed by district without the map: the point is the
-- district's label point and means only "somewhere in this district").
ALTER TABLE feedback ADD COLUMN location_precision TEXT NOT NULL DEFAULT 'exact'
    CHECK (location_precision IN ('exact', 'address', 'district'));
-- Reports made before this column by the "without the map" choice sit on
-- their district's label point (GEOS point on surface, as the client was
-- given it at 7 decimals): those are district-only.
UPDATE feedback SET location_precision = 'district'
WHERE district_id IS NOT NULL AND GeometryType(geom) = 'POINT'
  AND EXISTS (SELECT 1 FROM district d WHERE d.id = feedback.district_id
              AND abs(X(PointOnSurface(d.geom)) - X(feedback.geom)) < 1e-6
              AND abs(Y(PointOnSurface(d.geom)) - Y(feedback.geom)) < 1e-6);
