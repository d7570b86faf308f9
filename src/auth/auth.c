/*
 * auth.c — staff sign-in, sessions, API tokens and the access check.
 *
 * Credentials, in order: "Authorization: Bearer TOKEN" (integrations),
 * else the vaikuta_session cookie (people in a browser). A given but
 * unknown credential is 401 as if none were given; nothing falls back.
 * Cookie-signed writes must repeat the session's CSRF token in
 * X-CSRF-Token (a token can only be sent on purpose, a cookie is sent by
 * the browser on its own).
 *
 * Throttling: failed sign-ins are counted in login_failure under three
 * keys: the name from this address, this address (any names) and the name
 * from everywhere. From the 5th failure for a name from one address (the
 * 20th from one address for any names: an office shares one) within 15
 * minutes, sign-in from there is refused (429, Retry-After) for 30 s after
 * the last failure, doubling with each further failure up to 15 minutes.
 * So wrong passwords from one place do not keep the name's owner out
 * elsewhere. Spread over many addresses, from the 100th failure for a name
 * within 15 minutes the name takes one sign-in every 2 s from anywhere:
 * slow for an attacker, a retry for staff. A refused attempt is not
 * counted, so waiting always helps; a success clears only its own
 * name-and-address count.
 *
 * Cheap refusals come first, on the request thread: a throttled sender,
 * then a name or password no account can have (401, counted). The password
 * check itself, with the lookup and the session or failure rows, runs on
 * the sign-in queue (signin.h), one at a time, so a flood of sign-ins
 * cannot hold the request threads; a full queue is 503 with Retry-After.
 *
 * The audit log (store/audit.h): every sign-in, failed sign-in (actor
 * "anonymous", target the name tried, the reason in after) and sign-out
 * is an account event with the client's address, written in the same
 * transaction as the session or failure rows. A refused (throttled)
 * attempt checks no password and is not recorded, as it is not counted.
 * Account changes record the staff name of whoever made them.
 */
#include "auth/auth.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/clock.h"
#include "core/json.h"
#include "auth/signin.h"
#include "auth/staff.h"
#include "core/sha256.h"
#include "db/writer.h"

#define LOGIN_WINDOW 900      /* seconds a failure is remembered */
#define LOGIN_PAIR_LIMIT 5    /* failures for one name from one address before waiting */
#define LOGIN_ADDR_LIMIT 20   /* failures from one address (any names) before waiting */
#define LOGIN_FIRST_WAIT 30   /* seconds, doubled for each further failure */
#define LOGIN_NAME_CEILING 100 /* failures for one name from everywhere: from here on */
#define LOGIN_CEILING_WAIT 2  /* …one sign-in for the name every 2 s, from anywhere */

/* The one lock around Argon2id: bounds memory to one hash at a time. The
 * only process-wide state here besides the configuration. */
static pthread_mutex_t hash_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy_hash[API_AUTH_HASH_SIZE]; /* under hash_lock */

int api_auth_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > STORE_STAFF_NAME_MAX)
        return 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x21 || *p == 0x7f)
            return 0; /* no spaces or control characters */
    return 1;
}

/* ---- secrets ---- */

vk_err api_auth_password_check(const char *password, vk_errinfo *ei)
{
    size_t n = password ? strlen(password) : 0;
    if (n < API_AUTH_PASSWORD_MIN)
        return vk_fail(ei, VK_EVALUE, "password", "a password needs at least %d characters",
                       API_AUTH_PASSWORD_MIN);
    if (n > API_AUTH_PASSWORD_MAX)
        return vk_fail(ei, VK_ETOO_LONG, "password", "a password can have at most %d characters",
                       API_AUTH_PASSWORD_MAX);
    return VK_OK;
}

vk_err api_auth_hash_password(const char *password, char out[API_AUTH_HASH_SIZE], vk_errinfo *ei)
{
    pthread_mutex_lock(&hash_lock);
    int rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    pthread_mutex_unlock(&hash_lock);
    return rc == 0 ? VK_OK : vk_fail(ei, VK_ENOMEM, "", "no memory to hash the password");
}

int api_auth_verify_password(const char *hash, const char *password)
{
    if (!hash || !*hash || !password)
        return 0;
    pthread_mutex_lock(&hash_lock);
    int ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    pthread_mutex_unlock(&hash_lock);
    return ok;
}

