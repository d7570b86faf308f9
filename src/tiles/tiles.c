/*
 * tiles.c — OGC API - Tiles handlers and the drawing of one vector tile
 * (tiles.h). WebMercatorQuad only: tile (z, x, y) covers the square of
 * side 2π·R/2^z of EPSG:3857 whose top-left corner is x, y tiles from the
 * world's; its 4096 × 4096 units run right and down.
 */
#include "tiles/tiles.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/sha256.h"
#include "features/collections.h"
#include "features/count_grid.h"
#include "features/items.h"
#include "features/registry.h"
#include "tiles/cache.h"
#include "tiles/mvt.h"

#define OGC_ROOT "/ogcapi"
#define MT_JSON "application/json"
#define MT_MVT "application/vnd.mapbox-vector-tile"
#define TMS_ID "WebMercatorQuad"
#define TMS_URI "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
#define CRS_3857 "http://www.opengis.net/def/crs/EPSG/0/3857"
#define ORIGIN 20037508.3427892 /* π·R of the sphere EPSG:3857 uses */
#define MAX_LAT 85.0511287798066
/* Lines and areas of a feedback cluster tile fetched one by one; beyond
 * this they are counted in the clusters like points. */
#define MAX_SHAPES 2000
#define CELLS (MVT_EXTENT / TILES_CLUSTER_CELL)
_Static_assert(CELLS == 1 << CLUSTER_SUMS_CELL_BITS, "the sums' cells are the tiles' clusters");

static const char *const no_params[] = {"f", NULL};
/* Feedback tiles also take the public map's filters (the web client's
 * clusters then count what its list shows). */
static const char *const feedback_params[] = {"f", "category", "status", NULL};

static vk_err check_params_in(vk_ctx *ctx, const vk_req *req, const char *json_only,
                              const char *const *allowed)
{
    vk_err e = vk_req_only_params(req, allowed, &ctx->err);
    if (e)
        return e;
    const char *f = vk_req_param(req, "f");
    if (f && strcmp(f, json_only ? "json" : "mvt") && strcmp(f, json_only ? MT_JSON : MT_MVT))
        return vk_fail(&ctx->err, VK_EPARAM, "f", "f: only %s is offered",
                       json_only ? "json" : "mvt");
    return VK_OK;
}

static vk_err check_params(vk_ctx *ctx, const vk_req *req, const char *json_only)
{
    return check_params_in(ctx, req, json_only, no_params);
}

/* A filter's comma list: 1 to 16 ids of letters, digits, _ and -. */
static vk_err check_list(vk_ctx *ctx, const vk_req *req, const char *name)
{
    const char *v = vk_req_param(req, name);
    if (!v)
        return VK_OK;
    size_t len = strlen(v), parts = 1;
    for (const char *c = v; *c; c++) {
        parts += *c == ',';
        if (!(isalnum((unsigned char)*c) || *c == '_' || *c == '-' || *c == ','))
            return vk_fail(&ctx->err, VK_EPARAM, name, "%s: ids separated by commas", name);
    }
    if (!len || len > 640 || parts > 16)
        return vk_fail(&ctx->err, VK_EPARAM, name, "%s: 1 to 16 ids separated by commas", name);
    return VK_OK;
}

static vk_err check_tms(vk_ctx *ctx, const char *id)
{
    if (strcmp(id, TMS_ID))
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "tileMatrixSetId",
                       "the only tile matrix set is " TMS_ID);
    return VK_OK;
}

static void link(vk_buf *b, int first, const char *base, const char *path, const char *rel,
                 const char *type, const char *title, int templated)
{
    vk_buf_printf(b, "%s{\"href\":\"%s%s\",\"rel\":\"%s\",\"type\":\"%s\",\"title\":", first ? "" : ",",
                  base, path, rel, type);
    vk_json_str_or_null(b, title);
    if (templated)
        vk_buf_puts(b, ",\"templated\":true");
    vk_buf_putc(b, '}');
}

/* ---- the tile matrix set ---- */

vk_err tiles_matrix_sets(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = check_params(ctx, req, "json");
    if (e)
        return e;
    const char *base = api_base_url(req);
    vk_buf *b = &resp->body;
    vk_buf_puts(b, "{\"links\":[");
    link(b, 1, base, OGC_ROOT "/tileMatrixSets", "self", MT_JSON, "Tile matrix sets", 0);
    vk_buf_puts(b, "],\"tileMatrixSets\":[{\"id\":\"" TMS_ID "\",\"title\":\"Google Maps "
                   "Compatible for the World\",\"uri\":\"" TMS_URI "\",\"crs\":\"" CRS_3857
                   "\",\"links\":[");
    link(b, 1, base, OGC_ROOT "/tileMatrixSets/" TMS_ID, "self", MT_JSON, TMS_ID, 0);
    link(b, 0, base, OGC_ROOT "/tileMatrixSets/" TMS_ID,
         "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", MT_JSON, TMS_ID, 0);
    vk_buf_puts(b, "]}]}");
    return VK_OK;
}

/* OGC 17-083r4 (Two Dimensional Tile Matrix Set 2.0), annex D.1, with
 * the 1.0 members beside (identifier, supportedCRS, lowerCorner,
 * topLeftCorner): GDAL up to 3.6 reads only those. */
