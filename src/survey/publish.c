/*
 * publish.c — publication settings and "what we did", the moderation of
 * free text, and a respondent's own answers (publish.h). The public
 * figures are in publish_results.c.
 */
#include "survey/publish.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/sha256.h"
#include "http/deferred.h"
#include "http/params.h"
#include "survey/api.h"
#include "survey/cache.h"
#include "survey/privacy.h"
#include "survey/publish_internal.h"
#include "survey/publish_sql.h"
#include "survey/store.h"

DB_SLICE_DEFINE(publish_sql, PUBLISH_SQL)

#define WHAT_MAX 5000    /* characters of a "what we did" text */
#define LINKS_MAX 20
#define LINK_URL_MAX 2000
#define LINK_TITLE_MAX 300
#define K_MAX 1000
#define TEXTS_LIMIT_MAX 500

static const char *const no_params[] = {NULL};
static const char *const langs[] = {"fi", "sv", "en", NULL};

/* ---- settings ---- */

vk_err pub_settings_get(store_conn *c, int64_t survey_id, pub_settings *s, vk_errinfo *ei)
{
    memset(s, 0, sizeof *s);
    s->k = PRIV_K_DEFAULT;
    s->snap = 1;
    s->hex_size = 500;
    int found = 0;
    vk_err e = db_scan(c, &publish_sql, SQL_PUB_GET, DB_ARGS(DB_INT(survey_id)),
                       DB_OUTS(DB_INT_TO(&s->results), DB_COPY_TO(s->results_from, 16),
                               DB_INT_TO(&s->k), DB_INT_TO(&s->snap), DB_INT_TO(&s->hex_size),
                               DB_COPY_TO(s->status, 16), DB_DUP_TO(&s->what_we_did),
                               DB_DUP_TO(&s->links), DB_I64_TO(&s->revision),
                               DB_COPY_TO(s->updated_at, 32), DB_COPY_TO(s->updated_by, 65)),
                       &found, "reading a survey's publication", ei);
    if (e)
        return e;
    if (!s->what_we_did)
        s->what_we_did = strdup("{}");
    if (!s->links)
        s->links = strdup("[]");
    if (!s->what_we_did || !s->links) {
        pub_settings_fini(s);
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    if (s->k < PRIV_K_MIN) /* the schema forbids it; never trust one row */
        s->k = PRIV_K_MIN;
    return VK_OK;
}

void pub_settings_fini(pub_settings *s)
{
    free(s->what_we_did);
    free(s->links);
    s->what_we_did = s->links = NULL;
}

int pub_results_out(const pub_settings *s, const char *now)
{
    /* now is "YYYY-MM-DDT…": its first ten characters compare as dates */
    return s->results && (!s->results_from[0] || strncmp(now, s->results_from, 10) >= 0);
}

int pub_has_what_we_did(const pub_settings *s)
{
    return s->status[0] || strcmp(s->what_we_did, "{}") != 0 || strcmp(s->links, "[]") != 0;
}

void pub_put_what_we_did(vk_buf *b, const pub_settings *s, const char *now)
{
    vk_buf_puts(b, "{\"status\":");
    vk_json_str_or_null(b, s->status[0] ? s->status : NULL);
    vk_buf_printf(b, ",\"text\":%s,\"links\":%s,\"results\":%s}", s->what_we_did, s->links,
                  pub_results_out(s, now) ? "true" : "false");
}

int pub_is_personal(const survey_def *d, const char *key)
{
    for (size_t i = 0; i < d->n_elems; i++) {
        const survey_elem *el = &d->elems[i];
        if (strcmp(el->type->name, "consent") != 0)
            continue;
        if (strcmp(el->key, key) == 0)
            return 1;
        size_t j;
        const json_t *p;
        json_array_foreach(json_object_get(el->json, "personal"), j, p) {
            if (json_is_string(p) && strcmp(json_string_value(p), key) == 0)
                return 1;
        }
    }
    return 0;
}

vk_err survey_publish_landing(store_conn *c, int64_t survey_id, const char *now, vk_buf *b,
                              int64_t *revision, vk_errinfo *ei)
{
    pub_settings s;
    vk_err e = pub_settings_get(c, survey_id, &s, ei);
    if (e)
        return e;
    *revision = s.revision;
    if (pub_has_what_we_did(&s)) {
        vk_buf_puts(b, ",\"what_we_did\":");
        pub_put_what_we_did(b, &s, now);
    }
    pub_settings_fini(&s);
    return VK_OK;
}

/* ---- the survey of a path ---- */

/* The survey named by the path's first segment; 404 when there is none.
 * The slug is only bound, never echoed. */
static vk_err path_survey(vk_ctx *ctx, const vk_req *req, survey_row *r)
{
    const char *slug = req->nargs ? req->args[0] : "";
    int found = 0;
    vk_err e = strlen(slug) > SURVEY_SLUG_MAX
                   ? VK_OK
                   : survey_store_get(ctx->store, slug, r, &found, &ctx->err);
    if (e)
        return e;
    if (!found)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "slug", "there is no such survey");
    return VK_OK;
}

