/*
 * crs.c — the four CRSs Vaikuta serves and the PROJ transformations
 * between storage (lon/lat, CRS84 axis order) and each of them.
 *
 *   CRS84      identity, no PROJ call
 *   EPSG:4326  the same datum, axes swapped (lat, lon), no PROJ call
 *   EPSG:3067  proj_create_crs_to_crs("OGC:CRS84", "EPSG:3067"): E, N
 *   EPSG:3879  proj_create_crs_to_crs("OGC:CRS84", "EPSG:3879"): N, E
 *
 * The transformations are never passed through
 * proj_normalize_for_visualization: OGC API - Features Part 2 wants the
 * authority's axis order, which is exactly what PROJ gives for an EPSG
 * target (checked in tests/unit/test_crs.c against cs2cs). One PJ per CRS,
 * created on first use, serves both directions (PJ_FWD: storage → CRS,
 * PJ_INV: CRS → storage). With PROJ 9.1's database each of these has a
 * single candidate operation (the null ETRS89 ↔ WGS 84 shift plus the
 * projection), so both directions use the same operation.
 *
 * Errors: a position that is not finite, lies outside lon/lat on the
 * storage side, or that PROJ cannot transform (HUGE_VAL) is
 * VK_EGEOM_COORD, so no non-finite number ever reaches JSON or the store.
 * A transformation PROJ cannot build (no proj.db, …) is VK_EINTERNAL, and
 * so is malformed WKB (all WKB here is written by our own code).
 *
 * PROJ never prints: the context's log level is NONE and its logger drops
 * everything.
 */
#include "gis/crs.h"

#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gis/gis.h"
#include "gis/hex.h"
#include "gis/gis_internal.h"

/* Points per densified bbox edge, corners included. */
#define GIS_BBOX_EDGE_POINTS 21

/* ------------------------------------------------------------------ */
/* The CRS table                                                       */
/* ------------------------------------------------------------------ */

static const struct crs_def {
    const char *uri;   /* canonical, compared case-sensitively */
    const char *curie; /* short form, compared case-insensitively */
    int epsg;
    int decimals;
} crs_defs[GIS_CRS__COUNT] = {
    [GIS_CRS_CRS84] = {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84", 4326, 7},
    [GIS_CRS_4326] = {"http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326", 4326, 7},
    [GIS_CRS_3067] = {"http://www.opengis.net/def/crs/EPSG/0/3067", "EPSG:3067", 3067, 3},
    [GIS_CRS_3879] = {"http://www.opengis.net/def/crs/EPSG/0/3879", "EPSG:3879", 3879, 3},
};

static int crs_valid(gis_crs c)
{
    return (unsigned)c < GIS_CRS__COUNT;
}

/* 1 if the n bytes at s equal the NUL-terminated b, ASCII case ignored
 * (locale-independent, unlike strncasecmp). */
static int ascii_ieq(const char *s, size_t n, const char *b)
{
    if (strlen(b) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)s[i], y = (unsigned char)b[i];
        if (x >= 'a' && x <= 'z')
            x = (unsigned char)(x - 'a' + 'A');
        if (y >= 'a' && y <= 'z')
            y = (unsigned char)(y - 'a' + 'A');
        if (x != y)
            return 0;
    }
    return 1;
}

int gis_crs_parse(const char *s, gis_crs *out)
{
    if (!s)
        return -1;
    size_t n = strlen(s);
    const char *curie = s;
    size_t curie_len = n;
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') { /* safe CURIE */
        curie = s + 1;
        curie_len = n - 2;
    }
    for (int c = 0; c < GIS_CRS__COUNT; c++) {
        if (strcmp(s, crs_defs[c].uri) == 0 || ascii_ieq(curie, curie_len, crs_defs[c].curie)) {
            *out = (gis_crs)c;
            return 0;
        }
    }
    return -1;
}

const char *gis_crs_uri(gis_crs c)
{
    return crs_valid(c) ? crs_defs[c].uri : NULL;
}

int gis_crs_epsg(gis_crs c)
{
    return crs_valid(c) ? crs_defs[c].epsg : 0;
}

