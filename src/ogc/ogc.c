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
    /* OGC API - Tiles (tiles/tiles.c): Mapbox Vector Tiles of every
     * feature collection in WebMercatorQuad. */
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
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
    link(b, 0, base, OGC_ROOT "/tileMatrixSets",
         "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", MT_JSON, "Tile matrix sets");
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
    int exportable; /* /api/v1/export/{id}.gpkg etc. exist */
    int tiled;      /* …/tiles exists (tiles/tiles.h: feature collections) */
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
    /* The items' schema (OGC API - Features Part 5): GDAL's OAPIF driver
     * types its fields from it, so a column null on the first page is
     * still an Integer or a DateTime. GDAL up to 3.8 looks for the rel
     * spelt describedBy; Part 5 names its own. */
    snprintf(path, sizeof path, OGC_ROOT "/collections/%s/schema", d->id);
    link(b, 0, base, path, "describedBy", MT_SCHEMA, "The schema of the items");
    link(b, 0, base, path, "http://www.opengis.net/def/rel/ogc/1.0/schema", MT_SCHEMA,
         "The schema of the items");
    if (d->tiled) { /* vector tiles (tiles/tiles.h, docs/ogcapi.md "Tiles") */
        snprintf(path, sizeof path, OGC_ROOT "/collections/%s/tiles", d->id);
        link(b, 0, base, path, "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", MT_JSON,
             "Vector tiles (Mapbox Vector Tiles, WebMercatorQuad)");
    }
    if (d->exportable) { /* the whole collection as files (docs/gis.md) */
        snprintf(path, sizeof path, "/api/v1/export/%s.gpkg", d->id);
        link(b, 0, base, path, "enclosure", "application/geopackage+sqlite3", "GeoPackage");
        snprintf(path, sizeof path, "/api/v1/export/%s.geojson", d->id);
        link(b, 0, base, path, "enclosure", MT_GEOJSON, "GeoJSON");
        snprintf(path, sizeof path, "/api/v1/export/%s.csv", d->id);
        link(b, 0, base, path, "enclosure", "text/csv", "CSV (its types: .csvt)");
    }
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
                        "What the items can be filtered by", {0}, col->time_sql != NULL, t0, t1,
                        store_collection_find(col->id) == col, 1};
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
                        "The properties", {0}, 0, NULL, NULL, 0, 0};
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

/* The properties of col's items as JSON Schema members (after '{');
 * without its JSON columns when skip_json. */
static void write_column_schemas(vk_buf *b, const store_collection *col, int skip_json)
{
    static const char *const json_types[] = {
        [CQL2_Q_STRING] = "string",   [CQL2_Q_NUMBER] = "number", [CQL2_Q_INTEGER] = "integer",
        [CQL2_Q_DATETIME] = "string", [CQL2_Q_BOOLEAN] = "boolean",
    };
    int n = 0;
    for (int i = 0; i < col->ncolumns; i++) {
        const store_column *c = &col->columns[i];
        if (skip_json && c->json)
            continue;
        vk_buf_printf(b, "%s\"%s\":{\"title\":", n++ ? "," : "", c->name);
        vk_json_str_or_null(b, c->title);
        vk_buf_printf(b, ",\"type\":\"%s\"", json_types[c->type]);
        if (c->type == CQL2_Q_DATETIME)
            vk_buf_puts(b, ",\"format\":\"date-time\"");
        if (c->json) /* a JSON value in the features, JSON text in files */
            vk_buf_puts(b, ",\"contentMediaType\":\"application/json\"");
        if (c->enum_values) {
            vk_buf_puts(b, ",\"enum\":[");
            for (int k = 0; c->enum_values[k]; k++)
                vk_buf_printf(b, "%s\"%s\"", k ? "," : "", c->enum_values[k]);
            vk_buf_putc(b, ']');
        }
        vk_buf_putc(b, '}');
    }
}

