/* cluster_sums.c — points summed by tile cluster cell, per zoom
 * (cluster_sums.h). One open-addressing table per zoom; a cell that
 * empties stays as a zero entry until the table grows. */
#include "features/cluster_sums.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LEVELS (CLUSTER_SUMS_MAX_ZOOM + 1)
#define FINE_BITS (CLUSTER_SUMS_MAX_ZOOM + CLUSTER_SUMS_CELL_BITS)
#define MAX_LAT 85.0511287798066

typedef struct sums_cell {
    uint64_t key; /* (X << 32 | Y) + 1; 0: empty slot */
    int64_t n, slon, slat, sid;
} sums_cell;

typedef struct sums_level {
    sums_cell *v;
    uint32_t cap, used; /* used: slots with a key */
    int dropped;
} sums_level;

struct cluster_sums {
    sums_level level[LEVELS];
};

cluster_sums *cluster_sums_new(void)
{
    return calloc(1, sizeof(cluster_sums));
}

void cluster_sums_clear(cluster_sums *s)
{
    if (!s)
        return;
    for (int z = 0; z < LEVELS; z++)
        free(s->level[z].v);
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

static void drop(sums_level *l)
{
    free(l->v);
    l->v = NULL;
    l->cap = l->used = 0;
    l->dropped = 1;
}

/* Room for one more key: grow (leaving out emptied cells) at half full. */
static int make_room(sums_level *l)
{
    if (l->v && (l->used + 1) * 2 <= l->cap)
        return 0;
    uint32_t live = 0;
    for (uint32_t i = 0; i < l->cap; i++)
        live += l->v[i].key && l->v[i].n;
    if (live + 1 > CLUSTER_SUMS_LEVEL_MAX)
        return -1;
    uint32_t cap = 1024;
    while (cap < (live + 1) * 4)
        cap *= 2;
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
    free(l->v);
    l->v = v;
    l->cap = cap;
    l->used = live;
    return 0;
}

void cluster_sums_add(cluster_sums *s, double lon, double lat, int64_t id, int sign)
{
    if (!s || !(lat >= -MAX_LAT && lat <= MAX_LAT && lon >= -180 && lon < 180))
        return;
    /* The finest zoom's cell; coarser ones by shifting, which is exactly
     * the floor at their own scale (a power of two scales exactly). */
    double n = ldexp(1.0, FINE_BITS), r = lat * M_PI / 180;
    double fx = floor((lon + 180) / 360 * n), fy = floor((1 - asinh(tan(r)) / M_PI) / 2 * n);
    if (!(fx >= 0 && fx < n && fy >= 0 && fy < n))
        return;
    uint64_t X = (uint64_t)fx, Y = (uint64_t)fy;
    int64_t slon = llround(lon * CLUSTER_SUMS_SCALE), slat = llround(lat * CLUSTER_SUMS_SCALE);
    for (int z = 0; z < LEVELS; z++) {
        sums_level *l = &s->level[z];
        if (l->dropped)
            continue;
        int shift = CLUSTER_SUMS_MAX_ZOOM - z;
        uint64_t key = ((X >> shift) << 32 | (Y >> shift)) + 1;
        sums_cell *c = find(l, key);
        if (!c) {
            if (sign < 0) { /* a point never added: the sums cannot be trusted */
                drop(l);
                continue;
            }
            if (make_room(l)) {
                drop(l);
                continue;
            }
            uint32_t i = slot_of(key, l->cap);
            while (l->v[i].key)
                i = (i + 1) & (l->cap - 1);
            c = &l->v[i];
            c->key = key;
            l->used++;
        }
        c->n += sign;
        c->slon += sign * slon;
        c->slat += sign * slat;
        c->sid += sign * id;
    }
}

int cluster_sums_tile(const cluster_sums *s, int z, uint32_t x, uint32_t y, cluster_sums_fn fn,
                      void *arg)
{
    if (!s || z < 0 || z > CLUSTER_SUMS_MAX_ZOOM || s->level[z].dropped)
        return 0;
    const sums_level *l = &s->level[z];
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