vk_err tiles_matrix_set(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = check_tms(ctx, req->args[0]);
    if (e || (e = check_params(ctx, req, "json")))
        return e;
    vk_buf *b = &resp->body;
    vk_buf_puts(b, "{\"id\":\"" TMS_ID "\",\"identifier\":\"" TMS_ID "\",\"title\":\"Google Maps "
                   "Compatible for the World\",\"uri\":\"" TMS_URI "\",\"crs\":\"" CRS_3857 "\","
                   "\"supportedCRS\":\"" CRS_3857 "\",\"orderedAxes\":[\"X\",\"Y\"],"
                   "\"wellKnownScaleSet\":\"http://www.opengis.net/def/wkss/OGC/1.0/"
                   "GoogleMapsCompatible\",\"boundingBox\":{\"lowerLeft\":[-20037508.3427892,"
                   "-20037508.3427892],\"upperRight\":[20037508.3427892,20037508.3427892],"
                   "\"lowerCorner\":[-20037508.3427892,-20037508.3427892],\"upperCorner\":["
                   "20037508.3427892,20037508.3427892],\"crs\":\"" CRS_3857 "\"},\"tileMatrices\":[");
    for (int z = 0; z <= TILES_MAX_ZOOM; z++) {
        double n = ldexp(1.0, z);
        /* 0.28 mm pixels: the scale denominator of 256-pixel tiles. */
        double cell = 2 * ORIGIN / 256 / n;
        vk_buf_printf(b,
                      "%s{\"id\":\"%d\",\"identifier\":\"%d\",\"scaleDenominator\":%.12g,"
                      "\"cellSize\":%.12g,\"cornerOfOrigin\":\"topLeft\",\"pointOfOrigin\":["
                      "-20037508.3427892,20037508.3427892],\"topLeftCorner\":[-20037508.3427892,"
                      "20037508.3427892],\"tileWidth\":256,\"tileHeight\":256,"
                      "\"matrixWidth\":%.0f,\"matrixHeight\":%.0f}",
                      z ? "," : "", z, z, cell / 0.00028, cell, n, n);
    }
    vk_buf_puts(b, "]}");
    return VK_OK;
}

/* ---- the collection's tilesets ---- */

/* The collection in the path (a table's or a provided one the caller may
 * see), or VK_ENOT_FOUND. */
static vk_err find_collection(vk_ctx *ctx, const vk_req *req, const store_collection **col)
{
    *col = store_collection_find(req->args[0]);
    if (!*col) {
        vk_err e = vk_registry_find_provided(ctx, req, req->args[0], col);
        if (e)
            return e;
    }
    if (!*col)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "collectionId",
                       "there is no such collection with tiles; see " OGC_ROOT "/collections");
    return VK_OK;
}

static void write_tileset(vk_buf *b, const char *base, const store_collection *col, int full)
{
    char path[256];
    vk_buf_puts(b, "{\"title\":");
    vk_json_str_or_null(b, col->title);
    /* tileMatrixSetDefinition: a member of the Tiles drafts, which GDAL's
     * older OGCAPI driver read the tile matrix set from; 3.6.2 follows the
     * tiling-scheme link below instead. */
    vk_buf_printf(b, ",\"dataType\":\"vector\",\"crs\":\"" CRS_3857 "\",\"tileMatrixSetURI\":\"" TMS_URI
                     "\",\"tileMatrixSetDefinition\":\"%s" OGC_ROOT "/tileMatrixSets/" TMS_ID
                     "\",\"links\":[",
                  base);
    snprintf(path, sizeof path, OGC_ROOT "/collections/%s/tiles/" TMS_ID, col->id);
    /* In the list the entry links to its tileset with both rels: GDAL 3.6
     * follows "self" (the Tiles drafts), later ones the registered rel. */
    link(b, 1, base, path, "self", MT_JSON, col->title, 0);
    if (!full)
        link(b, 0, base, path, "http://www.opengis.net/def/rel/ogc/1.0/tileset", MT_JSON,
             col->title, 0);
    link(b, 0, base, OGC_ROOT "/tileMatrixSets/" TMS_ID,
         "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", MT_JSON, TMS_ID, 0);
    if (full) {
        snprintf(path, sizeof path, OGC_ROOT "/collections/%s", col->id);
        link(b, 0, base, path, "collection", MT_JSON, col->title, 0);
        snprintf(path, sizeof path,
                 OGC_ROOT "/collections/%s/tiles/" TMS_ID "/{tileMatrix}/{tileRow}/{tileCol}",
                 col->id);
        link(b, 0, base, path, "item", MT_MVT, "Tiles (Mapbox Vector Tiles)", 1);
    }
    vk_buf_putc(b, ']');
    if (full) {
        /* One layer per collection, named by its id; TileJSON's members
         * beside, for clients that read those. */
        vk_buf_printf(b, ",\"layers\":[{\"id\":\"%s\",\"dataType\":\"vector\","
                         "\"minTileMatrix\":\"0\",\"maxTileMatrix\":\"%d\",\"propertiesSchema\":"
                         "{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\","
                         "\"description\":\"items in a cluster (zoom %d and below)\"}}}}]",
                      col->id, TILES_MAX_ZOOM, TILES_CLUSTER_MAX_ZOOM);
        snprintf(path, sizeof path, OGC_ROOT "/collections/%s/tiles/" TMS_ID "/{z}/{y}/{x}",
                 col->id);
        vk_buf_printf(b, ",\"tilejson\":\"3.0.0\",\"minzoom\":0,\"maxzoom\":%d,\"tiles\":[\"%s%s\"],"
                         "\"vector_layers\":[{\"id\":\"%s\",\"fields\":{}}]",
                      TILES_MAX_ZOOM, base, path, col->id);
    }
    vk_buf_putc(b, '}');
}