/* The definition of the survey's published version (NULL for a draft). */
static vk_err current_def(vk_ctx *ctx, const survey_row *r, const survey_def **def)
{
    *def = NULL;
    if (r->version < 1)
        return VK_OK;
    const survey_cached *sc = NULL;
    vk_err e = survey_cache_get(ctx->store, ctx->gis, r->id, r->version, &sc, &ctx->err);
    if (!e && sc)
        *def = sc->def;
    return e;
}

/* ---- staff: publication ---- */

static void put_publication(vk_buf *b, const survey_row *r, const pub_settings *s)
{
    vk_buf_putc(b, '{');
    vk_json_member_str(b, "slug", r->slug);
    vk_buf_printf(b, ",\"results\":%s", s->results ? "true" : "false");
    vk_json_member_str(b, "results_from", s->results_from[0] ? s->results_from : NULL);
    vk_buf_printf(b, ",\"k\":%d,\"snap\":%s,\"hex_size\":%d", s->k, s->snap ? "true" : "false",
                  s->hex_size);
    vk_json_member_str(b, "status", s->status[0] ? s->status : NULL);
    vk_buf_printf(b, ",\"what_we_did\":%s,\"links\":%s,\"public_questions\":%s", s->what_we_did,
                  s->links, r->public_questions ? r->public_questions : "[]");
    vk_json_member_str(b, "updated", s->updated_at[0] ? s->updated_at : NULL);
    vk_json_member_str(b, "updated_by", s->updated_by[0] ? s->updated_by : NULL);
    vk_buf_putc(b, '}');
}

vk_err api_staff_survey_publication(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    survey_row r;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e || (e = path_survey(ctx, req, &r)))
        return e;
    pub_settings s;
    if (!(e = pub_settings_get(ctx->store, r.id, &s, &ctx->err))) {
        put_publication(&resp->body, &r, &s);
        pub_settings_fini(&s);
    }
    survey_row_fini(&r);
    vk_resp_header(resp, "Cache-Control", "no-store");
    return e;
}

/* The members a PUT gives; the others keep their value. */
typedef struct pub_patch {
    vk_json_write w; /* first; w.doc is the body */
    char slug[SURVEY_SLUG_MAX + 1];
    int has_results, results, has_from, has_k, k, has_snap, snap, has_hex, hex_size;
    int has_status, has_what, has_links;
    char from[16], status[16];
    char *what, *links; /* compact JSON, owned */
} pub_patch;

static void patch_free(void *state)
{
    pub_patch *p = state;
    free(p->what);
    free(p->links);
    vk_json_write_free(p);
}

static vk_err read_bool(const json_t *doc, const char *key, int *has, int *out, vk_errinfo *ei)
{
    const json_t *v = json_object_get(doc, key);
    if (!v)
        return VK_OK;
    if (!json_is_boolean(v))
        return vk_fail(ei, VK_ETYPE, key, "\"%s\" is true or false", key);
    *has = 1;
    *out = json_is_true(v);
    return VK_OK;
}

static vk_err read_int(const json_t *doc, const char *key, int lo, int hi, int *has, int *out,
                       vk_errinfo *ei)
{
    const json_t *v = json_object_get(doc, key);
    if (!v)
        return VK_OK;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return vk_fail(ei, VK_EVALUE, key, "\"%s\" is a whole number from %d to %d", key, lo, hi);
    *has = 1;
    *out = (int)json_integer_value(v);
    return VK_OK;
}

