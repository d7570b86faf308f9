/* results.c — the figures of survey results over the snapshot
 * (results.h; the document is docs/survey-results.md). */
#include "survey/results_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "gis/hex.h"

/* The rows a figure counts: row indices into a column, each with its
 * respondent, in respondent order (so distinct respondents are counted by
 * remembering the last one seen). */
typedef struct rowset {
    uint32_t *row;
    int32_t *resp;
    size_t n;
} rowset;

typedef struct ctx_t {
    const rs_snap *s;
    const rs_mask *m;
    const results_opts *o;
    vk_arena *a;
    gis_hex_grid grid;
    int hex;        /* a grid was asked for */
    gis_proj *proj; /* borrowed from the worker's context: the cells' lon/lat */
} ctx_t;

/* ---- JSON helpers ---- */

static json_t *ref(const json_t *j)
{
    return j ? json_incref((json_t *)j) : json_null();
}

static json_t *share(int64_t part, int64_t whole)
{
    return whole > 0 ? json_real((double)part / (double)whole) : json_null();
}

static json_t *num_or_null(double v)
{
    if (!isfinite(v))
        return json_null();
    if (v == floor(v) && fabs(v) < 9e15)
        return json_integer((json_int_t)v);
    return json_real(v);
}

/* Lower middle value of v (reordered here: quickselect, linear where a
 * sort per figure and per district took a quarter of the time); NAN when
 * empty. */
static double median(double *v, size_t n)
{
    if (!n)
        return NAN;
    size_t k = (n - 1) / 2, lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return v[k];
}

static void min_max(const double *v, size_t n, double *lo, double *hi)
{
    *lo = *hi = n ? v[0] : 0;
    for (size_t i = 1; i < n; i++) {
        if (v[i] < *lo)
            *lo = v[i];
        if (v[i] > *hi)
            *hi = v[i];
    }
}

/* Distinct respondents per key: count[k] grows when the respondent differs
 * from the last one counted for k. */
typedef struct distinct {
    int64_t *count;
    int32_t *last;
    int n;
} distinct;

static int distinct_init(distinct *d, vk_arena *a, int n)
{
    d->n = n;
    d->count = vk_arena_alloc(a, (size_t)(n + 1) * sizeof *d->count);
    d->last = vk_arena_alloc(a, (size_t)(n + 1) * sizeof *d->last);
    if (!d->count || !d->last)
        return -1;
    for (int i = 0; i <= n; i++) {
        d->count[i] = 0;
        d->last[i] = -1;
    }
    return 0;
}

static void distinct_add(distinct *d, int k, int32_t resp)
{
    if (k < 0 || k > d->n || d->last[k] == resp)
        return;
    d->last[k] = resp;
    d->count[k]++;
}

/* ---- the common part of a question ---- */

typedef struct base {
    int64_t n, skipped, answered_rows;
} base;

static base count_base(const rs_col *c, const rowset *rs)
{
    base b = {0, 0, 0};
    int32_t last_a = -1, last_s = -1;
    for (size_t i = 0; i < rs->n; i++) {
        uint8_t st = c->state[rs->row[i]];
        if (st == RS_ANSWERED) {
            b.answered_rows++;
            if (rs->resp[i] != last_a) {
                last_a = rs->resp[i];
                b.n++;
            }
        } else if (st == RS_SKIPPED && rs->resp[i] != last_s) {
            last_s = rs->resp[i];
            b.skipped++;
        }
    }
    return b;
}

static json_t *texts_list(ctx_t *x, const rs_col *c, const rowset *rs, int other_only,
                          int64_t *count)
{
    json_t *arr = json_array();
    const rs_col *parent = c->parent >= 0 ? &x->s->cols[c->parent] : NULL;
    *count = 0;
    for (size_t i = rs->n; i-- > 0;) {
        uint32_t r = rs->row[i];
        if (c->state[r] != RS_ANSWERED || !c->text[r])
            continue;
        if (other_only) {
            int has = 0;
            for (uint32_t k = c->off[r]; k < c->off[r + 1]; k++)
                has |= c->codes[k] == c->nkeys;
            if (!has)
                continue;
        }
        (*count)++;
        if ((int64_t)json_array_size(arr) >= x->o->texts)
            continue;
        const rs_resp *resp = &x->s->resp[rs->resp[i]];
        long feature = parent ? x->s->feat[parent->feat_lo + r].idx : -1;
        json_t *t = json_object();
        json_object_set_new(t, "text", json_string(c->text[r]));
        if (x->o->staff)
            json_object_set_new(t, "response", json_string(resp->uuid));
        if (parent)
            json_object_set_new(t, "feature", json_integer(feature));
        static const char *const langs[] = {"fi", "sv", "en"};
        json_object_set_new(t, "language", json_string(langs[resp->lang]));
        json_object_set_new(t, "submitted", json_string(resp->submitted));
        const char *state = x->o->text_state
                                ? x->o->text_state(x->o->text_state_ud, resp->uuid,
                                                   parent ? parent->el->key : c->el->key,
                                                   feature, parent ? c->el->key : NULL)
                                : NULL;
        json_object_set_new(t, "moderation", state ? json_string(state) : json_null());
        json_array_append_new(arr, t);
    }
    return arr;
}

/* ---- per type ---- */

