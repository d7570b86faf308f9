/* test_count.c — the in-memory count grid (features/count_grid.c) against
 * a brute-force SQL count, over random boxes and filters, before and after
 * inserts, hides, withdrawals, status and place changes and deletes. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "db/store.h"
#include "db/store_internal.h"
#include "features/count_grid.h"
#include "features/cql2.h"
#include "db/ctx.h"
#include "tiles/tiles.h"
#include "t.h"
#include "tmp.h"

static unsigned rng = 20261206;
static unsigned rnd(unsigned n)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 8) % n;
}

static const char *const statuses[] = {"received", "in_progress", "resolved", "planned"};
static const char *const categories[] = {"parks", "roads", "lighting"};

/* Coordinates on a 0.001° lattice, so that many points sit exactly on the
 * edges of boxes drawn on the same lattice. */
static double lon_at(unsigned k) { return 28.700 + k * 0.001; }
static double lat_at(unsigned k) { return 61.150 + k * 0.001; }

static void exec(store_conn *c, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        printf("# SQL failed: %s: %s\n", msg ? msg : "?", sql);
        sqlite3_free(msg);
        exit(2);
    }
}

static int64_t next_id = 1;

/* n items: mostly points, some lines and areas, some hidden/withdrawn. */
static void add_items(store_conn *c, int n)
{
    exec(c, "BEGIN");
    for (int i = 0; i < n; i++) {
        char geom[256];
        unsigned x = rnd(200), y = rnd(100), kind = rnd(100);
        if (kind == 0)
            snprintf(geom, sizeof geom, "LINESTRING(%.3f %.3f, %.3f %.3f)", lon_at(x), lat_at(y),
                     lon_at(x + rnd(8)), lat_at(y + rnd(8)));
        else if (kind == 1)
            snprintf(geom, sizeof geom, "POLYGON((%.3f %.3f, %.3f %.3f, %.3f %.3f, %.3f %.3f))",
                     lon_at(x), lat_at(y), lon_at(x + 3), lat_at(y), lon_at(x), lat_at(y + 4),
                     lon_at(x), lat_at(y));
        else /* MakePoint, not WKT: SpatiaLite's WKT parser costs 15 ms a row under ASan */
            snprintf(geom, sizeof geom, "MakePoint(%.3f, %.3f, 4326)", lon_at(x), lat_at(y));
        char wkt[300];
        if (kind <= 1)
            snprintf(wkt, sizeof wkt, "GeomFromText('%s', 4326)", geom);
        char sql[1024];
        snprintf(sql, sizeof sql,
                 "INSERT INTO feedback (id, category, description, status, created_at, updated_at, "
                 "hidden, geom) VALUES (%lld, '%s', 'x', '%s', '2025-%02u-%02uT%02u:00:00Z', 't', "
                 "%d, %s)",
                 (long long)next_id++, categories[rnd(3)], statuses[rnd(4)], 1 + rnd(12),
                 1 + rnd(28), rnd(24), rnd(10) == 0 ? 1 + (int)rnd(2) : 0, kind <= 1 ? wkt : geom);
        exec(c, sql);
    }
    exec(c, "COMMIT");
}

