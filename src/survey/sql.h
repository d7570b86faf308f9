/*
 * sql.h — the statements of surveys (the slice survey_sql): definitions
 * and their versions, responses with their answers, personal answers and
 * drawn features, and resume drafts. Only SQL_PERSONAL_INSERT touches
 * survey_personal: nothing here reads it back. Writes run on the writer
 * thread only.
 */
#ifndef VK_SURVEY_SQL_H
#define VK_SURVEY_SQL_H

#include "db/stmt.h"

/* Responses of a survey, for lists. */
#define SURVEY_SQL_COUNT "(SELECT count(*) FROM survey_response r WHERE r.survey_id = s.id)"

/* Answers and features go in as multi-row INSERTs of 8, 4, 2 or 1 rows
 * (survey/store.c): one statement per chunk instead of one per row. The
 * parameters are positional, SURVEY_ANSWER_COLS and SURVEY_FEATURE_COLS a
 * row. A feature's geometry is the SpatiaLite blob made on the request
 * thread (survey_store_prepare), or when there is none its WKB. */
#define SQL_ROWS2(row) row ", " row
#define SQL_ROWS4(row) SQL_ROWS2(row) ", " SQL_ROWS2(row)
#define SQL_ROWS8(row) SQL_ROWS4(row) ", " SQL_ROWS4(row)
#define SQL_ANSWER_INTO "INSERT INTO survey_answer (response_id, question, value, skipped) VALUES "
#define SQL_ANSWER_ROW "(?, ?, ?, ?)"
#define SURVEY_ANSWER_COLS 4
#define SQL_FEATURE_INTO                                                             \
    "INSERT INTO survey_feature (response_id, survey_id, question, idx, located, "   \
    "district_id, place, description, item, answers, created_at, geom) VALUES "
#define SQL_FEATURE_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, GeomFromWKB(?, 4326)))"
#define SURVEY_FEATURE_COLS 13

