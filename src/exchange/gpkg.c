/* gpkg.c — GeoPackage output via SpatiaLite. */
#include "exchange/gpkg.h"

#include <sqlite3.h>
#include <spatialite.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "db/stmt.h"
#include "core/clock.h"

struct store_gpkg {
    char layer[64]; /* the collection id as an SQL identifier: '-' → '_' */
    sqlite3 *db;
    void *spatialite;
    sqlite3_stmt *insert;
    const store_collection *col;
    char *path;
    int srid;
    int dim; /* the current layer: 0 the collection's own geometry type;
              * 1..3 its points, lines or areas as Multi geometries */
};

static vk_err g_fail(store_gpkg *g, vk_errinfo *ei, const char *what)
{
    return vk_fail(ei, VK_EIO, "", "GeoPackage: %s: %s", what, sqlite3_errmsg(g->db));
}

static vk_err g_exec(store_gpkg *g, const char *sql, vk_errinfo *ei)
{
    return db_exec_file(g->db, sql, VK_EIO, "GeoPackage: ", ei);
}

/* The GeoPackage types GDAL reads as the types every other format gives
 * (docs/gis.md): integers are 32-bit (MEDIUMINT), as GDAL's GeoJSON and
 * OAPIF readers infer for ids and counts and the CSVT says. */
static const char *column_type(cql2_qtype t)
{
    switch (t) {
    case CQL2_Q_INTEGER: return "MEDIUMINT";
    case CQL2_Q_NUMBER: return "DOUBLE";
    case CQL2_Q_BOOLEAN: return "BOOLEAN";
    case CQL2_Q_DATETIME: return "DATETIME";
    default: return "TEXT";
    }
}

static void close_db(store_gpkg *g)
{
    sqlite3_finalize(g->insert);
    if (g->db)
        sqlite3_close_v2(g->db);
    if (g->spatialite)
        spatialite_cleanup_ex(g->spatialite);
    free(g->path);
    free(g);
}

