/*
 * api.c — the participatory budgeting routes (api.h, docs/budgeting.md).
 *
 * Every write is one kind of job (budget_job, its act says which) run by
 * the writer; each run reads the round again inside the transaction and
 * checks the phase there, so what the request thread saw is never trusted
 * for the decision.
 */
#include "budget/api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "budget/ballot.h"
#include "budget/cache.h"
#include "budget/notify.h"
#include "budget/round.h"
#include "budget/sql.h"
#include "budget/tally.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/sha256.h"
#include "http/deferred.h"
#include "http/params.h"

#define CODES_MAX 10000  /* per call */
#define CODE_CHARS 12
#define MERGE_MAX 100    /* proposals merged into one project per call */
#define LIST_MAX 1000

static const char *const no_params[] = {NULL};
static const char code_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/* ---- the round of a request ---- */

typedef struct round_row {
    int64_t id;
    const budget_cached *bc; /* given back by round_row_fini */
    const char *doc;         /* bc's stored document */
    const budget_round *r;   /* bc's parsed round */
    int published;
    char by_hand[20];
    int64_t proposals, hidden, projects, ballots, pending_paper; /* round_counts */
    budget_phase phase;
} round_row;

static void round_row_fini(round_row *x)
{
    budget_cache_put(x->bc);
    memset(x, 0, sizeof *x);
}

/* The round of slug, from the cache (cache.h): one indexed read when it
 * has not changed. *found 0 when there is none (or, for !staff, when it
 * is not published). Counts are left 0: round_counts reads them. */
static vk_err round_load(store_conn *c, const char *slug, int staff, round_row *x, int *found,
                         vk_errinfo *ei)
{
    memset(x, 0, sizeof *x);
    budget_stamp s;
    vk_err e = budget_cache_get(c, slug, &s, &x->bc, ei);
    *found = x->bc != NULL;
    if (e || !x->bc)
        return e;
    if (!staff && !s.published) {
        round_row_fini(x);
        *found = 0;
        return VK_OK;
    }
    x->id = x->bc->round_id;
    x->doc = x->bc->doc;
    x->r = &x->bc->r;
    x->published = s.published;
    snprintf(x->by_hand, sizeof x->by_hand, "%s", s.by_hand);
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    x->phase = budget_round_phase(x->r, x->by_hand, now);
    return VK_OK;
}

/* The counts of the round views (put_round): only those read them. The
 * public sees no ballot count before results, so none is counted then:
 * counting them grows with them, and the page is read all through voting. */
static vk_err round_counts(store_conn *c, round_row *x, int staff, vk_errinfo *ei)
{
    if (!staff && x->phase < BUDGET_RESULTS)
        return db_scan(c, &budget_sql, SQL_ROUND_COUNTS_NO_BALLOTS, DB_ARGS(DB_INT(x->id)),
                       DB_OUTS(DB_I64_TO(&x->proposals), DB_I64_TO(&x->projects)), NULL,
                       "counting a round's rows", ei);
    return db_scan(c, &budget_sql, SQL_ROUND_COUNTS, DB_ARGS(DB_INT(x->id)),
                   DB_OUTS(DB_I64_TO(&x->proposals), DB_I64_TO(&x->hidden),
                           DB_I64_TO(&x->projects), DB_I64_TO(&x->ballots),
                           DB_I64_TO(&x->pending_paper)),
                   NULL, "counting a round's rows", ei);
}

static int slug_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > BUDGET_SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* The round of the path's {slug}, 404 when there is none for this caller. */
static vk_err path_round(vk_ctx *ctx, const vk_req *req, int staff,
                         const char *const *params, round_row *x)
{
    memset(x, 0, sizeof *x);
    const char *slug = req->nargs ? req->args[0] : "";
    vk_err e = vk_req_only_params(req, params ? params : no_params, &ctx->err);
    if (e)
        return e;
    int found = 0;
    if (!slug_ok(slug))
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "slug", "there is no such round");
    if ((e = round_load(ctx->store, slug, staff, x, &found, &ctx->err)))
        return e;
    return found ? VK_OK : vk_fail(&ctx->err, VK_ENOT_FOUND, "slug", "there is no round '%s'", slug);
}

static vk_err path_id(vk_ctx *ctx, const vk_req *req, int64_t *id)
{
    *id = req->nargs ? api_parse_id(req->args[0]) : 0;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    return *id ? VK_OK : vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no such item");
}

static vk_err phase_refused(vk_errinfo *ei, const round_row *x, const char *what)
{
    return vk_fail(ei, VK_EPHASE_CLOSED, "phase", "%s is not possible in the %s phase", what,
                   budget_phase_name(x->phase));
}

