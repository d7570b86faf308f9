/* stats_index.c — the statistics snapshot and its aggregations (see
 * stats_index.h). */
#include "stats/stats_index.h"
#include "core/buf.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "gis/hex.h"
#include "stats/store_stats.h"

/* More pending changes than this: a full re-read is cheaper. */
#define STATS_INCREMENTAL_MAX 50000
#define MAX_CATEGORIES 255
#define CODE_MAX 48

static const char *const status_names[] = {"received", "in_progress",    "planned",  "resolved",
                                           "not_resolvable", "duplicate", "forwarded"};
#define NSTATUS 7
#define OPEN_STATUSES 3 /* the first three are open */

const char *const stats_wait_labels[STATS_WAIT_BUCKETS] = {"0-7", "8-14", "15-30", "31-90", "91-"};

/* One public item: 40 bytes. Times are Unix seconds (0 = none). */
typedef struct stats_item {
    uint32_t created, answered, closed;
    float e, n;             /* EPSG:3067 metres (0.5 m steps: enough for 100 m cells) */
    int32_t month, week;    /* 202603, 202607 (ISO week) */
    uint16_t district, area, unit;
    uint8_t category, status, present;
} stats_item;

typedef struct code_entry {
    int64_t id;
    char code[CODE_MAX];
} code_entry;

struct api_stats {
    /* Readers share the snapshot; a refresh takes it for writing, which
     * also makes refreshers take turns (no lock of their own needed). */
    pthread_rwlock_t lock;
    int built;
    int64_t seq;
    char at[32];
    stats_item *items; /* indexed by feedback id */
    int64_t cap;       /* slots in items */
    int ncategories;
    char categories[MAX_CATEGORIES][CODE_MAX];
    code_entry *districts, *units, *areas; /* sorted by id */
    int ndistricts, nunits, nareas;
};

static const char *const dim_names[STATS_DIM__COUNT] = {
    "district", "category", "status", "unit", "week", "month", "year", "area"};

const char *stats_dim_name(stats_dim d)
{
    return (unsigned)d < STATS_DIM__COUNT ? dim_names[d] : "?";
}

int stats_dim_parse(const char *name, size_t n)
{
    for (int d = 0; d < STATS_DIM_AREA; d++)
        if (strlen(dim_names[d]) == n && memcmp(dim_names[d], name, n) == 0)
            return d;
    return -1;
}

vk_err api_stats_new(api_stats **out)
{
    api_stats *s = calloc(1, sizeof *s);
    if (!s)
        return VK_ENOMEM;
    pthread_rwlock_init(&s->lock, NULL);
    *out = s;
    return VK_OK;
}

void api_stats_free(api_stats *s)
{
    if (!s)
        return;
    pthread_rwlock_destroy(&s->lock);
    free(s->items);
    free(s->districts);
    free(s->units);
    free(s->areas);
    free(s);
}

/* ---- time ---- */

/* 202607 for the ISO week of a day number. */
static int32_t iso_week_key(int64_t day)
{
    int64_t wd = ((day % 7) + 7 + 3) % 7; /* Monday 0: 1970-01-01 was a Thursday */
    int64_t thursday = day - wd + 3;
    int y, m, d;
    vk_civil_from_days(thursday, &y, &m, &d);
    int64_t week = (thursday - vk_days_from_civil(y, 1, 1)) / 7 + 1;
    return (int32_t)(y * 100 + week);
}

/* ---- building the snapshot ---- */

static int code_cmp(const void *a, const void *b)
{
    const code_entry *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static const char *code_of(const code_entry *list, int n, int64_t id)
{
    if (!id)
        return NULL;
    code_entry key = {.id = id};
    const code_entry *e = bsearch(&key, list, (size_t)n, sizeof key, code_cmp);
    return e ? e->code : NULL;
}

typedef struct code_list {
    code_entry *list;
    int n, cap;
} code_list;

static int code_add(code_list *l, int64_t id, const char *code)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 32;
        code_entry *p = realloc(l->list, sizeof *p * (size_t)cap);
        if (!p)
            return 1;
        l->list = p;
        l->cap = cap;
    }
    l->list[l->n].id = id;
    snprintf(l->list[l->n].code, CODE_MAX, "%s", code ? code : "");
    l->n++;
    return 0;
}

static int add_area(void *arg, const store_area *a)
{
    return code_add(arg, a->id, a->code);
}

static int add_unit(void *arg, const store_unit *u)
{
    return code_add(arg, u->id, u->code);
}

