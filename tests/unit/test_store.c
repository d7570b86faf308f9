/* test_store.c — opening, migrations, feedback rows, filters, contact. */
#include <math.h>
#include <sqlite3.h>
#include <spatialite.h>
#include <stdio.h>
#include <stdlib.h>

#include "gis/crs.h"
#include "gis/gis.h"
#include "gis/hex.h"
#include "features/collections.h"
#include "db/migrate.h"
#include "db/stmt.h"
#include "db/store.h"
#include "feedback/store_feedback.h"
#include "questions/store_questions.h"
#include "reference/store_reference.h"
#include "t.h"
#include "tmp.h"

static int64_t count_sql(const char *db, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_open(db, &h) == SQLITE_OK && sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return n;
}

static void exec_sql(const char *db, const char *sql)
{
    sqlite3 *h;
    if (sqlite3_open(db, &h) == SQLITE_OK)
        sqlite3_exec(h, sql, NULL, NULL, NULL);
    sqlite3_close(h);
}

/* A point's WKB, through the gis module as the API does. */
static unsigned char *point_wkb(gis_ctx *g, double lon, double lat, size_t *n)
{
    json_t *j = json_pack("{s:s, s:[f,f]}", "type", "Point", "coordinates", lon, lat);
    gis_geom *geom = NULL;
    unsigned char *wkb = NULL;
    if (gis_geom_from_geojson(g, j, "geometry", &geom, NULL) == VK_OK)
        gis_geom_to_wkb(g, geom, &wkb, n);
    gis_geom_free(g, geom);
    json_decref(j);
    return wkb;
}

static int count_rows(void *arg, const store_item *it)
{
    (void)it;
    ++*(int *)arg;
    return 0;
}

/* The first item's status and description and geometry, copied. */
typedef struct {
    int found;
    char status[32], description[64], geojson[128];
} first_item;

/* A feedback column's place, by name (label columns sit beside codes). */
static int feedback_column(const char *name)
{
    const store_collection *col = store_collection_find("feedback");
    for (int i = 0; col && i < col->ncolumns; i++)
        if (strcmp(col->columns[i].name, name) == 0)
            return i;
    return 0;
}

static int take_first(void *arg, const store_item *it)
{
    first_item *f = arg;
    f->found = 1;
    snprintf(f->status, sizeof f->status, "%s", it->values[feedback_column("status")].text);
    snprintf(f->description, sizeof f->description, "%s",
             it->values[feedback_column("description")].text);
    vk_buf b;
    vk_buf_init(&b, 4096);
    gis_wkb_to_geojson(it->wkb, it->wkb_len, &b);
    snprintf(f->geojson, sizeof f->geojson, "%s", b.data ? b.data : "");
    vk_buf_fini(&b);
    return 1;
}

static void test_open_and_migrate(void)
{
    const char *db = t_path("a.sqlite");
    store_conn *c = NULL;
    vk_errinfo ei;
    T_EQ_INT(store_open(&c, db, &ei), VK_OK, "a missing database is created");
    T_EQ_INT(store_schema_version(c), store_schema_latest(), "and migrated to the latest schema");
    store_close(c);
    T_OK(count_sql(db, "SELECT count(*) FROM spatial_ref_sys WHERE srid IN (4326, 3067)") == 2,
         "SpatiaLite metadata knows EPSG:4326 and EPSG:3067");
    T_OK(count_sql(db, "SELECT count(*) FROM geometry_columns WHERE f_table_name = 'feedback'") == 1,
         "feedback.geom is a registered geometry column");
    T_OK(count_sql(db, "SELECT count(*) FROM sqlite_master WHERE name = 'idx_feedback_geom'") == 1,
         "feedback has a spatial index");
    T_EQ_INT(store_open(&c, db, &ei), VK_OK, "reopening an up-to-date database");
    store_close(c);

    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", store_schema_latest() + 1);
    exec_sql(db, sql);
    c = NULL;
    T_EQ_INT(store_open(&c, db, &ei), VK_ESCHEMA_NEWER, "a database newer than the binary is refused");
    T_OK(strstr(ei.message, "newer") != NULL, "with a message that says so: %s", ei.message);
    T_EQ_INT(count_sql(db, "PRAGMA user_version"), store_schema_latest() + 1,
             "and the database is left as it was");

    const char *other = t_path("other.sqlite");
    exec_sql(other, "CREATE TABLE mine (x); INSERT INTO mine VALUES (1)");
    T_EQ_INT(store_open(&c, other, &ei), VK_EDB, "a foreign SQLite database is refused");
    T_EQ_INT(count_sql(other, "SELECT count(*) FROM sqlite_master"), 1, "and not touched");
}

/* A new database at db with the category lighting (Valaistus). */
static store_conn *open_with_lighting(const char *db, gis_ctx **g)
{
    store_conn *c = NULL;
    vk_errinfo ei;
    T_EQ_INT(store_open(&c, db, &ei), VK_OK, "open");
    gis_ctx_new(g);
    store_category cat = {"lighting", {"Valaistus", "Belysning", "Lighting"}, {"", "", ""}, NULL};
    T_EQ_INT(store_category_put(c, 0, &cat, &ei), VK_OK, "category saved");
    return c;
}