/* {fi, sv, en}: each optional, a text of 1..max characters. */
static vk_err read_langs(const json_t *o, const char *field, size_t max, int multiline,
                         vk_errinfo *ei)
{
    if (!json_is_object(o))
        return vk_fail(ei, VK_ETYPE, field, "\"%s\" is an object {fi, sv, en}", field);
    char f[64];
    snprintf(f, sizeof f, "%s.", field);
    vk_err e = api_json_keys_prefixed(o, f, langs, ei);
    for (int i = 0; !e && langs[i]; i++) {
        const char *s;
        snprintf(f, sizeof f, "%s.%s", field, langs[i]);
        e = api_json_text_named(o, langs[i], f, 0, max, multiline, &s, ei);
    }
    return e;
}

static vk_err read_links(const json_t *v, vk_errinfo *ei)
{
    static const char *const keys[] = {"url", "title", NULL};
    if (!json_is_array(v) || json_array_size(v) > LINKS_MAX)
        return vk_fail(ei, VK_EVALUE, "links", "\"links\" is an array of at most %d links",
                       LINKS_MAX);
    size_t i;
    const json_t *l;
    json_array_foreach((json_t *)v, i, l) {
        char f[48];
        snprintf(f, sizeof f, "links[%zu]", i);
        if (!json_is_object(l))
            return vk_fail(ei, VK_ETYPE, f, "a link is {url, title: {fi, sv, en}}");
        char pre[56];
        snprintf(pre, sizeof pre, "%s.", f);
        vk_err e = api_json_keys_prefixed(l, pre, keys, ei);
        if (e)
            return e;
        const char *url = json_string_value(json_object_get(l, "url"));
        snprintf(f, sizeof f, "links[%zu].url", i);
        if (!url || strlen(url) > LINK_URL_MAX ||
            (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) ||
            url[strcspn(url, " \t\r\n\"<>\\")] != '\0')
            return vk_fail(ei, VK_EVALUE, f, "a link's url is an http:// or https:// address");
        snprintf(f, sizeof f, "links[%zu].title", i);
        const json_t *t = json_object_get(l, "title");
        if (!t)
            return vk_fail(ei, VK_EMISSING, f, "a link needs a title {fi, sv, en}");
        if ((e = read_langs(t, f, LINK_TITLE_MAX, 0, ei)))
            return e;
    }
    return VK_OK;
}

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