static int add_category(void *arg, const store_category *c)
{
    api_stats *s = arg;
    if (s->ncategories < MAX_CATEGORIES)
        snprintf(s->categories[s->ncategories++], CODE_MAX, "%s", c->id);
    return 0;
}

static void set_codes(code_entry **dst, int *n, code_list *l)
{
    free(*dst);
    if (l->n)
        qsort(l->list, (size_t)l->n, sizeof *l->list, code_cmp);
    *dst = l->list;
    *n = l->n;
}

static vk_err load_reference(api_stats *s, vk_ctx *ctx)
{
    code_list d = {0}, u = {0}, a = {0};
    s->ncategories = 0;
    vk_err e = store_category_each(ctx->store, add_category, s, &ctx->err);
    if (!e)
        e = store_area_each(ctx->store, STORE_AREA_DISTRICT, add_area, &d, &ctx->err);
    if (!e)
        e = store_unit_each(ctx->store, add_unit, &u, &ctx->err);
    if (!e)
        e = store_area_each(ctx->store, STORE_AREA_ACCESSIBILITY, add_area, &a, &ctx->err);
    if (e) {
        free(d.list);
        free(u.list);
        free(a.list);
        return e;
    }
    set_codes(&s->districts, &s->ndistricts, &d);
    set_codes(&s->units, &s->nunits, &u);
    set_codes(&s->areas, &s->nareas, &a);
    return VK_OK;
}

typedef struct loader {
    api_stats *s;
    vk_ctx *ctx;
    vk_err err;
} loader;

static int category_index(const api_stats *s, const char *code)
{
    for (int i = 0; code && i < s->ncategories; i++)
        if (strcmp(s->categories[i], code) == 0)
            return i;
    return -1;
}

static int status_index(const char *name)
{
    for (int i = 0; name && i < NSTATUS; i++)
        if (strcmp(status_names[i], name) == 0)
            return i;
    return -1;
}

