/*
 * sql.h — every SQL statement Vaikuta runs, by name (pg_featureserv's
 * habit). store.c prepares each one on first use per connection. Only
 * SQL_CONTACT_GET reads feedback_contact, for the staff view of moderators
 * and admins (api/moderation.c). Collection queries are assembled in
 * collections.c from its fragments.
 */
#ifndef VK_SQL_H
#define VK_SQL_H

/* Scripts of several statements, run with sqlite3_exec. */
#define SQL_SCRIPT_PRAGMAS                                                           \
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "                          \
    "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY"
#define SQL_SCRIPT_AREAS_CLEAR                                                       \
    "UPDATE feedback SET district_id = NULL WHERE district_id IS NOT NULL; "         \
    "DELETE FROM district; DELETE FROM accessibility_area; DELETE FROM municipality"
#define SQL_SCRIPT_INIT_SPATIAL "SELECT InitSpatialMetadata(1)"
#define SQL_SCRIPT_ANALYZE "ANALYZE"
/* Rows of feedback, and how many it had when statistics were last taken
 * (NULL when never): sqlite_stat1's first number for one of its indexes.
 * Read only once sqlite_stat1 exists (it is made by the first ANALYZE). */
#define SQL_ONCE_ANALYZED_ROWS                                                       \
    "SELECT (SELECT count(*) FROM feedback), (SELECT CAST(stat AS INTEGER) FROM "    \
    "sqlite_stat1 WHERE tbl = 'feedback' AND idx = 'feedback_status')"

/*        name                  SQL */
#define STORE_SQL_LIST(X)                                                            \
    X(SQL_PING, "SELECT count(*) FROM feedback")                                     \
    X(SQL_READ_BEGIN, "BEGIN")                                                       \
    X(SQL_READ_END, "COMMIT")                                                        \
    X(SQL_HAS_STAT1, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'") \
    X(SQL_CATEGORY_LIST,                                                             \
      "SELECT id, name_fi, name_sv, name_en, description_fi, description_sv, "       \
      "description_en FROM category ORDER BY sort, id")                              \
    X(SQL_CATEGORY_EXISTS, "SELECT 1 FROM category WHERE id = ?1")                   \
    X(SQL_CATEGORY_PUT,                                                              \
      "INSERT INTO category (id, sort, name_fi, name_sv, name_en, description_fi, "  \
      "description_sv, description_en, default_unit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " \
      "(SELECT id FROM unit WHERE code = ?9)) "                                      \
      "ON CONFLICT(id) DO UPDATE SET sort = excluded.sort, name_fi = excluded.name_fi, " \
      "name_sv = excluded.name_sv, name_en = excluded.name_en, "                     \
      "description_fi = excluded.description_fi, description_sv = excluded.description_sv, " \
      "description_en = excluded.description_en, default_unit = excluded.default_unit")  \
    X(SQL_ATTRIBUTE_LIST,                                                            \
      "SELECT a.category, a.code, a.datatype, a.required, a.sort, a.description_fi, "  \
      "a.description_sv, a.description_en, a.value_list FROM category_attribute a "  \
      "JOIN category c ON c.id = a.category WHERE ?1 IS NULL OR a.category = ?1 "    \
      "ORDER BY c.sort, c.id, a.sort, a.code")                                       \
    X(SQL_ATTRIBUTE_COUNT, "SELECT count(*) FROM category_attribute")                \
    X(SQL_ATTRIBUTE_PUT,                                                             \
      "INSERT OR REPLACE INTO category_attribute (category, code, sort, datatype, "  \
      "required, description_fi, description_sv, description_en, value_list) "       \
      "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE EXISTS "                      \
      "(SELECT 1 FROM category WHERE id = ?1)")                                      \
    X(SQL_UNIT_PUT,                                                                  \
      "INSERT INTO unit (code, name_fi, name_sv, name_en) VALUES (?1, ?2, ?3, ?4) "  \
      "ON CONFLICT(code) DO UPDATE SET name_fi = excluded.name_fi, "                 \
      "name_sv = excluded.name_sv, name_en = excluded.name_en")                      \
    X(SQL_UNIT_LIST, "SELECT id, code, name_fi, name_sv, name_en FROM unit ORDER BY code") \
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
      "INSERT INTO feedback (category, description, place, status, resolution_reason, " \
      "answer, answered_at, district_id, created_at, updated_at, geom, duplicate_of, " \
      "forwarded_to, unit_id, first_answered_at, closed_at, followup_hash, attributes) " \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, GeomFromWKB(?11, 4326), ?12, ?13, " \
      "(SELECT default_unit FROM category WHERE id = ?1), ?7, "                      \
      "CASE WHEN ?4 IN ('received', 'in_progress', 'planned') THEN NULL ELSE ?10 END, ?14, ?15)") \
    X(SQL_CONTACT_INSERT,                                                            \
      "INSERT INTO feedback_contact (feedback_id, name, email, phone) VALUES (?1, ?2, ?3, ?4)") \
    X(SQL_IDEM_GET, "SELECT request_hash, status, location, body FROM idempotency "  \
                    "WHERE scope = ?7 AND key = ?1")                                 \
    X(SQL_IDEM_PUT,                                                                  \
      "INSERT INTO idempotency (scope, key, request_hash, status, location, body, created_at) " \
      "VALUES (?7, ?1, ?2, ?3, ?4, ?5, ?6)")                                         \
    X(SQL_SECRET_GET, "SELECT value FROM server_secret WHERE name = ?1")             \
    X(SQL_IDEM_PURGE, "DELETE FROM idempotency WHERE created_at < ?1")               \
    X(SQL_SAVEPOINT, "SAVEPOINT job")                                                \
    X(SQL_RELEASE, "RELEASE job")                                                    \
    X(SQL_ROLLBACK_TO, "ROLLBACK TO job")                                            \
    X(SQL_FEEDBACK_GEOMS, "SELECT id, AsBinary(geom), district_id FROM feedback")    \
    X(SQL_FEEDBACK_DEFAULT_UNITS,                                                    \
      "UPDATE feedback SET unit_id = (SELECT default_unit FROM category c "          \
      "WHERE c.id = feedback.category) WHERE unit_id IS NULL")                       \
    X(SQL_FEEDBACK_SET_DISTRICT, "UPDATE feedback SET district_id = ?2 WHERE id = ?1") \
    WORKFLOW_SQL_LIST(X)                                                             \
    MODERATION_SQL_LIST(X)                                                           \
    STAFF_SQL_LIST(X)                                                                \
    AUDIT_SQL_LIST(X)                                                                \
    STATS_SQL_LIST(X)

