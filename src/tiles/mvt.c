/* mvt.c — Mapbox Vector Tile layers, encoded with protobuf-c (mvt.h). */
#include "tiles/mvt.h"

#include <stdlib.h>
#include <string.h>

#include "tiles/vector_tile.pb-c.h"

typedef struct u32vec {
    uint32_t *v;
    size_t n, cap;
} u32vec;

typedef struct mvt_feature {
    uint64_t id;
    mvt_geom_type type;
    u32vec tags, geom;
    int32_t cx, cy;     /* the cursor, from (0, 0) for every feature */
    int npoints;        /* MVT_POINT: points gathered in pts */
    int exterior_kept;  /* MVT_POLYGON: the last exterior was kept */
} mvt_feature;

typedef struct mvt_value {
    int kind; /* 1 int, 2 double, 3 string */
    int64_t i;
    double d;
    char *s;
} mvt_value;

struct mvt_layer {
    char *name;
    mvt_feature *f;
    size_t nf, capf;
    char **keys;
    size_t nkeys, capkeys;
    mvt_value *vals;
    size_t nvals, capvals;
    uint32_t *slot; /* open addressing over vals: index + 1, 0 empty */
    size_t nslot;
    int32_t *pts;   /* the current point feature's points */
    size_t capts;
    int open;
};

static int u32_push(u32vec *a, uint32_t x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        uint32_t *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return -1;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

static uint32_t zigzag(int32_t n)
{
    return ((uint32_t)n << 1) ^ (uint32_t)(n >> 31);
}

static uint32_t command(int id, int count)
{
    return (uint32_t)(id & 7) | ((uint32_t)count << 3);
}

vk_err mvt_layer_new(mvt_layer **out, const char *name)
{
    mvt_layer *l = calloc(1, sizeof *l);
    if (!l || !(l->name = strdup(name))) {
        free(l);
        return VK_ENOMEM;
    }
    *out = l;
    return VK_OK;
}

void mvt_layer_free(mvt_layer *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nf; i++) {
        free(l->f[i].tags.v);
        free(l->f[i].geom.v);
    }
    for (size_t i = 0; i < l->nkeys; i++)
        free(l->keys[i]);
    for (size_t i = 0; i < l->nvals; i++)
        free(l->vals[i].s);
    free(l->f);
    free(l->keys);
    free(l->vals);
    free(l->slot);
    free(l->pts);
    free(l->name);
    free(l);
}

int mvt_layer_count(const mvt_layer *l)
{
    return (int)l->nf - (l->open ? 1 : 0);
}

static mvt_feature *current(mvt_layer *l)
{
    return l->open ? &l->f[l->nf - 1] : NULL;
}

vk_err mvt_feature_begin(mvt_layer *l, mvt_geom_type type, uint64_t id)
{
    if (l->open)
        mvt_feature_end(l);
    if (l->nf == l->capf) {
        size_t cap = l->capf ? l->capf * 2 : 64;
        mvt_feature *f = realloc(l->f, cap * sizeof *f);
        if (!f)
            return VK_ENOMEM;
        l->f = f;
        l->capf = cap;
    }
    mvt_feature *f = &l->f[l->nf++];
    memset(f, 0, sizeof *f);
    f->id = id;
    f->type = type;
    l->open = 1;
    return VK_OK;
}

/* ---- properties ---- */

static int key_index(mvt_layer *l, const char *key)
{
    /* A layer has a few dozen keys: a scan beats a hash. */
    for (size_t i = 0; i < l->nkeys; i++)
        if (strcmp(l->keys[i], key) == 0)
            return (int)i;
    if (l->nkeys == l->capkeys) {
        size_t cap = l->capkeys ? l->capkeys * 2 : 16;
        char **k = realloc(l->keys, cap * sizeof *k);
        if (!k)
            return -1;
        l->keys = k;
        l->capkeys = cap;
    }
    if (!(l->keys[l->nkeys] = strdup(key)))
        return -1;
    return (int)l->nkeys++;
}

