/*
 * crs.h — the coordinate reference systems Vaikuta serves (OGC API -
 * Features Part 2), and the PROJ transformations between them. Storage is
 * always EPSG:4326 in longitude/latitude order (CRS84 axis order).
 *
 * Axis order follows the CRS's authority, as OGC API Part 2 requires:
 * CRS84 is lon,lat; EPSG:4326 is lat,lon; EPSG:3067 is easting,northing;
 * EPSG:3879 is northing,easting.
 *
 * A gis_proj holds a PROJ context and cached transformations; it belongs to
 * one worker at a time (as a gis_ctx does).
 */
#ifndef VK_CRS_H
#define VK_CRS_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

typedef enum { GIS_CRS_CRS84, GIS_CRS_4326, GIS_CRS_3067, GIS_CRS_3879, GIS_CRS__COUNT } gis_crs;

/* URI → CRS. Accepts the OGC URIs
 *   http://www.opengis.net/def/crs/OGC/1.3/CRS84
 *   http://www.opengis.net/def/crs/EPSG/0/4326 (3067, 3879)
 * also in the safe-CURIE form [EPSG:3067], and the short forms EPSG:3067,
 * OGC:CRS84. Returns 0 and sets *out, or -1 when unsupported. */
int gis_crs_parse(const char *s, gis_crs *out);
const char *gis_crs_uri(gis_crs c);     /* the canonical http URI */
int gis_crs_epsg(gis_crs c);            /* 4326 for CRS84 too */
int gis_crs_decimals(gis_crs c);        /* 7 for degrees, 3 for metres */

typedef struct gis_proj gis_proj;

/* Caller frees with gis_proj_free(). */
vk_err gis_proj_new(gis_proj **out);
void gis_proj_free(gis_proj *p);

/* Transform one stored position (lon, lat) into c's axis order; in place. */
vk_err gis_proj_from_storage(gis_proj *p, gis_crs c, double *x, double *y);
/* Transform one position given in c's axis order into storage lon/lat. */
vk_err gis_proj_to_storage(gis_proj *p, gis_crs c, double *x, double *y);

/* Append GeoJSON for storage WKB with every position transformed into c
 * (gis_crs_decimals(c) decimals). CRS84 is the plain gis_wkb_to_geojson. */
vk_err gis_wkb_to_geojson_crs(gis_proj *p, gis_crs c, const unsigned char *wkb, size_t n,
                              vk_buf *out);

/* Files (GeoJSON with a "crs" member, GeoPackage, CSV) use the east/north
 * order of traditional GIS whatever the authority says: these variants
 * write/transform into c with easting (or longitude) first. For CRS84 and
 * EPSG:4326 both give plain lon/lat. */
vk_err gis_wkb_to_geojson_crs_en(gis_proj *p, gis_crs c, const unsigned char *wkb, size_t n,
                                 vk_buf *out);
/* Transform WKB in c, east/north order, into storage lon/lat, in place. */
vk_err gis_proj_wkb_to_storage_en(gis_proj *p, gis_crs c, unsigned char *wkb, size_t n);
/* Transform storage WKB into c, east/north order, in place. */
vk_err gis_proj_wkb_from_storage_en(gis_proj *p, gis_crs c, unsigned char *wkb, size_t n);

/* A bbox given in c (minx, miny, maxx, maxy in c's axis order, as OGC's
 * bbox-crs means) → the storage lon/lat envelope that covers it (edges
 * densified so curved edges are covered). */
vk_err gis_proj_bbox_to_storage(gis_proj *p, gis_crs c, const double in[4], double out[4]);
/* The storage envelope (lon/lat) → c, densified (for collection extents). */
vk_err gis_proj_bbox_from_storage(gis_proj *p, gis_crs c, const double in[4], double out[4]);

/* Transform every position of 2D ISO WKB given in c into storage lon/lat,
 * in place (for CQL2 geometry literals and imports in another CRS). */
vk_err gis_proj_wkb_to_storage(gis_proj *p, gis_crs c, unsigned char *wkb, size_t n);

/* The polygon ring of hexagon (q, r) of grid g (EPSG:3067) as GeoJSON
 * coordinates ([[[x,y],…]], closed) in c; *bbox (may be NULL) gets its
 * storage lon/lat envelope. VK_EPARAM when a corner cannot be transformed. */
struct gis_hex_grid;
vk_err gis_hex_ring_geojson(gis_proj *p, const struct gis_hex_grid *g, int32_t q, int32_t r,
                            gis_crs c, vk_buf *out, double bbox[4]);

#endif
