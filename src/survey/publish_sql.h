/*
 * publish_sql.h — the statements of published results (the slice
 * publish_sql, schema 0015): publication settings, the moderation of free
 * text, kept resume tokens, and the reads that build the public figures.
 * None reads survey_personal.
 */
#ifndef VK_SURVEY_PUBLISH_SQL_H
#define VK_SURVEY_PUBLISH_SQL_H

#include "db/stmt.h"

/* The free-text answers of a survey: ?1 survey id, ?2 the keys of its text
 * questions, ?3 of its text follow-ups (JSON arrays). Columns: response id,
 * answer id, question, follow-up (NULL), text, state, submitted. */
#define PUBLISH_SQL_TEXTS                                                               \
    "SELECT r.id AS rid, r.id || '.' || a.question AS aid, a.question AS question, "    \
    "NULL AS followup, json_extract(a.value, '$') AS text, "                            \
    "coalesce(t.state, 'pending') AS st, r.submitted_at AS submitted "                  \
    "FROM survey_response r JOIN survey_answer a ON a.response_id = r.id "              \
    "LEFT JOIN survey_text_state t ON t.response_id = r.id "                            \
    "AND t.answer = r.id || '.' || a.question "                                         \
    "WHERE r.survey_id = ?1 AND a.skipped = 0 AND json_type(a.value) = 'text' "         \
    "AND a.question IN (SELECT value FROM json_each(?2)) "                              \
    "UNION ALL "                                                                        \
    "SELECT r.id, r.id || '.' || f.question || '.' || f.idx || '.' || j.key, "         \
    "f.question, j.key, j.value, coalesce(t.state, 'pending'), r.submitted_at "         \
    "FROM survey_feature f JOIN survey_response r ON r.id = f.response_id "             \
    "JOIN json_each(f.answers) j "                                                      \
    "LEFT JOIN survey_text_state t ON t.response_id = r.id "                            \
    "AND t.answer = r.id || '.' || f.question || '.' || f.idx || '.' || j.key "         \
    "WHERE f.survey_id = ?1 AND j.type = 'text' "                                       \
    "AND j.key IN (SELECT value FROM json_each(?3))"

