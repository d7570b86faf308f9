/*
 * api.c — the survey routes (see api.h): the public ones answer from the
 * process-wide cache of published versions (cache.h), writes go through
 * the group-commit writer (db/writer.h, http/deferred.h).
 */
#include "survey/api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/sha256.h"
#include "http/deferred.h"
#include "survey/cache.h"
#include "survey/publish.h"
#include "survey/store.h"

#define DRAFT_KEEP_DAYS 30
#define DRAFT_PAGE_MAX 1000
#define SURVEYS_MAX 1000 /* a public list longer than this is cut */

static const char *const no_params[] = {NULL};

/* ---- small readers ---- */

/* Lower-case letters, digits and inner hyphens, 1 to 64 (the schema's
 * slug pattern). */
static int slug_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SURVEY_SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* The {slug} of the path, or 404 naming it. */
static vk_err path_slug(vk_ctx *ctx, const vk_req *req, const char **slug)
{
    *slug = req->nargs ? req->args[0] : "";
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    /* Every stored slug has the schema's form, so nothing else is looked
     * up (or echoed in a message). */
    if (!slug_ok(*slug))
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "slug", "there is no such survey");
    return VK_OK;
}

/* The request's JSON body, a new reference. */
static vk_err json_body(vk_ctx *ctx, const vk_req *req, const char *what, json_t **doc)
{
    *doc = NULL;
    if (!vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type", "send the %s as application/json",
                       what);
    return api_json_parse(req->body, req->body_len, doc, &ctx->err);
}

/* 36 characters of hex digits and hyphens: enough to look a resend up;
 * survey_response_check checks the form in full. */
static int uuid_shaped(const char *s)
{
    return s && strlen(s) == 36 && strspn(s, "0123456789abcdefABCDEF-") == 36;
}

static char *dump_compact(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

/* member of obj as JSON into b, null when absent. */
static void put_member_json(vk_buf *b, const char *key, const json_t *v)
{
    vk_json_key(b, key);
    char *s = v ? dump_compact(v) : NULL;
    vk_buf_puts(b, s ? s : "null");
    free(s);
}

static void put_text_or_null(vk_buf *b, const char *key, const char *s)
{
    vk_json_member_str(b, key, s && *s ? s : NULL);
}

/* The survey published under slug: its id, state, current version and
 * that version from the cache; 404 when there is none (or only a draft). */
typedef struct published {
    int64_t id, version;
    char state[12];
    const survey_cached *current;
} published;

static vk_err find_published(vk_ctx *ctx, const char *slug, published *p)
{
    int found = 0;
    memset(p, 0, sizeof *p);
    vk_err e = survey_store_head(ctx->store, slug, &p->id, p->state, &p->version, &found,
                                 &ctx->err);
    if (e)
        return e;
    if (!found || p->version < 1)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "slug", "there is no published survey '%s'",
                       slug);
    if ((e = survey_cache_get(ctx->store, ctx->gis, p->id, p->version, &p->current, &ctx->err)))
        return e;
    if (!p->current)
        return vk_fail(&ctx->err, VK_EINTERNAL, "", "the survey's version is missing");
    return VK_OK;
}

/* The published survey of the path's {slug}. */
static vk_err path_published(vk_ctx *ctx, const vk_req *req, const char **slug, published *p)
{
    vk_err e = path_slug(ctx, req, slug);
    return e ? e : find_published(ctx, *slug, p);
}

static int is_open(const published *p, const char *now)
{
    return strcmp(p->state, "published") == 0 && survey_def_window(p->current->def, now) == 0;
}

/* ---- public reads ---- */

vk_err api_survey_schema(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    resp->content_type = "application/schema+json";
    vk_resp_header(resp, "Cache-Control", "no-cache");
    vk_buf_puts(&resp->body, survey_schema_json);
    return VK_OK;
}

typedef struct listed {
    int64_t id, version;
    char slug[SURVEY_SLUG_MAX + 1];
    char state[12];
} listed;

typedef struct listed_all {
    listed *v;
    size_t n;
} listed_all;

static int collect_published(void *arg, const survey_list_row *r)
{
    listed_all *l = arg;
    if (l->n == SURVEYS_MAX)
        return 1;
    listed *x = &l->v[l->n++];
    x->id = r->id;
    x->version = r->version;
    snprintf(x->slug, sizeof x->slug, "%s", r->slug);
    snprintf(x->state, sizeof x->state, "%s", r->state);
    return 0;
}