void api_auth_verify_dummy(const char *password)
{
    pthread_mutex_lock(&hash_lock);
    if (!dummy_hash[0]) {
        char pw[API_AUTH_TOKEN_HEX + 1];
        api_auth_random_token(pw);
        if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            dummy_hash[0] = '\0';
    }
    if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
        dummy_hash[0] = '\0'; /* cannot happen: nobody knows the random password */
    pthread_mutex_unlock(&hash_lock);
}

void api_auth_random_token(char out[API_AUTH_TOKEN_HEX + 1])
{
    unsigned char raw[API_AUTH_TOKEN_HEX / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, API_AUTH_TOKEN_HEX + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
}

void api_auth_token_hash(const char *token, char out[65])
{
    vk_sha256_hex_of(token, strlen(token), out);
}

int api_auth_token_wellformed(const char *s, size_t n)
{
    if (!s || n != API_AUTH_TOKEN_HEX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

vk_err api_idem_key_check(vk_ctx *ctx, const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (!key)
        return VK_OK;
    int ok = n >= 1 && n <= 255;
    for (size_t i = 0; ok && i < n; i++)
        ok = key[i] > 0x20 && key[i] < 0x7f;
    return ok ? VK_OK
              : vk_fail(&ctx->err, VK_EHEADER, "Idempotency-Key",
                        "Idempotency-Key must be 1 to 255 visible ASCII characters");
}

vk_err api_idem_scope(vk_ctx *ctx, const vk_req *req, int64_t token_id, char out[48])
{
    if (!token_id && req->authorization && *req->authorization) {
        /* A public write does not need credentials, so bad ones are
         * ignored here: the key is then the address's, as for anyone. */
        vk_resp scratch;
        vk_staff who;
        vk_resp_init(&scratch, 256);
        if (api_auth_require(ctx, req, VK_ACCESS_PUBLIC, &scratch, &who) == VK_OK)
            token_id = who.token_id;
        vk_resp_fini(&scratch);
        vk_errinfo_clear(&ctx->err);
    }
    if (token_id > 0) {
        snprintf(out, 48, "t:%lld", (long long)token_id);
        return VK_OK;
    }
    if (!ctx->idem_secret_loaded) {
        vk_err e = store_secret_get(ctx->store, "idempotency_scope", ctx->idem_secret, &ctx->err);
        if (e)
            return e;
        ctx->idem_secret_loaded = 1;
    }
    const char *addr = req->client_addr ? req->client_addr : "";
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)addr, strlen(addr), ctx->idem_secret,
                       sizeof ctx->idem_secret);
    memcpy(out, "a:", 2);
    sodium_bin2hex(out + 2, 48 - 2, h, sizeof h);
    return VK_OK;
}

vk_err api_idem_prepare(vk_ctx *ctx, const vk_req *req, int64_t token_id, vk_write_job *job)
{
    vk_err e = api_idem_key_check(ctx, req->idempotency_key);
    if (e || !req->idempotency_key)
        return e;
    vk_sha256 h;
    unsigned char digest[32];
    const char *method = req->method_name ? req->method_name : "POST";
    vk_sha256_init(&h);
    vk_sha256_update(&h, method, strlen(method));
    vk_sha256_update(&h, "\n", 1);
    vk_sha256_update(&h, req->path, strlen(req->path));
    vk_sha256_update(&h, "\n", 1);
    vk_sha256_update(&h, req->body, req->body_len);
    vk_sha256_final(&h, digest);
    vk_sha256_hex(digest, job->request_hash);
    job->idem_key = req->idempotency_key;
    return api_idem_scope(ctx, req, token_id, job->idem_scope);
}

void api_auth_browser(const vk_req *req, int secure, char hash[65], char *cookie, size_t n)
{
    const char *v = NULL;
    size_t len = 0;
    char token[API_AUTH_TOKEN_HEX + 1];
    cookie[0] = '\0';
    if (vk_req_cookie(req, API_AUTH_BROWSER_COOKIE, &v, &len) && api_auth_token_wellformed(v, len)) {
        memcpy(token, v, len);
        token[len] = '\0';
    } else {
        api_auth_random_token(token);
        snprintf(cookie, n, "%s=%s; Path=/api/v1/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
                 API_AUTH_BROWSER_COOKIE, token, 365 * 24 * 3600, secure ? "; Secure" : "");
    }
    api_auth_token_hash(token, hash);
    sodium_memzero(token, sizeof token);
}

/* ---- the access check ---- */

/* Last use is noted at most this often per token: a write per request
 * would contend with the writer thread for nothing. */
#define TOKEN_TOUCH_SECONDS 3600

vk_err api_auth_token_check(vk_ctx *ctx, const char *hash, int64_t now, int *found,
                            store_token *t)
{
    vk_err e = store_token_find(ctx->store, hash, found, t, &ctx->err);
    if (e || !*found || !store_token_usable(t, now) || now - t->last_used_at < TOKEN_TOUCH_SECONDS)
        return e;
    /* Best effort: a busy database must not refuse a valid token. */
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (store_token_touch(ctx->store, t->id, now, &ei) == VK_OK)
        t->last_used_at = now;
    return VK_OK;
}

static vk_err unauthorized(vk_ctx *ctx, vk_resp *resp, const char *why)
{
    vk_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"vaikuta staff\"");
    return vk_fail(&ctx->err, VK_EUNAUTHORIZED, "", "%s", why);
}

