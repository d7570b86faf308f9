/*
 * stats.c — the aggregate endpoints (see stats.h). Each handler checks its
 * parameters, takes the statistics snapshot (stats_index.h), answers 304
 * when the client's copy is current, and writes JSON.
 */
#include "stats/stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/roles.h"
#include "features/items.h"
#include "features/registry.h"
#include "stats/stats_index.h"
#include "gis/hex.h"
#include "core/clock.h"
#include "core/json.h"
#include "http/params.h"

#define CELL_MIN 100
#define CELL_MAX 2000
#define CELL_DEFAULT 250
/* k-anonymity of the density grid: a public cell shows at least this many
 * items, so a hexagon over a quiet street cannot single out one resident's
 * report. A lower k is raised to it rather than refused: the public
 * statistics page (and copies of it cached in browsers) ask for k=0, and
 * the answer's "k" says which k was applied. Staff can see every item in
 * the inbox anyway, so with staff credentials k may go down to 0. */
#define DENSITY_K_PUBLIC_MIN 5
/* Bumped when the JSON of an aggregate changes shape, so old copies go. */
#define STATS_FORMAT "1"

static const char *const statuses[] = {"received", "in_progress", "planned", "resolved",
                                       "not_resolvable", "duplicate", "forwarded", NULL};

/* ---- parameters ---- */

/* Parameters every aggregate accepts, and the ones the caller adds. */
static vk_err only_params(vk_ctx *ctx, const vk_req *req, const char *const *extra)
{
    static const char *const common[] = {"start", "end", "category", "status", "district", "bbox", NULL};
    if (req->params_overflow)
        return vk_fail(&ctx->err, VK_EPARAM, "", "too many query parameters");
    for (int i = 0; i < req->nparams; i++) {
        const char *k = req->params[i].key;
        int known = 0;
        for (int j = 0; common[j] && !known; j++)
            known = strcmp(k, common[j]) == 0;
        for (int j = 0; extra && extra[j] && !known; j++)
            known = strcmp(k, extra[j]) == 0;
        for (int j = 0; j < i && known; j++)
            if (strcmp(req->params[j].key, k) == 0)
                return vk_fail(&ctx->err, VK_EPARAM, k, "%s is given more than once", k);
        if (!known) {
            char shown[VK_SNIP_SIZE];
            if (vk_utf8_valid(k, strlen(k), NULL))
                vk_utf8_snip(k, strlen(k), shown);
            else
                snprintf(shown, sizeof shown, "?");
            return vk_fail(&ctx->err, VK_EUNKNOWN_PARAM, shown,
                           "unknown query parameter '%s'; see /ogcapi/api", shown);
        }
    }
    return VK_OK;
}

/* start/end: an RFC 3339 date (the whole day) or date-time, from 1970. */
static vk_err param_time(vk_ctx *ctx, const vk_req *req, const char *name, int is_end,
                         int *has, int64_t *out)
{
    static const char what[] =
        "an RFC 3339 date (2026-03-01) or date-time (2026-03-01T12:00:00Z)";
    char norm[VK_RFC3339_LEN];
    vk_err e = vk_param_time(req, name, is_end, what, norm, &ctx->err);
    if (e || !norm[0])
        return e;
    if ((*out = vk_rfc3339_seconds(norm)) < 0)
        return vk_fail(&ctx->err, VK_EPARAM, name, "%s must be %s", name, what);
    *has = 1;
    return VK_OK;
}

/* A comma list of at most STATS_MAX_LIST values. */
static vk_err split_list(vk_ctx *ctx, const vk_req *req, const char *name, const char **out,
                         int *n)
{
    return vk_param_list(req, name, 2000, STATS_MAX_LIST, out, n, &ctx->err);
}

static vk_err bad_value(vk_ctx *ctx, const char *name, const char *value, const char *hint)
{
    char shown[VK_SNIP_SIZE];
    if (vk_utf8_valid(value, strlen(value), NULL))
        vk_utf8_snip(value, strlen(value), shown);
    else
        snprintf(shown, sizeof shown, "?");
    return vk_fail(&ctx->err, VK_EPARAM, name, "%s: unknown value '%s'; %s", name, shown, hint);
}

