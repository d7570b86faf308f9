/*
 * store_reference.c — reference data in the database (see
 * store_reference.h): categories, units, the boundary and the areas.
 */
#include "reference/store_reference.h"

#include <stdlib.h>

#include "core/json.h"
#include "reference/sql.h"

DB_SLICE_DEFINE(reference_sql, REFERENCE_SQL)

/* ---- categories ---- */

static int category_row(void *arg, db_row *row)
{
    db_walk *a = arg;
    store_category cat = {
        db_col_text(row, 0),
        {db_col_text(row, 1), db_col_text(row, 2), db_col_text(row, 3)},
        {db_col_text(row, 4), db_col_text(row, 5), db_col_text(row, 6)},
        NULL,
    };
    return ((store_category_fn)a->fn)(a->arg, &cat);
}

vk_err store_category_each(store_conn *c, store_category_fn fn, void *arg, vk_errinfo *ei)
{
    db_walk a = DB_WALK(fn, arg);
    return db_each(c, &reference_sql, SQL_CATEGORY_LIST, DB_NO_ARGS, category_row, &a,
                   "categories", ei);
}

vk_err store_category_put(store_conn *c, int sort, const store_category *cat, vk_errinfo *ei)
{
    const char *const *d = cat->description;
    return db_run(c, &reference_sql, SQL_CATEGORY_PUT,
                  DB_ARGS(DB_TEXT(cat->id), DB_INT(sort), DB_TEXT(cat->name[0]),
                          DB_TEXT(cat->name[1]), DB_TEXT(cat->name[2]), DB_TEXT(d[0] ? d[0] : ""),
                          DB_TEXT(d[1] ? d[1] : ""), DB_TEXT(d[2] ? d[2] : ""),
                          DB_TEXT(cat->unit)),
                  "saving a category", ei);
}

/* ---- responsible units ---- */

vk_err store_unit_put(store_conn *c, const store_unit *u, vk_errinfo *ei)
{
    return db_run(c, &reference_sql, SQL_UNIT_PUT,
                  DB_ARGS(DB_TEXT(u->code), DB_TEXT(u->name[0]), DB_TEXT(u->name[1]),
                          DB_TEXT(u->name[2]), DB_TEXT(u->email)),
                  "saving a unit", ei);
}

vk_err store_unit_set_email(store_conn *c, const char *code, int has_email, const char *email,
                            const char *language, int digest, int *found, vk_errinfo *ei)
{
    vk_err e = db_run(c, &reference_sql, SQL_UNIT_SET_EMAIL,
                      DB_ARGS(DB_TEXT(code), DB_TEXT(email), DB_INT(has_email), DB_TEXT(language),
                              digest < 0 ? DB_NULL : DB_INT(digest)),
                      "saving a unit's address", ei);
    *found = !e && db_changes(c) == 1;
    return e;
}

vk_err store_unit_mail_json(store_conn *c, const char *code, vk_buf *b, vk_errinfo *ei)
{
    char *email = NULL;
    char lang[3] = "fi";
    int digest = 0;
    vk_err e = db_scan(c, &reference_sql, SQL_UNIT_MAIL_GET, DB_ARGS(DB_TEXT(code)),
                       DB_OUTS(DB_DUP_TO(&email), DB_COPY_TO(lang, sizeof lang), DB_INT_TO(&digest)), NULL,
                       "reading a unit's address", ei);
    if (!e) {
        vk_buf_putc(b, '{');
        vk_json_member_str(b, "code", code);
        vk_buf_puts(b, ",\"email\":");
        vk_json_str_or_null(b, email);
        vk_buf_puts(b, ",\"language\":");
        vk_json_str_or_null(b, lang);
        vk_buf_printf(b, ",\"digest\":%s}", digest ? "true" : "false");
    }
    free(email);
    return e;
}

static int unit_mail_row(void *arg, db_row *row)
{
    static const char *const langs[] = {"fi", "sv", "en"};
    vk_buf *b = arg;
    vk_json_open(b);
    vk_json_member_str(b, "code", db_col_text(row, 0));
    vk_json_key(b, "name");
    vk_buf_putc(b, '{');
    for (int i = 0; i < 3; i++)
        vk_json_member_str(b, langs[i], db_col_text(row, 1 + i));
    vk_buf_putc(b, '}');
    vk_json_member_str(b, "email", db_col_text(row, 4));
    vk_json_member_str(b, "language", db_col_text(row, 5));
    vk_buf_printf(b, ",\"digest\":%s}", db_col_int64(row, 6) ? "true" : "false");
    return 0;
}

vk_err store_units_mail_json(store_conn *c, vk_buf *b, vk_errinfo *ei)
{
    vk_buf_puts(b, "{\"units\":[");
    vk_err e = db_each(c, &reference_sql, SQL_UNIT_MAIL_LIST, DB_NO_ARGS, unit_mail_row, b,
                       "the units' addresses", ei);
    vk_buf_puts(b, "]}");
    return e;
}

vk_err store_feedback_default_units(store_conn *c, vk_errinfo *ei)
{
    return db_run(c, &reference_sql, SQL_FEEDBACK_DEFAULT_UNITS, DB_NO_ARGS,
                  "assigning default units", ei);
}

static int unit_row(void *arg, db_row *row)
{
    db_walk *a = arg;
    store_unit u = {db_col_int64(row, 0), db_col_text(row, 1),
                    {db_col_text(row, 2), db_col_text(row, 3), db_col_text(row, 4)}, NULL};
    return ((store_unit_fn)a->fn)(a->arg, &u);
}

vk_err store_unit_each(store_conn *c, store_unit_fn fn, void *arg, vk_errinfo *ei)
{
    db_walk a = DB_WALK(fn, arg);
    return db_each(c, &reference_sql, SQL_UNIT_LIST, DB_NO_ARGS, unit_row, &a, "units", ei);
}

vk_err store_areas_clear(store_conn *c, vk_errinfo *ei)
{
    return store_exec(c, SQL_SCRIPT_AREAS_CLEAR, ei);
}

/* ---- districts of feedback ---- */

typedef struct reassign {
    store_conn *c;
    store_district_of_fn fn;
    void *arg;
    int64_t *changed;
    vk_err e;
    vk_errinfo *ei;
} reassign;

static int reassign_row(void *arg, db_row *row)
{
    reassign *r = arg;
    int64_t id = db_col_int64(row, 0);
    int64_t want = r->fn(r->arg, db_col_blob(row, 1), db_col_bytes(row, 1));
    if (want == db_col_int64(row, 2))
        return 0;
    r->e = db_run(r->c, &reference_sql, SQL_FEEDBACK_SET_DISTRICT, DB_ARGS(DB_INT(id), DB_ID(want)),
                  "re-assigning a district", r->ei);
    if (!r->e)
        (*r->changed)++;
    return r->e != VK_OK;
}

vk_err store_feedback_reassign_districts(store_conn *c, store_district_of_fn fn, void *arg,
                                         int64_t *changed, vk_errinfo *ei)
{
    *changed = 0;
    reassign r = {c, fn, arg, changed, VK_OK, ei};
    /* The list and the update are two statements: the update runs while
     * the list is still stepping. */
    vk_err e = db_each(c, &reference_sql, SQL_FEEDBACK_GEOMS, DB_NO_ARGS, reassign_row, &r,
                       "re-assigning districts", ei);
    return r.e ? r.e : e;
}
