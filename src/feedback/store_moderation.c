/*
 * moderation.c — the store side of moderation, withdrawal, "me too",
 * merging duplicates and the retention purge of contact details.
 *
 * The writes run on the writer thread inside its transaction; readers
 * reset their statements before returning (an open one pins a snapshot).
 */
#include <stdlib.h>
#include <string.h>

#include "db/store_internal.h"

static vk_err step_fail(store_conn *c, int rc, vk_errinfo *ei, const char *what)
{
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VK_OK : store_db_fail(c, ei, what);
}

void store_feedback_mod_fini(store_feedback_mod *m)
{
    free(m->description);
    free(m->description_original);
    memset(m, 0, sizeof *m);
}

vk_err store_feedback_mod_get(store_conn *c, int64_t id, int *found, store_feedback_mod *out,
                              vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = store_stmt(c, SQL_FEEDBACK_MOD, ei);
    if (!st)
        return VK_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    vk_err e = step_fail(c, rc, ei, "reading an item's moderation state");
    if (rc == SQLITE_ROW) {
        out->hidden = sqlite3_column_int(st, 0);
        out->me_too = sqlite3_column_int64(st, 1);
        out->description = store_col_dup(st, 2);
        out->description_original = store_col_dup(st, 3);
        out->has_contact = sqlite3_column_int(st, 4);
        if (!out->description || (!out->description_original &&
                                  sqlite3_column_type(st, 3) != SQLITE_NULL)) {
            store_feedback_mod_fini(out);
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
        }
    }
    sqlite3_reset(st);
    return e;
}

vk_err store_followup_find(store_conn *c, const char *hash, int64_t *id, vk_errinfo *ei)
{
    *id = 0;
    sqlite3_stmt *st = store_stmt(c, SQL_FOLLOWUP_FIND, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, hash);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    vk_err e = step_fail(c, rc, ei, "finding a follow-up link");
    sqlite3_reset(st);
    return e;
}

void store_contact_fini(store_contact *ct)
{
    free(ct->name);
    free(ct->email);
    free(ct->phone);
    memset(ct, 0, sizeof *ct);
}

vk_err store_contact_get(store_conn *c, int64_t id, int *found, store_contact *out,
                         vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = store_stmt(c, SQL_CONTACT_GET, ei);
    if (!st)
        return VK_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    vk_err e = step_fail(c, rc, ei, "reading contact details");
    if (rc == SQLITE_ROW) {
        out->name = store_col_dup(st, 0);
        out->email = store_col_dup(st, 1);
        out->phone = store_col_dup(st, 2);
    }
    sqlite3_reset(st);
    return e;
}

/* A write with an id and up to two texts (NULL: not bound). */
static vk_err write_id(store_conn *c, store_sql_id sql, int64_t id, const char *t2,
                       const char *t3, vk_errinfo *ei, const char *what)
{
    sqlite3_stmt *st = store_stmt(c, sql, ei);
    if (!st)
        return VK_EDB;
    sqlite3_bind_int64(st, 1, id);
    if (t2)
        store_bind_text(st, 2, t2);
    if (t3)
        store_bind_text(st, 3, t3);
    return store_step_done(c, st, ei, what);
}

vk_err store_contact_delete(store_conn *c, int64_t id, vk_errinfo *ei)
{
    return write_id(c, SQL_CONTACT_DELETE, id, NULL, NULL, ei, "deleting contact details");
}

vk_err store_contact_purge(store_conn *c, const char *before, int64_t *removed, vk_errinfo *ei)
{
    *removed = 0;
    sqlite3_stmt *st = store_stmt(c, SQL_CONTACT_PURGE, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, before);
    vk_err e = store_step_done(c, st, ei, "purging contact details");
    if (!e)
        *removed = sqlite3_changes64(c->db);
    return e;
}