/* The shared filters; names are checked against the snapshot v. */
static vk_err parse_filter(vk_ctx *ctx, const vk_req *req, const stats_view *v, stats_filter *f)
{
    memset(f, 0, sizeof *f);
    vk_err e;
    if ((e = param_time(ctx, req, "start", 0, &f->has_start, &f->start)) ||
        (e = param_time(ctx, req, "end", 1, &f->has_end, &f->end)))
        return e;
    if (f->has_start && f->has_end && f->start > f->end)
        return vk_fail(&ctx->err, VK_EPARAM, "end", "end is before start");
    if ((e = split_list(ctx, req, "category", f->categories, &f->ncategories)))
        return e;
    for (int i = 0; i < f->ncategories; i++)
        if (!stats_category_known(v, f->categories[i]))
            return bad_value(ctx, "category", f->categories[i], "see /api/v1/categories");
    if ((e = split_list(ctx, req, "status", f->statuses, &f->nstatuses)))
        return e;
    for (int i = 0; i < f->nstatuses; i++) {
        int ok = 0;
        for (int k = 0; statuses[k] && !ok; k++)
            ok = strcmp(statuses[k], f->statuses[i]) == 0;
        if (!ok)
            return bad_value(ctx, "status", f->statuses[i],
                             "the statuses are received, in_progress, planned, resolved, "
                             "not_resolvable, duplicate and forwarded");
    }
    const char *codes[STATS_MAX_LIST];
    if ((e = split_list(ctx, req, "district", codes, &f->ndistricts)))
        return e;
    for (int i = 0; i < f->ndistricts; i++) {
        f->districts[i] = 0;
        if (strcmp(codes[i], "none") != 0 && !stats_district_id(v, codes[i], &f->districts[i]))
            return bad_value(ctx, "district", codes[i],
                             "see /api/v1/districts, or none for outside every district");
    }
    return vk_param_bbox(req, "bbox", ctx->proj, GIS_CRS_CRS84, 0, f->bbox, &f->has_bbox,
                         &ctx->err);
}

static vk_err param_crs(vk_ctx *ctx, const vk_req *req, gis_crs *out)
{
    return vk_param_crs(req, "crs",
                        "unsupported; use CRS84, EPSG:4326, EPSG:3067 or EPSG:3879 (as URIs)", out,
                        &ctx->err);
}

/* Out of range is refused here: no clamping of limit. */
static vk_err param_int(vk_ctx *ctx, const vk_req *req, const char *name, long long def,
                        long long min, long long max, long long *out)
{
    *out = def;
    return vk_param_int(req, name, min, max, VK_PARAM_BETWEEN, out, &ctx->err);
}

static vk_err need_staff(vk_ctx *ctx, const vk_req *req, vk_resp *resp, const char *field)
{
    if (req->staff && req->staff->role != VK_ROLE_NONE)
        return VK_OK;
    vk_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"vaikuta staff\"");
    return vk_fail(&ctx->err, VK_EUNAUTHORIZED, field,
                   "figures by unit are for staff: sign in or send an API token");
}

/* ---- ETag, Last-Modified, 304 ---- */

/* Figures that depend on today (ages, the 14-day share) change at
 * midnight UTC too: the day is part of the tag, and Last-Modified is at
 * least today's start. */
static void validators(const stats_view *v, vk_req const *req, char *etag, size_t etag_n,
                       time_t *modified)
{
    time_t now = time(NULL);
    time_t today = now - now % 86400;
    int64_t at = v->at[0] ? vk_rfc3339_seconds(v->at) : 0;
    *modified = at > (int64_t)today ? (time_t)at : today;
    snprintf(etag, etag_n, "\"s" STATS_FORMAT "-%lld-%lld\"", (long long)v->seq,
             (long long)(today / 86400));
    (void)req;
}

/* Set the validators on resp; 1 when the client's copy is current (the
 * caller answers 304 with no body). */
