/*
 * gis_internal.h — entry points shared inside src/gis only (gis.c ↔ crs.c);
 * nothing outside src/gis includes this.
 *
 * gis.c owns the one bounds-checked WKB reader. These functions expose it
 * with a per-position callback so that crs.c can transform coordinates
 * while writing GeoJSON, or rewrite WKB in place, without a second reader.
 */
#ifndef VK_GIS_INTERNAL_H
#define VK_GIS_INTERNAL_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Transform one position (x, y in the WKB's order) in place. Returns VK_OK,
 * or the error the whole call then returns (e.g. VK_EGEOM_COORD). Called
 * for every position except WKB's empty point (NaN, NaN). */
typedef vk_err (*gis_pos_fn)(void *ud, double *x, double *y);

/* gis_wkb_to_geojson with every position passed through fn (NULL: as is)
 * and written with `decimals` decimals. gis_wkb_to_geojson(w, n, out) is
 * gis_wkb_to_geojson_tx(w, n, NULL, NULL, GIS_DECIMALS, out). Returns
 * VK_OK; VK_ENOMEM if out fails; VK_EINTERNAL on malformed WKB; or fn's
 * error. On any error out is left as it was (ud is borrowed for the call). */
vk_err gis_wkb_to_geojson_tx(const unsigned char *wkb, size_t n, gis_pos_fn fn, void *ud,
                             int decimals, vk_buf *out);

/* Pass every position of the WKB (as gis_wkb_to_geojson reads it: either
 * byte order, Z/M ordinates kept untouched) through fn and write the result
 * back in place, in the position's own byte order. The whole WKB is checked
 * first, so malformed input (VK_EINTERNAL) is never modified; if fn fails
 * part way (its error is returned) the WKB is left partly transformed and
 * must be discarded. */
vk_err gis_wkb_transform(unsigned char *wkb, size_t n, gis_pos_fn fn, void *ud);

#endif
