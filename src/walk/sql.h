/*
 * sql.h — the statements of accessibility walks (the slice walk_sql): the
 * tables of schema/00NN_walks.sql, and two reads of tables other features
 * own, both of public columns only: the accessibility areas and districts
 * a finding lies in, and residents' public feedback of the category
 * 'accessibility' for the council's review list. Writes run on the writer
 * thread only.
 */
#ifndef VK_WALK_SQL_H
#define VK_WALK_SQL_H

#include "db/stmt.h"

/* A finding's representative point: itself, or a line's middle point. */
#define WALK_SQL_POINT(g)                                                                       \
    "(CASE WHEN GeometryType(" g ") LIKE 'POINT%' THEN " g                                      \
    " ELSE ST_Line_Interpolate_Point(" g ", 0.5) END)"

/* The columns of a finding, in the order walk_finding_row reads them. */
#define WALK_SQL_FINDING_COLS                                                                   \
    "f.uuid, f.walk_id, f.type, f.grade, f.groups, f.measurements, f.verdicts, f.level, "       \
    "f.special_area, f.district, f.surface, f.description, f.status, f.target_date, f.unit, "   \
    "f.reason, f.explanation, f.consensus, f.consensus_grade, f.n_agree, f.n_disagree, "        \
    "f.n_unsure, f.source, f.feedback_id, f.created_at, f.updated_at, AsBinary(f.geom), f.id, " \
    "f.fixed_at, f.verified_how, f.verified_walk, X(" WALK_SQL_POINT("f.geom") "), "            \
    "Y(" WALK_SQL_POINT("f.geom") "), " WALK_SQL_PHOTOS("f.uuid")

/* A finding's photos (docs/photos.md: its table's columns are part of its
 * contract), oldest first, hidden ones left out, as a JSON array. */
#define WALK_SQL_PHOTOS(uuid)                                                                   \
    "(SELECT coalesce(json_group_array(json_object('id', p.id, 'width', p.width, 'height', "     \
    "p.height, 'url', '/api/v1/photos/' || p.id || '/display', 'thumb', '/api/v1/photos/' || "  \
    "p.id || '/thumb')), '[]') FROM (SELECT * FROM photo p WHERE p.owner_kind = 'walk_finding' " \
    "AND p.owner_id = " uuid " AND p.hidden = 0 ORDER BY p.created_at, p.id) p)"

#define WALK_SQL_WALK_COLS                                                                      \
    "w.id, w.title, w.walk_date, w.organiser, w.groups, w.participants, w.notes, w.state, "     \
    "w.walked_m, w.created_at, w.updated_at, AsBinary(w.route), AsBinary(w.area), "             \
    "(SELECT count(*) FROM walk_finding f WHERE f.walk_id = w.id), "                            \
    "MbrMinX(coalesce(w.route, w.area)), MbrMinY(coalesce(w.route, w.area)), "                  \
    "MbrMaxX(coalesce(w.route, w.area)), MbrMaxY(coalesce(w.route, w.area))"