vk_err tiles_sets(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const store_collection *col;
    vk_err e = find_collection(ctx, req, &col);
    if (e || (e = check_params(ctx, req, "json")))
        return e;
    const char *base = api_base_url(req);
    char path[200];
    vk_buf *b = &resp->body;
    vk_buf_puts(b, "{\"links\":[");
    snprintf(path, sizeof path, OGC_ROOT "/collections/%s/tiles", col->id);
    link(b, 1, base, path, "self", MT_JSON, "The collection's tilesets", 0);
    vk_buf_puts(b, "],\"tilesets\":[");
    write_tileset(b, base, col, 0);
    vk_buf_puts(b, "]}");
    return VK_OK;
}

vk_err tiles_set(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const store_collection *col;
    vk_err e = find_collection(ctx, req, &col);
    if (e || (e = check_tms(ctx, req->args[1])) || (e = check_params(ctx, req, "json")))
        return e;
    write_tileset(&resp->body, api_base_url(req), col, 1);
    return VK_OK;
}

/* ---- one tile ---- */

typedef struct tile {
    int z;
    uint32_t x, y;
    double n;       /* 2^z */
    double bbox[4]; /* lon/lat with the buffer */
} tile;

/* A decimal in 0..max without sign, spaces or leading zeros; -1 else. */
static long long parse_index(const char *s, long long max)
{
    if (!s[0] || strlen(s) > 10 || (s[0] == '0' && s[1]))
        return -1;
    long long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v <= max ? v : -1;
}

static double lat_of(double row, double n)
{
    return atan(sinh(M_PI * (1 - 2 * row / n))) * 180 / M_PI;
}

static void tile_at(tile *t, int z, uint32_t x, uint32_t y)
{
    t->z = z;
    t->x = x;
    t->y = y;
    t->n = ldexp(1.0, t->z);
    double b = (double)TILES_BUFFER / MVT_EXTENT;
    t->bbox[0] = fmax(-180, (t->x - b) / t->n * 360 - 180);
    t->bbox[2] = fmin(180, (t->x + 1 + b) / t->n * 360 - 180);
    t->bbox[1] = fmax(-90, lat_of(t->y + 1 + b, t->n));
    t->bbox[3] = fmin(90, lat_of(t->y - b, t->n));
}

static vk_err parse_tile(vk_ctx *ctx, const vk_req *req, tile *t)
{
    long long z = parse_index(req->args[2], 1000);
    if (z < 0)
        return vk_fail(&ctx->err, VK_EPARAM, "tileMatrix",
                       "tileMatrix must be a zoom level 0..%d", TILES_MAX_ZOOM);
    if (z > TILES_MAX_ZOOM)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "tileMatrix",
                       "WebMercatorQuad has zoom levels 0..%d here", TILES_MAX_ZOOM);
    long long max = (1LL << z) - 1;
    long long y = parse_index(req->args[3], 99999999999LL);
    long long x = parse_index(req->args[4], 99999999999LL);
    if (y < 0)
        return vk_fail(&ctx->err, VK_EPARAM, "tileRow", "tileRow must be a whole number");
    if (x < 0)
        return vk_fail(&ctx->err, VK_EPARAM, "tileCol", "tileCol must be a whole number");
    if (y > max)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "tileRow",
                       "tileRow is outside the matrix: 0..%lld at zoom %lld", max, z);
    if (x > max)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "tileCol",
                       "tileCol is outside the matrix: 0..%lld at zoom %lld", max, z);
    tile_at(t, (int)z, (uint32_t)x, (uint32_t)y);
    return VK_OK;
}

/* Tile units of a lon/lat point (not rounded). */
static void to_tile(const tile *t, double lon, double lat, double *px, double *py)
{
    lat = fmax(-MAX_LAT, fmin(MAX_LAT, lat));
    double r = lat * M_PI / 180;
    double wx = (lon + 180) / 360 * t->n - t->x;
    double wy = (1 - asinh(tan(r)) / M_PI) / 2 * t->n - t->y;
    *px = wx * MVT_EXTENT;
    *py = wy * MVT_EXTENT;
}

/* -- clusters -- */

typedef struct cluster_grid {
    double sx[CELLS * CELLS], sy[CELLS * CELLS];
    int64_t n[CELLS * CELLS], id[CELLS * CELLS];
    /* geo: the count grid's points (and its per-zoom sums), summed as
     * integers of lon/lat (cluster_sums_units) in sx_geo, sy_geo and
     * placed in cells by cluster_sums_cell, so that a tile summed point by
     * point is the very tile the sums give, to the byte; each point then
     * costs no projection either, a cell's mean is projected once. Else
     * (SQLite's rows) tile units in sx, sy. */
    int geo;
    int64_t sx_geo[CELLS * CELLS], sy_geo[CELLS * CELLS];
    const tile *t;
    double ncols;              /* 2^(z + CLUSTER_SUMS_CELL_BITS): cells across the world */
    double row_lat[CELLS + 1]; /* the cell rows' edges, north to south */
    double rows_per_deg;
} cluster_grid;

static void cluster_geo_init(cluster_grid *g, const tile *t)
{
    g->geo = 1;
    g->t = t;
    g->ncols = ldexp(1.0, t->z + CLUSTER_SUMS_CELL_BITS);
    for (int k = 0; k <= CELLS; k++)
        g->row_lat[k] = lat_of(t->y + (double)k / CELLS, t->n);
    g->rows_per_deg = CELLS / (g->row_lat[0] - g->row_lat[CELLS]);
}