static int is_write(vk_method m)
{
    return m == VK_POST || m == VK_PUT || m == VK_PATCH || m == VK_DELETE;
}

vk_err api_auth_require(vk_ctx *ctx, const vk_req *req, vk_access access, vk_resp *resp,
                        vk_staff *who)
{
    memset(who, 0, sizeof *who);
    const int64_t now = (int64_t)time(NULL);
    store_staff_user u;
    int found = 0;
    char hash[65];
    vk_err e;
    const char *value = NULL;
    size_t n = 0;
    if (req->authorization && *req->authorization) {
        const char *a = req->authorization;
        if (strncasecmp(a, "Bearer ", 7) != 0)
            return unauthorized(ctx, resp, "the Authorization header must be 'Bearer TOKEN'");
        a += 7;
        while (*a == ' ')
            a++;
        n = strlen(a);
        while (n && a[n - 1] == ' ')
            n--;
        if (!api_auth_token_wellformed(a, n))
            return unauthorized(ctx, resp, "this API token is not valid");
        char token[API_AUTH_TOKEN_HEX + 1];
        memcpy(token, a, n);
        token[n] = '\0';
        api_auth_token_hash(token, hash);
        store_token t;
        if ((e = api_auth_token_check(ctx, hash, now, &found, &t)))
            return e;
        if (!found)
            return unauthorized(ctx, resp, "this API token is not valid");
        if (t.revoked_at)
            return unauthorized(ctx, resp, "this API token has been revoked; ask for a new one");
        if (!store_token_usable(&t, now))
            return unauthorized(ctx, resp, "this API token has expired; ask for a new one");
        memset(&u, 0, sizeof u);
        u.id = t.id;
        snprintf(u.name, sizeof u.name, "%s", t.name);
        snprintf(u.role, sizeof u.role, "%s", t.role);
        who->token_id = u.id;
    } else if (vk_req_cookie(req, API_AUTH_COOKIE, &value, &n)) {
        char id[API_AUTH_TOKEN_HEX + 1];
        if (!api_auth_token_wellformed(value, n))
            return unauthorized(ctx, resp, "your session has ended; sign in again");
        memcpy(id, value, n);
        id[n] = '\0';
        api_auth_token_hash(id, hash);
        int64_t expires = 0;
        if ((e = store_session_find(ctx->store, hash, now, &found, &u, who->csrf, &expires,
                                    &ctx->err)))
            return e;
        if (!found)
            return unauthorized(ctx, resp, "your session has ended; sign in again");
        who->user_id = u.id;
        who->by_cookie = 1;
        who->expires = (long long)expires;
        memcpy(who->session_hash, hash, sizeof who->session_hash);
    } else {
        return unauthorized(ctx, resp, "sign in as staff, or send an API token, to do this");
    }
    who->role = vk_role_parse(u.role);
    snprintf(who->name, sizeof who->name, "%s", u.name);
    if (!vk_access_allows(access, who->role))
        return vk_fail(&ctx->err, VK_EFORBIDDEN, "", "this is for the %s role; you are %s",
                       vk_access_name(access), vk_role_name(who->role));
    if (who->by_cookie && is_write(req->method)) {
        const char *t = req->csrf_token;
        if (!t || strlen(t) != API_AUTH_TOKEN_HEX ||
            sodium_memcmp(t, who->csrf, API_AUTH_TOKEN_HEX) != 0)
            return vk_fail(&ctx->err, VK_ECSRF, "X-CSRF-Token",
                           "send the csrf value from sign-in in the X-CSRF-Token header");
    }
    return VK_OK;
}

