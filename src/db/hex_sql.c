/*
 * hex_sql.c — the hexagon grid (gis/hex.h) as SQL functions, so that a
 * collection's SQL can snap a point to its hexagon's centre with the very
 * arithmetic the public results use (survey/layers.c, public layers):
 *
 *   vk_hex_cell(lon, lat, size)  the cell (EPSG:3067 grid of size metres)
 *                                a storage position lies in, as one
 *                                integer: q << 32 | (r & 0xffffffff)
 *   vk_hex_lon(cell, size), vk_hex_lat(cell, size)   its centre
 *
 * NULL in, or a position PROJ cannot transform, gives NULL.
 */
#include <sqlite3.h>
#include <stdint.h>

#include "db/store_internal.h"
#include "gis/crs.h"
#include "gis/hex.h"

static int hex_args(sqlite3_value **argv, int n, double *size)
{
    for (int i = 0; i < n; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            return 0;
    *size = sqlite3_value_double(argv[n - 1]);
    return *size > 0;
}

static void hex_cell(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    double size, x, y;
    if (!hex_args(argv, argc, &size))
        return;
    x = sqlite3_value_double(argv[0]);
    y = sqlite3_value_double(argv[1]);
    if (gis_proj_from_storage(sqlite3_user_data(cx), GIS_CRS_3067, &x, &y) != VK_OK)
        return;
    gis_hex_grid g;
    gis_hex_grid_init(&g, size);
    int32_t q, r;
    gis_hex_cell_of(&g, x, y, &q, &r);
    sqlite3_result_int64(cx, (int64_t)((uint64_t)(uint32_t)q << 32 | (uint32_t)r));
}

static void hex_centre(sqlite3_context *cx, sqlite3_value **argv, int lat)
{
    double size, x, y;
    if (!hex_args(argv, 2, &size))
        return;
    uint64_t cell = (uint64_t)sqlite3_value_int64(argv[0]);
    gis_hex_grid g;
    gis_hex_grid_init(&g, size);
    gis_hex_center(&g, (int32_t)(uint32_t)(cell >> 32), (int32_t)(uint32_t)cell, &x, &y);
    if (gis_proj_to_storage(sqlite3_user_data(cx), GIS_CRS_3067, &x, &y) != VK_OK)
        return;
    sqlite3_result_double(cx, lat ? y : x);
}

static void hex_lon(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    hex_centre(cx, argv, 0);
}

static void hex_lat(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    hex_centre(cx, argv, 1);
}

static void proj_free(void *p)
{
    gis_proj_free(p);
}

int db_hex_functions(sqlite3 *db)
{
    gis_proj *p = NULL;
    if (gis_proj_new(&p) != VK_OK)
        return -1;
    /* The last function to go frees the PROJ context they share (SQLite
     * calls proj_free itself when that registration fails). */
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function_v2(db, "vk_hex_cell", 3, flags, p, hex_cell, NULL, NULL, NULL) ||
        sqlite3_create_function_v2(db, "vk_hex_lon", 2, flags, p, hex_lon, NULL, NULL, NULL)) {
        gis_proj_free(p);
        return -1;
    }
    return sqlite3_create_function_v2(db, "vk_hex_lat", 2, flags, p, hex_lat, NULL, NULL,
                                      proj_free) ? -1 : 0;
}