static vk_err json_body(vk_ctx *ctx, const vk_req *req, json_t **doc)
{
    *doc = NULL;
    if (!vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type", "send application/json");
    vk_err e = api_json_parse(req->body, req->body_len, doc, &ctx->err);
    if (!e && !json_is_object(*doc))
        e = vk_fail(&ctx->err, VK_ETYPE, "", "the body is a JSON object");
    return e;
}

/* ---- views ---- */

/* The round's document with its state: public (staff 0) or staff view. */
static void put_round(vk_buf *b, const round_row *x, int staff)
{
    size_t n = strlen(x->doc);
    vk_buf_add(b, x->doc, n ? n - 1 : 0); /* the stored object without its '}' */
    vk_buf_printf(b, ",\"phase\":\"%s\",\"phase_by_hand\":%s", budget_phase_name(x->phase),
                  x->by_hand[0] ? "true" : "false");
    if (staff)
        vk_buf_printf(b, ",\"published\":%s,\"counts\":{\"proposals\":%lld,\"hidden\":%lld,"
                         "\"projects\":%lld,\"ballots\":%lld,\"pending_paper\":%lld}}",
                      x->published ? "true" : "false", (long long)x->proposals,
                      (long long)x->hidden, (long long)x->projects, (long long)x->ballots,
                      (long long)x->pending_paper);
    else if (x->phase >= BUDGET_RESULTS)
        vk_buf_printf(b, ",\"counts\":{\"proposals\":%lld,\"projects\":%lld,\"ballots\":%lld}}",
                      (long long)x->proposals, (long long)x->projects, (long long)x->ballots);
    else
        vk_buf_printf(b, ",\"counts\":{\"proposals\":%lld,\"projects\":%lld,\"ballots\":null}}",
                      (long long)x->proposals, (long long)x->projects);
}

static int put_feature_row(void *arg, db_row *row)
{
    vk_buf *b = arg;
    vk_buf_puts(b, b->len && b->data[b->len - 1] != '[' ? "," : "");
    const char *f = db_col_text(row, 0);
    vk_buf_puts(b, f ? f : "null");
    return !vk_buf_ok(b);
}

/* A project Feature: column 1 of the row, with votes and selected from
 * the tally (null when t is NULL). */
typedef struct project_walk {
    vk_buf *b;
    const budget_tally *t;
    const budget_round *r;
    const budget_projects *p;
} project_walk;

static int put_project_row(void *arg, db_row *row)
{
    project_walk *w = arg;
    const char *f = db_col_text(row, 1);
    size_t n = f ? strlen(f) : 0;
    if (n < 2)
        return 0;
    vk_buf_puts(w->b, w->b->len && w->b->data[w->b->len - 1] != '[' ? "," : "");
    vk_buf_add(w->b, f, n - 2); /* without the closing "}}" of properties and Feature */
    long long votes = -1;
    int sel = 0;
    if (w->t) {
        int pi = budget_projects_find(w->p, db_col_int64(row, 0));
        for (int a = 0; pi >= 0 && a < w->t->nareas; a++)
            for (int i = 0; i < w->t->area[a].np; i++)
                if (w->t->area[a].project[i] == pi) {
                    const budget_outcome *o = &w->t->area[a].o;
                    votes = o->votes[i];
                    sel = w->r->method == BUDGET_MES ? o->mes[i] : o->greedy[i];
                }
    }
    if (votes >= 0)
        vk_buf_printf(w->b, ",\"votes\":%lld,\"selected\":%s}}", votes, sel ? "true" : "false");
    else
        vk_buf_puts(w->b, ",\"votes\":null,\"selected\":null}}");
    return !vk_buf_ok(w->b);
}

/* ---- the writes ---- */

typedef enum {
    ACT_ROUND_CREATE,
    ACT_ROUND_PUT,
    ACT_PUBLISH,
    ACT_PHASE,
    ACT_PROPOSE,
    ACT_SUPPORT,
    ACT_MODERATE,
    ACT_REVIEW,
    ACT_PROJECT_CREATE,
    ACT_PROJECT_PATCH,
    ACT_PROJECT_UPDATE,
    ACT_CODES,
    ACT_VOTE,
    ACT_BALLOT_PUT,
    ACT_PAPER,
    ACT_CONFIRM
} budget_act;

typedef struct budget_job {
    vk_json_write w; /* first; w.doc is the request body */
    budget_act act;
    char slug[BUDGET_SLUG_MAX + 1];
    int64_t id;
    char *text;      /* a round's document; a project's title */
    char *text2;     /* a project's description; an update's photos */
    /* proposals and projects */
    unsigned char *wkb;
    size_t wkb_n;
    char located[12];
    char district[48];
    char area[BUDGET_KEY_MAX + 1];
    const char *title, *description, *category, *language, *unit, *note, *reason;
    const json_t *contact;
    int64_t cost;
    int feasible;
    int64_t merge[MERGE_MAX];
    int nmerge;
    char phase[VK_RFC3339_LEN]; /* a phase name; for a changed ballot, when it was first sent */
    const char *status, *status_reason;
    /* supports and ballots */
    char browser[65];
    char code_hash[65];
    char kind[8];
    const char *age_group, *postal_code, *sheet;
    budget_choice choice;
    char token[BUDGET_TOKEN_LEN + 1];
    char token_hash[65];
    /* codes */
    char batch[65];
    int ncodes;
    char (*codes)[CODE_CHARS + 3];
} budget_job;

static void job_free(void *state)
{
    budget_job *st = state;
    free(st->text);
    free(st->text2);
    free(st->wkb);
    free(st->choice.text);
    free(st->codes);
    sodium_memzero(st->token, sizeof st->token);
    vk_json_write_free(st);
}

static void job_finish(void *state, vk_resp *resp)
{
    budget_job *st = state;
    if (st->w.job.err.code == VK_OK && st->w.job.location)
        vk_resp_header(resp, "Location", st->w.job.location);
    if (st->w.job.err.code == VK_OK && st->w.job.replayed)
        vk_resp_header(resp, "Idempotent-Replayed", "true");
    vk_json_write_finish(state, resp);
}

static budget_job *job_new(vk_ctx *ctx, const vk_req *req, budget_act act);

static vk_err job_defer(vk_ctx *ctx, budget_job *st, vk_resp *resp, vk_err e)
{
    if (e) {
        job_free(st);
        return e;
    }
    vk_write_job_defer(ctx, &st->w.job, resp, job_finish, job_free);
    return VK_OK;
}

static void set_location(vk_write_job *wj, const char *prefix, int64_t id)
{
    size_t n = strlen(prefix) + 24;
    if ((wj->location = malloc(n)))
        snprintf(wj->location, n, "%s%lld", prefix, (long long)id);
}

/* The round again, inside the transaction. */
static vk_err reload(vk_ctx *ctx, const char *slug, round_row *x, vk_errinfo *ei)
{
    int found = 0;
    vk_err e = round_load(ctx->store, slug, 1, x, &found, ei);
    if (!e && !found)
        e = vk_fail(ei, VK_ENOT_FOUND, "slug", "there is no round '%s'", slug);
    return e;
}

static vk_err body_round(vk_ctx *ctx, const char *slug, vk_buf *body, vk_errinfo *ei)
{
    round_row x;
    vk_err e = reload(ctx, slug, &x, ei);
    if (!e)
        e = round_counts(ctx->store, &x, 1, ei);
    if (!e)
        put_round(body, &x, 1);
    round_row_fini(&x);
    return e;
}

static vk_err body_proposal(vk_ctx *ctx, int64_t id, int staff, vk_buf *body, vk_errinfo *ei)
{
    int found = 0;
    vk_err e = staff ? db_each(ctx->store, &budget_sql, SQL_PROPOSAL_STAFF,
                               DB_ARGS(DB_NULL, DB_INT(id)), put_feature_row, body,
                               "reading a proposal", ei)
                     : db_each(ctx->store, &budget_sql, SQL_PROPOSAL_FEATURE,
                               DB_ARGS(DB_INT(id), DB_INT(1)), put_feature_row, body,
                               "reading a proposal", ei);
    found = body->len > 0;
    return e ? e : found ? VK_OK : vk_fail(ei, VK_ENOT_FOUND, "id", "there is no proposal %lld",
                                           (long long)id);
}

static vk_err body_project(vk_ctx *ctx, int64_t id, vk_buf *body, vk_errinfo *ei)
{
    project_walk w = {body, NULL, NULL, NULL};
    vk_err e = db_each(ctx->store, &budget_sql, SQL_PROJECT_FEATURE, DB_ARGS(DB_INT(id)),
                       put_project_row, &w, "reading a project", ei);
    return e ? e : body->len ? VK_OK : vk_fail(ei, VK_ENOT_FOUND, "id", "there is no project %lld",
                                               (long long)id);
}

/* The round a proposal or project belongs to, by its id. */
static vk_err owner_round(vk_ctx *ctx, int stmt, int64_t id, round_row *x, char *state,
                          size_t state_n, int64_t *project, vk_errinfo *ei)
{
    int64_t round_id = 0, proj = 0;
    char st[20] = "";
    int found = 0;
    memset(x, 0, sizeof *x); /* the caller finishes it even when this fails */
    vk_err e = stmt == SQL_PROPOSAL_HEAD
                   ? db_scan(ctx->store, &budget_sql, SQL_PROPOSAL_HEAD, DB_ARGS(DB_INT(id)),
                             DB_OUTS(DB_I64_TO(&round_id), DB_COPY_TO(st, sizeof st),
                                     DB_I64_TO(&proj)),
                             &found, "reading a proposal", ei)
                   : db_scan(ctx->store, &budget_sql, SQL_PROJECT_HEAD, DB_ARGS(DB_INT(id)),
                             DB_OUTS(DB_I64_TO(&round_id), DB_COPY_TO(st, sizeof st)), &found,
                             "reading a project", ei);
    if (e)
        return e;
    if (!found)
        return vk_fail(ei, VK_ENOT_FOUND, "id", "there is no such item");
    char slug[BUDGET_SLUG_MAX + 1] = "";
    if ((e = db_scan(ctx->store, &budget_sql, SQL_ROUND_SLUG, DB_ARGS(DB_INT(round_id)),
                     DB_OUTS(DB_COPY_TO(slug, sizeof slug)), &found, "reading a round", ei)))
        return e;
    if (state)
        snprintf(state, state_n, "%s", st);
    if (project)
        *project = proj;
    return reload(ctx, slug, x, ei);
}

static vk_err run_round(vk_ctx *ctx, budget_job *st, const char *now, vk_buf *body,
                        vk_errinfo *ei)
{
    vk_write_job *wj = &st->w.job;
    if (st->act == ACT_ROUND_CREATE) {
        vk_err e = db_run(ctx->store, &budget_sql, SQL_ROUND_INSERT,
                          DB_ARGS(DB_TEXT(st->slug), DB_TEXT(st->text), DB_TEXT(now),
                                  DB_TEXT(st->w.actor)),
                          "saving a round", ei);
        if (e && db_last_constraint(ctx->store) == DB_CONSTRAINT_UNIQUE)
            return vk_fail(ei, VK_ECONFLICT, "slug", "there is already a round '%s'", st->slug);
        if (e)
            return e;
        wj->status = 201;
        return body_round(ctx, st->slug, body, ei);
    }
    round_row x;
    vk_err e = reload(ctx, st->slug, &x, ei);
    if (!e && st->act == ACT_ROUND_PUT) {
        /* From voting on, what decides the result is fixed. */
        static const char *const fixed[] = {"voting", "method", "areas", "budget", NULL};
        json_t *doc = json_loads(st->text, 0, NULL);
        for (int i = 0; !e && doc && fixed[i] && x.phase >= BUDGET_VOTING; i++)
            if (!json_equal(json_object_get(doc, fixed[i]), json_object_get(x.r->doc, fixed[i])))
                e = vk_fail(ei, VK_EROUND_LOCKED, fixed[i],
                            "voting has opened: \"%s\" can no longer change", fixed[i]);
        json_decref(doc);
        if (!e)
            e = db_run(ctx->store, &budget_sql, SQL_ROUND_SET_DOC,
                       DB_ARGS(DB_INT(x.id), DB_TEXT(st->text), DB_TEXT(now)), "saving a round", ei);
        /* New dates may bring the results (or take them back). */
        round_row y;
        if (!e && !(e = reload(ctx, st->slug, &y, ei))) {
            if (y.published)
                e = budget_notify_results(ctx, y.id, y.r, y.phase, now, ei);
            round_row_fini(&y);
        }
    } else if (!e && st->act == ACT_PUBLISH) {
        e = db_run(ctx->store, &budget_sql, SQL_ROUND_PUBLISH, DB_ARGS(DB_INT(x.id), DB_TEXT(now)),
                   "publishing a round", ei);
    } else if (!e && st->act == ACT_PHASE) {
        e = db_run(ctx->store, &budget_sql, SQL_ROUND_SET_PHASE,
                   DB_ARGS(DB_INT(x.id), DB_TEXT(st->phase[0] ? st->phase : NULL), DB_TEXT(now)),
                   "setting a round's phase", ei);
        /* Voters who asked hear of the results when a published round
         * reaches them. */
        if (!e && x.published)
            e = budget_notify_results(ctx, x.id, x.r,
                                      budget_round_phase(x.r, st->phase[0] ? st->phase : NULL, now),
                                      now, ei);
    }
    round_row_fini(&x);
    wj->status = 200;
    return e ? e : body_round(ctx, st->slug, body, ei);
}

static vk_err run_propose(vk_ctx *ctx, budget_job *st, const char *now, vk_buf *body,
                          vk_errinfo *ei)
{
    round_row x;
    vk_err e = reload(ctx, st->slug, &x, ei);
    if (!e && (!x.published || x.phase != BUDGET_PROPOSALS))
        e = phase_refused(ei, &x, "Proposing");
    int64_t round_id = x.id;
    round_row_fini(&x);
    if (e)
        return e;
    if ((e = db_run(ctx->store, &budget_sql, SQL_PROPOSAL_INSERT,
                    DB_ARGS(DB_INT(round_id), DB_TEXT(st->title), DB_TEXT(st->description),
                            DB_TEXT(st->category), DB_TEXT(st->language), DB_TEXT(st->located),
                            DB_TEXT(st->district[0] ? st->district : NULL),
                            DB_TEXT(st->area[0] ? st->area : NULL), DB_TEXT(now),
                            st->wkb ? DB_BLOB(st->wkb, st->wkb_n) : DB_NULL),
                    "saving a proposal", ei)))
        return e;
    int64_t id = db_last_id(ctx->store);
    if (st->contact) {
        const json_t *c = st->contact;
        if ((e = db_run(ctx->store, &budget_sql, SQL_CONTACT_INSERT,
                        DB_ARGS(DB_INT(id), DB_TEXT(json_string_value(json_object_get(c, "name"))),
                                DB_TEXT(json_string_value(json_object_get(c, "email"))),
                                DB_TEXT(json_string_value(json_object_get(c, "phone")))),
                        "saving contact details", ei)))
            return e;
    }
    st->w.job.status = 201;
    set_location(&st->w.job, "/api/v1/budget/proposals/", id);
    return body_proposal(ctx, id, 0, body, ei);
}

static vk_err run_support(vk_ctx *ctx, budget_job *st, const char *now, vk_buf *body,
                          vk_errinfo *ei)
{
    round_row x;
    char moderation[20];
    vk_err e = owner_round(ctx, SQL_PROPOSAL_HEAD, st->id, &x, moderation, sizeof moderation,
                           NULL, ei);
    if (!e && (!x.published || strcmp(moderation, "public") != 0))
        e = vk_fail(ei, VK_ENOT_FOUND, "id", "there is no proposal %lld", (long long)st->id);
    if (!e && x.phase != BUDGET_PROPOSALS && x.phase != BUDGET_REVIEW)
        e = phase_refused(ei, &x, "Supporting a proposal");
    round_row_fini(&x);
    if (e || (e = db_run(ctx->store, &budget_sql, SQL_SUPPORT_INSERT,
                         DB_ARGS(DB_INT(st->id), DB_TEXT(st->browser), DB_TEXT(now)),
                         "saving a support", ei)))
        return e;
    int counted = db_changes(ctx->store) > 0;
    int64_t n = 0;
    if ((counted && (e = db_run(ctx->store, &budget_sql, SQL_SUPPORT_COUNT, DB_ARGS(DB_INT(st->id)),
                                "counting a support", ei))) ||
        (e = db_int64(ctx->store, &budget_sql, SQL_SUPPORTS, DB_ARGS(DB_INT(st->id)), &n,
                      "counting supports", ei)))
        return e;
    st->w.job.status = 200;
    vk_buf_printf(body, "{\"id\":%lld,\"supports\":%lld,\"counted\":%s}", (long long)st->id,
                  (long long)n, counted ? "true" : "false");
    return VK_OK;
}

static vk_err run_proposal_staff(vk_ctx *ctx, budget_job *st, const char *now, vk_buf *body,
                                 vk_errinfo *ei)
{
    round_row x;
    vk_err e = owner_round(ctx, SQL_PROPOSAL_HEAD, st->id, &x, NULL, 0, NULL, ei);
    if (!e && st->act == ACT_REVIEW && x.phase >= BUDGET_VOTING)
        e = phase_refused(ei, &x, "Reviewing");
    round_row_fini(&x);
    if (e)
        return e;
    if (st->act == ACT_MODERATE)
        e = db_run(ctx->store, &budget_sql, SQL_PROPOSAL_MODERATE,
                   DB_ARGS(DB_INT(st->id), DB_TEXT(st->status), DB_TEXT(st->note)),
                   "moderating a proposal", ei);
    else
        e = db_run(ctx->store, &budget_sql, SQL_PROPOSAL_REVIEW,
                   DB_ARGS(DB_INT(st->id), DB_INT(st->feasible), DB_TEXT(st->reason),
                           DB_INT(st->cost), DB_TEXT(st->unit), DB_TEXT(now)),
                   "reviewing a proposal", ei);
    st->w.job.status = 200;
    return e ? e : body_proposal(ctx, st->id, 1, body, ei);
}

static vk_err run_project(vk_ctx *ctx, budget_job *st, const char *now, vk_buf *body,
                          vk_errinfo *ei)
{
    round_row x;
    vk_err e = st->act == ACT_PROJECT_CREATE
                   ? reload(ctx, st->slug, &x, ei)
                   : owner_round(ctx, SQL_PROJECT_HEAD, st->id, &x, NULL, 0, NULL, ei);
    int64_t round_id = x.id;
    int editing = st->act == ACT_PROJECT_PATCH &&
                  (st->text || st->text2 || st->cost || st->unit || st->category);
    if (!e && (st->act == ACT_PROJECT_CREATE || editing) && x.phase >= BUDGET_VOTING)
        e = phase_refused(ei, &x, "Changing projects");
    if (!e && (st->status || st->act == ACT_PROJECT_UPDATE) && x.phase < BUDGET_RESULTS)
        e = phase_refused(ei, &x, "Following implementation");
    round_row_fini(&x);
    if (e)
        return e;
    st->w.job.status = 200;
    if (st->act == ACT_PROJECT_CREATE) {
        if ((e = db_run(ctx->store, &budget_sql, SQL_PROJECT_INSERT,
                        DB_ARGS(DB_INT(round_id), DB_TEXT(st->text), DB_TEXT(st->text2),
                                DB_TEXT(st->category), DB_TEXT(st->area),
                                DB_TEXT(st->district[0] ? st->district : NULL), DB_INT(st->cost),
                                DB_TEXT(st->unit), DB_TEXT(now),
                                st->wkb ? DB_BLOB(st->wkb, st->wkb_n) : DB_NULL),
                        "saving a project", ei)))
            return e;
        st->id = db_last_id(ctx->store);
        st->w.job.status = 201;
        set_location(&st->w.job, "/api/v1/budget/projects/", st->id);
    } else if (editing && (e = db_run(ctx->store, &budget_sql, SQL_PROJECT_EDIT,
                                      DB_ARGS(DB_INT(st->id), DB_TEXT(st->text), DB_TEXT(st->text2),
                                              st->cost ? DB_INT(st->cost) : DB_NULL,
                                              DB_TEXT(st->unit), DB_TEXT(st->category),
                                              DB_TEXT(now)),
                                      "saving a project", ei))) {
        return e;
    }
    for (int i = 0; i < st->nmerge; i++) {
        if ((e = db_run(ctx->store, &budget_sql, SQL_PROPOSAL_MERGE,
                        DB_ARGS(DB_INT(st->merge[i]), DB_INT(st->id), DB_INT(round_id)),
                        "merging a proposal", ei)))
            return e;
        if (db_changes(ctx->store) != 1)
            return vk_fail(ei, VK_ECONFLICT, "proposals",
                           "proposal %lld is not in this round or is already in a project",
                           (long long)st->merge[i]);
    }
    if (st->status &&
        (e = db_run(ctx->store, &budget_sql, SQL_PROJECT_STATUS,
                    DB_ARGS(DB_INT(st->id), DB_TEXT(st->status), DB_TEXT(st->status_reason),
                            DB_TEXT(now)),
                    "saving a project's status", ei)))
        return e;
    if (st->act == ACT_PROJECT_UPDATE) {
        char *text = json_dumps(json_object_get(st->w.doc, "text"), JSON_COMPACT);
        e = db_run(ctx->store, &budget_sql, SQL_PROJECT_UPDATE_INSERT,
                   DB_ARGS(DB_INT(st->id), DB_TEXT(now), DB_TEXT(st->status), DB_TEXT(text),
                           DB_TEXT(st->text2 ? st->text2 : "[]")),
                   "saving an update", ei);
        free(text);
        if (e)
            return e;
        st->w.job.status = 201;
    }
    return body_project(ctx, st->id, body, ei);
}

static vk_err run_codes(vk_ctx *ctx, budget_job *st, const char *now, vk_buf *body,
                        vk_errinfo *ei)
{
    round_row x;
    vk_err e = reload(ctx, st->slug, &x, ei);
    if (!e && x.phase >= BUDGET_RESULTS)
        e = phase_refused(ei, &x, "Making voting codes");
    int64_t round_id = x.id;
    round_row_fini(&x);
    vk_buf_printf(body, "{\"batch\":");
    vk_json_str(body, st->batch, strlen(st->batch));
    vk_buf_puts(body, ",\"codes\":[");
    for (int i = 0; !e && i < st->ncodes; i++) {
        char plain[CODE_CHARS + 1], hash[65];
        size_t k = 0;
        for (const char *s = st->codes[i]; *s; s++)
            if (*s != '-')
                plain[k++] = *s;
        plain[k] = '\0';
        vk_sha256_hex_of(plain, k, hash);
        e = db_run(ctx->store, &budget_sql, SQL_CODE_INSERT,
                   DB_ARGS(DB_TEXT(hash), DB_INT(round_id), DB_TEXT(st->batch), DB_TEXT(now)),
                   "saving voting codes", ei);
        if (e && db_last_constraint(ctx->store) == DB_CONSTRAINT_UNIQUE)
            e = vk_fail(ei, VK_EBUSY, "", "two codes came out the same; ask again");
        vk_buf_printf(body, "%s\"%s\"", i ? "," : "", st->codes[i]);
    }
    vk_buf_puts(body, "]}");
    st->w.job.status = 201;
    return e;
}

static void put_ballot(vk_buf *b, const char *slug, const char *area, const char *choices,
                       int64_t total, const char *submitted, const char *changed, int open)
{
    vk_buf_puts(b, "{");
    vk_json_member_str(b, "round", slug);
    vk_json_member_str(b, "area", area);
    int points = choices && choices[0] == '{';
    vk_buf_printf(b, ",\"projects\":%s,\"points\":%s,\"total\":%lld", points ? "null" : choices,
                  points ? choices : "null", (long long)total);
    vk_json_member_str(b, "submitted", submitted);
    vk_json_member_str(b, "changed", changed && *changed ? changed : NULL);
    vk_buf_printf(b, ",\"open\":%s}", open ? "true" : "false");
}

static vk_err run_vote(vk_ctx *ctx, budget_job *st, const char *now, vk_buf *body,
                       vk_errinfo *ei)
{
    round_row x;
    vk_err e = reload(ctx, st->slug, &x, ei);
    if (!e && (!x.published || x.phase != BUDGET_VOTING))
        e = phase_refused(ei, &x, "Voting");
    int64_t round_id = x.id;
    round_row_fini(&x);
    if (e)
        return e;
    if (st->code_hash[0]) {
        int used = 0, found = 0;
        if ((e = db_scan(ctx->store, &budget_sql, SQL_CODE_GET,
                         DB_ARGS(DB_TEXT(st->code_hash), DB_INT(round_id)),
                         DB_OUTS(DB_INT_TO(&used)), &found, "reading a voting code", ei)))
            return e;
        if (!found)
            return vk_fail(ei, VK_ECODE_INVALID, "code", "there is no such voting code in this round");
        if (used)
            return vk_fail(ei, VK_ECODE_USED, "code", "this voting code has already been used");
        if ((e = db_run(ctx->store, &budget_sql, SQL_CODE_USE, DB_ARGS(DB_TEXT(st->code_hash)),
                        "using a voting code", ei)))
            return e;
    } else if (!strcmp(st->kind, "open")) {
        if ((e = db_run(ctx->store, &budget_sql, SQL_VOTER_INSERT,
                        DB_ARGS(DB_INT(round_id), DB_TEXT(st->browser)), "noting a voter", ei)))
            return e;
        if (db_changes(ctx->store) == 0)
            return vk_fail(ei, VK_EBALLOT_EXISTS, "",
                           "this browser has already voted in this round; change the ballot "
                           "through its link");
    }
    int paper = !strcmp(st->kind, "paper");
    e = db_run(ctx->store, &budget_sql, SQL_BALLOT_INSERT,
               DB_ARGS(DB_INT(round_id), DB_TEXT(st->choice.area), DB_TEXT(st->kind),
                       DB_TEXT(st->choice.text), DB_INT(st->choice.total), DB_TEXT(st->age_group),
                       DB_TEXT(st->postal_code), DB_TEXT(paper ? NULL : st->token_hash),
                       DB_TEXT(st->sheet), DB_TEXT(paper ? st->w.actor : NULL), DB_INT(!paper),
                       DB_TEXT(now)),
               "saving a ballot", ei);
    if (e && paper && db_last_constraint(ctx->store) == DB_CONSTRAINT_UNIQUE)
        return vk_fail(ei, VK_ECONFLICT, "sheet", "the sheet '%s' has already been entered",
                       st->sheet);
    if (e)
        return e;
    st->w.job.status = 201;
    if (paper) {
        vk_buf_printf(body, "{\"id\":%lld,\"state\":\"pending\"", (long long)db_last_id(ctx->store));
        vk_json_key(body, "sheet");
        vk_json_str(body, st->sheet, strlen(st->sheet));
        vk_json_member_str(body, "entered_by", st->w.actor);
        vk_buf_puts(body, "}");
        return VK_OK;
    }
    /* The change link is the ballot page's own address (web/budget.js). */
    vk_buf_printf(body, "{\"ballot\":\"%.12s\",\"token\":\"%s\",\"change\":\"/b/%s?ballot=%s\"",
                  st->token_hash, st->token, st->slug, st->token);
    vk_json_member_str(body, "area", st->choice.area);
    int points = st->choice.text[0] == '{';
    vk_buf_printf(body, ",\"projects\":%s,\"points\":%s,\"total\":%lld",
                  points ? "null" : st->choice.text, points ? st->choice.text : "null",
                  (long long)st->choice.total);
    vk_json_member_str(body, "submitted", now);
    vk_buf_puts(body, "}");
    return VK_OK;
}

static vk_err run_ballot_put(vk_ctx *ctx, budget_job *st, const char *now, vk_buf *body,
                             vk_errinfo *ei)
{
    round_row x;
    vk_err e = reload(ctx, st->slug, &x, ei);
    if (!e && x.phase != BUDGET_VOTING)
        e = phase_refused(ei, &x, "Changing a ballot");
    round_row_fini(&x);
    if (e || (e = db_run(ctx->store, &budget_sql, SQL_BALLOT_UPDATE,
                         DB_ARGS(DB_INT(st->id), DB_TEXT(st->choice.area), DB_TEXT(st->choice.text),
                                 DB_INT(st->choice.total), DB_TEXT(now)),
                         "changing a ballot", ei)))
        return e;
    st->w.job.status = 200;
    char submitted[VK_RFC3339_LEN] = "";
    snprintf(submitted, sizeof submitted, "%s", st->phase); /* carried from the request */
    put_ballot(body, st->slug, st->choice.area, st->choice.text, st->choice.total, submitted, now,
               1);
    return VK_OK;
}

static vk_err run_confirm(vk_ctx *ctx, budget_job *st, const char *now, vk_buf *body,
                          vk_errinfo *ei)
{
    int64_t round_id = 0;
    int counted = 0, found = 0;
    char entered_by[65] = "";
    vk_err e = db_scan(ctx->store, &budget_sql, SQL_PAPER_GET, DB_ARGS(DB_INT(st->id)),
                       DB_OUTS(DB_I64_TO(&round_id), DB_COPY_TO(entered_by, sizeof entered_by),
                               DB_INT_TO(&counted)),
                       &found, "reading a paper ballot", ei);
    if (e)
        return e;
    if (!found)
        return vk_fail(ei, VK_ENOT_FOUND, "id", "there is no paper ballot %lld", (long long)st->id);
    if (strcmp(entered_by, st->w.actor) == 0)
        return vk_fail(ei, VK_ESAME_PERSON, "",
                       "you entered this ballot: another staff account must confirm it");
    char slug[BUDGET_SLUG_MAX + 1] = "";
    round_row x;
    if ((e = db_scan(ctx->store, &budget_sql, SQL_ROUND_SLUG, DB_ARGS(DB_INT(round_id)),
                     DB_OUTS(DB_COPY_TO(slug, sizeof slug)), &found, "reading a round", ei)) ||
        (e = reload(ctx, slug, &x, ei)))
        return e;
    if (x.phase != BUDGET_VOTING && !counted)
        e = phase_refused(ei, &x, "Confirming a paper ballot");
    round_row_fini(&x);
    if (e || (!counted && (e = db_run(ctx->store, &budget_sql, SQL_PAPER_CONFIRM,
                                      DB_ARGS(DB_INT(st->id), DB_TEXT(st->w.actor)),
                                      "confirming a paper ballot", ei))))
        return e;
    st->w.job.status = 200;
    vk_buf_printf(body, "{\"id\":%lld,\"state\":\"confirmed\"", (long long)st->id);
    vk_json_member_str(body, "entered_by", entered_by);
    vk_json_member_str(body, "confirmed_by", counted ? NULL : st->w.actor);
    vk_buf_puts(body, "}");
    (void)now;
    return VK_OK;
}

static vk_err job_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                      vk_errinfo *ei)
{
    budget_job *st = (budget_job *)wj;
    switch (st->act) {
    case ACT_ROUND_CREATE:
    case ACT_ROUND_PUT:
    case ACT_PUBLISH:
    case ACT_PHASE:
        return run_round(ctx, st, now, body, ei);
    case ACT_PROPOSE:
        return run_propose(ctx, st, now, body, ei);
    case ACT_SUPPORT:
        return run_support(ctx, st, now, body, ei);
    case ACT_MODERATE:
    case ACT_REVIEW:
        return run_proposal_staff(ctx, st, now, body, ei);
    case ACT_PROJECT_CREATE:
    case ACT_PROJECT_PATCH:
    case ACT_PROJECT_UPDATE:
        return run_project(ctx, st, now, body, ei);
    case ACT_CODES:
        return run_codes(ctx, st, now, body, ei);
    case ACT_VOTE:
    case ACT_PAPER:
        return run_vote(ctx, st, now, body, ei);
    case ACT_BALLOT_PUT:
        return run_ballot_put(ctx, st, now, body, ei);
    case ACT_CONFIRM:
        return run_confirm(ctx, st, now, body, ei);
    }
    return vk_fail(ei, VK_EINTERNAL, "", NULL);
}