/* ---- handlers ---- */

static const char *const no_params[] = {NULL};

/* Seconds to wait before another sign-in under key, 0 when none: from the
 * limit-th failure in the window, first_wait after the last failure,
 * doubling with each further one (doubling 1) up to the window. */
static vk_err throttle_wait(vk_ctx *ctx, const char *key, int limit, int64_t first_wait,
                            int doubling, int64_t now, int64_t *wait)
{
    int failures = 0;
    int64_t last = 0;
    *wait = 0;
    vk_err e = store_login_failures(ctx->store, key, &failures, &last, &ctx->err);
    if (e || failures < limit || now - last >= LOGIN_WINDOW)
        return e;
    int shift = doubling ? failures - limit : 0;
    int64_t delay = first_wait << (shift > 5 ? 5 : shift);
    if (delay > LOGIN_WINDOW)
        delay = LOGIN_WINDOW;
    *wait = last + delay > now ? last + delay - now : 0;
    return VK_OK;
}

/* One sign-in between the request thread and the sign-in queue. */
typedef struct login_state {
    api_signin_job job; /* first: the queue's */
    api_signin *queue;  /* borrowed */
    char name[STORE_STAFF_NAME_MAX + 1];
    char password[API_AUTH_PASSWORD_MAX + 1];
    char addr[64];      /* the client's address, "" if unknown */
    char pair_key[STORE_STAFF_NAME_MAX + 80], addr_key[80], name_key[STORE_STAFF_NAME_MAX + 8];
    /* the answer */
    vk_errinfo err;     /* VK_OK: signed in */
    char retry_after[24];
    char cookie[256];
    vk_buf body;
} login_state;

static void login_free(void *state)
{
    login_state *st = state;
    sodium_memzero(st->password, sizeof st->password);
    vk_buf_fini(&st->body);
    free(st);
}

/* VK_ELOGIN_THROTTLED (Retry-After in st) while this sign-in must wait. */
static vk_err login_throttled(vk_ctx *ctx, login_state *st, int64_t now)
{
    int64_t w[3] = {0, 0, 0};
    vk_err e;
    if ((e = throttle_wait(ctx, st->pair_key, LOGIN_PAIR_LIMIT, LOGIN_FIRST_WAIT, 1, now, &w[0])) ||
        (e = throttle_wait(ctx, st->addr_key, LOGIN_ADDR_LIMIT, LOGIN_FIRST_WAIT, 1, now, &w[1])) ||
        (e = throttle_wait(ctx, st->name_key, LOGIN_NAME_CEILING, LOGIN_CEILING_WAIT, 0, now,
                           &w[2])))
        return e;
    int64_t wait = w[0] > w[1] ? w[0] : w[1];
    if (w[2] > wait)
        wait = w[2];
    if (!wait)
        return VK_OK;
    snprintf(st->retry_after, sizeof st->retry_after, "%lld", (long long)wait);
    return vk_fail(&ctx->err, VK_ELOGIN_THROTTLED, "", "too many failed sign-ins; try again in %lld s",
                   (long long)wait);
}

/* Count a failure under the three keys and record it: 401. */
static vk_err login_failed(vk_ctx *ctx, login_state *st, const char *reason, int64_t now)
{
    char at[32], after[64];
    vk_rfc3339_of(now, at);
    snprintf(after, sizeof after, "{\"reason\":\"%s\"}", reason);
    const char *const keys[] = {st->pair_key, st->addr_key, st->name_key};
    store_account_event ev = {at, "anonymous", "sign_in_failed", st->name, "{}", after,
                              st->addr[0] ? st->addr : NULL};
    vk_err e = store_login_failed(ctx->store, keys, 3, now, LOGIN_WINDOW, &ev, &ctx->err);
    return e ? e : vk_fail(&ctx->err, VK_EUNAUTHORIZED, "", "wrong name or password");
}

/* The password check and what follows, on the sign-in queue's thread (or
 * at once without a queue). The throttle is asked again: sign-ins that
 * queued together must not all get past it. */
