/*
 * staff.c — the SQL of staff accounts, tokens, sessions and failed
 * sign-ins. Statements are the named ones of auth/sql.h (the slice
 * auth_sql); each is reset before a function returns, so no reader keeps
 * an old snapshot of the database open.
 */
#include "auth/staff.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "auth/sql.h"

DB_SLICE_DEFINE(auth_sql, AUTH_SQL)

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
    e = db_run(c, &auth_sql, SQL_STAFF_ADD,
               DB_ARGS(DB_TEXT(name), DB_TEXT(role), DB_TEXT(hash), DB_TEXT(now)),
               "adding a user", ei);
    if (e && db_last_constraint(c) == DB_CONSTRAINT_UNIQUE)
        e = vk_fail(ei, VK_EVALUE, "name", "there is already a user named '%s'", name);
    else if (e && db_last_constraint(c) == DB_CONSTRAINT_CHECK)
        e = vk_fail(ei, VK_EVALUE, "role", "'%s' is not a role", role);
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
    return db_scan(c, &auth_sql, SQL_STAFF_GET, DB_ARGS(DB_TEXT(name)),
                   DB_OUTS(DB_I64_TO(&out->id), DB_COPY_TO(out->name, sizeof out->name),
                           DB_COPY_TO(out->role, sizeof out->role),
                           DB_COPY_TO(out->password_hash, sizeof out->password_hash),
                           DB_INT_TO(&out->disabled),
                           DB_COPY_TO(out->created_at, sizeof out->created_at)),
                   found, "reading a user", ei);
}

static int user_row(void *arg, db_row *row)
{
    db_walk *w = arg;
    store_staff_user u = {.id = db_col_int64(row, 0), .disabled = db_col_int(row, 3)};
    db_col_copy(row, 1, u.name, sizeof u.name);
    db_col_copy(row, 2, u.role, sizeof u.role);
    db_col_copy(row, 4, u.created_at, sizeof u.created_at);
    return ((int (*)(void *, const store_staff_user *))w->fn)(w->arg, &u);
}

vk_err store_staff_user_each(store_conn *c, int (*fn)(void *arg, const store_staff_user *u),
                             void *arg, vk_errinfo *ei)
{
    db_walk w = DB_WALK(fn, arg);
    return db_each(c, &auth_sql, SQL_STAFF_LIST, DB_NO_ARGS, user_row, &w, "listing users", ei);
}