/* The cluster cell of the tile a lon/lat point is in, -1 outside the tile
 * proper: cluster_sums_cell's. Its row costs a tan and an asinh; within a
 * tile latitude is nearly linear in rows, so the row is found among the
 * rows' edges, and only a point within ROW_EDGE of an edge (where the
 * edges' own rounding could disagree with cluster_sums_cell's, by far less
 * than that) is placed by cluster_sums_cell itself. */
#define ROW_EDGE 1e-9
static int cell_geo(const cluster_grid *g, double lon, double lat)
{
    if (!cluster_sums_in_world(lon, lat))
        return -1;
    double c = floor(cluster_sums_col(lon, g->ncols)) - (double)g->t->x * CELLS;
    if (!(c >= 0 && c < CELLS))
        return -1;
    const double *e = g->row_lat;
    if (lat > e[0] + ROW_EDGE || lat < e[CELLS] - ROW_EDGE)
        return -1;
    int r = (int)((e[0] - lat) * g->rows_per_deg);
    r = r < 0 ? 0 : r > CELLS - 1 ? CELLS - 1 : r;
    while (r > 0 && lat > e[r])
        r--;
    while (r < CELLS - 1 && lat <= e[r + 1])
        r++;
    if (e[r] - lat < ROW_EDGE || lat - e[r + 1] < ROW_EDGE) {
        uint64_t X, Y, Y0 = (uint64_t)g->t->y << CLUSTER_SUMS_CELL_BITS;
        if (!cluster_sums_cell(lon, lat, g->t->z + CLUSTER_SUMS_CELL_BITS, &X, &Y) || Y < Y0 ||
            Y >= Y0 + CELLS)
            return -1;
        r = (int)(Y - Y0);
    }
    return r * CELLS + (int)c;
}

/* A lon/lat point into its cell, if it lies in the tile proper. */
static void cluster_add_geo(cluster_grid *g, double lon, double lat, int64_t id)
{
    int k = cell_geo(g, lon, lat);
    if (k < 0)
        return;
    g->sx_geo[k] += cluster_sums_units(lon);
    g->sy_geo[k] += cluster_sums_units(lat);
    if (!g->n[k]++)
        g->id[k] = id;
}

/* Counts the point in its cell if it lies in the tile proper (not the
 * buffer): every item is in exactly one tile's clusters. */
static void cluster_add(cluster_grid *g, double px, double py, int64_t id)
{
    if (!(px >= 0 && px < MVT_EXTENT && py >= 0 && py < MVT_EXTENT))
        return;
    int k = (int)(py / TILES_CLUSTER_CELL) * CELLS + (int)(px / TILES_CLUSTER_CELL);
    g->sx[k] += px;
    g->sy[k] += py;
    if (!g->n[k]++)
        g->id[k] = id;
}

/* A point for each cell with items at their mean, with its count; a cell
 * of one item carries the item's id. */
static vk_err cluster_write(const cluster_grid *g, mvt_layer *l)
{
    vk_err e = VK_OK;
    for (int k = 0; k < CELLS * CELLS && !e; k++) {
        if (!g->n[k])
            continue;
        double x, y;
        if (g->geo)
            to_tile(g->t, (double)g->sx_geo[k] / (double)g->n[k] / CLUSTER_SUMS_SCALE,
                    (double)g->sy_geo[k] / (double)g->n[k] / CLUSTER_SUMS_SCALE, &x, &y);
        else
            x = g->sx[k] / (double)g->n[k], y = g->sy[k] / (double)g->n[k];
        if (!(e = mvt_feature_begin(l, MVT_POINT, g->n[k] == 1 && g->id[k] > 0 ? (uint64_t)g->id[k] : 0)) &&
            !(e = mvt_prop_int(l, "count", g->n[k])))
            e = mvt_add_point(l, (int32_t)fmin(MVT_EXTENT - 1, lround(x)),
                              (int32_t)fmin(MVT_EXTENT - 1, lround(y)));
    }
    return e;
}

/* -- WKB -- */

typedef struct wkb {
    const unsigned char *p, *end;
    int little;
} wkb;

static int wkb_u32(wkb *w, uint32_t *v)
{
    if (w->end - w->p < 4)
        return -1;
    const unsigned char *p = w->p;
    *v = w->little ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
                   : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
    w->p += 4;
    return 0;
}

static int wkb_f64(wkb *w, double *v)
{
    if (w->end - w->p < 8)
        return -1;
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = w->little ? w->p[i] : w->p[7 - i];
    memcpy(v, b, 8);
    w->p += 8;
    return 0;
}

/* A geometry's header: byte order, then its type (1..7) and dims. */
static int wkb_header(wkb *w, int *type, int *dims)
{
    if (w->p >= w->end)
        return -1;
    w->little = *w->p++ == 1;
    uint32_t t;
    if (wkb_u32(w, &t))
        return -1;
    *dims = 2;
    if (t & 0x80000000u) /* EWKB Z */
        (*dims)++;
    if (t & 0x40000000u) /* EWKB M */
        (*dims)++;
    if (t & 0x20000000u) { /* EWKB SRID */
        uint32_t srid;
        if (wkb_u32(w, &srid))
            return -1;
    }
    t &= 0x0fffffffu;
    if (t >= 1000) { /* ISO: 1000 Z, 2000 M, 3000 ZM */
        *dims += t >= 3000 ? 2 : 1;
        t %= 1000;
    }
    *type = (int)t;
    return t >= 1 && t <= 7 ? 0 : -1;
}