static vk_err login_check(vk_ctx *ctx, login_state *st)
{
    const int64_t now = (int64_t)time(NULL);
    vk_err e = login_throttled(ctx, st, now);
    store_staff_user u;
    int found = 0;
    if (e || (e = store_staff_user_get(ctx->store, st->name, &found, &u, &ctx->err)))
        return e;
    int ok = 0;
    if (found)
        ok = api_auth_verify_password(u.password_hash, st->password) && !u.disabled;
    else
        api_auth_verify_dummy(st->password); /* unknown names take as long */
    sodium_memzero(u.password_hash, sizeof u.password_hash);
    sodium_memzero(st->password, sizeof st->password);
    if (!ok)
        return login_failed(ctx, st, !found ? "no_such_user" : u.disabled ? "disabled"
                                                                          : "wrong_password",
                            now);
    char id[API_AUTH_TOKEN_HEX + 1], csrf[API_AUTH_TOKEN_HEX + 1], hash[65], at[32], expires_s[32];
    api_auth_random_token(id);
    api_auth_random_token(csrf);
    api_auth_token_hash(id, hash);
    vk_rfc3339_of(now, at);
    int64_t expires = now + ctx->cfg->session_seconds;
    store_account_event ev = {at, u.name, "sign_in", u.name, "{}", "{}",
                              st->addr[0] ? st->addr : NULL};
    /* A success clears this address's failures for the name only: the
     * name's count from everywhere is an attack still going on. */
    if ((e = store_session_start(ctx->store, st->pair_key, hash, u.id, csrf, now, expires, &ev,
                                 &ctx->err)))
        return e;
    snprintf(st->cookie, sizeof st->cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
             API_AUTH_COOKIE, id, ctx->cfg->session_seconds,
             ctx->cfg->secure_cookies ? "; Secure" : "");
    sodium_memzero(id, sizeof id);
    vk_rfc3339_of(expires, expires_s);
    vk_buf *b = &st->body;
    vk_buf_puts(b, "{\"name\":");
    vk_json_str(b, u.name, strlen(u.name));
    vk_buf_printf(b, ",\"role\":\"%s\",\"csrf\":\"%s\",\"expires\":\"%s\"}", u.role, csrf,
                  expires_s);
    return vk_buf_ok(b) ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}

static void login_run(vk_ctx *ctx, api_signin_job *job)
{
    login_state *st = (login_state *)job;
    if (login_check(ctx, st) && ctx->err.code == VK_OK)
        vk_fail(&ctx->err, VK_EINTERNAL, "", NULL);
    st->err = ctx->err;
}

static void login_start(void *state, void (*resume)(void *token), void *token)
{
    login_state *st = state;
    st->job.run = login_run;
    st->job.done = resume;
    st->job.done_arg = token;
    api_signin_submit(st->queue, &st->job);
}

static void login_finish(void *state, vk_resp *resp)
{
    login_state *st = state;
    vk_resp_header(resp, "Cache-Control", "no-store");
    if (st->retry_after[0])
        vk_resp_header(resp, "Retry-After", st->retry_after);
    if (st->err.code != VK_OK) {
        vk_resp_error(resp, &st->err);
        return;
    }
    vk_resp_header(resp, "Set-Cookie", st->cookie);
    vk_buf_puts(&resp->body, st->body.data ? st->body.data : "");
}

/* The body {"name":…,"password":…} into a new login_state; caller frees
 * with login_free(). */
static vk_err login_read(vk_ctx *ctx, const vk_req *req, login_state **out)
{
    static const char *const keys[] = {"name", "password", NULL};
    *out = NULL;
    if (!vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type",
                       "send {\"name\":…,\"password\":…} as application/json");
    json_t *doc = NULL;
    const char *name, *password;
    vk_err e = api_json_parse(req->body, req->body_len, &doc, &ctx->err);
    if (e)
        return e;
    if (!json_is_object(doc))
        e = vk_fail(&ctx->err, VK_ETYPE, "", "send an object {\"name\":…,\"password\":…}");
    else if (!(e = api_json_keys(doc, keys, &ctx->err)) &&
             !(e = api_json_string(doc, "name", 1, STORE_STAFF_NAME_MAX, &name, &ctx->err)) &&
             !(e = api_json_string(doc, "password", 1, API_AUTH_PASSWORD_MAX, &password,
                                   &ctx->err))) {
        login_state *st = calloc(1, sizeof *st);
        if (!st) {
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        } else {
            vk_buf_init(&st->body, 4096);
            snprintf(st->name, sizeof st->name, "%s", name);
            snprintf(st->password, sizeof st->password, "%s", password);
            snprintf(st->addr, sizeof st->addr, "%s", req->client_addr ? req->client_addr : "");
            snprintf(st->pair_key, sizeof st->pair_key, "pair:%s %s", st->addr, name);
            snprintf(st->addr_key, sizeof st->addr_key, "addr:%s", st->addr);
            snprintf(st->name_key, sizeof st->name_key, "name:%s", name);
            *out = st;
        }
    }
    json_decref(doc);
    return e;
}