vk_err api_surveys_list(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    listed_all l = {calloc(SURVEYS_MAX, sizeof(listed)), 0};
    if (!l.v)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    e = survey_store_list(ctx->store, 1, collect_published, &l, &ctx->err);
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    vk_buf *b = &resp->body;
    vk_buf_puts(b, "{\"surveys\":[");
    for (size_t i = 0; i < l.n && !e; i++) {
        published p = {l.v[i].id, l.v[i].version, "", NULL};
        memcpy(p.state, l.v[i].state, sizeof p.state);
        if ((e = survey_cache_get(ctx->store, ctx->gis, p.id, p.version, &p.current, &ctx->err)))
            break;
        if (!p.current || survey_def_window(p.current->def, now) > 0)
            continue; /* closed by its window */
        const survey_def *d = p.current->def;
        vk_json_next(b);
        vk_buf_putc(b, '{');
        vk_json_member_str(b, "slug", l.v[i].slug);
        put_member_json(b, "title", json_object_get(d->doc, "title"));
        put_member_json(b, "intro", json_object_get(d->doc, "intro"));
        vk_buf_printf(b, ",\"version\":%lld", (long long)p.version);
        put_text_or_null(b, "opens", d->opens);
        put_text_or_null(b, "closes", d->closes);
        vk_buf_printf(b, ",\"open\":%s}", is_open(&p, now) ? "true" : "false");
    }
    free(l.v);
    if (e)
        return e;
    vk_buf_puts(b, "]}");
    vk_resp_header(resp, "Cache-Control", "no-cache");
    return VK_OK;
}

vk_err api_survey_get(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const char *slug;
    published p;
    vk_err e = path_published(ctx, req, &slug, &p);
    if (e)
        return e;
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    int open = is_open(&p, now);
    /* "What we did" (survey/publish.h) and whether results are out may
     * change too: its member and revision go into the answer and ETag. */
    vk_buf what;
    vk_buf_init(&what, 64 * 1024);
    int64_t rev = 0;
    if ((e = survey_publish_landing(ctx->store, p.id, now, &what, &rev, &ctx->err))) {
        vk_buf_fini(&what);
        return e;
    }
    /* A version never changes: the state and whether it is open are all
     * that can change under the same version. */
    char etag[96];
    snprintf(etag, sizeof etag, "\"sv%lld-%lld-%c%d-%lld%c\"", (long long)p.id,
             (long long)p.version, p.state[0], open, (long long)rev,
             strstr(what.data ? what.data : "", "\"results\":true") ? 'r' : '-');
    char *tag = vk_arena_strndup(req->arena, etag, strlen(etag));
    if (tag)
        vk_resp_header(resp, "ETag", tag);
    vk_resp_header(resp, "Cache-Control", "no-cache");
    if (req->if_none_match && (strstr(req->if_none_match, etag) || strcmp(req->if_none_match, "*") == 0)) {
        resp->status = 304;
        vk_buf_fini(&what);
        return VK_OK;
    }
    vk_buf *b = &resp->body;
    vk_buf_printf(b, "{\"slug\":\"%s\",\"state\":\"%s\",\"version\":%lld,\"open\":%s,\"definition\":",
                  slug, p.state, (long long)p.version, open ? "true" : "false");
    vk_buf_add(b, p.current->text, p.current->text_len);
    if (what.len)
        vk_buf_add(b, what.data, what.len);
    vk_buf_putc(b, '}');
    vk_buf_fini(&what);
    return VK_OK;
}

/* ---- answering ---- */

typedef struct respond_job {
    vk_json_write w; /* first; w.doc is the response document */
    char slug[SURVEY_SLUG_MAX + 1];
    int64_t survey_id;
    int closed;       /* not taking answers at the request: only a resend is answered */
    char uuid[40];
    char body_hash[65];
    survey_norm norm; /* borrows from w.doc and the cached definition */
} respond_job;

static void respond_free(void *state)
{
    respond_job *st = state;
    survey_norm_fini(&st->norm);
    vk_json_write_free(st);
}

static void put_receipt(vk_buf *b, const char *uuid, int64_t version, const char *submitted)
{
    vk_buf_printf(b, "{\"id\":\"%s\",\"version\":%lld,\"submitted\":\"%s\"}", uuid,
                  (long long)version, submitted);
}

