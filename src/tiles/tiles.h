/*
 * tiles.h — OGC API - Tiles at /ogcapi: the WebMercatorQuad tile matrix
 * set and, for every feature collection (features/collections.h and the
 * provided ones: survey map questions, walks and findings), vector tiles
 * in the Mapbox Vector Tile format (docs/ogcapi.md "Tiles").
 *
 * A tile shows what the collection's items show the public (the same
 * query, so hidden and withdrawn feedback never); points are clustered
 * into cells with a `count` up to TILES_CLUSTER_MAX_ZOOM and drawn one by
 * one above it, where feedback placed only by its district is left out
 * (its point is the district's label point, not a place). Feedback tiles
 * are drawn from the in-memory count grid (zoom 0–11 clusters from its
 * per-zoom sums) and cached until a logged change lands inside them
 * (count_grid_changed); ETags are the hash of the bytes.
 */
#ifndef VK_TILES_TILES_H
#define VK_TILES_TILES_H

#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"
#include "tiles/cache.h"

#define TILES_MAX_ZOOM 22
#define TILES_CLUSTER_MAX_ZOOM 14 /* z ≤ this: points as clusters */
#define TILES_CLUSTER_CELL 64     /* tile units (of 4096) per cluster cell */
#define TILES_BUFFER 64           /* tile units drawn beyond each edge */

#define TILES_ROUTES(R)                                                                      \
    R(VK_ANY_GET, "/ogcapi/tileMatrixSets", tiles_matrix_sets, PUBLIC, 0, 0)                 \
    R(VK_ANY_GET, "/ogcapi/tileMatrixSets/{tileMatrixSetId}", tiles_matrix_set, PUBLIC, 0, 0) \
    R(VK_ANY_GET, "/ogcapi/collections/{collectionId}/tiles", tiles_sets, PUBLIC, 0, 0)      \
    R(VK_ANY_GET, "/ogcapi/collections/{collectionId}/tiles/{tileMatrixSetId}", tiles_set,   \
      PUBLIC, 0, 0)                                                                          \
    R(VK_ANY_GET,                                                                            \
      "/ogcapi/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/"   \
      "{tileCol}",                                                                           \
      tiles_tile, PUBLIC, 0, 0)
TILES_ROUTES(VK_ROUTE_HANDLER)

/* A feedback tile (z, x, y) with the public map's filters (comma lists,
 * NULL: all) into out, its ETag into etag, as GET gives it; use_sums 0
 * draws zoom 0–11 clusters point by point instead of from the per-zoom
 * sums (*summed 1 when they came from the sums). For the tests, which
 * compare the two to the byte. */
vk_err tiles_draw_feedback(vk_ctx *ctx, int z, uint32_t x, uint32_t y, const char *categories,
                           const char *statuses, int use_sums, vk_buf *out,
                           char etag[TILE_CACHE_ETAG_MAX], int *summed);

/* ogc/ogc.c lists these routes' conformance classes and links every
 * collection to its tiles (ogc/ and tiles/ are siblings: the paths are
 * the contract). */

#endif
