/*
 * store_moderation.c — the store side of moderation, withdrawal, "me
 * too", merging duplicates and the retention purge of contact details.
 *
 * The writes run on the writer thread inside its transaction; readers
 * reset their statements before returning (an open one pins a snapshot).
 */
#include <stdlib.h>
#include <string.h>

#include "feedback/sql.h"
#include "feedback/store_feedback.h"
#include "mail/outbox.h"

/* The columns of SQL_FEEDBACK_MOD. */
#define MOD_ROW(m)                                                                   \
    DB_INT_TO(&(m)->hidden), DB_I64_TO(&(m)->me_too), DB_DUP_TO(&(m)->description),  \
        DB_DUP_TO(&(m)->description_original), DB_INT_TO(&(m)->has_contact)
FEEDBACK_RECORD(store_feedback_mod, store_feedback_mod_get, store_feedback_mod_fini,
                SQL_FEEDBACK_MOD, "reading an item's moderation state", MOD_ROW)

/* The columns of SQL_FEEDBACK_PLACE. */
#define PLACE_ROW(p)                                                                 \
    DB_INT_TO(&(p)->has_geom), DB_REAL_TO(&(p)->lon), DB_REAL_TO(&(p)->lat),         \
        DB_DUP_TO(&(p)->category), DB_INT_TO(&(p)->is_point), DB_DUP_TO(&(p)->precision)
FEEDBACK_RECORD(store_feedback_place, store_feedback_place_get, store_feedback_place_fini,
                SQL_FEEDBACK_PLACE, "reading where an item is", PLACE_ROW)

vk_err store_followup_find(store_conn *c, const char *hash, int64_t *id, vk_errinfo *ei)
{
    return db_int64(c, &feedback_sql, SQL_FOLLOWUP_FIND, DB_ARGS(DB_TEXT(hash)), id,
                    "finding a follow-up link", ei);
}

/* The columns of SQL_CONTACT_GET. */
#define CONTACT_ROW(ct) DB_DUP_TO(&(ct)->name), DB_DUP_TO(&(ct)->email), DB_DUP_TO(&(ct)->phone)
FEEDBACK_RECORD(store_contact, store_contact_get, store_contact_fini, SQL_CONTACT_GET,
                "reading contact details", CONTACT_ROW)

vk_err store_contact_delete(store_conn *c, int64_t id, vk_errinfo *ei)
{
    vk_err e = db_run(c, &feedback_sql, SQL_CONTACT_DELETE, DB_ARGS(DB_INT(id)),
                      "deleting contact details", ei);
    /* Without the address its unsent mail must not leave either. */
    return e ? e : mail_cancel_item(c, id, ei);
}

vk_err store_contact_purge(store_conn *c, const char *before, int64_t *removed, vk_errinfo *ei)
{
    vk_err e = db_run(c, &feedback_sql, SQL_MAIL_CANCEL_PURGED, DB_ARGS(DB_TEXT(before)),
                      "cancelling the purged items' e-mail", ei);
    if (!e)
        e = db_run(c, &feedback_sql, SQL_CONTACT_PURGE, DB_ARGS(DB_TEXT(before)),
                   "purging contact details", ei);
    int64_t contacts = e ? 0 : db_changes(c);
    /* The outbox's old rows hold addresses too. */
    if (!e)
        e = mail_outbox_purge(c, before, ei);
    /* And the addresses of those who asked for a survey's outcome or a
     * round's results (kept no longer than a reporter's). */
    if (!e)
        e = mail_subscriptions_purge(c, before, ei);
    *removed = e ? 0 : contacts;
    return e;
}

vk_err store_feedback_set_hidden(store_conn *c, int64_t id, int hidden, const char *now,
                                 vk_errinfo *ei)
{
    return db_run(c, &feedback_sql, SQL_FEEDBACK_SET_HIDDEN,
                  DB_ARGS(DB_INT(id), DB_INT(hidden), DB_TEXT(now)),
                  "changing an item's visibility", ei);
}

vk_err store_feedback_redact(store_conn *c, int64_t id, const char *description, const char *now,
                             vk_errinfo *ei)
{
    return db_run(c, &feedback_sql, SQL_FEEDBACK_REDACT,
                  DB_ARGS(DB_INT(id), DB_TEXT(description), DB_TEXT(now)),
                  "editing a description", ei);
}

