/*
 * publish_ogc.c — a survey's published map figures as OGC API - Features
 * collections and GeoJSON downloads (docs/survey-publish.md, "OGC API
 * collections and downloads").
 *
 * Two collections per map question of a survey whose results are out:
 * results-{slug}-{question}-districts (every district, its polygon) and
 * results-{slug}-{question}-hex (the hexagons the public results list).
 * Each feature carries the count of respondents exactly as GET
 * /api/v1/surveys/{slug}/results shows it (survey_publish_map gives the
 * very cells): a suppressed count is null, with `suppressed` true and
 * `reason` saying why. The ids do not start with "survey-" so that they
 * can never be read as survey-{slug}-{question}, the answers' layers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "features/items.h"
#include "features/registry.h"
#include "gis/crs.h"
#include "gis/gis.h"
#include "gis/hex.h"
#include "http/params.h"
#include "survey/publish.h"
#include "survey/publish_sql.h"

#define PREFIX "results-"
#define MT_GEOJSON "application/geo+json"

typedef enum { KIND_DISTRICTS, KIND_HEX } map_kind;
static const char *const kind_suffix[] = {"-districts", "-hex"};

typedef struct result_col {
    vk_collection_entry e;
    const char *slug, *question;
    map_kind kind;
    const pub_map *map; /* the figures when found by id (this request's) */
} result_col;

/* ---- features ---- */

typedef struct shape {
    int64_t id;
    unsigned char *wkb;
    size_t len;
    double bbox[4];
} shape;

typedef struct shapes {
    vk_arena *a;
    shape *s;
    int n, cap;
    int failed;
} shapes;

static int read_shape(void *arg, db_row *row)
{
    shapes *sh = arg;
    if (sh->n == sh->cap) {
        int cap = sh->cap ? sh->cap * 2 : 64;
        shape *ns = vk_arena_alloc(sh->a, sizeof *ns * (size_t)cap);
        if (!ns)
            return sh->failed = 1;
        if (sh->n)
            memcpy(ns, sh->s, sizeof *ns * (size_t)sh->n);
        sh->s = ns;
        sh->cap = cap;
    }
    shape *s = &sh->s[sh->n];
    s->id = db_col_int64(row, 0);
    s->len = db_col_bytes(row, 1);
    s->wkb = s->len ? vk_arena_alloc(sh->a, s->len) : NULL;
    if (s->len && !s->wkb)
        return sh->failed = 1;
    if (s->len)
        memcpy(s->wkb, db_col_blob(row, 1), s->len);
    for (int i = 0; i < 4; i++)
        s->bbox[i] = db_col_double(row, 2 + i);
    sh->n++;
    return 0;
}

static const shape *shape_of(const shapes *sh, int64_t id)
{
    for (int i = 0; i < sh->n; i++)
        if (sh->s[i].id == id)
            return &sh->s[i];
    return NULL;
}

/* What a request asks of the features: one (by id) or a page. */
typedef struct feat_query {
    gis_crs crs;
    const char *only;
    long long limit, offset;
    /* OGC API's request (bbox, properties, links), or NULL (downloads). */
    const api_entry_query *ogc;
    const vk_req *req;
    const vk_collection_entry *col;
} feat_query;

static void put_count(vk_buf *b, const pub_map *m, const priv_cell *c)
{
    vk_buf_puts(b, ",\"count\":");
    if (c->state == PRIV_SHOWN)
        vk_json_int(b, c->n);
    else
        vk_buf_puts(b, "null");
    vk_buf_printf(b, ",\"suppressed\":%s,\"reason\":", c->state == PRIV_SHOWN ? "false" : "true");
    vk_buf_puts(b, c->state == PRIV_SHOWN      ? "null"
                   : c->state == PRIV_BELOW_K ? "\"fewer_than_k\""
                                               : "\"secondary\"");
    vk_buf_printf(b, ",\"k\":%d}}", m->k);
}

static void put_names(vk_buf *b, const char *name_json)
{
    json_t *n = json_loads(name_json, 0, NULL);
    static const char *const langs[] = {"fi", "sv", "en"};
    for (int i = 0; i < 3; i++) {
        vk_buf_printf(b, ",\"name_%s\":", langs[i]);
        vk_json_str_or_null(b, json_string_value(json_object_get(n, langs[i])));
    }
    json_decref(n);
}

/* The features of m that q asks for into b; *matched and *written count
 * them (matched: every one passing the bbox). */