static budget_job *job_new(vk_ctx *ctx, const vk_req *req, budget_act act)
{
    budget_job *st = vk_json_write_new(ctx, sizeof *st, job_run, "application/json");
    if (!st)
        return NULL;
    st->act = act;
    snprintf(st->w.actor, sizeof st->w.actor, "%s", req->staff ? req->staff->name : "");
    return st;
}

/* ---- public reads ---- */

typedef struct list_walk {
    vk_buf *b;
    int staff;
    char now[VK_RFC3339_LEN];
    int n;
} list_walk;

static int list_row(void *arg, db_row *row)
{
    list_walk *w = arg;
    const char *slug = db_col_text(row, 0), *text = db_col_text(row, 1);
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    budget_round r;
    vk_errinfo ei;
    if (!doc || budget_round_parse(NULL, doc, &r, &ei) != VK_OK) {
        json_decref(doc);
        budget_round_fini(&r);
        return 0;
    }
    json_decref(doc);
    budget_phase ph = budget_round_phase(&r, db_col_text(row, 3), w->now);
    vk_buf *b = w->b;
    vk_json_open(b);
    vk_json_member_str(b, "slug", slug);
    char *title = json_dumps(json_object_get(r.doc, "title"), JSON_COMPACT);
    vk_buf_printf(b, ",\"title\":%s,\"phase\":\"%s\",\"budget\":%lld,\"areas\":[",
                  title ? title : "null", budget_phase_name(ph), (long long)r.budget);
    free(title);
    json_t *areas = json_object_get(r.doc, "areas");
    for (int i = 0; i < r.nareas; i++) {
        char *name = json_dumps(json_object_get(json_array_get(areas, (size_t)i), "name"),
                                JSON_COMPACT | JSON_ENCODE_ANY);
        vk_json_open(b);
        vk_json_member_str(b, "key", r.areas[i].key);
        vk_buf_printf(b, ",\"name\":%s,\"budget\":%lld}", name ? name : "null",
                      (long long)r.areas[i].budget);
        free(name);
    }
    vk_buf_puts(b, "]");
    if (w->staff)
        vk_buf_printf(b, ",\"published\":%s,\"proposals\":%lld,\"projects\":%lld,\"ballots\":%lld",
                      db_col_int(row, 2) ? "true" : "false",
                      (long long)(db_col_int64(row, 4) + db_col_int64(row, 5)),
                      (long long)db_col_int64(row, 6), (long long)db_col_int64(row, 7));
    vk_buf_puts(b, "}");
    budget_round_fini(&r);
    return ++w->n >= LIST_MAX || !vk_buf_ok(b);
}