vk_err api_auth_login(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    login_state *st;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e || (e = login_read(ctx, req, &st)))
        return e;
    const int64_t now = (int64_t)time(NULL);
    /* Refusals that cost nothing come first: a throttled sender, then a
     * name no account can have or a password no account can have (both
     * known to anyone, so answering them at once tells nothing). */
    if ((e = login_throttled(ctx, st, now))) {
        char *after = st->retry_after[0] ? vk_arena_strdup(req->arena, st->retry_after) : NULL;
        if (after)
            vk_resp_header(resp, "Retry-After", after);
    } else if (!api_auth_name_ok(st->name) || strlen(st->password) < API_AUTH_PASSWORD_MIN) {
        e = login_failed(ctx, st, "malformed", now);
    } else if (!ctx->signin) { /* tools and tests: at once */
        login_run(ctx, &st->job);
        login_finish(st, resp);
    } else if (!api_signin_reserve(ctx->signin)) {
        vk_resp_header(resp, "Retry-After", "1");
        e = vk_fail(&ctx->err, VK_EBUSY, "", "too many sign-ins at once; try again in a second");
    } else {
        st->queue = ctx->signin;
        resp->defer_state = st;
        resp->defer_start = login_start;
        resp->defer_finish = login_finish;
        resp->defer_cleanup = login_free;
        return VK_OK;
    }
    login_free(st);
    return e;
}

vk_err api_auth_logout(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    if (req->staff && req->staff->by_cookie) {
        char at[32];
        vk_rfc3339_of((int64_t)time(NULL), at);
        store_account_event ev = {at, req->staff->name, "sign_out", req->staff->name, "{}", "{}",
                                  req->client_addr && *req->client_addr ? req->client_addr : NULL};
        if ((e = store_session_end(ctx->store, req->staff->session_hash, &ev, &ctx->err)))
            return e;
    }
    char *cookie = vk_arena_alloc(req->arena, 160);
    if (cookie) {
        snprintf(cookie, 160, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
                 API_AUTH_COOKIE, ctx->cfg->secure_cookies ? "; Secure" : "");
        vk_resp_header(resp, "Set-Cookie", cookie);
    }
    resp->status = 204;
    resp->content_type = NULL;
    return VK_OK;
}

vk_err api_auth_me(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const vk_staff *s = req->staff;
    vk_buf *b = &resp->body;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e && !s)
        e = vk_fail(&ctx->err, VK_EUNAUTHORIZED, "", NULL);
    if (e)
        return e;
    vk_resp_header(resp, "Cache-Control", "no-store");
    vk_buf_putc(b, '{');
    vk_json_member_str(b, "name", s->name);
    vk_buf_printf(b, ",\"role\":\"%s\",\"via\":\"%s\"", vk_role_name(s->role),
                  s->by_cookie ? "session" : "token");
    if (s->by_cookie) {
        char exp[32];
        vk_rfc3339_of(s->expires, exp);
        vk_buf_printf(b, ",\"csrf\":\"%s\",\"expires\":\"%s\"", s->csrf, exp);
    }
    vk_buf_putc(b, '}');
    return VK_OK;
}

static int user_json(void *arg, const store_staff_user *u)
{
    vk_buf *b = arg;
    vk_json_open(b);
    vk_json_member_str(b, "name", u->name);
    vk_buf_printf(b, ",\"role\":\"%s\",\"disabled\":%s", u->role, u->disabled ? "true" : "false");
    vk_json_member_str(b, "created_at", u->created_at);
    vk_buf_putc(b, '}');
    return 0;
}

vk_err api_staff_users(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_buf *b = &resp->body;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    vk_resp_header(resp, "Cache-Control", "no-store");
    vk_buf_puts(b, "{\"users\":[");
    if ((e = store_staff_user_each(ctx->store, user_json, b, &ctx->err)))
        return e;
    vk_buf_puts(b, "]}");
    return VK_OK;
}

/* ---- user administration (admins) ---- */