static uint32_t time_u32(const char *s)
{
    int64_t t = vk_rfc3339_seconds(s);
    return t <= 0 ? 0 : t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static uint16_t id_u16(int64_t id)
{
    return id > 0 && id <= UINT16_MAX ? (uint16_t)id : 0;
}

static int load_row(void *arg, const store_stats_row *r)
{
    loader *l = arg;
    api_stats *s = l->s;
    if (r->id <= 0)
        return 0; /* a reference-data row: only seen in a full re-read */
    if (r->id >= s->cap) {
        int64_t cap = s->cap ? s->cap : 1024;
        while (cap <= r->id)
            cap *= 2;
        stats_item *p = realloc(s->items, sizeof *p * (size_t)cap);
        if (!p) {
            l->err = vk_fail(&l->ctx->err, VK_ENOMEM, "", NULL);
            return 1;
        }
        memset(p + s->cap, 0, sizeof *p * (size_t)(cap - s->cap));
        s->items = p;
        s->cap = cap;
    }
    stats_item *it = &s->items[r->id];
    memset(it, 0, sizeof *it);
    int cat = category_index(s, r->category), st = status_index(r->status);
    if (!r->present || cat < 0 || st < 0)
        return 0;
    it->created = time_u32(r->created);
    it->answered = time_u32(r->first_answered);
    it->closed = time_u32(r->closed);
    double x = r->lon, y = r->lat;
    if (gis_proj_from_storage(l->ctx->proj, GIS_CRS_3067, &x, &y) == VK_OK) {
        it->e = (float)x;
        it->n = (float)y;
    }
    int64_t day = (int64_t)it->created / 86400;
    int yy, mm, dd;
    vk_civil_from_days(day, &yy, &mm, &dd);
    it->month = yy * 100 + mm;
    it->week = iso_week_key(day);
    it->district = id_u16(r->district_id);
    it->unit = id_u16(r->unit_id);
    it->area = id_u16(r->area_id);
    it->category = (uint8_t)cat;
    it->status = (uint8_t)st;
    it->present = 1;
    return 0;
}

/* Bring the snapshot up to date; the write lock is held. */
static vk_err refresh_now(api_stats *s, vk_ctx *ctx)
{
    int64_t seq = 0, pending = 0, reference = 0;
    char at[32];
    vk_err e = store_read_begin(ctx->store, &ctx->err);
    if (e)
        return e;
    e = store_stats_stamp(ctx->store, s->seq, &seq, at, &pending, &reference, &ctx->err);
    if (!e && (!s->built || seq != s->seq)) {
        int full = !s->built || reference > 0 || pending > STATS_INCREMENTAL_MAX || seq < s->seq;
        loader l = {s, ctx, VK_OK};
        if (full) {
            s->built = 0;
            if (s->items)
                memset(s->items, 0, sizeof *s->items * (size_t)s->cap);
            e = load_reference(s, ctx);
        }
        if (!e)
            e = store_stats_rows(ctx->store, full, s->seq, load_row, &l, &ctx->err);
        if (!e)
            e = l.err;
        if (!e) {
            s->built = 1;
            s->seq = seq;
            memcpy(s->at, at, sizeof at);
        }
    }
    store_read_end(ctx->store);
    return e;
}

/* The same without the request's query deadline: the snapshot is shared
 * work, bounded by the data, and one cut short would be redone by every
 * request after it. */
static vk_err refresh(api_stats *s, vk_ctx *ctx)
{
    int64_t deadline = store_deadline_get(ctx->store);
    store_deadline_set(ctx->store, 0);
    vk_err e = refresh_now(s, ctx);
    store_deadline_set(ctx->store, deadline);
    return e;
}

vk_err api_stats_acquire(api_stats *s, vk_ctx *ctx, stats_view *v)
{
    int64_t seq = 0, pending = 0, reference = 0;
    char at[32];
    memset(v, 0, sizeof *v);
    if (!s) /* a context outside the server (tools) has no snapshot */
        return vk_fail(&ctx->err, VK_EINTERNAL, "", "statistics are served by `vaikuta serve` only");
    for (int tries = 0;; tries++) {
        pthread_rwlock_rdlock(&s->lock);
        vk_err e = store_stats_stamp(ctx->store, s->seq, &seq, at, &pending, &reference, &ctx->err);
        if (e) {
            pthread_rwlock_unlock(&s->lock);
            return e;
        }
        /* Up to date, or refreshed once already (a write since is shown by
         * the next request). */
        if ((s->built && seq == s->seq) || (s->built && tries > 0))
            break;
        pthread_rwlock_unlock(&s->lock);
        pthread_rwlock_wrlock(&s->lock);
        e = refresh(s, ctx);
        pthread_rwlock_unlock(&s->lock);
        if (e)
            return e;
    }
    v->s = s;
    v->seq = s->seq;
    memcpy(v->at, s->at, sizeof v->at);
    return VK_OK;
}

void api_stats_release(stats_view *v)
{
    if (v->s)
        pthread_rwlock_unlock(&v->s->lock);
    v->s = NULL;
}

int stats_district_id(const stats_view *v, const char *code, int64_t *id)
{
    for (int i = 0; i < v->s->ndistricts; i++)
        if (strcmp(v->s->districts[i].code, code) == 0) {
            *id = v->s->districts[i].id;
            return 1;
        }
    return 0;
}

int stats_category_known(const stats_view *v, const char *code)
{
    return category_index(v->s, code) >= 0;
}

/* ---- filtering ---- */

/* The filter compiled against the snapshot: flags per category, status
 * and district, and the ids inside the bbox. */
typedef struct compiled {
    const stats_filter *f;
    uint8_t cat_ok[MAX_CATEGORIES + 1];
    uint8_t status_ok[NSTATUS];
    uint8_t *district_ok; /* 65536 flags, NULL = any */
    int64_t *ids;         /* with a bbox: only these items (malloc), else NULL */
    size_t nids, cap_ids;
    uint32_t start, end;
} compiled;

/* An id in the box (ENOMEM: ids freed, nids set to SIZE_MAX). */
static void add_id(void *arg, int64_t id)
{
    compiled *c = arg;
    if (c->nids == SIZE_MAX)
        return;
    if (c->nids == c->cap_ids) {
        size_t cap = c->cap_ids ? c->cap_ids * 2 : 4096;
        int64_t *p = realloc(c->ids, sizeof *p * cap);
        if (!p) {
            c->nids = SIZE_MAX;
            return;
        }
        c->ids = p;
        c->cap_ids = cap;
    }
    c->ids[c->nids++] = id;
}

static vk_err compile(const stats_view *v, vk_ctx *ctx, const stats_filter *f, vk_arena *a,
                      compiled *c)
{
    const api_stats *s = v->s;
    memset(c, 0, sizeof *c);
    c->f = f;
    for (int i = 0; i <= MAX_CATEGORIES; i++)
        c->cat_ok[i] = f->ncategories == 0;
    for (int i = 0; i < f->ncategories; i++) {
        int k = category_index(s, f->categories[i]);
        if (k >= 0)
            c->cat_ok[k] = 1;
    }
    for (int i = 0; i < NSTATUS; i++)
        c->status_ok[i] = f->nstatuses == 0;
    for (int i = 0; i < f->nstatuses; i++) {
        int k = status_index(f->statuses[i]);
        if (k >= 0)
            c->status_ok[k] = 1;
    }
    if (f->ndistricts) {
        c->district_ok = vk_arena_alloc(a, 65536);
        if (!c->district_ok)
            return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        memset(c->district_ok, 0, 65536);
        for (int i = 0; i < f->ndistricts; i++)
            c->district_ok[id_u16(f->districts[i])] = 1;
    }
    c->start = f->has_start ? (f->start <= 0 ? 0 : f->start > UINT32_MAX ? UINT32_MAX : (uint32_t)f->start) : 0;
    c->end = f->has_end ? (f->end < 0 ? 0 : f->end > UINT32_MAX ? UINT32_MAX : (uint32_t)f->end) : UINT32_MAX;
    if (f->has_end && f->end < 0)
        c->end = 0;
    if (f->has_bbox) {
        /* The exact items of the box, as the items API selects them; the
         * loops then visit only those. */
        vk_err e = store_stats_bbox_ids(ctx->store, f->bbox, add_id, c, &ctx->err);
        if (!e && c->nids == SIZE_MAX)
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        if (!e && !c->ids && !(c->ids = malloc(sizeof *c->ids)))
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        if (e) {
            free(c->ids);
            c->ids = NULL;
            return e;
        }
    }
    return VK_OK;
}

static void compiled_fini(compiled *c)
{
    free(c->ids);
}

/* The next candidate item: every id, or the ids in the box. Start with
 * *cursor = 0. */
static inline const stats_item *next_item(const compiled *c, const api_stats *s, size_t *cursor)
{
    if (c->ids) {
        while (*cursor < c->nids) {
            int64_t id = c->ids[(*cursor)++];
            if (id > 0 && id < s->cap)
                return &s->items[id];
        }
        return NULL;
    }
    if ((int64_t)++*cursor >= s->cap)
        return NULL;
    return &s->items[*cursor];
}

static inline int matches(const compiled *c, const stats_item *it)
{
    return it->present && it->created >= c->start && it->created <= c->end &&
           c->cat_ok[it->category] && c->status_ok[it->status] &&
           (!c->district_ok || c->district_ok[it->district]);
}

/* The items a filter keeps, one after another: walk_begin, walk_next until
 * NULL, walk_end. The three aggregations below are such a walk; inline, so
 * the per-item loop stays as tight as one written out. */
typedef struct walk {
    const api_stats *s;
    compiled c;
    size_t cursor;
} walk;

static vk_err walk_begin(walk *w, const stats_view *v, vk_ctx *ctx, const stats_filter *f,
                         vk_arena *a)
{
    w->s = v->s;
    w->cursor = 0;
    return compile(v, ctx, f, a, &w->c);
}

static inline const stats_item *walk_next(walk *w)
{
    const stats_item *it;
    while ((it = next_item(&w->c, w->s, &w->cursor)) && !matches(&w->c, it))
        ;
    return it;
}

/* End the walk; an aggregation fails only for memory (fail ≠ 0). */
static vk_err walk_end(walk *w, int fail, vk_ctx *ctx)
{
    compiled_fini(&w->c);
    return fail ? vk_fail(&ctx->err, VK_ENOMEM, "", NULL) : VK_OK;
}

/* ---- keys and their names ---- */

static int64_t key_of(const stats_item *it, stats_dim d)
{
    switch (d) {
    case STATS_DIM_DISTRICT: return it->district;
    case STATS_DIM_CATEGORY: return it->category;
    case STATS_DIM_STATUS: return it->status;
    case STATS_DIM_UNIT: return it->unit;
    case STATS_DIM_WEEK: return it->week;
    case STATS_DIM_MONTH: return it->month;
    case STATS_DIM_YEAR: return it->month / 100;
    case STATS_DIM_AREA: return it->area;
    default: return 0;
    }
}

/* The text of a key value, in arena memory; NULL for "none". */
static const char *key_text(const api_stats *s, stats_dim d, int64_t k, vk_arena *a)
{
    char tmp[32];
    switch (d) {
    case STATS_DIM_DISTRICT: return code_of(s->districts, s->ndistricts, k);
    case STATS_DIM_UNIT: return code_of(s->units, s->nunits, k);
    case STATS_DIM_AREA: return code_of(s->areas, s->nareas, k);
    case STATS_DIM_CATEGORY: return k >= 0 && k < s->ncategories ? s->categories[k] : NULL;
    case STATS_DIM_STATUS: return k >= 0 && k < NSTATUS ? status_names[k] : NULL;
    case STATS_DIM_WEEK: snprintf(tmp, sizeof tmp, "%04lld-W%02lld", (long long)(k / 100), (long long)(k % 100)); break;
    case STATS_DIM_MONTH: snprintf(tmp, sizeof tmp, "%04lld-%02lld", (long long)(k / 100), (long long)(k % 100)); break;
    case STATS_DIM_YEAR: snprintf(tmp, sizeof tmp, "%04lld", (long long)k); break;
    default: return NULL;
    }
    return vk_arena_strndup(a, tmp, strlen(tmp));
}

/* ---- a small hash map: 64-bit key → slot ---- */

typedef struct hmap {
    uint64_t *keys;
    int32_t *slot; /* -1 empty */
    size_t cap;    /* power of two */
    int32_t n;
} hmap;

static int hmap_init(hmap *h, size_t cap)
{
    h->cap = cap;
    h->n = 0;
    h->keys = malloc(sizeof *h->keys * cap);
    h->slot = malloc(sizeof *h->slot * cap);
    if (!h->keys || !h->slot)
        return 1;
    memset(h->slot, 0xff, sizeof *h->slot * cap);
    return 0;
}

static void hmap_fini(hmap *h)
{
    free(h->keys);
    free(h->slot);
}

static inline size_t hmap_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k;
}

