/*
 * gis.c — geometry in, checked, assigned, and out again.
 *
 * The path of a geometry through Vaikuta:
 *
 *   GeoJSON ──check──▶ (structure, lon/lat, vertex cap)      pass 1: no GEOS
 *           ──build──▶ GEOS geometry, rings oriented          pass 2
 *           ──valid──▶ GEOSisValidDetail: reason + place
 *           ──────────▶ inside the boundary? which district?  prepared areas
 *           ──────────▶ ISO WKB for the store
 *   WKB from the store ──▶ GeoJSON text                       pure C reader
 *
 * Pass 1 walks the jansson tree and rejects everything a person could get
 * wrong, counting positions before any GEOS object exists, so the vertex
 * cap bounds the work GEOS does. Pass 2 then cannot fail except for lack
 * of memory. Rings are oriented while they are built (exterior
 * counter-clockwise, holes clockwise: RFC 7946 §3.1.6) because GEOS 3.11
 * has no GEOSOrientPolygons; the input orientation is never an error.
 *
 * GEOS rules kept here: only the reentrant _r API on the context's handle;
 * GEOS messages go to our handler (never stderr) and are quoted in ours;
 * predicates answer 0, 1 or 2 (exception), and 2 is always an error; every
 * GEOS object is destroyed on every path. Constructors take ownership of
 * their parts even when they fail (GEOS ≥ 3.10 contract), so after a call
 * to GEOSGeom_create* we never free the parts ourselves.
 *
 * The WKB → GeoJSON writer runs on every feature served, so it is plain C
 * with a bounds check on every read and a cap on collection nesting. The
 * same reader, with a per-position callback, serves crs.c through
 * gis_internal.h: GeoJSON in another CRS, and WKB transformed in place.
 */
#define GEOS_USE_ONLY_R_API
#include "gis/gis.h"
#include "gis/gis_internal.h"

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deepest GeometryCollection nesting gis_wkb_to_geojson follows. */
#define GIS_WKB_MAX_DEPTH 8

/* ------------------------------------------------------------------ */
/* Types                                                               */
/* ------------------------------------------------------------------ */

/* The accepted geometry types; value + 1 is the WKB type code. */
enum gtype { GT_POINT, GT_LINESTRING, GT_POLYGON, GT_MULTIPOINT, GT_MULTILINESTRING, GT_MULTIPOLYGON };

static const char *const gtype_names[] = {"Point",      "LineString",      "Polygon",
                                          "MultiPoint", "MultiLineString", "MultiPolygon",
                                          "GeometryCollection"};
#define GT_COUNT 6 /* names past this are output-only */

typedef struct gis_env {
    double minx, miny, maxx, maxy;
} gis_env;

/* A boundary or district: the geometry and its prepared form. */
typedef struct gis_area {
    int64_t id;
    GEOSGeometry *geom;               /* owned */
    const GEOSPreparedGeometry *prep; /* owned; refers to geom */
    gis_env env;
} gis_area;

struct gis_ctx {
    GEOSContextHandle_t h;
    char geos_msg[256]; /* last GEOS error message; cleared before calls */
    int has_boundary;
    gis_area boundary;
    gis_area *districts; /* owned array */
    size_t n_districts, cap_districts;
};

struct gis_geom {
    enum gtype type;
    GEOSGeometry *geom; /* owned */
    gis_env env;
};

/* ------------------------------------------------------------------ */
/* GEOS plumbing                                                       */
/* ------------------------------------------------------------------ */

static void geos_on_error(const char *msg, void *userdata)
{
    gis_ctx *g = userdata;
    snprintf(g->geos_msg, sizeof g->geos_msg, "%s", msg ? msg : "");
}

/* Notices are informational (e.g. from the validity check): dropped. */
static void geos_on_notice(const char *msg, void *userdata)
{
    (void)msg;
    (void)userdata;
}

static const char *geos_reason(const gis_ctx *g)
{
    return g->geos_msg[0] ? g->geos_msg : "unknown GEOS error";
}

/* Error for a GEOS call that returned NULL: an allocation failure leaves no
 * GEOS message, anything else is a GEOS exception. */
static vk_err geos_fail(gis_ctx *g, vk_errinfo *ei, const char *field, const char *doing)
{
    if (!g->geos_msg[0])
        return vk_fail(ei, VK_ENOMEM, field, NULL);
    return vk_fail(ei, VK_EINTERNAL, field, "%s failed: %s", doing, g->geos_msg);
}

static int geom_env(gis_ctx *g, const GEOSGeometry *geom, gis_env *e)
{
    return GEOSGeom_getXMin_r(g->h, geom, &e->minx) == 1 &&
                   GEOSGeom_getYMin_r(g->h, geom, &e->miny) == 1 &&
                   GEOSGeom_getXMax_r(g->h, geom, &e->maxx) == 1 &&
                   GEOSGeom_getYMax_r(g->h, geom, &e->maxy) == 1
               ? 0
               : -1;
}

static int env_covers(const gis_env *outer, const gis_env *inner)
{
    return inner->minx >= outer->minx && inner->maxx <= outer->maxx &&
           inner->miny >= outer->miny && inner->maxy <= outer->maxy;
}

static int env_intersects(const gis_env *a, const gis_env *b)
{
    return a->minx <= b->maxx && b->minx <= a->maxx && a->miny <= b->maxy && b->miny <= a->maxy;
}

/* A coordinate for a message: up to 7 decimals, trailing zeros dropped. */
static void fmt_coord(char *s, size_t n, double v)
{
    int len = snprintf(s, n, "%.7f", v);
    if (len <= 0 || (size_t)len >= n)
        return;
    while (len > 0 && s[len - 1] == '0')
        s[--len] = '\0';
    if (len > 0 && s[len - 1] == '.')
        s[--len] = '\0';
    if (strcmp(s, "-0") == 0)
        snprintf(s, n, "0");
}

