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

#include "db/store_internal.h"

vk_err store_account_event_add(store_conn *c, const store_account_event *ev, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_ACCOUNT_EVENT_ADD, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, ev->at);
    store_bind_text(st, 2, ev->actor);
    store_bind_text(st, 3, ev->kind);
    store_bind_text(st, 4, ev->target);
    store_bind_text(st, 5, ev->before ? ev->before : "{}");
    store_bind_text(st, 6, ev->after ? ev->after : "{}");
    store_bind_text(st, 7, ev->client_addr);
    return store_step_done(c, st, ei, "saving an account event");
}

/* Binds one log's statement: entries of this type strictly after the
 * cursor in newest-first order (feedback before account at equal times). */
static void bind_bound(sqlite3_stmt *st, const store_audit_query *q, store_audit_type type)
{
    int64_t id = INT64_MAX; /* every entry at before_at still to come */
    if (!q->before_at)
        store_bind_text(st, 1, "9999"); /* after every time */
    else
        store_bind_text(st, 1, q->before_at);
    if (q->before_at) {
        if (q->before_type == type)
            id = q->before_id;
        else if (q->before_type == STORE_AUDIT_ANY || type > q->before_type)
            id = 0; /* this type's entries at before_at came before the cursor */
    }
    sqlite3_bind_int64(st, 2, id);
    store_bind_text(st, 3, q->actor);
    sqlite3_bind_int(st, 4, q->limit);
}

static const char *text(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

static void read_entry(sqlite3_stmt *st, store_audit_type type, store_audit_entry *e)
{
    memset(e, 0, sizeof *e);
    e->type = type;
    e->id = sqlite3_column_int64(st, 0);
    e->at = text(st, 1);
    e->actor = text(st, 2);
    e->kind = text(st, 3);
    e->before = text(st, 4);
    e->after = text(st, 5);
    if (type == STORE_AUDIT_FEEDBACK) {
        e->feedback_id = sqlite3_column_int64(st, 6);
        e->public_answer = text(st, 7);
        e->internal_note = text(st, 8);
    } else {
        e->target = text(st, 6);
        e->client_addr = text(st, 7);
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
    sqlite3_stmt *fb = NULL, *ac = NULL;
    vk_err e = store_read_begin(c, ei);
    if (e)
        return e;
    if (q->type != STORE_AUDIT_ACCOUNT && !(fb = store_stmt(c, SQL_AUDIT_FEEDBACK, ei)))
        e = VK_EDB;
    if (!e && q->type != STORE_AUDIT_FEEDBACK && !(ac = store_stmt(c, SQL_AUDIT_ACCOUNT, ei)))
        e = VK_EDB;
    if (!e) {
        if (fb)
            bind_bound(fb, q, STORE_AUDIT_FEEDBACK);
        if (ac)
            bind_bound(ac, q, STORE_AUDIT_ACCOUNT);
        int rf = fb ? sqlite3_step(fb) : SQLITE_DONE, ra = ac ? sqlite3_step(ac) : SQLITE_DONE;
        store_audit_entry ef, ea;
        for (int n = 0; n < q->limit && (rf == SQLITE_ROW || ra == SQLITE_ROW); n++) {
            if (rf == SQLITE_ROW)
                read_entry(fb, STORE_AUDIT_FEEDBACK, &ef);
            if (ra == SQLITE_ROW)
                read_entry(ac, STORE_AUDIT_ACCOUNT, &ea);
            int take_fb = rf == SQLITE_ROW && (ra != SQLITE_ROW || newer(&ef, &ea));
            if (fn(arg, take_fb ? &ef : &ea))
                break;
            if (take_fb)
                rf = sqlite3_step(fb);
            else
                ra = sqlite3_step(ac);
        }
        if ((rf != SQLITE_ROW && rf != SQLITE_DONE) || (ra != SQLITE_ROW && ra != SQLITE_DONE))
            e = store_db_fail(c, ei, "reading the audit log");
    }
    if (fb)
        sqlite3_reset(fb);
    if (ac)
        sqlite3_reset(ac);
    store_read_end(c);
    return e;
}