static int hmap_grow(hmap *h)
{
    hmap bigger;
    if (hmap_init(&bigger, h->cap * 2)) {
        hmap_fini(&bigger);
        return 1;
    }
    for (size_t i = 0; i < h->cap; i++) {
        if (h->slot[i] < 0)
            continue;
        size_t j = hmap_hash(h->keys[i]) & (bigger.cap - 1);
        while (bigger.slot[j] >= 0)
            j = (j + 1) & (bigger.cap - 1);
        bigger.keys[j] = h->keys[i];
        bigger.slot[j] = h->slot[i];
    }
    bigger.n = h->n;
    hmap_fini(h);
    *h = bigger;
    return 0;
}

/* The slot of key, adding it as slot n when new (*added = 1); -1 on ENOMEM. */
static int32_t hmap_get(hmap *h, uint64_t key, int *added)
{
    *added = 0;
    size_t j = hmap_hash(key) & (h->cap - 1);
    while (h->slot[j] >= 0) {
        if (h->keys[j] == key)
            return h->slot[j];
        j = (j + 1) & (h->cap - 1);
    }
    if ((size_t)(h->n + 1) * 2 > h->cap) {
        if (hmap_grow(h))
            return -1;
        return hmap_get(h, key, added);
    }
    h->keys[j] = key;
    h->slot[j] = h->n;
    *added = 1;
    return h->n++;
}