/* GET …/queryables (schema 0) and …/schema (schema 1): the first lists
 * what filters can name, the second is a GeoJSON Feature of the
 * collection (Part 5), which GDAL reads its field types from. */
static vk_err describe(vk_ctx *ctx, const vk_req *req, vk_resp *resp, int schema)
{
    const char *what = schema ? "schema" : "queryables";
    const vk_collection_entry *agg;
    vk_err fe = find_entry(ctx, req, &agg);
    if (fe)
        return fe;
    vk_buf *b = &resp->body;
    if (agg) {
        vk_err e = simple_params(ctx, req);
        if (e)
            return e;
        resp->content_type = MT_SCHEMA;
        vk_buf_printf(b,
                      "{\"$schema\":\"https://json-schema.org/draft/2019-09/schema\",\"$id\":\"%s"
                      OGC_ROOT "/collections/%s/%s\",\"type\":\"object\",\"title\":\"%s\","
                      "\"properties\":",
                      api_base_url(req), agg->id, what, agg->title);
        if (schema)
            vk_buf_puts(b, "{\"type\":{\"type\":\"string\",\"enum\":[\"Feature\"]},"
                           "\"properties\":{\"type\":\"object\",\"properties\":");
        agg->describe(agg, b);
        vk_buf_puts(b, schema ? "}}}" : ",\"additionalProperties\":false}");
        return VK_OK;
    }
    const store_collection *col;
    vk_err e = find_collection(ctx, req, &col);
    if (!e)
        e = simple_params(ctx, req);
    if (e)
        return e;
    resp->content_type = MT_SCHEMA;
    vk_buf_printf(b, "{\"$schema\":\"https://json-schema.org/draft/2019-09/schema\","
                     "\"$id\":\"%s" OGC_ROOT "/collections/%s/%s\",\"type\":\"object\",\"title\":",
                  api_base_url(req), col->id, what);
    vk_json_str_or_null(b, col->title);
    if (schema) {
        vk_buf_printf(b, ",\"required\":[\"type\",\"geometry\",\"properties\"],\"properties\":{"
                         "\"type\":{\"type\":\"string\",\"enum\":[\"Feature\"]},"
                         "\"id\":{\"type\":\"%s\"},"
                         "\"geometry\":{\"title\":\"Geometry\",\"format\":\"geometry-any\","
                         "\"x-ogc-role\":\"primary-geometry\"},"
                         "\"properties\":{\"type\":\"object\",\"properties\":{",
                      col->id_is_text ? "string" : "integer");
        /* GDAL (3.6 at least) cannot read a JSON subtype from a schema
         * but infers it from the items: JSON columns are left to it. */
        write_column_schemas(b, col, 1);
        vk_buf_puts(b, "}}}}");
        return VK_OK;
    }
    vk_buf_puts(b, ",\"properties\":{\"geometry\":{\"title\":\"Geometry\",\"format\":\"geometry-any\","
                   "\"x-ogc-role\":\"primary-geometry\"}");
    if (col->ncolumns)
        vk_buf_putc(b, ',');
    write_column_schemas(b, col, 0);
    vk_buf_puts(b, "},\"additionalProperties\":false}");
    return VK_OK;
}

vk_err ogc_queryables(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return describe(ctx, req, resp, 0);
}

vk_err ogc_schema(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return describe(ctx, req, resp, 1);
}

/* Everything GET …/items accepts: the shared item filters and paging
 * (features/items.h), plus f. */
static vk_err items_params(vk_ctx *ctx, const vk_req *req, api_items *it)
{
    static const char *const extra[] = {"f", NULL};
    vk_err e = api_items_params(ctx, req, it, API_ITEMS_PAGING, extra);
    return e ? e : check_f(ctx, req);
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
        (e = vk_param_crs(req, "crs", API_ITEMS_CRS_WHY, &it.crs, &ctx->err)))
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
