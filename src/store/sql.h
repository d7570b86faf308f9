/*
 * sql.h — every SQL statement Vaikuta runs, by name (pg_featureserv's
 * habit). store.c prepares each one on first use per connection. Public
 * statements never mention feedback_contact; only the insert writes it.
 */
#ifndef VK_SQL_H
#define VK_SQL_H

/* Columns of a public feedback row, in the order store.c reads them. */
#define SQL_FEEDBACK_PUBLIC_COLS                                                     \
    "f.id, f.category, f.description, f.place, f.status, f.closed_reason, "          \
    "f.answer, f.answered_at, d.code, f.created_at, f.updated_at, AsBinary(f.geom) "

/* Optional filters: NULL parameters match everything. Lists come as
 * ",a,b," so one statement serves any number of values. */
#define SQL_FEEDBACK_WHERE                                                           \
    " WHERE (?5 IS NULL OR instr(?5, ',' || f.category || ',') > 0)"                 \
    " AND (?6 IS NULL OR instr(?6, ',' || f.status || ',') > 0)"                     \
    " AND (?7 IS NULL OR f.district_id IS ?7)"

/* bbox: the R*Tree narrows to candidates, Intersects makes it exact for
 * lines and areas whose envelope merely touches the box. */
#define SQL_FEEDBACK_BBOX                                                            \
    " AND f.id IN (SELECT pkid FROM idx_feedback_geom WHERE xmin <= ?3 AND xmax >= ?1" \
    " AND ymin <= ?4 AND ymax >= ?2)"                                                \
    " AND (GeometryType(f.geom) = 'POINT' OR Intersects(f.geom, BuildMbr(?1, ?2, ?3, ?4, 4326)) = 1)"

/* Scripts of several statements, run with sqlite3_exec. */
#define SQL_SCRIPT_PRAGMAS                                                           \
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "                          \
    "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY"
#define SQL_SCRIPT_AREAS_CLEAR                                                       \
    "UPDATE feedback SET district_id = NULL WHERE district_id IS NOT NULL; "         \
    "DELETE FROM district; DELETE FROM accessibility_area; DELETE FROM municipality"
#define SQL_SCRIPT_INIT_SPATIAL "SELECT InitSpatialMetadata(1)"

/*        name                  SQL */
#define STORE_SQL_LIST(X)                                                            \
    X(SQL_PING, "SELECT count(*) FROM feedback")                                     \
    X(SQL_CATEGORY_LIST,                                                             \
      "SELECT id, name_fi, name_sv, name_en, description_fi, description_sv, "       \
      "description_en FROM category ORDER BY sort, id")                              \
    X(SQL_CATEGORY_EXISTS, "SELECT 1 FROM category WHERE id = ?1")                   \
    X(SQL_CATEGORY_PUT,                                                              \
      "INSERT INTO category (id, sort, name_fi, name_sv, name_en, description_fi, "  \
      "description_sv, description_en) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "     \
      "ON CONFLICT(id) DO UPDATE SET sort = excluded.sort, name_fi = excluded.name_fi, " \
      "name_sv = excluded.name_sv, name_en = excluded.name_en, "                     \
      "description_fi = excluded.description_fi, description_sv = excluded.description_sv, " \
      "description_en = excluded.description_en")                                    \
    X(SQL_BOUNDARY_PUT,                                                              \
      "INSERT OR REPLACE INTO municipality (id, code, name_fi, name_sv, name_en, geom) " \
      "VALUES (1, ?1, ?2, ?3, ?4, CastToMultiPolygon(GeomFromWKB(?5, 4326)))")       \
    X(SQL_BOUNDARY_GET,                                                              \
      "SELECT id, code, name_fi, name_sv, name_en, AsBinary(geom) FROM municipality WHERE id = 1") \
    X(SQL_BOUNDARY_EXTENT,                                                           \
      "SELECT MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), MbrMaxY(geom) FROM municipality WHERE id = 1") \
    X(SQL_DISTRICT_PUT,                                                              \
      "INSERT INTO district (code, name_fi, name_sv, name_en, geom) "                \
      "VALUES (?1, ?2, ?3, ?4, CastToMultiPolygon(GeomFromWKB(?5, 4326)))")          \
    X(SQL_DISTRICT_LIST,                                                             \
      "SELECT id, code, name_fi, name_sv, name_en, NULL, AsBinary(geom) FROM district ORDER BY name_fi") \
    X(SQL_DISTRICT_ID, "SELECT id FROM district WHERE code = ?1")                    \
    X(SQL_AREA_PUT,                                                                  \
      "INSERT INTO accessibility_area (code, name_fi, name_sv, name_en, level, geom) " \
      "VALUES (?1, ?2, ?3, ?4, ?6, CastToMultiPolygon(GeomFromWKB(?5, 4326)))")      \
    X(SQL_AREA_LIST,                                                                 \
      "SELECT id, code, name_fi, name_sv, name_en, level, AsBinary(geom) "           \
      "FROM accessibility_area ORDER BY name_fi")                                    \
    X(SQL_FEEDBACK_INSERT,                                                           \
      "INSERT INTO feedback (category, description, place, status, closed_reason, "  \
      "answer, answered_at, district_id, created_at, updated_at, geom) "             \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, GeomFromWKB(?11, 4326))")    \
    X(SQL_CONTACT_INSERT,                                                            \
      "INSERT INTO feedback_contact (feedback_id, name, email, phone) VALUES (?1, ?2, ?3, ?4)") \
    X(SQL_FEEDBACK_GET,                                                              \
      "SELECT " SQL_FEEDBACK_PUBLIC_COLS                                             \
      "FROM feedback f LEFT JOIN district d ON d.id = f.district_id WHERE f.id = ?1") \
    X(SQL_FEEDBACK_LIST,                                                             \
      "SELECT " SQL_FEEDBACK_PUBLIC_COLS                                             \
      "FROM feedback f LEFT JOIN district d ON d.id = f.district_id"                 \
      SQL_FEEDBACK_WHERE " ORDER BY f.id LIMIT ?8 OFFSET ?9")                        \
    X(SQL_FEEDBACK_LIST_BBOX,                                                        \
      "SELECT " SQL_FEEDBACK_PUBLIC_COLS                                             \
      "FROM feedback f LEFT JOIN district d ON d.id = f.district_id"                 \
      SQL_FEEDBACK_WHERE SQL_FEEDBACK_BBOX " ORDER BY f.id LIMIT ?8 OFFSET ?9")      \
    X(SQL_FEEDBACK_COUNT, "SELECT count(*) FROM feedback f" SQL_FEEDBACK_WHERE)       \
    X(SQL_FEEDBACK_COUNT_BBOX,                                                       \
      "SELECT count(*) FROM feedback f" SQL_FEEDBACK_WHERE SQL_FEEDBACK_BBOX)        \
    X(SQL_FEEDBACK_GEOMS, "SELECT id, AsBinary(geom), district_id FROM feedback")    \
    X(SQL_FEEDBACK_SET_DISTRICT, "UPDATE feedback SET district_id = ?2 WHERE id = ?1")

typedef enum {
#define STORE_SQL_ENUM(name, sql) name,
    STORE_SQL_LIST(STORE_SQL_ENUM)
#undef STORE_SQL_ENUM
    SQL__COUNT
} store_sql_id;

#endif
