/*
 * staff.h — staff accounts, API tokens, sign-in sessions and failed
 * sign-ins in the database (schema/0003_staff.sql).
 *
 * This module only stores and finds: hashing, random ids and the access
 * rules are in src/api/auth.c. Rows come back as copies in fixed-size
 * caller-owned structs, and every statement is reset before returning.
 * Times are Unix seconds.
 *
 * Every change to an account, every token created and every sign-in,
 * failed sign-in and sign-out writes its account event (auth/audit.h) in
 * the same transaction: `actor` is who did it (a staff or token name, or
 * "cli:LOGIN"), `now` the RFC 3339 time of the event. No event holds a
 * password or a hash.
 */
#ifndef VK_STORE_STAFF_H
#define VK_STORE_STAFF_H

#include <stdint.h>

#include "auth/audit.h"
#include "db/store.h"

#define STORE_STAFF_NAME_MAX 64  /* bytes of a user or token name */
#define STORE_STAFF_HASH_MAX 160 /* an Argon2id string (crypto_pwhash_STRBYTES = 128) */

typedef struct store_staff_user {
    int64_t id;
    char name[STORE_STAFF_NAME_MAX + 1];
    char role[16];
    char password_hash[STORE_STAFF_HASH_MAX]; /* empty from store_staff_user_each */
    int disabled;
    char created_at[32];
} store_staff_user;

/* ---- users ---- */

/* A new user (event user_add); VK_EVALUE (field "name") when the name is
 * taken. */
vk_err store_staff_user_add(store_conn *c, const char *name, const char *role, const char *hash,
                            const char *now, const char *actor, vk_errinfo *ei);
/* The user with this name (with its password hash); *found 0 if none. */
vk_err store_staff_user_get(store_conn *c, const char *name, int *found, store_staff_user *out,
                            vk_errinfo *ei);
/* Calls fn for each user by name, without hashes; stops when fn returns ≠ 0. */
vk_err store_staff_user_each(store_conn *c, int (*fn)(void *arg, const store_staff_user *u),
                             void *arg, vk_errinfo *ei);
/* Change a user in one transaction: role (NULL keeps it), disabled (-1
 * keeps it, 0 enables, 1 disables) and password hash (NULL keeps it).
 * Disabling or a new password ends the user's sessions; a new role takes
 * effect on the next request (sessions read the role from the user).
 * *changed 0 when no such user; VK_EVALUE (field "role") for a bad role.
 * One event per thing that really changed (role, disable or enable,
 * password); setting a value the user already has is not an event. */
vk_err store_staff_user_update(store_conn *c, const char *name, const char *role, int disabled,
                               const char *hash, const char *now, const char *actor, int *changed,
                               vk_errinfo *ei);
/* store_staff_user_update for an admin acting over HTTP, with the checks
 * that only hold inside the write transaction (two admins demoting each
 * other at once must not both win): actor_id (a staff_user id; 0 for an
 * API token, whose role cannot change) must still be an enabled admin
 * (VK_EFORBIDDEN), and the change must leave at least one enabled admin
 * (VK_ELAST_ADMIN). Nothing is changed when either fails. */
vk_err store_staff_user_update_by(store_conn *c, int64_t actor_id, const char *name,
                                  const char *role, int disabled, const char *hash,
                                  const char *now, const char *actor, int *changed,
                                  vk_errinfo *ei);
/* Disable the user and end its sessions; *changed 0 when no such user. */
vk_err store_staff_user_disable(store_conn *c, const char *name, const char *now,
                                const char *actor, int *changed, vk_errinfo *ei);
/* A new password hash; the user's sessions end. *changed 0 when no such user. */
vk_err store_staff_user_passwd(store_conn *c, const char *name, const char *hash, const char *now,
                               const char *actor, int *changed, vk_errinfo *ei);

/* ---- API tokens ---- */

/* A token as listed: never its value nor its hash. Times in Unix seconds,
 * 0 for none (expires_at 0: never). */