static vk_err respond_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                          vk_errinfo *ei)
{
    respond_job *st = (respond_job *)wj;
    survey_stored_response old;
    int found = 0;
    vk_err e = st->uuid[0] ? survey_store_response_find(ctx->store, st->survey_id, st->uuid,
                                                        &old, &found, ei)
                           : VK_OK;
    if (e)
        return e;
    if (found) {
        if (strcmp(old.body_hash, st->body_hash) != 0)
            return vk_fail(ei, VK_ERESPONSE_CONFLICT, "id",
                           "another response was already sent under this id");
        wj->status = 200;
        put_receipt(body, st->uuid, old.version, old.submitted);
        return VK_OK;
    }
    char state[12] = "";
    int64_t id = 0, version = 0;
    if (!st->closed &&
        (e = survey_store_head(ctx->store, st->slug, &id, state, &version, &found, ei)))
        return e;
    if (st->closed || !found || id != st->survey_id || strcmp(state, "published") != 0)
        return vk_fail(ei, VK_ESURVEY_CLOSED, "", "the survey is not taking answers now");
    int64_t row = 0;
    if ((e = survey_store_response_insert(ctx->store, st->survey_id, &st->norm, st->body_hash,
                                          now, &row, ei)))
        return e;
    wj->status = 201;
    put_receipt(body, st->uuid, st->norm.version, now);
    return VK_OK;
}

/* Check the response against the version it names, on this thread. */
static vk_err check_response(vk_ctx *ctx, const published *p, respond_job *st)
{
    const survey_cached *sc = p->current;
    const json_t *v = json_object_get(st->w.doc, "version");
    if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) != p->version) {
        vk_err e = survey_cache_get(ctx->store, ctx->gis, p->id, json_integer_value(v), &sc,
                                    &ctx->err);
        if (e)
            return e;
        if (!sc)
            return vk_fail(&ctx->err, VK_EANSWER, "version", "the survey has no version %lld",
                           (long long)json_integer_value(v));
    }
    gis_ctx *area = NULL;
    vk_err e = survey_cached_area_take(sc, &area, &ctx->err);
    if (e)
        return e;
    survey_env env = {ctx->gis, area, survey_store_district_id, ctx->store};
    e = survey_response_check(sc->def, st->w.doc, &env, &st->norm, &ctx->err);
    survey_cached_area_give(sc, area);
    return e;
}

vk_err api_survey_respond(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const char *slug;
    published p;
    vk_err e = path_published(ctx, req, &slug, &p);
    if (e)
        return e;
    respond_job *st = vk_json_write_new(ctx, sizeof *st, respond_run, "application/json");
    if (!st)
        return VK_ENOMEM;
    survey_norm_init(&st->norm);
    if ((e = json_body(ctx, req, "response", &st->w.doc))) {
        respond_free(st);
        return e;
    }
    snprintf(st->slug, sizeof st->slug, "%s", slug);
    st->survey_id = p.id;
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    st->closed = !is_open(&p, now);
    const char *uuid = json_string_value(json_object_get(st->w.doc, "id"));
    if (uuid_shaped(uuid))
        memcpy(st->uuid, uuid, 37);
    /* A closed survey still answers a resend of what it took: the writer
     * looks the id up before refusing. */
    if (!st->closed && (e = check_response(ctx, &p, st))) {
        respond_free(st);
        return e;
    }
    if (st->closed && !st->uuid[0]) {
        respond_free(st);
        return vk_fail(&ctx->err, VK_ESURVEY_CLOSED, "", "the survey is not taking answers now");
    }
    vk_sha256_hex_of(req->body, req->body_len, st->body_hash);
    vk_write_job_defer(ctx, &st->w.job, resp, vk_json_write_finish, respond_free);
    return VK_OK;
}

/* ---- resume drafts ---- */

typedef struct draft_job {
    vk_json_write w; /* first; w.doc is the draft document */
    int64_t survey_id;
    char token[SURVEY_DRAFT_TOKEN_LEN + 1]; /* POST: the new token, only in the answer */
    char token_hash[65];
    char resume[SURVEY_SLUG_MAX + SURVEY_DRAFT_TOKEN_LEN + 16];
    survey_draft_data data;
    char *answers; /* data.answers, owned */
} draft_job;

static void draft_free(void *state)
{
    draft_job *st = state;
    free(st->answers);
    sodium_memzero(st->token, sizeof st->token);
    vk_json_write_free(st);
}

static void token_hash(const char *token, char out[65])
{
    vk_sha256_hex_of(token, strlen(token), out);
}

/* A draft's form: {id, version, language, page, answers}; nothing is
 * checked against the questions. */
