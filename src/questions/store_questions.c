/*
 * store_questions.c — the stored question definitions of categories (see
 * store_questions.h).
 */
#include "questions/store_questions.h"

#include "questions/sql.h"

DB_SLICE_DEFINE(questions_sql, QUESTIONS_SQL)

static int attribute_row(void *arg, db_row *row)
{
    db_walk *w = arg;
    store_attribute a = {
        db_col_text(row, 0),
        db_col_text(row, 1),
        db_col_text(row, 2),
        db_col_int(row, 3),
        db_col_int(row, 4),
        {db_col_text(row, 5), db_col_text(row, 6), db_col_text(row, 7)},
        db_col_text(row, 8),
    };
    return ((store_attribute_fn)w->fn)(w->arg, &a);
}

vk_err store_attribute_each(store_conn *c, const char *category, store_attribute_fn fn,
                            void *arg, vk_errinfo *ei)
{
    db_walk w = DB_WALK(fn, arg);
    return db_each(c, &questions_sql, SQL_ATTRIBUTE_LIST, DB_ARGS(DB_TEXT(category)),
                   attribute_row, &w, "attributes", ei);
}

vk_err store_attribute_put(store_conn *c, const store_attribute *a, vk_errinfo *ei)
{
    return db_run(c, &questions_sql, SQL_ATTRIBUTE_PUT,
                  DB_ARGS(DB_TEXT(a->category), DB_TEXT(a->code), DB_INT(a->sort),
                          DB_TEXT(a->datatype), DB_INT(a->required ? 1 : 0),
                          DB_TEXT(a->description[0]), DB_TEXT(a->description[1]),
                          DB_TEXT(a->description[2]), DB_TEXT(a->value_list)),
                  "saving a category attribute", ei);
}

vk_err store_attribute_count(store_conn *c, int64_t *n, vk_errinfo *ei)
{
    return db_int64(c, &questions_sql, SQL_ATTRIBUTE_COUNT, DB_NO_ARGS, n, "attributes", ei);
}