static vk_err read_patch(const json_t *doc, pub_patch *p, vk_errinfo *ei)
{
    static const char *const keys[] = {"results", "results_from", "k", "snap", "hex_size",
                                       "status", "what_we_did", "links", NULL};
    if (!json_is_object(doc))
        return vk_fail(ei, VK_ETYPE, "", "send the publication settings as a JSON object");
    vk_err e = api_json_keys(doc, keys, ei);
    if (!e)
        e = read_bool(doc, "results", &p->has_results, &p->results, ei);
    if (!e)
        e = read_bool(doc, "snap", &p->has_snap, &p->snap, ei);
    if (!e) {
        const json_t *k = json_object_get(doc, "k");
        if (json_is_integer(k) && json_integer_value(k) < PRIV_K_MIN)
            e = vk_fail(ei, VK_EVALUE, "k", "k is at least %d: fewer could single a person out",
                        PRIV_K_MIN);
    }
    if (!e)
        e = read_int(doc, "k", PRIV_K_MIN, K_MAX, &p->has_k, &p->k, ei);
    if (!e)
        e = read_int(doc, "hex_size", 100, 10000, &p->has_hex, &p->hex_size, ei);
    if (e)
        return e;
    const json_t *v = json_object_get(doc, "results_from");
    if (v) {
        const char *s = json_string_value(v);
        char t[VK_RFC3339_LEN];
        if (!json_is_null(v) &&
            (!s || strlen(s) != 10 || vk_param_time_text(s, 10, 0, t) < 0))
            return vk_fail(ei, VK_EVALUE, "results_from",
                           "\"results_from\" is a date YYYY-MM-DD or null");
        p->has_from = 1;
        snprintf(p->from, sizeof p->from, "%s", s ? s : "");
    }
    if ((v = json_object_get(doc, "status"))) {
        const char *s = json_string_value(v);
        if (!json_is_null(v) && (!s || (strcmp(s, "analysing") && strcmp(s, "decided") &&
                                        strcmp(s, "implemented"))))
            return vk_fail(ei, VK_EVALUE, "status",
                           "\"status\" is \"analysing\", \"decided\", \"implemented\" or null");
        p->has_status = 1;
        snprintf(p->status, sizeof p->status, "%s", s ? s : "");
    }
    if ((v = json_object_get(doc, "what_we_did"))) {
        if ((e = read_langs(v, "what_we_did", WHAT_MAX, 1, ei)))
            return e;
        p->has_what = 1;
        if (!(p->what = dump(v)))
            return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    if ((v = json_object_get(doc, "links"))) {
        if ((e = read_links(v, ei)))
            return e;
        p->has_links = 1;
        if (!(p->links = dump(v)))
            return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    return VK_OK;
}

static vk_err publication_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                              vk_errinfo *ei)
{
    pub_patch *p = (pub_patch *)wj;
    survey_row r;
    int found = 0;
    vk_err e = survey_store_get(ctx->store, p->slug, &r, &found, ei);
    if (e)
        return e;
    if (!found)
        return vk_fail(ei, VK_ENOT_FOUND, "slug", "there is no such survey");
    pub_settings s, before;
    if ((e = pub_settings_get(ctx->store, r.id, &s, ei))) {
        survey_row_fini(&r);
        return e;
    }
    /* The outcome as it was, to tell who asked when it changes. */
    if ((e = pub_settings_get(ctx->store, r.id, &before, ei))) {
        pub_settings_fini(&s);
        survey_row_fini(&r);
        return e;
    }
    if (p->has_results)
        s.results = p->results;
    if (p->has_from)
        snprintf(s.results_from, sizeof s.results_from, "%s", p->from);
    if (p->has_k)
        s.k = p->k;
    if (p->has_snap)
        s.snap = p->snap;
    if (p->has_hex)
        s.hex_size = p->hex_size;
    if (p->has_status)
        snprintf(s.status, sizeof s.status, "%s", p->status);
    const char *what = p->has_what ? p->what : s.what_we_did;
    const char *links = p->has_links ? p->links : s.links;
    if (s.results && r.version < 1)
        e = vk_fail(ei, VK_ETRANSITION, "results",
                    "a draft survey has no results to publish; publish the survey first");
    if (!e)
        e = db_run(ctx->store, &publish_sql, SQL_PUB_PUT,
                   DB_ARGS(DB_INT(r.id), DB_INT(s.results),
                           DB_TEXT(s.results_from[0] ? s.results_from : NULL), DB_INT(s.k),
                           DB_INT(s.snap), DB_INT(s.hex_size),
                           DB_TEXT(s.status[0] ? s.status : NULL), DB_TEXT(what),
                           DB_TEXT(links), DB_TEXT(now), DB_TEXT(p->w.actor)),
                   "saving a survey's publication", ei);
    pub_settings_fini(&s);
    if (!e && !(e = pub_settings_get(ctx->store, r.id, &s, ei))) {
        e = pub_notify_outcome(ctx, &r, &before, &s, now, ei);
        wj->status = 200;
        put_publication(body, &r, &s);
        pub_settings_fini(&s);
    }
    pub_settings_fini(&before);
    survey_row_fini(&r);
    return e;
}

vk_err api_staff_survey_publication_put(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    pub_patch *p = vk_json_write_new(ctx, sizeof *p, publication_run, "application/json");
    if (!p)
        return VK_ENOMEM;
    snprintf(p->slug, sizeof p->slug, "%s", req->nargs ? req->args[0] : "");
    snprintf(p->w.actor, sizeof p->w.actor, "%s", req->staff ? req->staff->name : "?");
    if (!vk_req_is_json(req))
        e = vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type",
                    "send the publication settings as application/json");
    if (!e)
        e = api_json_parse(req->body, req->body_len, &p->w.doc, &ctx->err);
    if (!e)
        e = read_patch(p->w.doc, p, &ctx->err);
    if (e) {
        patch_free(p);
        return e;
    }
    vk_write_job_defer(ctx, &p->w.job, resp, vk_json_write_finish, patch_free);
    return VK_OK;
}

/* ---- staff: free text ---- */

/* The keys of the survey's text questions and text follow-ups, as JSON
 * arrays (malloc'd; "[]" for a draft). */
