/*
 * api.c — the photo routes (docs/photos.md "HTTP") and the decode threads.
 *
 * An upload is a raw body. The handler checks what is cheap (parameters,
 * the Idempotency-Key, the magic bytes), reserves a place on a decode
 * thread and suspends the connection; the decode thread hashes the body
 * (for the key) and runs photo_process, then hands the insert to the
 * group-commit writer, whose done callback resumes the connection. So no
 * connection thread ever waits on libvips, at most `threads` images are
 * decoded at once (libvips' memory is bounded by that), and an upload over
 * the waiting places is a prompt 503 the client retries.
 */
#include "media/sql.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/clock.h"
#include "core/sha256.h"
#include "db/store.h"
#include "http/deferred.h"

#define MAX_THREADS 8
#define RETRY_AFTER "5"

/* ---- the decode threads ---- */

typedef struct upload {
    vk_write_job job;          /* first: the writer's */
    vk_queue_item decode_link; /* the decode thread's queue */
    const char *body;          /* borrowed: the request's, alive until cleanup */
    size_t len;
    const char *path;          /* borrowed likewise: for the key's hash */
    const char *base_url;      /* borrowed: the configuration's */
    photo_image img;
    char id[PHOTO_ID_LEN + 1];
    vk_errinfo err;            /* the decode's failure (err.code != VK_OK) */
    struct vk_queue *queue;    /* the decode thread reserved for it */
    void (*resume)(void *token);
    void *token;
} upload;

/* Started and stopped by the server's start hook, before and after any
 * request: read-only while serving. */
static struct {
    vk_queue *q[MAX_THREADS];
    int n;
    atomic_uint next;
} decoders;

static upload *upload_of(vk_queue_item *item)
{
    return (upload *)(void *)((char *)item - offsetof(upload, decode_link));
}

/* The key's request: method, path and body (as every write's). */
static void request_hash(upload *u)
{
    vk_sha256 h;
    unsigned char digest[32];
    vk_sha256_init(&h);
    vk_sha256_update(&h, "POST\n", 5);
    vk_sha256_update(&h, u->path, strlen(u->path));
    vk_sha256_update(&h, "\n", 1);
    vk_sha256_update(&h, u->body, u->len);
    vk_sha256_final(&h, digest);
    vk_sha256_hex(digest, u->job.request_hash);
}

static void decode(upload *u) { photo_process(u->body, u->len, &u->img, &u->err); }

static void decode_run(void *arg, vk_queue_item *batch)
{
    (void)arg;
    for (vk_queue_item *it = batch; it; it = it->next)
        decode(upload_of(it));
    photo_thread_done();
}

/* After the thread's place is free: a failed decode answers at once, a
 * good one goes to the writer, whose done resumes the connection. */
static void decode_done(void *arg, vk_queue_item *batch)
{
    (void)arg;
    for (vk_queue_item *it = batch, *next; it; it = next) {
        next = it->next;
        upload *u = upload_of(it);
        if (u->err.code != VK_OK) {
            u->resume(u->token);
            continue;
        }
        u->job.done = u->resume;
        u->job.done_arg = u->token;
        vk_writer_submit(u->job.writer, &u->job);
    }
}

vk_err photo_server_start(int threads, int depth, vk_errinfo *ei)
{
    if (threads < 1 || threads > MAX_THREADS || depth < 0)
        return vk_fail(ei, VK_EINTERNAL, "", "photo threads must be 1..%d", MAX_THREADS);
    if (photo_lib_init(NULL, ei))
        return ei->code;
    for (int i = 0; i < threads; i++) {
        /* Places per thread: the one decoding and its share of the waiting. */
        vk_queue_def def = {.name = "photo-decode", .depth = 1 + (depth + threads - 1) / threads,
                            .max_batch = 1, .nice = 5, .run = decode_run, .done = decode_done};
        if (vk_queue_start(&decoders.q[i], &def, ei)) {
            photo_server_stop();
            return ei->code;
        }
        decoders.n++;
    }
    return VK_OK;
}

