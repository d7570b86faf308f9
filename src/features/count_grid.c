/* count_grid.c — exact counts of public feedback items from memory (see
 * count_grid.h). */
#include "features/count_grid.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "db/store_internal.h"
#include "features/cluster_sums.h"

/* More logged changes than this since the last refresh: re-read all. */
#define GRID_INCREMENTAL_MAX 50000
#define GRID_MAX_CODES 255 /* distinct statuses / categories; index 0 is NULL */
#define GRID_CODE_MAX 64
_Static_assert(GRID_MAX_CODES < CLUSTER_SUMS_CODES, "every code has its cluster sums");
/* Lines and areas whose box crosses a count's box are tested by SQLite one
 * by one; more than this in one count and the SQL count is cheaper. */
#define GRID_MAX_SHAPE_TESTS 64
/* Where the latest changes were (for the tile cache: tiles elsewhere stay
 * good); more changes than this since a tile was drawn and it is drawn
 * anew. Two boxes a change at most (before and after). */
#define GRID_CHANGE_RING 8192

enum {
    ITEM_ODD_TIME = 1, /* created_at is not "YYYY-MM-DDTHH:MM:SSZ" in 1970–2105 */
    ITEM_NO_GEOM = 2,  /* in the shape list, never in a box */
    ITEM_ANSWERED = 4, /* answered_at IS NOT NULL */
    ITEM_DISTRICT_ONLY = 8, /* location_precision 'district': never drawn as a pin */
};

/* The coded dimensions: an item holds the index of its code in each
 * table (0 = NULL). */
enum { DIM_STATUS, DIM_CATEGORY, DIM_DISTRICT, DIM_UNIT, NDIMS };

/* A public point: 40 bytes. t: created, Unix seconds. */
typedef struct grid_item {
    double x, y;
    int64_t id;
    uint32_t t;
    uint8_t code[NDIMS];
    uint8_t flags;
} grid_item;

/* A public line or area (or an item without geometry): its box. */
typedef struct grid_shape {
    double mbr[4];
    int64_t id;
    uint32_t t;
    uint8_t code[NDIMS];
    uint8_t flags;
} grid_shape;

typedef struct grid_cell {
    grid_item *v;
    uint32_t n, cap;
    int64_t sx, sy; /* sums of the points' x and y (cluster_sums_units): a map tile's
                     * cluster of a whole cell, exact as the per-zoom sums */
} grid_cell;

/* A place a logged change touched: the item's point or box before or
 * after it. */
typedef struct grid_change {
    int64_t seq;
    double box[4];
} grid_change;

/* The public items in the staff inbox's order (issue 15): a page walks
 * them from the start of its span and stops when it is full, so it costs
 * about as many entries as the page's end lies deep, never a scan of
 * every item. 16 bytes an item. Kept under writes without moving a
 * million entries for each: removed entries are marked dead in place,
 * added ones go to a small sorted side array, and the two are merged
 * into one when the side is full or many are dead. */
typedef struct inbox_entry {
    uint64_t key;        /* inbox_key(): answered, created, id */
    uint8_t code[NDIMS];
    uint8_t dead;        /* removed; dropped at the next merge */
    uint8_t pad[3];
} inbox_entry;

#define INBOX_SIDE_MAX 2048 /* added entries kept aside before a merge */

/* Where an id sits: cell + 1, SHAPES, or 0 when absent. */
#define LOC_SHAPES UINT32_MAX

struct count_grid {
    pthread_rwlock_t lock; /* readers count; a refresh writes */
    int built;
    int64_t seq;           /* the last change log row applied */
    double x0, y0, dx, dy; /* cell (i, j) holds x0 + i·dx ≤ x < x0 + (i+1)·dx; border cells also
                            * whatever lies beyond */
    int gw, gh;
    grid_cell *cells;
    grid_shape *shapes;
    uint32_t nshapes, shapes_cap;
    uint32_t *loc_cell, *loc_slot; /* by id */
    int64_t loc_cap;
    int64_t odd_times;             /* items with ITEM_ODD_TIME */
    int ncodes[NDIMS];
    char codes[NDIMS][GRID_MAX_CODES + 1][GRID_CODE_MAX];
    int unusable;                  /* a code table overflowed: always fall back */
    /* Items by their combination of codes and answered flag (open
     * addressing, key + 1 so 0 is empty): a count without a box or a time
     * adds a few thousand combinations instead of scanning every item. */
    uint64_t *combo_key;
    int64_t *combo_n;
    uint32_t combo_cap, combo_used;
    cluster_sums *sums;            /* the points by tile cluster cell; NULL: none */
    /* The inbox order (see inbox_entry): main sorted with dead entries,
     * side sorted, every entry live. Holds every public item whose id
     * fits a key; inbox_big counts those that do not (then unused). */
    inbox_entry *inbox, *side;
    uint32_t inbox_n, inbox_dead, side_n;
    int64_t inbox_big;
    int inbox_failed;              /* out of memory: pages scan the grid */
    /* The places of the changes after change_floor, oldest first from
     * ring_next - ring_n: a tile drawn at version v ≥ change_floor is
     * still good unless one of those after v meets it. */
    grid_change ring[GRID_CHANGE_RING];
    uint32_t ring_next, ring_n;
    int64_t change_floor;
};

vk_err count_grid_new(count_grid **out)
{
    count_grid *g = calloc(1, sizeof *g);
    if (!g)
        return VK_ENOMEM;
    pthread_rwlock_init(&g->lock, NULL);
    g->sums = cluster_sums_new(); /* NULL: tiles add up the grid instead */
    *out = g;
    return VK_OK;
}

static void grid_clear(count_grid *g)
{
    for (int i = 0; g->cells && i < g->gw * g->gh; i++)
        free(g->cells[i].v);
    free(g->cells);
    free(g->shapes);
    free(g->loc_cell);
    free(g->loc_slot);
    g->cells = NULL;
    g->shapes = NULL;
    g->loc_cell = g->loc_slot = NULL;
    g->nshapes = g->shapes_cap = 0;
    g->loc_cap = 0;
    g->odd_times = 0;
    memset(g->ncodes, 0, sizeof g->ncodes);
    g->unusable = 0;
    free(g->combo_key);
    free(g->combo_n);
    g->combo_key = NULL;
    g->combo_n = NULL;
    g->combo_cap = g->combo_used = 0;
    cluster_sums_clear(g->sums);
    free(g->inbox);
    free(g->side);
    g->inbox = g->side = NULL;
    g->inbox_n = g->inbox_dead = g->side_n = 0;
    g->inbox_big = 0;
    g->inbox_failed = 0;
    g->built = 0;
}

void count_grid_free(count_grid *g)
{
    if (!g)
        return;
    grid_clear(g);
    cluster_sums_free(g->sums);
    pthread_rwlock_destroy(&g->lock);
    free(g);
}

/* ---- values ---- */

/* Unix seconds of canonical "YYYY-MM-DDTHH:MM:SSZ" with every field in
 * range, so that comparing the seconds is comparing the texts; -1 else. */
static int64_t canonical_seconds(const char *s)
{
    if (!s || strlen(s) != 20)
        return -1;
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    int v[6] = {0}, k = 0;
    for (int i = 0; i < 20; i++) {
        if (shape[i] == 'd') {
            if (s[i] < '0' || s[i] > '9')
                return -1;
        } else if (s[i] != shape[i]) {
            return -1;
        }
    }
    static const int at[6][2] = {{0, 4}, {5, 2}, {8, 2}, {11, 2}, {14, 2}, {17, 2}};
    for (k = 0; k < 6; k++)
        for (int i = 0; i < at[k][1]; i++)
            v[k] = v[k] * 10 + (s[at[k][0] + i] - '0');
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[3] > 23 || v[4] > 59 || v[5] > 59)
        return -1;
    int64_t days = vk_days_from_civil(v[0], v[1], v[2]);
    int y, m, d;
    vk_civil_from_days(days, &y, &m, &d);
    if (y != v[0] || m != v[1] || d != v[2])
        return -1; /* 30 February */
    return days * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
}

/* Seconds of the first second of "YYYY-MM-DD"; -1 if it is no date. */
static int64_t date_seconds(const char *s)
{
    char full[21];
    if (!s || strlen(s) != 10)
        return -1;
    memcpy(full, s, 10);
    memcpy(full + 10, "T00:00:00Z", 11);
    return canonical_seconds(full);
}