/* The user as GET /api/v1/staff/users lists it, as the whole body. */
static vk_err answer_user(vk_ctx *ctx, const char *name, vk_resp *resp)
{
    store_staff_user u;
    int found = 0;
    vk_err e = store_staff_user_get(ctx->store, name, &found, &u, &ctx->err);
    sodium_memzero(u.password_hash, sizeof u.password_hash);
    if (e)
        return e;
    if (!found)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "name", "there is no user with this name");
    vk_resp_header(resp, "Cache-Control", "no-store");
    user_json(&resp->body, &u);
    return VK_OK;
}

/* A JSON object body with only the allowed members (doc: caller frees). */
static vk_err read_body(vk_ctx *ctx, const vk_req *req, const char *const *allowed,
                        const char *what, json_t **doc)
{
    *doc = NULL;
    if (!vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type", "send %s as application/json",
                       what);
    vk_err e = api_json_parse(req->body, req->body_len, doc, &ctx->err);
    if (!e && !json_is_object(*doc))
        e = vk_fail(&ctx->err, VK_ETYPE, "", "send %s as a JSON object", what);
    if (!e)
        e = api_json_keys(*doc, allowed, &ctx->err);
    return e;
}

/* A string member: absent gives NULL (VK_EMISSING when required). */
static vk_err member_text(vk_ctx *ctx, const json_t *doc, const char *key, int required,
                          const char **out)
{
    const json_t *v = json_object_get(doc, key);
    *out = json_string_value(v);
    if (!v)
        return required ? vk_fail(&ctx->err, VK_EMISSING, key, "%s is required", key) : VK_OK;
    return *out ? VK_OK : vk_fail(&ctx->err, VK_ETYPE, key, "%s must be text", key);
}

/* Who is changing an account, for the audit log. */
static const char *actor_of(const vk_req *req)
{
    return req->staff && req->staff->name[0] ? req->staff->name : "?";
}

static vk_err check_role(vk_ctx *ctx, const char *role)
{
    return !role || vk_role_parse(role) != VK_ROLE_NONE
               ? VK_OK
               : vk_fail(&ctx->err, VK_EVALUE, "role",
                         "role must be admin, moderator, planner or council");
}

vk_err api_staff_user_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"name", "role", "password", NULL};
    json_t *doc = NULL;
    const char *name, *role, *password;
    char hash[API_AUTH_HASH_SIZE], now[32];
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e || (e = read_body(ctx, req, keys, "{\"name\",\"role\",\"password\"}", &doc)) ||
        (e = member_text(ctx, doc, "name", 1, &name)) ||
        (e = member_text(ctx, doc, "role", 1, &role)) ||
        (e = member_text(ctx, doc, "password", 1, &password)))
        goto out;
    if (!api_auth_name_ok(name)) {
        e = vk_fail(&ctx->err, VK_EVALUE, "name",
                    "a name is 1 to %d characters without spaces", STORE_STAFF_NAME_MAX);
        goto out;
    }
    if ((e = check_role(ctx, role)) || (e = api_auth_password_check(password, &ctx->err)) ||
        (e = api_auth_hash_password(password, hash, &ctx->err)))
        goto out;
    vk_rfc3339_of((int64_t)time(NULL), now);
    e = store_staff_user_add(ctx->store, name, role, hash, now, actor_of(req), &ctx->err);
    sodium_memzero(hash, sizeof hash);
    if (e || (e = answer_user(ctx, name, resp)))
        goto out;
    resp->status = 201;
    size_t n = strlen("/api/v1/staff/users/") + strlen(name) + 1;
    char *loc = vk_arena_alloc(req->arena, n);
    if (loc) {
        snprintf(loc, n, "/api/v1/staff/users/%s", name);
        vk_resp_header(resp, "Location", loc);
    }
out:
    json_decref(doc);
    return e;
}