/* ---- a tally: per distinct key, an accumulator ---- */

/* The map of keys to slots and, by slot, an accumulator of size bytes. */
typedef struct tally {
    hmap h;
    void *acc;
    size_t cap, size, first;
} tally;

/* A map of cap slots (it grows), the accumulators from a quarter of that
 * (the map is at most half full); 1 without memory (then tally_fini). */
static int tally_init(tally *t, size_t cap, size_t size)
{
    t->acc = NULL;
    t->cap = 0;
    t->size = size;
    t->first = cap / 4;
    return hmap_init(&t->h, cap);
}

static void tally_fini(tally *t)
{
    free(t->acc);
    hmap_fini(&t->h);
}

/* key's accumulator, zeroed when key is new (*added = 1); NULL without
 * memory. */
static inline void *tally_at(tally *t, uint64_t key, int *added)
{
    int32_t slot = hmap_get(&t->h, key, added);
    if (slot < 0)
        return NULL;
    if (*added && vk_grow(&t->acc, &t->cap, (size_t)slot, t->size, t->first))
        return NULL;
    char *x = (char *)t->acc + (size_t)slot * t->size;
    if (*added)
        memset(x, 0, t->size);
    return x;
}

/* ---- grouped counts ---- */

typedef struct count_acc {
    int64_t key[3];
    int64_t count;
} count_acc;

static int group_cmp(const void *x, const void *y)
{
    const stats_group *a = x, *b = y;
    for (int i = 0; i < 3; i++) {
        if (a->key[i] == b->key[i])
            continue;
        if (!a->key[i])
            return 1; /* none last */
        if (!b->key[i])
            return -1;
        int c = strcmp(a->key[i], b->key[i]);
        if (c)
            return c;
    }
    return 0;
}

/* The groups of a counting tally, sorted, into arena memory; 1 without
 * memory. */