static void test_feedback_rows(void)
{
    const char *db = t_path("b.sqlite");
    gis_ctx *g = NULL;
    vk_errinfo ei;
    store_conn *c = open_with_lighting(db, &g);
    int exists = 0;
    store_category_exists(c, "lighting", &exists, &ei);
    T_OK(exists, "category exists");
    store_category_exists(c, "nope", &exists, &ei);
    T_OK(!exists, "unknown category does not");

    size_t n1, n2;
    unsigned char *w1 = point_wkb(g, 28.75, 61.17, &n1), *w2 = point_wkb(g, 28.80, 61.20, &n2);
    store_feedback_new f = {.category = "lighting", .description = "Katuvalo ei pala",
                            .created_at = "2026-11-01T10:00:00Z", .updated_at = "2026-11-01T10:00:00Z",
                            .wkb = w1, .wkb_len = n1, .contact_email = "maija@example.fi"};
    int64_t id1 = 0, id2 = 0;
    T_EQ_INT(store_feedback_insert(c, &f, &id1, &ei), VK_OK, "insert with contact");
    f.wkb = w2;
    f.wkb_len = n2;
    f.contact_email = NULL;
    f.status = "resolved";
    f.answer = "Korjattu";
    T_EQ_INT(store_feedback_insert(c, &f, &id2, &ei), VK_OK, "insert resolved, no contact");
    T_OK(id2 == id1 + 1, "ids ascend");

    f.status = "closed"; /* schema 4 replaced closed by the outcomes */
    int64_t bad = 0;
    T_EQ_INT(store_feedback_insert(c, &f, &bad, &ei), VK_EDB, "an unknown status violates a CHECK");
    f.status = "bogus";
    T_EQ_INT(store_feedback_insert(c, &f, &bad, &ei), VK_EDB, "unknown status violates a CHECK");

    const store_collection *col = store_collection_find("feedback");
    T_OK(col && strcmp(col->columns[feedback_column("status")].name, "status") == 0 &&
             strcmp(col->columns[feedback_column("status") + 1].name, "status_fi") == 0,
         "feedback collection: status, its Finnish name beside it");
    first_item fi = {0};
    store_items_query one = {.id = id1, .limit = 1};
    T_EQ_INT(store_items_each(c, col, &one, take_first, &fi, &ei), VK_OK, "get one item");
    T_OK(fi.found && strcmp(fi.status, "received") == 0 && strcmp(fi.description, "Katuvalo ei pala") == 0,
         "the row reads back with the default status");
    T_EQ_STR(fi.geojson, "{\"type\":\"Point\",\"coordinates\":[28.75,61.17]}", "geometry reads back");
    fi.found = 0;
    one.id = 999999;
    store_items_each(c, col, &one, take_first, &fi, &ei);
    T_OK(!fi.found, "a missing id is not found");

    store_items_query q = {.limit = 100};
    int64_t n = 0;
    store_items_count(c, col, &q, &n, &ei);
    T_EQ_INT(n, 2, "count without filters");
    q.has_bbox = 1;
    double box[4] = {28.7, 61.1, 28.77, 61.18};
    memcpy(q.bbox, box, sizeof box);
    store_items_count(c, col, &q, &n, &ei);
    T_EQ_INT(n, 1, "bbox count (from the R*Tree)");
    int rows = 0;
    store_items_each(c, col, &q, count_rows, &rows, &ei);
    T_EQ_INT(rows, 1, "bbox listing agrees with the count");
    /* A box edge exactly on a point: R*Tree boxes are float32, rounded
     * outward, so the exact test must decide. */
    double edge[4] = {28.75, 61.17, 28.9, 61.3};
    memcpy(q.bbox, edge, sizeof edge);
    store_items_count(c, col, &q, &n, &ei);
    T_EQ_INT(n, 2, "a point on the box's edge intersects it");
    double just_off[4] = {28.7500001, 61.17, 28.9, 61.3};
    memcpy(q.bbox, just_off, sizeof just_off);
    store_items_count(c, col, &q, &n, &ei);
    T_EQ_INT(n, 1, "a point 1e-7 degrees outside does not (below float32 resolution)");
    rows = 0;
    store_items_each(c, col, &q, count_rows, &rows, &ei);
    T_EQ_INT(rows, 1, "and the listing agrees");
    q.has_bbox = 0;
    q.time_start = "2026-11-01T10:00:00Z";
    q.time_end = "2026-11-01T10:00:00Z";
    store_items_count(c, col, &q, &n, &ei);
    T_EQ_INT(n, 2, "time instant");
    q.time_start = "2026-11-01T10:00:01Z";
    q.time_end = NULL;
    store_items_count(c, col, &q, &n, &ei);
    T_EQ_INT(n, 0, "time interval open at the end");
    q.time_start = NULL;
    q.limit = 1;
    q.offset = 1;
    rows = 0;
    store_items_each(c, col, &q, count_rows, &rows, &ei);
    T_EQ_INT(rows, 1, "limit and offset");
    double bb[4];
    char t0[32], t1[32];
    int found = 0;
    T_EQ_INT(store_items_extent(c, col, bb, t0, t1, &found, &ei), VK_OK, "extent");
    T_OK(found && bb[0] <= 28.75 && bb[2] >= 28.8 && strcmp(t0, "2026-11-01T10:00:00Z") == 0, "extent covers the items");

    T_EQ_INT(count_sql(db, "SELECT count(*) FROM feedback_contact WHERE email = 'maija@example.fi'"), 1,
             "contact stored in its own table");
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM feedback_contact"), 1, "only when given");

    /* Planner statistics: taken when there are none, then only when the
     * table has grown past double (+1000 rows). */
    int analyzed = 0;
    T_EQ_INT(store_analyze_if_stale(c, &analyzed, &ei), VK_OK, "statistics check");
    T_OK(analyzed, "no statistics yet: ANALYZE ran");
    T_EQ_INT(count_sql(db, "SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE tbl = 'feedback' "
                           "AND idx = 'feedback_status'"),
             2, "statistics count the two rows");
    T_EQ_INT(store_analyze_if_stale(c, &analyzed, &ei), VK_OK, "statistics check again");
    T_OK(!analyzed, "fresh statistics are left alone");
    /* As if taken when the table had 5000 rows: it has shrunk past half. */
    exec_sql(db, "UPDATE sqlite_stat1 SET stat = '5000 2500' WHERE tbl = 'feedback' "
                 "AND idx = 'feedback_status'");
    T_EQ_INT(store_analyze_if_stale(c, &analyzed, &ei), VK_OK, "statistics check after a change");
    T_OK(analyzed, "5000 then, 2 now: ANALYZE ran");
    T_EQ_INT(count_sql(db, "SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE tbl = 'feedback' "
                           "AND idx = 'feedback_status'"),
             2, "and counted anew");
    free(w1);
    free(w2);
    gis_ctx_free(g);
    store_close(c);
}