/* GEOS validity as our error: "Self-intersection at 28.7512 61.1734". */
static vk_err check_valid(gis_ctx *g, const GEOSGeometry *geom, const char *field, vk_errinfo *ei)
{
    char *reason = NULL;
    GEOSGeometry *loc = NULL;
    g->geos_msg[0] = '\0';
    char valid = GEOSisValidDetail_r(g->h, geom, 0, &reason, &loc);
    vk_err e = VK_OK;
    if (valid == 0) {
        char where[96] = "";
        double x, y;
        if (loc && GEOSGeomGetX_r(g->h, loc, &x) == 1 && GEOSGeomGetY_r(g->h, loc, &y) == 1) {
            char xs[40], ys[40];
            fmt_coord(xs, sizeof xs, x);
            fmt_coord(ys, sizeof ys, y);
            snprintf(where, sizeof where, " at %s %s", xs, ys);
        }
        e = vk_fail(ei, VK_EGEOM_INVALID, field, "%s%s", reason ? reason : "Invalid geometry",
                    where);
    } else if (valid != 1) {
        e = vk_fail(ei, VK_EINTERNAL, field, "the validity check failed: %s", geos_reason(g));
    }
    if (reason)
        GEOSFree_r(g->h, reason);
    if (loc)
        GEOSGeom_destroy_r(g->h, loc);
    return e;
}

static GEOSGeometry *read_wkb(gis_ctx *g, const unsigned char *wkb, size_t n)
{
    if (!wkb || n == 0)
        return NULL;
    GEOSWKBReader *rd = GEOSWKBReader_create_r(g->h);
    if (!rd)
        return NULL;
    GEOSGeometry *geom = GEOSWKBReader_read_r(g->h, rd, wkb, n);
    GEOSWKBReader_destroy_r(g->h, rd);
    return geom;
}

/* ------------------------------------------------------------------ */
/* Lifecycle and areas                                                 */
/* ------------------------------------------------------------------ */

vk_err gis_ctx_new(gis_ctx **out)
{
    *out = NULL;
    gis_ctx *g = calloc(1, sizeof *g);
    if (!g)
        return VK_ENOMEM;
    g->h = GEOS_init_r();
    if (!g->h) {
        free(g);
        return VK_ENOMEM;
    }
    GEOSContext_setErrorMessageHandler_r(g->h, geos_on_error, g);
    GEOSContext_setNoticeMessageHandler_r(g->h, geos_on_notice, g);
    *out = g;
    return VK_OK;
}

static void area_fini(gis_ctx *g, gis_area *a)
{
    if (a->prep)
        GEOSPreparedGeom_destroy_r(g->h, a->prep);
    if (a->geom)
        GEOSGeom_destroy_r(g->h, a->geom);
    memset(a, 0, sizeof *a);
}

void gis_ctx_free(gis_ctx *g)
{
    if (!g)
        return;
    if (g->has_boundary)
        area_fini(g, &g->boundary);
    for (size_t i = 0; i < g->n_districts; i++)
        area_fini(g, &g->districts[i]);
    free(g->districts);
    GEOS_finish_r(g->h);
    free(g);
}

/* Read an area (Polygon or MultiPolygon, valid, not empty) from WKB and
 * prepare it. On failure *a is left empty. */
static vk_err area_from_wkb(gis_ctx *g, const unsigned char *wkb, size_t n, const char *field,
                            gis_area *a, vk_errinfo *ei)
{
    memset(a, 0, sizeof *a);
    g->geos_msg[0] = '\0';
    GEOSGeometry *geom = read_wkb(g, wkb, n);
    if (!geom)
        return vk_fail(ei, VK_EGEOM_INVALID, field, "the %s WKB could not be read: %s", field,
                       geos_reason(g));
    vk_err e = VK_OK;
    int type = GEOSGeomTypeId_r(g->h, geom);
    char empty = GEOSisEmpty_r(g->h, geom);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
        e = vk_fail(ei, VK_EGEOM_TYPE, field, "the %s must be a Polygon or MultiPolygon", field);
    else if (empty == 1)
        e = vk_fail(ei, VK_EGEOM_INVALID, field, "the %s is empty", field);
    else if (empty != 0)
        e = vk_fail(ei, VK_EINTERNAL, field, "GEOS failed: %s", geos_reason(g));
    else
        e = check_valid(g, geom, field, ei);
    if (e == VK_OK && geom_env(g, geom, &a->env))
        e = vk_fail(ei, VK_EINTERNAL, field, "GEOS failed: %s", geos_reason(g));
    if (e == VK_OK) {
        g->geos_msg[0] = '\0';
        a->prep = GEOSPrepare_r(g->h, geom);
        if (!a->prep)
            e = geos_fail(g, ei, field, "preparing the geometry");
    }
    if (e != VK_OK) {
        GEOSGeom_destroy_r(g->h, geom);
        return e;
    }
    a->geom = geom;
    return VK_OK;
}

vk_err gis_set_boundary(gis_ctx *g, const unsigned char *wkb, size_t n, vk_errinfo *ei)
{
    gis_area a;
    vk_err e = area_from_wkb(g, wkb, n, "boundary", &a, ei);
    if (e != VK_OK)
        return e;
    if (g->has_boundary)
        area_fini(g, &g->boundary);
    g->boundary = a;
    g->has_boundary = 1;
    return VK_OK;
}

vk_err gis_add_district(gis_ctx *g, int64_t id, const unsigned char *wkb, size_t n,
                        vk_errinfo *ei)
{
    if (g->n_districts == g->cap_districts) {
        size_t cap = g->cap_districts ? g->cap_districts * 2 : 8;
        gis_area *p = realloc(g->districts, cap * sizeof *p);
        if (!p)
            return vk_fail(ei, VK_ENOMEM, "district", NULL);
        g->districts = p;
        g->cap_districts = cap;
    }
    gis_area a;
    vk_err e = area_from_wkb(g, wkb, n, "district", &a, ei);
    if (e != VK_OK)
        return e;
    a.id = id;
    g->districts[g->n_districts++] = a;
    return VK_OK;
}

