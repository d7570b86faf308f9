/*
 * staff.c — the SQL of staff accounts, tokens, sessions and failed
 * sign-ins. Statements are the named ones of sql.h (STAFF_SQL_LIST);
 * each is reset before a function returns, so no reader keeps an old
 * snapshot of the database open.
 */
#include "auth/staff.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "db/store_internal.h"

static void copy_col(char *dst, size_t n, sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    snprintf(dst, n, "%s", s ? s : "");
}

/* Commit when e is VK_OK, else (or when the commit fails) roll back. */
static vk_err finish(store_conn *c, vk_err e, vk_errinfo *ei)
{
    if (!e)
        e = store_commit(c, ei);
    if (e)
        store_rollback(c);
    return e;
}

/* One account event. Roles are one of four lower-case words (the CHECK of
 * staff_user and api_token has passed before any event is written), so
 * the JSON built here needs no escaping. */
static vk_err account_event(store_conn *c, const char *now, const char *actor, const char *kind,
                            const char *target, const char *before, const char *after,
                            vk_errinfo *ei)
{
    store_account_event ev = {now, actor, kind, target, before, after, NULL};
    return store_account_event_add(c, &ev, ei);
}

vk_err store_staff_user_add(store_conn *c, const char *name, const char *role, const char *hash,
                            const char *now, const char *actor, vk_errinfo *ei)
{
    vk_err e = store_begin(c, ei);
    if (e)
        return e;
    sqlite3_stmt *st = store_stmt(c, SQL_STAFF_ADD, ei);
    if (!st)
        return finish(c, VK_EDB, ei);
    store_bind_text(st, 1, name);
    store_bind_text(st, 2, role);
    store_bind_text(st, 3, hash);
    store_bind_text(st, 4, now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        e = vk_fail(ei, VK_EVALUE, "name", "there is already a user named '%s'", name);
    else if (rc == SQLITE_CONSTRAINT_CHECK)
        e = vk_fail(ei, VK_EVALUE, "role", "'%s' is not a role", role);
    else if (rc != SQLITE_DONE)
        e = store_db_fail(c, ei, "adding a user");
    sqlite3_reset(st);
    if (!e) {
        char after[64];
        snprintf(after, sizeof after, "{\"role\":\"%s\",\"disabled\":false}", role);
        e = account_event(c, now, actor, "user_add", name, "{}", after, ei);
    }
    return finish(c, e, ei);
}

vk_err store_staff_user_get(store_conn *c, const char *name, int *found, store_staff_user *out,
                            vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    sqlite3_stmt *st = store_stmt(c, SQL_STAFF_GET, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *found = 1;
        out->id = sqlite3_column_int64(st, 0);
        copy_col(out->name, sizeof out->name, st, 1);
        copy_col(out->role, sizeof out->role, st, 2);
        copy_col(out->password_hash, sizeof out->password_hash, st, 3);
        out->disabled = sqlite3_column_int(st, 4);
        copy_col(out->created_at, sizeof out->created_at, st, 5);
    }
    vk_err e = rc == SQLITE_ROW || rc == SQLITE_DONE ? VK_OK : store_db_fail(c, ei, "reading a user");
    sqlite3_reset(st);
    return e;
}

vk_err store_staff_user_each(store_conn *c, int (*fn)(void *arg, const store_staff_user *u),
                             void *arg, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_STAFF_LIST, ei);
    if (!st)
        return VK_EDB;
    int rc;
    store_staff_user u;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&u, 0, sizeof u);
        u.id = sqlite3_column_int64(st, 0);
        copy_col(u.name, sizeof u.name, st, 1);
        copy_col(u.role, sizeof u.role, st, 2);
        u.disabled = sqlite3_column_int(st, 3);
        copy_col(u.created_at, sizeof u.created_at, st, 4);
        if (fn(arg, &u)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    vk_err e = rc == SQLITE_DONE ? VK_OK : store_db_fail(c, ei, "listing users");
    sqlite3_reset(st);
    return e;
}

/* One count(*) with an optional id. */
static vk_err count_of(store_conn *c, store_sql_id sql, int64_t id, int64_t *n, vk_errinfo *ei)
{
    *n = 0;
    sqlite3_stmt *st = store_stmt(c, sql, ei);
    if (!st)
        return VK_EDB;
    if (id)
        sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    vk_err e = rc == SQLITE_ROW ? VK_OK : store_db_fail(c, ei, "counting admins");
    sqlite3_reset(st);
    return e;
}

static vk_err user_update(store_conn *c, int guarded, int64_t actor_id, const char *name,
                          const char *role, int disabled, const char *hash, const char *now,
                          const char *actor, int *changed, vk_errinfo *ei);