/* The staff's handling workflow: state, units and the event log. Only the
 * writer thread runs the UPDATE and INSERT. */
#define WORKFLOW_SQL_LIST(X)                                                         \
    X(SQL_FEEDBACK_STATE,                                                            \
      "SELECT f.status, f.unit_id, u.code, f.resolution_reason, f.duplicate_of, "    \
      "f.forwarded_to, f.answer FROM feedback f LEFT JOIN unit u ON u.id = f.unit_id " \
      "WHERE f.id = ?1")                                                             \
    X(SQL_FEEDBACK_EXISTS, "SELECT 1 FROM feedback WHERE id = ?1")                   \
    X(SQL_UNIT_ID, "SELECT id FROM unit WHERE code = ?1")                            \
    X(SQL_FEEDBACK_UPDATE,                                                           \
      "UPDATE feedback SET status = ?2, resolution_reason = ?3, duplicate_of = ?4, " \
      "forwarded_to = ?5, unit_id = ?6, answer = coalesce(?7, answer), "             \
      "answered_at = CASE WHEN ?7 IS NULL THEN answered_at ELSE ?8 END, "           \
      "first_answered_at = CASE WHEN ?7 IS NOT NULL AND first_answered_at IS NULL "  \
      "THEN ?8 ELSE first_answered_at END, "                                         \
      "closed_at = CASE WHEN ?2 IN ('received', 'in_progress', 'planned') THEN NULL " \
      "WHEN status IN ('received', 'in_progress', 'planned') THEN ?8 "               \
      "ELSE closed_at END, "                                                         \
      "updated_at = ?8 WHERE id = ?1")                                               \
    X(SQL_EVENT_ADD,                                                                 \
      "INSERT INTO feedback_event (feedback_id, at, actor, kind, before, after, "    \
      "public_answer, internal_note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")       \
    X(SQL_EVENT_LIST_ITEM,                                                           \
      "SELECT id, feedback_id, at, actor, kind, before, after, public_answer, "      \
      "internal_note FROM feedback_event WHERE feedback_id = ?1 ORDER BY id")