/* n points of dims into tile units xy[2n] (malloc'd). */
static int wkb_points(wkb *w, const tile *t, int dims, uint32_t n, double **xy)
{
    if ((size_t)(w->end - w->p) / (8u * (unsigned)dims) < n)
        return -1;
    *xy = malloc(((size_t)n + 1) * 2 * sizeof **xy);
    if (!*xy)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        double c[4];
        for (int d = 0; d < dims; d++)
            wkb_f64(w, &c[d]);
        to_tile(t, c[0], c[1], &(*xy)[2 * i], &(*xy)[2 * i + 1]);
    }
    return 0;
}

/* -- clipping to the buffered tile -- */

#define LO ((double)-TILES_BUFFER)
#define HI ((double)(MVT_EXTENT + TILES_BUFFER))

static int32_t q(double v)
{
    return (int32_t)lround(fmax(LO - 1, fmin(HI + 1, v)));
}

/* Liang–Barsky: the part of segment a→b inside the box, as fractions. */
static int clip_segment(const double *a, const double *b, double *t0, double *t1)
{
    double dx = b[0] - a[0], dy = b[1] - a[1];
    double p[4] = {-dx, dx, -dy, dy}, r[4] = {a[0] - LO, HI - a[0], a[1] - LO, HI - a[1]};
    *t0 = 0;
    *t1 = 1;
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (r[i] < 0)
                return 0;
        } else {
            double u = r[i] / p[i];
            if (p[i] < 0) {
                if (u > *t1)
                    return 0;
                if (u > *t0)
                    *t0 = u;
            } else {
                if (u < *t0)
                    return 0;
                if (u < *t1)
                    *t1 = u;
            }
        }
    }
    return 1;
}

/* A line clipped into the pieces inside the box, each added to l. */
static vk_err add_clipped_line(mvt_layer *l, const double *xy, uint32_t n)
{
    int32_t *out = malloc(((size_t)n * 2 + 2) * 2 * sizeof *out);
    if (!out)
        return VK_ENOMEM;
    int m = 0;
    vk_err e = VK_OK;
    for (uint32_t i = 0; i + 1 < n && !e; i++) {
        const double *a = &xy[2 * i], *b = &xy[2 * i + 2];
        double t0, t1;
        if (!clip_segment(a, b, &t0, &t1)) {
            if (m)
                e = mvt_add_line(l, out, m);
            m = 0;
            continue;
        }
        if (!m || t0 > 0) {
            if (m)
                e = mvt_add_line(l, out, m);
            m = 0;
            out[0] = q(a[0] + t0 * (b[0] - a[0]));
            out[1] = q(a[1] + t0 * (b[1] - a[1]));
            m = 1;
        }
        out[2 * m] = q(a[0] + t1 * (b[0] - a[0]));
        out[2 * m + 1] = q(a[1] + t1 * (b[1] - a[1]));
        m++;
        if (t1 < 1) {
            e = mvt_add_line(l, out, m);
            m = 0;
        }
    }
    if (!e && m)
        e = mvt_add_line(l, out, m);
    free(out);
    return e;
}

/* Sutherland–Hodgman against one edge (axis 0 x, 1 y; keep ≥ v when
 * lower). in: n vertices; out gets the result; returns its count. */
static int clip_edge(const double *in, int n, double *out, int axis, double v, int lower)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        const double *a = &in[2 * ((i + n - 1) % n)], *b = &in[2 * i];
        int ain = lower ? a[axis] >= v : a[axis] <= v;
        int bin = lower ? b[axis] >= v : b[axis] <= v;
        if (ain != bin) {
            double f = (v - a[axis]) / (b[axis] - a[axis]);
            out[2 * m + axis] = v;
            out[2 * m + 1 - axis] = a[1 - axis] + f * (b[1 - axis] - a[1 - axis]);
            m++;
        }
        if (bin) {
            out[2 * m] = b[0];
            out[2 * m + 1] = b[1];
            m++;
        }
    }
    return m;
}

static vk_err add_clipped_ring(mvt_layer *l, double *xy, uint32_t n, int exterior)
{
    /* Each edge adds at most one vertex per vertex crossing it. */
    size_t cap = ((size_t)n * 2 + 8) * 2;
    double *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b);
    int32_t *qv = malloc(cap * sizeof *qv);
    vk_err e = VK_OK;
    if (!a || !b || !qv) {
        e = VK_ENOMEM;
        goto done;
    }
    memcpy(a, xy, (size_t)n * 2 * sizeof *a);
    int m = (int)n;
    m = clip_edge(a, m, b, 0, LO, 1);
    m = clip_edge(b, m, a, 0, HI, 0);
    m = clip_edge(a, m, b, 1, LO, 1);
    m = clip_edge(b, m, a, 1, HI, 0);
    for (int i = 0; i < m; i++) {
        qv[2 * i] = q(a[2 * i]);
        qv[2 * i + 1] = q(a[2 * i + 1]);
    }
    e = mvt_add_ring(l, qv, m, exterior);
done:
    free(a);
    free(b);
    free(qv);
    return e;
}

/* The geometry's lines or rings (type 2, 3, 5, 6 and their parts). */
static vk_err add_shape(mvt_layer *l, wkb *w, const tile *t, int type, int dims)
{
    uint32_t parts = 1;
    if ((type == 5 || type == 6) && wkb_u32(w, &parts))
        return VK_EVALUE;
    for (uint32_t k = 0; k < parts; k++) {
        int pt = type, pd = dims;
        if ((type == 5 || type == 6) && (wkb_header(w, &pt, &pd) || pt != type - 3))
            return VK_EVALUE;
        uint32_t rings = 1;
        if (pt == 3 && wkb_u32(w, &rings))
            return VK_EVALUE;
        for (uint32_t r = 0; r < rings; r++) {
            uint32_t n;
            double *xy;
            if (wkb_u32(w, &n) || wkb_points(w, t, pd, n, &xy))
                return VK_EVALUE;
            vk_err e = pt == 2 ? add_clipped_line(l, xy, n) : add_clipped_ring(l, xy, n, r == 0);
            free(xy);
            if (e)
                return e;
        }
    }
    return VK_OK;
}

