/* test_tiles.c — the Mapbox Vector Tile writer (tiles/mvt.c) and the
 * tile cache (tiles/cache.c): tiles are encoded, decoded again with
 * protobuf-c and their command streams compared with the MVT 2.1
 * specification's own examples (section 4.3.5). */
#include <math.h>
#include <stdlib.h>

#include "features/cluster_sums.h"
#include "tiles/cache.h"
#include "tiles/mvt.h"
#include "tiles/vector_tile.pb-c.h"
#include "t.h"

/* Encode l alone and decode it; caller frees with
 * vector_tile__tile__free_unpacked. */
static VectorTile__Tile *roundtrip(mvt_layer *l, vk_buf *b)
{
    vk_buf_init(b, 1 << 20);
    if (mvt_encode(&l, 1, b))
        return NULL;
    return vector_tile__tile__unpack(NULL, b->len, (const uint8_t *)b->data);
}

static int geom_is(const VectorTile__Tile__Feature *f, const uint32_t *want, size_t n)
{
    if (f->n_geometry != n) {
        printf("#   %zu commands, want %zu:", f->n_geometry, n);
        for (size_t i = 0; i < f->n_geometry; i++)
            printf(" %u", f->geometry[i]);
        printf("\n");
        return 0;
    }
    return memcmp(f->geometry, want, n * sizeof *want) == 0;
}

static void test_spec_examples(void)
{
    mvt_layer *l;
    T_OK(mvt_layer_new(&l, "feedback") == VK_OK, "a layer");
    /* 4.3.5.1: a point at (25, 17). */
    mvt_feature_begin(l, MVT_POINT, 7);
    mvt_prop_str(l, "status", "received");
    mvt_add_point(l, 25, 17);
    mvt_feature_end(l);
    /* 4.3.5.3: a line (2,2) (2,10) (10,10). */
    mvt_feature_begin(l, MVT_LINESTRING, 8);
    mvt_prop_str(l, "status", "received");
    mvt_add_line(l, (const int32_t[]){2, 2, 2, 10, 10, 10}, 3);
    mvt_feature_end(l);
    /* 4.3.5.5: the polygon (3,6) (8,12) (20,34), given counter-clockwise
     * here: it must come out as the spec writes it (positive area). */
    mvt_feature_begin(l, MVT_POLYGON, 9);
    mvt_prop_int(l, "count", 3);
    mvt_add_ring(l, (const int32_t[]){3, 6, 20, 34, 8, 12, 3, 6}, 4, 1);
    mvt_feature_end(l);
    /* Nothing left to draw: no feature. */
    mvt_feature_begin(l, MVT_LINESTRING, 10);
    mvt_add_line(l, (const int32_t[]){5, 5, 5, 5}, 2);
    mvt_feature_end(l);
    T_EQ_INT(mvt_layer_count(l), 3, "a degenerate line is no feature");

    vk_buf b;
    VectorTile__Tile *t = roundtrip(l, &b);
    T_OK(t != NULL, "protobuf-c decodes what it encoded");
    if (t) {
        T_EQ_INT(t->n_layers, 1, "one layer");
        VectorTile__Tile__Layer *ly = t->layers[0];
        T_EQ_STR(ly->name, "feedback", "named by the collection");
        T_EQ_INT(ly->version, 2, "version 2");
        T_EQ_INT(ly->extent, 4096, "extent 4096");
        T_EQ_INT(ly->n_features, 3, "three features");
        T_EQ_INT(ly->n_keys, 2, "keys shared: status, count");
        T_EQ_INT(ly->n_values, 2, "values shared: \"received\" once");
        T_OK(geom_is(ly->features[0], (const uint32_t[]){9, 50, 34}, 3), "4.3.5.1 point");
        T_OK(geom_is(ly->features[1], (const uint32_t[]){9, 4, 4, 18, 0, 16, 16, 0}, 8),
             "4.3.5.3 linestring");
        T_OK(geom_is(ly->features[2], (const uint32_t[]){9, 6, 12, 18, 10, 12, 24, 44, 15}, 9),
             "4.3.5.5 polygon, exterior made clockwise");
        T_EQ_INT(ly->features[0]->id, 7, "feature id");
        T_EQ_INT(ly->features[0]->type, VECTOR_TILE__TILE__GEOM_TYPE__POINT, "type point");
        T_EQ_INT(ly->features[2]->n_tags, 2, "one property, a key and a value");
        VectorTile__Tile__Value *v = ly->values[ly->features[2]->tags[1]];
        T_OK(v->has_uint_value && v->uint_value == 3, "an integer as uint_value");
        vector_tile__tile__free_unpacked(t, NULL);
    }
    vk_buf_fini(&b);
    mvt_layer_free(l);
}