static int count_groups(const tally *t, const api_stats *s, const stats_dim *dims, int ndims,
                        vk_arena *a, stats_group **groups, int *ngroups)
{
    const count_acc *acc = t->acc;
    *ngroups = t->h.n;
    *groups = vk_arena_alloc(a, sizeof **groups * (size_t)(t->h.n ? t->h.n : 1));
    if (!*groups)
        return 1;
    for (int i = 0; i < t->h.n; i++) {
        stats_group *g = &(*groups)[i];
        memset(g, 0, sizeof *g);
        for (int d = 0; d < ndims; d++)
            g->key[d] = key_text(s, dims[d], acc[i].key[d], a);
        g->count = acc[i].count;
    }
    qsort(*groups, (size_t)t->h.n, sizeof **groups, group_cmp);
    return 0;
}

vk_err stats_count(const stats_view *v, vk_ctx *ctx, const stats_filter *f, const stats_dim *dims,
                   int ndims, vk_arena *a, stats_group **groups, int *ngroups, int64_t *total)
{
    walk w;
    vk_err e = walk_begin(&w, v, ctx, f, a);
    if (e)
        return e;
    tally t;
    int fail = tally_init(&t, 1024, sizeof(count_acc));
    *total = 0;
    for (const stats_item *it; !fail && (it = walk_next(&w));) {
        (*total)++;
        int64_t k[3] = {0, 0, 0};
        for (int d = 0; d < ndims; d++)
            k[d] = key_of(it, dims[d]);
        /* Each key fits in 21 bits (ids ≤ 65535, 2026-W07 → 202607). */
        uint64_t key = ((uint64_t)(k[0] & 0x1fffff) << 42) | ((uint64_t)(k[1] & 0x1fffff) << 21) |
              (uint64_t)(k[2] & 0x1fffff);
        int added;
        count_acc *x = tally_at(&t, key, &added);
        if (!x) {
            fail = 1;
            break;
        }
        if (added)
            memcpy(x->key, k, sizeof k);
        x->count++;
    }
    fail = fail || count_groups(&t, w.s, dims, ndims, a, groups, ngroups);
    tally_fini(&t);
    return walk_end(&w, fail, ctx);
}

/* ---- response times ---- */

/* Sort values of (group << 32 | seconds), group < 2^16, by LSD radix on
 * 16-bit digits: three passes instead of qsort's n log n comparisons
 * (300 000 answered items: ~2 ms rather than ~40 ms). */
static int radix_sort(uint64_t *v, size_t n)
{
    if (n < 2) /* sorted already; v may be NULL when n is 0 */
        return 0;
    uint64_t *tmp = malloc(sizeof *tmp * n);
    size_t *count = malloc(sizeof *count * 65536);
    if (!tmp || !count) {
        free(tmp);
        free(count);
        return 1;
    }
    uint64_t *src = v, *dst = tmp;
    for (int shift = 0; shift < 48; shift += 16) {
        memset(count, 0, sizeof *count * 65536);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xffff]++;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) /* three passes: the result is in tmp */
        memcpy(v, src, sizeof *v * n);
    free(tmp);
    free(count);
    return 0;
}

/* Nearest rank: the value at rank ceil(p · n), 1-based, of sorted v. */
static double nearest_rank(const uint64_t *v, size_t n, double p)
{
    if (!n)
        return -1;
    size_t rank = (size_t)ceil(p * (double)n);
    if (rank < 1)
        rank = 1;
    return (double)(v[rank - 1] & 0xffffffffu) / 86400.0;
}

typedef struct times_acc {
    int64_t key;
    int64_t count, open, answered, closed, in14, judged;
} times_acc;

/* Percentiles of each group's range of (group << 32 | seconds) values. */
static int percentiles(uint64_t *v, size_t n, int ngroups, double *median, double *p90)
{
    if (radix_sort(v, n))
        return 1;
    size_t i = 0;
    for (int g = 0; g < ngroups; g++) {
        size_t start = i;
        while (i < n && (v[i] >> 32) == (uint64_t)g)
            i++;
        median[g] = nearest_rank(v + start, i - start, 0.5);
        p90[g] = nearest_rank(v + start, i - start, 0.9);
    }
    return 0;
}

static int times_cmp(const void *x, const void *y)
{
    const stats_times *a = x, *b = y;
    if (!a->key || !b->key)
        return !a->key - !b->key;
    return strcmp(a->key, b->key);
}

static void fill_times(stats_times *t, const times_acc *x)
{
    t->count = x->count;
    t->open = x->open;
    t->answered = x->answered;
    t->closed = x->closed;
    t->within_14 = x->judged ? (double)x->in14 / (double)x->judged : -1;
}