static vk_err list_rounds(vk_ctx *ctx, const vk_req *req, vk_resp *resp, int staff)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    list_walk w = {&resp->body, staff, "", 0};
    vk_now_rfc3339(w.now);
    vk_buf_puts(&resp->body, "{\"rounds\":[");
    if ((e = db_each(ctx->store, &budget_sql, SQL_ROUND_LIST, DB_ARGS(DB_INT(staff)), list_row, &w,
                     "listing rounds", &ctx->err)))
        return e;
    vk_buf_puts(&resp->body, "]}");
    vk_resp_header(resp, "Cache-Control", "no-cache");
    return VK_OK;
}

vk_err api_budget_rounds(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return list_rounds(ctx, req, resp, 0);
}

vk_err api_staff_budget_rounds(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return list_rounds(ctx, req, resp, 1);
}

static vk_err get_round(vk_ctx *ctx, const vk_req *req, vk_resp *resp, int staff)
{
    round_row x;
    vk_err e = path_round(ctx, req, staff, NULL, &x);
    if (!e)
        e = round_counts(ctx->store, &x, staff, &ctx->err);
    if (!e) {
        put_round(&resp->body, &x, staff);
        vk_resp_header(resp, "Cache-Control", "no-cache");
    }
    round_row_fini(&x);
    return e;
}

vk_err api_budget_round(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return get_round(ctx, req, resp, 0);
}

vk_err api_staff_budget_round(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return get_round(ctx, req, resp, 1);
}