/* Schema 4 rebuilds the feedback table: a populated schema-3 database keeps
 * its rows, contacts and spatial index, and 'closed' maps by its reason. */
static void test_migrate_workflow(void)
{
    const char *db = t_path("v3.sqlite");
    sqlite3 *h = NULL;
    T_EQ_INT(sqlite3_open(db, &h), SQLITE_OK, "open a new file");
    void *sl = spatialite_alloc_connection();
    spatialite_init_ex(h, sl, 0);
    int ok = sqlite3_exec(h, "PRAGMA foreign_keys = ON; SELECT InitSpatialMetadata(1)", NULL,
                          NULL, NULL) == SQLITE_OK;
    for (int i = 0; ok && i < 3; i++)
        ok = sqlite3_exec(h, store_migrations[i].sql, NULL, NULL, NULL) == SQLITE_OK;
    ok = ok && sqlite3_exec(h,
                            "PRAGMA user_version = 3;"
                            "INSERT INTO category (id, name_fi, name_sv, name_en) "
                            "VALUES ('parks', 'Puistot', 'Parker', 'Parks');"
                            "INSERT INTO feedback (id, category, description, status, "
                            "closed_reason, answer, created_at, updated_at, geom) VALUES "
                            "(1, 'parks', 'a', 'closed', 'fixed', 'Korjattu', 't', 't', "
                            " GeomFromText('POINT(28.7 61.2)', 4326)),"
                            "(2, 'parks', 'b', 'closed', 'not_possible', NULL, 't', 't', "
                            " GeomFromText('POINT(28.8 61.2)', 4326)),"
                            "(3, 'parks', 'c', 'closed', 'forwarded', NULL, 't', 't', "
                            " GeomFromText('LINESTRING(28.7 61.1, 28.8 61.1)', 4326)),"
                            "(4, 'parks', 'd', 'in_progress', NULL, NULL, 't', 't', "
                            " GeomFromText('POINT(28.9 61.3)', 4326));"
                            "INSERT INTO feedback_contact VALUES (2, 'Maija', 'm@example.fi', NULL);",
                            NULL, NULL, NULL) == SQLITE_OK;
    if (!ok)
        fprintf(stderr, "# %s\n", sqlite3_errmsg(h));
    T_OK(ok, "a populated schema-3 database");
    sqlite3_close(h);
    spatialite_cleanup_ex(sl);

    store_conn *c = NULL;
    vk_errinfo ei;
    T_EQ_INT(store_open(&c, db, &ei), VK_OK, "migrated to the newest schema");
    T_EQ_INT(store_schema_version(c), store_schema_latest(), "schema version");
    store_close(c);
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM feedback"), 4, "every row kept");
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM feedback WHERE id = 1 AND status = 'resolved' "
                           "AND answer = 'Korjattu'"), 1, "fixed → resolved, answer kept");
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM feedback WHERE id = 2 AND status = 'not_resolvable'"),
             1, "not_possible → not_resolvable");
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM feedback WHERE id = 3 AND status = 'forwarded'"),
             1, "forwarded → forwarded");
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM feedback WHERE id = 4 AND status = 'in_progress'"),
             1, "open statuses unchanged");
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM feedback_contact WHERE feedback_id = 2"), 1,
             "the contact survives dropping the old table");
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM idx_feedback_geom"), 4, "spatial index rebuilt");
    T_EQ_INT(count_sql(db, "SELECT spatial_index_enabled FROM geometry_columns "
                           "WHERE f_table_name = 'feedback'"), 1, "geometry column registered");
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0,
             "references between tables intact");
}