static int64_t sql_count(store_conn *c, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A filter as CQL2 text beside the same condition in SQL. */
typedef struct {
    const char *cql2, *sql;
    const char *t0, *t1; /* datetime interval */
} case_filter;

static const case_filter filters[] = {
    {NULL, "1", NULL, NULL},
    {"status = 'received'", "status = 'received'", NULL, NULL},
    {"category IN ('parks', 'roads')", "category IN ('parks', 'roads')", NULL, NULL},
    {"status <> 'resolved' AND category = 'lighting'",
     "status <> 'resolved' AND category = 'lighting'", NULL, NULL},
    {"status NOT IN ('received', 'nosuch')", "status NOT IN ('received', 'nosuch')", NULL, NULL},
    {"status = 'nosuch'", "0", NULL, NULL},
    {NULL, "created_at >= '2025-03-01T00:00:00Z' AND created_at <= '2025-08-15T12:00:00Z'",
     "2025-03-01T00:00:00Z", "2025-08-15T12:00:00Z"},
    {"category = 'parks'", "category = 'parks' AND created_at >= '2025-06-10T05:00:00Z'",
     "2025-06-10T05:00:00Z", NULL},
    {"created < TIMESTAMP('2025-05-03T07:00:00Z') AND status IN ('in_progress', 'planned')",
     "created_at < '2025-05-03T07:00:00Z' AND status IN ('in_progress', 'planned')", NULL, NULL},
    {"created >= DATE('2025-04-04') AND created <= DATE('2025-09-09')",
     "substr(created_at, 1, 10) >= '2025-04-04' AND substr(created_at, 1, 10) <= '2025-09-09'",
     NULL, NULL},
    {"created = DATE('2025-07-07')", "substr(created_at, 1, 10) = '2025-07-07'", NULL, NULL},
    /* The staff inbox's conditions, on the public items. */
    {"answered IS NULL AND hidden IN (0, 1)", "answered_at IS NULL", NULL, NULL},
    {"answered IS NOT NULL AND status IN ('resolved', 'planned')",
     "answered_at IS NOT NULL AND status IN ('resolved', 'planned')", NULL, NULL},
    {"hidden IN (1, 2)", "0", NULL, NULL},
    {"(district IN ('nosuch') OR district_id IS NULL) AND (unit_id IS NULL)", "1", NULL, NULL},
    {"district IN ('nosuch')", "0", NULL, NULL},
};
#define NFILTERS (int)(sizeof filters / sizeof filters[0])

static int64_t brute(store_conn *c, const double b[4], int has_bbox, const case_filter *f)
{
    char sql[2048];
    char box[512] = "1";
    if (has_bbox)
        snprintf(box, sizeof box,
                 "Intersects(geom, BuildMbr(%.17g, %.17g, %.17g, %.17g, 4326)) = 1", b[0], b[1],
                 b[2], b[3]);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM feedback WHERE hidden = 0 AND %s AND (%s)",
             box, f->sql);
    return sql_count(c, sql);
}

#define ORDER_ID "id"
/* The staff inbox's (schema 0006's index). */
#define ORDER_INBOX "(answered_at IS NOT NULL), created_at, id"

/* The ids of a page in that order, as the SQL path gives it: 1 when they
 * equal ids[0..n). after > 0: keyset instead of offset. */
static int brute_page(store_conn *c, const double b[4], int has_bbox, const case_filter *f,
                      const char *order, int64_t limit, int64_t offset, int64_t after,
                      const int64_t *ids, int64_t n)
{
    char sql[2048];
    char box[512] = "1";
    if (has_bbox)
        snprintf(box, sizeof box,
                 "Intersects(geom, BuildMbr(%.17g, %.17g, %.17g, %.17g, 4326)) = 1", b[0], b[1],
                 b[2], b[3]);
    snprintf(sql, sizeof sql,
             "SELECT id FROM feedback WHERE hidden = 0 AND %s AND (%s) AND id > %lld ORDER BY %s "
             "LIMIT %lld OFFSET %lld",
             box, f->sql, (long long)after, order, (long long)limit, (long long)offset);
    sqlite3_stmt *st = NULL;
    int64_t k = 0;
    int same = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) == SQLITE_OK;
    while (same && sqlite3_step(st) == SQLITE_ROW)
        same = k < n && ids[k++] == sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return same && k == n;
}

