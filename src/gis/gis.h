/*
 * gis.h — the only module that calls GEOS (and, later, PROJ).
 *
 * It owns: reading GeoJSON geometry into a checked geometry, the checks
 * themselves (types, RFC 7946 longitude/latitude, vertex cap, GEOS
 * validity with reason and place, inside the municipality), assigning the
 * district, and writing geometry out as WKB (for the store) and as GeoJSON
 * (from the WKB the store returns).
 *
 * Threading: a gis_ctx belongs to one worker at a time (it holds a GEOS
 * reentrant handle and prepared geometries, which are not thread-safe).
 * Each worker context has its own gis_ctx built from the same areas.
 */
#ifndef VK_GIS_H
#define VK_GIS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* Hard cap on vertices in one geometry (issue 2: at most 10 000). */
#define GIS_MAX_VERTICES 10000
/* Caps on rings in one polygon and parts in one Multi geometry. */
#define GIS_MAX_RINGS 1000
#define GIS_MAX_PARTS 1000
/* Decimals written for longitude/latitude: 1e-7 degrees ≈ 1 cm. */
#define GIS_DECIMALS 7

typedef struct gis_ctx gis_ctx;   /* opaque: GEOS handle + areas */
typedef struct gis_geom gis_geom; /* opaque: a checked geometry */

/* ---- lifecycle ---- */

/* A new context with no boundary and no districts: until a boundary is set,
 * every place counts as inside. Caller frees with gis_ctx_free(). */
vk_err gis_ctx_new(gis_ctx **out);
void gis_ctx_free(gis_ctx *g);

/* Set the municipality boundary from (ISO/OGC) WKB in EPSG:4326. Copies. */
vk_err gis_set_boundary(gis_ctx *g, const unsigned char *wkb, size_t n, vk_errinfo *ei);
/* Add a district polygon (WKB, EPSG:4326) with the store's id. Copies. */
vk_err gis_add_district(gis_ctx *g, int64_t id, const unsigned char *wkb, size_t n, vk_errinfo *ei);

/* ---- input ---- */

/* Read a GeoJSON geometry object (RFC 7946) and check it:
 *  - type is Point, LineString, Polygon, MultiPoint, MultiLineString or
 *    MultiPolygon (GeometryCollection and others → VK_EGEOM_TYPE);
 *  - every position is an array of 2 (or 3: the third is dropped) finite
 *    numbers with -180 ≤ lon ≤ 180, -90 ≤ lat ≤ 90 → else VK_EGEOM_COORD,
 *    message names the offending position;
 *  - structure: a LineString has ≥ 2 positions, a ring ≥ 4 and closed,
 *    wrong nesting → VK_ETYPE / VK_EGEOM_INVALID with a clear message;
 *  - at most GIS_MAX_VERTICES positions in all → VK_EVERTICES (checked
 *    while reading, before building anything big); at most GIS_MAX_RINGS
 *    rings per polygon and GIS_MAX_PARTS parts → VK_EPARTS;
 *  - GEOS validity → VK_EGEOM_INVALID with GEOS's reason and place, e.g.
 *    "Self-intersection at 28.7512 61.1734".
 * field is the name to report in ei->field (e.g. "geometry").
 * On success *out is a new geometry: caller frees with gis_geom_free(). */
vk_err gis_geom_from_geojson(gis_ctx *g, const json_t *geometry, const char *field,
                             gis_geom **out, vk_errinfo *ei);

/* VK_OK when the geometry lies wholly inside (is covered by) the boundary,
 * else VK_EOUTSIDE ("… is outside the municipality boundary"). */
vk_err gis_geom_check_inside(gis_ctx *g, const gis_geom *geom, const char *field, vk_errinfo *ei);

/* The district for a geometry: for a point the district that contains it;
 * for lines and areas the one with the largest overlap (length for lines,
 * area for polygons). 0 when no district applies. */
int64_t gis_geom_district(gis_ctx *g, const gis_geom *geom);

/* The geometry as ISO WKB (2D), for GeomFromWKB(?, 4326) in the store.
 * *wkb is caller-freed with free(). */
vk_err gis_geom_to_wkb(gis_ctx *g, const gis_geom *geom, unsigned char **wkb, size_t *n);

/* The district for a stored WKB geometry (as gis_geom_district), for
 * re-assigning stored feedback after new districts are loaded. 0 when
 * none applies or the WKB cannot be read. */
int64_t gis_wkb_district(gis_ctx *g, const unsigned char *wkb, size_t n);

/* GeoJSON geometry type name of a checked geometry ("Point", ...). */
const char *gis_geom_type(const gis_geom *geom);

void gis_geom_free(gis_ctx *g, gis_geom *geom);

/* ---- output ---- */

/* Append the GeoJSON geometry object for 2D WKB (either byte order; the
 * types above plus GeometryCollection) to out, coordinates with
 * GIS_DECIMALS decimals. Pure C, no GEOS: used on every feature we serve.
 * Returns VK_OK, VK_EINTERNAL on malformed WKB, VK_ENOMEM if out fails. */
vk_err gis_wkb_to_geojson(const unsigned char *wkb, size_t n, vk_buf *out);

/* Append the WKT of 2D WKB to out (at most `decimals` decimals, trailing
 * zeros trimmed) and give a representative point inside it (the point
 * itself for a point) through x, y — for CSV, where spreadsheets want a
 * coordinate pair. */
vk_err gis_wkb_to_wkt(gis_ctx *g, const unsigned char *wkb, size_t n, int decimals, vk_buf *out,
                      double *x, double *y);

/* A point on the surface of a WKB geometry (a representative point inside
 * polygons), for placing labels and for "choose a district" reporting. */
vk_err gis_wkb_point_on_surface(gis_ctx *g, const unsigned char *wkb, size_t n,
                                double *lon, double *lat);

#endif
