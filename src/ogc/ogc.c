/*
 * ogc.c — OGC API - Features at /ogcapi: Part 1 Core (GeoJSON, OpenAPI
 * 3.0), Part 2 CRS by reference, Part 3 filtering with CQL2 text, sortby
 * and properties, and Part 4 for the feedback collection (create here,
 * replace, update and delete in edit.c). Every collection in
 * features/collections.c and every provided one is served by the same
 * code; the registry's entries read the same parameters through
 * api_entry_params (docs/ogcapi.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ogc/ogc.h"
#include "ogc/edit.h"
#include "feedback/feedback.h"
#include "features/items.h"
#include "features/registry.h"
#include "core/clock.h"
#include "http/params.h"

#define OGC_ROOT "/ogcapi"
#define MT_JSON "application/json"
#define MT_GEOJSON "application/geo+json"
#define MT_OPENAPI "application/vnd.oai.openapi+json;version=3.0"
#define MT_SCHEMA "application/schema+json"

static const char *const conformance[] = {
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    /* Part 4 (draft) on the feedback collection; the others answer 405. */
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
    NULL,
};

static const char *const no_params[] = {"f", NULL};

/* f=json is the only format; anything else is a 400 rather than a surprise. */
static vk_err check_f(vk_ctx *ctx, const vk_req *req)
{
    const char *f = vk_req_param(req, "f");
    if (f && strcmp(f, "json") && strcmp(f, "geojson") && strcmp(f, "application/json") &&
        strcmp(f, MT_GEOJSON))
        return vk_fail(&ctx->err, VK_EPARAM, "f", "f: only json is offered");
    return VK_OK;
}

static vk_err simple_params(vk_ctx *ctx, const vk_req *req)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    return e ? e : check_f(ctx, req);
}

static void link(vk_buf *b, int first, const char *base, const char *path, const char *rel,
                 const char *type, const char *title)
{
    vk_buf_printf(b, "%s{\"href\":\"%s%s\",\"rel\":\"%s\",\"type\":\"%s\",\"title\":", first ? "" : ",",
                  base, path, rel, type);
    vk_json_str_or_null(b, title);
    vk_buf_putc(b, '}');
}

vk_err ogc_landing(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = simple_params(ctx, req);
    if (e)
        return e;
    const char *base = api_base_url(req);
    vk_buf *b = &resp->body;
    vk_buf_puts(b, "{\"title\":\"Vaikuta\",\"description\":\"Residents' feedback, districts and "
                   "accessibility areas of the municipality, as OGC API - Features.\",\"links\":[");
    link(b, 1, base, OGC_ROOT, "self", MT_JSON, "This document");
    link(b, 0, base, OGC_ROOT "/api", "service-desc", MT_OPENAPI, "The API definition (OpenAPI 3.0)");
    link(b, 0, base, OGC_ROOT "/conformance", "conformance", MT_JSON, "Conformance classes");
    link(b, 0, base, OGC_ROOT "/conformance", "http://www.opengis.net/def/rel/ogc/1.0/conformance",
         MT_JSON, "Conformance classes");
    link(b, 0, base, OGC_ROOT "/collections", "data", MT_JSON, "The collections");
    link(b, 0, base, OGC_ROOT "/collections", "http://www.opengis.net/def/rel/ogc/1.0/data", MT_JSON,
         "The collections");
    vk_buf_puts(b, "]}");
    return VK_OK;
}

vk_err ogc_conformance(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = simple_params(ctx, req);
    if (e)
        return e;
    vk_buf_puts(&resp->body, "{\"conformsTo\":[");
    for (int i = 0; conformance[i]; i++)
        vk_buf_printf(&resp->body, "%s\"%s\"", i ? "," : "", conformance[i]);
    vk_buf_puts(&resp->body, "]}");
    return VK_OK;
}

vk_err ogc_api(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = simple_params(ctx, req);
    if (!e) {
        resp->content_type = MT_OPENAPI;
        vk_buf_puts(&resp->body, api_openapi_json);
    }
    return e;
}

static void write_crs_list(vk_buf *b)
{
    vk_buf_putc(b, '[');
    for (int c = 0; c < GIS_CRS__COUNT; c++)
        vk_buf_printf(b, "%s\"%s\"", c ? "," : "", gis_crs_uri((gis_crs)c));
    vk_buf_putc(b, ']');
}