static vk_err write_features(vk_ctx *ctx, vk_arena *a, const pub_map *m, map_kind kind,
                             const feat_query *q, vk_buf *b, long long *matched,
                             long long *written)
{
    *matched = *written = 0;
    shapes sh = {a, NULL, 0, 0, 0};
    vk_err e = VK_OK;
    if (kind == KIND_DISTRICTS &&
        (e = db_each(ctx->store, &publish_sql, SQL_PUB_DISTRICT_SHAPES, DB_NO_ARGS, read_shape,
                     &sh, "reading districts", &ctx->err)))
        return e;
    if (sh.failed)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    gis_hex_grid g;
    gis_hex_grid_init(&g, m->hex_size);
    int n = kind == KIND_DISTRICTS ? m->ndistricts : m->nhexagons;
    vk_buf geom;
    vk_buf_init(&geom, 4096);
    for (int i = 0; i < n && !e; i++) {
        const pub_area *ar = kind == KIND_DISTRICTS ? &m->districts[i] : &m->hexagons[i];
        char id[64];
        double box[4] = {0, 0, 0, 0};
        const shape *s = NULL;
        vk_buf_reset(&geom);
        if (kind == KIND_DISTRICTS) {
            snprintf(id, sizeof id, "%s", ar->code);
            s = shape_of(&sh, ar->district_id);
            if (s)
                memcpy(box, s->bbox, sizeof box);
        } else {
            snprintf(id, sizeof id, "%d_%d", ar->q, ar->r);
        }
        if (q->only && strcmp(q->only, id) != 0)
            continue;
        if (kind == KIND_HEX &&
            gis_hex_ring_geojson(ctx->proj, &g, ar->q, ar->r, q->crs, &geom, box) != VK_OK) {
            e = vk_fail(&ctx->err, VK_EPARAM, "crs", "a hexagon cannot be written in this crs");
            break;
        }
        /* A bbox keeps what meets it (a district without a shape: nothing). */
        if (q->ogc && q->ogc->nboxes &&
            ((kind == KIND_DISTRICTS && !s) || !api_entry_box_meets(q->ogc, box)))
            continue;
        long long at = (*matched)++;
        if (at < q->offset || *written >= q->limit)
            continue;
        if ((*written)++)
            vk_buf_putc(b, ',');
        size_t start = b->len;
        vk_buf_puts(b, "{\"type\":\"Feature\",\"id\":");
        vk_json_str_or_null(b, id);
        vk_buf_puts(b, ",\"geometry\":");
        if (kind == KIND_HEX) {
            vk_buf_puts(b, "{\"type\":\"Polygon\",\"coordinates\":");
            vk_buf_add(b, geom.data, geom.len);
            vk_buf_putc(b, '}');
        } else if (!s || !s->wkb) {
            vk_buf_puts(b, "null");
        } else if ((q->crs == GIS_CRS_CRS84 ? gis_wkb_to_geojson(s->wkb, s->len, b)
                                            : gis_wkb_to_geojson_crs(ctx->proj, q->crs, s->wkb,
                                                                     s->len, b)) != VK_OK) {
            e = vk_fail(&ctx->err, VK_EPARAM, "crs", "a district cannot be written in this crs");
            break;
        }
        vk_buf_puts(b, ",\"properties\":{");
        vk_json_member_str(b, "survey", m->slug);
        vk_json_member_str(b, "question", m->question);
        if (kind == KIND_DISTRICTS) {
            vk_json_member_str(b, "code", ar->code);
            put_names(b, ar->name);
        } else {
            vk_buf_printf(b, ",\"q\":%d,\"r\":%d,\"size\":%d", ar->q, ar->r, m->hex_size);
        }
        put_count(b, m, &ar->cell);
        if (q->ogc)
            e = api_entry_feature_done(ctx, q->req, b, start, q->ogc, q->col->id, q->col->title,
                                       id);
    }
    vk_buf_fini(&geom);
    return e;
}

/* The figures of col, or 404 (field collectionId) when they are gone. */
static vk_err map_of(vk_ctx *ctx, const vk_req *req, const result_col *col, pub_map *m)
{
    vk_err e = survey_publish_map(ctx, req->arena, col->slug, col->question, m, &ctx->err);
    if (e == VK_ENOT_FOUND)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "collectionId", "there is no such collection");
    return e;
}

static void content_crs(const vk_req *req, vk_resp *resp, gis_crs crs)
{
    char *h = vk_arena_alloc(req->arena, 128);
    if (h) {
        snprintf(h, 128, "<%s>", gis_crs_uri(crs));
        vk_resp_header(resp, "Content-Crs", h);
    }
}