vk_err store_staff_user_update(store_conn *c, const char *name, const char *role, int disabled,
                               const char *hash, const char *now, const char *actor, int *changed,
                               vk_errinfo *ei)
{
    return user_update(c, 0, 0, name, role, disabled, hash, now, actor, changed, ei);
}

vk_err store_staff_user_update_by(store_conn *c, int64_t actor_id, const char *name,
                                  const char *role, int disabled, const char *hash,
                                  const char *now, const char *actor, int *changed,
                                  vk_errinfo *ei)
{
    return user_update(c, 1, actor_id, name, role, disabled, hash, now, actor, changed, ei);
}

static vk_err user_update(store_conn *c, int guarded, int64_t actor_id, const char *name,
                          const char *role, int disabled, const char *hash, const char *now,
                          const char *actor, int *changed, vk_errinfo *ei)
{
    *changed = 0;
    vk_err e = store_begin(c, ei);
    if (e)
        return e;
    /* The caller's role as it is now, under the write lock: it may have
     * been taken away since the request was authenticated. */
    int64_t n = 0;
    if (guarded && actor_id) {
        if ((e = count_of(c, SQL_STAFF_ADMIN_BY_ID, actor_id, &n, ei)))
            return finish(c, e, ei);
        if (n == 0)
            return finish(c, vk_fail(ei, VK_EFORBIDDEN, "",
                                     "you are no longer an enabled admin; nothing was changed"),
                          ei);
    }
    /* The state before, for the events: read in the write transaction. */
    char old_role[16] = "";
    int old_disabled = 0, rc;
    sqlite3_stmt *st = store_stmt(c, SQL_STAFF_STATE, ei);
    if (!st)
        return finish(c, VK_EDB, ei);
    store_bind_text(st, 1, name);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *changed = 1;
        copy_col(old_role, sizeof old_role, st, 0);
        old_disabled = sqlite3_column_int(st, 1);
    } else if (rc != SQLITE_DONE) {
        e = store_db_fail(c, ei, "reading a user");
    }
    sqlite3_reset(st);
    if (e || !*changed)
        return finish(c, e, ei);
    if ((st = store_stmt(c, SQL_STAFF_UPDATE, ei)) == NULL)
        return finish(c, VK_EDB, ei);
    store_bind_text(st, 1, name);
    if (role)
        store_bind_text(st, 2, role);
    if (disabled >= 0)
        sqlite3_bind_int(st, 3, disabled);
    if (hash)
        store_bind_text(st, 4, hash);
    rc = sqlite3_step(st);
    if (rc == SQLITE_CONSTRAINT_CHECK)
        e = vk_fail(ei, VK_EVALUE, "role", "'%s' is not a role", role ? role : "");
    else if (rc != SQLITE_DONE)
        e = store_db_fail(c, ei, "changing a user");
    sqlite3_reset(st);
    if (!e && (disabled == 1 || hash)) {
        if ((st = store_stmt(c, SQL_STAFF_SESSIONS_DROP, ei)) == NULL) {
            e = VK_EDB;
        } else {
            store_bind_text(st, 1, name);
            e = store_step_done(c, st, ei, "ending a user's sessions");
        }
    }
    char before[64], after[64];
    if (!e && role && strcmp(role, old_role) != 0) {
        snprintf(before, sizeof before, "{\"role\":\"%s\"}", old_role);
        snprintf(after, sizeof after, "{\"role\":\"%s\"}", role);
        e = account_event(c, now, actor, "role", name, before, after, ei);
    }
    if (!e && disabled >= 0 && disabled != old_disabled)
        e = account_event(c, now, actor, disabled ? "disable" : "enable", name,
                          disabled ? "{\"disabled\":false}" : "{\"disabled\":true}",
                          disabled ? "{\"disabled\":true}" : "{\"disabled\":false}", ei);
    if (!e && hash) /* only that it changed: never the hash */
        e = account_event(c, now, actor, "password", name, "{}", "{\"password\":\"changed\"}", ei);
    /* Nobody left to administer the service is not a state to reach by
     * accident (the CLI can still repair it, so it is not guarded). */
    if (!e && guarded && (disabled == 1 || role) && !(e = count_of(c, SQL_STAFF_ADMINS, 0, &n, ei)) &&
        n == 0)
        e = vk_fail(ei, VK_ELAST_ADMIN, role ? "role" : "disabled",
                    "this would leave no enabled admin; nothing was changed");
    if (e)
        *changed = 0;
    return finish(c, e, ei);
}

vk_err store_staff_user_disable(store_conn *c, const char *name, const char *now,
                                const char *actor, int *changed, vk_errinfo *ei)
{
    return store_staff_user_update(c, name, NULL, 1, NULL, now, actor, changed, ei);
}

vk_err store_staff_user_passwd(store_conn *c, const char *name, const char *hash, const char *now,
                               const char *actor, int *changed, vk_errinfo *ei)
{
    return store_staff_user_update(c, name, NULL, -1, hash, now, actor, changed, ei);
}