static void fig_choices(ctx_t *x, const rs_col *c, const rowset *rs, const base *b, json_t *q,
                        int compact)
{
    distinct d;
    if (distinct_init(&d, x->a, c->nkeys))
        return;
    int64_t picks = 0;
    for (size_t i = 0; i < rs->n; i++) {
        uint32_t r = rs->row[i];
        if (c->state[r] != RS_ANSWERED)
            continue;
        for (uint32_t k = c->off[r]; k < c->off[r + 1]; k++) {
            distinct_add(&d, c->codes[k], rs->resp[i]);
            picks++;
        }
    }
    if (compact) {
        json_t *o = json_object();
        for (int k = 0; k < c->nkeys; k++)
            json_object_set_new(o, c->keys[k], json_integer(d.count[k]));
        if (c->other)
            json_object_set_new(o, "_other", json_integer(d.count[c->nkeys]));
        json_object_set_new(q, "choices", o);
        return;
    }
    if (c->kind != RS_SINGLE)
        json_object_set_new(q, "picks", json_integer(picks));
    json_t *arr = json_array();
    for (int k = 0; k < c->nkeys; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(c->keys[k]));
        json_object_set_new(o, "text", ref(c->key_text[k]));
        json_object_set_new(o, "n", json_integer(d.count[k]));
        json_object_set_new(o, "share", share(d.count[k], b->n));
        json_array_append_new(arr, o);
    }
    json_object_set_new(q, "choices", arr);
    if (c->other) {
        json_t *o = json_object();
        int64_t ntexts;
        json_object_set_new(o, "n", json_integer(d.count[c->nkeys]));
        json_object_set_new(o, "share", share(d.count[c->nkeys], b->n));
        json_object_set_new(o, "texts", texts_list(x, c, rs, 1, &ntexts));
        json_object_set_new(q, "other", o);
    }
}

/* The answered numbers of c over rs, in arena memory. */
static double *values_of(ctx_t *x, const rs_col *c, const rowset *rs, size_t *n)
{
    double *v = vk_arena_alloc(x->a, (rs->n + 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; v && i < rs->n; i++)
        if (c->state[rs->row[i]] == RS_ANSWERED && isfinite(c->num[rs->row[i]]))
            v[(*n)++] = c->num[rs->row[i]];
    return v;
}

static void put_mean_median(json_t *q, double *v, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    json_object_set_new(q, "mean", n ? json_real(sum / (double)n) : json_null());
    json_object_set_new(q, "median", num_or_null(median(v, n)));
}

/* Respondents per bin: bin_of(value) for each answered row, distinct. */
static int64_t *bin_counts(ctx_t *x, const rs_col *c, const rowset *rs, int nbins, double lo,
                           double width)
{
    distinct d;
    if (distinct_init(&d, x->a, nbins))
        return NULL;
    for (size_t i = 0; i < rs->n; i++) {
        double v = c->num[rs->row[i]];
        if (c->state[rs->row[i]] != RS_ANSWERED || !isfinite(v))
            continue;
        long bin = (long)floor((v - lo) / width);
        if (bin >= nbins)
            bin = nbins - 1; /* the last bin holds its upper end */
        if (bin >= 0)
            distinct_add(&d, (int)bin, rs->resp[i]);
    }
    return d.count;
}

static void fig_numeric(ctx_t *x, const rs_col *c, const rowset *rs, const base *b, json_t *q,
                        int compact)
{
    size_t n;
    double *v = values_of(x, c, rs, &n);
    if (!v)
        return;
    double vmin, vmax;
    min_max(v, n, &vmin, &vmax);
    put_mean_median(q, v, n); /* reorders v */
    if (compact)
        return;
    const json_t *el = c->el->json;
    json_t *dist = json_array();
    if (c->kind == RS_SCALE) {
        long lo = (long)json_integer_value(json_object_get(el, "min"));
        long hi = (long)json_integer_value(json_object_get(el, "max"));
        json_object_set_new(q, "min", json_integer(lo));
        json_object_set_new(q, "max", json_integer(hi));
        int nb = hi >= lo && hi - lo < 1000 ? (int)(hi - lo + 1) : 0;
        int64_t *k = nb ? bin_counts(x, c, rs, nb, (double)lo, 1) : NULL;
        for (int i = 0; k && i < nb; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "value", json_integer(lo + i));
            json_object_set_new(o, "n", json_integer(k[i]));
            json_object_set_new(o, "share", share(k[i], b->n));
            json_array_append_new(dist, o);
        }
        json_object_set_new(q, "distribution", dist);
        return;
    }
    json_object_set_new(q, "min_value", n ? num_or_null(vmin) : json_null());
    json_object_set_new(q, "max_value", n ? num_or_null(vmax) : json_null());
    const json_t *jmin = json_object_get(el, "min"), *jmax = json_object_get(el, "max");
    double lo = jmin ? json_number_value(jmin) : vmin;
    double hi = jmax ? json_number_value(jmax) : vmax;
    int bins = 10;
    double width = (hi - lo) / bins;
    if (json_is_true(json_object_get(el, "integer")) && hi - lo + 1 <= 20) {
        bins = (int)(hi - lo + 1);
        width = 1;
    }
    int64_t *k = width > 0 && n ? bin_counts(x, c, rs, bins, lo, width) : NULL;
    for (int i = 0; k && i < bins; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "from", num_or_null(lo + width * i));
        json_object_set_new(o, "to", num_or_null(lo + width * (i + 1)));
        json_object_set_new(o, "n", json_integer(k[i]));
        json_array_append_new(dist, o);
    }
    json_object_set_new(q, "distribution", dist);
}

static void fig_date(ctx_t *x, const rs_col *c, const rowset *rs, json_t *q)
{
    size_t n;
    double *v = values_of(x, c, rs, &n);
    if (!v)
        return;
    char day[11];
    double first, last;
    min_max(v, n, &first, &last);
    double med = median(v, n);
    if (isfinite(med)) {
        rs_date((int32_t)med, day);
        json_object_set_new(q, "median", json_string(day));
    } else {
        json_object_set_new(q, "median", json_null());
    }
    json_t *dist = json_array();
    /* Days answered, from the first to the last: respondents per day. */
    double lo = first;
    int nb = n && last - lo < 100000 ? (int)(last - lo + 1) : 0;
    int64_t *k = nb ? bin_counts(x, c, rs, nb, lo, 1) : NULL;
    for (int i = 0; k && i < nb; i++) {
        if (!k[i])
            continue;
        rs_date((int32_t)lo + i, day);
        json_t *o = json_object();
        json_object_set_new(o, "value", json_string(day));
        json_object_set_new(o, "n", json_integer(k[i]));
        json_array_append_new(dist, o);
    }
    json_object_set_new(q, "distribution", dist);
}