vk_err api_budget_proposals(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"area", "category", "limit", "offset", NULL};
    round_row x;
    vk_err e = path_round(ctx, req, 0, params, &x);
    long long limit = 100, offset = 0;
    if (!e)
        e = vk_param_int(req, "limit", 1, LIST_MAX, VK_PARAM_FROM_TO, &limit, &ctx->err);
    if (!e)
        e = vk_param_int(req, "offset", 0, 1000000000, VK_PARAM_FROM_TO, &offset, &ctx->err);
    if (!e) {
        vk_buf_puts(&resp->body, "{\"type\":\"FeatureCollection\",\"features\":[");
        e = db_each(ctx->store, &budget_sql, SQL_PROPOSAL_LIST,
                    DB_ARGS(DB_INT(x.id), DB_TEXT(vk_req_param(req, "area")),
                            DB_TEXT(vk_req_param(req, "category")), DB_INT(limit), DB_INT(offset)),
                    put_feature_row, &resp->body, "listing proposals", &ctx->err);
        vk_buf_puts(&resp->body, "]}");
        resp->content_type = "application/geo+json";
    }
    round_row_fini(&x);
    return e;
}

vk_err api_staff_budget_proposals(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    round_row x;
    vk_err e = path_round(ctx, req, 1, NULL, &x);
    if (!e) {
        vk_buf_puts(&resp->body, "{\"type\":\"FeatureCollection\",\"features\":[");
        e = db_each(ctx->store, &budget_sql, SQL_PROPOSAL_STAFF, DB_ARGS(DB_INT(x.id), DB_NULL),
                    put_feature_row, &resp->body, "listing proposals", &ctx->err);
        vk_buf_puts(&resp->body, "]}");
        resp->content_type = "application/geo+json";
        vk_resp_header(resp, "Cache-Control", "no-store");
    }
    round_row_fini(&x);
    return e;
}

vk_err api_budget_proposal(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    int64_t id;
    vk_err e = path_id(ctx, req, &id);
    if (e)
        return e;
    if ((e = db_each(ctx->store, &budget_sql, SQL_PROPOSAL_FEATURE, DB_ARGS(DB_INT(id), DB_INT(0)),
                     put_feature_row, &resp->body, "reading a proposal", &ctx->err)))
        return e;
    if (!resp->body.len)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no proposal %lld", (long long)id);
    resp->content_type = "application/geo+json";
    return VK_OK;
}

/* The tally of a round when its results are public (or for staff). */
static vk_err tally_if(vk_ctx *ctx, const round_row *x, int always, budget_projects *p,
                       budget_tally *t, int *have)
{
    *have = 0;
    vk_err e = budget_projects_load(ctx->store, x->id, p, &ctx->err);
    if (e || (!always && x->phase < BUDGET_RESULTS))
        return e;
    if ((e = budget_tally_compute(ctx->store, x->id, x->r, p, t, &ctx->err)))
        return e;
    *have = 1;
    return VK_OK;
}

vk_err api_budget_projects(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"area", NULL};
    round_row x;
    budget_projects p = {0};
    budget_tally t;
    int have = 0;
    vk_err e = path_round(ctx, req, 0, params, &x);
    if (!e)
        e = tally_if(ctx, &x, 0, &p, &t, &have);
    if (!e) {
        project_walk w = {&resp->body, have ? &t : NULL, x.r, &p};
        vk_buf_puts(&resp->body, "{\"type\":\"FeatureCollection\",\"features\":[");
        e = db_each(ctx->store, &budget_sql, SQL_PROJECT_LIST,
                    DB_ARGS(DB_INT(x.id), DB_TEXT(vk_req_param(req, "area"))), put_project_row,
                    &w, "listing projects", &ctx->err);
        vk_buf_puts(&resp->body, "]}");
        resp->content_type = "application/geo+json";
    }
    if (have)
        budget_tally_fini(&t);
    budget_projects_fini(&p);
    round_row_fini(&x);
    return e;
}

vk_err api_budget_project(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    int64_t id;
    vk_err e = path_id(ctx, req, &id);
    if (e || (e = body_project(ctx, id, &resp->body, &ctx->err)))
        return e;
    resp->content_type = "application/geo+json";
    return VK_OK;
}

static vk_err results(vk_ctx *ctx, const vk_req *req, vk_resp *resp, int staff)
{
    round_row x;
    budget_projects p = {0};
    budget_tally t;
    int have = 0;
    vk_err e = path_round(ctx, req, staff, NULL, &x);
    if (!e)
        e = tally_if(ctx, &x, staff, &p, &t, &have);
    if (!e && !have)
        e = phase_refused(&ctx->err, &x, "Showing results");
    if (!e) {
        budget_tally_json(&t, x.r, &p, &resp->body);
        vk_resp_header(resp, "Cache-Control", "no-cache");
    }
    if (have)
        budget_tally_fini(&t);
    budget_projects_fini(&p);
    round_row_fini(&x);
    return e;
}

vk_err api_budget_results(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return results(ctx, req, resp, 0);
}

vk_err api_staff_budget_results(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return results(ctx, req, resp, 1);
}

vk_err api_budget_pabulib(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"area", NULL};
    round_row x;
    budget_projects p = {0};
    budget_tally t;
    int have = 0;
    vk_err e = path_round(ctx, req, 0, params, &x);
    if (!e)
        e = tally_if(ctx, &x, 0, &p, &t, &have);
    if (!e && !have)
        e = phase_refused(&ctx->err, &x, "The export");
    int ai = 0;
    const char *area = vk_req_param(req, "area");
    if (!e && area) {
        for (ai = 0; ai < x.r->nareas && strcmp(x.r->areas[ai].key, area); ai++)
            ;
        if (ai == x.r->nareas)
            e = vk_fail(&ctx->err, VK_EPARAM, "area", "the round has no area '%.40s'", area);
    }
    if (!e)
        e = budget_pabulib(ctx->store, x.id, x.r, &p, &t, ai, &resp->body, &ctx->err);
    if (!e) {
        resp->content_type = "text/plain; charset=utf-8";
        char disp[160];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s-%s.pb\"", x.r->slug,
                 x.r->areas[ai].key);
        char *d = vk_arena_strndup(req->arena, disp, strlen(disp));
        if (d)
            vk_resp_header(resp, "Content-Disposition", d);
    }
    if (have)
        budget_tally_fini(&t);
    budget_projects_fini(&p);
    round_row_fini(&x);
    return e;
}

/* ---- rounds (staff) ---- */

static vk_err read_round_doc(vk_ctx *ctx, const vk_req *req, budget_job *st)
{
    vk_err e = json_body(ctx, req, &st->w.doc);
    budget_round r;
    memset(&r, 0, sizeof r);
    if (!e)
        e = budget_round_parse(ctx->gis, st->w.doc, &r, &ctx->err);
    for (int i = 0; !e && i < r.nareas; i++) {
        const json_t *d = r.areas[i].districts;
        size_t k;
        const json_t *c;
        json_array_foreach(d, k, c)
        {
            int64_t n = 0;
            if ((e = db_int64(ctx->store, &budget_sql, SQL_DISTRICT_EXISTS,
                              DB_ARGS(DB_TEXT(json_string_value(c))), &n, "reading districts",
                              &ctx->err)))
                break;
            if (!n) {
                e = vk_fail(&ctx->err, VK_EVALUE, "areas", "areas[%d]: there is no district '%s'",
                            i, json_string_value(c));
                break;
            }
        }
    }
    if (!e) {
        snprintf(st->slug, sizeof st->slug, "%s", r.slug);
        if (!(st->text = json_dumps(st->w.doc, JSON_COMPACT | JSON_PRESERVE_ORDER)))
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    }
    budget_round_fini(&r);
    return e;
}

vk_err api_staff_budget_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    budget_job *st = job_new(ctx, req, ACT_ROUND_CREATE);
    if (!st)
        return VK_ENOMEM;
    return job_defer(ctx, st, resp, read_round_doc(ctx, req, st));
}

vk_err api_staff_budget_put(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    round_row x;
    vk_err e = path_round(ctx, req, 1, NULL, &x);
    char slug[BUDGET_SLUG_MAX + 1];
    snprintf(slug, sizeof slug, "%s", e ? "" : x.r->slug);
    round_row_fini(&x);
    if (e)
        return e;
    budget_job *st = job_new(ctx, req, ACT_ROUND_PUT);
    if (!st)
        return VK_ENOMEM;
    e = read_round_doc(ctx, req, st);
    if (!e && strcmp(st->slug, slug) != 0)
        e = vk_fail(&ctx->err, VK_EVALUE, "slug", "the slug is the round's address and cannot change");
    return job_defer(ctx, st, resp, e);
}

static vk_err round_action(vk_ctx *ctx, const vk_req *req, vk_resp *resp, budget_act act)
{
    round_row x;
    vk_err e = path_round(ctx, req, 1, NULL, &x);
    budget_job *st = e ? NULL : job_new(ctx, req, act);
    if (!e && !st)
        e = VK_ENOMEM;
    if (!e)
        snprintf(st->slug, sizeof st->slug, "%s", x.r->slug);
    round_row_fini(&x);
    if (e)
        return e;
    if (act == ACT_PHASE) {
        static const char *const keys[] = {"phase", NULL};
        if (!(e = json_body(ctx, req, &st->w.doc)) &&
            !(e = api_json_keys(st->w.doc, keys, &ctx->err))) {
            const json_t *p = json_object_get(st->w.doc, "phase");
            if (!p)
                e = vk_fail(&ctx->err, VK_EMISSING, "phase", "give a phase, or null for the dates");
            else if (!json_is_null(p) && budget_phase_parse(json_string_value(p)) < 0)
                e = vk_fail(&ctx->err, VK_EVALUE, "phase",
                            "the phase is upcoming, proposals, review, voting, results, "
                            "implementation or null");
            else if (!json_is_null(p))
                snprintf(st->phase, sizeof st->phase, "%s", json_string_value(p));
        }
    }
    return job_defer(ctx, st, resp, e);
}

vk_err api_staff_budget_publish(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return round_action(ctx, req, resp, ACT_PUBLISH);
}

vk_err api_staff_budget_phase(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return round_action(ctx, req, resp, ACT_PHASE);
}

/* ---- proposals ---- */

/* A location: geometry (a Point or Polygon inside the municipality, into
 * wkb, its district found), a district code, or neither. */
