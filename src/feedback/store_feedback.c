/*
 * store_feedback.c — items, their contact details, the lookups validation
 * needs, and the handling workflow with its event log (see
 * store_feedback.h). Moderation is in store_moderation.c.
 */
#include "feedback/store_feedback.h"

#include <stdlib.h>
#include <string.h>

#include "feedback/sql.h"

DB_SLICE_DEFINE(feedback_sql, FEEDBACK_SQL)

/* ---- lookups ---- */

vk_err store_category_exists(store_conn *c, const char *id, int *exists, vk_errinfo *ei)
{
    return db_first(c, &feedback_sql, SQL_CATEGORY_EXISTS, DB_ARGS(DB_TEXT(id)), NULL, NULL,
                    exists, "category", ei);
}

vk_err store_district_id(store_conn *c, const char *code, int64_t *id, vk_errinfo *ei)
{
    return db_int64(c, &feedback_sql, SQL_DISTRICT_ID, DB_ARGS(DB_TEXT(code)), id, "district", ei);
}

vk_err store_unit_id(store_conn *c, const char *code, int64_t *id, vk_errinfo *ei)
{
    return db_int64(c, &feedback_sql, SQL_UNIT_ID, DB_ARGS(DB_TEXT(code)), id, "a lookup", ei);
}

vk_err store_feedback_exists(store_conn *c, int64_t id, int *exists, vk_errinfo *ei)
{
    int64_t v = 0;
    vk_err e = db_int64(c, &feedback_sql, SQL_FEEDBACK_EXISTS, DB_ARGS(DB_INT(id)), &v,
                        "a lookup", ei);
    *exists = v == 1;
    return e;
}

/* ---- feedback ---- */

vk_err store_feedback_insert(store_conn *c, const store_feedback_new *f, int64_t *id,
                             vk_errinfo *ei)
{
    int own_tx;
    vk_err e = store_begin_own(c, &own_tx, ei);
    if (e)
        return e;
    e = db_run(c, &feedback_sql, SQL_FEEDBACK_INSERT,
               DB_ARGS(DB_TEXT(f->category), DB_TEXT(f->description), DB_TEXT(f->place),
                       DB_TEXT(f->status ? f->status : "received"),
                       DB_TEXT(f->resolution_reason), DB_TEXT(f->answer),
                       DB_TEXT(f->answered_at), DB_ID(f->district_id), DB_TEXT(f->created_at),
                       DB_TEXT(f->updated_at), DB_BLOB(f->wkb, f->wkb_len),
                       DB_ID(f->duplicate_of), DB_TEXT(f->forwarded_to),
                       DB_TEXT(f->followup_hash), DB_TEXT(f->attributes),
                       DB_TEXT(f->location_precision), f->mail ? DB_INT(1) : DB_NULL),
               "saving feedback", ei);
    if (!e)
        *id = db_last_id(c);
    if (!e && (f->contact_name || f->contact_email || f->contact_phone))
        e = db_run(c, &feedback_sql, SQL_CONTACT_INSERT,
                   DB_ARGS(DB_INT(*id), DB_TEXT(f->contact_name), DB_TEXT(f->contact_email),
                           DB_TEXT(f->contact_phone), DB_TEXT(f->contact_language),
                           DB_TEXT(f->contact_email ? f->receipt_token : NULL)),
                   "saving contact details", ei);
    return store_end_own(c, own_tx, e, ei);
}

/* ---- the handling workflow ---- */

vk_err store_feedback_absent(vk_errinfo *ei)
{
    return vk_fail(ei, VK_ENOT_FOUND, "id", "there is no feedback with this id");
}

/* The columns of SQL_FEEDBACK_STATE. */
#define STATE_ROW(s)                                                                 \
    DB_DUP_TO(&(s)->status), DB_I64_TO(&(s)->unit_id), DB_DUP_TO(&(s)->unit),        \
        DB_DUP_TO(&(s)->resolution_reason), DB_I64_TO(&(s)->duplicate_of),          \
        DB_DUP_TO(&(s)->forwarded_to), DB_DUP_TO(&(s)->answer), DB_I64_TO(&(s)->assignee_id), \
        DB_DUP_TO(&(s)->assignee)
FEEDBACK_RECORD(store_feedback_state, store_feedback_state_get, store_feedback_state_fini,
                SQL_FEEDBACK_STATE, "reading an item's state", STATE_ROW)

vk_err store_feedback_update(store_conn *c, int64_t id, const store_feedback_state *s,
                             const char *answer, const char *answer_sv, const char *answer_en,
                             const char *now, vk_errinfo *ei)
{
    return db_run(c, &feedback_sql, SQL_FEEDBACK_UPDATE,
                  DB_ARGS(DB_INT(id), DB_TEXT(s->status), DB_TEXT(s->resolution_reason),
                          DB_ID(s->duplicate_of), DB_TEXT(s->forwarded_to), DB_ID(s->unit_id),
                          DB_TEXT(answer), DB_TEXT(now), DB_ID(s->assignee_id),
                          DB_TEXT(answer_sv), DB_TEXT(answer_en)),
                  "updating feedback", ei);
}

vk_err store_feedback_correct(store_conn *c, int64_t id, const char *category,
                              const unsigned char *wkb, size_t wkb_len, int64_t district_id,
                              const char *precision, const char *now, vk_errinfo *ei)
{
    return db_run(c, &feedback_sql, SQL_FEEDBACK_CORRECT,
                  DB_ARGS(DB_INT(id), DB_TEXT(category),
                          wkb ? DB_BLOB(wkb, wkb_len) : DB_NULL, DB_ID(district_id),
                          DB_TEXT(now), DB_TEXT(precision)),
                  "correcting feedback", ei);
}

vk_err store_assignee_id(store_conn *c, const char *name, int64_t *id, vk_errinfo *ei)
{
    return db_int64(c, &feedback_sql, SQL_ASSIGNEE_ID, DB_ARGS(DB_TEXT(name)), id,
                    "finding a staff account", ei);
}

vk_err store_event_add(store_conn *c, const store_event *ev, vk_errinfo *ei)
{
    return db_run(c, &feedback_sql, SQL_EVENT_ADD,
                  DB_ARGS(DB_INT(ev->feedback_id), DB_TEXT(ev->at), DB_TEXT(ev->actor),
                          DB_TEXT(ev->kind), DB_TEXT(ev->before), DB_TEXT(ev->after),
                          DB_TEXT(ev->public_answer), DB_TEXT(ev->internal_note),
                          DB_TEXT(ev->public_answer_sv), DB_TEXT(ev->public_answer_en)),
                  "saving a feedback event", ei);
}

static int event_row(void *arg, db_row *row)
{
    db_walk *w = arg;
    store_event ev = {db_col_int64(row, 0), db_col_int64(row, 1), db_col_text(row, 2),
                      db_col_text(row, 3),  db_col_text(row, 4),  db_col_text(row, 5),
                      db_col_text(row, 6),  db_col_text(row, 7),  db_col_text(row, 8),
                      db_col_text(row, 9),  db_col_text(row, 10)};
    return ((store_event_fn)w->fn)(w->arg, &ev);
}

vk_err store_event_each(store_conn *c, int64_t feedback_id, store_event_fn fn, void *arg,
                        vk_errinfo *ei)
{
    db_walk w = DB_WALK(fn, arg);
    return db_each(c, &feedback_sql, SQL_EVENT_LIST_ITEM, DB_ARGS(DB_INT(feedback_id)),
                   event_row, &w, "feedback events", ei);
}