#define SURVEY_SQL(X)                                                                \
    X(SQL_SURVEY_INSERT,                                                             \
      "INSERT INTO survey (slug, state, draft, version, created_at, updated_at, created_by) " \
      "VALUES (?1, 'draft', ?2, 0, ?3, ?3, ?4)")                                     \
    X(SQL_SURVEY_GET,                                                                \
      "SELECT s.id, s.slug, s.state, s.version, s.draft, s.public_questions, "      \
      "s.created_at, s.updated_at, s.published_at, s.closed_at, " SURVEY_SQL_COUNT  \
      " FROM survey s WHERE s.slug = ?1")                                            \
    X(SQL_SURVEY_HEAD, "SELECT id, state, version FROM survey WHERE slug = ?1")     \
    X(SQL_SURVEY_SET_DRAFT, "UPDATE survey SET draft = ?2, updated_at = ?3 WHERE id = ?1") \
    X(SQL_SURVEY_SET_VERSION,                                                        \
      "UPDATE survey SET version = ?2, draft = ?3, updated_at = ?4, "                \
      "state = CASE WHEN state = 'draft' THEN 'published' ELSE state END, "          \
      "published_at = coalesce(published_at, ?4) WHERE id = ?1")                     \
    X(SQL_SURVEY_SET_STATE,                                                          \
      "UPDATE survey SET state = ?2, updated_at = ?3, closed_at = CASE "             \
      "WHEN ?2 = 'closed' THEN ?3 WHEN ?2 = 'published' THEN NULL ELSE closed_at END " \
      "WHERE id = ?1")                                                               \
    X(SQL_SURVEY_SET_PUBLIC,                                                         \
      "UPDATE survey SET public_questions = ?2, updated_at = ?3 WHERE id = ?1")     \
    X(SQL_SURVEY_LIST,                                                               \
      "SELECT s.id, s.slug, s.state, s.version, s.draft -> '$.title', s.updated_at, " \
      SURVEY_SQL_COUNT " FROM survey s ORDER BY s.slug")                             \
    X(SQL_SURVEY_LIST_PUBLISHED,                                                     \
      "SELECT id, slug, state, version FROM survey WHERE state = 'published' "       \
      "AND version > 0 ORDER BY slug")                                               \
    X(SQL_VERSION_ADD,                                                               \
      "INSERT INTO survey_version (survey_id, version, definition, created_at, created_by) " \
      "VALUES (?1, ?2, ?3, ?4, ?5)")                                                 \
    X(SQL_VERSION_GET,                                                               \
      "SELECT definition FROM survey_version WHERE survey_id = ?1 AND version = ?2") \
    X(SQL_VERSION_LIST,                                                              \
      "SELECT v.version, v.created_at, v.created_by, (SELECT count(*) FROM "         \
      "survey_response r WHERE r.survey_id = v.survey_id AND r.version = v.version) " \
      "FROM survey_version v WHERE v.survey_id = ?1 ORDER BY v.version")             \
    X(SQL_RESPONSE_FIND,                                                             \
      "SELECT id, body_hash, version, submitted_at FROM survey_response "            \
      "WHERE survey_id = ?1 AND uuid = ?2")                                          \
    X(SQL_RESPONSE_INSERT,                                                           \
      "INSERT INTO survey_response (survey_id, uuid, version, language, submitted_at, " \
      "seconds_taken, without_map, body_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") \
    X(SQL_ANSWER_INSERT_8, SQL_ANSWER_INTO SQL_ROWS8(SQL_ANSWER_ROW))                \
    X(SQL_ANSWER_INSERT_4, SQL_ANSWER_INTO SQL_ROWS4(SQL_ANSWER_ROW))                \
    X(SQL_ANSWER_INSERT_2, SQL_ANSWER_INTO SQL_ROWS2(SQL_ANSWER_ROW))                \
    X(SQL_ANSWER_INSERT_1, SQL_ANSWER_INTO SQL_ANSWER_ROW)                           \
    X(SQL_PERSONAL_INSERT,                                                           \
      "INSERT INTO survey_personal (response_id, question, value) VALUES (?1, ?2, ?3)") \
    X(SQL_FEATURE_INSERT_8, SQL_FEATURE_INTO SQL_ROWS8(SQL_FEATURE_ROW))             \
    X(SQL_FEATURE_INSERT_4, SQL_FEATURE_INTO SQL_ROWS4(SQL_FEATURE_ROW))             \
    X(SQL_FEATURE_INSERT_2, SQL_FEATURE_INTO SQL_ROWS2(SQL_FEATURE_ROW))             \
    X(SQL_FEATURE_INSERT_1, SQL_FEATURE_INTO SQL_FEATURE_ROW)                        \
    X(SQL_DISTRICT_ID, "SELECT id FROM district WHERE code = ?1")                    \
    X(SQL_DRAFT_INSERT,                                                              \
      "INSERT INTO survey_draft (token_hash, survey_id, uuid, version, language, page, " \
      "answers, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)") \
    X(SQL_DRAFT_UPDATE,                                                              \
      "UPDATE survey_draft SET uuid = ?3, version = ?4, language = ?5, page = ?6, "  \
      "answers = ?7, updated_at = ?8 WHERE token_hash = ?1 AND survey_id = ?2")      \
    X(SQL_DRAFT_GET,                                                                 \
      "SELECT uuid, version, language, page, answers, updated_at FROM survey_draft " \
      "WHERE token_hash = ?1 AND survey_id = ?2")                                    \
    X(SQL_DRAFT_DELETE_UUID, "DELETE FROM survey_draft WHERE survey_id = ?1 AND uuid = ?2") \
    X(SQL_DRAFT_PURGE, "DELETE FROM survey_draft WHERE updated_at < ?1")

DB_SLICE_ENUM(survey_sql_id, SURVEY_SQL)
extern const db_slice survey_sql;

#endif