typedef struct {
    int n;
    int64_t ids[8];
    double distance[8];
} near_items;

static int take_near(void *arg, const store_item *it)
{
    near_items *r = arg;
    if (r->n < 8) {
        r->ids[r->n] = it->id;
        r->distance[r->n] = it->distance;
    }
    r->n++;
    return 0;
}

/* "me too" votes, merging, visibility, the purge and nearest-first order. */
static void test_moderation(void)
{
    const char *db = t_path("m.sqlite");
    store_conn *c = NULL;
    gis_ctx *g = NULL;
    vk_errinfo ei;
    T_EQ_INT(store_open(&c, db, &ei), VK_OK, "open");
    gis_ctx_new(&g);
    store_category cat = {"lighting", {"Valaistus", "Belysning", "Lighting"}, {"", "", ""}, NULL};
    store_category_put(c, 0, &cat, &ei);
    size_t n[3];
    /* 0 m, about 20 m and about 100 m north of the first */
    unsigned char *w[3] = {point_wkb(g, 28.75, 61.17, &n[0]), point_wkb(g, 28.75, 61.17018, &n[1]),
                           point_wkb(g, 28.75, 61.1709, &n[2])};
    int64_t id[3];
    for (int i = 0; i < 3; i++) {
        store_feedback_new f = {.category = "lighting", .description = "Valo",
                                .created_at = "2026-11-01T10:00:00Z",
                                .updated_at = "2026-11-01T10:00:00Z", .wkb = w[i],
                                .wkb_len = n[i], .contact_email = "x@example.fi",
                                .status = i == 2 ? "resolved" : NULL};
        T_EQ_INT(store_feedback_insert(c, &f, &id[i], &ei), VK_OK, "insert");
    }
    const char *v1 = "1111111111111111111111111111111111111111111111111111111111111111";
    const char *v2 = "2222222222222222222222222222222222222222222222222222222222222222";
    int counted = 0;
    T_EQ_INT(store_me_too_add(c, id[0], v1, NULL, "2026-11-02", "2026-11-02T00:00:00Z", &counted, &ei), VK_OK, "vote");
    T_OK(counted, "counted");
    store_me_too_add(c, id[0], v1, NULL, "2026-11-02", "2026-11-02T00:00:00Z", &counted, &ei);
    T_OK(!counted, "the same voter again does not count");
    store_me_too_add(c, id[1], v1, NULL, "2026-11-02", "2026-11-02T00:00:00Z", &counted, &ei);
    store_me_too_add(c, id[1], v2, NULL, "2026-11-02", "2026-11-02T00:00:00Z", &counted, &ei);
    /* Once per item per address a day, whatever the browser. */
    const char *a1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const char *v3 = "3333333333333333333333333333333333333333333333333333333333333333";
    const char *v4 = "4444444444444444444444444444444444444444444444444444444444444444";
    store_me_too_add(c, id[2], v3, a1, "2026-11-02", "2026-11-02T00:00:00Z", &counted, &ei);
    T_OK(counted, "a first browser at an address counts");
    store_me_too_add(c, id[2], v4, a1, "2026-11-02", "2026-11-02T00:00:01Z", &counted, &ei);
    T_OK(!counted, "another browser at the same address on the same day does not");
    store_me_too_add(c, id[2], v4, a1, "2026-11-03", "2026-11-03T00:00:01Z", &counted, &ei);
    T_OK(counted, "the next day it does (a new day's hash)");
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM feedback_me_too_address WHERE day < '2026-11-03'"),
             0, "earlier days' address hashes are gone");
    int64_t after = 0;
    T_EQ_INT(store_me_too_merge(c, id[0], id[1], &after, &ei), VK_OK, "merge");
    T_EQ_INT(after, 3, "v1 once, v2, and the duplicate's reporter");
    T_EQ_INT(count_sql(db, "SELECT me_too FROM feedback WHERE id = 1"), 0, "the duplicate keeps none");
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM feedback_me_too WHERE feedback_id = 2"), 3,
             "voters moved without doubles, and the reporter's row");
    /* Merged again (after a reopen): the reporter is counted already. */
    T_EQ_INT(store_me_too_merge(c, id[0], id[1], &after, &ei), VK_OK, "merge again");
    T_EQ_INT(after, 3, "the same reporter does not count twice (issue 19, 8b)");

    int64_t found_id = 0;
    exec_sql(db, "UPDATE feedback SET followup_hash = 'abc' WHERE id = 2");
    T_EQ_INT(store_followup_find(c, "abc", &found_id, &ei), VK_OK, "find by hash");
    T_EQ_INT(found_id, id[1], "the item of the hash");
    store_followup_find(c, "nope", &found_id, &ei);
    T_EQ_INT(found_id, 0, "an unknown hash finds nothing");

    T_EQ_INT(store_feedback_redact(c, id[1], "Uusi", "2026-11-03T00:00:00Z", &ei), VK_OK, "redact");
    store_feedback_redact(c, id[1], "Uudempi", "2026-11-03T00:00:00Z", &ei);
    store_feedback_mod m;
    int found = 0;
    T_EQ_INT(store_feedback_mod_get(c, id[1], &found, &m, &ei), VK_OK, "moderation state");
    T_OK(found && strcmp(m.description, "Uudempi") == 0 && m.description_original &&
             strcmp(m.description_original, "Valo") == 0 && m.has_contact && m.me_too == 3,
         "the first original is kept");
    store_feedback_mod_fini(&m);

    /* Nearest first within 150 m of the first point, public open ones. */
    const store_collection *col = store_collection_find("feedback");
    store_items_query q = {.limit = 10, .has_near = 1, .near = {28.75, 61.17, 150},
                           .near_order = 1, .has_bbox = 1, .bbox = {28.74, 61.16, 28.76, 61.18}};
    near_items r = {0};
    T_EQ_INT(store_items_each(c, col, &q, take_near, &r, &ei), VK_OK, "near query");
    T_OK(r.n == 3 && r.ids[0] == id[0] && r.ids[1] == id[1] && r.ids[2] == id[2], "nearest first");
    T_OK(r.distance[0] < 0.5 && fabs(r.distance[1] - 20) < 1 && fabs(r.distance[2] - 100) < 1.5,
         "distances in metres");
    T_EQ_INT(store_feedback_set_hidden(c, id[0], STORE_VISIBLE_HIDDEN, "2026-11-03T00:00:00Z", &ei),
             VK_OK, "hide");
    r.n = 0;
    store_items_each(c, col, &q, take_near, &r, &ei);
    T_EQ_INT(r.n, 2, "a hidden item is not public");
    q.include_nonpublic = 1;
    r.n = 0;
    store_items_each(c, col, &q, take_near, &r, &ei);
    T_EQ_INT(r.n, 3, "staff see it");

    /* Purge: the resolved item (closed at its update time) and withdrawn ones. */
    int64_t removed = 0;
    T_EQ_INT(store_contact_purge(c, "2026-01-01T00:00:00Z", &removed, &ei), VK_OK, "purge early");
    T_EQ_INT(removed, 0, "nothing closed before 2026");
    store_feedback_set_hidden(c, id[0], STORE_VISIBLE_WITHDRAWN, "2026-11-03T00:00:00Z", &ei);
    store_contact_purge(c, "2026-01-01T00:00:00Z", &removed, &ei);
    T_EQ_INT(removed, 1, "a withdrawn item's contact goes whenever");
    store_contact_purge(c, "2027-01-01T00:00:00Z", &removed, &ei);
    T_EQ_INT(removed, 1, "the resolved one's goes after its date");
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM feedback_contact"), 1, "the open item keeps its");
    for (int i = 0; i < 3; i++)
        free(w[i]);
    gis_ctx_free(g);
    store_close(c);
}

