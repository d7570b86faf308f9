/*
 * load.h — `vaikuta load-addresses`: the gazetteer from a CSV file
 * (docs/places.md gives the columns and the ogr2ogr commands that make
 * the file from the official building addresses or from OpenStreetMap).
 */
#ifndef VK_PLACES_LOAD_H
#define VK_PLACES_LOAD_H

#include <stdint.h>

#include "db/ctx.h"
#include "gis/crs.h"

typedef struct gaz_load_stats {
    int64_t addresses, streets, places;
    int64_t skipped; /* rows without a street and number or a place name */
} gaz_load_stats;

/* Replace the whole gazetteer with the rows of the CSV file at path (x, y
 * in crs: CRS84/EPSG:4326 longitude, latitude; EPSG:3067 easting,
 * northing; EPSG:3879 likewise easting first), in one transaction of ctx's
 * connection: all or nothing, and loading the same file again gives the
 * same gazetteer. Each point's district comes from ctx's districts. On
 * failure ei names the line and the column. */
vk_err gaz_load_csv(vk_ctx *ctx, const char *path, gis_crs crs, gaz_load_stats *st,
                    vk_errinfo *ei);

/* The demo: geo_dir/addresses.csv (longitude, latitude; geo/README.md)
 * when the gazetteer is empty and the file is there; *loaded the
 * addresses and places added (0 when it was not empty). */
vk_err gaz_load_demo(vk_ctx *ctx, const char *geo_dir, int64_t *loaded, vk_errinfo *ei);

#endif
