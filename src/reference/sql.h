/*
 * sql.h — the statements of reference data (the slice reference_sql):
 * categories, responsible units, the municipality boundary, districts
 * and accessibility areas, and the feedback columns that follow them
 * (default unit, district) when they are loaded again.
 */
#ifndef VK_REFERENCE_SQL_H
#define VK_REFERENCE_SQL_H

#include "db/stmt.h"

/* Before loading new areas: feedback keeps its rows, its district is
 * NULL until re-assigned. A script, run with store_exec. */
#define SQL_SCRIPT_AREAS_CLEAR                                                       \
    "UPDATE feedback SET district_id = NULL WHERE district_id IS NOT NULL; "         \
    "DELETE FROM district; DELETE FROM accessibility_area; DELETE FROM municipality"

#define REFERENCE_SQL(X)                                                             \
    X(SQL_CATEGORY_LIST,                                                             \
      "SELECT id, name_fi, name_sv, name_en, description_fi, description_sv, "       \
      "description_en FROM category ORDER BY sort, id")                              \
    X(SQL_CATEGORY_PUT,                                                              \
      "INSERT INTO category (id, sort, name_fi, name_sv, name_en, description_fi, "  \
      "description_sv, description_en, default_unit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " \
      "(SELECT id FROM unit WHERE code = ?9)) "                                      \
      "ON CONFLICT(id) DO UPDATE SET sort = excluded.sort, name_fi = excluded.name_fi, " \
      "name_sv = excluded.name_sv, name_en = excluded.name_en, "                     \
      "description_fi = excluded.description_fi, description_sv = excluded.description_sv, " \
      "description_en = excluded.description_en, default_unit = excluded.default_unit") \
    X(SQL_UNIT_PUT,                                                                  \
      "INSERT INTO unit (code, name_fi, name_sv, name_en, email) VALUES (?1, ?2, ?3, ?4, ?5) " \
      "ON CONFLICT(code) DO UPDATE SET name_fi = excluded.name_fi, "                 \
      "name_sv = excluded.name_sv, name_en = excluded.name_en, "                     \
      "email = coalesce(excluded.email, email)")                                     \
    /* ?3: whether the address changes (to ?2, maybe NULL); ?4 the language, ?5 the \
     * digest (0, 1), each NULL to keep */                                           \
    X(SQL_UNIT_SET_EMAIL,                                                            \
      "UPDATE unit SET email = CASE WHEN ?3 = 1 THEN ?2 ELSE email END, "            \
      "language = coalesce(?4, language), digest = coalesce(?5, digest) WHERE code = ?1") \
    X(SQL_UNIT_MAIL_GET, "SELECT email, language, digest FROM unit WHERE code = ?1") \
    X(SQL_UNIT_LIST, "SELECT id, code, name_fi, name_sv, name_en FROM unit ORDER BY code") \
    X(SQL_UNIT_MAIL_LIST,                                                            \
      "SELECT code, name_fi, name_sv, name_en, email, language, digest FROM unit ORDER BY code") \
    X(SQL_FEEDBACK_GEOMS, "SELECT id, AsBinary(geom), district_id FROM feedback")    \
    X(SQL_FEEDBACK_DEFAULT_UNITS,                                                    \
      "UPDATE feedback SET unit_id = (SELECT default_unit FROM category c "          \
      "WHERE c.id = feedback.category) WHERE unit_id IS NULL")                       \
    X(SQL_FEEDBACK_SET_DISTRICT, "UPDATE feedback SET district_id = ?2 WHERE id = ?1")
DB_SLICE_ENUM(reference_sql_id, REFERENCE_SQL)
extern const db_slice reference_sql;

#endif