static int not_modified(const stats_view *v, const vk_req *req, vk_resp *resp)
{
    char etag[96];
    time_t modified;
    validators(v, req, etag, sizeof etag, &modified);
    char *tag = vk_arena_strndup(req->arena, etag, strlen(etag));
    if (!tag) /* no memory for the header: answer in full, uncached */
        return 0;
    return vk_resp_not_modified(resp, req, tag, (int64_t)modified);
}

/* Take the snapshot and read the shared filters. 0: go on, v is held;
 * else return *e at once (VK_OK after a 304), v already given back. */
static int begin_view(vk_ctx *ctx, const vk_req *req, vk_resp *resp, stats_view *v,
                      stats_filter *f, vk_err *e)
{
    if ((*e = api_stats_acquire(ctx->stats, ctx, v)))
        return 1;
    if ((*e = parse_filter(ctx, req, v, f)) || not_modified(v, req, resp)) {
        api_stats_release(v);
        return 1;
    }
    return 0;
}

/* ---- JSON helpers ---- */

/* The member key: v with exactly decimals decimals, or null when v < 0
 * (no value). Always with decimals (3.00, not 3), so GIS clients that
 * guess a column's type from the first rows (GDAL) make it Real. */
static void fixed_member(vk_buf *b, const char *key, int decimals, double v)
{
    vk_json_key(b, key);
    if (v < 0)
        vk_buf_puts(b, "null");
    else
        vk_buf_printf(b, "%.*f", decimals, v);
}

/* The response-time members of one group (after its key, if any). */
static void write_times(vk_buf *b, const stats_times *t, int with_close)
{
    vk_buf_printf(b, "\"count\":%lld,\"open\":%lld,\"answered\":%lld,\"closed\":%lld",
                  (long long)t->count, (long long)t->open, (long long)t->answered,
                  (long long)t->closed);
    fixed_member(b, "median_days_to_answer", 2, t->median_answer);
    fixed_member(b, "p90_days_to_answer", 2, t->p90_answer);
    if (with_close) {
        fixed_member(b, "median_days_to_close", 2, t->median_close);
        fixed_member(b, "p90_days_to_close", 2, t->p90_close);
    }
    fixed_member(b, "answered_within_14_days", 4, t->within_14);
}

/* ---- GET /api/v1/stats/feedback ---- */

vk_err api_stats_feedback(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const extra[] = {"group_by", NULL};
    vk_err e = only_params(ctx, req, extra);
    if (e)
        return e;
    stats_dim dims[3];
    int ndims = 0;
    const char *gb = vk_req_param(req, "group_by");
    for (const char *p = gb; p && *p;) {
        size_t k = strcspn(p, ",");
        int d = stats_dim_parse(p, k);
        if (d < 0 || k == 0)
            return vk_fail(&ctx->err, VK_EPARAM, "group_by",
                           "group_by: a comma list of district, category, status, unit, week, "
                           "month and year");
        for (int i = 0; i < ndims; i++)
            if (dims[i] == (stats_dim)d)
                return vk_fail(&ctx->err, VK_EPARAM, "group_by", "group_by names %s twice",
                               stats_dim_name((stats_dim)d));
        if (ndims == 3)
            return vk_fail(&ctx->err, VK_EPARAM, "group_by", "group_by: at most 3 groupings");
        dims[ndims++] = (stats_dim)d;
        p += k;
        if (*p == ',' && !*++p)
            return vk_fail(&ctx->err, VK_EPARAM, "group_by", "group_by ends with a comma");
    }
    for (int i = 0; i < ndims; i++)
        if (dims[i] == STATS_DIM_UNIT && (e = need_staff(ctx, req, resp, "group_by")))
            return e;
    stats_view v;
    stats_filter f;
    if (begin_view(ctx, req, resp, &v, &f, &e))
        return e;
    stats_group *groups = NULL;
    int ngroups = 0;
    int64_t total = 0;
    if ((e = stats_count(&v, ctx, &f, dims, ndims, req->arena, &groups, &ngroups, &total))) {
        api_stats_release(&v);
        return e;
    }
    vk_buf *b = &resp->body;
    resp->content_type = "application/json";
    vk_buf_puts(b, "{\"group_by\":[");
    for (int i = 0; i < ndims; i++)
        vk_buf_printf(b, "%s\"%s\"", i ? "," : "", stats_dim_name(dims[i]));
    vk_buf_printf(b, "],\"total\":%lld,\"groups\":[", (long long)total);
    for (int g = 0; g < ngroups; g++) {
        vk_buf_puts(b, g ? ",{" : "{");
        for (int i = 0; i < ndims; i++) {
            vk_buf_printf(b, "\"%s\":", stats_dim_name(dims[i]));
            vk_json_str_or_null(b, groups[g].key[i]);
            vk_buf_putc(b, ',');
        }
        vk_buf_printf(b, "\"count\":%lld}", (long long)groups[g].count);
    }
    vk_buf_puts(b, "]}");
    api_stats_release(&v);
    return VK_OK;
}