/* What stats_times_by gathers in one pass over the items. */
typedef struct times_work {
    int32_t *slot_of;   /* key (< 65536) → group; -1 none yet */
    times_acc *acc, all;
    int n;              /* groups */
    size_t acc_cap;
    uint64_t *ans, *cls; /* group << 32 | seconds to answer, to close */
    size_t nans, ncls, cap_ans, cap_cls;
} times_work;

static void times_work_fini(times_work *w)
{
    free(w->acc);
    free(w->ans);
    free(w->cls);
    free(w->slot_of);
}

/* Append x to the growing array *v; 1 without memory. */
static int times_push(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
    if (vk_grow(v, cap, *n, sizeof **v, 4096))
        return 1;
    (*v)[(*n)++] = x;
    return 0;
}

/* The group of it's key, made on first sight; -1 without memory. */
static int32_t times_group(times_work *w, const stats_item *it, stats_dim by)
{
    int64_t key = key_of(it, by) & 0xffff;
    int32_t g = w->slot_of[key];
    if (g >= 0)
        return g;
    g = w->slot_of[key] = w->n++;
    if (vk_grow(&w->acc, &w->acc_cap, (size_t)g, sizeof *w->acc, 64))
        return -1;
    memset(&w->acc[g], 0, sizeof w->acc[g]);
    w->acc[g].key = key_of(it, by);
    return g;
}

/* Count one matching item in group g and overall; 1 without memory. */
static int times_add(times_work *w, int32_t g, const stats_item *it, int64_t now,
                     int64_t waiting[STATS_WAIT_BUCKETS])
{
    times_acc *x[2] = {&w->acc[g], &w->all};
    int open = it->status < OPEN_STATUSES;
    int64_t age = now - (int64_t)it->created;
    uint32_t to_answer = it->answered > it->created ? it->answered - it->created : 0;
    uint32_t to_close = it->closed > it->created ? it->closed - it->created : 0;
    for (int k = 0; k < 2; k++) {
        x[k]->count++;
        x[k]->open += open;
        x[k]->closed += !open;
        x[k]->answered += it->answered != 0;
        /* Judged: answered, or old enough that it should have been. */
        if (it->answered || age > 14 * 86400) {
            x[k]->judged++;
            x[k]->in14 += it->answered && to_answer <= 14 * 86400;
        }
    }
    if (it->answered && times_push(&w->ans, &w->nans, &w->cap_ans, (uint64_t)g << 32 | to_answer))
        return 1;
    if (!open && it->closed &&
        times_push(&w->cls, &w->ncls, &w->cap_cls, (uint64_t)g << 32 | to_close))
        return 1;
    if (open && !it->answered) {
        int64_t days = age < 0 ? 0 : age / 86400;
        waiting[days <= 7 ? 0 : days <= 14 ? 1 : days <= 30 ? 2 : days <= 90 ? 3 : 4]++;
    }
    return 0;
}

/* The groups' figures with their percentiles into groups (w->n of them,
 * from a); 1 without memory. */
static int times_fill_groups(times_work *w, const api_stats *s, stats_dim by, vk_arena *a,
                             stats_times *groups)
{
    size_t n1 = (size_t)w->n + 1;
    double *med_a = malloc(sizeof(double) * n1), *p90_a = malloc(sizeof(double) * n1);
    double *med_c = malloc(sizeof(double) * n1), *p90_c = malloc(sizeof(double) * n1);
    int fail = !med_a || !p90_a || !med_c || !p90_c || w->n > 65535 ||
               percentiles(w->ans, w->nans, w->n, med_a, p90_a) ||
               percentiles(w->cls, w->ncls, w->n, med_c, p90_c);
    for (int g = 0; !fail && g < w->n; g++) {
        stats_times *t = &groups[g];
        memset(t, 0, sizeof *t);
        fill_times(t, &w->acc[g]);
        t->key_id = w->acc[g].key;
        t->key = key_text(s, by, w->acc[g].key, a);
        t->median_answer = med_a[g];
        t->p90_answer = p90_a[g];
        t->median_close = med_c[g];
        t->p90_close = p90_c[g];
    }
    free(med_a);
    free(p90_a);
    free(med_c);
    free(p90_c);
    return fail;
}