static vk_err col_items(vk_ctx *ctx, const vk_req *req, vk_resp *resp,
                        const vk_collection_entry *entry, const char *feature,
                        const char *self_path)
{
    const result_col *col = entry->data;
    api_entry_query eq;
    vk_err e = api_entry_params(ctx, req, entry->id, feature != NULL, API_ENTRY_BBOX, NULL,
                                "holds counts computed from the answers; filter the answers' "
                                "own collection instead (survey-{slug}-{question})",
                                &eq);
    if (e)
        return e;
    feat_query q = {.crs = eq.crs, .only = feature, .limit = feature ? 1 : eq.limit,
                    .offset = feature ? 0 : eq.offset, .ogc = &eq, .req = req, .col = entry};
    pub_map m;
    if (col->map)
        m = *col->map; /* provider_find read them for this request */
    else if ((e = map_of(ctx, req, col, &m)))
        return e;
    vk_buf *b = &resp->body;
    resp->content_type = MT_GEOJSON;
    if (!feature)
        vk_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    long long matched, written;
    if ((e = write_features(ctx, req->arena, &m, col->kind, &q, b, &matched, &written)))
        return e;
    content_crs(req, resp, q.crs);
    if (feature) {
        if (!written)
            return vk_fail(&ctx->err, VK_ENOT_FOUND, "featureId", "there is no such item");
        return VK_OK;
    }
    vk_buf_putc(b, ']');
    api_entry_page_end(b, req, self_path, &eq, written, matched);
    vk_buf_putc(b, '}');
    return VK_OK;
}

static void col_describe(const vk_collection_entry *entry, vk_buf *b)
{
    const result_col *col = entry->data;
    vk_buf_puts(b, "{\"geometry\":{\"format\":\"geometry-");
    vk_buf_puts(b, col->kind == KIND_HEX ? "polygon" : "multipolygon");
    vk_buf_puts(b, "\",\"x-ogc-role\":\"primary-geometry\"},"
                   "\"survey\":{\"title\":\"The survey's slug\",\"type\":\"string\"},"
                   "\"question\":{\"title\":\"The map question\",\"type\":\"string\"},");
    if (col->kind == KIND_HEX)
        vk_buf_puts(b, "\"q\":{\"type\":\"integer\"},\"r\":{\"type\":\"integer\"},"
                       "\"size\":{\"title\":\"The grid's cell (metres, EPSG:3067)\","
                       "\"type\":\"integer\"},");
    else
        vk_buf_puts(b, "\"code\":{\"type\":\"string\"},\"name_fi\":{\"type\":\"string\"},"
                       "\"name_sv\":{\"type\":\"string\"},\"name_en\":{\"type\":\"string\"},");
    vk_buf_puts(b, "\"count\":{\"title\":\"Respondents who drew here; null when suppressed\","
                   "\"type\":\"integer\"},"
                   "\"suppressed\":{\"type\":\"boolean\"},"
                   "\"reason\":{\"title\":\"Why the count is not shown\",\"type\":\"string\","
                   "\"enum\":[\"fewer_than_k\",\"secondary\"]},"
                   "\"k\":{\"title\":\"No count from fewer respondents is shown\","
                   "\"type\":\"integer\"}}");
}

/* ---- the entry provider ---- */