static vk_err read_location(vk_ctx *ctx, budget_job *st, const json_t *geometry,
                            const json_t *district, int polygons)
{
    vk_errinfo *ei = &ctx->err;
    snprintf(st->located, sizeof st->located, "none");
    if (geometry && !json_is_null(geometry)) {
        if (district && !json_is_null(district))
            return vk_fail(ei, VK_EVALUE, "district", "give a geometry or a district, not both");
        gis_geom *g = NULL;
        vk_err e = gis_geom_from_geojson(ctx->gis, geometry, "geometry", &g, ei);
        if (e)
            return e;
        const char *t = gis_geom_type(g);
        if (strcmp(t, "Point") && (!polygons || strcmp(t, "Polygon")))
            e = vk_fail(ei, VK_EGEOM_TYPE, "geometry",
                        polygons ? "a place is a Point or a Polygon" : "a place is a Point");
        if (!e)
            e = gis_geom_check_inside(ctx->gis, g, "geometry", ei);
        if (!e && gis_geom_to_wkb(ctx->gis, g, &st->wkb, &st->wkb_n) != VK_OK)
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
        int64_t did = e ? 0 : gis_geom_district(ctx->gis, g);
        gis_geom_free(ctx->gis, g);
        if (e)
            return e;
        if (did && (e = db_scan(ctx->store, &budget_sql, SQL_DISTRICT_CODE, DB_ARGS(DB_INT(did)),
                                DB_OUTS(DB_COPY_TO(st->district, sizeof st->district)), NULL,
                                "reading a district", ei)))
            return e;
        snprintf(st->located, sizeof st->located, "geometry");
        return VK_OK;
    }
    if (district && !json_is_null(district)) {
        const char *code = json_string_value(district);
        int64_t n = 0;
        if (!code || strlen(code) >= sizeof st->district)
            return vk_fail(ei, VK_ETYPE, "district", "a district is its code");
        vk_err e = db_int64(ctx->store, &budget_sql, SQL_DISTRICT_EXISTS, DB_ARGS(DB_TEXT(code)),
                            &n, "reading districts", ei);
        if (e)
            return e;
        if (!n)
            return vk_fail(ei, VK_EVALUE, "district", "there is no district '%s'", code);
        snprintf(st->district, sizeof st->district, "%s", code);
        snprintf(st->located, sizeof st->located, "district");
    }
    return VK_OK;
}

/* The first area of the round the location falls in. */
static vk_err find_area(vk_ctx *ctx, const budget_round *r, budget_job *st)
{
    st->area[0] = '\0';
    for (int i = 0; i < r->nareas; i++) {
        const budget_area *a = &r->areas[i];
        int in = 0;
        if (a->districts && st->district[0]) {
            size_t k;
            const json_t *c;
            json_array_foreach(a->districts, k, c) in |= !strcmp(json_string_value(c), st->district);
        } else if (a->geometry && st->wkb) {
            char *gj = json_dumps(a->geometry, JSON_COMPACT);
            int64_t v = 0;
            vk_err e = gj ? db_int64(ctx->store, &budget_sql, SQL_IN_AREA,
                                     DB_ARGS(DB_TEXT(gj), DB_BLOB(st->wkb, st->wkb_n)), &v,
                                     "placing in an area", &ctx->err)
                          : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
            free(gj);
            if (e)
                return e;
            in = v == 1;
        } else if (!a->districts && !a->geometry) {
            in = 1;
        }
        if (in) {
            snprintf(st->area, sizeof st->area, "%s", a->key);
            break;
        }
    }
    return VK_OK;
}

static vk_err check_category(vk_ctx *ctx, const budget_round *r, const char *category)
{
    const json_t *cats = json_object_get(r->doc, "categories");
    size_t i;
    const json_t *c;
    int64_t n = 0;
    if (cats) {
        json_array_foreach(cats, i, c) if (!strcmp(json_string_value(json_object_get(c, "key")),
                                                   category)) return VK_OK;
    } else {
        vk_err e = db_int64(ctx->store, &budget_sql, SQL_CATEGORY_EXISTS, DB_ARGS(DB_TEXT(category)),
                            &n, "reading categories", &ctx->err);
        if (e || n)
            return e;
    }
    return vk_fail(&ctx->err, VK_EVALUE, "properties.category", "there is no category '%.40s'",
                   category);
}

static vk_err read_contact(vk_ctx *ctx, budget_job *st, const json_t *c)
{
    static const char *const keys[] = {"name", "email", "phone", NULL};
    if (!c || json_is_null(c))
        return VK_OK;
    if (!json_is_object(c))
        return vk_fail(&ctx->err, VK_ETYPE, "properties.contact", "contact is an object");
    const char *s;
    vk_err e;
    if ((e = api_json_keys_prefixed(c, "properties.contact", keys, &ctx->err)) ||
        (e = api_json_text_named(c, "name", "properties.contact.name", 0, 200, 0, &s, &ctx->err)) ||
        (e = api_json_text_named(c, "email", "properties.contact.email", 0, 254, 0, &s, &ctx->err)) ||
        (e = api_json_text_named(c, "phone", "properties.contact.phone", 0, 40, 0, &s, &ctx->err)))
        return e;
    if (json_object_size(c))
        st->contact = c;
    return VK_OK;
}

vk_err api_budget_propose(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"type", "geometry", "properties", NULL};
    static const char *const props[] = {"title",    "description", "category", "language",
                                        "district", "contact",     NULL};
    round_row x;
    vk_err e = path_round(ctx, req, 0, NULL, &x);
    if (!e && x.phase != BUDGET_PROPOSALS)
        e = phase_refused(&ctx->err, &x, "Proposing");
    budget_job *st = e ? NULL : job_new(ctx, req, ACT_PROPOSE);
    if (!e && !st)
        e = VK_ENOMEM;
    const json_t *pr = NULL;
    if (!e && !(e = json_body(ctx, req, &st->w.doc)) &&
        !(e = api_json_keys(st->w.doc, keys, &ctx->err))) {
        snprintf(st->slug, sizeof st->slug, "%s", x.r->slug);
        pr = json_object_get(st->w.doc, "properties");
        if (!json_is_object(pr))
            e = vk_fail(&ctx->err, pr ? VK_ETYPE : VK_EMISSING, "properties",
                        "a proposal is a GeoJSON Feature with properties");
    }
    if (!e)
        e = api_json_keys_prefixed(pr, "properties", props, &ctx->err);
    if (!e)
        e = api_json_text_named(pr, "title", "properties.title", 1, 200, 0, &st->title, &ctx->err);
    if (!e)
        e = api_json_text_named(pr, "description", "properties.description", 1, 4000, 1,
                                &st->description, &ctx->err);
    if (!e)
        e = api_json_string(pr, "category", 1, 64, &st->category, &ctx->err);
    if (!e)
        e = check_category(ctx, x.r, st->category);
    if (!e)
        e = api_json_string(pr, "language", 0, 2, &st->language, &ctx->err);
    if (!e && st->language && strcmp(st->language, "fi") && strcmp(st->language, "sv") &&
        strcmp(st->language, "en"))
        e = vk_fail(&ctx->err, VK_EVALUE, "properties.language", "the language is fi, sv or en");
    if (!e && !st->language)
        st->language = "fi";
    if (!e)
        e = read_contact(ctx, st, json_object_get(pr, "contact"));
    if (!e)
        e = read_location(ctx, st, json_object_get(st->w.doc, "geometry"),
                          json_object_get(pr, "district"), 1);
    if (!e)
        e = find_area(ctx, x.r, st);
    if (!e)
        e = api_idem_prepare(ctx, req, 0, &st->w.job);
    round_row_fini(&x);
    if (!st)
        return e;
    return job_defer(ctx, st, resp, e);
}

vk_err api_budget_support(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    int64_t id;
    vk_err e = path_id(ctx, req, &id);
    if (e)
        return e;
    if (req->content_type && *req->content_type && !vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type",
                       "send support without a body, or with a JSON body");
    budget_job *st = job_new(ctx, req, ACT_SUPPORT);
    if (!st)
        return VK_ENOMEM;
    st->id = id;
    api_auth_browser(req, ctx->cfg->secure_cookies, st->browser, st->w.cookie,
                     sizeof st->w.cookie);
    return job_defer(ctx, st, resp, VK_OK);
}

static vk_err proposal_staff(vk_ctx *ctx, const vk_req *req, vk_resp *resp, budget_act act)
{
    int64_t id;
    vk_err e = path_id(ctx, req, &id);
    if (e)
        return e;
    budget_job *st = job_new(ctx, req, act);
    if (!st)
        return VK_ENOMEM;
    st->id = id;
    if ((e = json_body(ctx, req, &st->w.doc)))
        return job_defer(ctx, st, resp, e);
    const json_t *d = st->w.doc;
    if (act == ACT_MODERATE) {
        static const char *const keys[] = {"moderation", "note", NULL};
        if (!(e = api_json_keys(d, keys, &ctx->err)) &&
            !(e = api_json_string(d, "moderation", 1, 16, &st->status, &ctx->err)) &&
            strcmp(st->status, "public") && strcmp(st->status, "hidden"))
            e = vk_fail(&ctx->err, VK_EVALUE, "moderation", "moderation is public or hidden");
        if (!e)
            e = api_json_text(d, "note", 0, 2000, 1, &st->note, &ctx->err);
        return job_defer(ctx, st, resp, e);
    }
    static const char *const keys[] = {"feasible", "reason", "cost", "unit", NULL};
    const json_t *f = json_object_get(d, "feasible"), *c = json_object_get(d, "cost");
    if ((e = api_json_keys(d, keys, &ctx->err)))
        return job_defer(ctx, st, resp, e);
    if (!json_is_boolean(f))
        e = vk_fail(&ctx->err, f ? VK_ETYPE : VK_EMISSING, "feasible", "feasible is true or false");
    else if (c && (!json_is_integer(c) || json_integer_value(c) < 0 ||
                   json_integer_value(c) > BUDGET_BUDGET_MAX))
        e = vk_fail(&ctx->err, VK_EVALUE, "cost", "the cost is whole euros, 0 or more");
    if (!e)
        e = api_json_text(d, "reason", !json_is_true(f), 2000, 1, &st->reason, &ctx->err);
    if (!e)
        e = api_json_string(d, "unit", 0, 40, &st->unit, &ctx->err);
    st->feasible = json_is_true(f);
    st->cost = c ? json_integer_value(c) : 0;
    return job_defer(ctx, st, resp, e);
}