/* ------------------------------------------------------------------ */
/* GeoJSON, pass 1: check structure, coordinates and the vertex cap    */
/* ------------------------------------------------------------------ */

typedef struct gj_check {
    enum gtype type;
    const char *field; /* "geometry.coordinates" */
    vk_errinfo *ei;
    size_t nvert; /* positions seen so far; never above GIS_MAX_VERTICES */
} gj_check;

/* Where we are, 1-based for people; 0 where it does not apply. */
typedef struct gj_where {
    size_t part, ring, pos;
} gj_where;

static void where_pos(const gj_check *c, gj_where w, char *s, size_t n)
{
    switch (c->type) {
    case GT_POINT: snprintf(s, n, "the position"); break;
    case GT_LINESTRING:
    case GT_MULTIPOINT: snprintf(s, n, "position %zu", w.pos); break;
    case GT_MULTILINESTRING: snprintf(s, n, "position %zu of line %zu", w.pos, w.part); break;
    case GT_POLYGON: snprintf(s, n, "position %zu of ring %zu", w.pos, w.ring); break;
    case GT_MULTIPOLYGON:
        snprintf(s, n, "position %zu of ring %zu of polygon %zu", w.pos, w.ring, w.part);
        break;
    }
}

/* The name of a list of positions: a line, a ring or the MultiPoint. */
static void where_seq(const gj_check *c, gj_where w, char *s, size_t n)
{
    switch (c->type) {
    case GT_MULTILINESTRING: snprintf(s, n, "line %zu", w.part); break;
    case GT_POLYGON: snprintf(s, n, "ring %zu", w.ring); break;
    case GT_MULTIPOLYGON: snprintf(s, n, "ring %zu of polygon %zu", w.ring, w.part); break;
    default: snprintf(s, n, "the %s", gtype_names[c->type]); break;
    }
}

static vk_err check_position(gj_check *c, const json_t *p, gj_where w)
{
    char at[80];
    where_pos(c, w, at, sizeof at);
    if (!json_is_array(p))
        return vk_fail(c->ei, VK_ETYPE, c->field,
                       "%s must be an array [longitude, latitude]; the nesting is wrong for a %s",
                       at, gtype_names[c->type]);
    size_t n = json_array_size(p);
    for (size_t i = 0; i < n; i++)
        if (json_is_array(json_array_get(p, i)))
            return vk_fail(c->ei, VK_ETYPE, c->field,
                           "%s: coordinate %zu is an array; the nesting is wrong for a %s", at,
                           i + 1, gtype_names[c->type]);
    if (n < 2 || n > 3)
        return vk_fail(c->ei, VK_EGEOM_COORD, c->field,
                       "%s has %zu number%s; a position is [longitude, latitude] or "
                       "[longitude, latitude, height]",
                       at, n, n == 1 ? "" : "s");
    double v[3];
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(p, i);
        if (!json_is_number(x))
            return vk_fail(c->ei, VK_EGEOM_COORD, c->field, "%s: coordinate %zu is not a number",
                           at, i + 1);
        v[i] = json_number_value(x);
        if (!isfinite(v[i]))
            return vk_fail(c->ei, VK_EGEOM_COORD, c->field,
                           "%s: coordinate %zu is not a finite number", at, i + 1);
    }
    if (v[0] < -180.0 || v[0] > 180.0)
        return vk_fail(c->ei, VK_EGEOM_COORD, c->field,
                       "%s: longitude %.10g is outside -180…180", at, v[0]);
    if (v[1] < -90.0 || v[1] > 90.0)
        return vk_fail(c->ei, VK_EGEOM_COORD, c->field, "%s: latitude %.10g is outside -90…90",
                       at, v[1]);
    return VK_OK;
}

/* Count n more positions against the cap, before looking at them. */
static vk_err count_vertices(gj_check *c, size_t n)
{
    if (n > GIS_MAX_VERTICES - c->nvert)
        return vk_fail(c->ei, VK_EVERTICES, c->field,
                       "the geometry has more than %d vertices; at most %d are accepted",
                       GIS_MAX_VERTICES, GIS_MAX_VERTICES);
    c->nvert += n;
    return VK_OK;
}

/* A list of positions: a line (min 2), a ring (min 4, closed) or the
 * positions of a MultiPoint (min 1). */
static vk_err check_seq(gj_check *c, const json_t *a, gj_where w, size_t min, int ring)
{
    char what[80];
    where_seq(c, w, what, sizeof what);
    if (!json_is_array(a))
        return vk_fail(c->ei, VK_ETYPE, c->field, "%s must be an array of positions", what);
    size_t n = json_array_size(a);
    vk_err e = count_vertices(c, n);
    if (e != VK_OK)
        return e;
    if (n < min)
        return vk_fail(c->ei, VK_EGEOM_INVALID, c->field,
                       "%s has %zu position%s; a %s needs at least %zu", what, n,
                       n == 1 ? "" : "s", ring ? "ring" : "line", min);
    for (size_t i = 0; i < n; i++) {
        w.pos = i + 1;
        if ((e = check_position(c, json_array_get(a, i), w)) != VK_OK)
            return e;
    }
    if (ring) {
        const json_t *first = json_array_get(a, 0), *last = json_array_get(a, n - 1);
        if (json_number_value(json_array_get(first, 0)) !=
                json_number_value(json_array_get(last, 0)) ||
            json_number_value(json_array_get(first, 1)) !=
                json_number_value(json_array_get(last, 1)))
            return vk_fail(c->ei, VK_EGEOM_INVALID, c->field,
                           "%s is not closed: its last position must repeat the first", what);
    }
    return VK_OK;
}