static uint64_t value_hash(const mvt_value *v)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)v->kind;
    if (v->kind == 3) {
        for (const unsigned char *p = (const unsigned char *)v->s; *p; p++)
            h = (h ^ *p) * 1099511628211ull;
    } else {
        uint64_t x;
        if (v->kind == 1)
            x = (uint64_t)v->i;
        else
            memcpy(&x, &v->d, sizeof x);
        h = (h ^ x) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    return h;
}

static int value_equal(const mvt_value *a, const mvt_value *b)
{
    if (a->kind != b->kind)
        return 0;
    if (a->kind == 1)
        return a->i == b->i;
    if (a->kind == 2)
        return memcmp(&a->d, &b->d, sizeof a->d) == 0;
    return strcmp(a->s, b->s) == 0;
}

static int rehash(mvt_layer *l, size_t nslot)
{
    uint32_t *s = calloc(nslot, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < l->nvals; i++) {
        size_t k = value_hash(&l->vals[i]) & (nslot - 1);
        while (s[k])
            k = (k + 1) & (nslot - 1);
        s[k] = (uint32_t)i + 1;
    }
    free(l->slot);
    l->slot = s;
    l->nslot = nslot;
    return 0;
}

/* The value's index in the layer, added (a string copied) if new. */
static int value_index(mvt_layer *l, const mvt_value *v)
{
    if ((l->nvals + 1) * 2 > l->nslot && rehash(l, l->nslot ? l->nslot * 2 : 256))
        return -1;
    size_t k = value_hash(v) & (l->nslot - 1);
    while (l->slot[k]) {
        if (value_equal(&l->vals[l->slot[k] - 1], v))
            return (int)l->slot[k] - 1;
        k = (k + 1) & (l->nslot - 1);
    }
    if (l->nvals == l->capvals) {
        size_t cap = l->capvals ? l->capvals * 2 : 64;
        mvt_value *a = realloc(l->vals, cap * sizeof *a);
        if (!a)
            return -1;
        l->vals = a;
        l->capvals = cap;
    }
    mvt_value *nv = &l->vals[l->nvals];
    *nv = *v;
    if (v->kind == 3 && !(nv->s = strdup(v->s)))
        return -1;
    l->slot[k] = (uint32_t)l->nvals + 1;
    return (int)l->nvals++;
}

static vk_err add_prop(mvt_layer *l, const char *key, const mvt_value *v)
{
    mvt_feature *f = current(l);
    if (!f)
        return VK_EINTERNAL;
    int k = key_index(l, key), i = k < 0 ? -1 : value_index(l, v);
    if (i < 0 || u32_push(&f->tags, (uint32_t)k) || u32_push(&f->tags, (uint32_t)i))
        return VK_ENOMEM;
    return VK_OK;
}

vk_err mvt_prop_int(mvt_layer *l, const char *key, int64_t v)
{
    mvt_value x = {1, v, 0, NULL};
    return add_prop(l, key, &x);
}

vk_err mvt_prop_double(mvt_layer *l, const char *key, double v)
{
    mvt_value x = {2, 0, v, NULL};
    return add_prop(l, key, &x);
}

vk_err mvt_prop_str(mvt_layer *l, const char *key, const char *v)
{
    mvt_value x = {3, 0, 0, (char *)v};
    return add_prop(l, key, &x);
}

/* ---- geometry ---- */

vk_err mvt_add_point(mvt_layer *l, int32_t x, int32_t y)
{
    mvt_feature *f = current(l);
    if (!f || f->type != MVT_POINT)
        return VK_EINTERNAL;
    if ((size_t)(f->npoints + 1) * 2 > l->capts) {
        size_t cap = l->capts ? l->capts * 2 : 64;
        int32_t *p = realloc(l->pts, cap * sizeof *p);
        if (!p)
            return VK_ENOMEM;
        l->pts = p;
        l->capts = cap;
    }
    l->pts[2 * f->npoints] = x;
    l->pts[2 * f->npoints + 1] = y;
    f->npoints++;
    return VK_OK;
}