/* Random boxes × every filter: the grid answers and agrees. */
static void compare(store_conn *c, count_grid *g, const char *when, int nboxes)
{
    const store_collection *col = store_collection_find("feedback");
    vk_arena a;
    vk_arena_init(&a, 1 << 20);
    int wrong = 0, unhandled = 0, checked = 0, pages = 0, inbox_pages = 0;
    int64_t nonzero = 0;
    for (int k = 0; k < nboxes; k++) {
        double b[4];
        int has_bbox = k > 0; /* the first: no box at all */
        unsigned x = rnd(210), y = rnd(110);
        b[0] = lon_at(x);
        b[1] = lat_at(y);
        /* Never a zero-width box: GEOS tests a line against such a
         * degenerate polygon differently prepared and unprepared, so there
         * is no one right count (the grid leaves those to SQL). */
        b[2] = lon_at(x + 1 + rnd(40));
        b[3] = lat_at(y + 1 + rnd(30));
        if (k % 3 == 1) { /* off the lattice */
            b[0] += 0.0004;
            b[3] -= 0.0002;
        }
        for (int i = 0; i < NFILTERS; i++) {
            const case_filter *f = &filters[i];
            store_items_query q = {0};
            q.has_bbox = has_bbox;
            memcpy(q.bbox, b, sizeof b);
            q.time_start = f->t0;
            q.time_end = f->t1;
            cql2_expr *e = NULL;
            vk_errinfo ei = {0};
            vk_arena_reset(&a);
            if (f->cql2 && cql2_parse(f->cql2, strlen(f->cql2), &a, &e, &ei) != VK_OK) {
                printf("# cannot parse %s: %s\n", f->cql2, ei.message);
                wrong++;
                continue;
            }
            q.where = e ? "(compiled)" : NULL;
            int64_t n = -1;
            int handled = 0;
            if (count_grid_count(g, c, col, &q, e, &n, &handled, &ei) != VK_OK) {
                printf("# count failed: %s\n", ei.message);
                wrong++;
                continue;
            }
            if (!handled) {
                unhandled++;
                continue;
            }
            int64_t want = brute(c, b, has_bbox, f);
            checked++;
            /* The page the grid picks: the SQL's in id order, by offset
             * or by key (after), lines and areas included. */
            q.limit = 1 + (int64_t)rnd(6);
            q.offset = k % 4 == 2 ? 0 : (int64_t)rnd(5);
            q.after = k % 4 == 2 ? 1 + (int64_t)rnd((unsigned)next_id) : 0;
            int64_t *ids = NULL, nids = 0, n2 = -1;
            if (count_grid_select(g, c, col, &q, e, COUNT_GRID_BY_ID, &n2, &ids, NULL, &nids, &handled, &ei) != VK_OK ||
                !handled || n2 != want ||
                !brute_page(c, b, has_bbox, f, ORDER_ID, q.limit, q.after ? 0 : q.offset,
                            q.after, ids, nids)) {
                if (wrong < 5)
                    printf("# box %.4f %.4f %.4f %.4f filter %d: the page differs (%lld ids)\n",
                           b[0], b[1], b[2], b[3], i, (long long)nids);
                wrong++;
            }
            pages += nids > 0;
            free(ids);
            /* The staff inbox's page in its order (without a box from the
             * inbox order kept in memory), shallow and deep. */
            q.after = 0;
            q.offset = (int64_t)rnd(k % 4 == 3 ? 2000 : 5);
            q.limit = 1 + (int64_t)rnd(50);
            uint64_t *keys = NULL;
            n2 = -1;
            if (count_grid_select(g, c, col, &q, e, COUNT_GRID_BY_INBOX, &n2, &ids, &keys, &nids,
                                  &handled, &ei) != VK_OK ||
                !handled || n2 != want ||
                !brute_page(c, b, has_bbox, f, ORDER_INBOX, q.limit, q.offset, 0, ids, nids)) {
                if (wrong < 5)
                    printf("# box %d filter %d offset %lld: the inbox page differs (%lld ids, "
                           "%lld matched, want %lld)\n", k, i, (long long)q.offset,
                           (long long)nids, (long long)n2, (long long)want);
                wrong++;
            }
            inbox_pages += nids > 0;
            free(ids);
            free(keys);
            nonzero += want > 0;
            if (n != want) {
                if (wrong < 5 && getenv("COUNT_DEBUG")) {
                    char dbg[600];
                    snprintf(dbg, sizeof dbg, "SELECT id, AsText(geom), hidden FROM feedback WHERE hidden = 0 AND Intersects(geom, BuildMbr(%.17g, %.17g, %.17g, %.17g, 4326)) = 1", b[0], b[1], b[2], b[3]);
                    sqlite3_stmt *st = NULL;
                    sqlite3_prepare_v2(c->db, dbg, -1, &st, NULL);
                    while (st && sqlite3_step(st) == SQLITE_ROW)
                        printf("#  %lld %s\n", (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1));
                    sqlite3_finalize(st);
                }
                if (wrong < 5)
                    printf("# box %.4f %.4f %.4f %.4f filter %d: grid %lld, SQL %lld\n", b[0], b[1],
                           b[2], b[3], i, (long long)n, (long long)want);
                wrong++;
            }
        }
    }
    T_EQ_INT(unhandled, 0, "%s: the grid answers every fast filter", when);
    T_EQ_INT(wrong, 0, "%s: %d counts equal the brute-force SQL count", when, checked);
    T_OK(nboxes < 5 || nonzero > checked / 3, "%s: most counts are not zero (%lld)", when, (long long)nonzero);
    T_OK(nboxes < 5 || pages > checked / 4, "%s: %d pages picked from memory hold items", when, pages);
    T_OK(nboxes < 5 || inbox_pages > checked / 4, "%s: %d inbox pages hold items", when,
         inbox_pages);
    vk_arena_fini(&a);
}

