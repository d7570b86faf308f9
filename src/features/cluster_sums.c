/* cluster_sums.c — points summed by tile cluster cell, per zoom
 * (cluster_sums.h). One open-addressing table per zoom and per category
 * and status; a cell that empties stays as a zero entry until the table
 * grows. */
#include "features/cluster_sums.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LEVELS (CLUSTER_SUMS_MAX_ZOOM + 1)
#define FINE_BITS (CLUSTER_SUMS_MAX_ZOOM + CLUSTER_SUMS_CELL_BITS)

typedef struct sums_cell {
    uint64_t key; /* (X << 32 | Y) + 1; 0: empty slot */
    int64_t n, slon, slat, sid;
} sums_cell;

typedef struct sums_level {
    sums_cell *v;
    uint32_t cap, used; /* used: slots with a key */
    int dropped;
} sums_level;

/* class_bytes counts the slots of the category and status tables, which
 * share CLUSTER_SUMS_CLASS_BYTES; the tables of every point have none. */
struct cluster_sums {
    sums_level level[LEVELS];
    sums_level cls[2][CLUSTER_SUMS_CODES][LEVELS]; /* [kind - 1][code][zoom] */
    size_t class_bytes;
};

cluster_sums *cluster_sums_new(void)
{
    return calloc(1, sizeof(cluster_sums));
}

static void level_free(sums_level *l, size_t *bytes)
{
    if (bytes)
        *bytes -= (size_t)l->cap * sizeof *l->v;
    free(l->v);
    l->v = NULL;
    l->cap = l->used = 0;
}

void cluster_sums_clear(cluster_sums *s)
{
    if (!s)
        return;
    for (int z = 0; z < LEVELS; z++)
        free(s->level[z].v);
    for (int k = 0; k < 2; k++)
        for (int c = 0; c < CLUSTER_SUMS_CODES; c++)
            for (int z = 0; z < LEVELS; z++)
                free(s->cls[k][c][z].v);
    memset(s, 0, sizeof *s);
}

void cluster_sums_free(cluster_sums *s)
{
    cluster_sums_clear(s);
    free(s);
}

static uint32_t slot_of(uint64_t key, uint32_t cap)
{
    return (uint32_t)(key * 0x9E3779B97F4A7C15ull >> 32) & (cap - 1);
}

static sums_cell *find(const sums_level *l, uint64_t key)
{
    if (!l->v)
        return NULL;
    for (uint32_t i = slot_of(key, l->cap);; i = (i + 1) & (l->cap - 1)) {
        if (l->v[i].key == key)
            return &l->v[i];
        if (!l->v[i].key)
            return NULL;
    }
}

static void drop(sums_level *l, size_t *bytes)
{
    level_free(l, bytes);
    l->dropped = 1;
}

/* Room for one more key: grow (leaving out emptied cells) at half full
 * to twice the cells (fuller tables made a z11 tile's 4 096 look-ups, most
 * of them misses around the city, 2-3 times slower). A city covers a few
 * cells at low zooms, and a category or status table per zoom is kept for
 * each: they start small. bytes: the shared budget's count (NULL: none). */
static int make_room(sums_level *l, size_t *bytes)
{
    if (l->v && (l->used + 1) * 2 <= l->cap)
        return 0;
    uint32_t live = 0;
    for (uint32_t i = 0; i < l->cap; i++)
        live += l->v[i].key && l->v[i].n;
    if (live + 1 > CLUSTER_SUMS_LEVEL_MAX)
        return -1;
    uint32_t cap = 16;
    while (cap < (live + 1) * 2)
        cap *= 2;
    size_t grow = ((size_t)cap - l->cap) * sizeof *l->v;
    if (bytes && cap > l->cap && *bytes + grow > CLUSTER_SUMS_CLASS_BYTES)
        return -1;
    sums_cell *v = calloc(cap, sizeof *v);
    if (!v)
        return -1;
    for (uint32_t i = 0; i < l->cap; i++) {
        if (!l->v[i].key || !l->v[i].n)
            continue;
        uint32_t k = slot_of(l->v[i].key, cap);
        while (v[k].key)
            k = (k + 1) & (cap - 1);
        v[k] = l->v[i];
    }
    if (bytes)
        *bytes = *bytes - (size_t)l->cap * sizeof *l->v + (size_t)cap * sizeof *v;
    free(l->v);
    l->v = v;
    l->cap = cap;
    l->used = live;
    return 0;
}