#define PUBLISH_SQL(X)                                                                  \
    X(SQL_PUB_GET,                                                                      \
      "SELECT results, results_from, k, snap, hex_size, status, what_we_did, links, "   \
      "revision, updated_at, updated_by FROM survey_publication WHERE survey_id = ?1")  \
    /* The published title in fi, sv, en (each falling back on fi). */                  \
    X(SQL_PUB_TITLES,                                                                   \
      "SELECT json_extract(definition, '$.title.fi'), "                                 \
      "coalesce(json_extract(definition, '$.title.sv'), json_extract(definition, '$.title.fi')), " \
      "coalesce(json_extract(definition, '$.title.en'), json_extract(definition, '$.title.fi')) " \
      "FROM survey_version WHERE survey_id = ?1 AND version = ?2")                      \
    X(SQL_PUB_PUT,                                                                      \
      "INSERT INTO survey_publication (survey_id, results, results_from, k, snap, "     \
      "hex_size, status, what_we_did, links, revision, updated_at, updated_by) "        \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?11) "                       \
      "ON CONFLICT (survey_id) DO UPDATE SET results = ?2, results_from = ?3, k = ?4, " \
      "snap = ?5, hex_size = ?6, status = ?7, what_we_did = ?8, links = ?9, "           \
      "revision = revision + 1, updated_at = ?10, updated_by = ?11")                    \
    X(SQL_PUB_BUMP,                                                                     \
      "INSERT INTO survey_publication (survey_id, revision, updated_at) "               \
      "VALUES (?1, 1, ?2) ON CONFLICT (survey_id) DO UPDATE SET revision = revision + 1") \
    X(SQL_PUB_STAMP,                                                                    \
      "SELECT s.version, (SELECT count(*) FROM survey_response r WHERE r.survey_id = s.id), " \
      "(SELECT coalesce(max(r.id), 0) FROM survey_response r WHERE r.survey_id = s.id), " \
      "coalesce((SELECT revision FROM survey_publication p WHERE p.survey_id = s.id), 0), " \
      "s.updated_at || s.public_questions FROM survey s WHERE s.id = ?1")                                                  \
    X(SQL_PUB_TEXTS,                                                                    \
      "SELECT aid, question, followup, text, st, submitted FROM (" PUBLISH_SQL_TEXTS    \
      ") WHERE (?4 IS NULL OR st = ?4) AND (?5 IS NULL OR question = ?5) "              \
      "ORDER BY submitted DESC, rid DESC, aid LIMIT ?6 OFFSET ?7")                      \
    X(SQL_PUB_TEXT_COUNTS,                                                              \
      "SELECT st, count(*) FROM (" PUBLISH_SQL_TEXTS ") "                               \
      "WHERE (?5 IS NULL OR question = ?5) GROUP BY st")                                \
    X(SQL_PUB_TEXT_ONE,                                                                 \
      "SELECT aid, question, followup, text, st, submitted, rid FROM ("                 \
      PUBLISH_SQL_TEXTS ") WHERE aid = ?4")                                             \
    X(SQL_PUB_TEXTS_APPROVED,                                                           \
      "SELECT question, followup, text FROM (" PUBLISH_SQL_TEXTS ") "                   \
      "WHERE st = 'approved' ORDER BY question, rid, aid")                              \
    X(SQL_PUB_TEXT_SET,                                                                 \
      "INSERT INTO survey_text_state (response_id, answer, state, updated_at, updated_by) " \
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (response_id, answer) DO UPDATE SET "    \
      "state = ?3, updated_at = ?4, updated_by = ?5")                                   \
    X(SQL_PUB_RESPONSES,                                                                \
      "SELECT id FROM survey_response WHERE survey_id = ?1 ORDER BY id")                \
    X(SQL_PUB_ANSWERS,                                                                  \
      "SELECT a.response_id, a.question, a.value, a.skipped FROM survey_answer a "      \
      "JOIN survey_response r ON r.id = a.response_id WHERE r.survey_id = ?1")          \
    X(SQL_PUB_FEATURES,                                                                 \
      "SELECT response_id, question, coalesce(district_id, 0), geom IS NOT NULL, "      \
      "ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)), "                              \
      "CASE WHEN ?2 AND geom IS NOT NULL THEN AsGeoJSON(geom, 7) END "                         \
      "FROM survey_feature WHERE survey_id = ?1 ORDER BY id")                           \
    X(SQL_PUB_SURVEYS, "SELECT slug FROM survey WHERE version > 0 ORDER BY slug")       \
    X(SQL_PUB_DISTRICT_SHAPES,                                                          \
      "SELECT id, AsBinary(geom), MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), "        \
      "MbrMaxY(geom) FROM district")                                                    \
    X(SQL_PUB_DISTRICTS, "SELECT id, code, name_fi, name_sv, name_en FROM district ORDER BY code") \
    X(SQL_PUB_MINE,                                                                     \
      "SELECT r.id, r.uuid, r.submitted_at, r.version FROM survey_response_token t "    \
      "JOIN survey_response r ON r.id = t.response_id "                                 \
      "WHERE t.token_hash = ?1 AND r.survey_id = ?2")                                   \
    X(SQL_PUB_MINE_ANSWERS,                                                             \
      "SELECT question, value FROM survey_answer WHERE response_id = ?1 ORDER BY question") \
    X(SQL_PUB_MINE_FEATURES,                                                            \
      "SELECT f.question, f.located, CASE WHEN f.geom IS NOT NULL THEN AsGeoJSON(f.geom, 7) END, " \
      "d.code, f.place, f.description, f.item, f.answers FROM survey_feature f "        \
      "LEFT JOIN district d ON d.id = f.district_id "                                   \
      "WHERE f.response_id = ?1 ORDER BY f.question, f.idx")

DB_SLICE_ENUM(publish_sql_id, PUBLISH_SQL)
extern const db_slice publish_sql;

#endif