static void fig_ranking(ctx_t *x, const rs_col *c, const rowset *rs, json_t *q)
{
    int m = c->nkeys;
    int64_t *ranks = vk_arena_alloc(x->a, (size_t)(m * m + 1) * sizeof *ranks);
    distinct d;
    if (!ranks || distinct_init(&d, x->a, m))
        return;
    memset(ranks, 0, (size_t)(m * m + 1) * sizeof *ranks);
    for (size_t i = 0; i < rs->n; i++) {
        uint32_t r = rs->row[i];
        if (c->state[r] != RS_ANSWERED)
            continue;
        for (uint32_t k = c->off[r]; k < c->off[r + 1]; k++) {
            int item = c->codes[k], place = (int)(k - c->off[r]);
            if (item < 0 || item >= m || place >= m)
                continue;
            ranks[item * m + place]++;
            distinct_add(&d, item, rs->resp[i]);
        }
    }
    json_t *arr = json_array();
    for (int item = 0; item < m; item++) {
        int64_t ranked = 0, placesum = 0, borda = 0;
        json_t *rk = json_array();
        for (int p = 0; p < m; p++) {
            int64_t k = ranks[item * m + p];
            ranked += k;
            placesum += k * (p + 1);
            borda += k * (m - 1 - p);
            json_array_append_new(rk, json_integer(k));
        }
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(c->keys[item]));
        json_object_set_new(o, "text", ref(c->key_text[item]));
        json_object_set_new(o, "n", json_integer(d.count[item]));
        json_object_set_new(o, "mean_rank",
                            ranked ? json_real((double)placesum / (double)ranked) : json_null());
        json_object_set_new(o, "borda", json_integer(borda));
        json_object_set_new(o, "ranks", rk);
        json_array_append_new(arr, o);
    }
    json_object_set_new(q, "items", arr);
}

static void fig_matrix(ctx_t *x, const rs_col *c, const rowset *rs, json_t *q)
{
    int nr = c->nkeys, nc = c->ncolumns;
    int64_t *cell = vk_arena_alloc(x->a, (size_t)(nr * (nc + 1) + 1) * sizeof *cell);
    if (!cell)
        return;
    memset(cell, 0, (size_t)(nr * (nc + 1) + 1) * sizeof *cell);
    /* Matrix answers are top-level or follow-up rows alike: one answer per
     * row of the set. Follow-up matrices count features; n distinct below. */
    distinct d;
    if (distinct_init(&d, x->a, nr * (nc + 1)))
        return;
    for (size_t i = 0; i < rs->n; i++) {
        uint32_t r = rs->row[i];
        if (c->state[r] != RS_ANSWERED)
            continue;
        for (int row = 0; row < nr && c->off[r] + (uint32_t)row < c->off[r + 1]; row++) {
            int col = c->codes[c->off[r] + (uint32_t)row];
            if (col >= 0 && col < nc) {
                distinct_add(&d, row * (nc + 1) + col, rs->resp[i]);
                distinct_add(&d, row * (nc + 1) + nc, rs->resp[i]);
            }
        }
    }
    (void)cell;
    json_t *cols = json_array();
    for (int k = 0; k < nc; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(c->columns[k]));
        json_object_set_new(o, "text", ref(c->column_text[k]));
        json_array_append_new(cols, o);
    }
    json_object_set_new(q, "columns", cols);
    json_t *rows = json_array();
    for (int row = 0; row < nr; row++) {
        int64_t rn = d.count[row * (nc + 1) + nc];
        json_t *o = json_object(), *cells = json_array();
        json_object_set_new(o, "key", json_string(c->keys[row]));
        json_object_set_new(o, "text", ref(c->key_text[row]));
        json_object_set_new(o, "n", json_integer(rn));
        for (int k = 0; k < nc; k++) {
            int64_t v = d.count[row * (nc + 1) + k];
            json_t *ce = json_object();
            json_object_set_new(ce, "column", json_string(c->columns[k]));
            json_object_set_new(ce, "n", json_integer(v));
            json_object_set_new(ce, "share", share(v, rn));
            json_array_append_new(cells, ce);
        }
        json_object_set_new(o, "cells", cells);
        json_array_append_new(rows, o);
    }
    json_object_set_new(q, "rows", rows);
}