static int time_fits(int64_t t)
{
    return t >= 0 && t <= (int64_t)UINT32_MAX;
}

/* The code's index in table k (DIM_…): 0 for NULL; adds it
 * when add is set; -1 when unknown (or the table is full). */
static int code_index(count_grid *g, int k, const char *code, int add)
{
    if (!code)
        return 0;
    for (int i = 1; i <= g->ncodes[k]; i++)
        if (strcmp(g->codes[k][i], code) == 0)
            return i;
    if (!add || g->ncodes[k] >= GRID_MAX_CODES || strlen(code) >= GRID_CODE_MAX)
        return -1;
    int i = ++g->ncodes[k];
    strcpy(g->codes[k][i], code);
    return i;
}

/* ---- cells ---- */

static int clampi(double v, int n)
{
    if (!(v >= 0)) /* also NaN */
        return 0;
    return v >= n - 1 ? n - 1 : (int)v;
}

static int cell_of(const count_grid *g, double x, double y)
{
    int i = clampi(floor((x - g->x0) / g->dx), g->gw);
    int j = clampi(floor((y - g->y0) / g->dy), g->gh);
    return j * g->gw + i;
}

static vk_err ensure_loc(count_grid *g, int64_t id)
{
    if (id < g->loc_cap)
        return VK_OK;
    int64_t cap = g->loc_cap ? g->loc_cap : 1024;
    while (cap <= id)
        cap *= 2;
    uint32_t *c = realloc(g->loc_cell, sizeof *c * (size_t)cap);
    if (c)
        g->loc_cell = c;
    uint32_t *s = c ? realloc(g->loc_slot, sizeof *s * (size_t)cap) : NULL;
    if (!c || !s)
        return VK_ENOMEM;
    g->loc_slot = s;
    memset(c + g->loc_cap, 0, sizeof *c * (size_t)(cap - g->loc_cap));
    memset(s + g->loc_cap, 0, sizeof *s * (size_t)(cap - g->loc_cap));
    g->loc_cap = cap;
    return VK_OK;
}

#define COMBO_CAP 65536 /* slots; more combinations than half of it: no table */

static uint64_t combo_of(const uint8_t *code, uint8_t flags)
{
    uint64_t k = 0;
    for (int i = 0; i < NDIMS; i++)
        k = k << 8 | code[i];
    return (k << 1 | ((flags & ITEM_ANSWERED) != 0)) + 1;
}

static void combo_add(count_grid *g, const uint8_t *code, uint8_t flags, int delta)
{
    if (!g->combo_key && g->combo_cap == 0) {
        g->combo_key = calloc(COMBO_CAP, sizeof *g->combo_key);
        g->combo_n = calloc(COMBO_CAP, sizeof *g->combo_n);
        g->combo_cap = COMBO_CAP;
        if (!g->combo_key || !g->combo_n) {
            free(g->combo_key);
            free(g->combo_n);
            g->combo_key = NULL;
            g->combo_n = NULL;
        }
    }
    if (!g->combo_key)
        return; /* given up: counts scan */
    uint64_t key = combo_of(code, flags);
    uint32_t i = (uint32_t)(key * 0x9E3779B97F4A7C15ull >> 48) & (COMBO_CAP - 1);
    while (g->combo_key[i] && g->combo_key[i] != key)
        i = (i + 1) & (COMBO_CAP - 1);
    if (!g->combo_key[i]) {
        if (g->combo_used >= COMBO_CAP / 2) {
            free(g->combo_key);
            free(g->combo_n);
            g->combo_key = NULL;
            g->combo_n = NULL;
            return;
        }
        g->combo_key[i] = key;
        g->combo_used++;
    }
    g->combo_n[i] += delta;
}

/* ---- the inbox order ---- */

#define INBOX_ID_BITS 31

static uint64_t inbox_key(int answered, uint32_t t, int64_t id)
{
    return (uint64_t)(answered != 0) << 63 | (uint64_t)t << INBOX_ID_BITS | (uint64_t)id;
}

static int key_fits(int64_t id)
{
    return id > 0 && id < (int64_t)1 << INBOX_ID_BITS;
}

/* The first entry of v[0..n) whose key is ≥ key. */
static uint32_t inbox_lower(const inbox_entry *v, uint32_t n, uint64_t key)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* main's live entries and side's into one sorted main. */
static void inbox_merge(count_grid *g)
{
    uint32_t n = g->inbox_n - g->inbox_dead + g->side_n;
    inbox_entry *v = malloc(sizeof *v * (size_t)(n ? n : 1));
    if (!v) {
        g->inbox_failed = 1;
        return;
    }
    uint32_t i = 0, j = 0, k = 0;
    while (i < g->inbox_n || j < g->side_n) {
        if (i < g->inbox_n && g->inbox[i].dead) {
            i++;
            continue;
        }
        if (j >= g->side_n || (i < g->inbox_n && g->inbox[i].key < g->side[j].key))
            v[k++] = g->inbox[i++];
        else
            v[k++] = g->side[j++];
    }
    free(g->inbox);
    g->inbox = v;
    g->inbox_n = k;
    g->inbox_dead = g->side_n = 0;
}

/* An item came in (delta 1) or went (−1); after the grid is built (the
 * build sorts all at once). */
static void inbox_track(count_grid *g, int64_t id, uint32_t t, uint8_t flags,
                        const uint8_t *code, int delta)
{
    if (!g->built || g->inbox_failed)
        return;
    if (!key_fits(id)) {
        g->inbox_big += delta;
        return;
    }
    uint64_t key = inbox_key(flags & ITEM_ANSWERED, t, id);
    if (delta < 0) {
        uint32_t i = inbox_lower(g->inbox, g->inbox_n, key);
        if (i < g->inbox_n && g->inbox[i].key == key && !g->inbox[i].dead) {
            g->inbox[i].dead = 1;
            if (++g->inbox_dead > g->inbox_n / 8 + INBOX_SIDE_MAX)
                inbox_merge(g);
            return;
        }
        uint32_t j = inbox_lower(g->side, g->side_n, key);
        if (j < g->side_n && g->side[j].key == key) {
            memmove(g->side + j, g->side + j + 1, sizeof *g->side * (g->side_n - j - 1));
            g->side_n--;
        }
        return;
    }
    if (g->side_n == INBOX_SIDE_MAX)
        inbox_merge(g);
    if (!g->side && !g->inbox_failed && !(g->side = malloc(sizeof *g->side * INBOX_SIDE_MAX)))
        g->inbox_failed = 1;
    if (g->inbox_failed)
        return;
    uint32_t j = inbox_lower(g->side, g->side_n, key);
    memmove(g->side + j + 1, g->side + j, sizeof *g->side * (g->side_n - j));
    inbox_entry *e = &g->side[j];
    memset(e, 0, sizeof *e);
    e->key = key;
    memcpy(e->code, code, NDIMS);
    g->side_n++;
}

static int cmp_entry(const void *a, const void *b)
{
    uint64_t x = ((const inbox_entry *)a)->key, y = ((const inbox_entry *)b)->key;
    return (x > y) - (x < y);
}

/* The whole order from the grid's items, once they are all in. */
static void inbox_build(count_grid *g)
{
    size_t n = g->nshapes;
    for (int c = 0; c < g->gw * g->gh; c++)
        n += g->cells[c].n;
    g->inbox = malloc(sizeof *g->inbox * (n ? n : 1));
    if (!g->inbox || n > UINT32_MAX) {
        g->inbox_failed = 1;
        return;
    }
    uint32_t k = 0;
#define INBOX_PUT(it)                                                                      do {                                                                                       if (!key_fits((it)->id)) {                                                                 g->inbox_big++;                                                                        break;                                                                             }                                                                                      inbox_entry *e_ = &g->inbox[k++];                                                      memset(e_, 0, sizeof *e_);                                                             e_->key = inbox_key((it)->flags & ITEM_ANSWERED, (it)->t, (it)->id);                   memcpy(e_->code, (it)->code, NDIMS);                                               } while (0)
    for (int c = 0; c < g->gw * g->gh; c++)
        for (uint32_t i = 0; i < g->cells[c].n; i++)
            INBOX_PUT(&g->cells[c].v[i]);
    for (uint32_t i = 0; i < g->nshapes; i++)
        INBOX_PUT(&g->shapes[i]);
#undef INBOX_PUT
    qsort(g->inbox, k, sizeof *g->inbox, cmp_entry);
    g->inbox_n = k;
}