void photo_server_stop(void)
{
    for (int i = 0; i < decoders.n; i++)
        vk_queue_free(decoders.q[i]);
    memset(decoders.q, 0, sizeof decoders.q);
    decoders.n = 0;
}

/* A place on some decode thread, trying each from a rotating start; NULL
 * when every one is full. */
static vk_queue *reserve_decoder(void)
{
    unsigned start = atomic_fetch_add(&decoders.next, 1);
    for (int i = 0; i < decoders.n; i++) {
        vk_queue *q = decoders.q[(start + (unsigned)i) % (unsigned)decoders.n];
        if (vk_queue_reserve(q))
            return q;
    }
    return NULL;
}

/* ---- the upload ---- */

/* The stored row, on the writer thread; the answer is the job's body. */
static vk_err insert_run(vk_ctx *ctx, vk_write_job *job, const char *now, vk_buf *body,
                         vk_errinfo *ei)
{
    upload *u = (upload *)job;
    const photo_image *m = &u->img;
    vk_err e = db_run(ctx->store, &media_sql, SQL_PHOTO_INSERT,
                      DB_ARGS(DB_TEXT(u->id), DB_TEXT(m->source_type), DB_INT(m->display_w),
                              DB_INT(m->display_h), DB_INT(m->thumb_w), DB_INT(m->thumb_h),
                              DB_INT((int64_t)m->display_len), DB_INT((int64_t)m->thumb_len),
                              DB_TEXT(m->display_sha256), DB_TEXT(m->thumb_sha256), DB_TEXT(now),
                              DB_BLOB(m->display, m->display_len), DB_BLOB(m->thumb, m->thumb_len)),
                      "saving a photo", ei);
    if (e)
        return e;
    char display[160], thumb[160], expires[VK_RFC3339_LEN];
    photo_urls(u->base_url, u->id, display, thumb);
    vk_rfc3339_of(vk_rfc3339_seconds(now) + PHOTO_PENDING_HOURS * 3600, expires);
    vk_buf_printf(body,
                  "{\"id\":\"%s\",\"status\":\"pending\",\"type\":\"image/jpeg\",\"width\":%d,"
                  "\"height\":%d,\"thumb_width\":%d,\"thumb_height\":%d,\"bytes\":%zu,"
                  "\"thumb_bytes\":%zu,\"url\":",
                  u->id, m->display_w, m->display_h, m->thumb_w, m->thumb_h, m->display_len,
                  m->thumb_len);
    vk_json_str(body, display, strlen(display));
    vk_buf_puts(body, ",\"thumb\":");
    vk_json_str(body, thumb, strlen(thumb));
    vk_buf_printf(body, ",\"created\":\"%s\",\"expires\":\"%s\"}", now, expires);
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/photos/%s", u->id);
    job->location = strdup(loc);
    job->status = 201;
    return VK_OK;
}

static void upload_finish(void *state, vk_resp *resp)
{
    upload *u = state;
    const vk_errinfo *err = u->err.code != VK_OK ? &u->err : &u->job.err;
    if (err->code != VK_OK) {
        vk_resp_error(resp, err);
        if (err->code == VK_EBUSY)
            vk_resp_header(resp, "Retry-After", RETRY_AFTER);
        return;
    }
    resp->status = u->job.status;
    resp->content_type = "application/json";
    vk_resp_header(resp, "Cache-Control", "no-store");
    if (u->job.location)
        vk_resp_header(resp, "Location", u->job.location);
    if (u->job.replayed)
        vk_resp_header(resp, "Idempotent-Replayed", "true");
    vk_buf_puts(&resp->body, u->job.body ? u->job.body : "");
}

static void upload_free(void *state)
{
    upload *u = state;
    vk_write_job_fini(&u->job);
    photo_image_fini(&u->img);
    free(u);
}

static void upload_start(void *state, void (*resume)(void *token), void *token)
{
    upload *u = state;
    u->resume = resume;
    u->token = token;
    vk_queue_submit(u->queue, &u->decode_link);
}