int store_token_usable(const store_token *t, int64_t now)
{
    return t->revoked_at == 0 && (t->expires_at == 0 || now < t->expires_at);
}

vk_err store_token_add(store_conn *c, const char *name, const char *role, const char *token_hash,
                       int64_t expires_at, const char *now, const char *actor, int64_t *id,
                       vk_errinfo *ei)
{
    vk_err e = store_begin(c, ei);
    if (e)
        return e;
    sqlite3_stmt *st = store_stmt(c, SQL_TOKEN_ADD, ei);
    if (!st)
        return finish(c, VK_EDB, ei);
    store_bind_text(st, 1, name);
    store_bind_text(st, 2, role);
    store_bind_text(st, 3, token_hash);
    store_bind_text(st, 4, now);
    if (expires_at > 0)
        sqlite3_bind_int64(st, 5, expires_at);
    int rc = sqlite3_step(st);
    e = rc == SQLITE_DONE ? VK_OK
        : rc == SQLITE_CONSTRAINT_CHECK ? vk_fail(ei, VK_EVALUE, "role", "'%s' is not a role", role)
                                        : store_db_fail(c, ei, "adding a token");
    sqlite3_reset(st);
    int64_t new_id = sqlite3_last_insert_rowid(c->db);
    if (!e) {
        char after[128], until[40] = "null";
        if (expires_at > 0) {
            char stamp[VK_RFC3339_LEN];
            vk_rfc3339_of(expires_at, stamp);
            snprintf(until, sizeof until, "\"%s\"", stamp);
        }
        snprintf(after, sizeof after, "{\"role\":\"%s\",\"id\":%lld,\"expires\":%s}", role,
                 (long long)new_id, until);
        e = account_event(c, now, actor, "token_create", name, "{}", after, ei);
    }
    if (!e && id)
        *id = new_id;
    return finish(c, e, ei);
}

static void token_row(sqlite3_stmt *st, store_token *t)
{
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    copy_col(t->name, sizeof t->name, st, 1);
    copy_col(t->role, sizeof t->role, st, 2);
    copy_col(t->created_at, sizeof t->created_at, st, 3);
    t->expires_at = sqlite3_column_int64(st, 4); /* NULL reads as 0 */
    t->revoked_at = sqlite3_column_int64(st, 5);
    t->last_used_at = sqlite3_column_int64(st, 6);
}

vk_err store_token_find(store_conn *c, const char *token_hash, int *found, store_token *out,
                        vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    sqlite3_stmt *st = store_stmt(c, SQL_TOKEN_FIND, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, token_hash);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *found = 1;
        token_row(st, out);
    }
    vk_err e = rc == SQLITE_ROW || rc == SQLITE_DONE ? VK_OK : store_db_fail(c, ei, "reading a token");
    sqlite3_reset(st);
    return e;
}

vk_err store_token_each(store_conn *c, int (*fn)(void *arg, const store_token *t), void *arg,
                        vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_TOKEN_LIST, ei);
    if (!st)
        return VK_EDB;
    int rc;
    store_token t;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        token_row(st, &t);
        if (fn(arg, &t)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    vk_err e = rc == SQLITE_DONE ? VK_OK : store_db_fail(c, ei, "listing tokens");
    sqlite3_reset(st);
    return e;
}

static int token_by_id(void *arg, const store_token *t)
{
    store_token *want = arg;
    if (t->id != want->id)
        return 0;
    *want = *t;
    return 1;
}

vk_err store_token_revoke(store_conn *c, int64_t id, int64_t now_s, const char *now,
                          const char *actor, int *changed, vk_errinfo *ei)
{
    *changed = 0;
    vk_err e = store_begin(c, ei);
    if (e)
        return e;
    store_token t;
    memset(&t, 0, sizeof t);
    t.id = id;
    if ((e = store_token_each(c, token_by_id, &t, ei)) || !t.name[0] || t.revoked_at)
        return finish(c, e, ei);
    sqlite3_stmt *st = store_stmt(c, SQL_TOKEN_REVOKE, ei);
    if (!st)
        return finish(c, VK_EDB, ei);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_s);
    if (!(e = store_step_done(c, st, ei, "revoking a token")) && sqlite3_changes(c->db) == 1) {
        char before[64], after[64];
        snprintf(before, sizeof before, "{\"id\":%lld,\"revoked\":false}", (long long)id);
        snprintf(after, sizeof after, "{\"id\":%lld,\"revoked\":true}", (long long)id);
        e = account_event(c, now, actor, "token_revoke", t.name, before, after, ei);
        *changed = !e;
    }
    if (e)
        *changed = 0;
    return finish(c, e, ei);
}