/* Schema 8: a category's questions and the answers stored with an item. */
static int collect_attribute(void *arg, const store_attribute *a)
{
    char *out = arg;
    size_t n = strlen(out);
    snprintf(out + n, 200 - n, "%s%s.%s:%s:%d:%s", n ? "," : "", a->category, a->code, a->datatype,
             a->required, a->value_list ? "list" : "-");
    return 0;
}

static void test_attributes(void)
{
    const char *db = t_path("attr.sqlite");
    store_conn *c = NULL;
    gis_ctx *g = NULL;
    vk_errinfo ei;
    T_EQ_INT(store_open(&c, db, &ei), VK_OK, "open");
    gis_ctx_new(&g);
    store_category light = {"lighting", {"Valaistus", "Belysning", "Lighting"}, {"", "", ""}, NULL};
    store_category winter = {"winter", {"Talvi", "Vinter", "Winter"}, {"", "", ""}, NULL};
    T_EQ_INT(store_category_put(c, 1, &light, &ei), VK_OK, "lighting saved");
    T_EQ_INT(store_category_put(c, 0, &winter, &ei), VK_OK, "winter saved, sorted first");
    int64_t n = -1;
    T_EQ_INT(store_attribute_count(c, &n, &ei), VK_OK, "count");
    T_EQ_INT(n, 0, "no questions yet");
    store_attribute a = {"lighting", "pole_number", "string", 0, 2, {"Numero", "Nummer", "Number"}, NULL};
    T_EQ_INT(store_attribute_put(c, &a, &ei), VK_OK, "a string question");
    store_attribute b = {"lighting", "dark", "singlevaluelist", 1, 1, {"Pimeä?", "Mörk?", "Dark?"},
                         "[{\"key\":\"yes\",\"name\":{\"fi\":\"Kyllä\",\"sv\":\"Ja\",\"en\":\"Yes\"}}]"};
    T_EQ_INT(store_attribute_put(c, &b, &ei), VK_OK, "a list question");
    store_attribute w = {"winter", "condition", "singlevaluelist", 1, 1, {"Lunta?", "Snö?", "Snow?"}, "[]"};
    T_EQ_INT(store_attribute_put(c, &w, &ei), VK_OK, "another category's");
    store_attribute ghost = {"nope", "x", "string", 0, 1, {"a", "b", "c"}, NULL};
    T_EQ_INT(store_attribute_put(c, &ghost, &ei), VK_OK, "one for a missing category is skipped");
    store_attribute bad = {"lighting", "x", "colour", 0, 1, {"a", "b", "c"}, NULL};
    T_EQ_INT(store_attribute_put(c, &bad, &ei), VK_EDB, "an unknown datatype is refused by the schema");
    b.required = 0; /* put again: replaced, not doubled */
    T_EQ_INT(store_attribute_put(c, &b, &ei), VK_OK, "replaced");
    store_attribute_count(c, &n, &ei);
    T_EQ_INT(n, 3, "three definitions");
    char all[200] = "";
    T_EQ_INT(store_attribute_each(c, NULL, collect_attribute, all, &ei), VK_OK, "each, all");
    T_OK(strcmp(all, "winter.condition:singlevaluelist:1:list,lighting.dark:singlevaluelist:0:list,"
                     "lighting.pole_number:string:0:-") == 0,
         "category order, then the question's own order");
    char one[200] = "";
    store_attribute_each(c, "lighting", collect_attribute, one, &ei);
    T_OK(strcmp(one, "lighting.dark:singlevaluelist:0:list,lighting.pole_number:string:0:-") == 0,
         "one category's only");

    size_t len;
    unsigned char *wkb = point_wkb(g, 28.75, 61.17, &len);
    store_feedback_new f = {.category = "lighting", .description = "Pimeää",
                            .created_at = "2026-11-01T10:00:00Z", .updated_at = "2026-11-01T10:00:00Z",
                            .wkb = wkb, .wkb_len = len, .attributes = "{\"dark\":\"yes\"}"};
    int64_t id = 0;
    T_EQ_INT(store_feedback_insert(c, &f, &id, &ei), VK_OK, "answers stored with the item");
    f.attributes = "{not json";
    T_EQ_INT(store_feedback_insert(c, &f, &id, &ei), VK_EDB, "text that is not JSON is refused");
    T_EQ_INT(count_sql(db, "SELECT count(*) FROM feedback WHERE attributes ->> '$.dark' = 'yes'"), 1,
             "one item with its answers");
    free(wkb);
    gis_ctx_free(g);
    store_close(c);
}