/* Moderation, withdrawal, "me too", merging and the retention purge
 * (store/moderation.c). Only the writer thread runs the writes. */
#define MODERATION_SQL_LIST(X)                                                       \
    X(SQL_FOLLOWUP_FIND, "SELECT id FROM feedback WHERE followup_hash = ?1")        \
    X(SQL_FEEDBACK_MOD,                                                              \
      "SELECT f.hidden, f.me_too, f.description, f.description_original, "          \
      "EXISTS (SELECT 1 FROM feedback_contact c WHERE c.feedback_id = f.id) "       \
      "FROM feedback f WHERE f.id = ?1")                                             \
    X(SQL_CONTACT_GET,                                                               \
      "SELECT name, email, phone FROM feedback_contact WHERE feedback_id = ?1")     \
    X(SQL_CONTACT_DELETE, "DELETE FROM feedback_contact WHERE feedback_id = ?1")    \
    X(SQL_FEEDBACK_SET_HIDDEN,                                                       \
      "UPDATE feedback SET hidden = ?2, updated_at = ?3 WHERE id = ?1")             \
    X(SQL_FEEDBACK_REDACT,                                                           \
      "UPDATE feedback SET description_original = coalesce(description_original, "  \
      "description), description = ?2, updated_at = ?3 WHERE id = ?1")              \
    X(SQL_ME_TOO_ADD,                                                                \
      "INSERT OR IGNORE INTO feedback_me_too (feedback_id, voter, at) VALUES (?1, ?2, ?3)") \
    X(SQL_ME_TOO_MOVE,                                                               \
      "INSERT OR IGNORE INTO feedback_me_too (feedback_id, voter, at) "             \
      "SELECT ?2, voter, at FROM feedback_me_too WHERE feedback_id = ?1 "           \
      "AND voter <> printf('" STORE_MERGED_REPORTER "', ?2)")                       \
    X(SQL_ME_TOO_REPORTER,                                                           \
      "INSERT OR IGNORE INTO feedback_me_too (feedback_id, voter, at) "             \
      "VALUES (?2, printf('" STORE_MERGED_REPORTER "', ?1), "                       \
      "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))")                                     \
    X(SQL_ME_TOO_COUNT, "SELECT count(*) FROM feedback_me_too WHERE feedback_id = ?1") \
    X(SQL_ME_TOO_HAS,                                                                \
      "SELECT count(*) FROM feedback_me_too WHERE feedback_id = ?1 AND voter = ?2")  \
    X(SQL_ME_TOO_ADDRESS_ADD,                                                        \
      "INSERT OR IGNORE INTO feedback_me_too_address (feedback_id, address, day) "  \
      "VALUES (?1, ?2, ?3)")                                                         \
    X(SQL_ME_TOO_ADDRESS_EXPIRE, "DELETE FROM feedback_me_too_address WHERE day < ?1") \
    X(SQL_ME_TOO_DROP, "DELETE FROM feedback_me_too WHERE feedback_id = ?1")        \
    X(SQL_FEEDBACK_ME_TOO_SET, "UPDATE feedback SET me_too = ?2 WHERE id = ?1")     \
    X(SQL_CONTACT_PURGE,                                                             \
      "DELETE FROM feedback_contact WHERE feedback_id IN (SELECT id FROM feedback " \
      "WHERE hidden = 2 OR (closed_at IS NOT NULL AND closed_at < ?1))")

/* The "me too" of a merged item's reporter, as a voter of the item it was
 * merged into (schema 0011): 64 characters, never a hex hash, so it cannot
 * be a browser's; one per merged item, so merging it again counts nothing. */
#define STORE_MERGED_REPORTER "merged-reporter-%048d"

/* Staff accounts, tokens, sessions and failed sign-ins (staff.c). No
 * statement returns a password hash except SQL_STAFF_GET, for sign-in,
 * nor a token's hash. */