/* ---- GET /api/v1/stats/response-times ---- */

vk_err api_stats_response_times(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const extra[] = {"by", NULL};
    vk_err e = only_params(ctx, req, extra);
    if (e)
        return e;
    const char *by_name = vk_req_param(req, "by");
    stats_dim by = STATS_DIM_CATEGORY;
    if (by_name && strcmp(by_name, "category") == 0)
        by = STATS_DIM_CATEGORY;
    else if (by_name && strcmp(by_name, "district") == 0)
        by = STATS_DIM_DISTRICT;
    else if (by_name && strcmp(by_name, "unit") == 0)
        by = STATS_DIM_UNIT;
    else if (by_name)
        return vk_fail(&ctx->err, VK_EPARAM, "by", "by must be category, unit or district");
    if (by == STATS_DIM_UNIT && (e = need_staff(ctx, req, resp, "by")))
        return e;
    stats_view v;
    stats_filter f;
    if (begin_view(ctx, req, resp, &v, &f, &e))
        return e;
    stats_times *groups = NULL, overall;
    int ngroups = 0;
    int64_t waiting[STATS_WAIT_BUCKETS];
    if ((e = stats_times_by(&v, ctx, &f, by, (int64_t)time(NULL), req->arena, &groups, &ngroups,
                            &overall, waiting))) {
        api_stats_release(&v);
        return e;
    }
    vk_buf *b = &resp->body;
    resp->content_type = "application/json";
    vk_buf_printf(b, "{\"by\":\"%s\",\"groups\":[", stats_dim_name(by));
    for (int g = 0; g < ngroups; g++) {
        vk_buf_printf(b, "%s{\"%s\":", g ? "," : "", stats_dim_name(by));
        vk_json_str_or_null(b, groups[g].key);
        vk_buf_putc(b, ',');
        write_times(b, &groups[g], 1);
        vk_buf_putc(b, '}');
    }
    vk_buf_puts(b, "],\"overall\":{");
    write_times(b, &overall, 1);
    vk_buf_puts(b, "},\"waiting\":[");
    for (int i = 0; i < STATS_WAIT_BUCKETS; i++)
        vk_buf_printf(b, "%s{\"age\":\"%s\",\"count\":%lld}", i ? "," : "", stats_wait_labels[i],
                      (long long)waiting[i]);
    vk_buf_puts(b, "]}");
    api_stats_release(&v);
    return VK_OK;
}

/* ---- choropleth ---- */

typedef struct area_writer {
    vk_ctx *ctx;
    vk_buf *b;
    gis_crs crs;
    const stats_times *groups;
    int ngroups;
    const char *only;       /* one area by code, or NULL */
    int64_t offset, limit;  /* paging (OGC); limit < 0 = all */
    int64_t index, written;
    vk_err err;
    /* OGC API's request (properties, links), or NULL (the choropleth). */
    const vk_req *req;
    const api_entry_query *ogc;
    const api_stats_collection *col;
} area_writer;