/* One collection's description. temporal: t0/t1 ("" = open) are written
 * as its interval. */
typedef struct collection_doc {
    const char *id, *title, *description, *items_title, *queryables_title;
    double bbox[4];
    int temporal;
    const char *t0, *t1;
} collection_doc;

static void write_collection_doc(vk_buf *b, const char *base, const collection_doc *d)
{
    char path[160];
    vk_buf_putc(b, '{');
    vk_json_member_str(b, "id", d->id);
    vk_json_member_str(b, "title", d->title);
    vk_json_member_str(b, "description", d->description);
    vk_buf_puts(b, ",\"itemType\":\"feature\",\"links\":[");
    snprintf(path, sizeof path, OGC_ROOT "/collections/%s", d->id);
    link(b, 1, base, path, "self", MT_JSON, d->title);
    snprintf(path, sizeof path, OGC_ROOT "/collections/%s/items", d->id);
    link(b, 0, base, path, "items", MT_GEOJSON, d->items_title);
    snprintf(path, sizeof path, OGC_ROOT "/collections/%s/queryables", d->id);
    link(b, 0, base, path, "http://www.opengis.net/def/rel/ogc/1.0/queryables", MT_SCHEMA,
         d->queryables_title);
    vk_buf_puts(b, "],\"extent\":{\"spatial\":{\"bbox\":[[");
    for (int i = 0; i < 4; i++) {
        if (i)
            vk_buf_putc(b, ',');
        vk_json_coord(b, d->bbox[i], GIS_DECIMALS);
    }
    vk_buf_printf(b, "]],\"crs\":\"%s\"}", gis_crs_uri(GIS_CRS_CRS84));
    if (d->temporal) {
        vk_buf_puts(b, ",\"temporal\":{\"interval\":[[");
        vk_json_str_or_null(b, d->t0[0] ? d->t0 : NULL);
        vk_buf_putc(b, ',');
        vk_json_str_or_null(b, d->t1[0] ? d->t1 : NULL);
        vk_buf_puts(b, "]],\"trs\":\"http://www.opengis.net/def/uom/ISO-8601/0/Gregorian\"}");
    }
    vk_buf_puts(b, "},\"crs\":");
    write_crs_list(b);
    vk_buf_printf(b, ",\"storageCrs\":\"%s\"}", gis_crs_uri(GIS_CRS_CRS84));
}

/* Where a collection without items of its own lies: the municipality. */
static void default_bbox(const vk_ctx *ctx, double bbox[4])
{
    if (ctx->has_bounds)
        memcpy(bbox, ctx->bounds, 4 * sizeof bbox[0]);
    else
        memcpy(bbox, (double[4]){-180, -90, 180, 90}, 4 * sizeof bbox[0]);
}

static vk_err write_collection(vk_ctx *ctx, const vk_req *req, const store_collection *col, vk_buf *b)
{
    char t0[32], t1[32];
    int found = 0;
    collection_doc d = {col->id, col->title, col->description, "The items",
                        "What the items can be filtered by", {0}, col->time_sql != NULL, t0, t1};
    vk_err e = store_items_extent(ctx->store, col, d.bbox, t0, t1, &found, &ctx->err);
    if (e)
        return e;
    /* An empty collection: the municipality, where its items will be. */
    if (!found)
        default_bbox(ctx, d.bbox);
    write_collection_doc(b, api_base_url(req), &d);
    return VK_OK;
}

/* A registered collection (features/registry.h; today the aggregates of
 * stats/: areas with their feedback figures). */
static void write_registered_collection(vk_ctx *ctx, const vk_req *req,
                                        const vk_collection_entry *col, vk_buf *b)
{
    collection_doc d = {col->id, col->title, col->description, "The areas with their figures",
                        "The properties", {0}, 0, NULL, NULL};
    default_bbox(ctx, d.bbox);
    write_collection_doc(b, api_base_url(req), &d);
}

/* A registered collection or one an entry provider gives (a survey's
 * published results), or NULL. */
static vk_err find_entry(vk_ctx *ctx, const vk_req *req, const vk_collection_entry **out)
{
    *out = NULL;
    return req->nargs ? vk_registry_find_entry(ctx, req, req->args[0], out) : VK_OK;
}

/* The collections providers give (features/registry.h), one by one. */
typedef struct provided_writer {
    vk_ctx *ctx;
    const vk_req *req;
    vk_buf *b;
    vk_err err;
} provided_writer;