/* Overall: every value, group ignored; 1 without memory. */
static int times_fill_overall(times_work *w, stats_times *overall)
{
    for (size_t i = 0; i < w->nans; i++)
        w->ans[i] &= 0xffffffffu;
    for (size_t i = 0; i < w->ncls; i++)
        w->cls[i] &= 0xffffffffu;
    memset(overall, 0, sizeof *overall);
    fill_times(overall, &w->all);
    return percentiles(w->ans, w->nans, 1, &overall->median_answer, &overall->p90_answer) ||
           percentiles(w->cls, w->ncls, 1, &overall->median_close, &overall->p90_close);
}

vk_err stats_times_by(const stats_view *v, vk_ctx *ctx, const stats_filter *f, stats_dim by,
                      int64_t now, vk_arena *a, stats_times **groups, int *ngroups,
                      stats_times *overall, int64_t waiting[STATS_WAIT_BUCKETS])
{
    walk wk;
    vk_err e = walk_begin(&wk, v, ctx, f, a);
    if (e)
        return e;
    times_work w;
    memset(&w, 0, sizeof w);
    memset(waiting, 0, sizeof(int64_t) * STATS_WAIT_BUCKETS);
    /* Every key of a response-time grouping is an id or index < 65536:
     * a direct table beats hashing a million times. */
    int fail = !(w.slot_of = malloc(sizeof *w.slot_of * 65536));
    if (!fail)
        memset(w.slot_of, 0xff, sizeof *w.slot_of * 65536);
    for (const stats_item *it; !fail && (it = walk_next(&wk));) {
        int32_t g = times_group(&w, it, by);
        fail = g < 0 || times_add(&w, g, it, now, waiting);
    }
    if (!fail) {
        *groups = vk_arena_alloc(a, sizeof **groups * (size_t)(w.n ? w.n : 1));
        fail = !*groups || times_fill_groups(&w, wk.s, by, a, *groups) ||
               times_fill_overall(&w, overall);
    }
    if (!fail) {
        *ngroups = w.n;
        /* Sorted by key text, none last. */
        qsort(*groups, (size_t)w.n, sizeof **groups, times_cmp);
    }
    times_work_fini(&w);
    return walk_end(&wk, fail, ctx);
}

/* ---- density ---- */

static int cell_cmp(const void *x, const void *y)
{
    const stats_cell *a = x, *b = y;
    if (a->r != b->r)
        return a->r < b->r ? -1 : 1;
    return a->q < b->q ? -1 : a->q > b->q;
}

/* The cells of a density tally with at least k items, sorted, into arena
 * memory; the others counted as dropped. 1 without memory. */
static int density_cells(const tally *t, int64_t k, vk_arena *a, stats_cell **cells,
                         int *ncells, int64_t *dropped_cells, int64_t *dropped_items)
{
    const int64_t *counts = t->acc;
    const hmap *h = &t->h;
    *cells = vk_arena_alloc(a, sizeof **cells * (size_t)(h->n ? h->n : 1));
    if (!*cells)
        return 1;
    *ncells = 0;
    *dropped_cells = *dropped_items = 0;
    for (size_t i = 0; i < h->cap; i++) {
        if (h->slot[i] < 0)
            continue;
        int64_t n = counts[h->slot[i]];
        if (n < k) {
            (*dropped_cells)++;
            *dropped_items += n;
            continue;
        }
        (*cells)[(*ncells)++] =
            (stats_cell){(int32_t)(uint32_t)(h->keys[i] >> 32), (int32_t)(uint32_t)h->keys[i], n};
    }
    qsort(*cells, (size_t)*ncells, sizeof **cells, cell_cmp);
    return 0;
}

vk_err stats_density(const stats_view *v, vk_ctx *ctx, const stats_filter *f, double cell,
                     int64_t k, vk_arena *a, stats_cell **cells, int *ncells,
                     int64_t *dropped_cells, int64_t *dropped_items)
{
    walk w;
    vk_err e = walk_begin(&w, v, ctx, f, a);
    if (e)
        return e;
    gis_hex_grid grid;
    gis_hex_grid_init(&grid, cell);
    tally t;
    int fail = tally_init(&t, 4096, sizeof(int64_t));
    for (const stats_item *it; !fail && (it = walk_next(&w));) {
        int32_t q, r;
        gis_hex_cell_of(&grid, it->e, it->n, &q, &r);
        int added;
        int64_t *n = tally_at(&t, (uint64_t)(uint32_t)q << 32 | (uint32_t)r, &added);
        if (!n) {
            fail = 1;
            break;
        }
        (*n)++;
    }
    fail = fail || density_cells(&t, k, a, cells, ncells, dropped_cells, dropped_items);
    tally_fini(&t);
    return walk_end(&w, fail, ctx);
}