static int write_area(void *arg, const store_area *a)
{
    area_writer *w = arg;
    if (w->only && strcmp(w->only, a->code) != 0)
        return 0;
    int64_t i = w->index++;
    if (i < w->offset || (w->limit >= 0 && w->written >= w->limit))
        return 0;
    stats_times none;
    memset(&none, 0, sizeof none);
    none.median_answer = none.p90_answer = none.median_close = none.p90_close = -1;
    none.within_14 = -1;
    const stats_times *t = &none;
    for (int g = 0; g < w->ngroups; g++)
        if (w->groups[g].key_id == a->id)
            t = &w->groups[g];
    vk_buf *b = w->b;
    if (w->written++)
        vk_buf_putc(b, ',');
    size_t start = b->len;
    vk_buf_puts(b, "{\"type\":\"Feature\",\"id\":");
    vk_json_str_or_null(b, a->code);
    vk_buf_puts(b, ",\"geometry\":");
    vk_err e = w->crs == GIS_CRS_CRS84
                   ? gis_wkb_to_geojson(a->wkb, a->wkb_len, b)
                   : gis_wkb_to_geojson_crs(w->ctx->proj, w->crs, a->wkb, a->wkb_len, b);
    if (e) {
        w->err = vk_fail(&w->ctx->err, e, "crs", "an area cannot be written in this crs");
        return 1;
    }
    vk_buf_puts(b, ",\"properties\":{\"code\":");
    vk_json_str_or_null(b, a->code);
    vk_buf_puts(b, ",\"name\":{\"fi\":");
    vk_json_str_or_null(b, a->name[0]);
    vk_buf_puts(b, ",\"sv\":");
    vk_json_str_or_null(b, a->name[1]);
    vk_buf_puts(b, ",\"en\":");
    vk_json_str_or_null(b, a->name[2]);
    vk_buf_puts(b, "},");
    write_times(b, t, 0);
    vk_buf_puts(b, "}}");
    if (w->ogc && (w->err = api_entry_feature_done(w->ctx, w->req, b, start, w->ogc, w->col->id,
                                                   w->col->title, a->code)))
        return 1;
    return 0;
}

/* The areas with their figures as GeoJSON features into resp's body;
 * *outside is the number of filtered items in no area. */
static vk_err write_areas(vk_ctx *ctx, const vk_req *req, const stats_view *v,
                          const stats_filter *f, int accessibility, area_writer *w,
                          int64_t *outside, int64_t *matched)
{
    stats_times *groups = NULL, overall;
    int ngroups = 0;
    int64_t waiting[STATS_WAIT_BUCKETS];
    vk_err e = stats_times_by(v, ctx, f, accessibility ? STATS_DIM_AREA : STATS_DIM_DISTRICT,
                              (int64_t)time(NULL), req->arena, &groups, &ngroups, &overall, waiting);
    if (e)
        return e;
    *outside = 0;
    for (int g = 0; g < ngroups; g++)
        if (groups[g].key_id == 0 || !groups[g].key)
            *outside += groups[g].count;
    w->ctx = ctx;
    w->groups = groups;
    w->ngroups = ngroups;
    e = store_area_each(ctx->store, accessibility ? STORE_AREA_ACCESSIBILITY : STORE_AREA_DISTRICT,
                        write_area, w, &ctx->err);
    *matched = w->index;
    return e ? e : w->err;
}

static void content_crs(const vk_req *req, vk_resp *resp, gis_crs crs)
{
    char *h = vk_arena_alloc(req->arena, 128);
    if (h) {
        snprintf(h, 128, "<%s>", gis_crs_uri(crs));
        vk_resp_header(resp, "Content-Crs", h);
    }
}