/* The GeoPackage geometry type of a collection's GeoJSON type name. */
static const char *gpkg_geometry_type(const char *t)
{
    static const char *const names[][2] = {
        {"Point", "POINT"},           {"LineString", "LINESTRING"},
        {"Polygon", "POLYGON"},       {"MultiPoint", "MULTIPOINT"},
        {"MultiLineString", "MULTILINESTRING"}, {"MultiPolygon", "MULTIPOLYGON"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(t, names[i][0]) == 0)
            return names[i][1];
    return "GEOMETRY";
}

/* The layers of a mixed collection's parts: one geometry type each, Multi
 * so that a MultiPoint sits beside the Points (QGIS and GDAL want one type
 * per layer). */
static const char *const part_suffix[] = {"", "_point", "_line", "_polygon"};
static const char *const part_type[] = {"", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON"};

/* Create col's table (features, or attributes when it has no geometry
 * type), open a transaction for its rows and prepare their insert. */
static vk_err start_layer(store_gpkg *g, const store_collection *col, int dim, vk_errinfo *ei)
{
    int features = col->geometry_type != NULL;
    g->col = col;
    g->dim = features && dim >= 1 && dim <= 3 ? dim : 0;
    /* SpatiaLite's GeoPackage triggers do not quote table names. */
    snprintf(g->layer, sizeof g->layer, "%s%s", col->id, part_suffix[g->dim]);
    for (char *p = g->layer; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    vk_buf sql;
    vk_buf_init(&sql, 1 << 16);
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    /* gpkgAddGeometryColumn adds the geometry column itself. */
    vk_buf_printf(&sql, "CREATE TABLE \"%s\" (fid INTEGER PRIMARY KEY AUTOINCREMENT", g->layer);
    for (int i = 0; i < col->ncolumns; i++)
        vk_buf_printf(&sql, ", \"%s\" %s", col->columns[i].name, column_type(col->columns[i].type));
    if (features) {
        vk_buf_printf(&sql, "); INSERT INTO gpkg_contents (table_name, data_type, identifier, "
                            "description, last_change, srs_id) VALUES ('%s', 'features', '%s', '', "
                            "'%s', %d);",
                      g->layer, g->layer, now, g->srid);
        vk_buf_printf(&sql, "SELECT gpkgAddGeometryColumn('%s', 'geom', '%s', 0, 0, %d);", g->layer,
                      g->dim ? part_type[g->dim] : gpkg_geometry_type(col->geometry_type), g->srid);
        /* The index first: its triggers fill it as rows arrive. */
        vk_buf_printf(&sql, "SELECT gpkgAddSpatialIndex('%s', 'geom');", g->layer);
    } else {
        vk_buf_printf(&sql, "); INSERT INTO gpkg_contents (table_name, data_type, identifier, "
                            "description, last_change) VALUES ('%s', 'attributes', '%s', '', '%s');",
                      g->layer, g->layer, now);
    }
    /* Each column's title (QGIS and GDAL show it as the field's alias), and
     * JSON text marked as such: GDAL then reads it as String(JSON), as it
     * does the GeoJSON's objects. */
    vk_buf_puts(&sql, "INSERT OR IGNORE INTO gpkg_extensions (table_name, column_name, "
                      "extension_name, definition, scope) VALUES ('gpkg_data_columns', NULL, "
                      "'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', "
                      "'read-write');");
    for (int i = 0; i < col->ncolumns; i++) {
        char *row = sqlite3_mprintf("INSERT INTO gpkg_data_columns (table_name, column_name, name, "
                                    "title, mime_type) VALUES (%Q, %Q, %Q, %Q, %Q);",
                                    g->layer, col->columns[i].name, col->columns[i].name,
                                    col->columns[i].title ? col->columns[i].title : "",
                                    col->columns[i].json ? "application/json" : NULL);
        if (!row) {
            vk_buf_fini(&sql);
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        }
        vk_buf_puts(&sql, row);
        sqlite3_free(row);
    }
    vk_buf_puts(&sql, "BEGIN;");
    vk_err e = vk_buf_ok(&sql) ? g_exec(g, sql.data, ei) : vk_fail(ei, VK_ENOMEM, "", NULL);

    vk_buf_reset(&sql);
    vk_buf_printf(&sql, "INSERT INTO \"%s\" (fid%s", g->layer, features ? ", geom" : "");
    for (int i = 0; i < col->ncolumns; i++)
        vk_buf_printf(&sql, ", \"%s\"", col->columns[i].name);
    vk_buf_printf(&sql, ") VALUES (%s", col->id_is_text ? "NULL" : "?1");
    if (features)
        vk_buf_printf(&sql, g->dim ? ", AsGPB(CastToMulti(GeomFromWKB(?2, %d)))"
                                   : ", AsGPB(GeomFromWKB(?2, %d))",
                      g->srid);
    /* GeoPackage times are YYYY-MM-DDTHH:MM:SS.SSSZ; GDAL warns on others. */
    for (int i = 0; i < col->ncolumns; i++)
        vk_buf_printf(&sql, col->columns[i].type == CQL2_Q_DATETIME
                                ? ", strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', ?%d)"
                                : ", ?%d",
                      3 + i);
    vk_buf_putc(&sql, ')');
    if (!e && sqlite3_prepare_v2(g->db, sql.data, -1, &g->insert, NULL) != SQLITE_OK)
        e = g_fail(g, ei, "preparing the insert");
    vk_buf_fini(&sql);
    return e;
}

/* Commit the current layer's rows and record its extent. */
static vk_err end_layer(store_gpkg *g, vk_errinfo *ei)
{
    sqlite3_finalize(g->insert);
    g->insert = NULL;
    if (!g->col->geometry_type)
        return g_exec(g, "COMMIT;", ei);
    /* The extent from the geometries: the R*Tree's float32 boxes are
     * metres off at GK25's magnitudes. */
    char sql[640];
    snprintf(sql, sizeof sql,
             "COMMIT; SELECT EnableGpkgAmphibiousMode(); "
             "UPDATE gpkg_contents SET (min_x, min_y, max_x, max_y) = "
             "(SELECT min(ST_MinX(geom)), min(ST_MinY(geom)), max(ST_MaxX(geom)), max(ST_MaxY(geom)) "
             "FROM \"%s\") WHERE table_name = '%s'; SELECT DisableGpkgAmphibiousMode();",
             g->layer, g->layer);
    return g_exec(g, sql, ei);
}

vk_err store_gpkg_create(store_gpkg **out, const char *path, const store_collection *col, int srid,
                         vk_errinfo *ei)
{
    return store_gpkg_create_part(out, path, col, 0, srid, ei);
}

vk_err store_gpkg_create_part(store_gpkg **out, const char *path, const store_collection *col,
                              int dim, int srid, vk_errinfo *ei)
{
    struct stat st;
    /* An empty file is fine: a temporary made safely with mkstemp. */
    if (stat(path, &st) == 0 && st.st_size > 0)
        return vk_fail(ei, VK_EIO, "", "%s exists already; not overwriting it", path);
    store_gpkg *g = calloc(1, sizeof *g);
    if (!g || !(g->path = strdup(path))) {
        free(g);
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    g->srid = srid;
    if (sqlite3_open_v2(path, &g->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        vk_fail(ei, VK_EIO, "", "cannot create %s", path);
        store_gpkg_abort(g);
        return VK_EIO;
    }
    g->spatialite = spatialite_alloc_connection();
    spatialite_init_ex(g->db, g->spatialite, 0);

    char sql[256];
    /* A fresh file that is removed on failure needs no journal. */
    snprintf(sql, sizeof sql, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
                              "SELECT gpkgCreateBaseTables();");
    vk_err e = g_exec(g, sql, ei);
    if (!e && srid != 4326) {
        snprintf(sql, sizeof sql, "SELECT gpkgInsertEpsgSRID(%d);", srid);
        e = g_exec(g, sql, ei);
    }
    if (!e)
        e = start_layer(g, col, dim, ei);
    if (e) {
        store_gpkg_abort(g);
        return e;
    }
    *out = g;
    return VK_OK;
}

vk_err store_gpkg_add_layer(store_gpkg *g, const store_collection *col, vk_errinfo *ei)
{
    return store_gpkg_add_part(g, col, 0, ei);
}

vk_err store_gpkg_add_part(store_gpkg *g, const store_collection *col, int dim, vk_errinfo *ei)
{
    vk_err e = end_layer(g, ei);
    return e ? e : start_layer(g, col, dim, ei);
}

vk_err store_gpkg_add(store_gpkg *g, const store_item *item, const unsigned char *wkb, size_t n,
                      vk_errinfo *ei)
{
    sqlite3_stmt *st = g->insert;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (!g->col->id_is_text)
        sqlite3_bind_int64(st, 1, item->id);
    if (wkb)
        sqlite3_bind_blob(st, 2, wkb, (int)n, SQLITE_STATIC);
    for (int i = 0; i < g->col->ncolumns; i++) {
        const store_value *v = &item->values[i];
        switch (v->type) {
        case STORE_INT: sqlite3_bind_int64(st, 3 + i, v->i); break;
        case STORE_REAL: sqlite3_bind_double(st, 3 + i, v->d); break;
        case STORE_TEXT: sqlite3_bind_text(st, 3 + i, v->text, -1, SQLITE_STATIC); break;
        default: break;
        }
    }
    return sqlite3_step(st) == SQLITE_DONE ? VK_OK : g_fail(g, ei, "adding a row");
}

vk_err store_gpkg_finish(store_gpkg *g, vk_errinfo *ei)
{
    vk_err e = end_layer(g, ei);
    if (e) {
        store_gpkg_abort(g);
        return e;
    }
    sqlite3_finalize(g->insert);
    g->insert = NULL;
    if (sqlite3_close(g->db) != SQLITE_OK) {
        e = g_fail(g, ei, "closing");
        store_gpkg_abort(g);
        return e;
    }
    g->db = NULL;
    close_db(g);
    return VK_OK;
}

void store_gpkg_abort(store_gpkg *g)
{
    if (!g)
        return;
    if (g->db && !sqlite3_get_autocommit(g->db))
        sqlite3_exec(g->db, "ROLLBACK", NULL, NULL, NULL);
    char *path = g->path;
    g->path = NULL;
    close_db(g);
    if (path) {
        unlink(path);
        free(path);
    }
}

/* ---- reading ---- */

#define GPKG_MAX_COLUMNS 64

struct store_gpkg_reader {
    sqlite3 *db;
    void *spatialite;
    sqlite3_stmt *rows;
    int ncols;
    const char *names[GPKG_MAX_COLUMNS];
    store_value values[GPKG_MAX_COLUMNS];
};

/* "name" with inner quotes doubled, for identifiers read from the file. */
static void quote_ident(vk_buf *b, const char *s)
{
    vk_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            vk_buf_putc(b, '"');
        vk_buf_putc(b, *s);
    }
    vk_buf_putc(b, '"');
}

vk_err store_gpkg_open_read(store_gpkg_reader **out, const char *path, const char *layer, int *srid,
                            int64_t *count, vk_errinfo *ei)
{
    store_gpkg_reader *r = calloc(1, sizeof *r);
    if (!r)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    vk_err e = VK_OK;
    sqlite3_stmt *st = NULL;
    vk_buf sql;
    vk_buf_init(&sql, 1 << 16);
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        e = vk_fail(ei, VK_EIO, "", "cannot open %s", path);
        goto out;
    }
    r->spatialite = spatialite_alloc_connection();
    spatialite_init_ex(r->db, r->spatialite, 0);
    if (sqlite3_prepare_v2(r->db,
                           "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns "
                           "ORDER BY (table_name = ?1) DESC, (table_name = 'feedback') DESC, table_name",
                           -1, &st, NULL) != SQLITE_OK) {
        e = vk_fail(ei, VK_EIO, "", "%s is not a GeoPackage (no gpkg_geometry_columns)", path);
        goto out;
    }
    sqlite3_bind_text(st, 1, layer ? layer : "", -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW ||
        (layer && strcmp((const char *)sqlite3_column_text(st, 0), layer) != 0)) {
        e = vk_fail(ei, VK_EIO, "", "%s has no feature layer%s%s", path, layer ? " named " : "",
                    layer ? layer : "");
        goto out;
    }
    /* Copies: st is asked again below. */
    char table[256], geom[256];
    snprintf(table, sizeof table, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(geom, sizeof geom, "%s", (const char *)sqlite3_column_text(st, 1));
    *srid = sqlite3_column_int(st, 2);
    /* Our own export of a mixed collection: its layer per geometry type
     * (<name>_point, _line, _polygon) read back as one, in fid order, the
     * Multi geometries of one part as the single ones they were. */
    char base[64] = "";
    size_t tl = strlen(table);
    if (!layer && tl > 6 && tl < sizeof base + 5) {
        for (int k = 1; k <= 3 && !base[0]; k++) {
            size_t sl = strlen(part_suffix[k]);
            if (tl > sl && strcmp(table + tl - sl, part_suffix[k]) == 0)
                snprintf(base, sizeof base, "%.*s", (int)(tl - sl), table);
        }
    }
    int nparts = 0;
    if (base[0]) {
        for (int k = 1; k <= 3; k++) {
            char part[96];
            snprintf(part, sizeof part, "%s%s", base, part_suffix[k]);
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, part, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), part))
                continue;
            if (strcmp((const char *)sqlite3_column_text(st, 1), "geom") != 0 ||
                sqlite3_column_int(st, 2) != *srid)
                break; /* not ours: read the first layer alone */
            vk_buf_puts(&sql, nparts++ ? " UNION ALL SELECT * FROM " : "SELECT * FROM ");
            quote_ident(&sql, part);
        }
        if (nparts < 2)
            vk_buf_reset(&sql);
    }
    if (nparts >= 2) {
        char *parts = vk_buf_ok(&sql) ? strdup(sql.data) : NULL;
        vk_buf_reset(&sql);
        if (!parts) {
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
            goto out;
        }
        vk_buf_printf(&sql, "SELECT count(*) FROM (%s)", parts);
        sqlite3_stmt *cnt = NULL;
        if (vk_buf_ok(&sql) && sqlite3_prepare_v2(r->db, sql.data, -1, &cnt, NULL) == SQLITE_OK &&
            sqlite3_step(cnt) == SQLITE_ROW)
            *count = sqlite3_column_int64(cnt, 0);
        sqlite3_finalize(cnt);
        vk_buf_reset(&sql);
        vk_buf_printf(&sql,
                      "SELECT AsBinary(coalesce(CastToPoint(g), CastToLinestring(g), "
                      "CastToPolygon(g), g)), * FROM (SELECT GeomFromGPB(geom) AS g, * FROM (%s)) "
                      "ORDER BY fid",
                      parts);
        free(parts);
    } else {
        vk_buf_puts(&sql, "SELECT count(*) FROM ");
        quote_ident(&sql, table);
        sqlite3_stmt *cnt = NULL;
        if (sqlite3_prepare_v2(r->db, sql.data, -1, &cnt, NULL) == SQLITE_OK &&
            sqlite3_step(cnt) == SQLITE_ROW)
            *count = sqlite3_column_int64(cnt, 0);
        sqlite3_finalize(cnt);
        vk_buf_reset(&sql);
        vk_buf_puts(&sql, "SELECT AsBinary(GeomFromGPB(");
        quote_ident(&sql, geom);
        vk_buf_puts(&sql, ")), * FROM ");
        quote_ident(&sql, table);
        vk_buf_puts(&sql, " ORDER BY rowid");
    }
    if (!vk_buf_ok(&sql) || sqlite3_prepare_v2(r->db, sql.data, -1, &r->rows, NULL) != SQLITE_OK) {
        e = vk_fail(ei, VK_EIO, "", "cannot read %s: %s", path, sqlite3_errmsg(r->db));
        goto out;
    }
    r->ncols = sqlite3_column_count(r->rows) - 1;
    if (r->ncols > GPKG_MAX_COLUMNS)
        r->ncols = GPKG_MAX_COLUMNS;
    for (int i = 0; i < r->ncols; i++)
        r->names[i] = sqlite3_column_name(r->rows, 1 + i);
out:
    sqlite3_finalize(st);
    vk_buf_fini(&sql);
    if (e) {
        store_gpkg_close(r);
        return e;
    }
    *out = r;
    return VK_OK;
}

int store_gpkg_next(store_gpkg_reader *r, const unsigned char **wkb, size_t *wkb_len, int *ncols,
                    const char *const **names, const store_value **values, vk_errinfo *ei)
{
    int rc = sqlite3_step(r->rows);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW) {
        vk_fail(ei, VK_EIO, "", "reading the GeoPackage: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    *wkb = sqlite3_column_blob(r->rows, 0);
    *wkb_len = (size_t)sqlite3_column_bytes(r->rows, 0);
    for (int i = 0; i < r->ncols; i++) {
        store_value *v = &r->values[i];
        switch (sqlite3_column_type(r->rows, 1 + i)) {
        case SQLITE_INTEGER: v->type = STORE_INT; v->i = sqlite3_column_int64(r->rows, 1 + i); break;
        case SQLITE_FLOAT: v->type = STORE_REAL; v->d = sqlite3_column_double(r->rows, 1 + i); break;
        case SQLITE_TEXT:
            v->type = STORE_TEXT;
            v->text = (const char *)sqlite3_column_text(r->rows, 1 + i);
            v->len = (size_t)sqlite3_column_bytes(r->rows, 1 + i);
            break;
        default: v->type = STORE_NULL; /* NULL, and blobs (the geometry column itself) */
        }
    }
    *ncols = r->ncols;
    *names = r->names;
    *values = r->values;
    return 1;
}

void store_gpkg_close(store_gpkg_reader *r)
{
    if (!r)
        return;
    sqlite3_finalize(r->rows);
    if (r->db)
        sqlite3_close_v2(r->db);
    if (r->spatialite)
        spatialite_cleanup_ex(r->spatialite);
    free(r);
}