static vk_err read_draft(const json_t *doc, int64_t current, draft_job *st, vk_errinfo *ei)
{
    static const char *const keys[] = {"id", "version", "language", "page", "answers", NULL};
    if (!json_is_object(doc))
        return vk_fail(ei, VK_ETYPE, "", "a draft is a JSON object");
    vk_err e = api_json_keys(doc, keys, ei);
    if (e)
        return e;
    survey_draft_data *d = &st->data;
    const json_t *id = json_object_get(doc, "id");
    if (!id)
        return vk_fail(ei, VK_EMISSING, "id", "a draft needs the response's \"id\" (a UUID)");
    d->uuid = json_string_value(id);
    if (!uuid_shaped(d->uuid) || d->uuid[8] != '-' || d->uuid[13] != '-' ||
        d->uuid[18] != '-' || d->uuid[23] != '-' || strchr(d->uuid, '-') != d->uuid + 8)
        return vk_fail(ei, VK_EVALUE, "id", "\"id\" must be a UUID made by the client");
    const json_t *v = json_object_get(doc, "version");
    if (!v)
        return vk_fail(ei, VK_EMISSING, "version", "a draft names the survey \"version\"");
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > current)
        return vk_fail(ei, VK_EVALUE, "version", "the survey has versions 1 to %lld",
                       (long long)current);
    d->version = json_integer_value(v);
    const json_t *lang = json_object_get(doc, "language");
    d->language = lang ? json_string_value(lang) : "fi";
    if (!d->language || (strcmp(d->language, "fi") && strcmp(d->language, "sv") &&
                         strcmp(d->language, "en")))
        return vk_fail(ei, VK_EVALUE, "language", "\"language\" is \"fi\", \"sv\" or \"en\"");
    const json_t *page = json_object_get(doc, "page");
    if (page && (!json_is_integer(page) || json_integer_value(page) < 0 ||
                 json_integer_value(page) > DRAFT_PAGE_MAX))
        return vk_fail(ei, VK_EVALUE, "page", "\"page\" is a whole number from 0 to %d",
                       DRAFT_PAGE_MAX);
    d->page = page ? json_integer_value(page) : 0;
    const json_t *answers = json_object_get(doc, "answers");
    if (answers && !json_is_object(answers))
        return vk_fail(ei, VK_ETYPE, "answers", "\"answers\" is an object {question key: answer}");
    st->answers = answers ? dump_compact(answers) : strdup("{}");
    if (!st->answers)
        return vk_fail(ei, VK_ENOMEM, "answers", NULL);
    d->answers = st->answers;
    return VK_OK;
}

static void put_draft(vk_buf *b, const char *uuid, int64_t version, const char *language,
                      int64_t page, const char *answers, const char *updated)
{
    vk_buf_printf(b, "{\"id\":\"%s\",\"version\":%lld,\"language\":\"%s\",\"page\":%lld,"
                     "\"answers\":%s,\"updated\":\"%s\"}",
                  uuid, (long long)version, language, (long long)page, answers, updated);
}

static vk_err draft_insert_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                               vk_errinfo *ei)
{
    draft_job *st = (draft_job *)wj;
    vk_err e = survey_store_draft_insert(ctx->store, st->token_hash, st->survey_id, &st->data,
                                         now, ei);
    if (e)
        return e;
    wj->status = 201;
    vk_buf_printf(body, "{\"token\":\"%s\",\"resume\":\"%s\"}", st->token, st->resume);
    return VK_OK;
}

static vk_err draft_update_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                               vk_errinfo *ei)
{
    draft_job *st = (draft_job *)wj;
    int found = 0;
    vk_err e = survey_store_draft_update(ctx->store, st->token_hash, st->survey_id, &st->data,
                                         now, &found, ei);
    if (e)
        return e;
    if (!found)
        return vk_fail(ei, VK_ENOT_FOUND, "token", "there is no such saved draft");
    wj->status = 200;
    const survey_draft_data *d = &st->data;
    put_draft(body, d->uuid, d->version, d->language, d->page, d->answers, now);
    return VK_OK;
}

/* The survey of a draft route: published and taking answers. */
static vk_err draft_survey(vk_ctx *ctx, const vk_req *req, published *p)
{
    const char *slug;
    vk_err e = path_published(ctx, req, &slug, p);
    if (e)
        return e;
    if (req->nargs > 1 && strlen(req->args[1]) != SURVEY_DRAFT_TOKEN_LEN)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "token", "there is no such saved draft");
    return VK_OK;
}

static vk_err draft_write(vk_ctx *ctx, const vk_req *req, vk_resp *resp, int create)
{
    published p;
    vk_err e = draft_survey(ctx, req, &p);
    if (e)
        return e;
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    if (!is_open(&p, now))
        return vk_fail(&ctx->err, VK_ESURVEY_CLOSED, "", "the survey is not taking answers now");
    draft_job *st = vk_json_write_new(ctx, sizeof *st, create ? draft_insert_run : draft_update_run,
                                      "application/json");
    if (!st)
        return VK_ENOMEM;
    if ((e = json_body(ctx, req, "draft", &st->w.doc)) ||
        (e = read_draft(st->w.doc, p.version, st, &ctx->err))) {
        draft_free(st);
        return e;
    }
    st->survey_id = p.id;
    if (create) {
        unsigned char raw[32];
        randombytes_buf(raw, sizeof raw);
        sodium_bin2base64(st->token, sizeof st->token, raw, sizeof raw,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        sodium_memzero(raw, sizeof raw);
        snprintf(st->resume, sizeof st->resume, "/s/%s?resume=%s", req->args[0], st->token);
        token_hash(st->token, st->token_hash);
    } else {
        token_hash(req->args[1], st->token_hash);
    }
    vk_write_job_defer(ctx, &st->w.job, resp, vk_json_write_finish, draft_free);
    return VK_OK;
}

vk_err api_survey_draft_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return draft_write(ctx, req, resp, 1);
}

