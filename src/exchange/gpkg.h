/*
 * gpkg.h — writing a collection to a GeoPackage through SpatiaLite's own
 * GeoPackage support (gpkgCreateBaseTables, gpkgAddGeometryColumn,
 * gpkgAddSpatialIndex, AsGPB), a layer named after each collection (with
 * '-' as '_': accessibility_areas), the
 * CRS registered from SpatiaLite's EPSG table. Rows go in one transaction;
 * memory stays constant however many there are.
 */
#ifndef VK_GPKG_H
#define VK_GPKG_H

#include "features/collections.h"

typedef struct store_gpkg store_gpkg;

/* Create path (which must not exist, or be empty) with the collection's layer in EPSG
 * srid. Caller ends with store_gpkg_finish() or store_gpkg_abort(). */
vk_err store_gpkg_create(store_gpkg **out, const char *path, const store_collection *col, int srid,
                         vk_errinfo *ei);
/* End the current layer and start col's in the same file (a survey's
 * layers). A collection without a geometry_type becomes a table without
 * geometry (GeoPackage "attributes"). */
vk_err store_gpkg_add_layer(store_gpkg *g, const store_collection *col, vk_errinfo *ei);
/* As store_gpkg_create and store_gpkg_add_layer, for one part of a mixed
 * collection (geometry_type "Geometry"): dim 1 its points, 2 its lines,
 * 3 its areas, in a layer of their own named <layer>_point, _line or
 * _polygon, typed MULTIPOINT, MULTILINESTRING or MULTIPOLYGON (each row
 * cast to Multi); dim 0 is the plain layer. The rows given must be of
 * that dimension (store_items_query.geometry_dim). */
vk_err store_gpkg_create_part(store_gpkg **out, const char *path, const store_collection *col,
                              int dim, int srid, vk_errinfo *ei);
vk_err store_gpkg_add_part(store_gpkg *g, const store_collection *col, int dim, vk_errinfo *ei);
/* Add one item to the current layer; wkb is its geometry already in srid,
 * east/north order, or NULL (none). */
vk_err store_gpkg_add(store_gpkg *g, const store_item *item, const unsigned char *wkb, size_t n,
                      vk_errinfo *ei);
/* Commit, record the layer's extent, close. Frees g. */
vk_err store_gpkg_finish(store_gpkg *g, vk_errinfo *ei);
/* Roll back, close and remove the file. Frees g. */
void store_gpkg_abort(store_gpkg *g);

/* ---- reading (imports) ---- */

typedef struct store_gpkg_reader store_gpkg_reader;

/* Open a GeoPackage's feature layer: `layer` if given, else one named
 * "feedback", else the first. *srid is the layer's CRS, *count its rows.
 * Caller closes with store_gpkg_close(). */
vk_err store_gpkg_open_read(store_gpkg_reader **out, const char *path, const char *layer, int *srid,
                            int64_t *count, vk_errinfo *ei);
/* The next row: 1 and its geometry as ISO WKB (NULL when empty) with the
 * other columns' names and values (borrowed until the next call); 0 at the
 * end; -1 on error. */
int store_gpkg_next(store_gpkg_reader *r, const unsigned char **wkb, size_t *wkb_len, int *ncols,
                    const char *const **names, const store_value **values, vk_errinfo *ei);
void store_gpkg_close(store_gpkg_reader *r);

#endif