/* Budget figures from per-item respondent counts and unit counts. */
static void put_budget(ctx_t *x, const rs_col *c, const int64_t *item_n, const int64_t *units,
                       int64_t n, json_t *q)
{
    const json_t *el = c->el->json;
    double total = json_number_value(json_object_get(el, "total"));
    json_object_set_new(q, "total", num_or_null(total));
    json_object_set_new(q, "currency", ref(json_object_get(el, "currency")));
    json_t *arr = json_array();
    for (int k = 0; k < c->nkeys; k++) {
        double amount = (double)units[k] * c->cost[k];
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(c->keys[k]));
        json_object_set_new(o, "text", ref(c->key_text[k]));
        json_object_set_new(o, "cost", num_or_null(c->cost[k]));
        json_object_set_new(o, "n", json_integer(item_n[k]));
        json_object_set_new(o, "share", share(item_n[k], n));
        json_object_set_new(o, "count", json_integer(units[k]));
        json_object_set_new(o, "amount", num_or_null(amount));
        json_object_set_new(o, "mean_amount", n ? json_real(amount / (double)n) : json_null());
        json_array_append_new(arr, o);
    }
    json_object_set_new(q, "items", arr);
    /* The winning basket: most often chosen first (definition order on
     * ties), each item once when it still fits. */
    int *order = vk_arena_alloc(x->a, (size_t)(c->nkeys + 1) * sizeof *order);
    if (!order)
        return;
    for (int k = 0; k < c->nkeys; k++) {
        int j = k;
        while (j > 0 && item_n[order[j - 1]] < item_n[k]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    json_t *basket = json_object(), *items = json_array();
    double left = total, cost = 0;
    for (int i = 0; i < c->nkeys; i++) {
        int k = order[i];
        if (item_n[k] > 0 && c->cost[k] <= left) {
            left -= c->cost[k];
            cost += c->cost[k];
            json_array_append_new(items, json_string(c->keys[k]));
        }
    }
    json_object_set_new(basket, "method", json_string("greedy-by-frequency"));
    json_object_set_new(basket, "items", items);
    json_object_set_new(basket, "cost", num_or_null(cost));
    json_object_set_new(basket, "total", num_or_null(total));
    json_object_set_new(q, "basket", basket);
}

static void fig_budget(ctx_t *x, const rs_col *c, const rowset *rs, const base *b, json_t *q)
{
    int64_t *units = vk_arena_alloc(x->a, (size_t)(c->nkeys + 1) * sizeof *units);
    distinct d;
    if (!units || distinct_init(&d, x->a, c->nkeys))
        return;
    memset(units, 0, (size_t)(c->nkeys + 1) * sizeof *units);
    for (size_t i = 0; i < rs->n; i++) {
        uint32_t r = rs->row[i];
        if (c->state[r] != RS_ANSWERED)
            continue;
        for (int k = 0; k < c->nkeys && c->off[r] + (uint32_t)k < c->off[r + 1]; k++) {
            int32_t units_k = c->codes[c->off[r] + (uint32_t)k];
            if (units_k > 0) {
                units[k] += units_k;
                distinct_add(&d, k, rs->resp[i]);
            }
        }
    }
    put_budget(x, c, d.count, units, b->n, q);
}

/* ---- map questions ---- */

/* Hexagon cells of a set of features: open addressing on (q, r). */
typedef struct hcell {
    int32_t q, r;
    int64_t features, n;
    int32_t last;
    int used;
    size_t nrows; /* its hash slot, while the cells are sorted */
} hcell;

typedef struct hmap {
    hcell *v;
    size_t cap, n;
} hmap;

static hcell *hmap_get(hmap *h, int32_t q, int32_t r)
{
    uint64_t k = ((uint64_t)(uint32_t)q << 32 | (uint32_t)r) * 0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(k >> 32 ^ k) & (h->cap - 1);
    while (h->v[i].used && (h->v[i].q != q || h->v[i].r != r))
        i = (i + 1) & (h->cap - 1);
    if (!h->v[i].used) {
        h->v[i] = (hcell){q, r, 0, 0, -1, 1, 0};
        h->n++;
    }
    return &h->v[i];
}

/* Double the table (cells are far fewer than features: start small, so a
 * grid of a few hundred cells stays in cache). 0 on success. */
static int hmap_grow(hmap *h)
{
    hmap bigger = {calloc(h->cap * 2, sizeof(hcell)), h->cap * 2, 0};
    if (!bigger.v)
        return -1;
    for (size_t i = 0; i < h->cap; i++)
        if (h->v[i].used)
            *hmap_get(&bigger, h->v[i].q, h->v[i].r) = h->v[i];
    free(h->v);
    *h = bigger;
    return 0;
}

static int hcell_cmp(const void *pa, const void *pb)
{
    const hcell *a = pa, *b = pb;
    if (a->r != b->r)
        return a->r < b->r ? -1 : 1;
    return (a->q > b->q) - (a->q < b->q);
}

/* The cells of the kept features of map column c, sorted by r, q; *cell_of
 * (per feature of c, arena) the index of its cell or -1. */
static hcell *grid_of(ctx_t *x, const rs_col *c, size_t *ncells, int32_t **cell_of)
{
    const rs_snap *s = x->s;
    size_t nf = c->feat_hi - c->feat_lo;
    hmap h = {calloc(1024, sizeof(hcell)), 1024, 0};
    *ncells = 0;
    *cell_of = vk_arena_alloc(x->a, (nf + 1) * sizeof **cell_of);
    int32_t *qr = vk_arena_alloc(x->a, (nf + 1) * 2 * sizeof *qr);
    if (!h.v || !*cell_of || !qr) {
        free(h.v);
        return NULL;
    }
    for (size_t j = c->feat_lo; j < c->feat_hi; j++) {
        const rs_feature *f = &s->feat[j];
        size_t i = j - c->feat_lo;
        (*cell_of)[i] = -1;
        if (!x->m->feat_keep[j] || !isfinite(f->x))
            continue;
        gis_hex_cell_of(&x->grid, f->x, f->y, &qr[2 * i], &qr[2 * i + 1]);
        (*cell_of)[i] = 0;
        if (h.n * 2 >= h.cap && hmap_grow(&h)) {
            free(h.v);
            return NULL;
        }
        hcell *hc = hmap_get(&h, qr[2 * i], qr[2 * i + 1]);
        hc->features++;
        if (hc->last != f->resp) {
            hc->last = f->resp;
            hc->n++;
        }
    }
    hcell *cells = vk_arena_alloc(x->a, (h.n + 1) * sizeof *cells);
    int32_t *sorted_of = vk_arena_alloc(x->a, h.cap * sizeof *sorted_of);
    if (cells && sorted_of) {
        for (size_t i = 0; i < h.cap; i++)
            if (h.v[i].used) {
                h.v[i].nrows = i; /* its slot, through the sort */
                cells[(*ncells)++] = h.v[i];
            }
        qsort(cells, *ncells, sizeof *cells, hcell_cmp);
        for (size_t i = 0; i < *ncells; i++)
            sorted_of[cells[i].nrows] = (int32_t)i;
        for (size_t i = 0; i < nf; i++)
            if ((*cell_of)[i] >= 0)
                (*cell_of)[i] = sorted_of[hmap_get(&h, qr[2 * i], qr[2 * i + 1]) - h.v];
    } else {
        cells = NULL;
    }
    free(h.v);
    return cells;
}

static json_t *question_json(ctx_t *x, const rs_col *c, const rowset *rs, int compact);

/* The rows of map column c's follow-ups: its kept features, in an arena
 * rowset. */
static rowset followup_rows(ctx_t *x, const rs_col *c)
{
    rowset rs = {0};
    size_t nf = c->feat_hi - c->feat_lo;
    rs.row = vk_arena_alloc(x->a, (nf + 1) * sizeof *rs.row);
    rs.resp = vk_arena_alloc(x->a, (nf + 1) * sizeof *rs.resp);
    if (!rs.row || !rs.resp)
        return (rowset){0};
    for (size_t j = c->feat_lo; j < c->feat_hi; j++) {
        if (!x->m->feat_keep[j])
            continue;
        rs.row[rs.n] = (uint32_t)(j - c->feat_lo);
        rs.resp[rs.n++] = x->s->feat[j].resp;
    }
    return rs;
}

/* The kept rows of map column c grouped by group[feature] (0..ngroups-1,
 * -1 none), each group in feature order: rows of group g are
 * out->row[off[g] .. off[g + 1]). One pass, whatever the number of groups. */
typedef struct grouped {
    uint32_t *off;
    rowset all;
} grouped;

static int group_rows(ctx_t *x, const rs_col *c, const int32_t *group, size_t ngroups,
                      grouped *out)
{
    size_t nf = c->feat_hi - c->feat_lo;
    out->off = vk_arena_alloc(x->a, (ngroups + 2) * sizeof *out->off);
    out->all.row = vk_arena_alloc(x->a, (nf + 1) * sizeof *out->all.row);
    out->all.resp = vk_arena_alloc(x->a, (nf + 1) * sizeof *out->all.resp);
    if (!out->off || !out->all.row || !out->all.resp)
        return -1;
    memset(out->off, 0, (ngroups + 2) * sizeof *out->off);
    for (size_t i = 0; i < nf; i++)
        if (group[i] >= 0 && (size_t)group[i] < ngroups)
            out->off[group[i] + 2]++;
    for (size_t g = 2; g < ngroups + 2; g++)
        out->off[g] += out->off[g - 1];
    for (size_t i = 0; i < nf; i++) {
        if (group[i] < 0 || (size_t)group[i] >= ngroups)
            continue;
        uint32_t at = out->off[group[i] + 1]++;
        out->all.row[at] = (uint32_t)i;
        out->all.resp[at] = x->s->feat[c->feat_lo + i].resp;
    }
    out->all.n = out->off[ngroups];
    return 0;
}

static rowset group_slice(const grouped *g, size_t k)
{
    return (rowset){g->all.row + g->off[k], g->all.resp + g->off[k], g->off[k + 1] - g->off[k]};
}

static void fig_map(ctx_t *x, long ci, const rs_col *c, const rowset *top, json_t *q)
{
    const rs_snap *s = x->s;
    size_t nd = s->ndistricts, np = json_array_size(s->places);
    distinct dd, dp;
    int32_t *dist_of = vk_arena_alloc(x->a, (c->feat_hi - c->feat_lo + 1) * sizeof *dist_of);
    int64_t *dfeat = vk_arena_alloc(x->a, (nd + 1) * sizeof *dfeat);
    int64_t *pfeat = vk_arena_alloc(x->a, (np + 1) * sizeof *pfeat);
    if (!dist_of || !dfeat || !pfeat || distinct_init(&dd, x->a, (int)nd) ||
        distinct_init(&dp, x->a, (int)np))
        return;
    memset(dfeat, 0, (nd + 1) * sizeof *dfeat);
    memset(pfeat, 0, (np + 1) * sizeof *pfeat);
    int64_t features = 0, n = 0, wo = 0, located[4] = {0, 0, 0, 0};
    int32_t last = -1, last_wo = -1;
    /* geobudget: units and respondents per item */
    int64_t *units = vk_arena_alloc(x->a, (size_t)(c->nkeys + 1) * sizeof *units);
    distinct di;
    if (!units || distinct_init(&di, x->a, c->nkeys))
        return;
    memset(units, 0, (size_t)(c->nkeys + 1) * sizeof *units);
    for (size_t j = c->feat_lo; j < c->feat_hi; j++) {
        const rs_feature *f = &s->feat[j];
        int32_t d = f->district >= 0 ? f->district : (int32_t)nd;
        dist_of[j - c->feat_lo] = x->m->feat_keep[j] ? d : -1;
        if (!x->m->feat_keep[j])
            continue;
        features++;
        if (f->resp != last) {
            last = f->resp;
            n++;
        }
        if (f->where >= 0 && f->where < 4)
            located[f->where]++;
        if (f->where != QT_AT_GEOMETRY && f->resp != last_wo) {
            last_wo = f->resp;
            wo++;
        }
        dfeat[d]++;
        distinct_add(&dd, d, f->resp);
        if (f->where == QT_AT_PLACE && f->place >= 0) {
            pfeat[f->place]++;
            distinct_add(&dp, f->place, f->resp);
        }
        if (f->item >= 0) {
            units[f->item]++;
            distinct_add(&di, f->item, f->resp);
        }
    }
    json_object_set_new(q, "n", json_integer(n));
    json_object_set_new(q, "features", json_integer(features));
    if (c->kind == RS_GEOBUDGET)
        put_budget(x, c, di.count, units, n, q);
    json_t *loc = json_object();
    static const char *const where[] = {"geometry", "district", "place", "words"};
    for (int i = 0; i < 4; i++)
        json_object_set_new(loc, where[i], json_integer(located[i]));
    json_object_set_new(q, "located", loc);
    json_t *w = json_object();
    json_object_set_new(w, "n", json_integer(wo));
    json_object_set_new(w, "share", share(wo, n));
    json_object_set_new(q, "without_map", w);
    json_t *darr = json_array();
    for (size_t d = 0; d <= nd; d++) {
        if (!dfeat[d])
            continue;
        json_t *o = json_object();
        if (d < nd) {
            json_t *name = json_object();
            json_object_set_new(name, "fi", json_string(s->districts[d].name[0]));
            json_object_set_new(name, "sv", json_string(s->districts[d].name[1]));
            json_object_set_new(name, "en", json_string(s->districts[d].name[2]));
            json_object_set_new(o, "code", json_string(s->districts[d].code));
            json_object_set_new(o, "name", name);
        } else {
            json_object_set_new(o, "code", json_null());
            json_object_set_new(o, "name", json_null());
        }
        json_object_set_new(o, "n", json_integer(dd.count[d]));
        json_object_set_new(o, "features", json_integer(dfeat[d]));
        json_array_append_new(darr, o);
    }
    json_object_set_new(q, "districts", darr);
    json_t *parr = json_array();
    for (size_t p = 0; p < np; p++) {
        if (!pfeat[p])
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "key", ref(json_object_get(json_array_get(s->places, p), "key")));
        json_object_set_new(o, "n", json_integer(dp.count[p]));
        json_object_set_new(o, "features", json_integer(pfeat[p]));
        json_array_append_new(parr, o);
    }
    json_object_set_new(q, "places", parr);
    hcell *cells = NULL;
    size_t ncells = 0;
    int32_t *cell_of = NULL;
    if (x->hex) {
        cells = grid_of(x, c, &ncells, &cell_of);
        json_t *h = json_object(), *arr = json_array();
        json_object_set_new(h, "size", num_or_null(x->o->hex_size));
        json_object_set_new(h, "crs", json_string("EPSG:3067"));
        for (size_t i = 0; cells && i < ncells; i++) {
            double cx, cy;
            gis_hex_center(&x->grid, cells[i].q, cells[i].r, &cx, &cy);
            json_t *o = json_object();
            json_object_set_new(o, "q", json_integer(cells[i].q));
            json_object_set_new(o, "r", json_integer(cells[i].r));
            json_object_set_new(o, "x", json_real(round(cx * 10) / 10));
            json_object_set_new(o, "y", json_real(round(cy * 10) / 10));
            /* Its centre in lon/lat too, as the public results give it:
             * the staff map draws the grid from this document (lib/results.js
             * hexFeatures) instead of fetching hex.geojson again. */
            double lon = cx, lat = cy;
            if (gis_proj_to_storage(x->proj, GIS_CRS_3067, &lon, &lat) == VK_OK) {
                json_t *ctr = json_array();
                json_array_append_new(ctr, json_real(round(lon * 1e6) / 1e6));
                json_array_append_new(ctr, json_real(round(lat * 1e6) / 1e6));
                json_object_set_new(o, "center", ctr);
            }
            json_object_set_new(o, "n", json_integer(cells[i].n));
            json_object_set_new(o, "features", json_integer(cells[i].features));
            json_array_append_new(arr, o);
        }
        json_object_set_new(h, "cells", arr);
        json_object_set_new(q, "hex", h);
    }
    /* Follow-ups, over the kept features; per district, and per hexagon
     * when one question was asked for. */
    grouped bydist = {0}, byhex = {0};
    int have_dist = group_rows(x, c, dist_of, nd + 1, &bydist) == 0;
    int have_hex = cells && x->o->question && group_rows(x, c, cell_of, ncells, &byhex) == 0;
    json_t *fus = json_array();
    for (size_t fi = 0; fi < s->ncols; fi++) {
        const rs_col *fc = &s->cols[fi];
        if (fc->parent != ci)
            continue;
        rowset all = followup_rows(x, c);
        json_t *fq = question_json(x, fc, &all, 0);
        json_t *byd = json_array();
        for (size_t d = 0; have_dist && d <= nd; d++) {
            if (!dfeat[d])
                continue;
            rowset sub = group_slice(&bydist, d);
            json_t *o = question_json(x, fc, &sub, 1);
            json_object_set_new(o, "code", d < nd ? json_string(s->districts[d].code)
                                                  : json_null());
            json_array_append_new(byd, o);
        }
        json_object_set_new(fq, "by_district", byd);
        if (have_hex) {
            json_t *byh = json_array();
            for (size_t i = 0; i < ncells; i++) {
                rowset sub = group_slice(&byhex, i);
                json_t *o = question_json(x, fc, &sub, 1);
                json_object_set_new(o, "q", json_integer(cells[i].q));
                json_object_set_new(o, "r", json_integer(cells[i].r));
                json_array_append_new(byh, o);
            }
            json_object_set_new(fq, "by_hex", byh);
        }
        json_array_append_new(fus, fq);
    }
    json_object_set_new(q, "followups", fus);
    (void)top;
}