vk_err api_survey_draft_put(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return draft_write(ctx, req, resp, 0);
}

vk_err api_survey_draft_get(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    published p;
    vk_err e = draft_survey(ctx, req, &p);
    if (e)
        return e;
    char hash[65];
    token_hash(req->args[1], hash);
    survey_draft_read d;
    int found = 0;
    if ((e = survey_store_draft_get(ctx->store, hash, p.id, &d, &found, &ctx->err)))
        return e;
    if (!found)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "token", "there is no such saved draft");
    put_draft(&resp->body, d.uuid, d.version, d.language, d.page, d.answers ? d.answers : "{}",
              d.updated_at);
    survey_draft_read_fini(&d);
    vk_resp_header(resp, "Cache-Control", "no-store");
    return VK_OK;
}

static void purge_drafts(vk_ctx *ctx, void *arg)
{
    (void)arg;
    char before[VK_RFC3339_LEN];
    vk_rfc3339_days_ago(DRAFT_KEEP_DAYS, before);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int64_t removed = 0;
    if (survey_store_draft_purge(ctx->store, before, &removed, &ei))
        vk_log("writer: the purge of old survey drafts failed: %s", ei.message);
    else if (removed)
        vk_log("writer: removed %lld survey drafts not saved for %d days", (long long)removed,
               DRAFT_KEEP_DAYS);
}

const vk_writer_hook survey_draft_purge_hook = {3600, purge_drafts, NULL};

/* ---- staff ---- */

static int put_version(void *arg, const survey_version_row *r)
{
    json_t *o = json_pack("{sI ss ss* sI}", "version", (json_int_t)r->version, "created",
                          r->created_at ? r->created_at : "", "created_by", r->created_by,
                          "responses", (json_int_t)r->responses);
    return json_array_append_new(arg, o) != 0;
}

static json_t *loads_or_null(const char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    return j ? j : json_null();
}

static json_t *text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* The staff view of the survey with slug into b; *found 0 when none. */
static vk_err staff_view(store_conn *c, const char *slug, vk_buf *b, int *found, vk_errinfo *ei)
{
    survey_row r;
    vk_err e = survey_store_get(c, slug, &r, found, ei);
    if (e || !*found)
        return e;
    char *definition = NULL;
    int has = 0;
    json_t *versions = json_array();
    if (r.version > 0)
        e = survey_store_version_text(c, r.id, r.version, &definition, &has, ei);
    if (!e)
        e = survey_store_versions(c, r.id, put_version, versions, ei);
    json_t *o = json_object();
    if (!e && o && versions) {
        json_object_set_new(o, "slug", json_string(r.slug));
        json_object_set_new(o, "state", json_string(r.state));
        json_object_set_new(o, "version", json_integer(r.version));
        json_object_set_new(o, "draft", loads_or_null(r.draft));
        json_object_set_new(o, "definition", loads_or_null(definition));
        json_object_set_new(o, "public_questions", loads_or_null(r.public_questions));
        json_object_set_new(o, "responses", json_integer(r.responses));
        json_object_set(o, "versions", versions);
        json_object_set_new(o, "created", text_or_null(r.created_at));
        json_object_set_new(o, "updated", text_or_null(r.updated_at));
        json_object_set_new(o, "published", text_or_null(r.published_at));
        json_object_set_new(o, "closed", text_or_null(r.closed_at));
        char *s = dump_compact(o);
        if (!s || vk_buf_puts(b, s) != 0)
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
        free(s);
    } else if (!e) {
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    json_decref(o);
    json_decref(versions);
    free(definition);
    survey_row_fini(&r);
    return e;
}

static int put_listed(void *arg, const survey_list_row *r)
{
    vk_buf *b = arg;
    vk_json_next(b);
    vk_buf_putc(b, '{');
    vk_json_member_str(b, "slug", r->slug);
    vk_json_key(b, "title");
    vk_buf_puts(b, r->title ? r->title : "null");
    vk_json_member_str(b, "state", r->state);
    vk_buf_printf(b, ",\"version\":%lld,\"responses\":%lld", (long long)r->version,
                  (long long)r->responses);
    vk_json_member_str(b, "updated", r->updated_at);
    vk_buf_putc(b, '}');
    return !vk_buf_ok(b);
}

vk_err api_staff_surveys(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    vk_buf_puts(&resp->body, "{\"surveys\":[");
    if ((e = survey_store_list(ctx->store, 0, put_listed, &resp->body, &ctx->err)))
        return e;
    vk_buf_puts(&resp->body, "]}");
    vk_resp_header(resp, "Cache-Control", "no-store");
    return VK_OK;
}

vk_err api_staff_survey_get(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const char *slug;
    int found = 0;
    vk_err e;
    if ((e = path_slug(ctx, req, &slug)) ||
        (e = staff_view(ctx->store, slug, &resp->body, &found, &ctx->err)))
        return e;
    if (!found)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "slug", "there is no survey '%s'", slug);
    vk_resp_header(resp, "Cache-Control", "no-store");
    return VK_OK;
}