static void test_multi_and_holes(void)
{
    mvt_layer *l;
    mvt_layer_new(&l, "x");
    /* 4.3.5.2: a multipoint (5,7) (3,2). */
    mvt_feature_begin(l, MVT_POINT, 0);
    mvt_add_point(l, 5, 7);
    mvt_add_point(l, 3, 2);
    mvt_feature_end(l);
    /* A square with a hole, both given clockwise: the hole is reversed. */
    mvt_feature_begin(l, MVT_POLYGON, 0);
    mvt_add_ring(l, (const int32_t[]){0, 0, 10, 0, 10, 10, 0, 10}, 4, 1);
    mvt_add_ring(l, (const int32_t[]){2, 2, 4, 2, 4, 4, 2, 4}, 4, 0);
    mvt_feature_end(l);
    /* A hole after an exterior of no area is dropped with it. */
    mvt_feature_begin(l, MVT_POLYGON, 0);
    mvt_add_ring(l, (const int32_t[]){0, 0, 5, 0, 9, 0}, 3, 1);
    mvt_add_ring(l, (const int32_t[]){2, 2, 4, 2, 4, 4}, 3, 0);
    mvt_feature_end(l);
    vk_buf b;
    VectorTile__Tile *t = roundtrip(l, &b);
    T_OK(t && t->layers[0]->n_features == 2, "the flat polygon is no feature");
    if (t) {
        VectorTile__Tile__Layer *ly = t->layers[0];
        T_OK(ly->features[0]->id == 0 && !ly->features[0]->has_id, "no id: none written");
        T_OK(geom_is(ly->features[0], (const uint32_t[]){17, 10, 14, 3, 9}, 5), "4.3.5.2 multipoint");
        /* Exterior (0,0) (10,0) (10,10) (0,10): area > 0 with y down as it
         * is; the hole (2,2) (4,2) (4,4) (2,4) has the same turn and is
         * reversed behind its first vertex: (2,2) (2,4) (4,4) (4,2). */
        T_OK(geom_is(ly->features[1],
                     (const uint32_t[]){9, 0, 0, 26, 20, 0, 0, 20, 19, 0, 15,
                                        9, 4, 15, 26, 0, 4, 4, 0, 0, 3, 15},
                     22),
             "exterior kept, hole reversed, cursor carried between rings");
        vector_tile__tile__free_unpacked(t, NULL);
    }
    vk_buf_fini(&b);
    mvt_layer_free(l);
}

typedef struct sums_seen {
    int64_t n, cells, single_ids, slon;
} sums_seen;

static void count_cell(void *arg, int col, int row, int64_t n, int64_t slon, int64_t slat,
                       int64_t sid)
{
    sums_seen *s = arg;
    s->n += n;
    s->cells++;
    s->slon += slon;
    if (n == 1)
        s->single_ids += sid;
}

static void test_cache(void)
{
    tile_cache *c;
    T_OK(tile_cache_new(&c, 1 << 20) == VK_OK, "a cache");
    vk_buf b;
    vk_buf_init(&b, 1 << 20);
    char tag[TILE_CACHE_ETAG_MAX];
    int64_t v = 0;
    tile_cache_put(c, "feedback|*|*", 10, 593, 290, 41, "\"h1\"", "abc", 3);
    T_OK(tile_cache_get(c, "feedback|*|*", 10, 593, 290, &v, tag, &b) && b.len == 3 &&
             memcmp(b.data, "abc", 3) == 0 && v == 41 && strcmp(tag, "\"h1\"") == 0,
         "a tile back with its version and ETag");
    vk_buf_reset(&b);
    T_OK(!tile_cache_get(c, "feedback|lighting|*", 10, 593, 290, &v, tag, &b),
         "another filter: a miss");
    T_OK(!tile_cache_get(c, "feedback|*|*", 10, 290, 593, &v, tag, &b),
         "x and y are not interchangeable");
    tile_cache_renew(c, "feedback|*|*", 10, 593, 290, 41, 45);
    T_OK(tile_cache_get(c, "feedback|*|*", 10, 593, 290, &v, tag, &b) && v == 45 &&
             strcmp(tag, "\"h1\"") == 0,
         "renewed: a newer version, the same ETag");
    tile_cache_renew(c, "feedback|*|*", 10, 593, 290, 41, 50);
    vk_buf_reset(&b);
    T_OK(tile_cache_get(c, "feedback|*|*", 10, 593, 290, &v, tag, &b) && v == 45,
         "a renewal from a version no longer held: nothing");
    tile_cache_put(c, "feedback|*|*", 10, 593, 290, 46, "\"h2\"", "defg", 4);
    vk_buf_reset(&b);
    T_OK(tile_cache_get(c, "feedback|*|*", 10, 593, 290, &v, tag, &b) && b.len == 4 && v == 46,
         "replaced by the newer");
    char *big = calloc(1, 1 << 16);
    vk_buf_reset(&b);
    tile_cache_put(c, "feedback|*|*", 3, 1, 1, 1, "\"h3\"", big, 1 << 16);
    T_OK(!tile_cache_get(c, "feedback|*|*", 3, 1, 1, &v, tag, &b),
         "a tile over 1/64 of the cache is not kept");
    free(big);
    vk_buf_fini(&b);
    tile_cache_free(c);
}

/* Every point is in exactly one cell a zoom, the sums come back exactly
 * when points leave, and a cell of one point carries its id. */