static int write_entry(void *arg, const vk_collection_entry *col)
{
    provided_writer *w = arg;
    vk_buf_putc(w->b, ',');
    write_registered_collection(w->ctx, w->req, col, w->b);
    return 0;
}

static int write_provided(void *arg, const store_collection *col)
{
    provided_writer *w = arg;
    vk_buf_putc(w->b, ',');
    w->err = write_collection(w->ctx, w->req, col, w->b);
    return w->err != VK_OK;
}

vk_err ogc_collections(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const char *base = api_base_url(req);
    vk_buf *b = &resp->body;
    vk_err e = simple_params(ctx, req);
    if (e)
        return e;
    vk_buf_puts(b, "{\"links\":[");
    link(b, 1, base, OGC_ROOT "/collections", "self", MT_JSON, "The collections");
    vk_buf_puts(b, "],\"crs\":");
    write_crs_list(b);
    vk_buf_puts(b, ",\"collections\":[");
    for (int i = 0; i < store_collections_count; i++) {
        if (i)
            vk_buf_putc(b, ',');
        if ((e = write_collection(ctx, req, &store_collections[i], b)))
            return e;
    }
    for (int i = 0; i < vk_registry_count(); i++) {
        vk_buf_putc(b, ',');
        write_registered_collection(ctx, req, vk_registry_at(i), b);
    }
    provided_writer w = {ctx, req, b, VK_OK};
    if ((e = vk_registry_each_provided(ctx, req, write_provided, &w)) || (e = w.err) ||
        (e = vk_registry_each_entry(ctx, req, write_entry, &w)))
        return e;
    vk_buf_puts(b, "]}");
    return VK_OK;
}

static vk_err find_collection(vk_ctx *ctx, const vk_req *req, const store_collection **col)
{
    *col = req->nargs ? store_collection_find(req->args[0]) : NULL;
    if (!*col && req->nargs) {
        vk_err e = vk_registry_find_provided(ctx, req, req->args[0], col);
        if (e)
            return e;
    }
    if (!*col)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "collectionId",
                       "there is no such collection; see " OGC_ROOT "/collections");
    return VK_OK;
}

/* The query of the collection in the path, or VK_ENOT_FOUND. */
static vk_err find_items(vk_ctx *ctx, const vk_req *req, api_items *it)
{
    const store_collection *col;
    vk_err e = find_collection(ctx, req, &col);
    if (!e)
        api_items_init(it, col);
    return e;
}

vk_err ogc_collection(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const vk_collection_entry *agg;
    vk_err fe = find_entry(ctx, req, &agg);
    if (fe)
        return fe;
    if (agg) {
        vk_err e = simple_params(ctx, req);
        if (!e)
            write_registered_collection(ctx, req, agg, &resp->body);
        return e;
    }
    const store_collection *col;
    vk_err e = find_collection(ctx, req, &col);
    if (!e)
        e = simple_params(ctx, req);
    return e ? e : write_collection(ctx, req, col, &resp->body);
}