static vk_err text_keys(const survey_def *d, char **questions, char **followups,
                        vk_errinfo *ei)
{
    json_t *q = json_array(), *f = json_array();
    for (size_t i = 0; d && i < d->n_elems; i++) {
        const survey_elem *el = &d->elems[i];
        if (strcmp(el->type->name, "text") == 0 && !pub_is_personal(d, el->key))
            json_array_append_new(el->parent < 0 ? q : f, json_string(el->key));
    }
    *questions = q ? dump(q) : NULL;
    *followups = f ? dump(f) : NULL;
    json_decref(q);
    json_decref(f);
    if (!*questions || !*followups) {
        free(*questions);
        free(*followups);
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    return VK_OK;
}

static void put_text(vk_buf *b, db_row *row)
{
    vk_json_open(b);
    vk_json_member_str(b, "id", db_col_text(row, 0));
    vk_json_member_str(b, "question", db_col_text(row, 1));
    if (!db_col_is_null(row, 2))
        vk_json_member_str(b, "followup", db_col_text(row, 2));
    vk_json_member_str(b, "text", db_col_text(row, 3));
    vk_json_member_str(b, "state", db_col_text(row, 4));
    vk_json_member_str(b, "submitted", db_col_text(row, 5));
    vk_buf_putc(b, '}');
}

static int put_text_row(void *arg, db_row *row)
{
    put_text(arg, row);
    return !vk_buf_ok(arg);
}

typedef struct text_counts {
    int64_t pending, approved, rejected;
} text_counts;

static int count_row(void *arg, db_row *row)
{
    text_counts *c = arg;
    const char *st = db_col_text(row, 0);
    int64_t n = db_col_int64(row, 1);
    if (st && strcmp(st, "approved") == 0)
        c->approved = n;
    else if (st && strcmp(st, "rejected") == 0)
        c->rejected = n;
    else
        c->pending = n;
    return 0;
}

static int state_ok(const char *s)
{
    return s && (!strcmp(s, "pending") || !strcmp(s, "approved") || !strcmp(s, "rejected"));
}

vk_err api_staff_survey_texts(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"state", "question", "limit", "offset", NULL};
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (e)
        return e;
    const char *state = vk_req_param(req, "state");
    const char *question = vk_req_param(req, "question");
    if (state && !state_ok(state))
        return vk_fail(&ctx->err, VK_EPARAM, "state",
                       "state is pending, approved or rejected");
    long long limit = 100, offset = 0;
    if ((e = vk_param_int(req, "limit", 1, TEXTS_LIMIT_MAX, VK_PARAM_FROM_TO, &limit,
                          &ctx->err)) ||
        (e = vk_param_int(req, "offset", 0, 1000000000, VK_PARAM_FROM_TO, &offset, &ctx->err)))
        return e;
    survey_row r;
    if ((e = path_survey(ctx, req, &r)))
        return e;
    const survey_def *d = NULL;
    char *qs = NULL, *fs = NULL;
    if (!(e = current_def(ctx, &r, &d)))
        e = text_keys(d, &qs, &fs, &ctx->err);
    text_counts c = {0, 0, 0};
    vk_buf *b = &resp->body;
    if (!e) {
        vk_buf_puts(b, "{\"texts\":[");
        e = db_each(ctx->store, &publish_sql, SQL_PUB_TEXTS,
                    DB_ARGS(DB_INT(r.id), DB_TEXT(qs), DB_TEXT(fs), DB_TEXT(state),
                            DB_TEXT(question), DB_INT(limit), DB_INT(offset)),
                    put_text_row, b, "reading free-text answers", &ctx->err);
    }
    if (!e)
        e = db_each(ctx->store, &publish_sql, SQL_PUB_TEXT_COUNTS,
                    DB_ARGS(DB_INT(r.id), DB_TEXT(qs), DB_TEXT(fs), DB_NULL, DB_TEXT(question)),
                    count_row, &c, "counting free-text answers", &ctx->err);
    if (!e) {
        int64_t total = state ? (!strcmp(state, "approved")   ? c.approved
                                 : !strcmp(state, "rejected") ? c.rejected
                                                              : c.pending)
                              : c.pending + c.approved + c.rejected;
        vk_buf_printf(b,
                      "],\"total\":%lld,\"counts\":{\"pending\":%lld,\"approved\":%lld,"
                      "\"rejected\":%lld}}",
                      (long long)total, (long long)c.pending, (long long)c.approved,
                      (long long)c.rejected);
    }
    free(qs);
    free(fs);
    survey_row_fini(&r);
    vk_resp_header(resp, "Cache-Control", "no-store");
    return e;
}

typedef struct text_job {
    vk_json_write w; /* first */
    int64_t survey_id;
    char id[SURVEY_SLUG_MAX * 2 + 48];
    char state[12];
    char *qs, *fs; /* text_keys */
} text_job;