/* ---- staff writes ---- */

typedef enum {
    ACT_CREATE,
    ACT_PUT,
    ACT_PUBLISH,
    ACT_CLOSE,
    ACT_REOPEN,
    ACT_ARCHIVE,
    ACT_DUPLICATE,
    ACT_PUBLIC
} staff_act;

typedef struct staff_job {
    vk_json_write w; /* first */
    staff_act act;
    char slug[SURVEY_SLUG_MAX + 1]; /* the survey (create: the new one's) */
    char new_slug[SURVEY_SLUG_MAX + 1]; /* duplicate: asked for, or "" */
    survey_def *def; /* create, put: the proposed definition */
    char *text;      /* create, put: its text; public: the questions */
} staff_job;

static void staff_free(void *state)
{
    staff_job *st = state;
    survey_def_free(st->def);
    free(st->text);
    vk_json_write_free(st);
}

static vk_err refuse_state(vk_errinfo *ei, const survey_row *r, const char *what)
{
    return vk_fail(ei, VK_ETRANSITION, "state", "a %s survey cannot be %s", r->state, what);
}

/* A published or closed survey's edit: a new version unless it changes
 * nothing or would orphan answers. */
static vk_err new_version(vk_ctx *ctx, staff_job *st, const survey_row *r, const char *now,
                          vk_errinfo *ei)
{
    const survey_cached *cur = NULL;
    vk_err e = survey_cache_get(ctx->store, ctx->gis, r->id, r->version, &cur, ei);
    if (e)
        return e;
    if (!cur)
        return vk_fail(ei, VK_EINTERNAL, "", "the survey's version is missing");
    if ((e = survey_def_check_change(cur->def, st->def, ei)))
        return e;
    if (strcmp(cur->text, st->text) == 0)
        return VK_OK;
    return survey_store_add_version(ctx->store, r->id, r->version + 1, st->text, st->w.actor,
                                    now, ei);
}

static vk_err duplicate(vk_ctx *ctx, staff_job *st, const char *now, vk_buf *body,
                        vk_errinfo *ei)
{
    char slug[SURVEY_SLUG_MAX + 1];
    int64_t id = 0;
    vk_err e = VK_ECONFLICT;
    for (int i = 1; i <= 20 && e == VK_ECONFLICT; i++) {
        if (st->new_slug[0] && i > 1)
            break;
        if (st->new_slug[0])
            snprintf(slug, sizeof slug, "%s", st->new_slug);
        else if (i == 1)
            snprintf(slug, sizeof slug, "%.*s-copy", SURVEY_SLUG_MAX - 5, st->slug);
        else
            snprintf(slug, sizeof slug, "%.*s-copy-%d", SURVEY_SLUG_MAX - 8, st->slug, i);
        if (json_object_set_new(st->w.doc, "slug", json_string(slug)))
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        char *text = dump_compact(st->w.doc);
        if (!text)
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        e = survey_store_create(ctx->store, slug, text, st->w.actor, now, &id, ei);
        free(text);
    }
    if (e)
        return e;
    st->w.job.status = 201;
    vk_buf_printf(body, "{\"slug\":\"%s\"}", slug);
    return VK_OK;
}