static void item_remove(count_grid *g, int64_t id)
{
    if (id <= 0 || id >= g->loc_cap || !g->loc_cell[id])
        return;
    uint32_t where = g->loc_cell[id], slot = g->loc_slot[id];
    uint8_t flags;
    if (where == LOC_SHAPES) {
        flags = g->shapes[slot].flags;
        combo_add(g, g->shapes[slot].code, flags, -1);
        inbox_track(g, id, g->shapes[slot].t, flags, g->shapes[slot].code, -1);
        g->shapes[slot] = g->shapes[--g->nshapes];
        if (slot < g->nshapes)
            g->loc_slot[g->shapes[slot].id] = slot;
    } else {
        grid_cell *cell = &g->cells[where - 1];
        flags = cell->v[slot].flags;
        cluster_sums_add(g->sums, cell->v[slot].x, cell->v[slot].y, id,
                         cell->v[slot].code[DIM_CATEGORY], cell->v[slot].code[DIM_STATUS], -1);
        cell->sx -= cluster_sums_units(cell->v[slot].x);
        cell->sy -= cluster_sums_units(cell->v[slot].y);
        combo_add(g, cell->v[slot].code, flags, -1);
        inbox_track(g, id, cell->v[slot].t, flags, cell->v[slot].code, -1);
        cell->v[slot] = cell->v[--cell->n];
        if (slot < cell->n)
            g->loc_slot[cell->v[slot].id] = slot;
    }
    g->odd_times -= (flags & ITEM_ODD_TIME) != 0;
    g->loc_cell[id] = 0;
}

/* One row as the change log or the full read gives it. */
typedef struct grid_row {
    int64_t id;
    const char *created;
    const char *code[NDIMS];
    int has_geom, is_point, answered, district_only;
    double mbr[4];
} grid_row;

static vk_err item_add(count_grid *g, const grid_row *r)
{
    if (r->id <= 0)
        return VK_OK;
    uint8_t code[NDIMS];
    for (int k = 0; k < NDIMS; k++) {
        int idx = code_index(g, k, r->code[k], 1);
        if (idx < 0) {
            g->unusable = 1;
            return VK_OK;
        }
        code[k] = (uint8_t)idx;
    }
    if (ensure_loc(g, r->id))
        return VK_ENOMEM;
    int64_t t = canonical_seconds(r->created);
    uint8_t flags = (time_fits(t) ? 0 : ITEM_ODD_TIME) | (r->answered ? ITEM_ANSWERED : 0) |
                    (r->district_only ? ITEM_DISTRICT_ONLY : 0);
    if (!time_fits(t))
        t = 0;
    g->odd_times += (flags & ITEM_ODD_TIME) != 0;
    combo_add(g, code, flags, 1);
    inbox_track(g, r->id, (uint32_t)t, flags, code, 1);
    if (r->has_geom && r->is_point) {
        int c = cell_of(g, r->mbr[0], r->mbr[1]);
        grid_cell *cell = &g->cells[c];
        if (cell->n == cell->cap) {
            uint32_t cap = cell->cap ? cell->cap * 2 : 4;
            grid_item *v = realloc(cell->v, sizeof *v * cap);
            if (!v)
                return VK_ENOMEM;
            cell->v = v;
            cell->cap = cap;
        }
        grid_item *it = &cell->v[cell->n];
        cluster_sums_add(g->sums, r->mbr[0], r->mbr[1], r->id, code[DIM_CATEGORY],
                         code[DIM_STATUS], 1);
        cell->sx += cluster_sums_units(r->mbr[0]);
        cell->sy += cluster_sums_units(r->mbr[1]);
        it->x = r->mbr[0];
        it->y = r->mbr[1];
        it->id = r->id;
        it->t = (uint32_t)t;
        memcpy(it->code, code, sizeof code);
        it->flags = flags;
        g->loc_cell[r->id] = (uint32_t)c + 1;
        g->loc_slot[r->id] = cell->n++;
        return VK_OK;
    }
    if (g->nshapes == g->shapes_cap) {
        uint32_t cap = g->shapes_cap ? g->shapes_cap * 2 : 16;
        grid_shape *v = realloc(g->shapes, sizeof *v * cap);
        if (!v)
            return VK_ENOMEM;
        g->shapes = v;
        g->shapes_cap = cap;
    }
    grid_shape *s = &g->shapes[g->nshapes];
    memcpy(s->mbr, r->mbr, sizeof s->mbr);
    s->id = r->id;
    s->t = (uint32_t)t;
    memcpy(s->code, code, sizeof code);
    s->flags = flags | (r->has_geom ? 0 : ITEM_NO_GEOM);
    g->loc_cell[r->id] = LOC_SHAPES;
    g->loc_slot[r->id] = g->nshapes++;
    return VK_OK;
}

/* ---- reading the store ---- */

/* The codes as the collection's queryables read them (district and unit
 * through their tables: a renamed code is a reference change in the log,
 * which rebuilds the grid). */
#define GRID_COLS                                                                     \
    "f.id, f.created_at, f.status, f.category, f.geom IS NOT NULL, "                  \
    "GeometryType(f.geom) = 'POINT', MbrMinX(f.geom), MbrMinY(f.geom), MbrMaxX(f.geom), " \
    "MbrMaxY(f.geom), (SELECT d.code FROM district d WHERE d.id = f.district_id), "   \
    "(SELECT u.code FROM unit u WHERE u.id = f.unit_id), f.answered_at IS NOT NULL, "  \
    "f.location_precision = 'district'"
#define SQL_STAMP "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'stats_change'), 0)"
#define SQL_ALL "SELECT 0, " GRID_COLS " FROM feedback f WHERE f.hidden = 0"
/* f.id is NULL when the item is gone or hidden: it is then only removed. */
#define SQL_CHANGED                                                                  \
    "SELECT c.seq, " GRID_COLS ", c.feedback_id FROM stats_change c LEFT JOIN feedback f ON f.id = " \
    "c.feedback_id AND f.hidden = 0 WHERE c.seq > ?1 ORDER BY c.seq"
#define SQL_SHAPE_TEST                                                               \
    "SELECT Intersects(f.geom, BuildMbr(?1, ?2, ?3, ?4, 4326)) FROM feedback f WHERE f.id = ?5"

static void read_row(sqlite3_stmt *st, grid_row *r)
{
    r->id = sqlite3_column_int64(st, 1);
    r->created = (const char *)sqlite3_column_text(st, 2);
    r->code[DIM_STATUS] = (const char *)sqlite3_column_text(st, 3);
    r->code[DIM_CATEGORY] = (const char *)sqlite3_column_text(st, 4);
    r->code[DIM_DISTRICT] = (const char *)sqlite3_column_text(st, 11);
    r->code[DIM_UNIT] = (const char *)sqlite3_column_text(st, 12);
    r->answered = sqlite3_column_int(st, 13);
    r->district_only = sqlite3_column_int(st, 14);
    r->has_geom = sqlite3_column_int(st, 5);
    r->is_point = sqlite3_column_int(st, 6);
    for (int i = 0; i < 4; i++)
        r->mbr[i] = sqlite3_column_double(st, 7 + i);
}

static vk_err read_stamp(store_conn *c, int64_t *seq, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_cached_stmt(c, SQL_STAMP, ei);
    if (!st)
        return VK_EDB;
    int rc = sqlite3_step(st);
    *seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    vk_err e = rc == SQLITE_ROW ? VK_OK : store_db_fail(c, ei, "reading the change log");
    sqlite3_reset(st);
    return e;
}