static vk_err check_polygon(gj_check *c, const json_t *a, gj_where w)
{
    char what[48];
    if (c->type == GT_MULTIPOLYGON)
        snprintf(what, sizeof what, "polygon %zu", w.part);
    else
        snprintf(what, sizeof what, "the Polygon");
    if (!json_is_array(a))
        return vk_fail(c->ei, VK_ETYPE, c->field, "%s must be an array of rings", what);
    size_t n = json_array_size(a);
    if (n == 0)
        return vk_fail(c->ei, VK_EGEOM_INVALID, c->field, "%s has no rings", what);
    if (n > GIS_MAX_RINGS)
        return vk_fail(c->ei, VK_EPARTS, c->field, "%s has %zu rings; at most %d are accepted", what,
                       n, GIS_MAX_RINGS);
    for (size_t i = 0; i < n; i++) {
        w.ring = i + 1;
        vk_err e = check_seq(c, json_array_get(a, i), w, 4, 1);
        if (e != VK_OK)
            return e;
    }
    return VK_OK;
}

/* c is an array (checked by the caller). */
static vk_err check_coordinates(gj_check *c, const json_t *coords)
{
    gj_where w = {0, 0, 0};
    size_t n = json_array_size(coords);
    if (n == 0)
        return vk_fail(c->ei, VK_EGEOM_INVALID, c->field,
                       "the %s has no coordinates; empty geometries are not accepted",
                       gtype_names[c->type]);
    vk_err e = VK_OK;
    if ((c->type == GT_MULTILINESTRING || c->type == GT_MULTIPOLYGON) && n > GIS_MAX_PARTS)
        return vk_fail(c->ei, VK_EPARTS, c->field, "the %s has %zu parts; at most %d are accepted",
                       gtype_names[c->type], n, GIS_MAX_PARTS);
    switch (c->type) {
    case GT_POINT:
        if ((e = count_vertices(c, 1)) != VK_OK)
            return e;
        return check_position(c, coords, w);
    case GT_LINESTRING: return check_seq(c, coords, w, 2, 0);
    case GT_MULTIPOINT: return check_seq(c, coords, w, 1, 0);
    case GT_POLYGON: return check_polygon(c, coords, w);
    case GT_MULTILINESTRING:
        for (size_t i = 0; i < n && e == VK_OK; i++) {
            w.part = i + 1;
            e = check_seq(c, json_array_get(coords, i), w, 2, 0);
        }
        return e;
    case GT_MULTIPOLYGON:
        for (size_t i = 0; i < n && e == VK_OK; i++) {
            w.part = i + 1;
            e = check_polygon(c, json_array_get(coords, i), w);
        }
        return e;
    }
    return VK_EINTERNAL;
}

/* ------------------------------------------------------------------ */
/* GeoJSON, pass 2: build the GEOS geometry from checked JSON          */
/* ------------------------------------------------------------------ */

/* Every builder returns a new geometry or NULL (geos_msg says why). */
typedef GEOSGeometry *(*build_fn)(gis_ctx *g, const json_t *coords);

static int fill_seq(gis_ctx *g, GEOSCoordSequence *s, const json_t *a, int reverse)
{
    size_t n = json_array_size(a);
    for (size_t i = 0; i < n; i++) {
        const json_t *p = json_array_get(a, reverse ? n - 1 - i : i);
        double x = json_number_value(json_array_get(p, 0));
        double y = json_number_value(json_array_get(p, 1));
        if (!GEOSCoordSeq_setXY_r(g->h, s, (unsigned)i, x, y))
            return -1;
    }
    return 0;
}

/* orient: 0 keep the order, 1 make counter-clockwise, -1 clockwise. */
static GEOSCoordSequence *build_seq(gis_ctx *g, const json_t *a, int orient)
{
    GEOSCoordSequence *s = GEOSCoordSeq_create_r(g->h, (unsigned)json_array_size(a), 2);
    if (!s)
        return NULL;
    if (fill_seq(g, s, a, 0))
        goto fail;
    if (orient) {
        char ccw = 0;
        if (!GEOSCoordSeq_isCCW_r(g->h, s, &ccw))
            goto fail;
        if ((ccw != 0) != (orient > 0) && fill_seq(g, s, a, 1))
            goto fail;
    }
    return s;
fail:
    GEOSCoordSeq_destroy_r(g->h, s);
    return NULL;
}

static GEOSGeometry *build_point(gis_ctx *g, const json_t *p)
{
    return GEOSGeom_createPointFromXY_r(g->h, json_number_value(json_array_get(p, 0)),
                                        json_number_value(json_array_get(p, 1)));
}

static GEOSGeometry *build_line(gis_ctx *g, const json_t *a)
{
    GEOSCoordSequence *s = build_seq(g, a, 0);
    return s ? GEOSGeom_createLineString_r(g->h, s) : NULL;
}

static GEOSGeometry *build_ring(gis_ctx *g, const json_t *a, int orient)
{
    GEOSCoordSequence *s = build_seq(g, a, orient);
    return s ? GEOSGeom_createLinearRing_r(g->h, s) : NULL;
}

static GEOSGeometry *build_polygon(gis_ctx *g, const json_t *a)
{
    size_t nholes = json_array_size(a) - 1;
    GEOSGeometry *shell = build_ring(g, json_array_get(a, 0), 1);
    if (!shell)
        return NULL;
    GEOSGeometry **holes = NULL;
    if (nholes > 0 && !(holes = calloc(nholes, sizeof *holes))) {
        GEOSGeom_destroy_r(g->h, shell);
        return NULL;
    }
    for (size_t i = 0; i < nholes; i++) {
        holes[i] = build_ring(g, json_array_get(a, i + 1), -1);
        if (!holes[i]) {
            while (i-- > 0)
                GEOSGeom_destroy_r(g->h, holes[i]);
            free(holes);
            GEOSGeom_destroy_r(g->h, shell);
            return NULL;
        }
    }
    /* Takes the rings (even on failure); the array stays ours. */
    GEOSGeometry *poly = GEOSGeom_createPolygon_r(g->h, shell, holes, (unsigned)nholes);
    free(holes);
    return poly;
}