static vk_err staff_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                        vk_errinfo *ei)
{
    staff_job *st = (staff_job *)wj;
    vk_err e = VK_OK;
    int found = 0;
    wj->status = 200;
    if (st->act == ACT_CREATE) {
        int64_t id = 0;
        if ((e = survey_store_create(ctx->store, st->slug, st->text, st->w.actor, now, &id, ei)))
            return e;
        wj->status = 201;
    } else if (st->act == ACT_DUPLICATE) {
        return duplicate(ctx, st, now, body, ei);
    } else {
        survey_row r;
        if ((e = survey_store_get(ctx->store, st->slug, &r, &found, ei)))
            return e;
        if (!found)
            return vk_fail(ei, VK_ENOT_FOUND, "slug", "there is no survey '%s'", st->slug);
        const char *s = r.state;
        switch (st->act) {
        case ACT_PUT:
            if (strcmp(s, "draft") == 0)
                e = survey_store_set_draft(ctx->store, r.id, st->text, now, ei);
            else if (strcmp(s, "archived") == 0)
                e = refuse_state(ei, &r, "edited");
            else
                e = new_version(ctx, st, &r, now, ei);
            break;
        case ACT_PUBLISH:
            e = strcmp(s, "draft") ? refuse_state(ei, &r, "published (its edits are new versions)")
                                   : survey_store_add_version(ctx->store, r.id, r.version + 1,
                                                              r.draft, st->w.actor, now, ei);
            break;
        case ACT_CLOSE:
            e = strcmp(s, "published") ? refuse_state(ei, &r, "closed")
                                       : survey_store_set_state(ctx->store, r.id, "closed", now, ei);
            break;
        case ACT_REOPEN:
            e = strcmp(s, "closed") ? refuse_state(ei, &r, "reopened")
                                    : survey_store_set_state(ctx->store, r.id, "published", now, ei);
            break;
        case ACT_ARCHIVE:
            e = strcmp(s, "closed") ? refuse_state(ei, &r, "archived (close it first)")
                                    : survey_store_set_state(ctx->store, r.id, "archived", now, ei);
            break;
        case ACT_PUBLIC:
            e = survey_store_set_public(ctx->store, r.id, st->text, now, ei);
            break;
        default:
            e = vk_fail(ei, VK_EINTERNAL, "", NULL);
        }
        survey_row_fini(&r);
        if (e)
            return e;
    }
    if ((e = staff_view(ctx->store, st->slug, body, &found, ei)))
        return e;
    return found ? VK_OK : vk_fail(ei, VK_EINTERNAL, "", "the survey could not be read back");
}

static staff_job *staff_job_new(vk_ctx *ctx, const vk_req *req, staff_act act, const char *slug)
{
    staff_job *st = vk_json_write_new(ctx, sizeof *st, staff_run, "application/json");
    if (!st)
        return NULL;
    st->act = act;
    snprintf(st->slug, sizeof st->slug, "%s", slug ? slug : "");
    snprintf(st->w.actor, sizeof st->w.actor, "%s", req->staff ? req->staff->name : "?");
    return st;
}

static vk_err staff_defer(vk_ctx *ctx, staff_job *st, vk_resp *resp, vk_err e)
{
    if (e) {
        staff_free(st);
        return e;
    }
    vk_write_job_defer(ctx, &st->w.job, resp, vk_json_write_finish, staff_free);
    return VK_OK;
}

/* The body as a checked definition: st->def and its text. */
static vk_err read_definition(vk_ctx *ctx, const vk_req *req, staff_job *st)
{
    vk_err e = json_body(ctx, req, "survey definition", &st->w.doc);
    if (!e)
        e = survey_def_parse(ctx->gis, st->w.doc, &st->def, &ctx->err);
    if (!e && !(st->text = dump_compact(st->w.doc)))
        e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    return e;
}

vk_err api_staff_survey_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    staff_job *st = staff_job_new(ctx, req, ACT_CREATE, NULL);
    if (!st)
        return VK_ENOMEM;
    e = read_definition(ctx, req, st);
    if (!e)
        snprintf(st->slug, sizeof st->slug, "%s", st->def->slug);
    return staff_defer(ctx, st, resp, e);
}

vk_err api_staff_survey_put(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const char *slug;
    vk_err e = path_slug(ctx, req, &slug);
    if (e)
        return e;
    staff_job *st = staff_job_new(ctx, req, ACT_PUT, slug);
    if (!st)
        return VK_ENOMEM;
    e = read_definition(ctx, req, st);
    if (!e && strcmp(st->def->slug, slug) != 0)
        e = vk_fail(&ctx->err, VK_EVALUE, "slug",
                    "the slug is the survey's address and cannot change; duplicate the survey "
                    "for another");
    return staff_defer(ctx, st, resp, e);
}

static vk_err staff_action(vk_ctx *ctx, const vk_req *req, vk_resp *resp, staff_act act)
{
    const char *slug;
    vk_err e = path_slug(ctx, req, &slug);
    if (e)
        return e;
    staff_job *st = staff_job_new(ctx, req, act, slug);
    return st ? staff_defer(ctx, st, resp, VK_OK) : VK_ENOMEM;
}

vk_err api_staff_survey_publish(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return staff_action(ctx, req, resp, ACT_PUBLISH);
}

vk_err api_staff_survey_close(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return staff_action(ctx, req, resp, ACT_CLOSE);
}