/* Everything anew: read all public items, fit the grid to their points. */
static vk_err build_full(count_grid *g, store_conn *c, int64_t seq, vk_errinfo *ei)
{
    grid_clear(g);
    sqlite3_stmt *st = store_cached_stmt(c, SQL_ALL, ei);
    if (!st)
        return VK_EDB;
    /* First pass: the points' extent and how many. */
    double lo[2] = {HUGE_VAL, HUGE_VAL}, hi[2] = {-HUGE_VAL, -HUGE_VAL};
    int64_t npoints = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        grid_row r;
        read_row(st, &r);
        if (!r.has_geom || !r.is_point || !isfinite(r.mbr[0]) || !isfinite(r.mbr[1]))
            continue;
        lo[0] = fmin(lo[0], r.mbr[0]);
        lo[1] = fmin(lo[1], r.mbr[1]);
        hi[0] = fmax(hi[0], r.mbr[0]);
        hi[1] = fmax(hi[1], r.mbr[1]);
        npoints++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_db_fail(c, ei, "reading items to count");
    if (!npoints) {
        /* Nothing yet: a grid over the whole world; new points still fit. */
        lo[0] = -180, lo[1] = -90, hi[0] = 180, hi[1] = 90;
    }
    /* About 8 points a cell where there are points; at least 16 × 16. */
    int n = (int)sqrt((double)npoints / 8.0);
    n = n < 16 ? 16 : n > 2048 ? 2048 : n;
    g->gw = g->gh = n;
    double wx = hi[0] - lo[0], wy = hi[1] - lo[1];
    wx = wx > 1e-9 ? wx : 1e-9;
    wy = wy > 1e-9 ? wy : 1e-9;
    /* A little room around, so that the border cells (which also hold
     * anything beyond) are mostly empty. */
    g->dx = wx * 1.02 / (n - 2);
    g->dy = wy * 1.02 / (n - 2);
    g->x0 = lo[0] - wx * 0.01 - g->dx;
    g->y0 = lo[1] - wy * 0.01 - g->dy;
    g->cells = calloc((size_t)n * (size_t)n, sizeof *g->cells);
    if (!g->cells)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    vk_err e = VK_OK;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        grid_row r;
        read_row(st, &r);
        e = item_add(g, &r);
    }
    sqlite3_reset(st);
    if (e)
        return vk_fail(ei, e, "", NULL);
    if (rc != SQLITE_DONE)
        return store_db_fail(c, ei, "reading items to count");
    inbox_build(g);
    g->seq = seq;
    g->built = 1;
    /* Read anew: no tile drawn before can be checked against changes. */
    g->change_floor = seq;
    g->ring_n = 0;
    return VK_OK;
}

/* ---- where changes were ---- */

static void change_push(count_grid *g, int64_t seq, const double box[4])
{
    grid_change *c = &g->ring[g->ring_next];
    if (g->ring_n == GRID_CHANGE_RING)
        g->change_floor = c->seq; /* forgotten: tiles older than it are drawn anew */
    else
        g->ring_n++;
    c->seq = seq;
    memcpy(c->box, box, sizeof c->box);
    g->ring_next = (g->ring_next + 1) % GRID_CHANGE_RING;
}

/* The item's place in the grid now (point or box), if it has one. */
static int item_place(const count_grid *g, int64_t id, double box[4])
{
    if (id <= 0 || id >= g->loc_cap || !g->loc_cell[id])
        return 0;
    uint32_t where = g->loc_cell[id], slot = g->loc_slot[id];
    if (where == LOC_SHAPES) {
        const grid_shape *s = &g->shapes[slot];
        if (s->flags & ITEM_NO_GEOM)
            return 0;
        memcpy(box, s->mbr, sizeof s->mbr);
        return 1;
    }
    const grid_item *it = &g->cells[where - 1].v[slot];
    box[0] = box[2] = it->x;
    box[1] = box[3] = it->y;
    return 1;
}

/* *reference set: a reference change (areas, units, categories) was
 * logged, after which codes may read differently: build anew. */
static vk_err apply_changes(count_grid *g, store_conn *c, int *reference, vk_errinfo *ei)
{
    *reference = 0;
    sqlite3_stmt *st = store_cached_stmt(c, SQL_CHANGED, ei);
    if (!st)
        return VK_EDB;
    sqlite3_bind_int64(st, 1, g->seq);
    int rc;
    vk_err e = VK_OK;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        if (sqlite3_column_type(st, 15) == SQLITE_NULL) {
            *reference = 1;
            rc = SQLITE_DONE;
            break;
        }
        grid_row r;
        read_row(st, &r);
        /* The log row's item, as it is now: out, and back in if public;
         * the tiles over both places change. */
        int64_t id = sqlite3_column_int64(st, 15);
        double box[4];
        if (item_place(g, id, box))
            change_push(g, seq, box);
        item_remove(g, id);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
            e = item_add(g, &r);
            if (!e && item_place(g, id, box))
                change_push(g, seq, box);
        }
        g->seq = seq;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (e)
        return vk_fail(ei, e, "", NULL);
    return rc == SQLITE_DONE ? VK_OK : store_db_fail(c, ei, "reading the change log");
}

/* With the write lock held. */
static vk_err refresh_locked(count_grid *g, store_conn *c, int64_t seq, vk_errinfo *ei)
{
    if (g->built && g->seq == seq)
        return VK_OK;
    if (!g->built || seq < g->seq || seq - g->seq > GRID_INCREMENTAL_MAX)
        return build_full(g, c, seq, ei);
    int reference = 0;
    vk_err e = apply_changes(g, c, &reference, ei);
    if (!e && reference)
        return build_full(g, c, seq, ei);
    if (e)
        grid_clear(g); /* half applied: build anew next time */
    return e;
}

vk_err count_grid_refresh(count_grid *g, store_conn *c, vk_errinfo *ei)
{
    int64_t seq;
    vk_err e = read_stamp(c, &seq, ei);
    if (e)
        return e;
    pthread_rwlock_wrlock(&g->lock);
    e = refresh_locked(g, c, seq, ei);
    pthread_rwlock_unlock(&g->lock);
    return e;
}

/* ---- the query ---- */

typedef struct grid_filter {
    uint8_t ok[NDIMS][GRID_MAX_CODES + 1]; /* allowed code indexes per dimension */
    int any_code;       /* some coded condition */
    int answered;       /* -1 either, 0 unanswered only, 1 answered only */
    int none;           /* no public item can match (e.g. hidden IN (1, 2)) */
    int has_time;
    int64_t t_lo, t_hi; /* inclusive, Unix seconds */
} grid_filter;

/* The coded dimension a property names, -1 if none; *is_id: the raw id
 * column (only "IS NULL" is understood on it). */
static int dim_of(const char *property, int *is_id)
{
    static const char *const names[NDIMS][2] = {
        {"status", NULL}, {"category", NULL}, {"district", "district_id"}, {"unit", "unit_id"}};
    for (int k = 0; k < NDIMS; k++)
        for (int j = 0; j < 2; j++)
            if (names[k][j] && strcmp(names[k][j], property) == 0) {
                *is_id = j;
                return k;
            }
    return -1;
}

/* The codes of dimension k that node e lets through, into set (every
 * index 0..GRID_MAX_CODES); 0 when e is not a condition on k alone. */
static int dim_set(count_grid *g, const cql2_expr *e, int k, uint8_t *set, int depth)
{
    if (!e || depth > CQL2_MAX_DEPTH + 2)
        return 0;
    if (e->kind == CQL2_OR || e->kind == CQL2_AND) {
        uint8_t r[GRID_MAX_CODES + 1];
        if (!dim_set(g, e->left, k, set, depth + 1) || !dim_set(g, e->right, k, r, depth + 1))
            return 0;
        for (int i = 0; i <= GRID_MAX_CODES; i++)
            set[i] = e->kind == CQL2_OR ? (set[i] | r[i]) : (set[i] & r[i]);
        return 1;
    }
    int is_id = 0;
    if (!e->property || dim_of(e->property, &is_id) != k)
        return 0;
    if (e->kind == CQL2_ISNULL) {
        /* NULL is index 0: a code, or the id of a row that is gone. */
        memset(set, e->negated, GRID_MAX_CODES + 1);
        set[0] = !e->negated;
        return 1;
    }
    if (is_id || (e->kind != CQL2_CMP && e->kind != CQL2_IN))
        return 0;
    if (e->kind == CQL2_CMP && e->op != CQL2_EQ && e->op != CQL2_NE)
        return 0;
    uint8_t want[GRID_MAX_CODES + 1] = {0};
    for (int i = 0; i < e->nvalues; i++) {
        if (e->values[i].kind != CQL2_LIT_STRING || !e->values[i].text)
            return 0;
        int idx = code_index(g, k, e->values[i].text, 0);
        if (idx > 0)
            want[idx] = 1;
    }
    int negate = e->kind == CQL2_CMP ? e->op == CQL2_NE : e->negated;
    /* SQL: NULL compares to nothing, neither equal nor unequal. */
    set[0] = 0;
    for (int i = 1; i <= GRID_MAX_CODES; i++)
        set[i] = negate ? !want[i] : want[i];
    return 1;
}