/* One count(*) with an optional id. */
static vk_err count_of(store_conn *c, auth_sql_id sql, int64_t id, int64_t *n, vk_errinfo *ei)
{
    return db_int64(c, &auth_sql, sql, DB_ARGS(DB_ID(id)), n, "counting admins", ei);
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
    int old_disabled = 0;
    e = db_scan(c, &auth_sql, SQL_STAFF_STATE, DB_ARGS(DB_TEXT(name)),
                DB_OUTS(DB_COPY_TO(old_role, sizeof old_role), DB_INT_TO(&old_disabled)), changed,
                "reading a user", ei);
    if (e || !*changed)
        return finish(c, e, ei);
    e = db_run(c, &auth_sql, SQL_STAFF_UPDATE,
               DB_ARGS(DB_TEXT(name), DB_TEXT(role), disabled >= 0 ? DB_INT(disabled) : DB_NULL,
                       DB_TEXT(hash)),
               "changing a user", ei);
    if (e && db_last_constraint(c) == DB_CONSTRAINT_CHECK)
        e = vk_fail(ei, VK_EVALUE, "role", "'%s' is not a role", role ? role : "");
    if (!e && (disabled == 1 || hash))
        e = db_run(c, &auth_sql, SQL_STAFF_SESSIONS_DROP, DB_ARGS(DB_TEXT(name)),
                   "ending a user's sessions", ei);
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
    e = db_run(c, &auth_sql, SQL_TOKEN_ADD,
               DB_ARGS(DB_TEXT(name), DB_TEXT(role), DB_TEXT(token_hash), DB_TEXT(now),
                       expires_at > 0 ? DB_INT(expires_at) : DB_NULL),
               "adding a token", ei);
    if (e && db_last_constraint(c) == DB_CONSTRAINT_CHECK)
        e = vk_fail(ei, VK_EVALUE, "role", "'%s' is not a role", role);
    int64_t new_id = db_last_id(c);
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

/* A TOKEN_COLS row into the record at arg: the lookup and the listing read
 * the same columns. */
static vk_err token_read(void *arg, db_row *row)
{
    store_token *t = arg;
    *t = (store_token){.id = db_col_int64(row, 0),
                       .expires_at = db_col_int64(row, 4), /* NULL reads as 0 */
                       .revoked_at = db_col_int64(row, 5),
                       .last_used_at = db_col_int64(row, 6)};
    db_col_copy(row, 1, t->name, sizeof t->name);
    db_col_copy(row, 2, t->role, sizeof t->role);
    db_col_copy(row, 3, t->created_at, sizeof t->created_at);
    return VK_OK;
}

vk_err store_token_find(store_conn *c, const char *token_hash, int *found, store_token *out,
                        vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    return db_first(c, &auth_sql, SQL_TOKEN_FIND, DB_ARGS(DB_TEXT(token_hash)), token_read, out,
                    found, "reading a token", ei);
}

static int token_row(void *arg, db_row *row)
{
    db_walk *w = arg;
    store_token t;
    token_read(&t, row);
    return ((int (*)(void *, const store_token *))w->fn)(w->arg, &t);
}

vk_err store_token_each(store_conn *c, int (*fn)(void *arg, const store_token *t), void *arg,
                        vk_errinfo *ei)
{
    db_walk w = DB_WALK(fn, arg);
    return db_each(c, &auth_sql, SQL_TOKEN_LIST, DB_NO_ARGS, token_row, &w, "listing tokens", ei);
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
    if (!(e = db_run(c, &auth_sql, SQL_TOKEN_REVOKE, DB_ARGS(DB_INT(id), DB_INT(now_s)),
                     "revoking a token", ei)) &&
        db_changes(c) == 1) {
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
    return db_run(c, &auth_sql, SQL_TOKEN_TOUCH, DB_ARGS(DB_INT(id), DB_INT(now_s)),
                  "noting a token's use", ei);
}

vk_err store_session_add(store_conn *c, const char *id_hash, int64_t user_id, const char *csrf,
                         int64_t now, int64_t expires, vk_errinfo *ei)
{
    return db_run(c, &auth_sql, SQL_SESSION_ADD,
                  DB_ARGS(DB_TEXT(id_hash), DB_INT(user_id), DB_TEXT(csrf), DB_INT(now),
                          DB_INT(expires)),
                  "starting a session", ei);
}

vk_err store_session_find(store_conn *c, const char *id_hash, int64_t now, int *found,
                          store_staff_user *out, char csrf[65], int64_t *expires, vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    csrf[0] = '\0';
    *expires = 0;
    return db_scan(c, &auth_sql, SQL_SESSION_FIND, DB_ARGS(DB_TEXT(id_hash), DB_INT(now)),
                   DB_OUTS(DB_I64_TO(&out->id), DB_COPY_TO(out->name, sizeof out->name),
                           DB_COPY_TO(out->role, sizeof out->role), DB_COPY_TO(csrf, 65),
                           DB_I64_TO(expires)),
                   found, "reading a session", ei);
}

vk_err store_session_delete(store_conn *c, const char *id_hash, vk_errinfo *ei)
{
    return db_run(c, &auth_sql, SQL_SESSION_DELETE, DB_ARGS(DB_TEXT(id_hash)), "ending a session",
                  ei);
}

vk_err store_session_purge(store_conn *c, int64_t now, vk_errinfo *ei)
{
    return db_run(c, &auth_sql, SQL_SESSION_PURGE, DB_ARGS(DB_INT(now)),
                  "forgetting expired sessions", ei);
}

vk_err store_login_failures(store_conn *c, const char *key, int *failures, int64_t *last_at,
                            vk_errinfo *ei)
{
    *failures = 0;
    *last_at = 0;
    return db_scan(c, &auth_sql, SQL_LOGIN_FAILURE_GET, DB_ARGS(DB_TEXT(key)),
                   DB_OUTS(DB_INT_TO(failures), DB_I64_TO(last_at)), NULL,
                   "reading failed sign-ins", ei);
}

vk_err store_login_failure_add(store_conn *c, const char *key, int64_t now, int64_t window,
                               vk_errinfo *ei)
{
    return db_run(c, &auth_sql, SQL_LOGIN_FAILURE_ADD,
                  DB_ARGS(DB_TEXT(key), DB_INT(now), DB_INT(window)),
                  "counting a failed sign-in", ei);
}

vk_err store_login_failure_clear(store_conn *c, const char *key, vk_errinfo *ei)
{
    return db_run(c, &auth_sql, SQL_LOGIN_FAILURE_CLEAR, DB_ARGS(DB_TEXT(key)),
                  "clearing failed sign-ins", ei);
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
    if (!e)
        e = db_run(c, &auth_sql, SQL_LOGIN_FAILURE_PURGE, DB_ARGS(DB_INT(now - window)),
                   "forgetting old failed sign-ins", ei);
    for (int i = 0; !e && i < nkeys; i++)
        e = store_login_failure_add(c, keys[i], now, window, ei);
    if (!e)
        e = store_account_event_add(c, ev, ei);
    return finish(c, e, ei);
}