vk_err api_stats_choropleth(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const extra[] = {"areas", "crs", NULL};
    vk_err e = only_params(ctx, req, extra);
    if (e)
        return e;
    const char *areas = vk_req_param(req, "areas");
    int accessibility = 0;
    if (areas && strcmp(areas, "accessibility-areas") == 0)
        accessibility = 1;
    else if (areas && strcmp(areas, "districts") != 0)
        return vk_fail(&ctx->err, VK_EPARAM, "areas", "areas must be districts or accessibility-areas");
    gis_crs crs;
    stats_view v;
    stats_filter f;
    if ((e = param_crs(ctx, req, &crs)) || begin_view(ctx, req, resp, &v, &f, &e))
        return e;
    vk_buf *b = &resp->body;
    resp->content_type = "application/geo+json";
    vk_buf_printf(b, "{\"type\":\"FeatureCollection\",\"areas\":\"%s\",\"features\":[",
                  accessibility ? "accessibility-areas" : "districts");
    area_writer w = {.b = b, .crs = crs, .limit = -1};
    int64_t outside = 0, matched = 0;
    e = write_areas(ctx, req, &v, &f, accessibility, &w, &outside, &matched);
    api_stats_release(&v);
    if (e)
        return e;
    vk_buf_printf(b, "],\"outside\":%lld}", (long long)outside);
    content_crs(req, resp, crs);
    return VK_OK;
}

/* ---- the aggregate OGC API collections ---- */

const api_stats_collection api_stats_collections[] = {
    {"feedback-by-district", "Feedback by district",
     "Public feedback counted per district, with response times (days to the first public "
     "answer, share answered within 14 days). Filter with start, end, category and status.",
     0},
    {"feedback-by-accessibility-area", "Feedback by accessibility area",
     "Public feedback counted per area with a higher accessibility level, with response "
     "times. Filter with start, end, category and status.",
     1},
};
const int api_stats_collections_count =
    (int)(sizeof api_stats_collections / sizeof api_stats_collections[0]);

const api_stats_collection *api_stats_collection_find(const char *id)
{
    for (int i = 0; id && i < api_stats_collections_count; i++)
        if (strcmp(api_stats_collections[i].id, id) == 0)
            return &api_stats_collections[i];
    return NULL;
}

vk_err api_stats_ogc_items(vk_ctx *ctx, const vk_req *req, vk_resp *resp,
                           const api_stats_collection *col, const char *feature,
                           const char *self_path)
{
    static const char *const extra[] = {"start", "end", "category", "status", NULL};
    api_entry_query eq;
    vk_err e = api_entry_params(ctx, req, col->id, feature != NULL, 0, feature ? NULL : extra,
                                "counts feedback per area (the areas are fixed); filter the "
                                "feedback counted with start, end, category and status",
                                &eq);
    if (e)
        return e;
    long long limit = eq.limit, offset = eq.offset;
    gis_crs crs = eq.crs;
    stats_view v;
    stats_filter f;
    if (begin_view(ctx, req, resp, &v, &f, &e))
        return e;
    vk_buf *b = &resp->body;
    resp->content_type = "application/geo+json";
    if (!feature)
        vk_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    area_writer w = {.b = b, .crs = crs, .only = feature, .limit = feature ? 1 : limit,
                     .offset = feature ? 0 : offset, .req = req, .ogc = &eq, .col = col};
    int64_t outside = 0, matched = 0;
    e = write_areas(ctx, req, &v, &f, col->accessibility, &w, &outside, &matched);
    api_stats_release(&v);
    if (e)
        return e;
    if (feature) {
        if (!w.written)
            return vk_fail(&ctx->err, VK_ENOT_FOUND, "featureId", "there is no such area");
        content_crs(req, resp, crs);
        return VK_OK;
    }
    vk_buf_printf(b, "],\"outside\":%lld", (long long)outside);
    api_entry_page_end(b, req, self_path, &eq, w.written, matched);
    vk_buf_putc(b, '}');
    content_crs(req, resp, crs);
    return VK_OK;
}

/* ---- registered with features/registry.h, for ogc/ ---- */

static vk_err registered_items(vk_ctx *ctx, const vk_req *req, vk_resp *resp,
                               const vk_collection_entry *col, const char *feature,
                               const char *self_path)
{
    return api_stats_ogc_items(ctx, req, resp, col->data, feature, self_path);
}