/* Idempotency-Key: 1–255 visible ASCII characters. */
static int idem_key_ok(const char *key)
{
    size_t n = strlen(key);
    if (n < 1 || n > 255)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (key[i] <= 0x20 || key[i] >= 0x7f)
            return 0;
    return 1;
}

/* Whose key it is: the API token's, else the sender's address, hashed
 * with the database's secret (the same scopes as every public write). */
static vk_err idem_scope(vk_ctx *ctx, const vk_req *req, char out[48])
{
    if (req->staff && req->staff->token_id > 0) {
        snprintf(out, 48, "t:%lld", (long long)req->staff->token_id);
        return VK_OK;
    }
    if (!ctx->idem_secret_loaded) {
        vk_err e = store_secret_get(ctx->store, "idempotency_scope", ctx->idem_secret, &ctx->err);
        if (e)
            return e;
        ctx->idem_secret_loaded = 1;
    }
    const char *who = req->client_addr ? req->client_addr : "";
    unsigned char mac[16];
    crypto_generichash(mac, sizeof mac, (const unsigned char *)who, strlen(who), ctx->idem_secret,
                       sizeof ctx->idem_secret);
    out[0] = 'a';
    out[1] = ':';
    sodium_bin2hex(out + 2, 46, mac, sizeof mac);
    return VK_OK;
}

/* A key already stored is answered here, before any decode: a phone
 * resending its queue of photos after a lost answer costs a read each, not
 * a decode each. The writer checks the key again (a first upload may be
 * in flight): this is only the shortcut for what is already stored. */
static vk_err answer_known_key(vk_ctx *ctx, const vk_req *req, upload *u, vk_resp *resp,
                               int *answered)
{
    store_idem prev;
    int found = 0;
    vk_err e = store_idem_get(ctx->store, u->job.idem_scope, u->job.idem_key, &found, &prev,
                              &ctx->err);
    if (e || !found)
        return e;
    *answered = 1;
    if (strcmp(prev.request_hash, u->job.request_hash) != 0) {
        store_idem_fini(&prev);
        return vk_fail(&ctx->err, VK_EIDEM_REUSED, "Idempotency-Key",
                       "this Idempotency-Key was already used for a different request");
    }
    resp->status = prev.status;
    resp->content_type = "application/json";
    vk_resp_header(resp, "Cache-Control", "no-store");
    if (prev.location) {
        char *loc = vk_arena_strdup(req->arena, prev.location);
        if (loc)
            vk_resp_header(resp, "Location", loc);
    }
    vk_resp_header(resp, "Idempotent-Replayed", "true");
    vk_buf_puts(&resp->body, prev.body ? prev.body : "");
    store_idem_fini(&prev);
    return VK_OK;
}