/* The property a subtree constrains, if it is one and the same for all
 * its leaves (district and district_id count as one); NULL otherwise. */
static int single_dim(const cql2_expr *e, int depth)
{
    if (!e || depth > CQL2_MAX_DEPTH + 2)
        return -1;
    if (e->kind == CQL2_OR || e->kind == CQL2_AND) {
        int l = single_dim(e->left, depth + 1), r = single_dim(e->right, depth + 1);
        return l == r ? l : -1;
    }
    int is_id;
    return e->property ? dim_of(e->property, &is_id) : -1;
}

/* Narrow f by one CQL2 node; 0 when the grid cannot evaluate it. Called
 * with the lock held (the code tables). */
static int filter_node(count_grid *g, const cql2_expr *e, grid_filter *f, int depth)
{
    if (!e || depth > CQL2_MAX_DEPTH + 2)
        return 0;
    int k = single_dim(e, depth);
    if (k >= 0) {
        uint8_t set[GRID_MAX_CODES + 1];
        if (!dim_set(g, e, k, set, depth))
            return 0;
        for (int i = 0; i <= GRID_MAX_CODES; i++)
            f->ok[k][i] &= set[i];
        f->any_code = 1;
        return 1;
    }
    if (e->kind == CQL2_AND)
        return filter_node(g, e->left, f, depth + 1) && filter_node(g, e->right, f, depth + 1);
    if (!e->property)
        return 0;
    if (strcmp(e->property, "answered") == 0 && e->kind == CQL2_ISNULL) {
        int want = e->negated; /* IS NOT NULL: answered */
        if (f->answered >= 0 && f->answered != want)
            f->none = 1;
        f->answered = want;
        return 1;
    }
    if (strcmp(e->property, "hidden") == 0 && e->kind == CQL2_IN) {
        /* The staff inbox's visibility: the grid holds the public (0) ones. */
        int zero = 0;
        for (int i = 0; i < e->nvalues; i++) {
            if (e->values[i].kind != CQL2_LIT_NUMBER)
                return 0;
            zero |= e->values[i].number == 0;
        }
        if (zero == e->negated)
            f->none = 1;
        return 1;
    }
    if (strcmp(e->property, "created") == 0 && e->kind == CQL2_CMP && e->nvalues == 1 &&
        e->op != CQL2_NE) {
        const cql2_literal *l = &e->values[0];
        int64_t lo, hi; /* the literal as a span of seconds */
        if (l->kind == CQL2_LIT_TIMESTAMP)
            lo = hi = canonical_seconds(l->text);
        else if (l->kind == CQL2_LIT_DATE)
            hi = (lo = date_seconds(l->text)) + 86399;
        else
            return 0;
        if (lo < 0)
            return 0;
        f->has_time = 1;
        switch (e->op) {
        case CQL2_EQ: f->t_lo = lo > f->t_lo ? lo : f->t_lo; f->t_hi = hi < f->t_hi ? hi : f->t_hi; break;
        case CQL2_LT: f->t_hi = lo - 1 < f->t_hi ? lo - 1 : f->t_hi; break;
        case CQL2_LE: f->t_hi = hi < f->t_hi ? hi : f->t_hi; break;
        case CQL2_GT: f->t_lo = hi + 1 > f->t_lo ? hi + 1 : f->t_lo; break;
        case CQL2_GE: f->t_lo = lo > f->t_lo ? lo : f->t_lo; break;
        default: return 0;
        }
        return 1;
    }
    return 0;
}

/* The filter's conditions but time. */
static int codes_pass(const grid_filter *f, const uint8_t *code, uint8_t flags)
{
    for (int k = 0; k < NDIMS; k++)
        if (!f->ok[k][code[k]])
            return 0;
    return f->answered < 0 || ((flags & ITEM_ANSWERED) != 0) == f->answered;
}

static int item_passes(const grid_filter *f, uint32_t t, const uint8_t *code, uint8_t flags)
{
    for (int k = 0; k < NDIMS; k++)
        if (!f->ok[k][code[k]])
            return 0;
    if (f->answered >= 0 && ((flags & ITEM_ANSWERED) != 0) != f->answered)
        return 0;
    return !f->has_time || ((int64_t)t >= f->t_lo && (int64_t)t <= f->t_hi);
}

/* The first keys of the matching items in the page's order, when a page
 * is to be chosen too: a max-heap of at most k keys (the page's end), so
 * a page of a million matches costs a scan, not a sort. */
typedef struct id_list {
    uint64_t *v;
    int64_t n, cap;
    int64_t k;       /* keep the k smallest keys */
    uint64_t above;  /* only keys above this (keyset paging) */
    int inbox;       /* the key is the inbox order's, else the id */
    int failed;      /* out of memory */
    int too_big;     /* an id too large for an inbox key: SQL answers */
} id_list;

static void id_push(id_list *l, int64_t id, uint32_t t, uint8_t flags)
{
    if (l->inbox && (id <= 0 || id >= (int64_t)1 << INBOX_ID_BITS)) {
        l->too_big = 1;
        return;
    }
    uint64_t key = l->inbox ? inbox_key(flags & ITEM_ANSWERED, t, id) : (uint64_t)id;
    if (key <= l->above || l->k <= 0)
        return;
    uint64_t *h = l->v;
    if (l->n == l->k) {
        if (key >= h[0])
            return;
        /* Replace the largest and sift it down. */
        int64_t i = 0;
        for (;;) {
            int64_t c = 2 * i + 1;
            if (c >= l->n)
                break;
            if (c + 1 < l->n && h[c + 1] > h[c])
                c++;
            if (h[c] <= key)
                break;
            h[i] = h[c];
            i = c;
        }
        h[i] = key;
        return;
    }
    if (l->n == l->cap) {
        int64_t cap = l->cap ? l->cap * 2 : 256;
        cap = cap > l->k ? l->k : cap;
        h = l->failed ? NULL : realloc(l->v, sizeof *h * (size_t)cap);
        if (!h) {
            l->failed = 1;
            return;
        }
        l->v = h;
        l->cap = cap;
    }
    int64_t i = l->n++;
    while (i > 0 && h[(i - 1) / 2] < key) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = key;
}

