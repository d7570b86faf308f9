/*
 * mvt.h — one Mapbox Vector Tile (2.1) built feature by feature and
 * encoded with protobuf-c (the messages of vector_tile.proto).
 *
 * The caller gives coordinates already in tile units (0..extent, with
 * whatever buffer it wants beyond); this module writes the command
 * stream (MoveTo/LineTo/ClosePath, zigzag deltas), makes exterior rings
 * positive and holes negative by the surveyor's formula (4.3.4.4), drops
 * repeated vertices and degenerate parts, and shares keys and values
 * between the features of a layer.
 */
#ifndef VK_TILES_MVT_H
#define VK_TILES_MVT_H

#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define MVT_EXTENT 4096

typedef enum { MVT_POINT = 1, MVT_LINESTRING = 2, MVT_POLYGON = 3 } mvt_geom_type;

typedef struct mvt_layer mvt_layer;

/* A layer named name (copied). Caller frees with mvt_layer_free(). */
vk_err mvt_layer_new(mvt_layer **out, const char *name);
void mvt_layer_free(mvt_layer *l);
/* Features in the layer so far. */
int mvt_layer_count(const mvt_layer *l);

/* Start a feature (id 0 = none); its properties and geometry follow;
 * mvt_feature_end keeps it, or drops it when no geometry was left. */
vk_err mvt_feature_begin(mvt_layer *l, mvt_geom_type type, uint64_t id);
vk_err mvt_prop_int(mvt_layer *l, const char *key, int64_t v);
vk_err mvt_prop_double(mvt_layer *l, const char *key, double v);
vk_err mvt_prop_str(mvt_layer *l, const char *key, const char *v); /* v copied */
/* A point (MVT_POINT features: several make a multipoint). */
vk_err mvt_add_point(mvt_layer *l, int32_t x, int32_t y);
/* A line of n vertices xy[2n] (MVT_LINESTRING); fewer than 2 distinct
 * vertices adds nothing. */
vk_err mvt_add_line(mvt_layer *l, const int32_t *xy, int n);
/* A ring of n vertices (closing vertex optional; MVT_POLYGON), exterior
 * or a hole of the exterior before it. A ring of no area adds nothing;
 * a hole after a dropped exterior is dropped too. */
vk_err mvt_add_ring(mvt_layer *l, const int32_t *xy, int n, int exterior);
void mvt_feature_end(mvt_layer *l);

/* The tile of n layers, appended to out. */
vk_err mvt_encode(mvt_layer *const *layers, int n, vk_buf *out);

#endif
