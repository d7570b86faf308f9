/*
 * budget_export.c — projects.gpkg and projects.csv of a round (budget_export.h).
 *
 * The collections are made per request: FROM names the round by its id,
 * and the tally's figures become CASE constants over the project id, so
 * the shared writers (exchange/export.c, gpkg.c) do the rest, in the
 * asked CRS. Everything written into the SQL is a number.
 */
#include "exchange/budget_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget/ballot.h"
#include "budget/round.h"
#include "budget/sql.h"
#include "budget/tally.h"
#include "core/arena.h"
#include "core/buf.h"
#include "exchange/export.h"
#include "exchange/gpkg.h"
#include "http/params.h"

#define CRS_WHY "use CRS84, EPSG:4326, EPSG:3067 or EPSG:3879"

static const store_column project_columns[] = {
    {"title_fi", "j.title ->> '$.fi'", CQL2_Q_STRING, "Title (fi)", NULL, 0},
    {"title_sv", "j.title ->> '$.sv'", CQL2_Q_STRING, "Title (sv)", NULL, 0},
    {"title_en", "j.title ->> '$.en'", CQL2_Q_STRING, "Title (en)", NULL, 0},
    {"category", "j.category", CQL2_Q_STRING, "Category", NULL, 0},
    {"area", "j.area", CQL2_Q_STRING, "Sub-budget area", NULL, 0},
    {"district", "j.district", CQL2_Q_STRING, "District code", NULL, 0},
    {"cost", "j.cost", CQL2_Q_INTEGER, "Cost (EUR)", NULL, 0},
    {"unit", "j.unit", CQL2_Q_STRING, "Responsible unit", NULL, 0},
    {"proposals", "(SELECT group_concat(p.id, ' ') FROM budget_proposal p WHERE p.project_id = j.id)",
     CQL2_Q_STRING, "The proposals merged into it (ids)", NULL, 0},
    {"supporters", "(SELECT count(DISTINCT s.browser) FROM budget_support s JOIN budget_proposal p "
                   "ON p.id = s.proposal_id WHERE p.project_id = j.id)",
     CQL2_Q_INTEGER, "Supporters of its proposals", NULL, 0},
    /* [10..13]: the tally's, set per request */
    {"votes", NULL, CQL2_Q_INTEGER, "Votes (approvals or points)", NULL, 0},
    {"selected", NULL, CQL2_Q_INTEGER, "Won under the round's method (1/0)", NULL, 0},
    {"selected_greedy", NULL, CQL2_Q_INTEGER, "Won under greedy (1/0)", NULL, 0},
    {"selected_mes", NULL, CQL2_Q_INTEGER, "Won under equal shares (1/0)", NULL, 0},
    {"status", "j.status", CQL2_Q_STRING, "Implementation status", NULL, 0},
    {"status_reason", "j.status_reason", CQL2_Q_STRING, "Why cancelled", NULL, 0},
    {"updated", "j.updated_at", CQL2_Q_DATETIME, "Last changed", NULL, 0},
};
#define NPROJECT ((int)(sizeof project_columns / sizeof project_columns[0]))
#define VOTES_COL 10

static const store_column proposal_columns[] = {
    {"title", "p.title", CQL2_Q_STRING, "Title", NULL, 0},
    {"description", "p.description", CQL2_Q_STRING, "Description", NULL, 0},
    {"category", "p.category", CQL2_Q_STRING, "Category", NULL, 0},
    {"language", "p.language", CQL2_Q_STRING, "Language", NULL, 0},
    {"district", "p.district", CQL2_Q_STRING, "District code", NULL, 0},
    {"area", "p.area", CQL2_Q_STRING, "Sub-budget area", NULL, 0},
    {"located", "p.located", CQL2_Q_STRING, "How it was placed", NULL, 0},
    {"created", "p.created_at", CQL2_Q_DATETIME, "Proposed", NULL, 0},
    {"supports", "p.supports", CQL2_Q_INTEGER, "Supporters", NULL, 0},
    {"moderation", "p.moderation", CQL2_Q_STRING, "Moderation", NULL, 0},
    {"review_feasible", "p.feasible", CQL2_Q_INTEGER, "Feasible (1/0, null before review)", NULL, 0},
    {"review_reason", "p.reason", CQL2_Q_STRING, "Why not feasible", NULL, 0},
    {"review_cost", "p.cost", CQL2_Q_INTEGER, "Cost estimate (EUR)", NULL, 0},
    {"review_unit", "p.unit", CQL2_Q_STRING, "Responsible unit", NULL, 0},
    {"project", "p.project_id", CQL2_Q_INTEGER, "The project it was merged into", NULL, 0},
};
#define NPROPOSAL ((int)(sizeof proposal_columns / sizeof proposal_columns[0]))

