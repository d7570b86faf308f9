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
 * By category and by status too: beside the table of every point, one
 * per zoom for each category and each status (by the count grid's code
 * indexes), so the public map's `?category=` or `?status=` tile is summed
 * the same way (a list of codes adds their tables up). A filter on both
 * at once is not kept (a table per pair would cost several times more).
 *
 * Bounded: a zoom whose table would pass CLUSTER_SUMS_LEVEL_MAX cells is
 * dropped (its tiles are then drawn from the count grid) until the next
 * clear; the category and status tables together hold at most
 * CLUSTER_SUMS_CLASS_BYTES, past which a table that would grow is dropped
 * the same way. Not thread-safe: the count grid's lock guards it.
 */
#ifndef VK_CLUSTER_SUMS_H
#define VK_CLUSTER_SUMS_H

#include <stddef.h>
#include <stdint.h>

#define CLUSTER_SUMS_MAX_ZOOM 11
#define CLUSTER_SUMS_CELL_BITS 6 /* 64 cells a tile side: 4096 / TILES_CLUSTER_CELL */
#define CLUSTER_SUMS_LEVEL_MAX (1u << 17)
#define CLUSTER_SUMS_CLASS_BYTES ((size_t)128 << 20)
#define CLUSTER_SUMS_SCALE 1e7 /* integer units a degree */
#define CLUSTER_SUMS_CODES 256 /* code indexes 1..255 of a kind; 0 (NULL) is in no class */

/* Which points a table sums. */
enum { CLUSTER_SUMS_ALL, CLUSTER_SUMS_CATEGORY, CLUSTER_SUMS_STATUS };

typedef struct cluster_sums cluster_sums;

/* Caller frees with cluster_sums_free(); NULL when out of memory. */
cluster_sums *cluster_sums_new(void);
void cluster_sums_free(cluster_sums *s);
/* Empty every zoom, and take back the dropped ones. */
void cluster_sums_clear(cluster_sums *s);

/* A point in (sign 1) or out (sign -1), with its category and status
 * code indexes (0..CLUSTER_SUMS_CODES - 1). Points beyond WebMercator's
 * latitudes or at longitude 180 are in no tile and not kept. Out of
 * memory drops the zoom (its tiles go the slow way), never a wrong sum. */
void cluster_sums_add(cluster_sums *s, double lon, double lat, int64_t id, int category,
                      int status, int sign);

/* One non-empty cell of a tile: its column and row in the tile (0..63),
 * count, coordinate sums (CLUSTER_SUMS_SCALE units) and id sum. */
typedef void (*cluster_sums_fn)(void *arg, int col, int row, int64_t n, int64_t slon,
                                int64_t slat, int64_t sid);
/* Whether zoom z of the table (kind, code) is kept (code is ignored for
 * CLUSTER_SUMS_ALL): 0 above CLUSTER_SUMS_MAX_ZOOM or dropped. */
int cluster_sums_kept(const cluster_sums *s, int z, int kind, int code);
/* Call fn for each non-empty cell of tile (z, x, y) in the table (kind,
 * code); 0 (and fn not called) when that zoom is not kept, 1 else. */
int cluster_sums_tile(const cluster_sums *s, int z, int kind, int code, uint32_t x, uint32_t y,
                      cluster_sums_fn fn, void *arg);
/* The bytes the tables hold now. */
size_t cluster_sums_bytes(const cluster_sums *s);

/* The cell of a point in the grid of 2^bits × 2^bits cells over the world
 * (a tile's cluster cells at zoom z: bits = z + CLUSTER_SUMS_CELL_BITS),
 * computed exactly as the sums place it; 0 when it lies in no tile (the
 * points cluster_sums_in_world refuses, and those on its east edge). */
int cluster_sums_cell(double lon, double lat, int bits, uint64_t *X, uint64_t *Y);
#define CLUSTER_SUMS_MAX_LAT 85.0511287798066
static inline int cluster_sums_in_world(double lon, double lat)
{
    return lat >= -CLUSTER_SUMS_MAX_LAT && lat <= CLUSTER_SUMS_MAX_LAT && lon >= -180 && lon < 180;
}
/* The column of cluster_sums_cell, n = 2^bits (the same arithmetic, so
 * the same column; the row is the costly half). */
static inline double cluster_sums_col(double lon, double n)
{
    return (lon + 180) / 360 * n;
}
/* Degrees in the sums' integer units. */
int64_t cluster_sums_units(double deg);

#endif