static void registered_queryables(const vk_collection_entry *col, vk_buf *b)
{
    vk_buf_puts(b, "{\"geometry\":{\"format\":\"geometry-multipolygon\","
                   "\"x-ogc-role\":\"primary-geometry\"},\"code\":{\"type\":\"string\"},"
                   "\"count\":{\"type\":\"integer\"},\"open\":{\"type\":\"integer\"},"
                   "\"answered\":{\"type\":\"integer\"},\"closed\":{\"type\":\"integer\"},"
                   "\"median_days_to_answer\":{\"type\":\"number\"},"
                   "\"p90_days_to_answer\":{\"type\":\"number\"},"
                   "\"answered_within_14_days\":{\"type\":\"number\"}}");
}

vk_err api_stats_register_collections(vk_errinfo *ei)
{
    static vk_collection_entry entries[sizeof api_stats_collections /
                                       sizeof api_stats_collections[0]];
    vk_err e = VK_OK;
    for (int i = 0; !e && i < api_stats_collections_count; i++) {
        const api_stats_collection *c = &api_stats_collections[i];
        entries[i] = (vk_collection_entry){c->id, c->title, c->description, registered_items,
                                           registered_queryables, c};
        e = vk_registry_add(&entries[i], ei);
    }
    return e;
}

/* ---- GET /api/v1/stats/density ---- */

static vk_err write_ring(vk_ctx *ctx, vk_buf *b, const gis_hex_grid *g, const stats_cell *c,
                         gis_crs crs)
{
    if (gis_hex_ring_geojson(ctx->proj, g, c->q, c->r, crs, b, NULL) != VK_OK)
        return vk_fail(&ctx->err, VK_EPARAM, "crs", "a cell cannot be written in this crs");
    return VK_OK;
}

vk_err api_stats_density(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const extra[] = {"cell", "k", "crs", NULL};
    vk_err e = only_params(ctx, req, extra);
    if (e)
        return e;
    long long cell, k;
    gis_crs crs;
    stats_view v;
    stats_filter f;
    if ((e = param_int(ctx, req, "cell", CELL_DEFAULT, CELL_MIN, CELL_MAX, &cell)) ||
        (e = param_int(ctx, req, "k", DENSITY_K_PUBLIC_MIN, 0, 1000000, &k)) ||
        (e = param_crs(ctx, req, &crs)))
        return e;
    if (k < DENSITY_K_PUBLIC_MIN && !(req->staff && req->staff->role != VK_ROLE_NONE))
        k = DENSITY_K_PUBLIC_MIN;
    if (begin_view(ctx, req, resp, &v, &f, &e))
        return e;
    stats_cell *cells = NULL;
    int ncells = 0;
    int64_t dropped_cells = 0, dropped_items = 0;
    if ((e = stats_density(&v, ctx, &f, (double)cell, k, req->arena, &cells, &ncells,
                           &dropped_cells, &dropped_items))) {
        api_stats_release(&v);
        return e;
    }
    api_stats_release(&v);
    gis_hex_grid grid;
    gis_hex_grid_init(&grid, (double)cell);
    vk_buf *b = &resp->body;
    resp->content_type = "application/geo+json";
    int64_t items = 0;
    vk_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < ncells; i++) {
        vk_buf_printf(b, "%s{\"type\":\"Feature\",\"id\":\"%d,%d\",\"geometry\":{\"type\":\"Polygon\","
                         "\"coordinates\":",
                      i ? "," : "", (int)cells[i].q, (int)cells[i].r);
        if ((e = write_ring(ctx, b, &grid, &cells[i], crs)))
            return e;
        vk_buf_printf(b, "},\"properties\":{\"count\":%lld,\"q\":%d,\"r\":%d}}",
                      (long long)cells[i].count, (int)cells[i].q, (int)cells[i].r);
        items += cells[i].count;
    }
    vk_buf_printf(b, "],\"cell\":%lld,\"cell_area_m2\":%lld,\"k\":%lld,\"cells\":%d,\"items\":%lld,"
                     "\"omitted\":{\"cells\":%lld,\"items\":%lld}}",
                  cell, cell * cell, k, ncells, (long long)items, (long long)dropped_cells,
                  (long long)dropped_items);
    content_crs(req, resp, crs);
    return VK_OK;
}