#define WALK_SQL(X)                                                                             \
    X(SQL_WALK_INSERT,                                                                          \
      "INSERT INTO walk (title, walk_date, organiser, groups, participants, notes, code_hash, "  \
      "created_at, updated_at, created_by, route, area, walked_m) VALUES (?1, ?2, ?3, ?4, ?5, " \
      "?6, ?7, ?8, ?8, ?9, GeomFromWKB(?10, 4326), GeomFromWKB(?11, 4326), "                    \
      "coalesce(ST_Length(GeomFromWKB(?10, 4326), 1), 0))")                                     \
    X(SQL_WALK_UPDATE,                                                                          \
      "UPDATE walk SET title = ?2, walk_date = ?3, organiser = ?4, groups = ?5, "               \
      "participants = ?6, notes = ?7, route = GeomFromWKB(?8, 4326), "                          \
      "area = GeomFromWKB(?9, 4326), walked_m = coalesce(ST_Length(GeomFromWKB(?8, 4326), 1), 0), " \
      "updated_at = ?10 WHERE id = ?1")                                                         \
    X(SQL_WALK_LENGTHS_CLEAR, "DELETE FROM walk_area_length WHERE walk_id = ?1")                \
    X(SQL_WALK_LENGTHS_FILL,                                                                    \
      "INSERT INTO walk_area_length (walk_id, kind, code, metres) SELECT walk_id, kind, code, " \
      "metres FROM (SELECT w.id AS walk_id, 'district' AS kind, d.code AS code, "               \
      "ST_Length(ST_Intersection(w.route, d.geom), 1) AS metres FROM walk w, district d "       \
      "WHERE w.id = ?1 AND w.route IS NOT NULL AND ST_Intersects(w.route, d.geom) = 1 "         \
      "UNION ALL SELECT w.id, 'accessibility', a.code, "                                        \
      "ST_Length(ST_Intersection(w.route, a.geom), 1) FROM walk w, accessibility_area a "       \
      "WHERE w.id = ?1 AND w.route IS NOT NULL AND ST_Intersects(w.route, a.geom) = 1) "        \
      "WHERE metres > 0")                                                                       \
    X(SQL_WALK_GET, "SELECT " WALK_SQL_WALK_COLS " FROM walk w WHERE w.id = ?1")                \
    X(SQL_WALK_LIST, "SELECT " WALK_SQL_WALK_COLS " FROM walk w ORDER BY w.walk_date DESC, w.id DESC") \
    X(SQL_WALK_HEAD, "SELECT code_hash, state, walk_date, "                                     \
      "(SELECT count(*) FROM walk_finding f WHERE f.walk_id = walk.id) FROM walk WHERE id = ?1") \
    X(SQL_WALK_BY_CODE, "SELECT id, code_hash, state FROM walk WHERE code_hash = ?1")           \
    X(SQL_WALK_SET_STATE, "UPDATE walk SET state = ?2, updated_at = ?3 WHERE id = ?1")          \
    X(SQL_WALK_SET_CODE, "UPDATE walk SET code_hash = ?2, updated_at = ?3 WHERE id = ?1")       \
    X(SQL_WALK_EXISTS, "SELECT count(*) FROM walk WHERE id = ?1")                               \
    X(SQL_WALK_ANY, "SELECT count(*) FROM (SELECT 1 FROM walk LIMIT 1)")                       \
    X(SQL_PLACE_OF,                                                                             \
      "SELECT (SELECT a.code FROM accessibility_area a WHERE a.level = 'special' AND "          \
      "ST_Intersects(a.geom, p) = 1 ORDER BY a.id LIMIT 1), (SELECT d.code FROM district d "    \
      "WHERE ST_Intersects(d.geom, p) = 1 ORDER BY d.id LIMIT 1) FROM (SELECT "                 \
      WALK_SQL_POINT("g") " AS p FROM (SELECT GeomFromWKB(?1, 4326) AS g))")                    \
    X(SQL_FINDING_FIND, "SELECT id, body_hash FROM walk_finding WHERE uuid = ?1")               \
    X(SQL_FINDING_WALK,                                                                         \
      "SELECT w.code_hash, w.state FROM walk_finding f JOIN walk w ON w.id = f.walk_id "        \
      "WHERE f.uuid = ?1")                                                                      \
    X(SQL_FINDING_INSERT,                                                                       \
      "INSERT INTO walk_finding (uuid, walk_id, type, grade, groups, measurements, verdicts, "  \
      "level, special_area, district, surface, description, consensus_grade, source, "          \
      "feedback_id, body_hash, created_at, received_at, updated_at, geom) VALUES (?1, ?2, ?3, " \
      "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?4, ?13, ?14, ?15, ?16, ?17, ?17, "               \
      "GeomFromWKB(?18, 4326))")                                                                \
    X(SQL_FINDING_GET, "SELECT " WALK_SQL_FINDING_COLS " FROM walk_finding f WHERE f.uuid = ?1") \
    X(SQL_FINDING_STATE,                                                                        \
      "SELECT id, status, grade, target_date, unit FROM walk_finding WHERE uuid = ?1")          \
    X(SQL_FINDINGS_OF_WALK,                                                                     \
      "SELECT " WALK_SQL_FINDING_COLS " FROM walk_finding f WHERE f.walk_id = ?1 "              \
      "ORDER BY f.created_at, f.id")                                                            \
    X(SQL_FINDINGS_ALL,                                                                         \
      "SELECT " WALK_SQL_FINDING_COLS " FROM walk_finding f WHERE (?1 IS NULL OR "              \
      "f.created_at >= ?1) AND (?2 IS NULL OR f.created_at <= ?2) ORDER BY f.id")               \
    X(SQL_FINDINGS_BOX,                                                                         \
      "SELECT " WALK_SQL_FINDING_COLS " FROM walk_finding f WHERE (?5 IS NULL OR "              \
      "f.walk_id = ?5) AND (?1 IS NULL OR f.id IN (SELECT pkid FROM idx_walk_finding_geom "     \
      "WHERE xmax >= ?1 AND xmin <= ?3 AND ymax >= ?2 AND ymin <= ?4)) ORDER BY f.id")          \
    X(SQL_FINDING_SET_STATUS,                                                                   \
      "UPDATE walk_finding SET status = ?2, target_date = ?3, unit = ?4, reason = ?5, "         \
      "explanation = ?6, verified_how = ?7, verified_walk = ?8, updated_at = ?9, "              \
      "fixed_at = CASE WHEN ?2 = 'fixed' THEN coalesce(fixed_at, ?9) ELSE fixed_at END "        \
      "WHERE id = ?1")                                                                          \
    X(SQL_EVENT_INSERT,                                                                         \
      "INSERT INTO walk_finding_event (finding_id, at, actor, kind, status, target_date, unit, " \
      "reason, how, how_walk, explanation) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)") \
    X(SQL_EVENTS_OF,                                                                            \
      "SELECT at, actor, kind, status, target_date, unit, reason, how, how_walk, explanation "  \
      "FROM walk_finding_event WHERE finding_id = ?1 ORDER BY id")                              \
    X(SQL_EVENTS_ALL, "SELECT finding_id, at, status FROM walk_finding_event ORDER BY finding_id, id") \
    X(SQL_REVIEW_PUT,                                                                           \
      "INSERT OR REPLACE INTO walk_review (finding_id, reviewer, name, vote, grade, comment, at) " \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                                    \
    X(SQL_REVIEW_DELETE, "DELETE FROM walk_review WHERE finding_id = ?1 AND reviewer = ?2")     \
    X(SQL_REVIEWS_OF,                                                                           \
      "SELECT reviewer, name, vote, grade, comment, at FROM walk_review WHERE finding_id = ?1 " \
      "ORDER BY at, reviewer")                                                                  \
    X(SQL_FINDING_SET_CONSENSUS,                                                                \
      "UPDATE walk_finding SET consensus = ?2, consensus_grade = ?3, n_agree = ?4, "            \
      "n_disagree = ?5, n_unsure = ?6 WHERE id = ?1")                                           \
    X(SQL_LENGTHS_BY_AREA,                                                                      \
      "SELECT l.kind, l.code, sum(l.metres) FROM walk_area_length l JOIN walk w ON w.id = "     \
      "l.walk_id WHERE (?1 IS NULL OR w.walk_date >= ?1) AND (?2 IS NULL OR w.walk_date <= ?2) " \
      "GROUP BY l.kind, l.code")                                                                \
    X(SQL_LENGTHS_DATED,                                                                        \
      "SELECT w.walk_date, l.metres FROM walk_area_length l JOIN walk w ON w.id = l.walk_id "   \
      "WHERE l.kind = ?1 AND l.code = ?2 ORDER BY w.walk_date")                                 \
    X(SQL_AREAS,                                                                                \
      "SELECT 'district', code, name_fi, name_sv, name_en, NULL FROM district UNION ALL "       \
      "SELECT 'accessibility', code, name_fi, name_sv, name_en, level FROM accessibility_area "  \
      "ORDER BY 1, 2")                                                                          \
    X(SQL_UNIT_EXISTS, "SELECT count(*) FROM unit WHERE code = ?1")                             \
    /* mail: a finding's public facts and the names of its areas */                             \
    X(SQL_MAIL_FINDING,                                                                         \
      "SELECT f.type, f.grade, f.district, f.special_area, d.name_fi, d.name_sv, d.name_en, "   \
      "a.name_fi, a.name_sv, a.name_en FROM walk_finding f "                                    \
      "LEFT JOIN district d ON d.code = f.district "                                            \
      "LEFT JOIN accessibility_area a ON a.code = f.special_area WHERE f.id = ?1")              \
    X(SQL_AREA_KNOWN,                                                                           \
      "SELECT count(*) FROM (SELECT 'district:' || code AS t FROM district UNION ALL "          \
      "SELECT 'accessibility:' || code FROM accessibility_area) WHERE t = ?1")                  \
    X(SQL_FEEDBACK_GET,                                                                         \
      "SELECT fb.id, fb.description, AsBinary(fb.geom), fb.category, fb.hidden, fb.status "     \
      "FROM feedback fb WHERE fb.id = ?1")                                                      \
    X(SQL_FEEDBACK_REVIEW,                                                                      \
      "SELECT fb.id, fb.category, fb.description, fb.status, AsBinary(fb.geom), d.code, "       \
      "fb.created_at, (SELECT f.uuid FROM walk_finding f WHERE f.feedback_id = fb.id) "         \
      "FROM feedback fb LEFT JOIN district d ON d.id = fb.district_id WHERE fb.category = "     \
      "'accessibility' AND fb.hidden = 0 AND fb.status IN ('received', 'in_progress', "         \
      "'planned') ORDER BY fb.created_at DESC, fb.id DESC")                                     \
    X(SQL_FINDINGS_REVIEW,                                                                      \
      "SELECT " WALK_SQL_FINDING_COLS ", (SELECT r.vote FROM walk_review r WHERE "              \
      "r.finding_id = f.id AND r.reviewer = ?1) FROM walk_finding f WHERE (?2 IS NULL OR "      \
      "f.walk_id = ?2) ORDER BY f.created_at DESC, f.id DESC")

DB_SLICE_ENUM(walk_sql_id, WALK_SQL)
extern const db_slice walk_sql;

#endif