/* Append a key found in order (the walk's keys come sorted: no heap). */
static void id_append(id_list *l, uint64_t key)
{
    if (l->n == l->cap) {
        int64_t cap = l->cap ? l->cap * 2 : 256;
        cap = cap > l->k ? l->k : cap;
        uint64_t *v = l->failed ? NULL : realloc(l->v, sizeof *v * (size_t)cap);
        if (!v) {
            l->failed = 1;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = key;
}

/* The matches of f with keys in [lo, hi], main and side merged in order,
 * answered flag a; each appended to ids (when not NULL) until it holds
 * ids->k, and then, unless count is set, the walk stops. */
static int64_t inbox_span(const count_grid *g, const grid_filter *f, int a, uint64_t lo,
                          uint64_t hi, id_list *ids, int count)
{
    int64_t n = 0;
    uint32_t i = inbox_lower(g->inbox, g->inbox_n, lo);
    uint32_t j = inbox_lower(g->side, g->side_n, lo);
    uint8_t flags = a ? ITEM_ANSWERED : 0;
    for (;;) {
        const inbox_entry *e;
        if (i < g->inbox_n && (j >= g->side_n || g->inbox[i].key < g->side[j].key))
            e = &g->inbox[i++];
        else if (j < g->side_n)
            e = &g->side[j++];
        else
            break;
        if (e->key > hi)
            break;
        if (e->dead || !codes_pass(f, e->code, flags))
            continue;
        n++;
        if (ids && ids->n < ids->k)
            id_append(ids, e->key);
        else if (ids && !count)
            break;
    }
    return n;
}

/* The page's keys from the inbox order, with the read lock held, and the
 * number of matches: n_all when f has no time condition (the
 * combinations' count, ≥ 0), else counted — inside the time span, or,
 * when the entries outside it are fewer (older_than_days: the last
 * month's), n_all less the matches outside. Each answered part of the
 * order (unanswered first) is walked from the span's first key. */
static int64_t inbox_walk(const count_grid *g, const grid_filter *f, id_list *ids, int64_t n_all)
{
    int64_t t_lo = f->has_time ? f->t_lo : 0, t_hi = f->has_time ? f->t_hi : UINT32_MAX;
    if (t_lo < 0)
        t_lo = 0;
    if (t_hi > (int64_t)UINT32_MAX)
        t_hi = UINT32_MAX;
    if (t_lo > t_hi)
        return 0;
    const uint64_t id_max = ((uint64_t)1 << INBOX_ID_BITS) - 1;
    uint64_t lo[2], hi[2], first[2], last[2];
    int64_t inside = 0, outside = 0;
    for (int a = 0; a < 2; a++) {
        first[a] = inbox_key(a, 0, 0);
        last[a] = inbox_key(a, UINT32_MAX, (int64_t)id_max);
        lo[a] = inbox_key(a, (uint32_t)t_lo, 0);
        hi[a] = inbox_key(a, (uint32_t)t_hi, (int64_t)id_max);
        if (f->answered >= 0 && f->answered != a)
            continue;
        /* How many entries each way (main's, near enough). */
        uint32_t p0 = inbox_lower(g->inbox, g->inbox_n, first[a]);
        uint32_t p1 = inbox_lower(g->inbox, g->inbox_n, lo[a]);
        uint32_t p2 = hi[a] == UINT64_MAX ? g->inbox_n : inbox_lower(g->inbox, g->inbox_n, hi[a] + 1);
        uint32_t p3 = last[a] == UINT64_MAX ? g->inbox_n : inbox_lower(g->inbox, g->inbox_n, last[a] + 1);
        inside += p2 - p1;
        outside += (p1 - p0) + (p3 - p2);
    }
    int count_inside = n_all < 0 || (f->has_time && inside <= outside);
    int64_t n = 0, out = 0;
    for (int a = 0; a < 2; a++) {
        if (f->answered >= 0 && f->answered != a)
            continue;
        n += inbox_span(g, f, a, lo[a], hi[a], ids, count_inside);
        if (count_inside || !f->has_time)
            continue;
        if (lo[a] > first[a])
            out += inbox_span(g, f, a, first[a], lo[a] - 1, NULL, 1);
        if (hi[a] < last[a])
            out += inbox_span(g, f, a, hi[a] + 1, last[a], NULL, 1);
    }
    return count_inside ? n : n_all - out;
}

/* Count with the read lock held; 0 when it cannot answer. With ids, also
 * collect the id of every matching item (in no order). */
static int count_locked(count_grid *g, store_conn *c, const store_items_query *q,
                        const grid_filter *f, int64_t *out, id_list *ids, vk_errinfo *ei,
                        vk_err *err)
{
    int filtered = f->any_code || f->has_time || f->answered >= 0;
    if (f->none) {
        *out = 0;
        return 1;
    }
    int64_t n = 0;
    if (!q->has_bbox && g->combo_key) {
        /* Without a box the combinations count (a time condition aside,
         * for which they are an upper bound); none at all: no scan. */
        for (uint32_t i = 0; i < g->combo_cap; i++) {
            uint64_t key = g->combo_key[i];
            if (!key || !g->combo_n[i])
                continue;
            key--;
            uint8_t code[NDIMS];
            for (int k = NDIMS - 1; k >= 0; k--)
                code[k] = (uint8_t)(key >> (1 + 8 * (NDIMS - 1 - k)));
            if (codes_pass(f, code, (key & 1) ? ITEM_ANSWERED : 0))
                n += g->combo_n[i];
        }
        if (n == 0 || (!ids && !f->has_time)) {
            *out = n;
            return 1;
        }
    }
    if (ids && ids->inbox && !q->has_bbox && !g->inbox_failed && !g->inbox_big &&
        !ids->above) {
        /* The inbox's page from its order; the count from the
         * combinations, with a time condition also from the walk. */
        int64_t m = inbox_walk(g, f, ids, g->combo_key ? n : -1);
        if (ids->failed) {
            *err = vk_fail(ei, VK_ENOMEM, "", NULL);
            return 1;
        }
        *out = m;
        return 1;
    }
    n = 0;
    const double *b = q->bbox;
    int i0 = 0, i1 = g->gw - 1, j0 = 0, j1 = g->gh - 1;
    if (q->has_bbox) {
        i0 = clampi(floor((b[0] - g->x0) / g->dx), g->gw);
        i1 = clampi(floor((b[2] - g->x0) / g->dx), g->gw);
        j0 = clampi(floor((b[1] - g->y0) / g->dy), g->gh);
        j1 = clampi(floor((b[3] - g->y0) / g->dy), g->gh);
    }
    for (int j = j0; j <= j1; j++) {
        /* Wholly inside the box (with a margin for rounding in cell_of),
         * and not a border cell, which holds what lies beyond too. */
        double cy0 = g->y0 + j * g->dy, cy1 = cy0 + g->dy, ey = g->dy * 1e-6;
        int row_in = !q->has_bbox ||
                     (j > 0 && j < g->gh - 1 && cy0 - ey >= b[1] && cy1 + ey <= b[3]);
        for (int i = i0; i <= i1; i++) {
            const grid_cell *cell = &g->cells[j * g->gw + i];
            if (!cell->n)
                continue;
            double cx0 = g->x0 + i * g->dx, cx1 = cx0 + g->dx, ex = g->dx * 1e-6;
            int inside = row_in && (!q->has_bbox || (i > 0 && i < g->gw - 1 && cx0 - ex >= b[0] &&
                                                     cx1 + ex <= b[2]));
            if (inside && !filtered && !ids) {
                n += cell->n;
                continue;
            }
            for (uint32_t k = 0; k < cell->n; k++) {
                const grid_item *it = &cell->v[k];
                if (!inside && !(it->x >= b[0] && it->x <= b[2] && it->y >= b[1] && it->y <= b[3]))
                    continue;
                if (filtered && !item_passes(f, it->t, it->code, it->flags))
                    continue;
                n++;
                if (ids)
                    id_push(ids, it->id, it->t, it->flags);
            }
        }
    }
    /* Lines, areas and items without a place. */
    int tests = 0;
    sqlite3_stmt *st = NULL;
    for (uint32_t k = 0; k < g->nshapes; k++) {
        const grid_shape *s = &g->shapes[k];
        if (filtered && !item_passes(f, s->t, s->code, s->flags))
            continue;
        if (!q->has_bbox) {
            n++;
            if (ids)
                id_push(ids, s->id, s->t, s->flags);
            continue;
        }
        if ((s->flags & ITEM_NO_GEOM) || s->mbr[0] > b[2] || s->mbr[2] < b[0] ||
            s->mbr[1] > b[3] || s->mbr[3] < b[1])
            continue;
        /* The box touches its box: GEOS decides, as the SQL count would.
         * A box of no width or height is a degenerate polygon, which GEOS
         * tests differently prepared and unprepared: the SQL count's. */
        if (++tests > GRID_MAX_SHAPE_TESTS || b[0] == b[2] || b[1] == b[3])
            return 0;
        if (!st && !(st = store_cached_stmt(c, SQL_SHAPE_TEST, ei))) {
            *err = VK_EDB;
            return 1;
        }
        for (int i = 0; i < 4; i++)
            sqlite3_bind_double(st, 1 + i, b[i]);
        sqlite3_bind_int64(st, 5, s->id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            if (sqlite3_column_int(st, 0) == 1) {
                n++;
                if (ids)
                    id_push(ids, s->id, s->t, s->flags);
            }
        }
        else if (rc != SQLITE_DONE)
            *err = store_db_fail(c, ei, "testing a shape against a box");
        sqlite3_reset(st);
        if (*err)
            return 1;
    }
    if (ids && ids->failed) {
        *err = vk_fail(ei, VK_ENOMEM, "", NULL);
        return 1;
    }
    *out = n;
    return 1;
}

static int cmp_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static vk_err grid_query(count_grid *g, store_conn *c, const store_collection *col,
                         const store_items_query *q, const cql2_expr *filter, int64_t *n,
                         id_list *ids, int *handled, vk_errinfo *ei)
{
    *handled = 0;
    if (!g || col != store_collection_find("feedback") || q->include_nonpublic ||
        q->staff_view || q->has_near || q->id || q->id_text || q->nonpublic_only ||
        q->geometry_dim)
        return VK_OK;
    if (q->has_bbox && !(q->bbox[0] <= q->bbox[2] && q->bbox[1] <= q->bbox[3]))
        return VK_OK; /* a box across the antimeridian: the SQL's business */
    if (q->where && !filter)
        return VK_OK; /* a condition we were not shown */
    grid_filter f;
    memset(f.ok, 1, sizeof f.ok);
    f.any_code = 0;
    f.answered = -1;
    f.none = 0;
    f.has_time = 0;
    f.t_lo = INT64_MIN;
    f.t_hi = INT64_MAX;
    if (q->time_start || q->time_end) {
        int64_t a = q->time_start ? canonical_seconds(q->time_start) : INT64_MIN;
        int64_t b = q->time_end ? canonical_seconds(q->time_end) : INT64_MAX;
        if (a == -1 || b == -1)
            return VK_OK;
        f.has_time = 1;
        f.t_lo = a;
        f.t_hi = b;
    }

    int64_t seq;
    vk_err e = read_stamp(c, &seq, ei);
    if (e)
        return e;
    /* Never wait for a refresh: the SQL count is exact too. */
    if (pthread_rwlock_tryrdlock(&g->lock) != 0)
        return VK_OK;
    if (!g->built || g->seq != seq) {
        pthread_rwlock_unlock(&g->lock);
        /* While another thread refreshes (or builds: the server's warm-up
         * takes seconds for a million items) the SQL count answers
         * instead of waiting. */
        if (pthread_rwlock_trywrlock(&g->lock) != 0)
            return VK_OK;
        /* The grid is the server's, not this request's: no deadline. */
        int64_t deadline = store_deadline_get(c);
        store_deadline_set(c, 0);
        e = refresh_locked(g, c, seq, ei);
        store_deadline_set(c, deadline);
        pthread_rwlock_unlock(&g->lock);
        if (e || pthread_rwlock_tryrdlock(&g->lock) != 0)
            return e;
    }
    /* The filter's codes are looked up now that the tables are current. */
    int ok = g->built && !g->unusable && (!filter || filter_node(g, filter, &f, 0)) &&
             !((f.has_time || (ids && ids->inbox)) && g->odd_times > 0);
    if (ok)
        *handled = count_locked(g, c, q, &f, n, ids, ei, &e);
    pthread_rwlock_unlock(&g->lock);
    return e;
}

vk_err count_grid_count(count_grid *g, store_conn *c, const store_collection *col,
                        const store_items_query *q, const cql2_expr *filter, int64_t *n,
                        int *handled, vk_errinfo *ei)
{
    return grid_query(g, c, col, q, filter, n, NULL, handled, ei);
}

vk_err count_grid_select(count_grid *g, store_conn *c, const store_collection *col,
                         const store_items_query *q, const cql2_expr *filter, int order,
                         int64_t *n, int64_t **ids, uint64_t **keys, int64_t *nids, int *handled,
                         vk_errinfo *ei)
{
    id_list l = {0};
    *ids = NULL;
    if (keys)
        *keys = NULL;
    *nids = 0;
    l.inbox = order == COUNT_GRID_BY_INBOX;
    if (l.inbox && q->after)
        return VK_OK; /* the inbox pages by offset */
    l.above = (uint64_t)(q->after > 0 ? q->after : 0);
    int64_t skip = q->after ? 0 : q->offset;
    l.k = q->limit < 0 ? INT64_MAX : skip + q->limit;
    vk_err e = grid_query(g, c, col, q, filter, n, &l, handled, ei);
    /* An inbox key needs every created time canonical (read under the
     * lock by grid_query: odd_times is checked there for inbox pages). */
    if (e || !*handled || l.too_big) {
        *handled = 0;
        free(l.v);
        return e;
    }
    if (l.n) /* l.v is NULL when nothing matched */
        qsort(l.v, (size_t)l.n, sizeof *l.v, cmp_key);
    int64_t from = skip < l.n ? skip : l.n, k = l.n - from;
    int64_t *out = malloc(sizeof *out * (size_t)(k ? k : 1));
    if (!out) {
        free(l.v);
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    for (int64_t i = 0; i < k; i++)
        out[i] = (int64_t)(l.inbox ? l.v[from + i] & (((uint64_t)1 << INBOX_ID_BITS) - 1)
                                   : l.v[from + i]);
    if (keys) {
        if (k)
            memmove(l.v, l.v + from, sizeof *l.v * (size_t)k);
        *keys = l.v;
    } else {
        free(l.v);
    }
    *ids = out;
    *nids = k;
    return VK_OK;
}

uint64_t count_grid_inbox_key(int answered, const char *created, int64_t id)
{
    int64_t t = canonical_seconds(created);
    if (!time_fits(t) || id <= 0 || id >= (int64_t)1 << INBOX_ID_BITS)
        return 0;
    return inbox_key(answered, (uint32_t)t, id);
}

/* ---- points for map tiles ---- */

static const count_grid_point *point_of(const count_grid *g, count_grid_point *p, int64_t id,
                                        double x, double y, int is_shape, uint32_t t,
                                        const uint8_t *code, uint8_t flags)
{
    p->id = id;
    p->x = x;
    p->y = y;
    p->is_shape = is_shape;
    p->created = (flags & ITEM_ODD_TIME) ? -1 : (int64_t)t;
    p->status = code[DIM_STATUS] ? g->codes[DIM_STATUS][code[DIM_STATUS]] : NULL;
    p->category = code[DIM_CATEGORY] ? g->codes[DIM_CATEGORY][code[DIM_CATEGORY]] : NULL;
    p->district = code[DIM_DISTRICT] ? g->codes[DIM_DISTRICT][code[DIM_DISTRICT]] : NULL;
    p->district_only = (flags & ITEM_DISTRICT_ONLY) != 0;
    return p;
}

/* The grid read-locked and current at *seq (the change log's newest row):
 * *locked 1. *locked 0 when it is busy being refreshed by another thread
 * (as count_grid_count: never wait; the caller does without it). */
/* The read lock, waiting a little for a refresh in progress: applying a
 * few logged changes takes well under that, a full build (seconds) not. */
static int rdlock_briefly(count_grid *g)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 20 * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    return pthread_rwlock_timedrdlock(&g->lock, &until);
}

static vk_err read_current(count_grid *g, store_conn *c, int64_t *seq, int *locked,
                           vk_errinfo *ei)
{
    *locked = 0;
    vk_err e = read_stamp(c, seq, ei);
    if (e || rdlock_briefly(g) != 0)
        return e;
    if (!g->built || g->seq != *seq) {
        pthread_rwlock_unlock(&g->lock);
        if (pthread_rwlock_trywrlock(&g->lock) == 0) {
            int64_t deadline = store_deadline_get(c);
            store_deadline_set(c, 0);
            e = refresh_locked(g, c, *seq, ei);
            store_deadline_set(c, deadline);
            pthread_rwlock_unlock(&g->lock);
        }
        /* Refreshed here or by the thread that held it. */
        if (e || rdlock_briefly(g) != 0)
            return e;
    }
    /* Another writer moved on meanwhile, or a code table overflowed (the
     * grid then lacks items): the caller reads SQLite. */
    if (!g->built || g->seq != *seq || g->unusable) {
        pthread_rwlock_unlock(&g->lock);
        return VK_OK;
    }
    *locked = 1;
    return VK_OK;
}

/* Lines and areas whose box meets bbox, given at their box's centre;
 * with the read lock held. Returns fn's stop. */
static int shapes_each(const count_grid *g, const double bbox[4], count_grid_point_fn fn,
                       void *arg)
{
    count_grid_point p;
    int stop = 0;
    for (uint32_t k = 0; k < g->nshapes && !stop; k++) {
        const grid_shape *s = &g->shapes[k];
        if (s->flags & ITEM_NO_GEOM)
            continue;
        double x = (s->mbr[0] + s->mbr[2]) / 2, y = (s->mbr[1] + s->mbr[3]) / 2;
        if (s->mbr[0] <= bbox[2] && s->mbr[2] >= bbox[0] && s->mbr[1] <= bbox[3] &&
            s->mbr[3] >= bbox[1])
            stop = fn(arg, point_of(g, &p, s->id, x, y, 1, s->t, s->code, s->flags));
    }
    return stop;
}

int count_grid_in_list(const char *list, const char *v)
{
    if (!list)
        return 1;
    if (!v)
        return 0;
    size_t n = strlen(v);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0)
            return 1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* The codes of dimension k a comma list lets through (every one when it
 * is NULL; NULL values never otherwise); with the lock held. */
static void list_codes(const count_grid *g, int k, const char *list, uint8_t ok[GRID_MAX_CODES + 1])
{
    ok[0] = !list;
    for (int i = 1; i <= GRID_MAX_CODES; i++)
        ok[i] = i <= g->ncodes[k] && count_grid_in_list(list, g->codes[k][i]);
}

vk_err count_grid_points(count_grid *g, store_conn *c, const double bbox[4],
                         const char *categories, const char *statuses, count_grid_point_fn fn,
                         count_grid_cell_fn cell_fn, void *arg, int64_t *seq, int *handled,
                         vk_errinfo *ei)
{
    *handled = 0;
    if (!g)
        return VK_OK;
    int locked;
    vk_err e = read_current(g, c, seq, &locked, ei);
    if (e || !locked)
        return e;
    /* The filters as code sets: a point is passed over by its codes, not
     * its texts (a filtered whole-city tile walks every point). */
    int filtered = categories || statuses;
    uint8_t okc[GRID_MAX_CODES + 1], oks[GRID_MAX_CODES + 1];
    list_codes(g, DIM_CATEGORY, categories, okc);
    list_codes(g, DIM_STATUS, statuses, oks);
    if (filtered)
        cell_fn = NULL; /* a cell's sums hold every category and status */
    int i0 = clampi(floor((bbox[0] - g->x0) / g->dx), g->gw);
    int i1 = clampi(floor((bbox[2] - g->x0) / g->dx), g->gw);
    int j0 = clampi(floor((bbox[1] - g->y0) / g->dy), g->gh);
    int j1 = clampi(floor((bbox[3] - g->y0) / g->dy), g->gh);
    int stop = 0;
    count_grid_point p;
    for (int j = j0; j <= j1 && !stop; j++)
        for (int i = i0; i <= i1 && !stop; i++) {
            const grid_cell *cell = &g->cells[j * g->gw + i];
            /* A cell inside bbox (border cells also hold what lies beyond
             * the grid: never whole) may be taken at once. */
            if (cell_fn && cell->n && i > 0 && j > 0 && i < g->gw - 1 && j < g->gh - 1) {
                double box[4] = {g->x0 + i * g->dx, g->y0 + j * g->dy, g->x0 + (i + 1) * g->dx,
                                 g->y0 + (j + 1) * g->dy};
                if (box[0] >= bbox[0] && box[2] <= bbox[2] && box[1] >= bbox[1] &&
                    box[3] <= bbox[3] && cell_fn(arg, box, cell->n, cell->sx, cell->sy))
                    continue;
            }
            for (uint32_t k = 0; k < cell->n && !stop; k++) {
                const grid_item *it = &cell->v[k];
                if (filtered && !(okc[it->code[DIM_CATEGORY]] && oks[it->code[DIM_STATUS]]))
                    continue;
                if (it->x >= bbox[0] && it->x <= bbox[2] && it->y >= bbox[1] && it->y <= bbox[3])
                    stop = fn(arg, point_of(g, &p, it->id, it->x, it->y, 0, it->t, it->code,
                                            it->flags));
            }
        }
    if (!stop)
        shapes_each(g, bbox, fn, arg);
    *handled = 1;
    pthread_rwlock_unlock(&g->lock);
    return VK_OK;
}

/* The sums' table for a filter's comma list of dimension k: each listed
 * code's (*n of them into codes), with the lock held; 0 when a listed
 * code's zoom z is not kept. */
static int list_tables(const count_grid *g, int k, const char *list, int z, int codes[GRID_MAX_CODES],
                       int *n)
{
    uint8_t ok[GRID_MAX_CODES + 1];
    list_codes(g, k, list, ok);
    int kind = k == DIM_CATEGORY ? CLUSTER_SUMS_CATEGORY : CLUSTER_SUMS_STATUS;
    *n = 0;
    for (int i = 1; i <= GRID_MAX_CODES; i++) {
        if (!ok[i])
            continue;
        if (!cluster_sums_kept(g->sums, z, kind, i))
            return 0;
        codes[(*n)++] = i;
    }
    return 1;
}

vk_err count_grid_clusters(count_grid *g, store_conn *c, int z, uint32_t x, uint32_t y,
                           const double bbox[4], const char *categories, const char *statuses,
                           cluster_sums_fn cell_fn, count_grid_point_fn fn, void *arg,
                           int64_t *seq, int *handled, vk_errinfo *ei)
{
    *handled = 0;
    /* Both filters at once: no table (cluster_sums.h). */
    if (!g || !g->sums || z > CLUSTER_SUMS_MAX_ZOOM || (categories && statuses))
        return VK_OK;
    int locked;
    vk_err e = read_current(g, c, seq, &locked, ei);
    if (e || !locked)
        return e;
    int k = categories ? DIM_CATEGORY : DIM_STATUS;
    int codes[GRID_MAX_CODES], ncodes = 0;
    if (!categories && !statuses) {
        *handled = cluster_sums_tile(g->sums, z, CLUSTER_SUMS_ALL, 0, x, y, cell_fn, arg);
    } else if (list_tables(g, k, categories ? categories : statuses, z, codes, &ncodes)) {
        /* Every table kept: then they are added up, none left half done. */
        int kind = k == DIM_CATEGORY ? CLUSTER_SUMS_CATEGORY : CLUSTER_SUMS_STATUS;
        for (int i = 0; i < ncodes; i++)
            cluster_sums_tile(g->sums, z, kind, codes[i], x, y, cell_fn, arg);
        *handled = 1;
    }
    if (*handled)
        shapes_each(g, bbox, fn, arg);
    pthread_rwlock_unlock(&g->lock);
    return VK_OK;
}

size_t count_grid_sums_bytes(count_grid *g)
{
    if (!g)
        return 0;
    pthread_rwlock_rdlock(&g->lock);
    size_t n = cluster_sums_bytes(g->sums);
    pthread_rwlock_unlock(&g->lock);
    return n;
}

vk_err count_grid_changed(count_grid *g, store_conn *c, int64_t version, const double bbox[4],
                          int64_t *seq, int *changed, vk_errinfo *ei)
{
    *changed = 1;
    if (!g)
        return VK_OK;
    /* Nothing logged since: no lock needed (the common case of a hit). */
    vk_err e = read_stamp(c, seq, ei);
    if (e || version == *seq) {
        *changed = e != VK_OK;
        return e;
    }
    int locked;
    e = read_current(g, c, seq, &locked, ei);
    if (e || !locked)
        return e;
    if (version == *seq) {
        *changed = 0;
    } else if (version >= g->change_floor && version < *seq) {
        *changed = 0;
        /* Newest first, back to the first change after version. */
        for (uint32_t k = 0; k < g->ring_n; k++) {
            const grid_change *ch = &g->ring[(g->ring_next + GRID_CHANGE_RING - 1 - k) % GRID_CHANGE_RING];
            if (ch->seq <= version)
                break;
            if (ch->box[0] <= bbox[2] && ch->box[2] >= bbox[0] && ch->box[1] <= bbox[3] &&
                ch->box[3] >= bbox[1]) {
                *changed = 1;
                break;
            }
        }
    }
    pthread_rwlock_unlock(&g->lock);
    return VK_OK;
}

vk_err count_grid_stamp(store_conn *c, int64_t *seq, vk_errinfo *ei)
{
    return read_stamp(c, seq, ei);
}