/* -- drawing -- */

typedef struct drawing {
    vk_ctx *ctx;
    const store_collection *col;
    const tile *t;
    mvt_layer *l;
    cluster_grid *clusters;  /* NULL above TILES_CLUSTER_MAX_ZOOM */
    int precision_col;       /* location_precision's column, or -1 */
    const char *categories;  /* the filters' comma lists, NULL for all; */
    const char *statuses;    /* borrowed from the request */
    int category_col, status_col; /* their columns, or -1 */
    const int *props;        /* columns written as properties */
    int nprops;
    int64_t *shapes;         /* feedback from the grid: ids of lines and areas */
    int nshapes;
    int overflow;            /* more lines and areas than shapes holds */
    vk_err err;
} drawing;

/* The feedback properties a tile carries: those the change log follows,
 * so the cached tile changes when they do. */
static const char *const feedback_tile_props[] = {"category", "status", "created", "district", NULL};

static void choose_props(drawing *d, int *buf)
{
    d->props = buf;
    d->nprops = 0;
    d->precision_col = -1;
    d->category_col = d->status_col = -1;
    int feedback = strcmp(d->col->id, "feedback") == 0;
    for (int i = 0; i < d->col->ncolumns && d->nprops < 64; i++) {
        const store_column *c = &d->col->columns[i];
        if (strcmp(c->name, "location_precision") == 0)
            d->precision_col = i;
        if (strcmp(c->name, "category") == 0)
            d->category_col = i;
        if (strcmp(c->name, "status") == 0)
            d->status_col = i;
        if (c->json)
            continue; /* objects: not a tile value */
        int take = !feedback;
        for (int k = 0; feedback && feedback_tile_props[k]; k++)
            take |= strcmp(feedback_tile_props[k], c->name) == 0;
        if (take)
            buf[d->nprops++] = i;
    }
}

static vk_err write_props(drawing *d, const store_item *item)
{
    vk_err e = VK_OK;
    if (d->col->id_is_text && item->id_text)
        e = mvt_prop_str(d->l, "id", item->id_text);
    for (int k = 0; k < d->nprops && !e; k++) {
        const store_value *v = &item->values[d->props[k]];
        const char *name = d->col->columns[d->props[k]].name;
        switch (v->type) {
        case STORE_INT: e = mvt_prop_int(d->l, name, v->i); break;
        case STORE_REAL: e = mvt_prop_double(d->l, name, v->d); break;
        case STORE_TEXT: e = mvt_prop_str(d->l, name, v->text); break;
        default: break; /* null: absent, as MVT has no null */
        }
    }
    return e;
}

static uint64_t feature_id(const drawing *d, const store_item *item)
{
    return !d->col->id_is_text && item->id > 0 ? (uint64_t)item->id : 0;
}

/* A column's text, or NULL (null, another type, or no such column). */
static const char *item_text(const store_item *item, int col)
{
    return col >= 0 && item->values[col].type == STORE_TEXT ? item->values[col].text : NULL;
}

static int draw_item(void *arg, const store_item *item)
{
    drawing *d = arg;
    if (!count_grid_in_list(d->categories, item_text(item, d->category_col)) ||
        !count_grid_in_list(d->statuses, item_text(item, d->status_col)))
        return 0; /* filtered out */
    wkb w = {item->wkb, item->wkb + item->wkb_len, 1};
    int type, dims;
    if (!item->wkb || wkb_header(&w, &type, &dims) || type == 7)
        return 0; /* no geometry, or a collection: nothing to draw */
    vk_err e = VK_OK;
    if (type == 1 || type == 4) {
        uint32_t n = 1;
        if (type == 4 && wkb_u32(&w, &n))
            return 0;
        if (!d->clusters) {
            /* Placed only by its district: the point is the district's. */
            if (d->precision_col >= 0) {
                const store_value *v = &item->values[d->precision_col];
                if (v->type == STORE_TEXT && strcmp(v->text, "district") == 0)
                    return 0;
            }
            if ((e = mvt_feature_begin(d->l, MVT_POINT, feature_id(d, item))) ||
                (e = write_props(d, item)))
                goto done;
        }
        for (uint32_t i = 0; i < n && !e; i++) {
            int pt = 1, pd = dims;
            double *xy;
            if ((type == 4 && (wkb_header(&w, &pt, &pd) || pt != 1)) ||
                wkb_points(&w, d->t, pd, 1, &xy))
                break;
            if (d->clusters) {
                if (i == 0) /* an item counts once, where its first point is */
                    cluster_add(d->clusters, xy[0], xy[1], feature_id(d, item) ? (int64_t)item->id : 0);
            } else if (xy[0] >= LO && xy[0] <= HI && xy[1] >= LO && xy[1] <= HI) {
                e = mvt_add_point(d->l, q(xy[0]), q(xy[1]));
            }
            free(xy);
        }
        if (!d->clusters)
            mvt_feature_end(d->l);
    } else {
        mvt_geom_type gt = type == 2 || type == 5 ? MVT_LINESTRING : MVT_POLYGON;
        if (!(e = mvt_feature_begin(d->l, gt, feature_id(d, item))) && !(e = write_props(d, item))) {
            e = add_shape(d->l, &w, d->t, type, dims);
            if (e == VK_EVALUE) /* a malformed geometry: left out, not a failure */
                e = VK_OK;
        }
        mvt_feature_end(d->l);
    }
done:
    d->err = e;
    return e != VK_OK;
}