static GEOSGeometry *build_multi(gis_ctx *g, int geos_type, const json_t *a, build_fn part)
{
    size_t n = json_array_size(a);
    GEOSGeometry **parts = calloc(n, sizeof *parts);
    if (!parts)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        parts[i] = part(g, json_array_get(a, i));
        if (!parts[i]) {
            while (i-- > 0)
                GEOSGeom_destroy_r(g->h, parts[i]);
            free(parts);
            return NULL;
        }
    }
    /* Takes the parts (even on failure); the array stays ours. */
    GEOSGeometry *m = GEOSGeom_createCollection_r(g->h, geos_type, parts, (unsigned)n);
    free(parts);
    return m;
}

static GEOSGeometry *build_geom(gis_ctx *g, enum gtype t, const json_t *coords)
{
    switch (t) {
    case GT_POINT: return build_point(g, coords);
    case GT_LINESTRING: return build_line(g, coords);
    case GT_POLYGON: return build_polygon(g, coords);
    case GT_MULTIPOINT: return build_multi(g, GEOS_MULTIPOINT, coords, build_point);
    case GT_MULTILINESTRING: return build_multi(g, GEOS_MULTILINESTRING, coords, build_line);
    case GT_MULTIPOLYGON: return build_multi(g, GEOS_MULTIPOLYGON, coords, build_polygon);
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* GeoJSON in: the public function                                     */
/* ------------------------------------------------------------------ */

static int parse_type(const char *s, enum gtype *t)
{
    for (int i = 0; i < GT_COUNT; i++) {
        if (strcmp(s, gtype_names[i]) == 0) {
            *t = (enum gtype)i;
            return 0;
        }
    }
    return -1;
}

/* Quote a client's type name in a message only if it is short and plain. */
static int plain_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
            return 0;
    return 1;
}

static vk_err type_from_json(const json_t *geometry, const char *ftype, enum gtype *t,
                             vk_errinfo *ei)
{
    const json_t *jt = json_object_get(geometry, "type");
    if (!jt)
        return vk_fail(ei, VK_EMISSING, ftype, "the geometry has no \"type\"");
    if (!json_is_string(jt))
        return vk_fail(ei, VK_ETYPE, ftype, "\"type\" must be a string such as \"Point\"");
    const char *s = json_string_value(jt);
    if (parse_type(s, t) == 0)
        return VK_OK;
    if (strcmp(s, "GeometryCollection") == 0)
        return vk_fail(ei, VK_EGEOM_TYPE, ftype,
                       "GeometryCollection is not accepted; send a single geometry or a Multi* "
                       "geometry");
    return vk_fail(ei, VK_EGEOM_TYPE, ftype,
                   "geometry type \"%s\" is not supported; use Point, LineString, Polygon, "
                   "MultiPoint, MultiLineString or MultiPolygon",
                   plain_name(s) ? s : "(unrecognised)");
}

/* Validity, emptiness and envelope of a freshly built geometry. */
static vk_err finish_geom(gis_ctx *g, GEOSGeometry *geom, const char *field, gis_env *env,
                          vk_errinfo *ei)
{
    g->geos_msg[0] = '\0';
    char empty = GEOSisEmpty_r(g->h, geom);
    if (empty == 1)
        return vk_fail(ei, VK_EGEOM_INVALID, field, "the geometry is empty");
    if (empty != 0)
        return vk_fail(ei, VK_EINTERNAL, field, "GEOS failed: %s", geos_reason(g));
    vk_err e = check_valid(g, geom, field, ei);
    if (e != VK_OK)
        return e;
    if (geom_env(g, geom, env))
        return vk_fail(ei, VK_EINTERNAL, field, "GEOS failed: %s", geos_reason(g));
    return VK_OK;
}

vk_err gis_geom_from_geojson(gis_ctx *g, const json_t *geometry, const char *field,
                             gis_geom **out, vk_errinfo *ei)
{
    *out = NULL;
    if (!field)
        field = "geometry";
    char ftype[96], fcoords[96];
    snprintf(ftype, sizeof ftype, "%s.type", field);
    snprintf(fcoords, sizeof fcoords, "%s.coordinates", field);
    if (!geometry || json_is_null(geometry))
        return vk_fail(ei, VK_EMISSING, field, "a geometry is required");
    if (!json_is_object(geometry))
        return vk_fail(ei, VK_ETYPE, field, "the geometry must be a GeoJSON geometry object");

    enum gtype t = GT_POINT;
    vk_err e = type_from_json(geometry, ftype, &t, ei);
    if (e != VK_OK)
        return e;
    const json_t *coords = json_object_get(geometry, "coordinates");
    if (!coords)
        return vk_fail(ei, VK_EMISSING, fcoords, "the geometry has no \"coordinates\"");
    if (!json_is_array(coords))
        return vk_fail(ei, VK_ETYPE, fcoords, "\"coordinates\" must be an array");

    gj_check c = {t, fcoords, ei, 0};
    if ((e = check_coordinates(&c, coords)) != VK_OK)
        return e;

    gis_geom *gg = calloc(1, sizeof *gg);
    if (!gg)
        return vk_fail(ei, VK_ENOMEM, field, NULL);
    g->geos_msg[0] = '\0';
    gg->type = t;
    gg->geom = build_geom(g, t, coords);
    if (!gg->geom)
        e = geos_fail(g, ei, field, "building the geometry");
    else
        e = finish_geom(g, gg->geom, field, &gg->env, ei);
    if (e != VK_OK) {
        gis_geom_free(g, gg);
        return e;
    }
    *out = gg;
    return VK_OK;
}

const char *gis_geom_type(const gis_geom *geom) { return gtype_names[geom->type]; }

void gis_geom_free(gis_ctx *g, gis_geom *geom)
{
    if (!geom)
        return;
    if (geom->geom)
        GEOSGeom_destroy_r(g->h, geom->geom);
    free(geom);
}

/* ------------------------------------------------------------------ */
/* Boundary and districts                                              */
/* ------------------------------------------------------------------ */

vk_err gis_geom_check_inside(gis_ctx *g, const gis_geom *geom, const char *field, vk_errinfo *ei)
{
    static const char *const what[] = {"the point",  "the line",  "the area",
                                       "the points", "the lines", "the areas"};
    if (!field)
        field = "geometry";
    if (!g->has_boundary)
        return VK_OK;
    char covers = 0;
    if (env_covers(&g->boundary.env, &geom->env)) {
        g->geos_msg[0] = '\0';
        covers = GEOSPreparedCovers_r(g->h, g->boundary.prep, geom->geom);
    }
    if (covers == 1)
        return VK_OK;
    if (covers == 0)
        return vk_fail(ei, VK_EOUTSIDE, field, "%s %s outside the municipality boundary%s",
                       what[geom->type], geom->type < GT_MULTIPOINT ? "is" : "are",
                       geom->type == GT_POINT ? "" : ", wholly or in part");
    return vk_fail(ei, VK_EINTERNAL, field, "the boundary check failed: %s", geos_reason(g));
}

/* Points covered by the district (for a Point: 0 or 1). -1 on error. */
static int points_covered(gis_ctx *g, const gis_area *d, const GEOSGeometry *geom)
{
    if (GEOSGeomTypeId_r(g->h, geom) == GEOS_POINT) {
        char r = GEOSPreparedCovers_r(g->h, d->prep, geom);
        return r == 0 || r == 1 ? r : -1;
    }
    int n = GEOSGetNumGeometries_r(g->h, geom), count = 0;
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(g->h, geom, i); /* borrowed */
        char r = p ? GEOSPreparedCovers_r(g->h, d->prep, p) : 2;
        if (r != 0 && r != 1)
            return -1;
        count += r;
    }
    return count;
}