#define TOKEN_COLS "id, name, role, created_at, expires_at, revoked_at, last_used_at"
#define STAFF_SQL_LIST(X)                                                            \
    X(SQL_STAFF_ADD,                                                                 \
      "INSERT INTO staff_user (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)") \
    X(SQL_STAFF_GET,                                                                 \
      "SELECT id, name, role, password_hash, disabled, created_at FROM staff_user "  \
      "WHERE name = ?1")                                                             \
    X(SQL_STAFF_LIST,                                                                \
      "SELECT id, name, role, disabled, created_at FROM staff_user ORDER BY name")   \
    X(SQL_STAFF_STATE, "SELECT role, disabled FROM staff_user WHERE name = ?1")     \
    X(SQL_STAFF_ADMIN_BY_ID,                                                         \
      "SELECT count(*) FROM staff_user WHERE id = ?1 AND role = 'admin' AND disabled = 0") \
    X(SQL_STAFF_ADMINS, "SELECT count(*) FROM staff_user WHERE role = 'admin' AND disabled = 0") \
    X(SQL_STAFF_UPDATE,                                                              \
      "UPDATE staff_user SET role = coalesce(?2, role), disabled = coalesce(?3, disabled), " \
      "password_hash = coalesce(?4, password_hash) WHERE name = ?1")                 \
    X(SQL_STAFF_SESSIONS_DROP,                                                       \
      "DELETE FROM staff_session WHERE user_id = (SELECT id FROM staff_user WHERE name = ?1)") \
    X(SQL_TOKEN_ADD,                                                                 \
      "INSERT INTO api_token (name, role, token_hash, created_at, expires_at) "      \
      "VALUES (?1, ?2, ?3, ?4, ?5)")                                                 \
    X(SQL_TOKEN_FIND, "SELECT " TOKEN_COLS " FROM api_token WHERE token_hash = ?1")  \
    X(SQL_TOKEN_LIST, "SELECT " TOKEN_COLS " FROM api_token ORDER BY id")            \
    X(SQL_TOKEN_REVOKE,                                                              \
      "UPDATE api_token SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")   \
    X(SQL_TOKEN_TOUCH, "UPDATE api_token SET last_used_at = ?2 WHERE id = ?1")       \
    X(SQL_SESSION_ADD,                                                               \
      "INSERT INTO staff_session (id_hash, user_id, csrf, created_at, expires_at) "  \
      "VALUES (?1, ?2, ?3, ?4, ?5)")                                                 \
    X(SQL_SESSION_FIND,                                                              \
      "SELECT u.id, u.name, u.role, s.csrf, s.expires_at FROM staff_session s "      \
      "JOIN staff_user u ON u.id = s.user_id "                                       \
      "WHERE s.id_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0")               \
    X(SQL_SESSION_DELETE, "DELETE FROM staff_session WHERE id_hash = ?1")            \
    X(SQL_SESSION_PURGE, "DELETE FROM staff_session WHERE expires_at <= ?1")         \
    X(SQL_LOGIN_FAILURE_GET, "SELECT failures, last_at FROM login_failure WHERE key = ?1") \
    X(SQL_LOGIN_FAILURE_ADD,                                                         \
      "INSERT INTO login_failure (key, failures, last_at) VALUES (?1, 1, ?2) "       \
      "ON CONFLICT(key) DO UPDATE SET failures = CASE WHEN last_at <= ?2 - ?3 "      \
      "THEN 1 ELSE failures + 1 END, last_at = ?2")                                  \
    X(SQL_LOGIN_FAILURE_CLEAR, "DELETE FROM login_failure WHERE key = ?1")         \
    X(SQL_LOGIN_FAILURE_PURGE, "DELETE FROM login_failure WHERE last_at <= ?1")

/* The audit log (audit.c): account events, and both logs read newest
 * first by (at, id) from a cursor; ?3 is an actor or NULL, ?4 the limit. */
