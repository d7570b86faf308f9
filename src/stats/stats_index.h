/*
 * stats_index.h — the in-memory statistics snapshot behind every aggregate
 * (issue 6), and the aggregations over it.
 *
 * Why a snapshot: a GROUP BY over a million rows in SQLite takes ~0.5 s;
 * the same count over 40-byte records in memory takes a few milliseconds.
 * The snapshot holds, per public item, only what aggregates may show: the
 * times (created, first public answer, closed), status, category,
 * district, unit, accessibility area and the representative point in
 * EPSG:3067 metres — no text, no contact details. It follows the change
 * log of schema 0007: each request reads the newest seq (one indexed
 * lookup) and, when it moved, re-reads only the items logged since; a
 * change of reference data (areas, categories, units) rebuilds it.
 *
 * One snapshot per server (owned by the server, borrowed by every worker
 * context); a read-write lock lets requests aggregate in parallel while a
 * refresh waits for them.
 */
#ifndef VK_STATS_INDEX_H
#define VK_STATS_INDEX_H

#include <stdint.h>

#include "db/ctx.h"
#include "core/arena.h"
#include "reference/store_reference.h"

typedef struct api_stats api_stats;

/* Caller frees with api_stats_free(). */
vk_err api_stats_new(api_stats **out);
void api_stats_free(api_stats *s);

/* What items may be grouped by. */
typedef enum {
    STATS_DIM_DISTRICT,
    STATS_DIM_CATEGORY,
    STATS_DIM_STATUS,
    STATS_DIM_UNIT,
    STATS_DIM_WEEK,
    STATS_DIM_MONTH,
    STATS_DIM_YEAR,
    STATS_DIM_AREA, /* accessibility area */
    STATS_DIM__COUNT
} stats_dim;

/* The JSON name of a dimension ("district", …). Static. */
const char *stats_dim_name(stats_dim d);
/* -1 when name is not a dimension of the public API (area is internal). */
int stats_dim_parse(const char *name, size_t n);

#define STATS_MAX_LIST 64

/* Which items count. Every part is optional. */
typedef struct stats_filter {
    int has_start, has_end;
    int64_t start, end;          /* Unix seconds, inclusive, on created */
    int ncategories, nstatuses, ndistricts;
    const char *categories[STATS_MAX_LIST];
    const char *statuses[STATS_MAX_LIST];
    int64_t districts[STATS_MAX_LIST]; /* district ids; 0 = outside every district */
    int has_bbox;
    double bbox[4];              /* storage lon/lat */
} stats_filter;

/* A snapshot held for reading: take it with api_stats_acquire (brings it
 * up to date through ctx's connection first) and give it back with
 * api_stats_release. seq/at: the change stamp it reflects. */
typedef struct stats_view {
    api_stats *s;
    int64_t seq;
    char at[32]; /* RFC 3339 of the newest change, "" if none */
} stats_view;

vk_err api_stats_acquire(api_stats *s, vk_ctx *ctx, stats_view *v);
void api_stats_release(stats_view *v);

/* Names while a view is held (borrowed until release): the code of a
 * district/unit/area id (NULL for 0 or unknown), a category/status index.
 * 1 if the district code exists (id through *id). */
int stats_district_id(const stats_view *v, const char *code, int64_t *id);
int stats_category_known(const stats_view *v, const char *code);

/* ---- grouped counts ---- */

/* One group: its key value per dimension (text, NULL for "none"). */
typedef struct stats_group {
    const char *key[3];
    int64_t count;
} stats_group;

/* Count the filtered items grouped by ndims (0..3) dimensions; groups
 * sorted by their keys (NULL last), in arena memory. */
vk_err stats_count(const stats_view *v, vk_ctx *ctx, const stats_filter *f, const stats_dim *dims,
                   int ndims, vk_arena *a, stats_group **groups, int *ngroups, int64_t *total);

/* ---- response times ---- */

typedef struct stats_times {
    const char *key;      /* NULL: none (or the overall figures) */
    int64_t key_id;       /* the district/unit/area id, 0 for none */
    int64_t count, open, answered, closed;
    double median_answer, p90_answer, median_close, p90_close; /* days; < 0: none */
    double within_14;     /* share 0..1; < 0: none */
} stats_times;

#define STATS_WAIT_BUCKETS 5
extern const char *const stats_wait_labels[STATS_WAIT_BUCKETS];

/* Response-time figures per value of `by` (district, category, unit or
 * area) and overall, and the open unanswered items by age, at time `now`
 * (Unix seconds). Percentiles are nearest-rank: the p-th is the smallest
 * value with at least p % of the values at or below it. */
vk_err stats_times_by(const stats_view *v, vk_ctx *ctx, const stats_filter *f, stats_dim by,
                      int64_t now, vk_arena *a, stats_times **groups, int *ngroups,
                      stats_times *overall, int64_t waiting[STATS_WAIT_BUCKETS]);

/* ---- density ---- */

typedef struct stats_cell {
    int32_t q, r;
    int64_t count;
} stats_cell;

/* Hexagon counts of the filtered items' representative points (EPSG:3067,
 * cells of area cell²), cells with fewer than k items dropped (reported
 * through *dropped_cells / *dropped_items); sorted by r, then q. */
vk_err stats_density(const stats_view *v, vk_ctx *ctx, const stats_filter *f, double cell,
                     int64_t k, vk_arena *a, stats_cell **cells, int *ncells,
                     int64_t *dropped_cells, int64_t *dropped_items);

#endif