vk_err api_staff_survey_reopen(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return staff_action(ctx, req, resp, ACT_REOPEN);
}

vk_err api_staff_survey_archive(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return staff_action(ctx, req, resp, ACT_ARCHIVE);
}

/* The survey's row and its draft parsed; 404 when there is none. */
static vk_err staff_source(vk_ctx *ctx, const char *slug, survey_row *r, json_t **doc)
{
    int found = 0;
    *doc = NULL;
    vk_err e = survey_store_get(ctx->store, slug, r, &found, &ctx->err);
    if (e)
        return e;
    if (!found)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "slug", "there is no survey '%s'", slug);
    if (!(*doc = json_loads(r->draft, 0, NULL))) {
        survey_row_fini(r);
        return vk_fail(&ctx->err, VK_EINTERNAL, "", "the stored survey is not JSON");
    }
    return VK_OK;
}

vk_err api_staff_survey_duplicate(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const char *slug;
    vk_err e = path_slug(ctx, req, &slug);
    if (e)
        return e;
    const char *asked = NULL;
    json_t *body = NULL;
    if (req->body_len) {
        static const char *const keys[] = {"slug", NULL};
        if ((e = json_body(ctx, req, "new slug", &body)))
            return e;
        if (!json_is_object(body))
            e = vk_fail(&ctx->err, VK_ETYPE, "", "send {\"slug\": the new survey's slug}");
        if (!e)
            e = api_json_keys(body, keys, &ctx->err);
        if (!e)
            e = api_json_string(body, "slug", 0, SURVEY_SLUG_MAX + 1, &asked, &ctx->err);
        if (!e && asked && !slug_ok(asked))
            e = vk_fail(&ctx->err, VK_EVALUE, "slug",
                        "a slug is 1 to 64 lower-case letters, digits and inner hyphens");
    }
    staff_job *st = e ? NULL : staff_job_new(ctx, req, ACT_DUPLICATE, slug);
    if (!e && !st)
        e = VK_ENOMEM;
    if (!e && asked)
        snprintf(st->new_slug, sizeof st->new_slug, "%s", asked);
    json_decref(body);
    if (e)
        return st ? staff_defer(ctx, st, resp, e) : e;
    survey_row r;
    if (!(e = staff_source(ctx, slug, &r, &st->w.doc)))
        survey_row_fini(&r);
    return staff_defer(ctx, st, resp, e);
}

/* {questions: [keys]}: each a map question of the survey's document, once. */
static vk_err read_public(vk_ctx *ctx, const json_t *doc, const survey_def *def, char **text)
{
    static const char *const keys[] = {"questions", NULL};
    vk_errinfo *ei = &ctx->err;
    if (!json_is_object(doc))
        return vk_fail(ei, VK_ETYPE, "", "send {\"questions\": [map question keys]}");
    vk_err e = api_json_keys(doc, keys, ei);
    if (e)
        return e;
    const json_t *qs = json_object_get(doc, "questions");
    if (!qs)
        return vk_fail(ei, VK_EMISSING, "questions", "send {\"questions\": [map question keys]}");
    if (!json_is_array(qs))
        return vk_fail(ei, VK_ETYPE, "questions", "\"questions\" is an array of map question keys");
    size_t i, j;
    const json_t *q, *q2;
    json_array_foreach((json_t *)qs, i, q) {
        char field[32];
        snprintf(field, sizeof field, "questions[%zu]", i);
        const survey_elem *el = json_is_string(q) ? survey_def_find(def, json_string_value(q)) : NULL;
        if (!el || el->parent >= 0 || !(el->type->flags & QT_MAP))
            return vk_fail(ei, VK_EVALUE, field, "not a map question of this survey");
        json_array_foreach((json_t *)qs, j, q2) {
            if (j < i && json_equal(q, q2))
                return vk_fail(ei, VK_EVALUE, field, "listed twice");
        }
    }
    if (!(*text = dump_compact(qs)))
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    return VK_OK;
}

vk_err api_staff_survey_public(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const char *slug;
    vk_err e = path_slug(ctx, req, &slug);
    if (e)
        return e;
    staff_job *st = staff_job_new(ctx, req, ACT_PUBLIC, slug);
    if (!st)
        return VK_ENOMEM;
    survey_row r;
    json_t *draft = NULL;
    if ((e = json_body(ctx, req, "public questions", &st->w.doc)) ||
        (e = staff_source(ctx, slug, &r, &draft)))
        return staff_defer(ctx, st, resp, e);
    survey_row_fini(&r);
    if (!(e = survey_def_parse(ctx->gis, draft, &st->def, &ctx->err)))
        e = read_public(ctx, st->w.doc, st->def, &st->text);
    json_decref(draft);
    return staff_defer(ctx, st, resp, e);
}
