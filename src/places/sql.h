/*
 * sql.h — the statements of the gazetteer (the slice places_sql): loading
 * it whole, searching names, finding an address on a street and the
 * nearest address to a position (schema/0020_places.sql).
 */
#ifndef VK_PLACES_SQL_H
#define VK_PLACES_SQL_H

#include "db/stmt.h"

/* Before a load: the whole gazetteer goes (external-content FTS5 is told
 * with 'delete-all'). A script, run with store_exec. */
#define SQL_SCRIPT_GAZ_CLEAR                                                         \
    "INSERT INTO gaz_name_fts(gaz_name_fts) VALUES ('delete-all'); "                 \
    "DELETE FROM gaz_address_rtree; DELETE FROM gaz_address; DELETE FROM gaz_name"

/* After the addresses are in: one street per (Finnish name, municipality),
 * at the address nearest to the mean of its addresses (a curved street's
 * mean may lie off it); then the indexes. */
#define SQL_SCRIPT_GAZ_FINISH                                                        \
    "INSERT INTO gaz_name (kind, name_fi, name_sv, municipality_fi, municipality_sv, " \
    "  postcode, lon, lat) "                                                         \
    "SELECT 'street', street_fi, max(street_sv), municipality_fi, max(municipality_sv), " \
    "  min(postcode), avg(lon), avg(lat) FROM gaz_address "                          \
    "  GROUP BY street_fi, municipality_fi; "                                        \
    "UPDATE gaz_address SET name_id = (SELECT n.id FROM gaz_name n WHERE n.kind = 'street' " \
    "  AND n.name_fi = gaz_address.street_fi "                                       \
    "  AND n.municipality_fi IS gaz_address.municipality_fi); "                      \
    "UPDATE gaz_name SET lon = m.lon, lat = m.lat, district_code = m.district_code " \
    "  FROM (SELECT a.name_id, a.lon, a.lat, a.district_code, row_number() OVER ("  \
    "    PARTITION BY a.name_id ORDER BY (a.lon - n.lon) * (a.lon - n.lon) "         \
    "    + (a.lat - n.lat) * (a.lat - n.lat), a.id) AS r "                           \
    "    FROM gaz_address a JOIN gaz_name n ON n.id = a.name_id) m "                 \
    "  WHERE m.name_id = gaz_name.id AND m.r = 1; "                                  \
    "INSERT INTO gaz_address_rtree (id, min_lon, max_lon, min_lat, max_lat) "        \
    "  SELECT id, lon, lon, lat, lat FROM gaz_address; "                             \
    "INSERT INTO gaz_name_fts(gaz_name_fts) VALUES ('rebuild')"

/* The columns of a name row (gaz_name n, district d). */
#define GAZ_NAME_COLUMNS                                                             \
    "n.id, n.kind, n.name_fi, n.name_sv, n.municipality_fi, n.municipality_sv, "     \
    "n.postcode, n.lon, n.lat, d.code, d.name_fi, d.name_sv, d.name_en"
/* The columns of an address row (gaz_address a, district d). */
#define GAZ_ADDRESS_COLUMNS                                                          \
    "a.id, a.street_fi, a.street_sv, a.number, a.postcode, a.municipality_fi, "      \
    "a.municipality_sv, a.lon, a.lat, d.code, d.name_fi, d.name_sv, d.name_en"

#define PLACES_SQL(X)                                                                \
    X(SQL_GAZ_ADDRESS_INSERT,                                                        \
      "INSERT INTO gaz_address (street_fi, street_sv, number, number_key, number_int, " \
      "postcode, municipality_fi, municipality_sv, lon, lat, district_code) "        \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")                       \
    X(SQL_GAZ_PLACE_INSERT,                                                          \
      "INSERT INTO gaz_name (kind, name_fi, name_sv, municipality_fi, municipality_sv, " \
      "postcode, lon, lat, district_code) VALUES ('place', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") \
    X(SQL_GAZ_DISTRICT_CODE, "SELECT code FROM district WHERE id = ?1")            \
    X(SQL_GAZ_COUNTS,                                                                \
      "SELECT (SELECT count(*) FROM gaz_address), "                                  \
      "(SELECT count(*) FROM gaz_name WHERE kind = 'street'), "                      \
      "(SELECT count(*) FROM gaz_name WHERE kind = 'place')")                        \
    /* Candidates for a query of 3 or more characters: any of its trigrams    \
     * (?1 is '"abc" OR "bcd" …'), best bm25 first; re-ranked in C. */               \
    X(SQL_GAZ_FTS,                                                                   \
      "SELECT " GAZ_NAME_COLUMNS " FROM gaz_name_fts "                               \
      "JOIN gaz_name n ON n.id = gaz_name_fts.rowid "                                \
      "LEFT JOIN district d ON d.code = n.district_code "                            \
      "WHERE gaz_name_fts MATCH ?1 ORDER BY gaz_name_fts.rank LIMIT ?2")                        \
    /* Candidates for a query of 1 or 2 characters (trigrams need 3): names  \
     * that begin with it (LIKE: case-blind for ASCII). */                           \
    X(SQL_GAZ_SHORT,                                                                 \
      "SELECT " GAZ_NAME_COLUMNS " FROM gaz_name n "                                 \
      "LEFT JOIN district d ON d.code = n.district_code "                            \
      "WHERE n.name_fi LIKE ?1 || '%' ESCAPE '\\' OR n.name_sv LIKE ?1 || '%' ESCAPE '\\' " \
      "ORDER BY n.name_fi LIMIT ?2")                                                 \
    /* The address with this number on street ?1: the exact key ("3a"), else \
     * the lowest with the same whole number ("3" finds "3 A"). */                  \
    X(SQL_GAZ_NUMBER,                                                                \
      "SELECT " GAZ_ADDRESS_COLUMNS " FROM gaz_address a "                           \
      "LEFT JOIN district d ON d.code = a.district_code "                            \
      "WHERE a.name_id = ?1 AND (a.number_key = ?2 OR a.number_int = ?3) "           \
      "ORDER BY a.number_key <> ?2, a.number_key LIMIT 1")                           \
    /* Addresses in the box ?1..?4 (min lon, max lon, min lat, max lat)     \
     * through the R*Tree; the nearest is chosen in C. */                           \
    X(SQL_GAZ_NEAR,                                                                  \
      "SELECT " GAZ_ADDRESS_COLUMNS " FROM gaz_address_rtree r "                     \
      "JOIN gaz_address a ON a.id = r.id LEFT JOIN district d ON d.code = a.district_code " \
      "WHERE r.max_lon >= ?1 AND r.min_lon <= ?2 AND r.max_lat >= ?3 AND r.min_lat <= ?4")
DB_SLICE_ENUM(places_sql_id, PLACES_SQL)
extern const db_slice places_sql;

#endif
