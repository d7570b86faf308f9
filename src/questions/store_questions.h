/*
 * store_questions.h — the stored question definitions of categories
 * (Open311 service definitions, schema 0008). Statements: questions/sql.h.
 *
 * Row structs hold pointers BORROWED from the database: valid during the
 * callback only.
 */
#ifndef VK_STORE_QUESTIONS_H
#define VK_STORE_QUESTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "db/store.h"

/* ---- category attributes (Open311 service definitions) ---- */

typedef struct store_attribute {
    const char *category;
    const char *code;
    const char *datatype;       /* string, number, datetime, text, singlevaluelist,
                                 * multivaluelist */
    int required;
    int sort;
    const char *description[3]; /* fi, sv, en */
    const char *value_list;     /* JSON array of {key, name:{fi,sv,en}}, or NULL */
} store_attribute;

typedef int (*store_attribute_fn)(void *arg, const store_attribute *a);
/* Calls fn for each definition of category (NULL = of every category), in
 * category order and then the definition's own; stops when fn returns ≠ 0. */
vk_err store_attribute_each(store_conn *c, const char *category, store_attribute_fn fn,
                            void *arg, vk_errinfo *ei);
/* Insert or replace a definition; one for a category not stored is skipped. */
vk_err store_attribute_put(store_conn *c, const store_attribute *a, vk_errinfo *ei);
/* How many definitions are stored (0 in a database from before schema 8). */
vk_err store_attribute_count(store_conn *c, int64_t *n, vk_errinfo *ei);

#endif