static result_col *col_new(vk_arena *a, const char *slug, const char *question,
                           const char *title, map_kind kind)
{
    result_col *c = vk_arena_alloc(a, sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->slug = vk_arena_strdup(a, slug);
    c->question = vk_arena_strdup(a, question);
    c->kind = kind;
    size_t n = strlen(PREFIX) + strlen(slug) + strlen(question) + 16;
    char *id = vk_arena_alloc(a, n);
    if (id)
        snprintf(id, n, PREFIX "%s-%s%s", slug, question, kind_suffix[kind]);
    n = strlen(title) + 64;
    char *t = vk_arena_alloc(a, n);
    if (t)
        snprintf(t, n, "%s (%s)", title,
                 kind == KIND_HEX ? "respondents per hexagon" : "respondents per district");
    const char *desc =
        kind == KIND_HEX
            ? "The published results of a map question: respondents (not features) who drew "
              "in each hexagon of the grid (EPSG:3067). A count from fewer than k respondents, "
              "or one hidden to protect such a count, is null with suppressed true."
            : "The published results of a map question: respondents (not features) who drew "
              "or placed something in each district. A count from fewer than k respondents, "
              "or one hidden to protect such a count, is null with suppressed true.";
    c->e = (vk_collection_entry){id, t, desc, col_items, col_describe, c};
    return c->slug && c->question && id && t ? c : NULL;
}

typedef struct each_state {
    const vk_req *req;
    vk_entry_fn fn;
    void *arg;
    int failed;
} each_state;

static int each_map(void *arg, const char *slug, const char *question, const char *title)
{
    each_state *st = arg;
    for (int k = 0; k < 2; k++) {
        result_col *c = col_new(st->req->arena, slug, question, title, (map_kind)k);
        if (!c)
            return st->failed = 1;
        if (st->fn(st->arg, &c->e))
            return 1;
    }
    return 0;
}

static vk_err provider_each(vk_ctx *ctx, const vk_req *req, vk_entry_fn fn, void *arg)
{
    each_state st = {req, fn, arg, 0};
    vk_err e = survey_publish_maps_each(ctx, each_map, &st, &ctx->err);
    return e ? e : st.failed ? vk_fail(&ctx->err, VK_ENOMEM, "", NULL) : VK_OK;
}

/* {slug}-{question}{suffix} after the prefix: a key has no '-', so the
 * last one before the suffix splits. 0 when id is not of that form. */
static int parse_id(const char *id, char *slug, size_t nslug, char *question, size_t nq,
                    map_kind *kind)
{
    const char *rest = id + strlen(PREFIX);
    size_t len = strlen(rest);
    for (int k = 0; k < 2; k++) {
        size_t sl = strlen(kind_suffix[k]);
        if (len <= sl || strcmp(rest + len - sl, kind_suffix[k]) != 0)
            continue;
        const char *end = rest + len - sl, *dash = NULL;
        for (const char *p = rest; p < end; p++)
            if (*p == '-')
                dash = p;
        if (!dash || dash == rest || (size_t)(dash - rest) >= nslug ||
            (size_t)(end - dash - 1) >= nq || end == dash + 1)
            return 0;
        memcpy(slug, rest, (size_t)(dash - rest));
        slug[dash - rest] = '\0';
        memcpy(question, dash + 1, (size_t)(end - dash - 1));
        question[end - dash - 1] = '\0';
        *kind = (map_kind)k;
        return 1;
    }
    return 0;
}

static vk_err provider_find(vk_ctx *ctx, const vk_req *req, const char *id,
                            const vk_collection_entry **out)
{
    *out = NULL;
    char slug[128], question[64];
    map_kind kind;
    if (!parse_id(id, slug, sizeof slug, question, sizeof question, &kind))
        return VK_OK;
    pub_map *m = vk_arena_alloc(req->arena, sizeof *m);
    if (!m)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    vk_err e = survey_publish_map(ctx, req->arena, slug, question, m, &ctx->err);
    if (e == VK_ENOT_FOUND) {
        vk_errinfo_clear(&ctx->err);
        return VK_OK; /* not out, or no such question: no such collection */
    }
    if (e)
        return e;
    result_col *c = col_new(req->arena, slug, question, m->title, kind);
    if (!c)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    c->map = m;
    *out = &c->e;
    return VK_OK;
}

static const vk_entry_provider provider = {PREFIX, provider_each, provider_find};

vk_err survey_publish_register(vk_errinfo *ei)
{
    return vk_registry_add_entry_provider(&provider, ei);
}

/* ---- GET /api/v1/surveys/{slug}/results/{question}.geojson ---- */

static int etag_matches(const char *header, const char *etag)
{
    return header && (strcmp(header, "*") == 0 || strstr(header, etag) != NULL);
}

vk_err api_survey_results_geojson(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {NULL};
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (e)
        return e;
    const char *slug = req->nargs > 0 ? req->args[0] : "";
    const char *arg = req->nargs > 1 ? req->args[1] : "";
    char question[64];
    map_kind kind = KIND_HEX;
    size_t n = strlen(arg);
    for (int k = 0; k < 2; k++) {
        size_t sl = strlen(kind_suffix[k]);
        if (n > sl && strcmp(arg + n - sl, kind_suffix[k]) == 0) {
            kind = (map_kind)k;
            n -= sl;
        }
    }
    if (n == 0 || n >= sizeof question)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "question", "the survey has no such map question");
    memcpy(question, arg, n);
    question[n] = '\0';
    pub_map m;
    if ((e = survey_publish_map(ctx, req->arena, slug, question, &m, &ctx->err)))
        return e;
    vk_resp_header(resp, "ETag", m.etag);
    vk_resp_header(resp, "Cache-Control", "no-cache");
    if (etag_matches(req->if_none_match, m.etag)) {
        resp->status = 304;
        return VK_OK;
    }
    size_t dn = strlen(slug) + strlen(question) + 64;
    char *d = vk_arena_alloc(req->arena, dn);
    if (d) {
        snprintf(d, dn, "attachment; filename=\"%s-%s%s.geojson\"", slug, question,
                 kind_suffix[kind]);
        vk_resp_header(resp, "Content-Disposition", d);
    }
    resp->content_type = MT_GEOJSON;
    vk_buf *b = &resp->body;
    vk_buf_puts(b, "{\"type\":\"FeatureCollection\",\"name\":");
    char name[200];
    snprintf(name, sizeof name, "%s-%s%s", slug, question, kind_suffix[kind]);
    vk_json_str_or_null(b, name);
    vk_buf_puts(b, ",\"features\":[");
    feat_query q = {.crs = GIS_CRS_CRS84, .limit = INT32_MAX};
    long long matched, written;
    if ((e = write_features(ctx, req->arena, &m, kind, &q, b, &matched, &written)))
        return e;
    vk_buf_puts(b, "]}");
    return VK_OK;
}