static vk_err me_too_set(store_conn *c, int64_t id, int64_t n, vk_errinfo *ei)
{
    return db_run(c, &feedback_sql, SQL_FEEDBACK_ME_TOO_SET, DB_ARGS(DB_INT(id), DB_INT(n)),
                  "counting \"me too\"", ei);
}

vk_err store_me_too_add(store_conn *c, int64_t id, const char *voter, const char *address,
                        const char *day, const char *now, int *counted, vk_errinfo *ei)
{
    *counted = 0;
    int64_t has = 0;
    /* The browser first: one that counted before changes nothing, not even
     * its address's place for the day. */
    vk_err e = db_int64(c, &feedback_sql, SQL_ME_TOO_HAS, DB_ARGS(DB_INT(id), DB_TEXT(voter)),
                        &has, "counting \"me too\"", ei);
    if (e || has)
        return e;
    if (address && *address) {
        if ((e = db_run(c, &feedback_sql, SQL_ME_TOO_ADDRESS_EXPIRE, DB_ARGS(DB_TEXT(day)),
                        "forgetting earlier days' \"me too\" addresses", ei)) ||
            (e = db_run(c, &feedback_sql, SQL_ME_TOO_ADDRESS_ADD,
                        DB_ARGS(DB_INT(id), DB_TEXT(address), DB_TEXT(day)),
                        "saving a \"me too\"", ei)))
            return e;
        if (db_changes(c) == 0)
            return VK_OK; /* this address counted today already */
    }
    if ((e = db_run(c, &feedback_sql, SQL_ME_TOO_ADD,
                    DB_ARGS(DB_INT(id), DB_TEXT(voter), DB_TEXT(now)), "saving a \"me too\"",
                    ei)) ||
        db_changes(c) == 0)
        return e;
    *counted = 1;
    int found = 0;
    store_feedback_mod m;
    if ((e = store_feedback_mod_get(c, id, &found, &m, ei)))
        return e;
    e = me_too_set(c, id, m.me_too + 1, ei);
    store_feedback_mod_fini(&m);
    return e;
}

vk_err store_me_too_merge(store_conn *c, int64_t from, int64_t into, int64_t *into_me_too,
                          vk_errinfo *ei)
{
    store_feedback_mod f, t;
    int found_f = 0, found_t = 0;
    int64_t voters = 0, moved = 0;
    vk_err e = store_feedback_mod_get(c, from, &found_f, &f, ei);
    if (e)
        return e;
    if ((e = store_feedback_mod_get(c, into, &found_t, &t, ei))) {
        store_feedback_mod_fini(&f);
        return e;
    }
    if (!found_f || !found_t)
        e = store_feedback_absent(ei);
    if (!e)
        e = db_int64(c, &feedback_sql, SQL_ME_TOO_COUNT, DB_ARGS(DB_INT(from)), &voters,
                     "counting", ei);
    int64_t reporter = 0;
    for (int i = 0; i < 2 && !e; i++) {
        e = db_run(c, &feedback_sql, i ? SQL_ME_TOO_REPORTER : SQL_ME_TOO_MOVE,
                   DB_ARGS(DB_INT(from), DB_INT(into)), "moving \"me too\" votes", ei);
        *(i ? &reporter : &moved) = e ? 0 : db_changes(c);
    }
    /* A voter on both counts once: into gains the votes that moved, the
     * reporters merged into from earlier without a voter row (before
     * schema 0011: its count less its voters), and from's own reporter,
     * who is a voter row of into from now on, so that a merge, reopen and
     * merge again counts them once. */
    int64_t n = t.me_too + moved + (f.me_too > voters ? f.me_too - voters : 0) + reporter;
    if (!e)
        e = db_run(c, &feedback_sql, SQL_ME_TOO_DROP, DB_ARGS(DB_INT(from)),
                   "moving \"me too\" votes", ei);
    if (!e)
        e = me_too_set(c, from, 0, ei);
    if (!e)
        e = me_too_set(c, into, n, ei);
    if (!e)
        *into_me_too = n;
    store_feedback_mod_fini(&f);
    store_feedback_mod_fini(&t);
    return e;
}