/* How much of geom lies in the district: points covered, length or area.
 * Returns 1 with *m when they meet, 2 when the district covers all of
 * geom (no other district can hold more), 0 when they do not meet, -1 on
 * error. */
static int district_overlap(gis_ctx *g, const gis_area *d, const gis_geom *geom, double *m)
{
    if (geom->type == GT_POINT || geom->type == GT_MULTIPOINT) {
        int k = points_covered(g, d, geom->geom);
        *m = k;
        return k > 0 ? 1 : k;
    }
    char meets = GEOSPreparedIntersects_r(g->h, d->prep, geom->geom);
    if (meets != 1)
        return meets == 0 ? 0 : -1;
    /* Most drawings lie in one district: the prepared test spares the
     * overlay, which was a sixth of a survey response's CPU. */
    if (GEOSPreparedCovers_r(g->h, d->prep, geom->geom) == 1)
        return 2;
    GEOSGeometry *inter = GEOSIntersection_r(g->h, geom->geom, d->geom);
    if (!inter)
        return -1;
    int lines = geom->type == GT_LINESTRING || geom->type == GT_MULTILINESTRING;
    int ok = lines ? GEOSLength_r(g->h, inter, m) : GEOSArea_r(g->h, inter, m);
    GEOSGeom_destroy_r(g->h, inter);
    return ok == 1 ? 1 : -1;
}

int64_t gis_geom_district(gis_ctx *g, const gis_geom *geom)
{
    int64_t best_id = 0;
    double best = -1.0; /* a district that only touches (measure 0) still beats none */
    for (size_t i = 0; i < g->n_districts; i++) {
        const gis_area *d = &g->districts[i];
        double m = 0.0;
        if (!env_intersects(&d->env, &geom->env))
            continue;
        int meets = district_overlap(g, d, geom, &m);
        if (meets == 2)
            return d->id;
        if (meets != 1)
            continue; /* a GEOS error on one district does not stop the others */
        if (m > best) {
            best = m;
            best_id = d->id;
        }
        if (geom->type == GT_POINT)
            break; /* first district that covers the point */
    }
    return best_id;
}

int64_t gis_wkb_district(gis_ctx *g, const unsigned char *wkb, size_t n)
{
    gis_geom geom;
    memset(&geom, 0, sizeof geom);
    geom.geom = read_wkb(g, wkb, n);
    if (!geom.geom)
        return 0;
    int type = GEOSGeomTypeId_r(g->h, geom.geom);
    int64_t id = 0;
    /* GEOS type ids 0..6 are Point, LineString, LinearRing, Polygon, Multi*. */
    static const int to_gtype[] = {GT_POINT, GT_LINESTRING, GT_LINESTRING, GT_POLYGON,
                                   GT_MULTIPOINT, GT_MULTILINESTRING, GT_MULTIPOLYGON};
    if (type >= 0 && type <= GEOS_MULTIPOLYGON && geom_env(g, geom.geom, &geom.env) == 0) {
        geom.type = (enum gtype)to_gtype[type];
        id = gis_geom_district(g, &geom);
    }
    GEOSGeom_destroy_r(g->h, geom.geom);
    return id;
}

/* ------------------------------------------------------------------ */
/* WKB out (GEOS) and point on surface                                 */
/* ------------------------------------------------------------------ */

vk_err gis_geom_to_wkb(gis_ctx *g, const gis_geom *geom, unsigned char **wkb, size_t *n)
{
    *wkb = NULL;
    *n = 0;
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(g->h);
    if (!w)
        return VK_ENOMEM;
    GEOSWKBWriter_setOutputDimension_r(g->h, w, 2);
    GEOSWKBWriter_setByteOrder_r(g->h, w, GEOS_WKB_NDR);
    GEOSWKBWriter_setFlavor_r(g->h, w, GEOS_WKB_ISO);
    GEOSWKBWriter_setIncludeSRID_r(g->h, w, 0);
    size_t size = 0;
    unsigned char *gbuf = GEOSWKBWriter_write_r(g->h, w, geom->geom, &size);
    GEOSWKBWriter_destroy_r(g->h, w);
    if (!gbuf)
        return VK_EINTERNAL;
    unsigned char *copy = malloc(size ? size : 1);
    if (copy)
        memcpy(copy, gbuf, size);
    GEOSFree_r(g->h, gbuf);
    if (!copy)
        return VK_ENOMEM;
    *wkb = copy;
    *n = size;
    return VK_OK;
}