static int move_to(mvt_feature *f, int32_t x, int32_t y)
{
    int r = u32_push(&f->geom, zigzag(x - f->cx)) | u32_push(&f->geom, zigzag(y - f->cy));
    f->cx = x;
    f->cy = y;
    return r;
}

/* The vertices of xy without repeats (consecutive equal ones) into *out
 * (malloc'd); drop_closing: also a last vertex equal to the first. */
static int dedup(const int32_t *xy, int n, int drop_closing, int32_t **out)
{
    int32_t *v = malloc((size_t)(n > 0 ? n : 1) * 2 * sizeof *v);
    if (!v)
        return -1;
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m && v[2 * m - 2] == xy[2 * i] && v[2 * m - 1] == xy[2 * i + 1])
            continue;
        v[2 * m] = xy[2 * i];
        v[2 * m + 1] = xy[2 * i + 1];
        m++;
    }
    while (drop_closing && m > 1 && v[0] == v[2 * m - 2] && v[1] == v[2 * m - 1])
        m--;
    *out = v;
    return m;
}

static vk_err add_path(mvt_feature *f, const int32_t *v, int m, int close)
{
    if (u32_push(&f->geom, command(1, 1)) || move_to(f, v[0], v[1]) ||
        u32_push(&f->geom, command(2, m - 1)))
        return VK_ENOMEM;
    for (int i = 1; i < m; i++)
        if (move_to(f, v[2 * i], v[2 * i + 1]))
            return VK_ENOMEM;
    if (close && u32_push(&f->geom, command(7, 1)))
        return VK_ENOMEM;
    return VK_OK;
}

vk_err mvt_add_line(mvt_layer *l, const int32_t *xy, int n)
{
    mvt_feature *f = current(l);
    if (!f || f->type != MVT_LINESTRING)
        return VK_EINTERNAL;
    int32_t *v;
    int m = dedup(xy, n, 0, &v);
    if (m < 0)
        return VK_ENOMEM;
    vk_err e = m >= 2 ? add_path(f, v, m, 0) : VK_OK;
    free(v);
    return e;
}

vk_err mvt_add_ring(mvt_layer *l, const int32_t *xy, int n, int exterior)
{
    mvt_feature *f = current(l);
    if (!f || f->type != MVT_POLYGON)
        return VK_EINTERNAL;
    if (!exterior && !f->exterior_kept)
        return VK_OK;
    int32_t *v;
    int m = dedup(xy, n, 1, &v);
    if (m < 0)
        return VK_ENOMEM;
    /* Twice the signed area in tile units (y down): exterior > 0. */
    int64_t a2 = 0;
    for (int i = 0; i < m; i++) {
        int j = (i + 1) % m;
        a2 += (int64_t)v[2 * i] * v[2 * j + 1] - (int64_t)v[2 * j] * v[2 * i + 1];
    }
    vk_err e = VK_OK;
    if (m >= 3 && a2 != 0) {
        /* Reversed behind the first vertex, which stays where it was. */
        if ((a2 > 0) != (exterior != 0))
            for (int i = 1, j = m - 1; i < j; i++, j--) {
                int32_t tx = v[2 * i], ty = v[2 * i + 1];
                v[2 * i] = v[2 * j];
                v[2 * i + 1] = v[2 * j + 1];
                v[2 * j] = tx;
                v[2 * j + 1] = ty;
            }
        e = add_path(f, v, m, 1);
        if (exterior)
            f->exterior_kept = 1;
    } else if (exterior) {
        f->exterior_kept = 0;
    }
    free(v);
    return e;
}