static void text_job_free(void *state)
{
    text_job *t = state;
    free(t->qs);
    free(t->fs);
    vk_json_write_free(t);
}

typedef struct text_found {
    vk_buf *b;
    int64_t rid;
} text_found;

static vk_err text_one(void *arg, db_row *row)
{
    text_found *f = arg;
    f->rid = db_col_int64(row, 6);
    return VK_OK;
}

static vk_err text_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                       vk_errinfo *ei)
{
    text_job *t = (text_job *)wj;
    text_found f = {body, 0};
    int found = 0;
    vk_err e = db_first(ctx->store, &publish_sql, SQL_PUB_TEXT_ONE,
                        DB_ARGS(DB_INT(t->survey_id), DB_TEXT(t->qs), DB_TEXT(t->fs),
                                DB_TEXT(t->id)),
                        text_one, &f, &found, "reading a free-text answer", ei);
    if (e)
        return e;
    if (!found)
        return vk_fail(ei, VK_ENOT_FOUND, "id", "there is no such free-text answer");
    if ((e = db_run(ctx->store, &publish_sql, SQL_PUB_TEXT_SET,
                    DB_ARGS(DB_INT(f.rid), DB_TEXT(t->id), DB_TEXT(t->state), DB_TEXT(now),
                            DB_TEXT(t->w.actor)),
                    "moderating a free-text answer", ei)) ||
        (e = db_run(ctx->store, &publish_sql, SQL_PUB_BUMP,
                    DB_ARGS(DB_INT(t->survey_id), DB_TEXT(now)), "moderating a free-text answer",
                    ei)))
        return e;
    wj->status = 200;
    db_row *row = db_cursor(ctx->store, &publish_sql, SQL_PUB_TEXT_ONE,
                            DB_ARGS(DB_INT(t->survey_id), DB_TEXT(t->qs), DB_TEXT(t->fs),
                                    DB_TEXT(t->id)),
                            ei);
    if (!row)
        return ei->code ? ei->code : VK_EDB;
    int s = db_cursor_step(row);
    if (s == 1)
        put_text(body, row);
    db_cursor_end(row);
    return s == 1 ? VK_OK : vk_fail(ei, VK_EINTERNAL, "", "the text could not be read back");
}

/* RESPONSE.QUESTION or RESPONSE.QUESTION.INDEX.FOLLOWUP: digits and keys. */
static int answer_id_ok(const char *s)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 18 || s[n] != '.')
        return 0;
    s += n + 1;
    for (int part = 0; part < 3; part++) {
        if (part % 2 == 0) {
            if (*s < 'a' || *s > 'z')
                return 0;
            s += strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");
        } else {
            n = strspn(s, "0123456789");
            if (n == 0 || n > 9)
                return 0;
            s += n;
        }
        if (*s == '\0')
            return part != 1;
        if (*s != '.' || part == 2)
            return 0;
        s++;
    }
    return 0;
}

vk_err api_staff_survey_text_put(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"state", NULL};
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    const char *id = req->nargs > 1 ? req->args[1] : "";
    text_job *t = vk_json_write_new(ctx, sizeof *t, text_run, "application/json");
    if (!t)
        return VK_ENOMEM;
    snprintf(t->w.actor, sizeof t->w.actor, "%s", req->staff ? req->staff->name : "?");
    survey_row r;
    int have_row = 0;
    const char *state = NULL;
    if (strlen(id) >= sizeof t->id || !answer_id_ok(id))
        e = vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no such free-text answer");
    if (!e && !vk_req_is_json(req))
        e = vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type", "send {\"state\": …} as JSON");
    if (!e)
        e = api_json_parse(req->body, req->body_len, &t->w.doc, &ctx->err);
    if (!e && !json_is_object(t->w.doc))
        e = vk_fail(&ctx->err, VK_ETYPE, "", "send {\"state\": \"approved\"}");
    if (!e)
        e = api_json_keys(t->w.doc, keys, &ctx->err);
    if (!e)
        e = api_json_string(t->w.doc, "state", 1, 16, &state, &ctx->err);
    if (!e && !state_ok(state))
        e = vk_fail(&ctx->err, VK_EVALUE, "state", "state is pending, approved or rejected");
    if (!e && !(e = path_survey(ctx, req, &r)))
        have_row = 1;
    const survey_def *d = NULL;
    if (!e && !(e = current_def(ctx, &r, &d)))
        e = text_keys(d, &t->qs, &t->fs, &ctx->err);
    if (!e) {
        t->survey_id = r.id;
        snprintf(t->id, sizeof t->id, "%s", id);
        snprintf(t->state, sizeof t->state, "%s", state);
    }
    if (have_row)
        survey_row_fini(&r);
    if (e) {
        text_job_free(t);
        return e;
    }
    vk_write_job_defer(ctx, &t->w.job, resp, vk_json_write_finish, text_job_free);
    return VK_OK;
}