vk_err ogc_queryables(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const json_types[] = {
        [CQL2_Q_STRING] = "string",   [CQL2_Q_NUMBER] = "number", [CQL2_Q_INTEGER] = "integer",
        [CQL2_Q_DATETIME] = "string", [CQL2_Q_BOOLEAN] = "boolean",
    };
    const vk_collection_entry *agg;
    vk_err fe = find_entry(ctx, req, &agg);
    if (fe)
        return fe;
    if (agg) {
        vk_err e = simple_params(ctx, req);
        if (e)
            return e;
        resp->content_type = MT_SCHEMA;
        vk_buf_printf(&resp->body,
                      "{\"$schema\":\"https://json-schema.org/draft/2019-09/schema\",\"$id\":\"%s"
                      OGC_ROOT "/collections/%s/queryables\",\"type\":\"object\",\"title\":\"%s\","
                      "\"properties\":",
                      api_base_url(req), agg->id, agg->title);
        agg->describe(agg, &resp->body);
        vk_buf_puts(&resp->body, ",\"additionalProperties\":false}");
        return VK_OK;
    }
    const store_collection *col;
    vk_err e = find_collection(ctx, req, &col);
    if (!e)
        e = simple_params(ctx, req);
    if (e)
        return e;
    resp->content_type = MT_SCHEMA;
    vk_buf *b = &resp->body;
    vk_buf_printf(b, "{\"$schema\":\"https://json-schema.org/draft/2019-09/schema\","
                     "\"$id\":\"%s" OGC_ROOT "/collections/%s/queryables\",\"type\":\"object\",\"title\":",
                  api_base_url(req), col->id);
    vk_json_str_or_null(b, col->title);
    vk_buf_puts(b, ",\"properties\":{\"geometry\":{\"title\":\"Geometry\",\"format\":\"geometry-any\","
                   "\"x-ogc-role\":\"primary-geometry\"}");
    for (int i = 0; i < col->ncolumns; i++) {
        const store_column *c = &col->columns[i];
        vk_buf_printf(b, ",\"%s\":{\"title\":", c->name);
        vk_json_str_or_null(b, c->title);
        vk_buf_printf(b, ",\"type\":\"%s\"", json_types[c->type]);
        if (c->type == CQL2_Q_DATETIME)
            vk_buf_puts(b, ",\"format\":\"date-time\"");
        if (c->enum_values) {
            vk_buf_puts(b, ",\"enum\":[");
            for (int k = 0; c->enum_values[k]; k++)
                vk_buf_printf(b, "%s\"%s\"", k ? "," : "", c->enum_values[k]);
            vk_buf_putc(b, ']');
        }
        vk_buf_putc(b, '}');
    }
    vk_buf_puts(b, "},\"additionalProperties\":false}");
    return VK_OK;
}

#define CRS_WHY "unsupported CRS; use one of those listed in the collection's crs"

static vk_err param_crs(vk_ctx *ctx, const vk_req *req, const char *name, gis_crs *out)
{
    return vk_param_crs(req, name, CRS_WHY, out, &ctx->err);
}

/* limit, offset and after: too large a limit is clamped, as the standard says. */
static vk_err param_int(vk_ctx *ctx, const vk_req *req, const char *name, long long min,
                        long long max, long long *out)
{
    return vk_param_int(req, name, min, max, VK_PARAM_CLAMP, out, &ctx->err);
}

static vk_err param_datetime(vk_ctx *ctx, const vk_req *req, api_items *it)
{
    vk_interval t;
    vk_err e = vk_param_interval(req, "datetime", &t, &ctx->err);
    if (e || !t.given)
        return e;
    memcpy(it->time_start, t.start, sizeof t.start);
    memcpy(it->time_end, t.end, sizeof t.end);
    if (!it->col->time_sql)
        return vk_fail(&ctx->err, VK_EPARAM, "datetime",
                       "datetime: the items of %s have no time to filter by", it->col->id);
    it->q.time_start = t.start[0] ? it->time_start : NULL;
    it->q.time_end = t.end[0] ? it->time_end : NULL;
    return VK_OK;
}

/* sortby=+a,-b: queryables only, ascending unless '-'; pages then go by
 * offset (the next link's keyset is by id). */
static vk_err param_sortby(vk_ctx *ctx, const vk_req *req, api_items *it)
{
    const char *keys[16];
    int n = 0;
    vk_errinfo *ei = &ctx->err;
    vk_err e = vk_param_list(req, "sortby", 1000, 16, keys, &n, ei);
    if (e || !n)
        return e;
    if (it->q.after)
        return vk_fail(ei, VK_EPARAM, "after",
                       "after pages in id order; with sortby, page with offset (the next link does)");
    vk_buf o;
    vk_buf_init(&o, 8192);
    for (int k = 0; k < n; k++) {
        const char *name = keys[k];
        int desc = name[0] == '-';
        if (name[0] == '-' || name[0] == '+' || name[0] == ' ') /* '+' arrives as ' ' decoded */
            name++;
        int c = 0;
        while (c < it->col->ncolumns && strcmp(it->col->columns[c].name, name) != 0)
            c++;
        if (c == it->col->ncolumns || it->col->columns[c].json) {
            vk_buf_fini(&o);
            const char *shown = vk_utf8_valid(name, strlen(name), NULL) && strlen(name) < 64 ? name : "?";
            return vk_fail(ei, VK_EPARAM, "sortby",
                           "sortby: %s is not a property to sort %s by; see its queryables", shown,
                           it->col->id);
        }
        vk_buf_printf(&o, "%s%s %s", k ? ", " : "", it->col->columns[c].sql, desc ? "DESC" : "ASC");
    }
    it->q.order_sql = vk_buf_ok(&o) ? vk_arena_strdup(req->arena, o.data) : NULL;
    vk_buf_fini(&o);
    return it->q.order_sql ? VK_OK : vk_fail(ei, VK_ENOMEM, "", NULL);
}