/* A slice of the test's own: a feature declares its statements the same
 * way and registers nothing with db/. */
#define TEST_SQL(X)                                                                  \
    X(SQL_T_MAKE, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, "       \
                  "n INTEGER CHECK (n >= 0), parent INTEGER)")                       \
    X(SQL_T_PUT, "INSERT INTO t (name, n, parent) VALUES (?1, ?2, ?3)")              \
    X(SQL_T_GET, "SELECT id, name, n, parent FROM t WHERE name = ?1")                \
    X(SQL_T_ALL, "SELECT name FROM t ORDER BY id")
DB_SLICE_ENUM(test_sql_id, TEST_SQL)
extern const db_slice test_sql;
DB_SLICE_DEFINE(test_sql, TEST_SQL)

static int collect_names(void *arg, db_row *row)
{
    char *all = arg;
    strncat(all, db_col_text(row, 0), 63 - strlen(all));
    return strlen(all) >= 2; /* stop after two */
}

static void test_slices(void)
{
    store_conn *c = NULL;
    vk_errinfo ei;
    T_EQ_INT(store_open(&c, t_path("slices.sqlite"), &ei), VK_OK, "open for the slice tests");
    T_EQ_INT(db_run(c, &test_sql, SQL_T_MAKE, DB_NO_ARGS, "making t", &ei), VK_OK,
             "a statement of the test's own slice runs");
    T_EQ_INT(db_run(c, &test_sql, SQL_T_PUT, DB_ARGS(DB_TEXT("a"), DB_INT(1), DB_ID(0)), "put", &ei),
             VK_OK, "an insert with DB_ID(0)");
    int64_t first = db_last_id(c);
    T_EQ_INT(db_run(c, &test_sql, SQL_T_PUT, DB_ARGS(DB_TEXT("b"), DB_INT(2), DB_ID(first)), "put",
                    &ei),
             VK_OK, "a second insert");
    T_EQ_INT(db_run(c, &test_sql, SQL_T_PUT, DB_ARGS(DB_TEXT("a"), DB_INT(3)), "saving t", &ei),
             VK_EDB, "a duplicate name fails");
    T_EQ_INT(db_last_constraint(c), DB_CONSTRAINT_UNIQUE, "as a UNIQUE violation");
    T_OK(strncmp(ei.message, "saving t: ", 10) == 0, "with what failed first: %s", ei.message);
    T_EQ_INT(db_run(c, &test_sql, SQL_T_PUT, DB_ARGS(DB_TEXT("c"), DB_INT(-1)), "put", &ei), VK_EDB,
             "a negative n fails");
    T_EQ_INT(db_last_constraint(c), DB_CONSTRAINT_CHECK, "as a CHECK violation");

    int64_t id = -1, n = 0, parent = -1;
    char *name = NULL;
    int found = 0;
    T_EQ_INT(db_scan(c, &test_sql, SQL_T_GET, DB_ARGS(DB_TEXT("b")),
                     DB_OUTS(DB_I64_TO(&id), DB_DUP_TO(&name), DB_I64_TO(&n), DB_I64_TO(&parent)),
                     &found, "get", &ei),
             VK_OK, "db_scan reads a row into variables");
    T_OK(found && name && strcmp(name, "b") == 0 && n == 2 && parent == first,
         "the row of b, its parent the first row");
    free(name);
    name = NULL;
    T_EQ_INT(db_scan(c, &test_sql, SQL_T_GET, DB_ARGS(DB_TEXT("a")),
                     DB_OUTS(DB_I64_TO(&id), DB_DUP_TO(&name), DB_I64_TO(&n), DB_I64_TO(&parent)),
                     &found, "get", &ei),
             VK_OK, "and the row of a");
    T_EQ_INT(parent, 0, "whose DB_ID(0) was stored as NULL");
    free(name);
    name = NULL;
    id = 42;
    T_EQ_INT(db_scan(c, &test_sql, SQL_T_GET, DB_ARGS(DB_TEXT("zz")), DB_OUTS(DB_I64_TO(&id)),
                     &found, "get", &ei),
             VK_OK, "no row is not an error");
    T_OK(!found && id == 42, "found is 0 and the outs are untouched");
    T_EQ_INT(db_int64(c, &test_sql, SQL_T_GET, DB_ARGS(DB_TEXT("zz")), &id, "get", &ei), VK_OK,
             "db_int64 of no row");
    T_EQ_INT(id, 0, "is 0");

    char all[64] = "";
    T_EQ_INT(db_each(c, &test_sql, SQL_T_ALL, DB_NO_ARGS, collect_names, all, "all", &ei), VK_OK,
             "db_each walks the rows");
    T_EQ_STR(all, "ab", "in order, and stops when the callback says so");
    int64_t pings = -1;
    T_EQ_INT(store_ping(c, &pings, &ei), VK_OK, "the engine's own slice and a feature's share the connection");
    store_close(c);
}