/* ---- a respondent's own answers ---- */

typedef struct mine {
    int64_t rid;
    char uuid[40], submitted[32];
    int64_t version;
} mine;

static vk_err mine_row(void *arg, db_row *row)
{
    mine *m = arg;
    m->rid = db_col_int64(row, 0);
    db_col_copy(row, 1, m->uuid, sizeof m->uuid);
    db_col_copy(row, 2, m->submitted, sizeof m->submitted);
    m->version = db_col_int64(row, 3);
    return VK_OK;
}

static int mine_answer(void *arg, db_row *row)
{
    const char *v = db_col_text(row, 1);
    json_t *j = v ? json_loads(v, JSON_DECODE_ANY, NULL) : NULL;
    return j ? json_object_set_new(arg, db_col_text(row, 0), j) != 0 : 0;
}

static int mine_feature(void *arg, db_row *row)
{
    json_t *answers = arg, *f = json_object();
    const char *q = db_col_text(row, 0), *located = db_col_text(row, 1);
    if (!f || !q || !located)
        return json_decref(f), 1;
    static const int cols[] = {2, 3, 4, 5};
    static const char *const names[] = {"geometry", "district", "place", "description"};
    static const char *const ways[] = {"geometry", "district", "place", "words"};
    for (int i = 0; i < 4; i++) {
        const char *v = db_col_text(row, cols[i]);
        if (strcmp(located, ways[i]) == 0 && v)
            json_object_set_new(f, names[i], i == 0 ? json_loads(v, 0, NULL) : json_string(v));
    }
    if (!db_col_is_null(row, 6))
        json_object_set_new(f, "item", json_string(db_col_text(row, 6)));
    const char *a = db_col_text(row, 7);
    json_t *fa = a ? json_loads(a, 0, NULL) : NULL;
    if (json_object_size(fa))
        json_object_set(f, "answers", fa);
    json_decref(fa);
    json_t *list = json_object_get(answers, q);
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(answers, q, list);
    }
    return json_array_append_new(list, f) != 0;
}

vk_err api_survey_mine(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    const char *token = req->nargs > 1 ? req->args[1] : "";
    survey_row r;
    if ((e = path_survey(ctx, req, &r)))
        return e;
    int64_t survey_id = r.id;
    survey_row_fini(&r);
    mine m = {0};
    int found = 0;
    char hash[65];
    vk_sha256_hex_of(token, strlen(token), hash);
    if (strlen(token) == SURVEY_DRAFT_TOKEN_LEN &&
        (e = db_first(ctx->store, &publish_sql, SQL_PUB_MINE,
                      DB_ARGS(DB_TEXT(hash), DB_INT(survey_id)), mine_row, &m, &found,
                      "reading a response", &ctx->err)))
        return e;
    if (!found)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "token", "there is no sent response of this link");
    json_t *answers = json_object();
    if (!answers)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    e = db_each(ctx->store, &publish_sql, SQL_PUB_MINE_ANSWERS, DB_ARGS(DB_INT(m.rid)),
                mine_answer, answers, "reading a response", &ctx->err);
    if (!e)
        e = db_each(ctx->store, &publish_sql, SQL_PUB_MINE_FEATURES, DB_ARGS(DB_INT(m.rid)),
                    mine_feature, answers, "reading a response", &ctx->err);
    char *text = e ? NULL : dump(answers);
    json_decref(answers);
    if (!e && !text)
        e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    if (!e) {
        vk_buf *b = &resp->body;
        vk_buf_printf(b, "{\"id\":\"%s\",\"submitted\":\"%s\",\"version\":%lld,\"answers\":%s}",
                      m.uuid, m.submitted, (long long)m.version, text);
    }
    free(text);
    vk_resp_header(resp, "Cache-Control", "no-store");
    return e;
}
