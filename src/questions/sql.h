/*
 * sql.h — the statements of category questions (the slice
 * questions_sql): the Open311 attribute definitions of schema 0008.
 */
#ifndef VK_QUESTIONS_SQL_H
#define VK_QUESTIONS_SQL_H

#include "db/stmt.h"

#define QUESTIONS_SQL(X)                                                             \
    X(SQL_ATTRIBUTE_LIST,                                                            \
      "SELECT a.category, a.code, a.datatype, a.required, a.sort, a.description_fi, " \
      "a.description_sv, a.description_en, a.value_list FROM category_attribute a "  \
      "JOIN category c ON c.id = a.category WHERE ?1 IS NULL OR a.category = ?1 "    \
      "ORDER BY c.sort, c.id, a.sort, a.code")                                       \
    X(SQL_ATTRIBUTE_COUNT, "SELECT count(*) FROM category_attribute")                \
    X(SQL_ATTRIBUTE_PUT,                                                             \
      "INSERT OR REPLACE INTO category_attribute (category, code, sort, datatype, "  \
      "required, description_fi, description_sv, description_en, value_list) "       \
      "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE EXISTS "                      \
      "(SELECT 1 FROM category WHERE id = ?1)")
DB_SLICE_ENUM(questions_sql_id, QUESTIONS_SQL)
extern const db_slice questions_sql;

#endif