/* vk_hex_cell, vk_hex_lon, vk_hex_lat (db/hex_sql.c): the grid of
 * gis/hex.h in SQL, the same cell and centre as the C the public results
 * use, NULL for NULL. */
#define HEX_SQL(X)                                                                          \
    X(SQL_HEX, "SELECT vk_hex_cell(?1, ?2, ?3), vk_hex_lon(vk_hex_cell(?1, ?2, ?3), ?3), "   \
               "vk_hex_lat(vk_hex_cell(?1, ?2, ?3), ?3), vk_hex_cell(NULL, ?2, ?3) IS NULL, " \
               "vk_hex_cell(?1, ?2, 0) IS NULL")
DB_SLICE_ENUM(hex_sql_id, HEX_SQL)
DB_SLICE_DEFINE(hex_sql, HEX_SQL)

static void test_hex_functions(void)
{
    const char *db = t_path("hex.sqlite");
    store_conn *c = NULL;
    gis_proj *p = NULL;
    vk_errinfo ei;
    T_EQ_INT(store_open(&c, db, &ei), VK_OK, "open");
    T_EQ_INT(gis_proj_new(&p), VK_OK, "proj");
    const double pts[][2] = {{28.7832, 61.1918}, {28.8193, 61.2329}, {24.9384, 60.1699}, {21.0, 69.0}};
    const int sizes[] = {100, 250, 500, 10000};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            int64_t cell = 0, null_in = 0, zero_size = 0;
            double lon = 0, lat = 0;
            T_EQ_INT(db_scan(c, &hex_sql, SQL_HEX,
                             DB_ARGS(DB_REAL(pts[i][0]), DB_REAL(pts[i][1]), DB_INT(sizes[k])),
                             DB_OUTS(DB_I64_TO(&cell), DB_REAL_TO(&lon), DB_REAL_TO(&lat),
                                     DB_I64_TO(&null_in), DB_I64_TO(&zero_size)),
                             NULL, "hex", &ei),
                     VK_OK, "the functions are there (point %zu, size %d)", i, sizes[k]);
            double x = pts[i][0], y = pts[i][1];
            gis_proj_from_storage(p, GIS_CRS_3067, &x, &y);
            gis_hex_grid g;
            gis_hex_grid_init(&g, sizes[k]);
            int32_t q, r;
            gis_hex_cell_of(&g, x, y, &q, &r);
            T_EQ_INT((int32_t)(uint32_t)((uint64_t)cell >> 32), q, "q (point %zu, size %d)", i, sizes[k]);
            T_EQ_INT((int32_t)(uint32_t)(uint64_t)cell, r, "r (point %zu, size %d)", i, sizes[k]);
            double cx, cy;
            gis_hex_center(&g, q, r, &cx, &cy);
            gis_proj_to_storage(p, GIS_CRS_3067, &cx, &cy);
            T_NEAR(lon, cx, 1e-9, "centre lon (point %zu, size %d)", i, sizes[k]);
            T_NEAR(lat, cy, 1e-9, "centre lat (point %zu, size %d)", i, sizes[k]);
            T_OK(fabs(lon - pts[i][0]) < 0.2 && fabs(lat - pts[i][1]) < 0.1, "near the point");
            T_EQ_INT(null_in, 1, "NULL in, NULL out");
            T_EQ_INT(zero_size, 1, "no grid of size 0");
        }
    }
    gis_proj_free(p);
    store_close(c);
}