typedef struct store_token {
    int64_t id;
    char name[STORE_STAFF_NAME_MAX + 1];
    char role[16];
    char created_at[32]; /* RFC 3339 */
    int64_t expires_at;
    int64_t revoked_at;
    int64_t last_used_at;
} store_token;

/* 1 when t may authenticate at time now: not revoked, not expired. */
int store_token_usable(const store_token *t, int64_t now);

/* A new token (event token_create, target the token's name; after holds
 * role, id and expires, RFC 3339 or null); expires_at 0 never expires. *id its id (may be NULL). */
vk_err store_token_add(store_conn *c, const char *name, const char *role, const char *token_hash,
                       int64_t expires_at, const char *now, const char *actor, int64_t *id,
                       vk_errinfo *ei);
/* The token whose hash this is, usable or not (check store_token_usable);
 * *found 0 if none. */
vk_err store_token_find(store_conn *c, const char *token_hash, int *found, store_token *out,
                        vk_errinfo *ei);
/* Calls fn for each token by id; stops when fn returns ≠ 0. */
vk_err store_token_each(store_conn *c, int (*fn)(void *arg, const store_token *t), void *arg,
                        vk_errinfo *ei);
/* Revoke token id at now_s (event token_revoke, target its name) in one
 * transaction. *changed 0 when there is no such token or it was revoked
 * already (no event then). */
vk_err store_token_revoke(store_conn *c, int64_t id, int64_t now_s, const char *now,
                          const char *actor, int *changed, vk_errinfo *ei);
/* Note that token id was used at now_s (no event: the log would fill). */
vk_err store_token_touch(store_conn *c, int64_t id, int64_t now_s, vk_errinfo *ei);

/* ---- sessions ---- */

vk_err store_session_add(store_conn *c, const char *id_hash, int64_t user_id, const char *csrf,
                         int64_t now, int64_t expires, vk_errinfo *ei);
/* A live session of an enabled user: the user in out, csrf (65 bytes) and
 * expiry; *found 0 if none, expired or the user is disabled. */
vk_err store_session_find(store_conn *c, const char *id_hash, int64_t now, int *found,
                          store_staff_user *out, char csrf[65], int64_t *expires, vk_errinfo *ei);
vk_err store_session_delete(store_conn *c, const char *id_hash, vk_errinfo *ei);
/* Forget sessions that expired at or before now. */
vk_err store_session_purge(store_conn *c, int64_t now, vk_errinfo *ei);
/* A successful sign-in in one transaction: clear the failures under
 * clear_key, forget expired sessions, add the session, and record ev
 * (kind sign_in). */
vk_err store_session_start(store_conn *c, const char *clear_key, const char *id_hash,
                           int64_t user_id, const char *csrf, int64_t now, int64_t expires,
                           const store_account_event *ev, vk_errinfo *ei);
/* A sign-out: the session ends and ev (kind sign_out) is recorded. */
vk_err store_session_end(store_conn *c, const char *id_hash, const store_account_event *ev,
                         vk_errinfo *ei);

/* ---- failed sign-ins ---- */

/* Failures recorded for key and the time of the last; 0 and 0 if none. */
vk_err store_login_failures(store_conn *c, const char *key, int *failures, int64_t *last_at,
                            vk_errinfo *ei);
/* Count one more failure; the count restarts at 1 when the last one is
 * older than window seconds. */
vk_err store_login_failure_add(store_conn *c, const char *key, int64_t now, int64_t window,
                               vk_errinfo *ei);
vk_err store_login_failure_clear(store_conn *c, const char *key, vk_errinfo *ei);
/* A failed sign-in in one transaction: counts last changed window seconds
 * or more before now are deleted, one more failure under each of the
 * nkeys keys, and ev (kind sign_in_failed) recorded. */
vk_err store_login_failed(store_conn *c, const char *const *keys, int nkeys, int64_t now,
                          int64_t window, const store_account_event *ev, vk_errinfo *ei);

#endif