/* The two collections of one round, in arena a. */
typedef struct round_files {
    char slug[BUDGET_SLUG_MAX + 1];
    store_collection projects, proposals;
    store_column pcols[NPROJECT];
} round_files;

/* "CASE j.id WHEN id THEN v … ELSE 0 END" of one figure per project;
 * which: 0 votes, 1 the round's method, 2 greedy, 3 mes. */
static char *figure_sql(vk_arena *a, const budget_tally *t, const budget_projects *p,
                        budget_method method, int which)
{
    vk_buf b;
    vk_buf_init(&b, 1 << 20);
    vk_buf_puts(&b, "CASE j.id");
    for (int ai = 0; ai < t->nareas; ai++) {
        const budget_area_tally *at = &t->area[ai];
        for (int i = 0; i < at->np; i++) {
            int64_t v = which == 0 ? at->o.votes[i]
                        : which == 2 || (which == 1 && method == BUDGET_GREEDY) ? at->o.greedy[i]
                                                                               : at->o.mes[i];
            vk_buf_printf(&b, " WHEN %lld THEN %lld", (long long)p->v[at->project[i]].id,
                          (long long)v);
        }
    }
    vk_buf_puts(&b, " ELSE 0 END");
    char *s = vk_buf_ok(&b) ? vk_arena_strndup(a, b.data, b.len) : NULL;
    vk_buf_fini(&b);
    return s;
}

static char *printf_arena(vk_arena *a, const char *fmt, long long id)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, fmt, id);
    return vk_arena_strdup(a, tmp);
}

/* The round of the path (any phase: staff), its tally, its collections. */
static vk_err load(vk_ctx *ctx, const vk_req *req, vk_arena *a, round_files *f, gis_crs *crs)
{
    static const char *const known[] = {"crs", NULL};
    memset(f, 0, sizeof *f);
    vk_err e = vk_req_only_params(req, known, &ctx->err);
    if (!e)
        e = vk_param_crs(req, "crs", CRS_WHY, crs, &ctx->err);
    if (e)
        return e;
    const char *slug = req->nargs ? req->args[0] : "";
    int64_t id = 0;
    int published = 0, found = 0;
    char *doc_text = NULL, by_hand[20], updated[VK_RFC3339_LEN];
    if (strlen(slug) <= BUDGET_SLUG_MAX &&
        (e = db_scan(ctx->store, &budget_sql, SQL_ROUND_HEAD, DB_ARGS(DB_TEXT(slug)),
                     DB_OUTS(DB_I64_TO(&id), DB_DUP_TO(&doc_text), DB_INT_TO(&published),
                             DB_COPY_TO(by_hand, sizeof by_hand),
                             DB_COPY_TO(updated, sizeof updated)),
                     &found, "reading a round", &ctx->err)))
        return e;
    if (!found) {
        free(doc_text);
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "slug", "there is no such round");
    }
    json_t *doc = json_loads(doc_text, 0, NULL);
    free(doc_text);
    budget_round r;
    memset(&r, 0, sizeof r);
    e = doc ? budget_round_parse(NULL, doc, &r, &ctx->err)
            : vk_fail(&ctx->err, VK_EINTERNAL, "", "a stored round is not JSON");
    json_decref(doc);
    budget_projects p = {0};
    budget_tally t;
    int have = 0;
    if (!e)
        e = budget_projects_load(ctx->store, id, &p, &ctx->err);
    if (!e && !(e = budget_tally_compute(ctx->store, id, &r, &p, &t, &ctx->err)))
        have = 1;
    if (!e) {
        snprintf(f->slug, sizeof f->slug, "%s", r.slug);
        memcpy(f->pcols, project_columns, sizeof project_columns);
        for (int w = 0; w < 4; w++)
            if (!(f->pcols[VOTES_COL + w].sql = figure_sql(a, &t, &p, r.method, w)))
                e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    }
    if (!e) {
        f->projects = (store_collection){
            .id = "projects", .title = "projects", .description = "projects",
            .geometry_type = "Geometry",
            .from = printf_arena(a, "budget_project j JOIN budget_round r ON r.id = j.round_id "
                                    "AND r.id = %lld", (long long)id),
            .id_sql = "j.id", .rowid_sql = "j.id", .geom_sql = "j.geom",
            .rtree = "idx_budget_project_geom", .time_sql = "j.updated_at",
            .columns = f->pcols, .ncolumns = NPROJECT};
        f->proposals = (store_collection){
            .id = "proposals", .title = "proposals", .description = "proposals",
            .geometry_type = "Geometry",
            .from = printf_arena(a, "budget_proposal p JOIN budget_round r ON r.id = p.round_id "
                                    "AND r.id = %lld", (long long)id),
            .id_sql = "p.id", .rowid_sql = "p.id", .geom_sql = "p.geom",
            .rtree = "idx_budget_proposal_geom", .time_sql = "p.created_at",
            .columns = proposal_columns, .ncolumns = NPROPOSAL};
        if (!f->projects.from || !f->proposals.from)
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    }
    if (have)
        budget_tally_fini(&t);
    budget_projects_fini(&p);
    budget_round_fini(&r);
    return e;
}

