/*
 * auth.h — staff accounts: passwords, API tokens, sessions, and the check
 * the server runs before every non-public route.
 *
 * Passwords are hashed with Argon2id (libsodium crypto_pwhash_str, the
 * INTERACTIVE limits: 64 MiB and 2 passes per hash). At most one hash or
 * verification runs at a time in the process (a mutex), so sign-ins can
 * add at most 64 MiB to the server's memory however many arrive at once;
 * the price is that simultaneous sign-ins queue (about 0.1 s each) — on
 * the sign-in queue's thread in the server (signin.h), not on the request
 * threads.
 *
 * Session ids, CSRF tokens and API tokens are 32 random bytes from
 * randombytes_buf, written as 64 hex digits. Only the SHA-256 of a
 * session id or token is stored. sodium_init() must have succeeded before
 * anything here is called (main() does it at start-up).
 */
#ifndef VK_AUTH_H
#define VK_AUTH_H

#include <sodium.h>

#include "db/ctx.h"
#include "http/request.h"
#include "auth/roles.h"
#include "http/route.h"
#include "auth/staff.h"

#define API_AUTH_PASSWORD_MIN 10   /* characters (bytes) */
#define API_AUTH_PASSWORD_MAX 1024
#define API_AUTH_HASH_SIZE crypto_pwhash_STRBYTES
#define API_AUTH_TOKEN_HEX 64      /* 32 random bytes */
#define API_AUTH_COOKIE "vaikuta_session"

/* 1 when name can be a staff account's: 1 to STORE_STAFF_NAME_MAX bytes,
 * no spaces or control characters (the CLI and the API share it). */
int api_auth_name_ok(const char *name);

/* ---- secrets ---- */

/* VK_EVALUE (field "password") unless the length is acceptable. */
vk_err api_auth_password_check(const char *password, vk_errinfo *ei);
/* Argon2id string of password into out (API_AUTH_HASH_SIZE bytes). */
vk_err api_auth_hash_password(const char *password, char out[API_AUTH_HASH_SIZE], vk_errinfo *ei);
/* 1 when password matches hash, 0 otherwise (also for a malformed hash). */
int api_auth_verify_password(const char *hash, const char *password);
/* Spend the time of one verification without a user (unknown names take
 * as long as known ones). */
void api_auth_verify_dummy(const char *password);
/* 32 random bytes as 64 lowercase hex digits and a NUL. */
void api_auth_random_token(char out[API_AUTH_TOKEN_HEX + 1]);
/* SHA-256 of a token's text, as 64 hex digits and a NUL. */
void api_auth_token_hash(const char *token, char out[65]);
/* 1 when s is exactly 64 lowercase hex digits. */
int api_auth_token_wellformed(const char *s, size_t n);

/* ---- the server's check ---- */

/* The API token whose SHA-256 is hash (usable or not: see
 * store_token_usable); a usable one's last use is noted (at most hourly,
 * best effort). *found 0 if none. */
vk_err api_auth_token_check(vk_ctx *ctx, const char *hash, int64_t now, int *found,
                            store_token *t);

/* Find the caller of a non-public route (Authorization: Bearer TOKEN, else
 * the session cookie) into *who and check it against access: VK_EUNAUTHORIZED
 * (with WWW-Authenticate on resp) without valid credentials, VK_EFORBIDDEN
 * for a role that may not, VK_ECSRF for a cookie-signed write without the
 * session's X-CSRF-Token. Detail in ctx->err. */
vk_err api_auth_require(vk_ctx *ctx, const vk_req *req, vk_access access, vk_resp *resp,
                        vk_staff *who);

/* ---- handlers ---- */

/* Sign-in and accounts. Login is public, but counts failures.
 * POST /api/v1/staff/users {name, role, password} → 201 the user.
 * PATCH /api/v1/staff/users/{name} {role?, disabled?, password?} → 200 the
 * user; an admin's own account cannot be disabled or demoted (409). */
#define AUTH_ROUTES(R)                                                                   \
    R(VK_POST, "/api/v1/auth/login", api_auth_login, PUBLIC, 0, 0)                       \
    R(VK_POST, "/api/v1/auth/logout", api_auth_logout, STAFF, 0, 0)                      \
    R(VK_ANY_GET, "/api/v1/auth/me", api_auth_me, STAFF, 0, 0)                           \
    R(VK_ANY_GET, "/api/v1/staff/users", api_staff_users, ADMIN, 0, 0)                   \
    R(VK_POST, "/api/v1/staff/users", api_staff_user_create, ADMIN, 0, 0)                \
    R(VK_PATCH, "/api/v1/staff/users/{name}", api_staff_user_patch, ADMIN, 0, 0)
/* API tokens: admins list and revoke; creating stays on the command line,
 * so that a value is never shown in a browser.
 * GET /api/v1/staff/tokens → 200 {"tokens":[…]}: every API token as
 * `vaikuta token list` shows it, never its value or hash.
 * DELETE /api/v1/staff/tokens/{tokenId} → 200 the token, revoked (event
 * token_revoke, the caller as actor); revoking again changes nothing;
 * an unknown id is 404. */
#define TOKEN_ROUTES(R)                                                                  \
    R(VK_ANY_GET, "/api/v1/staff/tokens", api_staff_tokens, ADMIN, 0, 0)                 \
    R(VK_DELETE, "/api/v1/staff/tokens/{tokenId}", api_staff_token_revoke, ADMIN, 0, 0)
AUTH_ROUTES(VK_ROUTE_HANDLER)
TOKEN_ROUTES(VK_ROUTE_HANDLER)

/* ---- Idempotency-Keys of public writes (docs/api.md) ---- */

/* VK_OK when req has no Idempotency-Key or one of 1–255 visible ASCII
 * characters, else VK_EHEADER naming the header. */
vk_err api_idem_key_check(const vk_req *req, vk_errinfo *ei);
/* Whose Idempotency-Keys a request uses, into out (48 bytes): "t:ID" for
 * API token ID (token_id, else a valid "Authorization: Bearer" token),
 * else "a:" and a BLAKE2b hash of the client's address keyed with the
 * database's secret (the address itself is never stored). */
vk_err api_idem_scope(vk_ctx *ctx, const vk_req *req, int64_t token_id, char out[48]);
/* Give a writer job the request's Idempotency-Key (if any): the key is
 * checked, the job's request hash covers method, path and raw body, and
 * the scope is the client's (api_idem_scope). */
struct vk_write_job;
vk_err api_idem_prepare(vk_ctx *ctx, const vk_req *req, int64_t token_id,
                        struct vk_write_job *job);

#endif