vk_err api_staff_budget_moderate(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return proposal_staff(ctx, req, resp, ACT_MODERATE);
}

vk_err api_staff_budget_review(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return proposal_staff(ctx, req, resp, ACT_REVIEW);
}

/* ---- projects ---- */

static vk_err texts_member(vk_ctx *ctx, const json_t *d, const char *key, int required,
                           size_t max, char **out)
{
    static const char *const langs[] = {"fi", "sv", "en", NULL};
    const json_t *t = json_object_get(d, key);
    if (!t && !required)
        return VK_OK;
    if (!json_is_object(t))
        return vk_fail(&ctx->err, t ? VK_ETYPE : VK_EMISSING, key,
                       "\"%s\" is {\"fi\": …, \"sv\": …, \"en\": …}", key);
    vk_err e = api_json_keys_prefixed(t, key, langs, &ctx->err);
    for (int i = 0; !e && langs[i]; i++) {
        char field[48];
        const char *s;
        snprintf(field, sizeof field, "%s.%s", key, langs[i]);
        e = api_json_text_named(t, langs[i], field, i == 0, max, max > 200, &s, &ctx->err);
    }
    if (!e && !(*out = json_dumps(t, JSON_COMPACT | JSON_PRESERVE_ORDER)))
        e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    return e;
}

static vk_err read_status(vk_ctx *ctx, budget_job *st, const json_t *d)
{
    vk_err e = api_json_string(d, "status", 0, 16, &st->status, &ctx->err);
    if (!e && st->status && strcmp(st->status, "planned") && strcmp(st->status, "in_progress") &&
        strcmp(st->status, "done") && strcmp(st->status, "cancelled"))
        e = vk_fail(&ctx->err, VK_EVALUE, "status",
                    "the status is planned, in_progress, done or cancelled");
    if (!e)
        e = api_json_text(d, "status_reason", st->status && !strcmp(st->status, "cancelled"), 2000,
                          1, &st->status_reason, &ctx->err);
    return e;
}

static vk_err read_project(vk_ctx *ctx, budget_job *st, const budget_round *r, int create)
{
    const json_t *d = st->w.doc;
    static const char *const create_keys[] = {"title", "description", "category", "area", "cost",
                                              "unit", "proposals", "geometry", "district", NULL};
    static const char *const patch_keys[] = {"title", "description", "category", "cost", "unit",
                                             "proposals", "status", "status_reason", NULL};
    vk_err e = api_json_keys(d, create ? create_keys : patch_keys, &ctx->err);
    if (!e)
        e = texts_member(ctx, d, "title", create, 200, &st->text);
    if (!e)
        e = texts_member(ctx, d, "description", 0, 4000, &st->text2);
    if (!e && create && !st->text2 && !(st->text2 = strdup("{}")))
        e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    if (!e)
        e = api_json_string(d, "category", 0, 64, &st->category, &ctx->err);
    if (!e)
        e = api_json_string(d, "unit", 0, 40, &st->unit, &ctx->err);
    const json_t *c = json_object_get(d, "cost");
    if (!e && (c || create) &&
        (!json_is_integer(c) || json_integer_value(c) < 1 || json_integer_value(c) > BUDGET_BUDGET_MAX))
        e = vk_fail(&ctx->err, c ? VK_EVALUE : VK_EMISSING, "cost",
                    "the cost is whole euros, at least 1");
    if (!e && c)
        st->cost = json_integer_value(c);
    if (!e && create) {
        const char *area = NULL;
        e = api_json_string(d, "area", r->nareas > 1, BUDGET_KEY_MAX, &area, &ctx->err);
        const budget_area *a = e ? NULL : area ? budget_round_area(r, area) : &r->areas[0];
        if (!e && !a)
            e = vk_fail(&ctx->err, VK_EVALUE, "area", "the round has no area '%s'", area);
        if (!e && st->cost > a->budget)
            e = vk_fail(&ctx->err, VK_EVALUE, "cost", "the cost is over the area's budget of %lld",
                        (long long)a->budget);
        if (!e)
            snprintf(st->area, sizeof st->area, "%s", a->key);
        if (!e)
            e = read_location(ctx, st, json_object_get(d, "geometry"), json_object_get(d, "district"),
                              1);
    }
    const json_t *m = json_object_get(d, "proposals");
    if (!e && m) {
        if (!json_is_array(m) || json_array_size(m) > MERGE_MAX)
            return vk_fail(&ctx->err, VK_ETYPE, "proposals", "proposals is a list of at most %d ids",
                           MERGE_MAX);
        size_t i;
        const json_t *x;
        json_array_foreach(m, i, x)
        {
            if (!json_is_integer(x) || json_integer_value(x) < 1)
                return vk_fail(&ctx->err, VK_EVALUE, "proposals", "proposals[%zu] is not an id", i);
            st->merge[st->nmerge++] = json_integer_value(x);
        }
    }
    if (!e && !create)
        e = read_status(ctx, st, d);
    return e;
}

vk_err api_staff_budget_project_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    round_row x;
    vk_err e = path_round(ctx, req, 1, NULL, &x);
    budget_job *st = e ? NULL : job_new(ctx, req, ACT_PROJECT_CREATE);
    if (!e && !st)
        e = VK_ENOMEM;
    if (!e && !(e = json_body(ctx, req, &st->w.doc))) {
        snprintf(st->slug, sizeof st->slug, "%s", x.r->slug);
        e = read_project(ctx, st, x.r, 1);
    }
    round_row_fini(&x);
    return st ? job_defer(ctx, st, resp, e) : e;
}

vk_err api_staff_budget_project_patch(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    int64_t id;
    vk_err e = path_id(ctx, req, &id);
    if (e)
        return e;
    budget_job *st = job_new(ctx, req, ACT_PROJECT_PATCH);
    if (!st)
        return VK_ENOMEM;
    st->id = id;
    if (!(e = json_body(ctx, req, &st->w.doc)) && json_object_size(st->w.doc) == 0)
        e = vk_fail(&ctx->err, VK_EMISSING, "", "give what to change: a text, the cost, the status…");
    if (!e)
        e = read_project(ctx, st, NULL, 0);
    return job_defer(ctx, st, resp, e);
}

vk_err api_staff_budget_project_update(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"text", "status", "status_reason", "photos", NULL};
    int64_t id;
    vk_err e = path_id(ctx, req, &id);
    if (e)
        return e;
    budget_job *st = job_new(ctx, req, ACT_PROJECT_UPDATE);
    if (!st)
        return VK_ENOMEM;
    st->id = id;
    char *text = NULL;
    if (!(e = json_body(ctx, req, &st->w.doc)) && !(e = api_json_keys(st->w.doc, keys, &ctx->err)) &&
        !(e = texts_member(ctx, st->w.doc, "text", 1, 4000, &text)))
        e = read_status(ctx, st, st->w.doc);
    free(text);
    const json_t *ph = json_object_get(st->w.doc, "photos");
    if (!e && ph) {
        size_t i;
        const json_t *u;
        if (!json_is_array(ph) || json_array_size(ph) > 10)
            e = vk_fail(&ctx->err, VK_ETYPE, "photos", "photos is a list of at most 10 https URLs");
        json_array_foreach(ph, i, u) if (!e && (!json_is_string(u) ||
                                                strncmp(json_string_value(u), "https://", 8) ||
                                                json_string_length(u) > 500))
            e = vk_fail(&ctx->err, VK_EVALUE, "photos", "photos[%zu] is not an https URL", i);
        if (!e && !(st->text2 = json_dumps(ph, JSON_COMPACT)))
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    }
    return job_defer(ctx, st, resp, e);
}

/* ---- voting codes ---- */

static void make_code(char out[CODE_CHARS + 3])
{
    int k = 0;
    for (int i = 0; i < CODE_CHARS; i++) {
        if (i && i % 4 == 0)
            out[k++] = '-';
        out[k++] = code_alphabet[randombytes_uniform(sizeof code_alphabet - 1)];
    }
    out[k] = '\0';
}

vk_err api_staff_budget_codes(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"count", "batch", NULL};
    round_row x;
    vk_err e = path_round(ctx, req, 1, NULL, &x);
    budget_job *st = e ? NULL : job_new(ctx, req, ACT_CODES);
    if (!e && !st)
        e = VK_ENOMEM;
    if (!e) {
        snprintf(st->slug, sizeof st->slug, "%s", x.r->slug);
        if (!(x.r->voters & BUDGET_VOTER_CODES))
            e = vk_fail(&ctx->err, VK_EVOTER_KIND, "", "this round does not take voting codes");
    }
    round_row_fini(&x);
    const char *batch = NULL;
    if (!e && !(e = json_body(ctx, req, &st->w.doc)) && !(e = api_json_keys(st->w.doc, keys, &ctx->err)))
        e = api_json_text(st->w.doc, "batch", 1, 64, 0, &batch, &ctx->err);
    const json_t *n = st ? json_object_get(st->w.doc, "count") : NULL;
    if (!e && (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > CODES_MAX))
        e = vk_fail(&ctx->err, n ? VK_EVALUE : VK_EMISSING, "count", "count is 1 to %d", CODES_MAX);
    if (!e) {
        snprintf(st->batch, sizeof st->batch, "%s", batch);
        st->ncodes = (int)json_integer_value(n);
        if (!(st->codes = malloc((size_t)st->ncodes * sizeof *st->codes)))
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        for (int i = 0; !e && i < st->ncodes; i++)
            make_code(st->codes[i]);
    }
    return st ? job_defer(ctx, st, resp, e) : e;
}

static int batch_row(void *arg, db_row *row)
{
    vk_buf *b = arg;
    vk_json_open(b);
    vk_json_key(b, "batch");
    const char *s = db_col_text(row, 0);
    vk_json_str(b, s ? s : "", s ? strlen(s) : 0);
    vk_buf_printf(b, ",\"issued\":%lld,\"used\":%lld", (long long)db_col_int64(row, 1),
                  (long long)db_col_int64(row, 2));
    vk_json_member_str(b, "created", db_col_text(row, 3));
    vk_buf_puts(b, "}");
    return 0;
}