/* A JSON or form body is a client sending the wrong thing. */
static int wrong_content_type(const char *ct)
{
    if (!ct)
        return 0;
    static const char *const refused[] = {"application/json", "application/geo+json",
                                          "application/x-www-form-urlencoded",
                                          "multipart/form-data", "text/"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (strncasecmp(ct, refused[i], strlen(refused[i])) == 0)
            return 1;
    return 0;
}

static photo_code_check_fn code_check;

void photo_set_code_check(photo_code_check_fn check) { code_check = check; }

vk_err photo_api_upload(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const no_params[] = {NULL};
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    /* The server did not count this upload against the public budget
     * because it carries a walk code (route flag 2): the code must hold. */
    if (req->walk_code && *req->walk_code) {
        if (!code_check)
            return vk_fail(&ctx->err, VK_EWALK_CODE, "code", "the walk code is not right");
        if ((e = code_check(ctx, req, resp)))
            return e;
    }
    if (req->idempotency_key && !idem_key_ok(req->idempotency_key))
        return vk_fail(&ctx->err, VK_EHEADER, "Idempotency-Key",
                       "Idempotency-Key must be 1 to 255 visible ASCII characters");
    if (wrong_content_type(req->content_type))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type",
                       "send the image's bytes as the body, with Content-Type image/jpeg, "
                       "image/png, image/webp or image/heic");
    /* The type is sniffed here too, so a text file costs no decode place. */
    const char *type = photo_sniff(req->body, req->body_len);
    if (!type || (strcmp(type, "heif") == 0 && !photo_lib_heif()))
        return photo_process(req->body, req->body_len, &(photo_image){0}, &ctx->err);
    upload *u = calloc(1, sizeof *u);
    if (!u)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    u->body = req->body;
    u->len = req->body_len;
    u->path = req->path;
    u->base_url = req->base_url;
    u->job.run = insert_run;
    unsigned char rnd[PHOTO_ID_LEN / 2];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(u->id, sizeof u->id, rnd, sizeof rnd);
    if (req->idempotency_key) {
        u->job.idem_key = req->idempotency_key;
        int answered = 0;
        if ((e = idem_scope(ctx, req, u->job.idem_scope)) ||
            (request_hash(u), e = answer_known_key(ctx, req, u, resp, &answered)) || answered) {
            upload_free(u);
            return e;
        }
    }
    if (!decoders.n || !ctx->writer) {
        /* Tools and tests: decode here, write at once. */
        decode(u);
        if (u->err.code != VK_OK) {
            ctx->err = u->err;
            upload_free(u);
            return ctx->err.code;
        }
        vk_write_job_defer(ctx, &u->job, resp, upload_finish, upload_free);
        return VK_OK;
    }
    if (!(u->queue = reserve_decoder())) {
        upload_free(u);
        vk_resp_header(resp, "Retry-After", RETRY_AFTER);
        return vk_fail(&ctx->err, VK_EBUSY, "", "every photo thread is busy; try again shortly");
    }
    u->job.writer = ctx->writer;
    resp->defer_state = u;
    resp->defer_start = upload_start;
    resp->defer_finish = upload_finish;
    resp->defer_cleanup = upload_free;
    return VK_OK;
}

/* ---- reading ---- */

typedef struct meta {
    photo_info info;
    char kind[PHOTO_KIND_MAX + 1];
    char owner[PHOTO_OWNER_ID_MAX + 1];
} meta;

static vk_err read_meta(void *arg, db_row *row)
{
    meta *m = arg;
    media_info_of(row, &m->info);
    db_col_copy(row, 9, m->kind, sizeof m->kind);
    db_col_copy(row, 10, m->owner, sizeof m->owner);
    return VK_OK;
}

/* The photo when this request may see it (a reviewer sees every one):
 * VK_OK with *vis PUBLIC or RESTRICTED, else 404 (the same for unknown,
 * pending, hidden and malformed ids: nothing to probe). */
static vk_err visible_photo(vk_ctx *ctx, const vk_req *req, const char *id, meta *m,
                            photo_visibility *vis)
{
    int found = 0;
    vk_err e;
    *vis = PHOTO_HIDDEN;
    if (!photo_id_ok(id))
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "no photo here");
    if ((e = db_first(ctx->store, &media_sql, SQL_PHOTO_META, DB_ARGS(DB_TEXT(id)), read_meta, m,
                      &found, "reading a photo", &ctx->err)))
        return e;
    /* A kind moderated photo by photo shows its unapproved (hidden) photos
     * to every staff role, so whoever opens the item sees what came. */
    if (found && (photo_reviewer(req->staff) ||
                  (m->info.hidden && req->staff && photo_owner_staff_sees_hidden(m->kind)))) {
        *vis = PHOTO_RESTRICTED;
        return VK_OK;
    }
    photo_visible_fn fn = found && !m->info.hidden ? photo_owner_visible(m->kind) : NULL;
    if (fn && (e = fn(ctx, req, m->owner, vis)))
        return e;
    if (*vis != PHOTO_PUBLIC && *vis != PHOTO_RESTRICTED)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "no photo here");
    return VK_OK;
}

static const char *cache_control(photo_visibility vis)
{
    /* A day, not a year: the bytes of an id never change, but a
     * moderator may hide them; ETags make revalidation cheap. */
    return vis == PHOTO_PUBLIC ? "public, max-age=86400" : "private, max-age=3600";
}