/* The object of one question (or follow-up) over rs. compact: the short
 * form of by_district/by_hex. */
static json_t *question_json(ctx_t *x, const rs_col *c, const rowset *rs, int compact)
{
    json_t *q = json_object();
    base b = count_base(c, rs);
    if (!compact) {
        json_object_set_new(q, "key", json_string(c->el->key));
        json_object_set_new(q, "type", json_string(c->el->type->name));
        json_object_set_new(q, "text", ref(json_object_get(c->el->json, "text")));
    }
    if (c->personal) {
        json_object_set_new(q, "personal", json_true());
        return q;
    }
    json_object_set_new(q, "n", json_integer(b.n));
    if (c->parent >= 0)
        json_object_set_new(q, "features", json_integer(b.answered_rows));
    if (!compact)
        json_object_set_new(q, "skipped", json_integer(b.skipped));
    switch (c->kind) {
    case RS_SINGLE:
    case RS_MULTI:
    case RS_PLACE:
        fig_choices(x, c, rs, &b, q, compact);
        break;
    case RS_SCALE:
    case RS_NUMBER:
        fig_numeric(x, c, rs, &b, q, compact);
        break;
    default:
        if (compact)
            break;
        if (c->kind == RS_DATE) {
            fig_date(x, c, rs, q);
        } else if (c->kind == RS_TEXT) {
            int64_t count;
            json_object_set_new(q, "texts", texts_list(x, c, rs, 0, &count));
        } else if (c->kind == RS_RANKING) {
            fig_ranking(x, c, rs, q);
        } else if (c->kind == RS_MATRIX) {
            fig_matrix(x, c, rs, q);
        } else if (c->kind == RS_BUDGET) {
            fig_budget(x, c, rs, &b, q);
        }
        break;
    }
    return q;
}