vk_err api_staff_budget_code_batches(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    round_row x;
    vk_err e = path_round(ctx, req, 1, NULL, &x);
    if (!e) {
        vk_buf_puts(&resp->body, "{\"batches\":[");
        e = db_each(ctx->store, &budget_sql, SQL_CODE_BATCHES, DB_ARGS(DB_INT(x.id)), batch_row,
                    &resp->body, "listing voting codes", &ctx->err);
        vk_buf_puts(&resp->body, "]}");
    }
    round_row_fini(&x);
    return e;
}

/* ---- ballots ---- */

/* The code as typed: dashes and spaces dropped, upper case; its hash. */
static int code_hash_of(const char *code, char hash[65])
{
    char plain[CODE_CHARS + 1];
    size_t k = 0;
    for (const char *s = code; *s; s++) {
        if (*s == '-' || *s == ' ')
            continue;
        char c = (*s >= 'a' && *s <= 'z') ? (char)(*s - 'a' + 'A') : *s;
        if (k == CODE_CHARS || !strchr(code_alphabet, c) || !c)
            return 0;
        plain[k++] = c;
    }
    if (k != CODE_CHARS)
        return 0;
    plain[k] = '\0';
    vk_sha256_hex_of(plain, k, hash);
    return 1;
}

/* The choices of the body against the round's rule and projects (the
 * round's cached ones: cache.h). */
static vk_err read_choices(vk_ctx *ctx, const round_row *x, budget_job *st)
{
    return budget_ballot_check(x->r, &x->bc->p, st->w.doc, &st->choice, &ctx->err);
}

static vk_err read_voter(vk_ctx *ctx, const round_row *x, const vk_req *req, budget_job *st)
{
    const json_t *d = st->w.doc;
    const char *code = NULL;
    vk_err e = api_json_string(d, "code", 0, 40, &code, &ctx->err);
    if (e)
        return e;
    if (code) {
        if (!(x->r->voters & BUDGET_VOTER_CODES))
            return vk_fail(&ctx->err, VK_EVOTER_KIND, "code", "this round does not take voting codes");
        if (json_object_get(d, "age_group") || json_object_get(d, "postal_code"))
            return vk_fail(&ctx->err, VK_EUNKNOWN_FIELD, json_object_get(d, "age_group") ? "age_group" : "postal_code",
                           "a coded ballot asks nothing about the voter");
        if (!code_hash_of(code, st->code_hash))
            return vk_fail(&ctx->err, VK_ECODE_INVALID, "code", "a voting code is 12 letters and digits");
        snprintf(st->kind, sizeof st->kind, "code");
        return VK_OK;
    }
    if (!(x->r->voters & BUDGET_VOTER_OPEN))
        return vk_fail(&ctx->err, VK_EVOTER_KIND, "code", "this round is voted with a voting code");
    if ((e = api_json_string(d, "age_group", 1, 16, &st->age_group, &ctx->err)) ||
        (e = api_json_string(d, "postal_code", 1, 5, &st->postal_code, &ctx->err)))
        return e;
    int ok = budget_age_group_ok(st->age_group, x->r->min_age);
    if (ok < 0)
        return vk_fail(&ctx->err, VK_EVALUE, "age_group",
                       "the age group is under-12, 12-14, 15-17, 18-29, 30-44, 45-64, 65-74 or 75+");
    if (!ok)
        return vk_fail(&ctx->err, VK_ETOO_YOUNG, "age_group", "voting in this round starts at %d",
                       x->r->min_age);
    if (strlen(st->postal_code) != 5 || strspn(st->postal_code, "0123456789") != 5)
        return vk_fail(&ctx->err, VK_EVALUE, "postal_code", "a postal code is five digits");
    snprintf(st->kind, sizeof st->kind, "open");
    api_auth_browser(req, ctx->cfg->secure_cookies, st->browser, st->w.cookie, sizeof st->w.cookie);
    return VK_OK;
}

static void new_token(budget_job *st)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(st->token, sizeof st->token, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    vk_sha256_hex_of(st->token, strlen(st->token), st->token_hash);
}

vk_err api_budget_vote(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"area", "projects", "points", "code", "age_group",
                                       "postal_code", NULL};
    round_row x;
    vk_err e = path_round(ctx, req, 0, NULL, &x);
    if (!e && x.phase != BUDGET_VOTING)
        e = phase_refused(&ctx->err, &x, "Voting");
    budget_job *st = e ? NULL : job_new(ctx, req, ACT_VOTE);
    if (!e && !st)
        e = VK_ENOMEM;
    if (!e && !(e = json_body(ctx, req, &st->w.doc)) &&
        !(e = api_json_keys(st->w.doc, keys, &ctx->err)) && !(e = read_voter(ctx, &x, req, st)))
        e = read_choices(ctx, &x, st);
    if (!e) {
        snprintf(st->slug, sizeof st->slug, "%s", x.r->slug);
        new_token(st);
        e = api_idem_prepare(ctx, req, 0, &st->w.job);
    }
    round_row_fini(&x);
    return st ? job_defer(ctx, st, resp, e) : e;
}

/* The ballot of the path's token. */
typedef struct ballot_row {
    int64_t id, round_id, total;
    char slug[BUDGET_SLUG_MAX + 1], area[BUDGET_KEY_MAX + 1];
    char *choices;
    char submitted[VK_RFC3339_LEN], changed[VK_RFC3339_LEN];
} ballot_row;

static vk_err path_ballot(vk_ctx *ctx, const vk_req *req, ballot_row *b)
{
    memset(b, 0, sizeof *b);
    const char *token = req->nargs ? req->args[0] : "";
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    char hash[65];
    int found = 0;
    if (strlen(token) != BUDGET_TOKEN_LEN)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "token", "there is no such ballot");
    vk_sha256_hex_of(token, strlen(token), hash);
    if ((e = db_scan(ctx->store, &budget_sql, SQL_BALLOT_BY_TOKEN, DB_ARGS(DB_TEXT(hash)),
                     DB_OUTS(DB_I64_TO(&b->id), DB_I64_TO(&b->round_id),
                             DB_COPY_TO(b->slug, sizeof b->slug), DB_COPY_TO(b->area, sizeof b->area),
                             DB_DUP_TO(&b->choices), DB_I64_TO(&b->total),
                             DB_COPY_TO(b->submitted, sizeof b->submitted),
                             DB_COPY_TO(b->changed, sizeof b->changed)),
                     &found, "reading a ballot", &ctx->err)))
        return e;
    return found ? VK_OK : vk_fail(&ctx->err, VK_ENOT_FOUND, "token", "there is no such ballot");
}

vk_err api_budget_ballot_get(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    ballot_row b;
    round_row x;
    int found = 0;
    memset(&x, 0, sizeof x);
    vk_err e = path_ballot(ctx, req, &b);
    if (!e)
        e = round_load(ctx->store, b.slug, 1, &x, &found, &ctx->err);
    if (!e) {
        put_ballot(&resp->body, b.slug, b.area, b.choices, b.total, b.submitted, b.changed,
                   x.phase == BUDGET_VOTING);
        vk_resp_header(resp, "Cache-Control", "no-store");
    }
    free(b.choices);
    round_row_fini(&x);
    return e;
}

vk_err api_budget_ballot_put(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"area", "projects", "points", NULL};
    ballot_row b;
    round_row x;
    int found = 0;
    memset(&x, 0, sizeof x);
    vk_err e = path_ballot(ctx, req, &b);
    if (!e)
        e = round_load(ctx->store, b.slug, 1, &x, &found, &ctx->err);
    if (!e && x.phase != BUDGET_VOTING)
        e = phase_refused(&ctx->err, &x, "Changing a ballot");
    budget_job *st = e ? NULL : job_new(ctx, req, ACT_BALLOT_PUT);
    if (!e && !st)
        e = VK_ENOMEM;
    if (!e && !(e = json_body(ctx, req, &st->w.doc)) && !(e = api_json_keys(st->w.doc, keys, &ctx->err)))
        e = read_choices(ctx, &x, st);
    if (!e) {
        st->id = b.id;
        snprintf(st->slug, sizeof st->slug, "%s", b.slug);
        snprintf(st->phase, sizeof st->phase, "%s", b.submitted);
        e = api_idem_prepare(ctx, req, 0, &st->w.job);
    }
    free(b.choices);
    round_row_fini(&x);
    return st ? job_defer(ctx, st, resp, e) : e;
}

/* ---- paper ballots ---- */

vk_err api_staff_budget_paper(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"area", "projects", "points", "sheet", NULL};
    round_row x;
    vk_err e = path_round(ctx, req, 1, NULL, &x);
    if (!e && !(x.r->voters & BUDGET_VOTER_PAPER))
        e = vk_fail(&ctx->err, VK_EVOTER_KIND, "", "this round does not take paper ballots");
    if (!e && x.phase != BUDGET_VOTING)
        e = phase_refused(&ctx->err, &x, "Entering a paper ballot");
    budget_job *st = e ? NULL : job_new(ctx, req, ACT_PAPER);
    if (!e && !st)
        e = VK_ENOMEM;
    if (!e && !(e = json_body(ctx, req, &st->w.doc)) &&
        !(e = api_json_keys(st->w.doc, keys, &ctx->err)) &&
        !(e = api_json_text(st->w.doc, "sheet", 1, 64, 0, &st->sheet, &ctx->err)))
        e = read_choices(ctx, &x, st);
    if (!e) {
        snprintf(st->slug, sizeof st->slug, "%s", x.r->slug);
        snprintf(st->kind, sizeof st->kind, "paper");
    }
    round_row_fini(&x);
    return st ? job_defer(ctx, st, resp, e) : e;
}

vk_err api_staff_budget_papers(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    round_row x;
    vk_err e = path_round(ctx, req, 1, NULL, &x);
    if (!e) {
        vk_buf_puts(&resp->body, "{\"paper_ballots\":[");
        e = db_each(ctx->store, &budget_sql, SQL_PAPER_LIST, DB_ARGS(DB_INT(x.id)), put_feature_row,
                    &resp->body, "listing paper ballots", &ctx->err);
        vk_buf_puts(&resp->body, "]}");
    }
    round_row_fini(&x);
    return e;
}

vk_err api_staff_budget_confirm(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    int64_t id;
    vk_err e = path_id(ctx, req, &id);
    if (e)
        return e;
    budget_job *st = job_new(ctx, req, ACT_CONFIRM);
    if (!st)
        return VK_ENOMEM;
    st->id = id;
    return job_defer(ctx, st, resp, VK_OK);
}