#define AUDIT_SQL_LIST(X)                                                            \
    X(SQL_ACCOUNT_EVENT_ADD,                                                         \
      "INSERT INTO account_event (at, actor, kind, target, before, after, client_addr) " \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                         \
    X(SQL_AUDIT_FEEDBACK,                                                            \
      "SELECT id, at, actor, kind, before, after, feedback_id, public_answer, "      \
      "internal_note FROM feedback_event WHERE (at, id) < (?1, ?2) "                 \
      "AND (?3 IS NULL OR actor = ?3) ORDER BY at DESC, id DESC LIMIT ?4")           \
    X(SQL_AUDIT_ACCOUNT,                                                             \
      "SELECT id, at, actor, kind, before, after, target, client_addr "              \
      "FROM account_event WHERE (at, id) < (?1, ?2) "                                \
      "AND (?3 IS NULL OR actor = ?3) ORDER BY at DESC, id DESC LIMIT ?4")

/* Aggregate statistics (stats.c): the change log of schema 0007 and the
 * public fields of public items (hidden = 0) only; nothing here reads
 * descriptions or contact details. An item's place is its representative
 * point: the point itself, else a point on its surface. */
#define STATS_POINT_X "CASE WHEN GeometryType(f.geom) = 'POINT' THEN MbrMinX(f.geom) " \
                      "ELSE X(PointOnSurface(f.geom)) END"
#define STATS_POINT_Y "CASE WHEN GeometryType(f.geom) = 'POINT' THEN MbrMinY(f.geom) " \
                      "ELSE Y(PointOnSurface(f.geom)) END"
/* The first accessibility area (by id) covering the point p.x, p.y. */
#define STATS_AREA_OF                                                                \
    "(SELECT a.id FROM accessibility_area a WHERE a.id IN (SELECT pkid FROM "        \
    "idx_accessibility_area_geom WHERE xmin <= p.x AND xmax >= p.x AND ymin <= p.y " \
    "AND ymax >= p.y) AND ST_Covers(a.geom, MakePoint(p.x, p.y, 4326)) = 1 "         \
    "ORDER BY a.id LIMIT 1)"
#define STATS_ITEM_COLS                                                              \
    "f.id, f.hidden, f.created_at, f.first_answered_at, f.closed_at, f.status, "     \
    "f.category, f.district_id, f.unit_id, " STATS_POINT_X " AS x, " STATS_POINT_Y " AS y"
#define STATS_SQL_LIST(X)                                                            \
    X(SQL_STATS_STAMP,                                                               \
      "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'stats_change'), 0), " \
      "(SELECT at FROM stats_change ORDER BY seq DESC LIMIT 1), "                    \
      "(SELECT count(*) FROM stats_change WHERE seq > ?1), "                         \
      "(SELECT count(*) FROM stats_change WHERE seq > ?1 AND feedback_id IS NULL)")  \
    X(SQL_STATS_ALL,                                                                 \
      "SELECT 0, p.id, p.*, " STATS_AREA_OF " FROM (SELECT " STATS_ITEM_COLS               \
      " FROM feedback f WHERE f.hidden = 0) p")                                      \
    X(SQL_STATS_CHANGED,                                                             \
      "SELECT c.seq, c.feedback_id, p.*, " STATS_AREA_OF " FROM stats_change c LEFT JOIN (SELECT "  \
      STATS_ITEM_COLS " FROM feedback f) p ON p.id = c.feedback_id "                 \
      "WHERE c.seq > ?1 ORDER BY c.seq")                                             \
    X(SQL_STATS_BBOX_IDS,                                                            \
      "SELECT f.id FROM feedback f WHERE f.id IN (SELECT pkid FROM idx_feedback_geom " \
      "WHERE xmin <= ?3 AND xmax >= ?1 AND ymin <= ?4 AND ymax >= ?2) AND f.hidden = 0 " \
      "AND (CASE WHEN GeometryType(f.geom) = 'POINT' THEN "                          \
      "MbrIntersects(f.geom, BuildMbr(?1, ?2, ?3, ?4, 4326)) "                       \
      "ELSE Intersects(f.geom, BuildMbr(?1, ?2, ?3, ?4, 4326)) END) = 1")

typedef enum {
#define STORE_SQL_ENUM(name, sql) name,
    STORE_SQL_LIST(STORE_SQL_ENUM)
#undef STORE_SQL_ENUM
    SQL__COUNT
} store_sql_id;

#endif