/* ---- the summary ---- */

static int i32_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void put_summary(ctx_t *x, json_t *doc)
{
    const rs_snap *s = x->s;
    const rs_mask *m = x->m;
    json_t *sum = json_object();
    json_object_set_new(sum, "n", json_integer((json_int_t)m->n));
    json_object_set_new(sum, "drafts", json_integer(s->drafts));
    json_t *comp = json_object();
    json_object_set_new(comp, "n", json_integer((json_int_t)s->nresp));
    json_object_set_new(comp, "drafts", json_integer(s->drafts));
    json_object_set_new(comp, "rate", share((int64_t)s->nresp, (int64_t)s->nresp + s->drafts));
    json_object_set_new(sum, "completion", comp);
    double *secs = vk_arena_alloc(x->a, (s->nresp + 1) * sizeof *secs);
    int32_t *days = vk_arena_alloc(x->a, (s->nresp + 1) * sizeof *days);
    if (!secs || !days)
        return;
    size_t ns = 0, ndays = 0;
    int64_t langs[3] = {0, 0, 0};
    for (size_t r = 0; r < s->nresp; r++) {
        if (!m->keep[r])
            continue;
        if (s->resp[r].seconds >= 0)
            secs[ns++] = s->resp[r].seconds;
        days[ndays++] = s->resp[r].day;
        langs[s->resp[r].lang]++;
    }
    json_t *so = json_object();
    json_object_set_new(so, "n", json_integer((json_int_t)ns));
    json_object_set_new(so, "median", num_or_null(median(secs, ns)));
    json_object_set_new(sum, "seconds", so);
    /* Without the map: of the kept respondents with a kept feature. */
    uint8_t *seen = vk_arena_alloc(x->a, s->nresp + 1);
    if (!seen)
        return;
    memset(seen, 0, s->nresp + 1);
    for (size_t j = 0; j < s->nfeat; j++) {
        if (!m->feat_keep[j])
            continue;
        seen[s->feat[j].resp] |= 1;
        if (s->feat[j].where != QT_AT_GEOMETRY)
            seen[s->feat[j].resp] |= 2;
    }
    int64_t of = 0, wo = 0;
    for (size_t r = 0; r < s->nresp; r++) {
        of += (seen[r] & 1) != 0;
        wo += (seen[r] & 2) != 0;
    }
    json_t *w = json_object();
    json_object_set_new(w, "n", json_integer(wo));
    json_object_set_new(w, "of", json_integer(of));
    json_object_set_new(w, "share", share(wo, of));
    json_object_set_new(sum, "without_map", w);
    json_t *la = json_array();
    static const char *const names[] = {"fi", "sv", "en"};
    for (int i = 0; i < 3; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(names[i]));
        json_object_set_new(o, "n", json_integer(langs[i]));
        json_array_append_new(la, o);
    }
    json_object_set_new(sum, "languages", la);
    json_object_set_new(doc, "summary", sum);
    qsort(days, ndays, sizeof *days, i32_cmp);
    json_t *tl = json_array();
    for (size_t i = 0; i < ndays;) {
        size_t j = i;
        while (j < ndays && days[j] == days[i])
            j++;
        char day[11];
        rs_date(days[i], day);
        json_t *o = json_object();
        json_object_set_new(o, "date", json_string(day));
        json_object_set_new(o, "n", json_integer((json_int_t)(j - i)));
        json_array_append_new(tl, o);
        i = j;
    }
    json_object_set_new(doc, "timeline", tl);
}

