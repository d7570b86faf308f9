/*
 * audit.h — the audit log: account events (schema/0009_account_audit.sql)
 * and the one newest-first reading of them together with the feedback
 * events of schema/0004 (feedback_event).
 *
 * Account events are written by store/staff.c inside the transaction of
 * the change they record; store_account_event_add is for such callers
 * only (it opens no transaction). The reader merges two index scans in
 * order of (at, type, id), newest first, where at equal times a feedback
 * event comes before an account event; a page ends at a cursor from which
 * the next page continues without gaps or repeats.
 */
#ifndef VK_STORE_AUDIT_H
#define VK_STORE_AUDIT_H

#include <stdint.h>

#include "db/store.h"

/* Which log an entry is from; also its place among entries of equal time. */
typedef enum { STORE_AUDIT_ANY = 0, STORE_AUDIT_ACCOUNT = 1, STORE_AUDIT_FEEDBACK = 2 } store_audit_type;

typedef struct store_account_event {
    const char *at, *actor, *kind, *target;
    const char *before, *after; /* JSON objects without secrets; NULL means {} */
    const char *client_addr;    /* the peer of a sign-in; NULL otherwise */
} store_account_event;

/* Insert one account event on c's current transaction. */
vk_err store_account_event_add(store_conn *c, const store_account_event *ev, vk_errinfo *ei);

/* One entry of the log; its strings are borrowed until the callback returns. */
typedef struct store_audit_entry {
    store_audit_type type;
    int64_t id;
    int64_t feedback_id; /* feedback only */
    const char *at, *actor, *kind;
    const char *target; /* account only */
    const char *before, *after;
    const char *public_answer, *internal_note; /* feedback only; may be NULL */
    const char *client_addr;                   /* account only; may be NULL */
} store_audit_entry;

typedef struct store_audit_query {
    int limit;
    store_audit_type type; /* STORE_AUDIT_ANY for both logs */
    const char *actor;     /* NULL for anyone */
    /* Start after this position: before_at NULL starts at the newest;
     * before_type STORE_AUDIT_ANY means every entry older than before_at. */
    const char *before_at;
    store_audit_type before_type;
    int64_t before_id;
} store_audit_query;

/* Calls fn for at most q->limit entries, newest first; stops when fn
 * returns ≠ 0. */
vk_err store_audit_each(store_conn *c, const store_audit_query *q,
                        int (*fn)(void *arg, const store_audit_entry *e), void *arg,
                        vk_errinfo *ei);

#endif