static void test_fallbacks(store_conn *c, count_grid *g)
{
    const store_collection *col = store_collection_find("feedback");
    vk_arena a;
    vk_arena_init(&a, 1 << 16);
    const char *slow[] = {"status = 'received' OR category = 'parks'", "description LIKE 'x%'",
                          "NOT (status = 'received')", "created <> TIMESTAMP('2025-01-01T00:00:00Z')"};
    for (int i = 0; i < 4; i++) {
        cql2_expr *e = NULL;
        vk_errinfo ei = {0};
        T_EQ_INT(cql2_parse(slow[i], strlen(slow[i]), &a, &e, &ei), VK_OK, "parse %s", slow[i]);
        store_items_query q = {.where = "(compiled)"};
        int64_t n = -1;
        int handled = 1;
        count_grid_count(g, c, col, &q, e, &n, &handled, &ei);
        T_OK(!handled, "%s: left to SQL", slow[i]);
    }
    store_items_query staff = {.include_nonpublic = 1, .staff_view = 1};
    int64_t n;
    int handled = 1;
    vk_errinfo ei = {0};
    count_grid_count(g, c, col, &staff, NULL, &n, &handled, &ei);
    T_OK(!handled, "a staff view is left to SQL");
    store_items_query cross = {.has_bbox = 1, .bbox = {179, 0, -179, 1}};
    count_grid_count(g, c, col, &cross, NULL, &n, &handled, &ei);
    T_OK(!handled, "a box across the antimeridian is left to SQL");
    count_grid_count(g, c, store_collection_find("districts"), &(store_items_query){0}, NULL, &n,
                     &handled, &ei);
    T_OK(!handled, "another collection is left to SQL");
    vk_arena_fini(&a);
}

static void add_cell(void *arg, int col, int row, int64_t n, int64_t slon, int64_t slat,
                     int64_t sid)
{
    *(int64_t *)arg += n;
}

static int skip_shape(void *arg, const count_grid_point *p)
{
    return 0; /* lines and areas are not in the sums */
}

static int count_point(void *arg, const count_grid_point *p)
{
    ++*(int64_t *)arg;
    return 0;
}

/* The places of changes for the tile cache (count_grid_changed), and the
 * per-zoom cluster sums kept under writes. */