/* An item's category_fi and status_fi, copied (features/labels.c). */
typedef struct {
    char category_fi[64], status_fi[64];
} item_names;

static int take_names(void *arg, const store_item *it)
{
    item_names *n = arg;
    const store_value *c = &it->values[feedback_column("category_fi")];
    const store_value *s = &it->values[feedback_column("status_fi")];
    snprintf(n->category_fi, sizeof n->category_fi, "%s", c->type == STORE_TEXT ? c->text : "NULL");
    snprintf(n->status_fi, sizeof n->status_fi, "%s", s->type == STORE_TEXT ? s->text : "NULL");
    return 1;
}

static const char *category_fi(store_conn *c, int64_t id)
{
    static item_names n;
    vk_errinfo ei;
    store_items_query q = {.id = id, .limit = 1};
    snprintf(n.category_fi, sizeof n.category_fi, "(none)");
    store_items_each(c, store_collection_find("feedback"), &q, take_names, &n, &ei);
    return n.category_fi;
}

/* The names come from the connection's copy of the tables: it must follow
 * this connection's uncommitted writes, forget them when they are rolled
 * back, and follow other connections' commits. */
static void test_labels(void)
{
    const char *db = t_path("labels.sqlite");
    gis_ctx *g = NULL;
    vk_errinfo ei;
    store_conn *c = open_with_lighting(db, &g);
    size_t n;
    unsigned char *w = point_wkb(g, 28.75, 61.17, &n);
    store_feedback_new f = {.category = "lighting", .description = "Katuvalo ei pala",
                            .created_at = "2026-11-01T10:00:00Z", .updated_at = "2026-11-01T10:00:00Z",
                            .wkb = w, .wkb_len = n};
    int64_t id = 0;
    T_EQ_INT(store_feedback_insert(c, &f, &id, &ei), VK_OK, "insert");
    T_EQ_STR(category_fi(c, id), "Valaistus", "the category's name");
    item_names names;
    memset(&names, 0, sizeof names);
    store_items_query q = {.id = id, .limit = 1};
    store_items_each(c, store_collection_find("feedback"), &q, take_names, &names, &ei);
    T_EQ_STR(names.status_fi, "Vastaanotettu", "the status's name");

    T_EQ_INT(store_begin(c, &ei), VK_OK, "begin");
    store_exec(c, "UPDATE category SET name_fi = 'Valot' WHERE id = 'lighting'", &ei);
    T_EQ_STR(category_fi(c, id), "Valot", "an uncommitted rename is seen inside its transaction");
    store_rollback(c);
    T_EQ_STR(category_fi(c, id), "Valaistus", "and forgotten when it is rolled back");

    exec_sql(db, "UPDATE category SET name_fi = 'Katuvalot' WHERE id = 'lighting'");
    T_EQ_STR(category_fi(c, id), "Katuvalot", "another connection's commit is seen at once");
    exec_sql(db, "PRAGMA foreign_keys = OFF; UPDATE feedback SET category = 'gone'");
    T_EQ_STR(category_fi(c, id), "NULL", "a code without a row: NULL, as the join gives");
    free(w);
    gis_ctx_free(g);
    store_close(c);
}

int main(void)
{
    test_open_and_migrate();
    test_slices();
    test_feedback_rows();
    test_attributes();
    test_migrate_workflow();
    test_moderation();
    test_hex_functions();
    test_labels();
    t_cleanup();
    return t_done();
}