vk_err api_staff_user_patch(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"role", "disabled", "password", NULL};
    const char *name = req->nargs ? req->args[0] : "";
    json_t *doc = NULL;
    const char *role = NULL, *password = NULL;
    char hash[API_AUTH_HASH_SIZE];
    int disabled = -1, changed = 0;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e || (e = read_body(ctx, req, keys, "the fields to change", &doc)) ||
        (e = member_text(ctx, doc, "role", 0, &role)) ||
        (e = member_text(ctx, doc, "password", 0, &password)) || (e = check_role(ctx, role)))
        goto out;
    const json_t *d = json_object_get(doc, "disabled");
    if (d && !json_is_boolean(d)) {
        e = vk_fail(&ctx->err, VK_ETYPE, "disabled", "disabled must be true or false");
        goto out;
    }
    if (d)
        disabled = json_is_true(d);
    if (!role && !password && disabled < 0) {
        e = vk_fail(&ctx->err, VK_EMISSING, "", "nothing to change: give role, disabled or password");
        goto out;
    }
    if (password && (e = api_auth_password_check(password, &ctx->err)))
        goto out;
    /* An admin locking themselves out would leave nobody to undo it. */
    const vk_staff *me = req->staff;
    if (me && me->user_id && strcmp(me->name, name) == 0) {
        if (disabled == 1) {
            e = vk_fail(&ctx->err, VK_EOWN_ACCOUNT, "disabled", "you cannot disable your own account");
            goto out;
        }
        if (role && strcmp(role, "admin") != 0) {
            e = vk_fail(&ctx->err, VK_EOWN_ACCOUNT, "role", "you cannot take the admin role from yourself");
            goto out;
        }
    }
    if (password && (e = api_auth_hash_password(password, hash, &ctx->err)))
        goto out;
    char now[32];
    vk_rfc3339_of((int64_t)time(NULL), now);
    /* The role of the caller and the number of admins left are checked
     * again inside the write transaction (store_staff_user_update_by). */
    e = store_staff_user_update_by(ctx->store, me ? me->user_id : 0, name, role, disabled,
                                   password ? hash : NULL, now, actor_of(req), &changed,
                                   &ctx->err);
    sodium_memzero(hash, sizeof hash);
    if (!e && !changed)
        e = vk_fail(&ctx->err, VK_ENOT_FOUND, "name", "there is no user with this name");
    if (!e)
        e = answer_user(ctx, name, resp);
out:
    json_decref(doc);
    return e;
}

/* ---- API tokens (admins) ---- */

/* The member key: a time as RFC 3339 text, or null when there is none. */
static void time_member(vk_buf *b, const char *key, int64_t t)
{
    char s[VK_RFC3339_LEN];
    if (t > 0)
        vk_rfc3339_of(t, s);
    vk_json_member_str(b, key, t > 0 ? s : NULL);
}

static void token_json(vk_buf *b, const store_token *t, int64_t now)
{
    vk_buf_printf(b, "{\"id\":%lld", (long long)t->id);
    vk_json_member_str(b, "name", t->name);
    vk_buf_printf(b, ",\"role\":\"%s\"", t->role);
    vk_json_member_str(b, "created_at", t->created_at);
    time_member(b, "expires_at", t->expires_at);
    time_member(b, "last_used_at", t->last_used_at);
    time_member(b, "revoked_at", t->revoked_at);
    vk_buf_printf(b, ",\"state\":\"%s\"}",
                  t->revoked_at ? "revoked" : store_token_usable(t, now) ? "active" : "expired");
}

typedef struct token_list {
    vk_buf *b;
    int64_t now;
    int64_t want;     /* token_find: the id looked for */
    store_token found;
    int hit;
} token_list;

static int token_item(void *arg, const store_token *t)
{
    token_list *l = arg;
    vk_json_next(l->b);
    token_json(l->b, t, l->now);
    return 0;
}

vk_err api_staff_tokens(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    token_list l = {.b = &resp->body, .now = (int64_t)time(NULL)};
    vk_resp_header(resp, "Cache-Control", "no-store");
    vk_buf_puts(&resp->body, "{\"tokens\":[");
    if ((e = store_token_each(ctx->store, token_item, &l, &ctx->err)))
        return e;
    vk_buf_puts(&resp->body, "]}");
    return VK_OK;
}

static int token_by_id(void *arg, const store_token *t)
{
    token_list *l = arg;
    if (t->id != l->want)
        return 0;
    l->found = *t;
    l->hit = 1;
    return 1;
}

vk_err api_staff_token_revoke(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    int64_t id = api_parse_id(req->nargs ? req->args[0] : NULL);
    int64_t now = (int64_t)time(NULL);
    char at[32];
    vk_rfc3339_of(now, at);
    int changed = 0;
    if (id > 0 && (e = store_token_revoke(ctx->store, id, now, at, actor_of(req), &changed,
                                          &ctx->err)))
        return e;
    token_list l = {.now = now, .want = id};
    if (id > 0 && (e = store_token_each(ctx->store, token_by_id, &l, &ctx->err)))
        return e;
    if (!l.hit)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "tokenId", "there is no API token with this id");
    vk_resp_header(resp, "Cache-Control", "no-store");
    token_json(&resp->body, &l.found, now);
    return VK_OK;
}