static void test_changes(store_conn *c, count_grid *g)
{
    vk_errinfo ei = {0};
    int64_t v0, seq;
    int changed = -1;
    const double near_p[4] = {28.12, 61.45, 28.13, 61.46}, near_q[4] = {28.33, 61.65, 28.34, 61.66},
                 far[4] = {25.0, 60.0, 25.1, 60.1};
    T_EQ_INT(count_grid_refresh(g, c, &ei), VK_OK, "refresh");
    count_grid_stamp(c, &v0, &ei);
    count_grid_changed(g, c, v0, near_p, &seq, &changed, &ei);
    T_OK(changed == 0 && seq == v0, "nothing logged since: unchanged");

    exec(c, "INSERT INTO feedback (id, category, description, status, created_at, updated_at, geom) "
            "VALUES (900001, 'parks', 'x', 'received', '2025-01-01T00:00:00Z', 't', "
            "GeomFromText('POINT(28.123 61.456)', 4326))");
    count_grid_changed(g, c, v0, near_p, &seq, &changed, &ei);
    T_OK(changed == 1 && seq > v0, "a new item inside the box: changed");
    count_grid_changed(g, c, v0, far, &seq, &changed, &ei);
    T_OK(changed == 0, "a box elsewhere: unchanged");
    int64_t v1 = seq;
    exec(c, "UPDATE feedback SET geom = GeomFromText('POINT(28.333 61.654)', 4326) WHERE id = 900001");
    count_grid_changed(g, c, v1, near_p, &seq, &changed, &ei);
    T_OK(changed == 1, "moved away: its old place changed");
    count_grid_changed(g, c, v1, near_q, &seq, &changed, &ei);
    T_OK(changed == 1, "moved here: its new place changed");
    count_grid_changed(g, c, v1, far, &seq, &changed, &ei);
    T_OK(changed == 0, "neither: unchanged");
    int64_t v2 = seq;
    exec(c, "UPDATE feedback SET status = 'resolved' WHERE id = 900001");
    count_grid_changed(g, c, v2, near_q, &seq, &changed, &ei);
    T_OK(changed == 1, "a status change counts where the item is");
    exec(c, "UPDATE feedback SET hidden = 1 WHERE id = 900001");
    count_grid_changed(g, c, v2, near_q, &seq, &changed, &ei);
    T_OK(changed == 1, "hidden: its place changed");

    /* The sums: every public point once at zoom 0, after all the writes. */
    int64_t sum = 0;
    int handled = 0;
    const double world[4] = {-180, -85, 180, 85};
    count_grid_stamp(c, &seq, &ei);
    T_EQ_INT(count_grid_clusters(g, c, 0, 0, 0, world, NULL, NULL, add_cell, skip_shape, &sum, &seq,
                                 &handled, &ei),
             VK_OK, "clusters at z0");
    int64_t want = sql_count(c, "SELECT count(*) FROM feedback WHERE hidden = 0 AND geom IS NOT NULL "
                                "AND GeometryType(geom) = 'POINT'");
    T_OK(handled && sum == want, "z0 sums: every public point (%lld of %lld)", (long long)sum,
         (long long)want);

    /* More changes than the ring keeps: older versions are drawn anew. */
    exec(c, "UPDATE feedback SET status = 'in_progress' WHERE hidden = 0");
    exec(c, "UPDATE feedback SET status = 'received' WHERE hidden = 0");
    exec(c, "UPDATE feedback SET status = 'planned' WHERE hidden = 0");
    count_grid_changed(g, c, v2, far, &seq, &changed, &ei);
    T_OK(changed == 1, "past the ring: changed, whatever the box");
    int64_t v3 = seq;
    count_grid_changed(g, c, v3, far, &seq, &changed, &ei);
    T_OK(changed == 0 && seq == v3, "drawn at the newest: unchanged");
}

/* Cluster tiles (zoom 0-11) from the per-zoom sums, with and without the
 * public map's filters, are the very bytes of the same tiles summed point
 * by point from the grid: over every tile of the data at every zoom. */