vk_err gis_wkb_to_wkt(gis_ctx *g, const unsigned char *wkb, size_t n, int decimals, vk_buf *out,
                      double *x, double *y)
{
    GEOSGeometry *geom = read_wkb(g, wkb, n);
    if (!geom)
        return VK_EINTERNAL;
    vk_err e = VK_EINTERNAL;
    GEOSWKTWriter *w = GEOSWKTWriter_create_r(g->h);
    GEOSGeometry *p = GEOSPointOnSurface_r(g->h, geom);
    char *text = NULL;
    if (w && p) {
        GEOSWKTWriter_setTrim_r(g->h, w, 1);
        GEOSWKTWriter_setRoundingPrecision_r(g->h, w, decimals);
        GEOSWKTWriter_setOutputDimension_r(g->h, w, 2);
        text = GEOSWKTWriter_write_r(g->h, w, geom);
        if (text && GEOSGeomGetX_r(g->h, p, x) == 1 && GEOSGeomGetY_r(g->h, p, y) == 1)
            e = vk_buf_puts(out, text) ? VK_ENOMEM : VK_OK;
    }
    if (text)
        GEOSFree_r(g->h, text);
    if (p)
        GEOSGeom_destroy_r(g->h, p);
    if (w)
        GEOSWKTWriter_destroy_r(g->h, w);
    GEOSGeom_destroy_r(g->h, geom);
    return e;
}

vk_err gis_wkb_point_on_surface(gis_ctx *g, const unsigned char *wkb, size_t n, double *lon,
                                double *lat)
{
    GEOSGeometry *geom = read_wkb(g, wkb, n);
    if (!geom)
        return VK_EINTERNAL;
    GEOSGeometry *p = GEOSPointOnSurface_r(g->h, geom);
    GEOSGeom_destroy_r(g->h, geom);
    if (!p)
        return VK_EINTERNAL;
    /* An empty input gives an empty point, whose X/Y are an exception. */
    int ok = GEOSGeomGetX_r(g->h, p, lon) == 1 && GEOSGeomGetY_r(g->h, p, lat) == 1;
    GEOSGeom_destroy_r(g->h, p);
    return ok ? VK_OK : VK_EINTERNAL;
}

/* ------------------------------------------------------------------ */
/* WKB → GeoJSON, pure C                                               */
/* ------------------------------------------------------------------ */

/* Invariant: off <= n; every read checks the bytes left first. */
typedef struct wkb_rd {
    const unsigned char *p;
    size_t n, off;
} wkb_rd;

/* One geometry's header: byte order, base type 1..7, ordinates/point. */
typedef struct wkb_hdr {
    int big;
    unsigned base;
    size_t nd;
} wkb_hdr;

static int rd_take(wkb_rd *r, size_t k, const unsigned char **p)
{
    if (r->n - r->off < k)
        return -1;
    *p = r->p + r->off;
    r->off += k;
    return 0;
}

static int rd_u32(wkb_rd *r, int big, uint32_t *v)
{
    const unsigned char *p;
    if (rd_take(r, 4, &p))
        return -1;
    *v = big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
             : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
    return 0;
}

static int rd_f64(wkb_rd *r, int big, double *v)
{
    const unsigned char *p;
    if (rd_take(r, 8, &p))
        return -1;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | p[big ? i : 7 - i];
    memcpy(v, &u, sizeof *v);
    return 0;
}

/* Write v as 8 bytes in the given byte order (the inverse of rd_f64). */
static void wr_f64(unsigned char *p, int big, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    for (int i = 0; i < 8; i++)
        p[big ? 7 - i : i] = (unsigned char)(u >> (8 * i));
}

/* A count of items of at least min_size bytes each: a count larger than
 * the bytes left could hold is malformed (and would loop for long). */
static int rd_count(wkb_rd *r, int big, size_t min_size, uint32_t *count)
{
    if (rd_u32(r, big, count))
        return -1;
    return *count > (r->n - r->off) / min_size ? -1 : 0;
}

/* Byte order and type, in OGC/ISO (1..7, +1000 Z, +2000 M, +3000 ZM) or
 * EWKB (flags 0x80000000 Z, 0x40000000 M, 0x20000000 SRID follows). */
static int rd_header(wkb_rd *r, wkb_hdr *h)
{
    const unsigned char *bo;
    uint32_t t;
    if (rd_take(r, 1, &bo) || *bo > 1)
        return -1;
    h->big = *bo == 0;
    if (rd_u32(r, h->big, &t))
        return -1;
    int z = (t & 0x80000000u) != 0, m = (t & 0x40000000u) != 0;
    if (t & 0x20000000u) {
        uint32_t srid;
        if (rd_u32(r, h->big, &srid))
            return -1;
    }
    t &= 0x1FFFFFFFu;
    if (t >= 1000 && t < 4000) {
        unsigned dims = t / 1000;
        z |= dims == 1 || dims == 3;
        m |= dims == 2 || dims == 3;
        t %= 1000;
    }
    if (t < 1 || t > 7)
        return -1;
    h->base = t;
    h->nd = 2 + (size_t)z + (size_t)m;
    return 0;
}

/* One walk over WKB. Reading is always bounds-checked; the rest is
 * optional: GeoJSON output (b), a per-position transform (fn) and writing
 * the transformed position back in place (wr, the same bytes as r.p). */
typedef struct wkb_walk {
    wkb_rd r;
    vk_buf *b;         /* NULL: no output */
    unsigned char *wr; /* NULL: read only */
    gis_pos_fn fn;     /* NULL: positions as they are */
    void *ud;
    int decimals;
    vk_err err; /* why the walk stopped: VK_EINTERNAL, or fn's error */
} wkb_walk;