int gis_crs_decimals(gis_crs c)
{
    return crs_valid(c) ? crs_defs[c].decimals : GIS_DECIMALS;
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                           */
/* ------------------------------------------------------------------ */

struct gis_proj {
    PJ_CONTEXT *ctx;            /* owned */
    PJ *tx[GIS_CRS__COUNT];        /* owned; CRS84 → c, NULL until first use */
    int tx_failed[GIS_CRS__COUNT]; /* 1: PROJ could not build it; not retried */
};

static void proj_quiet(void *ud, int level, const char *msg)
{
    (void)ud;
    (void)level;
    (void)msg;
}

vk_err gis_proj_new(gis_proj **out)
{
    *out = NULL;
    gis_proj *p = calloc(1, sizeof *p);
    if (!p)
        return VK_ENOMEM;
    p->ctx = proj_context_create();
    if (!p->ctx) {
        free(p);
        return VK_ENOMEM;
    }
    proj_log_level(p->ctx, PJ_LOG_NONE);
    proj_log_func(p->ctx, NULL, proj_quiet);
    *out = p;
    return VK_OK;
}

void gis_proj_free(gis_proj *p)
{
    if (!p)
        return;
    for (int c = 0; c < GIS_CRS__COUNT; c++)
        if (p->tx[c])
            proj_destroy(p->tx[c]);
    proj_context_destroy(p->ctx);
    free(p);
}

/* The PJ for storage ↔ c (c is 3067 or 3879), built on first use. */
static vk_err get_tx(gis_proj *p, gis_crs c, PJ **out)
{
    if (!p->tx[c] && !p->tx_failed[c]) {
        char target[32];
        snprintf(target, sizeof target, "EPSG:%d", crs_defs[c].epsg);
        p->tx[c] = proj_create_crs_to_crs(p->ctx, "OGC:CRS84", target, NULL);
        if (!p->tx[c])
            p->tx_failed[c] = 1;
    }
    *out = p->tx[c];
    return *out ? VK_OK : VK_EINTERNAL;
}

/* ------------------------------------------------------------------ */
/* Positions                                                           */
/* ------------------------------------------------------------------ */

static int lonlat_ok(double lon, double lat)
{
    return lon >= -180.0 && lon <= 180.0 && lat >= -90.0 && lat <= 90.0;
}

/* One position between storage and c: to_storage 0 is storage → c. */
static vk_err tx_point(gis_proj *p, gis_crs c, int to_storage, double *x, double *y)
{
    if (!crs_valid(c))
        return VK_EINTERNAL;
    if (!isfinite(*x) || !isfinite(*y))
        return VK_EGEOM_COORD;
    if (!to_storage && !lonlat_ok(*x, *y))
        return VK_EGEOM_COORD;
    if (c == GIS_CRS_4326) {
        double t = *x;
        *x = *y;
        *y = t;
    } else if (c != GIS_CRS_CRS84) {
        PJ *pj;
        vk_err e = get_tx(p, c, &pj);
        if (e != VK_OK)
            return e;
        PJ_COORD o = proj_trans(pj, to_storage ? PJ_INV : PJ_FWD, proj_coord(*x, *y, 0, 0));
        if (!isfinite(o.xy.x) || !isfinite(o.xy.y)) { /* HUGE_VAL: PROJ failed */
            proj_errno_reset(pj);
            return VK_EGEOM_COORD;
        }
        *x = o.xy.x;
        *y = o.xy.y;
    }
    if (to_storage && !lonlat_ok(*x, *y))
        return VK_EGEOM_COORD;
    return VK_OK;
}

vk_err gis_proj_from_storage(gis_proj *p, gis_crs c, double *x, double *y)
{
    double a = *x, b = *y;
    vk_err e = tx_point(p, c, 0, &a, &b);
    if (e == VK_OK) {
        *x = a;
        *y = b;
    }
    return e;
}

vk_err gis_proj_to_storage(gis_proj *p, gis_crs c, double *x, double *y)
{
    double a = *x, b = *y;
    vk_err e = tx_point(p, c, 1, &a, &b);
    if (e == VK_OK) {
        *x = a;
        *y = b;
    }
    return e;
}

/* ------------------------------------------------------------------ */
/* WKB                                                                 */
/* ------------------------------------------------------------------ */

typedef struct tx_job {
    gis_proj *p;
    gis_crs c;
    int to_storage;
    int east_north; /* the other side has easting (or longitude) first */
} tx_job;

/* CRSs whose authority order puts north (or latitude) first. */
static int north_first(gis_crs c) { return c == GIS_CRS_4326 || c == GIS_CRS_3879; }

static vk_err tx_job_pos(void *ud, double *x, double *y)
{
    const tx_job *j = ud;
    if (j->to_storage && j->east_north && north_first(j->c)) {
        double t = *x;
        *x = *y;
        *y = t;
    }
    vk_err e = tx_point(j->p, j->c, j->to_storage, x, y);
    if (j->to_storage)
        return e;
    if (e == VK_OK && j->east_north && north_first(j->c)) {
        double t = *x;
        *x = *y;
        *y = t;
    }
    return e;
}

vk_err gis_wkb_to_geojson_crs_en(gis_proj *p, gis_crs c, const unsigned char *wkb, size_t n,
                                 vk_buf *out)
{
    if (!crs_valid(c))
        return VK_EINTERNAL;
    if (c == GIS_CRS_CRS84 || c == GIS_CRS_4326)
        return gis_wkb_to_geojson(wkb, n, out);
    tx_job j = {p, c, 0, 1};
    return gis_wkb_to_geojson_tx(wkb, n, tx_job_pos, &j, gis_crs_decimals(c), out);
}

vk_err gis_proj_wkb_to_storage_en(gis_proj *p, gis_crs c, unsigned char *wkb, size_t n)
{
    if (!crs_valid(c))
        return VK_EINTERNAL;
    if (c == GIS_CRS_4326)
        c = GIS_CRS_CRS84; /* files keep lon/lat for EPSG:4326 */
    tx_job j = {p, c, 1, 1};
    return gis_wkb_transform(wkb, n, tx_job_pos, &j);
}

vk_err gis_proj_wkb_from_storage_en(gis_proj *p, gis_crs c, unsigned char *wkb, size_t n)
{
    if (!crs_valid(c))
        return VK_EINTERNAL;
    if (c == GIS_CRS_CRS84 || c == GIS_CRS_4326)
        return VK_OK;
    tx_job j = {p, c, 0, 1};
    return gis_wkb_transform(wkb, n, tx_job_pos, &j);
}

vk_err gis_wkb_to_geojson_crs(gis_proj *p, gis_crs c, const unsigned char *wkb, size_t n,
                              vk_buf *out)
{
    if (!crs_valid(c))
        return VK_EINTERNAL;
    if (c == GIS_CRS_CRS84)
        return gis_wkb_to_geojson(wkb, n, out);
    if (c != GIS_CRS_4326) { /* build the PJ before writing anything */
        PJ *pj;
        vk_err e = get_tx(p, c, &pj);
        if (e != VK_OK)
            return e;
    }
    tx_job j = {p, c, 0, 0};
    return gis_wkb_to_geojson_tx(wkb, n, tx_job_pos, &j, gis_crs_decimals(c), out);
}

vk_err gis_proj_wkb_to_storage(gis_proj *p, gis_crs c, unsigned char *wkb, size_t n)
{
    if (!crs_valid(c))
        return VK_EINTERNAL;
    tx_job j = {p, c, 1, 0};
    return gis_wkb_transform(wkb, n, tx_job_pos, &j);
}

/* ------------------------------------------------------------------ */
/* Bounding boxes                                                      */
/* ------------------------------------------------------------------ */

/* Point t ∈ [0, 1] along edge 0..3 of the outline (bottom →, right ↑,
 * top ←, left ↓), so edge k ends where edge k + 1 starts. */
static void edge_point(const double in[4], int edge, double t, double *x, double *y)
{
    double dx = in[2] - in[0], dy = in[3] - in[1];
    switch (edge) {
    case 0: *x = in[0] + dx * t, *y = in[1]; break;
    case 1: *x = in[2], *y = in[1] + dy * t; break;
    case 2: *x = in[2] - dx * t, *y = in[3]; break;
    default: *x = in[0], *y = in[3] - dy * t; break;
    }
}

/* The envelope of the bbox's outline, densified to GIS_BBOX_EDGE_POINTS
 * per edge, transformed. Sampled points alone can miss the curve between
 * them (a Finland-wide box loses 17 m where the 59°N parallel sags at
 * TM35FIN's central meridian), so each segment's midpoint is transformed
 * too and the envelope is widened by the largest distance of a midpoint
 * from its chord: for a smoothly bending image that is about four times
 * the most the curve can stray beyond the half-segments' chords, so the
 * envelope covers it (a few cm for a city-sized box). Extremes inside the
 * box (a pole) are not looked for: our boxes are Finnish. */
static vk_err bbox_tx(gis_proj *p, gis_crs c, int to_storage, const double in[4], double out[4])
{
    if (!crs_valid(c))
        return VK_EINTERNAL;
    for (int i = 0; i < 4; i++)
        if (!isfinite(in[i]))
            return VK_EGEOM_COORD;
    if (c == GIS_CRS_CRS84) {
        memcpy(out, in, 4 * sizeof *out);
        return VK_OK;
    }
    if (c == GIS_CRS_4326) { /* the same box, axes swapped */
        double t[4] = {in[1], in[0], in[3], in[2]};
        memcpy(out, t, sizeof t);
        return VK_OK;
    }
    if (in[0] > in[2] || in[1] > in[3])
        return VK_EGEOM_COORD;
    double env[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    double dev_x = 0, dev_y = 0;
    const int segs = GIS_BBOX_EDGE_POINTS - 1;
    for (int edge = 0; edge < 4; edge++) {
        double pt[3][2]; /* segment start, middle, end; transformed */
        edge_point(in, edge, 0, &pt[0][0], &pt[0][1]);
        vk_err e = tx_point(p, c, to_storage, &pt[0][0], &pt[0][1]);
        for (int k = 0; k < segs && e == VK_OK; k++) {
            edge_point(in, edge, (k + 0.5) / segs, &pt[1][0], &pt[1][1]);
            edge_point(in, edge, (double)(k + 1) / segs, &pt[2][0], &pt[2][1]);
            e = tx_point(p, c, to_storage, &pt[1][0], &pt[1][1]);
            if (e == VK_OK)
                e = tx_point(p, c, to_storage, &pt[2][0], &pt[2][1]);
            if (e != VK_OK)
                break;
            for (int i = 0; i < 3; i++) {
                env[0] = fmin(env[0], pt[i][0]);
                env[1] = fmin(env[1], pt[i][1]);
                env[2] = fmax(env[2], pt[i][0]);
                env[3] = fmax(env[3], pt[i][1]);
            }
            dev_x = fmax(dev_x, fabs(pt[1][0] - (pt[0][0] + pt[2][0]) / 2));
            dev_y = fmax(dev_y, fabs(pt[1][1] - (pt[0][1] + pt[2][1]) / 2));
            memcpy(pt[0], pt[2], sizeof pt[0]);
        }
        if (e != VK_OK)
            return e;
    }
    out[0] = env[0] - dev_x;
    out[1] = env[1] - dev_y;
    out[2] = env[2] + dev_x;
    out[3] = env[3] + dev_y;
    if (to_storage) { /* the margin must not leave the earth */
        out[0] = fmax(out[0], -180.0);
        out[1] = fmax(out[1], -90.0);
        out[2] = fmin(out[2], 180.0);
        out[3] = fmin(out[3], 90.0);
    }
    return VK_OK;
}

vk_err gis_proj_bbox_to_storage(gis_proj *p, gis_crs c, const double in[4], double out[4])
{
    return bbox_tx(p, c, 1, in, out);
}

vk_err gis_proj_bbox_from_storage(gis_proj *p, gis_crs c, const double in[4], double out[4])
{
    return bbox_tx(p, c, 0, in, out);
}

vk_err gis_hex_ring_geojson(gis_proj *p, const gis_hex_grid *g, int32_t q, int32_t r, gis_crs c,
                            vk_buf *out, double bbox[4])
{
    double xy[12];
    gis_hex_corners(g, q, r, xy);
    int dec = gis_crs_decimals(c);
    vk_buf_puts(out, "[[");
    for (int i = 0; i <= 6; i++) {
        double x = xy[2 * (i % 6)], y = xy[2 * (i % 6) + 1];
        if (c != GIS_CRS_3067 || bbox) {
            if (gis_proj_to_storage(p, GIS_CRS_3067, &x, &y) != VK_OK)
                return VK_EPARAM;
            if (bbox && i == 0) {
                bbox[0] = bbox[2] = x;
                bbox[1] = bbox[3] = y;
            } else if (bbox) {
                bbox[0] = fmin(bbox[0], x);
                bbox[1] = fmin(bbox[1], y);
                bbox[2] = fmax(bbox[2], x);
                bbox[3] = fmax(bbox[3], y);
            }
            if (c == GIS_CRS_3067) {
                x = xy[2 * (i % 6)];
                y = xy[2 * (i % 6) + 1];
            } else if (c != GIS_CRS_CRS84 && gis_proj_from_storage(p, c, &x, &y) != VK_OK) {
                return VK_EPARAM;
            }
        }
        vk_buf_puts(out, i ? ",[" : "[");
        vk_json_coord(out, x, dec);
        vk_buf_putc(out, ',');
        vk_json_coord(out, y, dec);
        vk_buf_putc(out, ']');
    }
    vk_buf_puts(out, "]]");
    return VK_OK;
}