static void test_tile_paths(vk_ctx *ctx, const char *when)
{
    static const char *const filt[][2] = {
        {NULL, NULL},          {"parks", NULL},       {"roads,lighting", NULL},
        {NULL, "received"},    {NULL, "resolved,planned"}, {"nosuch", NULL},
        {"parks", "received"}, /* both: point by point either way */
    };
    const int nfilt = (int)(sizeof filt / sizeof filt[0]);
    int tiles = 0, summed_n = 0, same = 0, nonempty = 0;
    vk_buf a, b;
    vk_buf_init(&a, 1 << 24);
    vk_buf_init(&b, 1 << 24);
    for (int z = 0; z <= CLUSTER_SUMS_MAX_ZOOM; z++) {
        uint64_t x0, y0, x1, y1;
        int bits = z;
        /* The data's box: lon 28.7-28.91, lat 61.15-61.26. */
        cluster_sums_cell(28.69, 61.27, bits, &x0, &y0);
        cluster_sums_cell(28.92, 61.14, bits, &x1, &y1);
        for (uint64_t y = y0; y <= y1; y++)
            for (uint64_t x = x0; x <= x1; x++)
                for (int f = 0; f < nfilt; f++) {
                    char ta[TILE_CACHE_ETAG_MAX], tb[TILE_CACHE_ETAG_MAX];
                    int sa = 0, sb = 1;
                    vk_buf_reset(&a);
                    vk_buf_reset(&b);
                    vk_err ea = tiles_draw_feedback(ctx, z, (uint32_t)x, (uint32_t)y, filt[f][0],
                                                    filt[f][1], 1, &a, ta, &sa);
                    vk_err eb = tiles_draw_feedback(ctx, z, (uint32_t)x, (uint32_t)y, filt[f][0],
                                                    filt[f][1], 0, &b, tb, &sb);
                    tiles++;
                    summed_n += sa;
                    nonempty += a.len > 0;
                    if (!ea && !eb && !sb && a.len == b.len && memcmp(a.data, b.data, a.len) == 0 &&
                        strcmp(ta, tb) == 0)
                        same++;
                    else if (tiles - same <= 3)
                        printf("# %s: z%d %llu/%llu %s|%s differs (%zu vs %zu bytes, err %d %d)\n",
                               when, z, (unsigned long long)y, (unsigned long long)x,
                               filt[f][0] ? filt[f][0] : "*", filt[f][1] ? filt[f][1] : "*",
                               a.len, b.len, ea, eb);
                    /* Single filters and none come from the sums. */
                    if (!sa && !(filt[f][0] && filt[f][1]))
                        T_OK(0, "%s: z%d %s|%s not from the sums", when, z,
                             filt[f][0] ? filt[f][0] : "*", filt[f][1] ? filt[f][1] : "*");
                }
    }
    T_OK(same == tiles && nonempty > 0,
         "%s: %d of %d cluster tiles the same bytes from the sums (%d) and point by point", when,
         same, tiles, summed_n);
    vk_buf_fini(&a);
    vk_buf_fini(&b);
}