vk_err store_token_touch(store_conn *c, int64_t id, int64_t now_s, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_TOKEN_TOUCH, ei);
    if (!st)
        return VK_EDB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_s);
    return store_step_done(c, st, ei, "noting a token's use");
}

vk_err store_session_add(store_conn *c, const char *id_hash, int64_t user_id, const char *csrf,
                         int64_t now, int64_t expires, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_SESSION_ADD, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, id_hash);
    sqlite3_bind_int64(st, 2, user_id);
    store_bind_text(st, 3, csrf);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, expires);
    return store_step_done(c, st, ei, "starting a session");
}

vk_err store_session_find(store_conn *c, const char *id_hash, int64_t now, int *found,
                          store_staff_user *out, char csrf[65], int64_t *expires, vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    csrf[0] = '\0';
    *expires = 0;
    sqlite3_stmt *st = store_stmt(c, SQL_SESSION_FIND, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, id_hash);
    sqlite3_bind_int64(st, 2, now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *found = 1;
        out->id = sqlite3_column_int64(st, 0);
        copy_col(out->name, sizeof out->name, st, 1);
        copy_col(out->role, sizeof out->role, st, 2);
        copy_col(csrf, 65, st, 3);
        *expires = sqlite3_column_int64(st, 4);
    }
    vk_err e = rc == SQLITE_ROW || rc == SQLITE_DONE ? VK_OK : store_db_fail(c, ei, "reading a session");
    sqlite3_reset(st);
    return e;
}

vk_err store_session_delete(store_conn *c, const char *id_hash, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_SESSION_DELETE, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, id_hash);
    return store_step_done(c, st, ei, "ending a session");
}

vk_err store_session_purge(store_conn *c, int64_t now, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_SESSION_PURGE, ei);
    if (!st)
        return VK_EDB;
    sqlite3_bind_int64(st, 1, now);
    return store_step_done(c, st, ei, "forgetting expired sessions");
}

vk_err store_login_failures(store_conn *c, const char *key, int *failures, int64_t *last_at,
                            vk_errinfo *ei)
{
    *failures = 0;
    *last_at = 0;
    sqlite3_stmt *st = store_stmt(c, SQL_LOGIN_FAILURE_GET, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *failures = sqlite3_column_int(st, 0);
        *last_at = sqlite3_column_int64(st, 1);
    }
    vk_err e = rc == SQLITE_ROW || rc == SQLITE_DONE ? VK_OK
                                                     : store_db_fail(c, ei, "reading failed sign-ins");
    sqlite3_reset(st);
    return e;
}

vk_err store_login_failure_add(store_conn *c, const char *key, int64_t now, int64_t window,
                               vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_LOGIN_FAILURE_ADD, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, window);
    return store_step_done(c, st, ei, "counting a failed sign-in");
}

vk_err store_login_failure_clear(store_conn *c, const char *key, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_LOGIN_FAILURE_CLEAR, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, key);
    return store_step_done(c, st, ei, "clearing failed sign-ins");
}

vk_err store_session_start(store_conn *c, const char *clear_key, const char *id_hash,
                           int64_t user_id, const char *csrf, int64_t now, int64_t expires,
                           const store_account_event *ev, vk_errinfo *ei)
{
    vk_err e = store_begin(c, ei);
    if (!e && !(e = store_login_failure_clear(c, clear_key, ei)) &&
        !(e = store_session_purge(c, now, ei)) &&
        !(e = store_session_add(c, id_hash, user_id, csrf, now, expires, ei)))
        e = store_account_event_add(c, ev, ei);
    return finish(c, e, ei);
}

vk_err store_session_end(store_conn *c, const char *id_hash, const store_account_event *ev,
                         vk_errinfo *ei)
{
    vk_err e = store_begin(c, ei);
    if (!e && !(e = store_session_delete(c, id_hash, ei)))
        e = store_account_event_add(c, ev, ei);
    return finish(c, e, ei);
}

vk_err store_login_failed(store_conn *c, const char *const *keys, int nkeys, int64_t now,
                          int64_t window, const store_account_event *ev, vk_errinfo *ei)
{
    vk_err e = store_begin(c, ei);
    /* Counts older than the window mean nothing any more: without this,
     * failures spread over many names and addresses would pile up. */
    sqlite3_stmt *st = e ? NULL : store_stmt(c, SQL_LOGIN_FAILURE_PURGE, ei);
    if (!e && !st)
        e = VK_EDB;
    if (!e) {
        sqlite3_bind_int64(st, 1, now - window);
        e = store_step_done(c, st, ei, "forgetting old failed sign-ins");
    }
    for (int i = 0; !e && i < nkeys; i++)
        e = store_login_failure_add(c, keys[i], now, window, ei);
    if (!e)
        e = store_account_event_add(c, ev, ei);
    return finish(c, e, ei);
}