static json_t *filter_json(const results_filter *f)
{
    json_t *o = json_object(), *conds = json_array(), *ds = json_array();
    for (int i = 0; i < f->nconds; i++) {
        const results_cond *c = &f->conds[i];
        json_t *co = json_object();
        json_object_set_new(co, "question", json_string(c->question));
        if (c->has_range) {
            json_object_set_new(co, "from", num_or_null(c->lo));
            json_object_set_new(co, "to", num_or_null(c->hi));
        } else {
            json_t *v = json_array();
            for (int k = 0; k < c->nvalues; k++)
                json_array_append_new(v, json_string(c->values[k]));
            json_object_set_new(co, "values", v);
        }
        json_array_append_new(conds, co);
    }
    for (int i = 0; i < f->ndistricts; i++)
        json_array_append_new(ds, json_string(f->districts[i]));
    json_object_set_new(o, "conditions", conds);
    json_object_set_new(o, "district", ds);
    json_object_set_new(o, "from", f->from[0] ? json_string(f->from) : json_null());
    json_object_set_new(o, "to", f->to[0] ? json_string(f->to) : json_null());
    return o;
}

/* ---- entry points ---- */

static vk_err check_opts(const survey_def *def, const results_opts *o, vk_errinfo *ei)
{
    if (o->hex_size != 0 && !(o->hex_size >= RESULTS_HEX_MIN && o->hex_size <= RESULTS_HEX_MAX))
        return vk_fail(ei, VK_EPARAM, "size", "size must be 0 or from %g to %g metres",
                       RESULTS_HEX_MIN, RESULTS_HEX_MAX);
    if (o->question) {
        const survey_elem *el = survey_def_find(def, o->question);
        if (!el || el->parent >= 0 || !(el->type->flags & QT_QUESTION))
            return vk_fail(ei, VK_EPARAM, "question", "there is no question '%.64s'",
                           o->question);
    }
    return VK_OK;
}