static void attachment(const vk_req *req, vk_resp *resp, const char *slug, const char *file,
                       const char *type)
{
    char *d = vk_arena_alloc(req->arena, 256);
    if (d) {
        snprintf(d, 256, "attachment; filename=\"%s-%s\"", slug, file);
        vk_resp_header(resp, "Content-Disposition", d);
    }
    resp->content_type = type;
}

typedef struct gpkg_job {
    vk_ctx *ctx;
    const round_files *f;
    gis_crs crs;
} gpkg_job;

static vk_err gpkg_build(void *arg, const char *path, vk_errinfo *ei)
{
    gpkg_job *j = arg;
    store_gpkg *g = NULL;
    vk_err e = store_gpkg_create(&g, path, &j->f->projects, gis_crs_epsg(j->crs), ei);
    if (!e)
        e = api_export_gpkg_layer(j->ctx, &j->f->projects, j->crs, g, ei);
    if (!e)
        e = store_gpkg_add_layer(g, &j->f->proposals, ei);
    if (!e)
        e = api_export_gpkg_layer(j->ctx, &j->f->proposals, j->crs, g, ei);
    if (g && e)
        store_gpkg_abort(g);
    else if (g)
        e = store_gpkg_finish(g, ei);
    return e;
}

vk_err api_budget_export_gpkg(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    round_files *f = vk_arena_alloc(req->arena, sizeof *f);
    gis_crs crs = GIS_CRS_CRS84;
    if (!f)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    vk_err e = load(ctx, req, req->arena, f, &crs);
    if (e)
        return e;
    gpkg_job job = {ctx, f, crs};
    attachment(req, resp, f->slug, "projects.gpkg", api_export_media_type(EXPORT_GPKG));
    return api_export_file(ctx, req, resp, gpkg_build, &job);
}

/* projects.csv: streamed, holding the arena its collection lives in. */
typedef struct held_csv {
    vk_arena arena;
    round_files f;
    api_export *x;
} held_csv;

static long csv_read(void *arg, char *buf, size_t max)
{
    held_csv *h = arg;
    vk_errinfo ei;
    return (long)api_export_read(h->x, buf, max, &ei);
}

static void csv_close(void *arg)
{
    held_csv *h = arg;
    api_export_close(h->x);
    vk_arena_fini(&h->arena);
    free(h);
}

vk_err api_budget_export_csv(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    held_csv *h = calloc(1, sizeof *h);
    if (!h)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    vk_arena_init(&h->arena, 0);
    gis_crs crs = GIS_CRS_CRS84;
    api_export_slot *slot = NULL;
    vk_err e = load(ctx, req, &h->arena, &h->f, &crs);
    if (!e)
        e = api_export_reserve(ctx, resp, &slot);
    if (!e)
        e = api_export_open(&h->x, ctx->cfg, &h->f.projects, EXPORT_CSV, crs, NULL, &ctx->err);
    if (e) {
        api_export_release(slot);
        vk_arena_fini(&h->arena);
        free(h);
        return e;
    }
    attachment(req, resp, h->f.slug, "projects.csv", api_export_media_type(EXPORT_CSV));
    api_export_send(slot, resp, csv_read, csv_close, h);
    return VK_OK;
}