vk_err photo_api_get(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const no_params[] = {NULL};
    meta m;
    photo_visibility vis;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e || (e = visible_photo(ctx, req, req->args[0], &m, &vis)))
        return e;
    char display[160], thumb[160];
    photo_urls(req->base_url, m.info.id, display, thumb);
    vk_buf *b = &resp->body;
    vk_buf_printf(b,
                  "{\"id\":\"%s\",\"status\":\"%s\",\"type\":\"image/jpeg\",\"width\":%d,"
                  "\"height\":%d,\"thumb_width\":%d,\"thumb_height\":%d,\"bytes\":%lld,"
                  "\"thumb_bytes\":%lld,\"url\":",
                  m.info.id, m.kind[0] ? "attached" : "pending", m.info.width, m.info.height,
                  m.info.thumb_w, m.info.thumb_h, m.info.display_bytes, m.info.thumb_bytes);
    vk_json_str(b, display, strlen(display));
    vk_buf_puts(b, ",\"thumb\":");
    vk_json_str(b, thumb, strlen(thumb));
    vk_buf_printf(b, ",\"created\":\"%s\",\"hidden\":%s,\"owner\":", m.info.created,
                  m.info.hidden ? "true" : "false");
    if (m.kind[0]) {
        vk_buf_puts(b, "{\"kind\":");
        vk_json_str(b, m.kind, strlen(m.kind));
        vk_buf_puts(b, ",\"id\":");
        vk_json_str(b, m.owner, strlen(m.owner));
        vk_buf_puts(b, "}}");
    } else {
        vk_buf_puts(b, "null}");
    }
    resp->status = 200;
    resp->content_type = "application/json";
    vk_resp_header(resp, "Cache-Control", vis == PHOTO_PUBLIC ? "no-cache" : "private, no-cache");
    return VK_OK;
}

typedef struct bytes_out {
    const vk_req *req;
    vk_resp *resp;
    int not_modified;
    char *etag; /* in the request's arena */
} bytes_out;

static vk_err read_bytes(void *arg, db_row *row)
{
    bytes_out *o = arg;
    const char *sha = db_col_text(row, 0);
    char tag[70];
    snprintf(tag, sizeof tag, "\"%s\"", sha ? sha : "");
    o->etag = vk_arena_strndup(o->req->arena, tag, strlen(tag));
    if (!o->etag)
        return VK_ENOMEM;
    if (vk_req_etag_listed(o->req, o->etag)) {
        o->not_modified = 1;
        return VK_OK;
    }
    return vk_buf_add(&o->resp->body, db_col_blob(row, 1), db_col_bytes(row, 1)) ? VK_ENOMEM
                                                                                  : VK_OK;
}

vk_err photo_api_bytes(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const no_params[] = {NULL};
    meta m;
    photo_visibility vis;
    const char *size = req->args[1];
    int stmt = strcmp(size, "display") == 0 ? SQL_PHOTO_DISPLAY
               : strcmp(size, "thumb") == 0 ? SQL_PHOTO_THUMB
                                            : -1;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    if (stmt < 0)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "size", "a photo has sizes display and thumb");
    if ((e = visible_photo(ctx, req, req->args[0], &m, &vis)))
        return e;
    bytes_out o = {req, resp, 0, NULL};
    int found = 0;
    if ((e = db_first(ctx->store, &media_sql, stmt, DB_ARGS(DB_TEXT(m.info.id)), read_bytes, &o,
                      &found, "reading a photo", &ctx->err)))
        return e;
    if (!found) /* deleted between the two reads */
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "no photo here");
    vk_resp_header(resp, "ETag", o.etag);
    vk_resp_header(resp, "Cache-Control", cache_control(vis));
    vk_resp_header(resp, "Content-Disposition", "inline");
    if (o.not_modified) {
        resp->status = 304;
        vk_buf_reset(&resp->body);
        return VK_OK;
    }
    resp->status = 200;
    resp->content_type = "image/jpeg";
    return VK_OK;
}
