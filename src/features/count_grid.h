/*
 * count_grid.h — the exact numberMatched of public feedback items without
 * asking SQLite to count (issue 15, "Speed").
 *
 * Why: counting a 1 km² box of a million points through the R*Tree cost
 * more than the rest of the items request together. The grid holds, per
 * public item, its point (or the box of a line/area), created time,
 * status and category, bucketed in cells over the data's extent. A count
 * adds the cells wholly inside the box and tests the items of the cells
 * on its edge exactly as the SQL does (MbrIntersects for points, edges
 * included); lines and areas whose box crosses the edge are asked of
 * SQLite one by one (GEOS Intersects), as rare as they are.
 *
 * Exact under writes: it follows the change log of schema 0007/0011
 * (every insert, delete and change of hidden, status, category,
 * created_at or geom of an item the public can or could see adds a row),
 * like the statistics snapshot: each count reads the newest seq (one
 * lookup) and applies only the rows logged since.
 *
 * Fast filters (anything else falls back to the SQL count): the bbox,
 * `datetime` on created, and a filter that is an AND of
 *   status|category = 'x', <> 'x', [NOT] IN ('x', …),
 *   created =, <, <=, >, >= TIMESTAMP(…) or DATE(…).
 *
 * One grid per server, shared by every worker context (a read-write lock:
 * counts run in parallel, a refresh waits for them).
 */
#ifndef VK_COUNT_GRID_H
#define VK_COUNT_GRID_H

#include <stdint.h>

#include "db/store.h"
#include "features/cluster_sums.h"
#include "features/collections.h"
#include "features/cql2.h"

typedef struct count_grid count_grid;

/* Caller frees with count_grid_free(). */
vk_err count_grid_new(count_grid **out);
void count_grid_free(count_grid *g);

/* Count the public items of col that q and filter (the request's CQL2
 * tree, whose compiled SQL is q->where) select. *handled is 0 when the
 * grid cannot answer exactly (another collection, a staff or near query,
 * a filter it does not know): the caller then counts with SQL. Reads
 * the change log through c and brings the grid up to date first. */
vk_err count_grid_count(count_grid *g, store_conn *c, const store_collection *col,
                        const store_items_query *q, const cql2_expr *filter, int64_t *n,
                        int *handled, vk_errinfo *ei);

/* The orders a page can be chosen in: by id (the SQL's order for a box
 * with a filter), or the staff inbox's (unanswered first, then oldest
 * created, then id). */
#define COUNT_GRID_BY_ID 0
#define COUNT_GRID_BY_INBOX 1

/* count_grid_count, and also the page: the ids of the matching items in
 * that order, after q->after (keyset, id order only) or past q->offset, at
 * most q->limit — the page the SQL gives the same query. The inbox order
 * without a box comes from the grid's copy of the public items in that
 * order (16 bytes an item), walked until the page is full; otherwise the
 * matching items are scanned keeping the first ones. *ids and, when
 * keys is not NULL, *keys (their places in the order; caller frees both
 * with free()) are NULL when *handled is 0. */
vk_err count_grid_select(count_grid *g, store_conn *c, const store_collection *col,
                         const store_items_query *q, const cql2_expr *filter, int order,
                         int64_t *n, int64_t **ids, uint64_t **keys, int64_t *nids, int *handled,
                         vk_errinfo *ei);

/* An item's place in the inbox order as count_grid_select compares them
 * (to merge the public page with the hidden items SQL finds); 0 when it
 * has none (created not canonical, or an id beyond 2^31): then the
 * caller leaves the page to SQL. */
uint64_t count_grid_inbox_key(int answered, const char *created, int64_t id);

/* Build (or bring up to date) now: the server calls it at start so the
 * first request does not wait. */
vk_err count_grid_refresh(count_grid *g, store_conn *c, vk_errinfo *ei);

/* Map tiles (tiles/): call fn with each public feedback item whose point
 * lies in bbox (lon/lat, edges included) and each line and area whose box
 * meets bbox (is_shape 1, given at its box's centre), with what a tile
 * shows of them; stop when fn returns ≠ 0. *seq is the change log's
 * newest row the points reflect (the tiles' data version). *handled is 0
 * when the grid is busy being refreshed by another thread or absent: the
 * caller then reads SQLite. */
typedef struct count_grid_point {
    int64_t id;
    double x, y;
    int is_shape;       /* a line or area, at the centre of its box */
    int64_t created;    /* Unix seconds; -1 when created_at is not canonical */
    const char *status, *category, *district; /* borrowed during the call; NULL */
    int district_only;  /* location_precision 'district' */
} count_grid_point;
typedef int (*count_grid_point_fn)(void *arg, const count_grid_point *p);
/* Before a cell of the grid inside bbox is walked: its box (x0, y0, x1,
 * y1; every point lies in box, edges included), how many points and the
 * sums of their x and y (cluster_sums_units of each). Returning 1 takes
 * the cell as a whole (its points are not given to fn), so a whole-city
 * tile adds up cells, not points. */
typedef int (*count_grid_cell_fn)(void *arg, const double box[4], int64_t n, int64_t sx,
                                  int64_t sy);
/* cell_fn may be NULL: every point is given. categories and statuses:
 * comma lists of the public map's filters (NULL: all); points they leave
 * out are not given (lines and areas are given all: fn tests them), and
 * cell_fn is then not called. */
vk_err count_grid_points(count_grid *g, store_conn *c, const double bbox[4],
                         const char *categories, const char *statuses, count_grid_point_fn fn,
                         count_grid_cell_fn cell_fn, void *arg, int64_t *seq, int *handled,
                         vk_errinfo *ei);
/* Whether v is one of list's comma-separated ids; a NULL list takes all,
 * a NULL v is in no list. */
int count_grid_in_list(const char *list, const char *v);
/* Tiles at zooms ≤ CLUSTER_SUMS_MAX_ZOOM: each non-empty cluster cell of
 * tile (z, x, y) from the sums kept per zoom (cell_fn; cluster_sums.h) —
 * of every point, or of the categories or statuses of a filter's comma
 * list (one of the two; each listed code's cells in turn, so a cell may
 * come more than once) — then the lines and areas whose box meets bbox
 * (fn, as count_grid_points: fn applies the filters). *seq as there;
 * *handled 0 when zoom z is not kept for a listed code, both filters are
 * given or the grid is busy: then count_grid_points or SQLite. */
vk_err count_grid_clusters(count_grid *g, store_conn *c, int z, uint32_t x, uint32_t y,
                           const double bbox[4], const char *categories, const char *statuses,
                           cluster_sums_fn cell_fn, count_grid_point_fn fn, void *arg,
                           int64_t *seq, int *handled, vk_errinfo *ei);
/* The bytes the per-zoom cluster sums hold (for the server's log). */
size_t count_grid_sums_bytes(count_grid *g);
/* Whether a tile over bbox (lon/lat, with its buffer) drawn at data
 * version `version` may have changed since: *changed 0 when no logged
 * change from then to now (*seq) put an item in bbox or took one out of
 * it (the places before and after each change are kept for the last
 * GRID_CHANGE_RING places; older versions, a rebuilt grid or a busy one
 * give 1). */
vk_err count_grid_changed(count_grid *g, store_conn *c, int64_t version, const double bbox[4],
                          int64_t *seq, int *changed, vk_errinfo *ei);
/* The change log's newest row (the tiles' data version of feedback). */
vk_err count_grid_stamp(store_conn *c, int64_t *seq, vk_errinfo *ei);

#endif