/* properties=a,b: only these properties in each feature. */
static vk_err param_properties(vk_ctx *ctx, const vk_req *req, api_items *it)
{
    const char *names[64];
    int n = 0;
    vk_err e = vk_param_list(req, "properties", 4000, 64, names, &n, &ctx->err);
    if (e || !vk_req_param(req, "properties"))
        return e;
    it->nprops = 0;
    for (int k = 0; k < n; k++) {
        int c = 0;
        while (c < it->col->ncolumns && strcmp(it->col->columns[c].name, names[k]) != 0)
            c++;
        if (c == it->col->ncolumns) {
            const char *shown =
                vk_utf8_valid(names[k], strlen(names[k]), NULL) && strlen(names[k]) < 64 ? names[k] : "?";
            return vk_fail(&ctx->err, VK_EPARAM, "properties",
                           "properties: %s is not a property of %s; see its queryables", shown,
                           it->col->id);
        }
        it->props[it->nprops++] = c;
    }
    return VK_OK;
}

/* A bbox across the antimeridian: its two boxes as a CQL2 condition
 * (the R*Tree takes one box), in CRS84 like the storage. */
static vk_err antimeridian_filter(vk_ctx *ctx, const vk_req *req, api_items *it,
                                  double boxes[2][4], gis_crs filter_crs)
{
    vk_errinfo *ei = &ctx->err;
    if (filter_crs != GIS_CRS_CRS84)
        return vk_fail(ei, VK_EPARAM, "bbox",
                       "a bbox across the antimeridian cannot be combined with a filter-crs other "
                       "than CRS84; split the box in two requests");
    char text[400];
    snprintf(text, sizeof text,
             "S_INTERSECTS(geometry, BBOX(%.17g, %.17g, %.17g, %.17g)) OR "
             "S_INTERSECTS(geometry, BBOX(%.17g, %.17g, %.17g, %.17g))",
             boxes[0][0], boxes[0][1], boxes[0][2], boxes[0][3], boxes[1][0], boxes[1][1],
             boxes[1][2], boxes[1][3]);
    cql2_expr *f = NULL;
    vk_err e = cql2_parse(text, strlen(text), req->arena, &f, ei);
    if (e)
        return vk_fail(ei, VK_EPARAM, "bbox", "bbox: %s", ei->message);
    if (!(it->filter = api_items_and(req->arena, it->filter, f)))
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    return VK_OK;
}