/* One of the count grid's items (feedback): a point into its cluster, or
 * drawn with the properties the grid holds (those of
 * feedback_tile_props, in the collection's order); a line or area's id
 * kept to be read by id. */
static int grid_point(void *arg, const count_grid_point *p)
{
    drawing *d = arg;
    if (!count_grid_in_list(d->categories, p->category) || !count_grid_in_list(d->statuses, p->status))
        return 0; /* filtered out */
    if (p->is_shape) {
        if (d->nshapes < MAX_SHAPES) {
            d->shapes[d->nshapes++] = p->id;
        } else if (d->clusters) {
            cluster_add_geo(d->clusters, p->x, p->y, p->id); /* counted, not drawn */
        } else {
            d->overflow = 1; /* too many to read one by one: SQLite draws the tile */
            return 1;
        }
        return 0;
    }
    if (d->clusters) {
        cluster_add_geo(d->clusters, p->x, p->y, p->id);
        return 0;
    }
    if (p->district_only)
        return 0; /* its point is the district's label point, not a place */
    double px, py;
    to_tile(d->t, p->x, p->y, &px, &py);
    if (!(px >= LO && px <= HI && py >= LO && py <= HI))
        return 0;
    vk_err e = mvt_feature_begin(d->l, MVT_POINT, (uint64_t)p->id);
    if (!e && p->category)
        e = mvt_prop_str(d->l, "category", p->category);
    if (!e && p->status)
        e = mvt_prop_str(d->l, "status", p->status);
    if (!e && p->district)
        e = mvt_prop_str(d->l, "district", p->district);
    if (!e && p->created >= 0) {
        char when[32];
        int y, m, dd;
        int64_t days = p->created / 86400, s = p->created % 86400;
        vk_civil_from_days(days, &y, &m, &dd);
        snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, dd, (int)(s / 3600),
                 (int)(s / 60 % 60), (int)(s % 60));
        e = mvt_prop_str(d->l, "created", when);
    }
    if (!e)
        e = mvt_add_point(d->l, q(px), q(py));
    mvt_feature_end(d->l);
    d->err = e;
    return e != VK_OK;
}

/* A whole cell of the count grid into one cluster cell, when every point
 * it may hold (its box, and a margin for rounding) lies in that cluster
 * cell of the tile proper: exactly what its points one by one would add. */
static int grid_cell(void *arg, const double box[4], int64_t n, int64_t sx, int64_t sy)
{
    drawing *d = arg;
    cluster_grid *g = d->clusters;
    const double m = 1e-9;
    if (!g || n < 2) /* one item: its id goes with it */
        return 0;
    int k = cell_geo(g, box[0] - m, box[3] + m);
    if (k < 0 || k != cell_geo(g, box[2] + m, box[1] - m))
        return 0;
    g->sx_geo[k] += sx;
    g->sy_geo[k] += sy;
    if (!g->n[k])
        g->id[k] = 0;
    g->n[k] += n;
    return 1;
}

/* A cluster cell of the tile from the count grid's per-zoom sums (a
 * filter's list of codes may give a cell more than once). */
static void sums_cell(void *arg, int col, int row, int64_t n, int64_t slon, int64_t slat,
                      int64_t sid)
{
    drawing *d = arg;
    cluster_grid *g = d->clusters;
    int k = row * CELLS + col;
    if (!g->n[k])
        g->id[k] = n == 1 ? sid : 0;
    g->sx_geo[k] += slon;
    g->sy_geo[k] += slat;
    g->n[k] += n;
}

/* The ETag of a tile's bytes: it changes exactly when they do. */
static void etag_of(const void *data, size_t n, char etag[TILE_CACHE_ETAG_MAX])
{
    char hex[65];
    vk_sha256_hex_of(data, n, hex);
    snprintf(etag, TILE_CACHE_ETAG_MAX, "\"h%.24s\"", hex);
}

/* Draw the tile into out, or take it from the cache when no change since
 * it was drawn touched its box (with the buffer); etag gets its ETag.
 * categories, statuses: feedback's filters (NULL: all). use_sums 0: the
 * clusters point by point even where the per-zoom sums hold them (the
 * tests' reference); *summed 1 when they came from the sums. */