int main(void)
{
    store_conn *c = NULL;
    vk_errinfo ei = {0};
    if (store_open(&c, t_path("count.sqlite"), &ei) != VK_OK) {
        printf("# open: %s\n", ei.message);
        return 2;
    }
    exec(c, "INSERT INTO category (id, name_fi, name_sv, name_en) VALUES "
            "('parks', 'p', 'p', 'p'), ('roads', 'r', 'r', 'r'), ('lighting', 'l', 'l', 'l')");
    count_grid *g = NULL;
    T_EQ_INT(count_grid_new(&g), VK_OK, "new grid");

    /* Empty: the grid spans the world and still counts. */
    compare(c, g, "empty", 3);
    add_items(c, 3000);
    compare(c, g, "3000 items", 60);

    /* Writes after the build: applied from the change log. */
    add_items(c, 500);
    exec(c, "UPDATE feedback SET hidden = 1 WHERE id % 7 = 0");                 /* hidden */
    exec(c, "UPDATE feedback SET hidden = 2 WHERE id % 11 = 0");                /* withdrawn */
    exec(c, "UPDATE feedback SET hidden = 0 WHERE id % 13 = 0");                /* shown again */
    exec(c, "UPDATE feedback SET status = 'resolved' WHERE id % 5 = 0");
    exec(c, "UPDATE feedback SET category = 'roads' WHERE id % 9 = 0");
    exec(c, "UPDATE feedback SET created_at = '2025-07-07T10:00:00Z' WHERE id % 17 = 0");
    exec(c, "UPDATE feedback SET geom = GeomFromText('POINT(28.8 61.2)', 4326) WHERE id % 19 = 0");
    exec(c, "DELETE FROM feedback WHERE id % 23 = 0");
    /* The first public answer sets both (feedback/sql.h); the change log
     * follows first_answered_at. */
    exec(c, "UPDATE feedback SET answered_at = '2025-09-01T00:00:00Z', first_answered_at = "
            "'2025-09-01T00:00:00Z', answer = 'a' WHERE id % 4 = 0");
    compare(c, g, "after writes", 60);

    /* A point far outside the grid's extent lands in a border cell. */
    exec(c, "INSERT INTO feedback (category, description, status, created_at, updated_at, geom) "
            "VALUES ('parks', 'far', 'received', '2025-01-01T00:00:00Z', 't', "
            "GeomFromText('POINT(30.5 62.5)', 4326))");
    compare(c, g, "a far point", 30);
    const store_collection *col = store_collection_find("feedback");
    store_items_query far = {.has_bbox = 1, .bbox = {30.4, 62.4, 30.6, 62.6}};
    int64_t n = -1;
    int handled = 0;
    count_grid_count(g, c, col, &far, NULL, &n, &handled, &ei);
    T_OK(handled && n == 1, "the far point is counted in its own box (%lld)", (long long)n);

    /* An odd created_at (not canonical): time filters fall back, others not. */
    exec(c, "UPDATE feedback SET created_at = '2025-07-07 10:00:00' WHERE id = 2");
    store_items_query timed = {.time_start = "2025-01-01T00:00:00Z"};
    count_grid_count(g, c, col, &timed, NULL, &n, &handled, &ei);
    T_OK(!handled, "an item with an odd time: datetime falls back to SQL");
    store_items_query all = {0};
    count_grid_count(g, c, col, &all, NULL, &n, &handled, &ei);
    T_OK(handled && n == brute(c, NULL, 0, &filters[0]), "the rest still counts (%lld)",
         (long long)n);

    /* The tiles' two ways of adding up clusters, after the writes above
     * and after random ones: status, category, place, hidden, deleted. */
    static vk_config cfg;
    cfg.db_path = t_path("count.sqlite");
    vk_ctx *ctx = NULL;
    T_EQ_INT(vk_ctx_new(&ctx, &cfg, c, &ei), VK_OK, "a context for tiles");
    ctx->counts = g;
    /* Points on and beside the edges of cluster rows and columns (the
     * tiles place a point by the rows' edges unless it lies within 1e-9°
     * of one): either way the sums' cell. */
    next_id = sql_count(c, "SELECT max(id) FROM feedback") + 1;
    exec(c, "BEGIN");
    for (int bits = 11; bits <= CLUSTER_SUMS_MAX_ZOOM + CLUSTER_SUMS_CELL_BITS; bits++) {
        static const double off[] = {0, 1e-12, -1e-12, 5e-10, -5e-10, 1.1e-9, -1.1e-9, 3e-8, -3e-8};
        double side = ldexp(1.0, bits);
        uint64_t X, Y;
        cluster_sums_cell(28.8, 61.2, bits, &X, &Y);
        double lat = atan(sinh(M_PI * (1 - 2 * (double)Y / side))) * 180 / M_PI;
        double lon = (double)X / side * 360 - 180;
        for (size_t k = 0; k < sizeof off / sizeof off[0]; k++) {
            char sql[512];
            snprintf(sql, sizeof sql,
                     "INSERT INTO feedback (id, category, description, status, created_at, updated_at, "
                     "geom) VALUES (%lld, 'parks', 'edge', 'received', '2025-01-01T00:00:00Z', 't', "
                     "MakePoint(%.17g, %.17g, 4326))",
                     (long long)next_id++, lon + off[(k + 3) % 9], lat + off[k]);
            exec(c, sql);
        }
    }
    exec(c, "COMMIT");
    test_tile_paths(ctx, "after writes");
    next_id = sql_count(c, "SELECT max(id) FROM feedback") + 1;
    for (int round = 0; round < 3; round++) {
        exec(c, "BEGIN");
        for (int i = 0; i < 300; i++) {
            char sql[512];
            int64_t id = 1 + (int64_t)rnd((unsigned)next_id);
            switch (rnd(6)) {
            case 0: snprintf(sql, sizeof sql, "UPDATE feedback SET status = '%s' WHERE id = %lld",
                             statuses[rnd(4)], (long long)id); break;
            case 1: snprintf(sql, sizeof sql, "UPDATE feedback SET category = '%s' WHERE id = %lld",
                             categories[rnd(3)], (long long)id); break;
            case 2: snprintf(sql, sizeof sql, "UPDATE feedback SET geom = GeomFromText('POINT(%.3f "
                             "%.3f)', 4326) WHERE id = %lld AND GeometryType(geom) = 'POINT'",
                             lon_at(rnd(200)), lat_at(rnd(100)), (long long)id); break;
            case 3: snprintf(sql, sizeof sql, "UPDATE feedback SET hidden = %u WHERE id = %lld",
                             rnd(2), (long long)id); break;
            case 4: snprintf(sql, sizeof sql, "DELETE FROM feedback WHERE id = %lld", (long long)id); break;
            default: snprintf(sql, sizeof sql, "SELECT 1"); break;
            }
            exec(c, sql);
        }
        exec(c, "COMMIT");
        add_items(c, 100);
        char when[32];
        snprintf(when, sizeof when, "random writes %d", round + 1);
        test_tile_paths(ctx, when);
    }
    ctx->store = NULL; /* the test's own: closed below */
    vk_ctx_free(ctx);

    test_fallbacks(c, g);
    test_changes(c, g);

    /* A second grid built from scratch agrees with the one kept up to date. */
    count_grid *fresh = NULL;
    count_grid_new(&fresh);
    T_EQ_INT(count_grid_refresh(fresh, c, &ei), VK_OK, "a fresh build");
    exec(c, "UPDATE feedback SET created_at = '2025-07-07T10:00:00Z' WHERE id = 2");
    compare(c, fresh, "fresh build", 30);
    count_grid_free(fresh);
    /* The grid kept up to date through all of the above (thousands of
     * changes: its inbox order merged its side array several times). */
    compare(c, g, "kept through every change", 30);

    /* More categories than the grid's code table holds: the grid lacks
     * items, so neither counts nor the tiles' points may come from it. */
    exec(c, "BEGIN");
    for (int k = 0; k < 300; k++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "INSERT INTO category (id, name_fi, name_sv, name_en) VALUES ('c%d', 'c', 'c', 'c');"
                 "INSERT INTO feedback (category, description, status, created_at, updated_at, geom) "
                 "VALUES ('c%d', 'x', 'received', '2025-01-01T00:00:00Z', 't', "
                 "GeomFromText('POINT(28.75 61.2)', 4326))", k, k);
        exec(c, sql);
    }
    exec(c, "COMMIT");
    count_grid *full = NULL;
    count_grid_new(&full);
    count_grid_refresh(full, c, &ei);
    count_grid_count(full, c, col, &all, NULL, &n, &handled, &ei);
    T_OK(!handled, "a full code table: counts fall back to SQL");
    const double city[4] = {28.6, 61.1, 29.0, 61.3};
    int64_t seen = 0, seq = 0;
    T_EQ_INT(count_grid_points(full, c, city, NULL, NULL, count_point, NULL, &seen, &seq, &handled,
                               &ei), VK_OK, "points with a full code table");
    T_OK(!handled, "a full code table: the tiles' points fall back to SQL (%lld given)",
         (long long)seen);
    count_grid_free(full);

    count_grid_free(g);
    store_close(c);
    t_cleanup();
    return t_done();
}