/* Everything GET …/items accepts. */
static vk_err items_params(vk_ctx *ctx, const vk_req *req, api_items *it)
{
    static const char *const fixed[] = {"limit",  "offset", "after",      "bbox",
                                        "bbox-crs", "datetime", "crs",     "filter",
                                        "filter-lang", "filter-crs", "f",  "sortby",
                                        "properties", NULL};
    const store_collection *col = it->col;
    vk_errinfo *ei = &ctx->err;
    if (req->params_overflow)
        return vk_fail(ei, VK_EPARAM, "", "too many query parameters");
    /* Unknown parameters are errors; queryable names are property filters. */
    for (int i = 0; i < req->nparams; i++) {
        const char *k = req->params[i].key;
        int known = 0;
        for (int f = 0; fixed[f] && !known; f++)
            known = strcmp(k, fixed[f]) == 0;
        for (int c = 0; c < col->ncolumns && !known; c++) {
            if (strcmp(k, col->columns[c].name) != 0)
                continue;
            known = 1;
            const char *v = req->params[i].value;
            cql2_expr *eq = NULL;
            if (col->columns[c].type == CQL2_Q_STRING) {
                eq = api_items_eq_text(req->arena, col->columns[c].name, v);
            } else {
                /* Typed properties go through the CQL2 parser as a literal. */
                size_t n = strlen(col->columns[c].name) + strlen(v) + 32;
                char *text = vk_arena_alloc(req->arena, n);
                if (text && col->columns[c].type == CQL2_Q_DATETIME)
                    snprintf(text, n, "\"%s\" = TIMESTAMP('%s')", col->columns[c].name, v);
                else if (text)
                    snprintf(text, n, "\"%s\" = %s", col->columns[c].name, v);
                if (!text || strchr(v, '\'') ||
                    cql2_parse(text, strlen(text), req->arena, &eq, ei) != VK_OK)
                    return vk_fail(ei, VK_EPARAM, col->columns[c].name, "%s: not a valid value",
                                   col->columns[c].name);
            }
            if (!eq || !(it->filter = api_items_and(req->arena, it->filter, eq)))
                return vk_fail(ei, VK_ENOMEM, "", NULL);
        }
        if (!known) {
            const char *shown = vk_utf8_valid(k, strlen(k), NULL) && strlen(k) < 64 ? k : "?";
            return vk_fail(ei, VK_EUNKNOWN_PARAM, shown,
                           "unknown query parameter '%s'; see %s/api for what is accepted", shown,
                           OGC_ROOT);
        }
    }
    long long limit = ITEMS_LIMIT_DEFAULT, offset = 0, after = 0;
    vk_err e;
    gis_crs bbox_crs, filter_crs;
    if ((e = check_f(ctx, req)) ||
        (e = param_int(ctx, req, "limit", 1, ITEMS_LIMIT_MAX, &limit)) ||
        (e = param_int(ctx, req, "offset", 0, INT64_MAX / 2, &offset)) ||
        (e = param_int(ctx, req, "after", 0, INT64_MAX / 2, &after)) ||
        (e = param_crs(ctx, req, "crs", &it->crs)) ||
        (e = param_crs(ctx, req, "bbox-crs", &bbox_crs)) ||
        (e = param_crs(ctx, req, "filter-crs", &filter_crs)) || (e = param_datetime(ctx, req, it)))
        return e;
    it->q.limit = limit;
    it->q.offset = offset;
    it->q.after = col->id_is_text ? 0 : after;
    if ((e = param_sortby(ctx, req, it)) || (e = param_properties(ctx, req, it)))
        return e;
    double boxes[2][4];
    int nboxes = 0;
    if ((e = vk_param_bbox_split(req, "bbox", ctx->proj, bbox_crs, 1, boxes, &nboxes, ei)))
        return e;
    if (!nboxes && vk_req_param(req, "bbox-crs")) {
        return vk_fail(ei, VK_EPARAM, "bbox-crs", "bbox-crs is given without a bbox");
    }
    if (nboxes == 1) {
        memcpy(it->q.bbox, boxes[0], sizeof boxes[0]);
        it->q.has_bbox = 1;
    } else if (nboxes == 2 && (e = antimeridian_filter(ctx, req, it, boxes, filter_crs))) {
        return e;
    }
    const char *lang = vk_req_param(req, "filter-lang");
    if (lang && strcmp(lang, "cql2-text") != 0)
        return vk_fail(ei, VK_EPARAM, "filter-lang", "filter-lang: only cql2-text is supported");
    const char *filter = vk_req_param(req, "filter");
    if (filter) {
        size_t n = strlen(filter);
        cql2_expr *f = NULL;
        if (n > CQL2_MAX_TEXT)
            return vk_fail(ei, VK_EPARAM, "filter", "filter is longer than %d bytes", CQL2_MAX_TEXT);
        if (!vk_utf8_valid(filter, n, NULL))
            return vk_fail(ei, VK_EPARAM, "filter", "filter is not valid UTF-8");
        if ((e = cql2_parse(filter, n, req->arena, &f, ei)))
            return e;
        if (!(it->filter = api_items_and(req->arena, it->filter, f)))
            return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    return api_items_compile(ctx, req, it, filter_crs);
}

vk_err ogc_items(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const vk_collection_entry *agg;
    vk_err fe = find_entry(ctx, req, &agg);
    if (fe)
        return fe;
    if (agg) {
        char self[160];
        snprintf(self, sizeof self, OGC_ROOT "/collections/%s/items", agg->id);
        return agg->items(ctx, req, resp, agg, NULL, self);
    }
    api_items it;
    vk_err e = find_items(ctx, req, &it);
    if (e || (e = items_params(ctx, req, &it)))
        return e;
    char path[160], col_path[160];
    snprintf(path, sizeof path, OGC_ROOT "/collections/%s/items", it.col->id);
    snprintf(col_path, sizeof col_path, OGC_ROOT "/collections/%s", it.col->id);
    it.links_base = api_base_url(req);
    it.links_path = col_path;
    it.links_title = it.col->title;
    return api_items_write_collection(ctx, req, &it, path, resp);
}

vk_err ogc_item(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const known[] = {"crs", "f", NULL};
    const vk_collection_entry *agg;
    vk_err fe = find_entry(ctx, req, &agg);
    if (fe)
        return fe;
    if (agg)
        return agg->items(ctx, req, resp, agg, req->args[1], NULL);
    api_items it;
    vk_err e = find_items(ctx, req, &it);
    if (e || (e = vk_req_only_params(req, known, &ctx->err)) || (e = check_f(ctx, req)) ||
        (e = param_crs(ctx, req, "crs", &it.crs)))
        return e;
    const char *fid = req->args[1];
    if (it.col->id_is_text) {
        it.q.id_text = fid;
    } else {
        char *end;
        long long id = strtoll(fid, &end, 10);
        if (*end || id <= 0 || fid[0] == '+' || fid[0] == ' ')
            return vk_fail(&ctx->err, VK_ENOT_FOUND, "featureId", "there is no such item");
        it.q.id = id;
    }
    /* Moderators see hidden feedback too, to edit it (Part 4). */
    it.q.include_nonpublic = strcmp(it.col->id, "feedback") == 0 && ogc_sees_nonpublic(req);
    int found = 0;
    char etag[OGC_ETAG_LEN];
    vk_buf state;
    vk_buf_init(&state, 1 << 22);
    /* The ETag is the item's in CRS84 whatever crs asks for: one tag per
     * version of the item, as If-Match compares it. */
    e = it.col->id_is_text
            ? api_items_write_one(ctx, &it, &state, &found)
            : ogc_item_state(ctx, it.col, it.q.id, it.q.include_nonpublic, &state, etag, &found);
    if (!e && found && it.col->id_is_text)
        ogc_etag_of(state.data, state.len, etag);
    if (!e && found && it.crs == GIS_CRS_CRS84)
        vk_buf_add(&resp->body, state.data, state.len);
    vk_buf_fini(&state);
    if (!e && found && it.crs != GIS_CRS_CRS84)
        e = api_items_write_one(ctx, &it, &resp->body, &found);
    if (e)
        return e;
    if (!found)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "featureId", "there is no such item");
    char *tag = vk_arena_strdup(req->arena, etag);
    if (tag && vk_resp_not_modified(resp, req, tag, -1))
        return VK_OK;
    vk_buf *b = &resp->body;
    b->len--; /* reopen the feature object to add its links */
    const char *base = api_base_url(req);
    char path[400];
    vk_buf_puts(b, ",\"links\":[");
    snprintf(path, sizeof path, OGC_ROOT "/collections/%s/items/%s", it.col->id, fid);
    link(b, 1, base, path, "self", MT_GEOJSON, "This item");
    snprintf(path, sizeof path, OGC_ROOT "/collections/%s", it.col->id);
    link(b, 0, base, path, "collection", MT_JSON, it.col->title);
    vk_buf_puts(b, "]}");
    resp->content_type = MT_GEOJSON;
    char *crs = vk_arena_alloc(req->arena, 128);
    if (crs) {
        snprintf(crs, 128, "<%s>", gis_crs_uri(it.crs));
        vk_resp_header(resp, "Content-Crs", crs);
    }
    return VK_OK;
}

vk_err ogc_items_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const store_collection *col;
    vk_err e = find_collection(ctx, req, &col);
    if (e)
        return e;
    if (!col->writable) {
        vk_resp_header(resp, "Allow", "GET, HEAD, OPTIONS");
        return vk_fail(&ctx->err, VK_EMETHOD, "collectionId", "%s is read-only", col->id);
    }
    return api_feedback_create_at(ctx, req, resp, OGC_ROOT "/collections/feedback/items/");
}

vk_err ogc_item_staff(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const vk_collection_entry *agg;
    vk_err e = find_entry(ctx, req, &agg);
    if (e)
        return e;
    if (agg) {
        vk_resp_header(resp, "Allow", "GET, HEAD");
        return vk_fail(&ctx->err, VK_EMETHOD, "collectionId",
                       "%s is computed from other data and cannot be edited", agg->id);
    }
    const store_collection *col;
    if ((e = find_collection(ctx, req, &col)))
        return e;
    return ogc_item_edit(ctx, req, resp, col);
}