static void test_sums(void)
{
    cluster_sums *s = cluster_sums_new();
    T_OK(s != NULL, "sums");
    double pts[][2] = {{28.7705, 61.1935}, {28.7706, 61.1934}, {28.2, 61.0}, {-179.9, -85.0},
                       {180.0, 0.0}, {0.0, 89.0}};
    for (int i = 0; i < 6; i++)
        cluster_sums_add(s, pts[i][0], pts[i][1], 100 + i, 1 + i % 2, 3, 1);
    for (int z = 0; z <= CLUSTER_SUMS_MAX_ZOOM; z++) {
        sums_seen seen = {0};
        uint32_t n = 1u << z;
        /* The tiles holding the points (the first is at z10 593/290). */
        for (int i = 0; i < 4; i++) {
            double r = pts[i][1] * M_PI / 180;
            uint32_t x = (uint32_t)floor((pts[i][0] + 180) / 360 * n);
            uint32_t y = (uint32_t)floor((1 - asinh(tan(r)) / M_PI) / 2 * n);
            int dup = 0;
            for (int k = 0; k < i; k++) {
                double rk = pts[k][1] * M_PI / 180;
                dup |= x == (uint32_t)floor((pts[k][0] + 180) / 360 * n) &&
                       y == (uint32_t)floor((1 - asinh(tan(rk)) / M_PI) / 2 * n);
            }
            if (!dup)
                T_OK(cluster_sums_tile(s, z, CLUSTER_SUMS_ALL, 0, x, y, count_cell, &seen) == 1, "a zoom kept");
        }
        T_OK(seen.n == 4, "the four points in WebMercator, once each, at every zoom");
        if (z == 10)
            T_OK(seen.single_ids == 102 + 103 && seen.cells == 3,
                 "z10: the two close points in one cell, the others alone with their ids");
    }
    cluster_sums_add(s, pts[1][0], pts[1][1], 101, 2, 3, -1);
    sums_seen seen = {0};
    cluster_sums_tile(s, 10, CLUSTER_SUMS_ALL, 0, 593, 290, count_cell, &seen);
    T_OK(seen.n == 1 && seen.single_ids == 100 && seen.slon == llround(28.7705 * 1e7),
         "a point out: the sums as before it");
    T_OK(cluster_sums_tile(s, CLUSTER_SUMS_MAX_ZOOM + 1, CLUSTER_SUMS_ALL, 0, 0, 0, count_cell, &seen) == 0,
         "zooms above the kept ones: not answered");
    /* By category (1 + i % 2: points 0 and 2 in 1, 1 and 3 in 2) and by
     * status (all in 3), after point 1 left. */
    sums_seen c1 = {0}, c2 = {0}, s3 = {0}, none = {0};
    cluster_sums_tile(s, 10, CLUSTER_SUMS_CATEGORY, 1, 593, 290, count_cell, &c1);
    cluster_sums_tile(s, 10, CLUSTER_SUMS_CATEGORY, 2, 593, 290, count_cell, &c2);
    cluster_sums_tile(s, 10, CLUSTER_SUMS_STATUS, 3, 593, 290, count_cell, &s3);
    T_OK(c1.n == 1 && c1.single_ids == 100 && c2.n == 0 && s3.n == 1,
         "category and status tables: the same point, in its own classes only");
    T_OK(cluster_sums_tile(s, 10, CLUSTER_SUMS_STATUS, 4, 593, 290, count_cell, &none) == 1 &&
             none.n == 0,
         "a status never seen: kept, empty");
    T_OK(!cluster_sums_kept(s, 10, CLUSTER_SUMS_STATUS, 0) &&
             !cluster_sums_kept(s, 10, CLUSTER_SUMS_CATEGORY, CLUSTER_SUMS_CODES),
         "no table for code 0 or past the codes");
    T_OK(cluster_sums_bytes(s) > 0, "bytes counted");
    /* Taking a point out of a class it was never in: that table is no
     * longer trusted (dropped), the others stay. */
    cluster_sums_add(s, pts[0][0], pts[0][1], 100, 2, 3, -1);
    T_OK(!cluster_sums_kept(s, 10, CLUSTER_SUMS_CATEGORY, 2) &&
             cluster_sums_kept(s, 10, CLUSTER_SUMS_CATEGORY, 1),
         "a wrong removal drops only its own table");
    cluster_sums_clear(s);
    T_OK(cluster_sums_kept(s, 10, CLUSTER_SUMS_CATEGORY, 2), "clear takes dropped tables back");

    /* The cell of a zoom is the finer zoom's shifted, wherever computed. */
    for (int i = 0; i < 1000; i++) {
        double lon = 28.5 + i * 0.000731, lat = 61.0 + i * 0.000417;
        uint64_t X17, Y17, X, Y;
        cluster_sums_cell(lon, lat, 17, &X17, &Y17);
        cluster_sums_cell(lon, lat, 12, &X, &Y);
        if (X != X17 >> 5 || Y != Y17 >> 5) {
            T_OK(0, "cell of %.7f %.7f differs between 2^17 and 2^12", lon, lat);
            break;
        }
    }
    cluster_sums_free(s);
}

int main(void)
{
    test_spec_examples();
    test_multi_and_holes();
    test_cache();
    test_sums();
    return t_done();
}
