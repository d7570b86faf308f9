/* areas.c — the stored boundary, districts and accessibility areas (the slice areas_sql). */
#include "db/areas.h"

#include "db/stmt.h"

#define AREAS_SQL(X) \
    X(SQL_BOUNDARY_PUT,                                                              \
      "INSERT OR REPLACE INTO municipality (id, code, name_fi, name_sv, name_en, geom) " \
      "VALUES (1, ?1, ?2, ?3, ?4, CastToMultiPolygon(GeomFromWKB(?5, 4326)))")       \
    X(SQL_BOUNDARY_GET,                                                              \
      "SELECT id, code, name_fi, name_sv, name_en, AsBinary(geom) FROM municipality WHERE id = 1") \
    X(SQL_BOUNDARY_EXTENT,                                                           \
      "SELECT MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), MbrMaxY(geom) FROM municipality WHERE id = 1") \
    X(SQL_DISTRICT_PUT,                                                              \
      "INSERT INTO district (code, name_fi, name_sv, name_en, geom) "                \
      "VALUES (?1, ?2, ?3, ?4, CastToMultiPolygon(GeomFromWKB(?5, 4326)))")          \
    X(SQL_DISTRICT_LIST,                                                             \
      "SELECT id, code, name_fi, name_sv, name_en, NULL, AsBinary(geom) FROM district ORDER BY name_fi") \
    X(SQL_AREA_PUT,                                                                  \
      "INSERT INTO accessibility_area (code, name_fi, name_sv, name_en, level, geom) " \
      "VALUES (?1, ?2, ?3, ?4, ?6, CastToMultiPolygon(GeomFromWKB(?5, 4326)))")      \
    X(SQL_AREA_LIST,                                                                 \
      "SELECT id, code, name_fi, name_sv, name_en, level, AsBinary(geom) "           \
      "FROM accessibility_area ORDER BY name_fi")
DB_SLICE_ENUM(areas_sql_id, AREAS_SQL)
extern const db_slice areas_sql;
DB_SLICE_DEFINE(areas_sql, AREAS_SQL)

static vk_err area_put(store_conn *c, int sql, const store_area *a, const char *what,
                       vk_errinfo *ei)
{
    return db_run(c, &areas_sql, sql,
                  DB_ARGS(DB_TEXT(a->code), DB_TEXT(a->name[0]), DB_TEXT(a->name[1]),
                          DB_TEXT(a->name[2]), DB_BLOB(a->wkb, a->wkb_len),
                          DB_TEXT(a->level ? a->level : "special")),
                  what, ei);
}

/* The area lists' columns; the boundary has no level (geometry_col 5). */
static void area_read(db_row *row, store_area *a, int geometry_col)
{
    a->id = db_col_int64(row, 0);
    a->code = db_col_text(row, 1);
    for (int i = 0; i < 3; i++)
        a->name[i] = db_col_text(row, 2 + i);
    a->level = geometry_col == 6 ? db_col_text(row, 5) : NULL;
    a->wkb = db_col_blob(row, geometry_col);
    a->wkb_len = db_col_bytes(row, geometry_col);
}

vk_err store_boundary_put(store_conn *c, const store_area *m, vk_errinfo *ei)
{
    return area_put(c, SQL_BOUNDARY_PUT, m, "saving the municipality boundary", ei);
}

static vk_err boundary_row(void *arg, db_row *row)
{
    db_walk *a = arg;
    store_area m;
    area_read(row, &m, 5);
    if (a->fn)
        ((store_area_fn)a->fn)(a->arg, &m);
    return VK_OK;
}

vk_err store_boundary_with(store_conn *c, store_area_fn fn, void *arg, int *found, vk_errinfo *ei)
{
    db_walk a = DB_WALK(fn, arg);
    return db_first(c, &areas_sql, SQL_BOUNDARY_GET, DB_NO_ARGS, boundary_row, &a, found,
                    "reading the boundary", ei);
}

typedef struct extent {
    double bbox[4];
    int found;
} extent;

static vk_err extent_row(void *arg, db_row *row)
{
    extent *x = arg;
    x->found = !db_col_is_null(row, 0);
    for (int i = 0; x->found && i < 4; i++)
        x->bbox[i] = db_col_double(row, i);
    return VK_OK;
}

vk_err store_boundary_extent(store_conn *c, double bbox[4], int *found, vk_errinfo *ei)
{
    extent x = {{0, 0, 0, 0}, 0};
    vk_err e = db_first(c, &areas_sql, SQL_BOUNDARY_EXTENT, DB_NO_ARGS, extent_row, &x, NULL,
                        "boundary extent", ei);
    *found = x.found;
    for (int i = 0; x.found && i < 4; i++)
        bbox[i] = x.bbox[i];
    return e;
}

vk_err store_area_put(store_conn *c, store_area_kind kind, const store_area *a, vk_errinfo *ei)
{
    return area_put(c, kind == STORE_AREA_DISTRICT ? SQL_DISTRICT_PUT : SQL_AREA_PUT, a,
                    "saving an area", ei);
}

static int area_row(void *arg, db_row *row)
{
    db_walk *a = arg;
    store_area area;
    area_read(row, &area, 6);
    return ((store_area_fn)a->fn)(a->arg, &area);
}

vk_err store_area_each(store_conn *c, store_area_kind kind, store_area_fn fn, void *arg,
                       vk_errinfo *ei)
{
    db_walk a = DB_WALK(fn, arg);
    return db_each(c, &areas_sql,
                   kind == STORE_AREA_DISTRICT ? SQL_DISTRICT_LIST : SQL_AREA_LIST, DB_NO_ARGS,
                   area_row, &a, "areas", ei);
}