static void out_s(wkb_walk *w, const char *s)
{
    if (w->b)
        vk_buf_puts(w->b, s);
}

static void out_c(wkb_walk *w, char c)
{
    if (w->b)
        vk_buf_putc(w->b, c);
}

/* One position, written as [x,y]; extra ordinates are read and dropped.
 * NaN x and y is WKB's empty point, written [] where allowed. */
static int wkb_position(wkb_walk *w, const wkb_hdr *h, int allow_empty)
{
    double v[4];
    size_t at = w->r.off;
    for (size_t i = 0; i < h->nd; i++)
        if (rd_f64(&w->r, h->big, &v[i]))
            return -1;
    if (allow_empty && isnan(v[0]) && isnan(v[1])) {
        out_s(w, "[]");
        return 0;
    }
    if (!isfinite(v[0]) || !isfinite(v[1]))
        return -1;
    if (w->fn) {
        vk_err e = w->fn(w->ud, &v[0], &v[1]);
        if (e == VK_OK && (!isfinite(v[0]) || !isfinite(v[1])))
            e = VK_EINTERNAL; /* never let a non-finite number through */
        if (e != VK_OK) {
            w->err = e;
            return -1;
        }
    }
    if (w->wr) {
        wr_f64(w->wr + at, h->big, v[0]);
        wr_f64(w->wr + at + 8, h->big, v[1]);
    }
    if (w->b) {
        vk_buf_putc(w->b, '[');
        vk_json_coord(w->b, v[0], w->decimals);
        vk_buf_putc(w->b, ',');
        vk_json_coord(w->b, v[1], w->decimals);
        vk_buf_putc(w->b, ']');
    }
    return 0;
}

static int wkb_positions(wkb_walk *w, const wkb_hdr *h)
{
    uint32_t n;
    if (rd_count(&w->r, h->big, h->nd * 8, &n))
        return -1;
    out_c(w, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            out_c(w, ',');
        if (wkb_position(w, h, 0))
            return -1;
    }
    out_c(w, ']');
    return 0;
}

static int wkb_rings(wkb_walk *w, const wkb_hdr *h)
{
    uint32_t n;
    if (rd_count(&w->r, h->big, 4, &n))
        return -1;
    out_c(w, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            out_c(w, ',');
        if (wkb_positions(w, h))
            return -1;
    }
    out_c(w, ']');
    return 0;
}

static int wkb_geometry(wkb_walk *w, int depth);

/* The coordinates member of a geometry of types 1..6 whose header is read.
 * The smallest WKB geometry (an empty line) is 9 bytes. */
static int wkb_coordinates(wkb_walk *w, const wkb_hdr *h, int top)
{
    switch (h->base) {
    case 1: return wkb_position(w, h, top);
    case 2: return wkb_positions(w, h);
    case 3: return wkb_rings(w, h);
    }
    uint32_t n;
    if (rd_count(&w->r, h->big, 9, &n))
        return -1;
    out_c(w, '[');
    for (uint32_t i = 0; i < n; i++) {
        wkb_hdr part; /* each part has its own byte order and dimensions */
        if (rd_header(&w->r, &part) || part.base != h->base - 3)
            return -1;
        if (i)
            out_c(w, ',');
        if (wkb_coordinates(w, &part, 0))
            return -1;
    }
    out_c(w, ']');
    return 0;
}

static int wkb_geometry(wkb_walk *w, int depth)
{
    wkb_hdr h;
    if (depth > GIS_WKB_MAX_DEPTH || rd_header(&w->r, &h))
        return -1;
    out_s(w, "{\"type\":\"");
    out_s(w, gtype_names[h.base - 1]);
    if (h.base != 7) {
        out_s(w, "\",\"coordinates\":");
        if (wkb_coordinates(w, &h, 1))
            return -1;
        out_c(w, '}');
        return 0;
    }
    uint32_t n;
    if (rd_count(&w->r, h.big, 9, &n))
        return -1;
    out_s(w, "\",\"geometries\":[");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            out_c(w, ',');
        if (wkb_geometry(w, depth + 1))
            return -1;
    }
    out_s(w, "]}");
    return 0;
}

/* Walk the whole WKB: VK_OK only when every byte was read as one geometry
 * (trailing bytes are malformed too). */
static vk_err wkb_walk_all(wkb_walk *w)
{
    w->err = VK_EINTERNAL;
    int rc = w->r.p ? wkb_geometry(w, 0) : -1;
    return rc == 0 && w->r.off == w->r.n ? VK_OK : w->err;
}

vk_err gis_wkb_to_geojson_tx(const unsigned char *wkb, size_t n, gis_pos_fn fn, void *ud,
                             int decimals, vk_buf *out)
{
    if (!vk_buf_ok(out))
        return VK_ENOMEM;
    size_t start = out->len;
    wkb_walk w = {.r = {wkb, n, 0}, .b = out, .fn = fn, .ud = ud, .decimals = decimals};
    vk_err e = wkb_walk_all(&w);
    if (!vk_buf_ok(out))
        return VK_ENOMEM;
    if (e == VK_OK)
        return VK_OK;
    out->len = start; /* take back the partial object */
    if (out->data)
        out->data[start] = '\0';
    return e;
}

vk_err gis_wkb_to_geojson(const unsigned char *wkb, size_t n, vk_buf *out)
{
    return gis_wkb_to_geojson_tx(wkb, n, NULL, NULL, GIS_DECIMALS, out);
}

vk_err gis_wkb_transform(unsigned char *wkb, size_t n, gis_pos_fn fn, void *ud)
{
    /* Check first, so malformed input is never half rewritten. */
    wkb_walk check = {.r = {wkb, n, 0}};
    vk_err e = wkb_walk_all(&check);
    if (e != VK_OK || !fn)
        return e;
    wkb_walk w = {.r = {wkb, n, 0}, .wr = wkb, .fn = fn, .ud = ud};
    return wkb_walk_all(&w);
}