static void level_add(sums_level *l, uint64_t key, int64_t slon, int64_t slat, int64_t id,
                      int sign, size_t *bytes)
{
    if (l->dropped)
        return;
    sums_cell *c = find(l, key);
    if (!c) {
        if (sign < 0 || make_room(l, bytes)) {
            /* A point never added (the sums cannot be trusted), or no room. */
            drop(l, bytes);
            return;
        }
        uint32_t i = slot_of(key, l->cap);
        while (l->v[i].key)
            i = (i + 1) & (l->cap - 1);
        c = &l->v[i];
        c->key = key;
        l->used++;
    } else if (c->n + sign < 0) {
        drop(l, bytes); /* more points out than in */
        return;
    }
    c->n += sign;
    c->slon += sign * slon;
    c->slat += sign * slat;
    c->sid += sign * id;
}

int cluster_sums_cell(double lon, double lat, int bits, uint64_t *X, uint64_t *Y)
{
    if (!cluster_sums_in_world(lon, lat))
        return 0;
    /* Scaling by a power of two is exact: the cell at fewer bits is the
     * one at more bits shifted, whichever is computed. */
    double n = ldexp(1.0, bits), r = lat * M_PI / 180;
    double fx = floor(cluster_sums_col(lon, n)), fy = floor((1 - asinh(tan(r)) / M_PI) / 2 * n);
    if (!(fx >= 0 && fx < n && fy >= 0 && fy < n))
        return 0;
    *X = (uint64_t)fx;
    *Y = (uint64_t)fy;
    return 1;
}

int64_t cluster_sums_units(double deg)
{
    return llround(deg * CLUSTER_SUMS_SCALE);
}

void cluster_sums_add(cluster_sums *s, double lon, double lat, int64_t id, int category,
                      int status, int sign)
{
    uint64_t X, Y;
    if (!s || !cluster_sums_cell(lon, lat, FINE_BITS, &X, &Y))
        return;
    int64_t slon = cluster_sums_units(lon), slat = cluster_sums_units(lat);
    int code[2] = {category, status};
    for (int z = 0; z < LEVELS; z++) {
        int shift = CLUSTER_SUMS_MAX_ZOOM - z;
        uint64_t key = ((X >> shift) << 32 | (Y >> shift)) + 1;
        level_add(&s->level[z], key, slon, slat, id, sign, NULL);
        for (int k = 0; k < 2; k++)
            if (code[k] > 0 && code[k] < CLUSTER_SUMS_CODES)
                level_add(&s->cls[k][code[k]][z], key, slon, slat, id, sign, &s->class_bytes);
    }
}

static const sums_level *level_of(const cluster_sums *s, int z, int kind, int code)
{
    if (!s || z < 0 || z > CLUSTER_SUMS_MAX_ZOOM)
        return NULL;
    if (kind == CLUSTER_SUMS_ALL)
        return &s->level[z];
    if ((kind != CLUSTER_SUMS_CATEGORY && kind != CLUSTER_SUMS_STATUS) || code <= 0 ||
        code >= CLUSTER_SUMS_CODES)
        return NULL;
    return &s->cls[kind - 1][code][z];
}

int cluster_sums_kept(const cluster_sums *s, int z, int kind, int code)
{
    const sums_level *l = level_of(s, z, kind, code);
    return l && !l->dropped;
}

int cluster_sums_tile(const cluster_sums *s, int z, int kind, int code, uint32_t x, uint32_t y,
                      cluster_sums_fn fn, void *arg)
{
    const sums_level *l = level_of(s, z, kind, code);
    if (!l || l->dropped)
        return 0;
    if (!l->v)
        return 1; /* nothing kept yet: an empty zoom */
    const int side = 1 << CLUSTER_SUMS_CELL_BITS;
    uint64_t X0 = (uint64_t)x << CLUSTER_SUMS_CELL_BITS, Y0 = (uint64_t)y << CLUSTER_SUMS_CELL_BITS;
    /* Few cells in the table: walk it rather than look up all 4 096. */
    if (l->used < (uint32_t)side * side) {
        for (uint32_t i = 0; i < l->cap; i++) {
            const sums_cell *c = &l->v[i];
            if (!c->key || !c->n)
                continue;
            uint64_t X = (c->key - 1) >> 32, Y = (c->key - 1) & 0xffffffffu;
            if (X >= X0 && X < X0 + side && Y >= Y0 && Y < Y0 + side)
                fn(arg, (int)(X - X0), (int)(Y - Y0), c->n, c->slon, c->slat, c->sid);
        }
        return 1;
    }
    for (int row = 0; row < side; row++)
        for (int col = 0; col < side; col++) {
            const sums_cell *c = find(l, ((X0 + col) << 32 | (Y0 + row)) + 1);
            if (c && c->n)
                fn(arg, col, row, c->n, c->slon, c->slat, c->sid);
        }
    return 1;
}

size_t cluster_sums_bytes(const cluster_sums *s)
{
    if (!s)
        return 0;
    size_t n = sizeof *s;
    for (int z = 0; z < LEVELS; z++)
        n += (size_t)s->level[z].cap * sizeof(sums_cell);
    return n + s->class_bytes;
}