static vk_err draw_tile(vk_ctx *ctx, const store_collection *col, const tile *t,
                        const char *categories, const char *statuses, int use_sums,
                        vk_buf *out, char etag[TILE_CACHE_ETAG_MAX], int *summed)
{
    int64_t version = -1;
    int feedback = strcmp(col->id, "feedback") == 0;
    *summed = 0;
    if (!feedback)
        categories = statuses = NULL;
    /* Filtered tiles are cached by their filters. */
    size_t start = out->len;
    char key[TILE_CACHE_KEY_MAX];
    int cacheable = 0;
    if (feedback && ctx->counts && ctx->tiles) {
        int n = snprintf(key, sizeof key, "%s|%s|%s", col->id, categories ? categories : "*",
                         statuses ? statuses : "*");
        cacheable = n > 0 && (size_t)n < sizeof key;
    }
    int64_t cached;
    if (cacheable && tile_cache_get(ctx->tiles, key, t->z, t->x, t->y, &cached, etag, out)) {
        int64_t seq;
        int changed;
        vk_err e = count_grid_changed(ctx->counts, ctx->store, cached, t->bbox, &seq, &changed,
                                      &ctx->err);
        if (e)
            return e;
        if (!changed) {
            if (seq != cached)
                tile_cache_renew(ctx->tiles, key, t->z, t->x, t->y, cached, seq);
            return VK_OK;
        }
        out->len = start; /* a change met it: drawn anew */
    }
    drawing d = {ctx, col, t, NULL, NULL, -1, categories, statuses, -1, -1, NULL, 0, NULL, 0, 0, VK_OK};
    int props[64];
    choose_props(&d, props);
    vk_err e = mvt_layer_new(&d.l, col->id);
    if (e)
        return vk_fail(&ctx->err, e, "", NULL);
    if (t->z <= TILES_CLUSTER_MAX_ZOOM && !(d.clusters = calloc(1, sizeof *d.clusters))) {
        mvt_layer_free(d.l);
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    }
    int handled = 0;
    /* Feedback from the count grid in memory: its points, clustered or
     * drawn, without a row read; lines and areas by id. */
    if (feedback && ctx->counts) {
        int64_t seq = -1;
        d.shapes = malloc(MAX_SHAPES * sizeof *d.shapes);
        if (!d.shapes)
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        if (!e && d.clusters)
            cluster_geo_init(d.clusters, t);
        /* Low zooms: the clusters straight from the per-zoom sums (of a
         * filter's categories or statuses too). */
        if (!e && d.clusters && use_sums) {
            e = count_grid_clusters(ctx->counts, ctx->store, t->z, t->x, t->y, t->bbox,
                                    categories, statuses, sums_cell, grid_point, &d, &seq,
                                    &handled, &ctx->err);
            *summed = handled;
        }
        if (!e && !handled && !d.err) {
            /* The sums do not hold this zoom (or the grid was busy):
             * nothing was added; the grid's points instead. */
            e = count_grid_points(ctx->counts, ctx->store, t->bbox, categories, statuses,
                                  grid_point, d.clusters ? grid_cell : NULL, &d, &seq, &handled,
                                  &ctx->err);
        }
        if (!e && d.err)
            e = vk_fail(&ctx->err, d.err, "", NULL);
        if (!e && handled && d.overflow)
            handled = 0;
        if (!e && handled) {
            version = seq;
            for (int i = 0; i < d.nshapes && !e; i++) {
                store_items_query qi = {0};
                qi.limit = 1;
                qi.id = d.shapes[i];
                e = store_items_each(ctx->store, col, &qi, draw_item, &d, &ctx->err);
                if (!e && d.err)
                    e = vk_fail(&ctx->err, d.err, "", NULL);
            }
        }
        if (!e && !handled) { /* start again from SQLite */
            *summed = 0;
            mvt_layer_free(d.l);
            d.l = NULL;
            if ((e = mvt_layer_new(&d.l, col->id)))
                vk_fail(&ctx->err, e, "", NULL);
        }
    }
    if (!e && !handled) {
        d.nshapes = 0;
        if (d.clusters)
            memset(d.clusters, 0, sizeof *d.clusters);
        store_items_query qa = {0};
        qa.has_bbox = 1;
        memcpy(qa.bbox, t->bbox, sizeof qa.bbox);
        qa.limit = -1;
        e = store_items_each(ctx->store, col, &qa, draw_item, &d, &ctx->err);
        if (!e && d.err)
            e = vk_fail(&ctx->err, d.err, "", NULL);
    }
    if (!e && d.clusters && (e = cluster_write(d.clusters, d.l)))
        vk_fail(&ctx->err, e, "", NULL);
    if (!e && (e = mvt_encode(&d.l, 1, out)))
        vk_fail(&ctx->err, e, "", NULL);
    if (!e) {
        etag_of(out->data + start, out->len - start, etag);
        if (cacheable && version >= 0)
            tile_cache_put(ctx->tiles, key, t->z, t->x, t->y, version, etag, out->data + start,
                           out->len - start);
    }
    free(d.shapes);
    free(d.clusters);
    mvt_layer_free(d.l);
    return e;
}

vk_err tiles_tile(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const store_collection *col;
    tile t;
    vk_err e = find_collection(ctx, req, &col);
    if (e || (e = check_tms(ctx, req->args[1])) || (e = parse_tile(ctx, req, &t)) ||
        (e = check_params_in(ctx, req, NULL,
                             strcmp(col->id, "feedback") ? no_params : feedback_params)) ||
        (e = check_list(ctx, req, "category")) || (e = check_list(ctx, req, "status")))
        return e;
    /* The ETag: the hash of the bytes (kept with a cached tile). */
    char *tag = vk_arena_alloc(req->arena, TILE_CACHE_ETAG_MAX);
    if (!tag)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    const char *categories = vk_req_param(req, "category"), *statuses = vk_req_param(req, "status");
    int summed;
    if ((e = draw_tile(ctx, col, &t, categories, statuses, 1, &resp->body, tag, &summed)))
        return e;
    resp->content_type = MT_MVT;
    vk_resp_not_modified(resp, req, tag, -1);
    return VK_OK;
}

vk_err tiles_draw_feedback(vk_ctx *ctx, int z, uint32_t x, uint32_t y, const char *categories,
                           const char *statuses, int use_sums, vk_buf *out,
                           char etag[TILE_CACHE_ETAG_MAX], int *summed)
{
    tile t;
    if (z < 0 || z > TILES_MAX_ZOOM || x >= (1u << z) || y >= (1u << z))
        return vk_fail(&ctx->err, VK_EPARAM, "tileMatrix", "no such tile");
    tile_at(&t, z, x, y);
    return draw_tile(ctx, store_collection_find("feedback"), &t, categories, statuses, use_sums,
                     out, etag, summed);
}