void mvt_feature_end(mvt_layer *l)
{
    mvt_feature *f = current(l);
    if (!f)
        return;
    l->open = 0;
    if (f->type == MVT_POINT && f->npoints) {
        int ok = u32_push(&f->geom, command(1, f->npoints)) == 0;
        for (int i = 0; ok && i < f->npoints; i++)
            ok = move_to(f, l->pts[2 * i], l->pts[2 * i + 1]) == 0;
        if (!ok)
            f->geom.n = 0;
    }
    if (!f->geom.n) { /* nothing left to draw: not a feature */
        free(f->tags.v);
        free(f->geom.v);
        l->nf--;
    }
}

/* ---- encoding ---- */

vk_err mvt_encode(mvt_layer *const *layers, int n, vk_buf *out)
{
    VectorTile__Tile tile = VECTOR_TILE__TILE__INIT;
    VectorTile__Tile__Layer *ls = calloc((size_t)(n ? n : 1), sizeof *ls);
    VectorTile__Tile__Layer **lp = calloc((size_t)(n ? n : 1), sizeof *lp);
    size_t nf = 0, nv = 0;
    for (int i = 0; i < n; i++) {
        mvt_feature_end(layers[i]);
        nf += layers[i]->nf;
        nv += layers[i]->nvals;
    }
    VectorTile__Tile__Feature *fs = calloc(nf ? nf : 1, sizeof *fs);
    VectorTile__Tile__Feature **fp = calloc(nf ? nf : 1, sizeof *fp);
    VectorTile__Tile__Value *vs = calloc(nv ? nv : 1, sizeof *vs);
    VectorTile__Tile__Value **vp = calloc(nv ? nv : 1, sizeof *vp);
    vk_err e = VK_OK;
    if (!ls || !lp || !fs || !fp || !vs || !vp) {
        e = VK_ENOMEM;
        goto done;
    }
    size_t kf = 0, kv = 0;
    for (int i = 0; i < n; i++) {
        const mvt_layer *l = layers[i];
        VectorTile__Tile__Layer *pl = &ls[i];
        vector_tile__tile__layer__init(pl);
        pl->version = 2;
        pl->name = l->name;
        pl->has_extent = 1;
        pl->extent = MVT_EXTENT;
        pl->n_keys = l->nkeys;
        pl->keys = l->keys;
        pl->n_features = l->nf;
        pl->features = &fp[kf];
        for (size_t j = 0; j < l->nf; j++, kf++) {
            VectorTile__Tile__Feature *f = &fs[kf];
            vector_tile__tile__feature__init(f);
            f->has_id = l->f[j].id != 0;
            f->id = l->f[j].id;
            f->has_type = 1;
            f->type = (VectorTile__Tile__GeomType)l->f[j].type;
            f->n_tags = l->f[j].tags.n;
            f->tags = l->f[j].tags.v;
            f->n_geometry = l->f[j].geom.n;
            f->geometry = l->f[j].geom.v;
            fp[kf] = f;
        }
        pl->n_values = l->nvals;
        pl->values = &vp[kv];
        for (size_t j = 0; j < l->nvals; j++, kv++) {
            VectorTile__Tile__Value *v = &vs[kv];
            vector_tile__tile__value__init(v);
            const mvt_value *x = &l->vals[j];
            if (x->kind == 1 && x->i < 0) {
                v->has_sint_value = 1;
                v->sint_value = x->i;
            } else if (x->kind == 1) {
                v->has_uint_value = 1;
                v->uint_value = (uint64_t)x->i;
            } else if (x->kind == 2) {
                v->has_double_value = 1;
                v->double_value = x->d;
            } else {
                v->string_value = x->s;
            }
            vp[kv] = v;
        }
        lp[i] = pl;
    }
    tile.n_layers = (size_t)n;
    tile.layers = lp;
    size_t size = vector_tile__tile__get_packed_size(&tile);
    if (size && (vk_buf_reserve(out, size) || !vk_buf_ok(out))) {
        e = VK_ENOMEM;
        goto done;
    }
    out->len += vector_tile__tile__pack(&tile, (uint8_t *)out->data + out->len);
    out->data[out->len] = 0;
done:
    free(ls);
    free(lp);
    free(fs);
    free(fp);
    free(vs);
    free(vp);
    return e;
}
