/*
 * cluster_sums.h — the public feedback points summed by map-tile cluster
 * cell, per zoom, kept up to date under writes (issue 15: a whole-city
 * tile on a million points in well under 50 ms even right after a write).
 *
 * Why: a low-zoom tile covers the whole city; adding up its points (or
 * the count grid's cells, which do not line up with the tiles' cells)
 * cost ~30 ms of CPU at z10 on 1M points. The cluster cells of zoom z are
 * the WebMercator grid of zoom z + CLUSTER_SUMS_CELL_BITS (64 × 64 per
 * tile), so each point belongs to exactly one cell per zoom: keeping, per
 * zoom up to CLUSTER_SUMS_MAX_ZOOM, a table of cells with their count,
 * the sums of their points and of their ids makes a tile 4 096 look-ups.
 *
 * Exact: coordinates are summed as integers (1e-7 degree), so removing a
 * point gives back exactly the sums before it was added; the sum of ids
 * of a cell holding one point is that point's id.
 *
 * Bounded: a zoom whose table would pass CLUSTER_SUMS_LEVEL_MAX cells is
 * dropped (its tiles are then drawn from the count grid) until the next
 * clear. Not thread-safe: the count grid's lock guards it.
 */
#ifndef VK_CLUSTER_SUMS_H
#define VK_CLUSTER_SUMS_H

#include <stdint.h>

#define CLUSTER_SUMS_MAX_ZOOM 11
#define CLUSTER_SUMS_CELL_BITS 6 /* 64 cells a tile side: 4096 / TILES_CLUSTER_CELL */
#define CLUSTER_SUMS_LEVEL_MAX (1u << 17)
#define CLUSTER_SUMS_SCALE 1e7 /* integer units a degree */

typedef struct cluster_sums cluster_sums;

/* Caller frees with cluster_sums_free(); NULL when out of memory. */
cluster_sums *cluster_sums_new(void);
void cluster_sums_free(cluster_sums *s);
/* Empty every zoom, and take back the dropped ones. */
void cluster_sums_clear(cluster_sums *s);

/* A point in (sign 1) or out (sign -1). Points beyond WebMercator's
 * latitudes or at longitude 180 are in no tile and not kept. Out of
 * memory drops the zoom (its tiles go the slow way), never a wrong sum. */
void cluster_sums_add(cluster_sums *s, double lon, double lat, int64_t id, int sign);

/* One non-empty cell of a tile: its column and row in the tile (0..63),
 * count, coordinate sums (CLUSTER_SUMS_SCALE units) and id sum. */
typedef void (*cluster_sums_fn)(void *arg, int col, int row, int64_t n, int64_t slon,
                                int64_t slat, int64_t sid);
/* Call fn for each non-empty cell of tile (z, x, y); 0 when zoom z is not
 * kept (above CLUSTER_SUMS_MAX_ZOOM or dropped), 1 else. */
int cluster_sums_tile(const cluster_sums *s, int z, uint32_t x, uint32_t y, cluster_sums_fn fn,
                      void *arg);

#endif