vk_err survey_results_compute(vk_ctx *ctx, int64_t survey_id, const survey_def *def,
                              const results_filter *f, const results_opts *o, json_t **out,
                              vk_errinfo *ei)
{
    *out = NULL;
    vk_err e = check_opts(def, o, ei);
    if (e)
        return e;
    rs_snap *s = NULL;
    if ((e = rs_acquire(ctx, survey_id, def, &s, ei)))
        return e;
    vk_arena a;
    vk_arena_init(&a, (size_t)1 << 30);
    rs_mask m;
    ctx_t x = {s, &m, o, &a, {0}, o->hex_size > 0, ctx->proj};
    if (x.hex)
        gis_hex_grid_init(&x.grid, o->hex_size);
    if ((e = rs_mask_make(s, f, &a, &m, ei)))
        goto done;
    json_t *doc = json_object();
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    json_object_set_new(doc, "slug", json_string(def->slug));
    json_object_set_new(doc, "version", json_integer(s->version));
    json_object_set_new(doc, "generated", json_string(now));
    json_object_set_new(doc, "stamp", json_string(s->stamp));
    json_object_set_new(doc, "filter", filter_json(f));
    json_object_set_new(doc, "size", num_or_null(o->hex_size));
    json_object_set_new(doc, "n", json_integer((json_int_t)m.n));
    json_object_set_new(doc, "total", json_integer((json_int_t)s->nresp));
    put_summary(&x, doc);
    /* The kept respondents: every top-level question's rows. */
    rowset top = {vk_arena_alloc(&a, (s->nresp + 1) * sizeof *top.row),
                  vk_arena_alloc(&a, (s->nresp + 1) * sizeof *top.resp), 0};
    if (!top.row || !top.resp) {
        json_decref(doc);
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
        goto done;
    }
    for (size_t r = 0; r < s->nresp; r++)
        if (m.keep[r]) {
            top.row[top.n] = (uint32_t)r;
            top.resp[top.n++] = (int32_t)r;
        }
    json_t *qs = json_array();
    for (size_t ci = 0; ci < s->ncols; ci++) {
        const rs_col *c = &s->cols[ci];
        if (c->parent >= 0 || (o->question && strcmp(o->question, c->el->key) != 0))
            continue;
        json_t *q = question_json(&x, c, &top, 0);
        if (!c->personal && (c->kind == RS_MAP || c->kind == RS_GEOBUDGET))
            fig_map(&x, (long)ci, c, &top, q);
        json_array_append_new(qs, q);
    }
    json_object_set_new(doc, "questions", qs);
    *out = doc;
done:
    vk_arena_fini(&a);
    rs_release(s);
    return e;
}

vk_err survey_results_hex(vk_ctx *ctx, int64_t survey_id, const survey_def *def,
                          const results_filter *f, const char *question, double size,
                          json_t **out, vk_errinfo *ei)
{
    *out = NULL;
    results_opts o;
    results_opts_init(&o);
    o.question = question;
    o.hex_size = size;
    if (!question)
        return vk_fail(ei, VK_EMISSING, "question", "question is required");
    vk_err e = check_opts(def, &o, ei);
    if (e)
        return e;
    if (!(size > 0))
        return vk_fail(ei, VK_EPARAM, "size", "size must be from %g to %g metres",
                       RESULTS_HEX_MIN, RESULTS_HEX_MAX);
    rs_snap *s = NULL;
    if ((e = rs_acquire(ctx, survey_id, def, &s, ei)))
        return e;
    long ci = rs_col_find(s, question);
    if (ci < 0 || (s->cols[ci].kind != RS_MAP && s->cols[ci].kind != RS_GEOBUDGET)) {
        rs_release(s);
        return vk_fail(ei, VK_EPARAM, "question", "'%.64s' is not a map question", question);
    }
    vk_arena a;
    vk_arena_init(&a, (size_t)1 << 30);
    rs_mask m;
    ctx_t x = {s, &m, &o, &a, {0}, 1, ctx->proj};
    gis_hex_grid_init(&x.grid, size);
    if ((e = rs_mask_make(s, f, &a, &m, ei)))
        goto done;
    size_t ncells = 0;
    int32_t *cell_of = NULL;
    hcell *cells = grid_of(&x, &s->cols[ci], &ncells, &cell_of);
    if (!cells) {
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
        goto done;
    }
    json_t *fc = json_object(), *feats = json_array();
    json_object_set_new(fc, "type", json_string("FeatureCollection"));
    json_object_set_new(fc, "question", json_string(question));
    json_object_set_new(fc, "size", num_or_null(size));
    for (size_t i = 0; i < ncells && !e; i++) {
        double xy[12];
        gis_hex_corners(&x.grid, cells[i].q, cells[i].r, xy);
        json_t *ring = json_array();
        for (int k = 0; k <= 6 && !e; k++) {
            double lon = xy[(k % 6) * 2], lat = xy[(k % 6) * 2 + 1];
            if ((e = gis_proj_to_storage(ctx->proj, GIS_CRS_3067, &lon, &lat)))
                e = vk_fail(ei, e, "", "a hexagon could not be projected");
            json_t *pt = json_array();
            json_array_append_new(pt, json_real(round(lon * 1e7) / 1e7));
            json_array_append_new(pt, json_real(round(lat * 1e7) / 1e7));
            json_array_append_new(ring, pt);
        }
        json_t *coords = json_array(), *geom = json_object(), *props = json_object(),
               *ft = json_object();
        json_array_append_new(coords, ring);
        json_object_set_new(geom, "type", json_string("Polygon"));
        json_object_set_new(geom, "coordinates", coords);
        json_object_set_new(props, "q", json_integer(cells[i].q));
        json_object_set_new(props, "r", json_integer(cells[i].r));
        json_object_set_new(props, "features", json_integer(cells[i].features));
        json_object_set_new(props, "n", json_integer(cells[i].n));
        json_object_set_new(ft, "type", json_string("Feature"));
        json_object_set_new(ft, "geometry", geom);
        json_object_set_new(ft, "properties", props);
        json_array_append_new(feats, ft);
    }
    json_object_set_new(fc, "features", feats);
    if (e)
        json_decref(fc);
    else
        *out = fc;
done:
    vk_arena_fini(&a);
    rs_release(s);
    return e;
}
