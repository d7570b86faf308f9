/*
 * audit.c — account events and the merged reading of the audit log.
 *
 * Each log is read by its own statement ordered by (at DESC, id DESC) with
 * the row-value bound (at, id) < (?1, ?2), which its index on at serves;
 * the two are merged here a row at a time, so a page costs its length
 * whatever the size of the logs. Both statements run on one connection in
 * one read transaction (BEGIN … COMMIT), so they see the same snapshot.
 */
#include "auth/audit.h"

#include <stdint.h>
#include <string.h>

#include "auth/sql.h"

vk_err store_account_event_add(store_conn *c, const store_account_event *ev, vk_errinfo *ei)
{
    return db_run(c, &auth_sql, SQL_ACCOUNT_EVENT_ADD,
                  DB_ARGS(DB_TEXT(ev->at), DB_TEXT(ev->actor), DB_TEXT(ev->kind),
                          DB_TEXT(ev->target), DB_TEXT(ev->before ? ev->before : "{}"),
                          DB_TEXT(ev->after ? ev->after : "{}"), DB_TEXT(ev->client_addr)),
                  "saving an account event", ei);
}

/* Opens one log's cursor: entries of this type strictly after the cursor
 * in newest-first order (feedback before account at equal times). */
static db_row *open_log(store_conn *c, const store_audit_query *q, store_audit_type type,
                        vk_errinfo *ei)
{
    int64_t id = INT64_MAX; /* every entry at before_at still to come */
    if (q->before_at) {
        if (q->before_type == type)
            id = q->before_id;
        else if (q->before_type == STORE_AUDIT_ANY || type > q->before_type)
            id = 0; /* this type's entries at before_at came before the cursor */
    }
    return db_cursor(c, &auth_sql,
                     type == STORE_AUDIT_FEEDBACK ? SQL_AUDIT_FEEDBACK : SQL_AUDIT_ACCOUNT,
                     DB_ARGS(DB_TEXT(q->before_at ? q->before_at : "9999"), /* after every time */
                             DB_INT(id), DB_TEXT(q->actor), DB_INT(q->limit)),
                     ei);
}


static void read_entry(db_row *st, store_audit_type type, store_audit_entry *e)
{
    memset(e, 0, sizeof *e);
    e->type = type;
    e->id = db_col_int64(st, 0);
    e->at = db_col_text(st, 1);
    e->actor = db_col_text(st, 2);
    e->kind = db_col_text(st, 3);
    e->before = db_col_text(st, 4);
    e->after = db_col_text(st, 5);
    if (type == STORE_AUDIT_FEEDBACK) {
        e->feedback_id = db_col_int64(st, 6);
        e->public_answer = db_col_text(st, 7);
        e->internal_note = db_col_text(st, 8);
    } else {
        e->target = db_col_text(st, 6);
        e->client_addr = db_col_text(st, 7);
    }
}

/* 1 when a comes first in newest-first order. */
static int newer(const store_audit_entry *a, const store_audit_entry *b)
{
    int c = strcmp(a->at ? a->at : "", b->at ? b->at : "");
    if (c)
        return c > 0;
    if (a->type != b->type)
        return a->type > b->type;
    return a->id > b->id;
}

vk_err store_audit_each(store_conn *c, const store_audit_query *q,
                        int (*fn)(void *arg, const store_audit_entry *e), void *arg,
                        vk_errinfo *ei)
{
    db_row *fb = NULL, *ac = NULL;
    vk_err e = store_read_begin(c, ei);
    if (e)
        return e;
    if (q->type != STORE_AUDIT_ACCOUNT && !(fb = open_log(c, q, STORE_AUDIT_FEEDBACK, ei)))
        e = VK_EDB;
    if (!e && q->type != STORE_AUDIT_FEEDBACK && !(ac = open_log(c, q, STORE_AUDIT_ACCOUNT, ei)))
        e = VK_EDB;
    if (!e) {
        int rf = fb ? db_cursor_step(fb) : 0, ra = ac ? db_cursor_step(ac) : 0;
        store_audit_entry ef, ea;
        for (int n = 0; n < q->limit && (rf == 1 || ra == 1); n++) {
            if (rf == 1)
                read_entry(fb, STORE_AUDIT_FEEDBACK, &ef);
            if (ra == 1)
                read_entry(ac, STORE_AUDIT_ACCOUNT, &ea);
            int take_fb = rf == 1 && (ra != 1 || newer(&ef, &ea));
            if (fn(arg, take_fb ? &ef : &ea))
                break;
            if (take_fb)
                rf = db_cursor_step(fb);
            else
                ra = db_cursor_step(ac);
        }
        if (rf < 0 || ra < 0)
            e = db_fail(c, "reading the audit log", ei);
    }
    db_cursor_end(fb);
    db_cursor_end(ac);
    store_read_end(c);
    return e;
}