vk_err store_feedback_set_hidden(store_conn *c, int64_t id, int hidden, const char *now,
                                 vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_FEEDBACK_SET_HIDDEN, ei);
    if (!st)
        return VK_EDB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, hidden);
    store_bind_text(st, 3, now);
    return store_step_done(c, st, ei, "changing an item's visibility");
}

vk_err store_feedback_redact(store_conn *c, int64_t id, const char *description, const char *now,
                             vk_errinfo *ei)
{
    return write_id(c, SQL_FEEDBACK_REDACT, id, description, now, ei, "editing a description");
}

static vk_err count_of(store_conn *c, store_sql_id sql, int64_t id, int64_t *n, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, sql, ei);
    if (!st)
        return VK_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    vk_err e = step_fail(c, rc, ei, "counting");
    sqlite3_reset(st);
    return e;
}

static vk_err me_too_set(store_conn *c, int64_t id, int64_t n, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_FEEDBACK_ME_TOO_SET, ei);
    if (!st)
        return VK_EDB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, n);
    return store_step_done(c, st, ei, "counting \"me too\"");
}

/* A statement with an id and a text that yields one count. */
static vk_err count_text(store_conn *c, store_sql_id sql, int64_t id, const char *t,
                         int64_t *n, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, sql, ei);
    if (!st)
        return VK_EDB;
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, t);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    vk_err e = step_fail(c, rc, ei, "counting \"me too\"");
    sqlite3_reset(st);
    return e;
}

vk_err store_me_too_add(store_conn *c, int64_t id, const char *voter, const char *address,
                        const char *day, const char *now, int *counted, vk_errinfo *ei)
{
    *counted = 0;
    int64_t has = 0;
    /* The browser first: one that counted before changes nothing, not even
     * its address's place for the day. */
    vk_err e = count_text(c, SQL_ME_TOO_HAS, id, voter, &has, ei);
    if (e || has)
        return e;
    if (address && *address) {
        sqlite3_stmt *st = store_stmt(c, SQL_ME_TOO_ADDRESS_EXPIRE, ei);
        if (!st)
            return VK_EDB;
        store_bind_text(st, 1, day);
        if ((e = store_step_done(c, st, ei, "forgetting earlier days' \"me too\" addresses")) ||
            (e = write_id(c, SQL_ME_TOO_ADDRESS_ADD, id, address, day, ei,
                          "saving a \"me too\"")))
            return e;
        if (sqlite3_changes(c->db) == 0)
            return VK_OK; /* this address counted today already */
    }
    if ((e = write_id(c, SQL_ME_TOO_ADD, id, voter, now, ei, "saving a \"me too\"")) ||
        sqlite3_changes(c->db) == 0)
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
        e = vk_fail(ei, VK_ENOT_FOUND, "id", "there is no feedback with this id");
    if (!e)
        e = count_of(c, SQL_ME_TOO_COUNT, from, &voters, ei);
    int64_t reporter = 0;
    for (int i = 0; i < 2 && !e; i++) {
        sqlite3_stmt *st = store_stmt(c, i ? SQL_ME_TOO_REPORTER : SQL_ME_TOO_MOVE, ei);
        if (!st) {
            e = VK_EDB;
        } else {
            sqlite3_bind_int64(st, 1, from);
            sqlite3_bind_int64(st, 2, into);
            e = store_step_done(c, st, ei, "moving \"me too\" votes");
            *(i ? &reporter : &moved) = e ? 0 : sqlite3_changes64(c->db);
        }
    }
    /* A voter on both counts once: into gains the votes that moved, the
     * reporters merged into from earlier without a voter row (before
     * schema 0011: its count less its voters), and from's own reporter,
     * who is a voter row of into from now on, so that a merge, reopen and
     * merge again counts them once. */
    int64_t n = t.me_too + moved + (f.me_too > voters ? f.me_too - voters : 0) + reporter;
    if (!e)
        e = write_id(c, SQL_ME_TOO_DROP, from, NULL, NULL, ei, "moving \"me too\" votes");
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
