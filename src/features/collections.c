/*
 * collections.c — the collection table and the one query builder behind
 * items, single items, counts, extents and exports.
 *
 * SQL is assembled only from the fragments in the table below and from
 * compiled filters, which carry their values as bound parameters: no text
 * from a request ever becomes SQL. Each distinct SQL text is prepared once
 * per connection (store_cached_stmt).
 *
 * Parameters: ?1..?4 bbox (minlon, minlat, maxlon, maxlat), ?5/?6 time
 * range, ?7 one id, ?8 limit, ?9 offset, ?10 after (keyset paging);
 * ?11..?13 the distance test (lon, lat, metres); ?14 a JSON array of ids;
 * filters from ?15 on.
 */
#include "features/collections.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_internal.h"
#include "core/buf.h"
#include "features/labels.h"

static const char *const feedback_statuses[] = {"received", "in_progress",    "planned",
                                                "resolved", "not_resolvable", "duplicate",
                                                "forwarded", NULL};

static const char *const feedback_precisions[] = {"exact", "address", "district", NULL};

/* A plain column named as in its table (alias t): the name written once. */
#define PLAIN_COLUMN(t, name, type, title) {#name, #t "." #name, type, title, NULL, 0}

/* Every code comes with its names beside it (category_fi after category…):
 * planners read the layer in QGIS or a spreadsheet without a lookup. The
 * places' and units' names in Finnish and Swedish, the official languages
 * (their English names are mostly the Finnish ones): every column costs
 * export time (bench/README.md). */
static const store_column feedback_columns[] = {
    PLAIN_COLUMN(f, category, CQL2_Q_STRING, "Category (see /api/v1/categories)"),
    {"category_fi", "c.name_fi", CQL2_Q_STRING, "The category's name in Finnish", NULL, 0},
    {"category_sv", "c.name_sv", CQL2_Q_STRING, "The category's name in Swedish", NULL, 0},
    {"category_en", "c.name_en", CQL2_Q_STRING, "The category's name in English", NULL, 0},
    PLAIN_COLUMN(f, description, CQL2_Q_STRING, "What the resident said"),
    PLAIN_COLUMN(f, place, CQL2_Q_STRING, "The place in words"),
    {"status", "f.status", CQL2_Q_STRING, "Handling status", feedback_statuses, 0},
    {"status_fi", FEEDBACK_STATUS_SQL(FI), CQL2_Q_STRING, "The status's name in Finnish", NULL, 0},
    {"status_sv", FEEDBACK_STATUS_SQL(SV), CQL2_Q_STRING, "The status's name in Swedish", NULL, 0},
    {"status_en", FEEDBACK_STATUS_SQL(EN), CQL2_Q_STRING, "The status's name in English", NULL, 0},
    /* exact, address or district (schema 0020): a district-only item's
     * point is its district's label point, never to be drawn as a pin. */
    {"location_precision", "f.location_precision", CQL2_Q_STRING,
     "How exactly it is placed: exact (drawn on the map), address (an address's point), "
     "district (only the district is known)", feedback_precisions, 0},
    PLAIN_COLUMN(f, resolution_reason, CQL2_Q_STRING, "Why it cannot be resolved (not_resolvable)"),
    /* An item id, so an integer in every format (GeoPackage, CSV types,
     * OAPIF queryables and schema alike). */
    PLAIN_COLUMN(f, duplicate_of, CQL2_Q_INTEGER, "The item this one duplicates"),
    PLAIN_COLUMN(f, forwarded_to, CQL2_Q_STRING,
                 "The organisation it was forwarded to (forwarded)"),
    {"unit", "u.code", CQL2_Q_STRING, "The responsible unit's code", NULL, 0},
    {"unit_name_fi", "u.name_fi", CQL2_Q_STRING, "The responsible unit's name in Finnish", NULL, 0},
    {"unit_name_sv", "u.name_sv", CQL2_Q_STRING, "The responsible unit's name in Swedish", NULL, 0},
    PLAIN_COLUMN(f, answer, CQL2_Q_STRING, "The city's public answer, as written (Finnish when "
                 "it was written in Finnish)"),
    /* Its other languages (schema 0023); NULL when none was written, and a
     * reader in that language reads answer. */
    PLAIN_COLUMN(f, answer_sv, CQL2_Q_STRING, "The public answer in Swedish, when written"),
    PLAIN_COLUMN(f, answer_en, CQL2_Q_STRING, "The public answer in English, when written"),
    {"answered", "f.answered_at", CQL2_Q_DATETIME, "When the city answered", NULL, 0},
    {"district", "d.code", CQL2_Q_STRING, "District code (see /api/v1/districts)", NULL, 0},
    {"district_name_fi", "d.name_fi", CQL2_Q_STRING, "The district's name in Finnish", NULL, 0},
    {"district_name_sv", "d.name_sv", CQL2_Q_STRING, "The district's name in Swedish", NULL, 0},
    {"created", "f.created_at", CQL2_Q_DATETIME, "When it was reported", NULL, 0},
    {"updated", "f.updated_at", CQL2_Q_DATETIME, "Last change", NULL, 0},
    PLAIN_COLUMN(f, me_too, CQL2_Q_INTEGER, "How many residents said \"me too\""),
    /* Answers to the category's own questions: public facts about the
     * place (never personal data), a JSON object written as one. A layer
     * of one category has them as typed columns of their own instead
     * (exchange/export.c). */
    {"attributes", "f.attributes", CQL2_Q_STRING,
     "Answers to the category's questions (see /api/v1/categories), a JSON object", NULL, 1},
    /* Photos a moderator approved (docs/photos.md: pending ones are hidden
     * until then), oldest first, with their URLs. Most items have none:
     * photo_count (kept by triggers, schema/0025) spares them the probe. */
    {"photos",
     "(CASE WHEN f.photo_count > 0 THEN (SELECT json_group_array(json_object('id', p.id, "
     "'width', p.width, 'height', p.height, 'url', '/api/v1/photos/' || p.id || '/display', "
     "'thumb', '/api/v1/photos/' || p.id || '/thumb')) FROM (SELECT * FROM photo p WHERE "
     "p.owner_kind = 'feedback' AND p.owner_id = CAST(f.id AS TEXT) AND p.hidden = 0 ORDER BY "
     "p.created_at, p.id) p) ELSE '[]' END)",
     CQL2_Q_STRING, "Approved photos: [{id, width, height, url, thumb}], a JSON array", NULL, 1},
    /* A new column (location_precision…) is one more line here: OAPIF,
     * queryables, GeoJSON, CSV and GeoPackage all follow this table. */
};

static const char *const visibilities[] = {"public", "hidden", "withdrawn", NULL};

const store_column store_feedback_staff_columns[] = {
    {"visibility", "(CASE f.hidden WHEN 0 THEN 'public' WHEN 1 THEN 'hidden' ELSE 'withdrawn' END)",
     CQL2_Q_STRING, "public, hidden by a moderator, or withdrawn by its reporter", visibilities, 0},
};
const int store_feedback_staff_ncolumns = (int)(sizeof store_feedback_staff_columns /
                                                sizeof store_feedback_staff_columns[0]);

const store_column store_feedback_staff_filters[] = {
    {"hidden", "f.hidden", CQL2_Q_INTEGER, "0 public, 1 hidden, 2 withdrawn", NULL, 0},
    {"district_id", "f.district_id", CQL2_Q_INTEGER, "NULL outside every district", NULL, 0},
    {"unit_id", "f.unit_id", CQL2_Q_INTEGER, "NULL without a responsible unit", NULL, 0},
    {"assignee_id", "f.assignee_id", CQL2_Q_INTEGER, "NULL when assigned to nobody", NULL, 0},
};
const int store_feedback_staff_nfilters = (int)(sizeof store_feedback_staff_filters /
                                                sizeof store_feedback_staff_filters[0]);

/* The inbox order; schema/0006_inbox.sql indexes exactly this. */
#define INBOX_ORDER "(f.answered_at IS NOT NULL), f.created_at, f.id"
/* The inbox's page walks that index and stops at the page's end. Without
 * statistics SQLite prefers an equality index (category, status,
 * district) and sorts every match: 90,000 rows for one category of a
 * million, ~0.2-0.5 s, against a walk of ~11 rows per row shown. */
#define INBOX_FROM                                                                   \
    "feedback f INDEXED BY feedback_inbox LEFT JOIN district d ON d.id = f.district_id " \
    "LEFT JOIN unit u ON u.id = f.unit_id LEFT JOIN category c ON c.id = f.category"

/* The columns every area collection has (districts, accessibility areas). */
#define AREA_COLUMNS                                                                 \
    PLAIN_COLUMN(a, code, CQL2_Q_STRING, "Code"),                                    \
        PLAIN_COLUMN(a, name_fi, CQL2_Q_STRING, "Name in Finnish"),                  \
        PLAIN_COLUMN(a, name_sv, CQL2_Q_STRING, "Name in Swedish"),                  \
        PLAIN_COLUMN(a, name_en, CQL2_Q_STRING, "Name in English")

static const store_column area_columns[] = {AREA_COLUMNS};

static const store_column accessibility_columns[] = {
    AREA_COLUMNS,
    PLAIN_COLUMN(a, level, CQL2_Q_STRING, "Accessibility level promised"),
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define FEEDBACK_FROM                                                                        \
    "feedback f LEFT JOIN district d ON d.id = f.district_id "                               \
    "LEFT JOIN unit u ON u.id = f.unit_id LEFT JOIN category c ON c.id = f.category"
#define FEEDBACK_BY_TYPE(id, title, type, what, dim)                                         \
    {id, title, "Residents' feedback drawn as " what " only (the feedback collection has "    \
                "them all), with the same properties.",                                      \
     type, FEEDBACK_FROM, "f.id", 0, "f.id", "f.geom", "idx_feedback_geom", "f.created_at",  \
     feedback_columns, COUNT(feedback_columns), 0, "f.hidden = 0",                           \
     "feedback f INDEXED BY feedback_nonpublic WHERE f.hidden <> 0", dim}

const store_collection store_collections[] = {
    {"feedback", "Feedback", "Residents' feedback: points, lines and areas with category, "
                             "status and the city's public answer. No personal data.",
     "Geometry", "feedback f LEFT JOIN district d ON d.id = f.district_id "
     "LEFT JOIN unit u ON u.id = f.unit_id LEFT JOIN category c ON c.id = f.category", "f.id", 0, "f.id",
     "f.geom", "idx_feedback_geom", "f.created_at", feedback_columns, COUNT(feedback_columns), 1,
     "f.hidden = 0", "feedback f INDEXED BY feedback_nonpublic WHERE f.hidden <> 0", 0},
    /* The same items a geometry type per collection: GIS clients that take
     * one type per layer (QGIS, ogr2ogr to a Shapefile) read these. Public
     * items only, read-only; the properties are feedback's. */
    FEEDBACK_BY_TYPE("feedback-points", "Feedback: points", "Point", "points", 1),
    FEEDBACK_BY_TYPE("feedback-lines", "Feedback: lines", "LineString", "lines", 2),
    FEEDBACK_BY_TYPE("feedback-areas", "Feedback: areas", "Polygon", "areas", 3),
    {"districts", "Districts", "The municipality's districts (kaupunginosat).", "MultiPolygon",
     "district a", "a.code", 1, "a.id", "a.geom", "idx_district_geom", NULL, area_columns,
     COUNT(area_columns), 0, NULL, NULL, 0},
    {"accessibility-areas", "Accessibility areas",
     "Areas where the city has promised a higher accessibility level (esteettömyyden "
     "erikoistaso).",
     "MultiPolygon", "accessibility_area a", "a.code", 1, "a.id", "a.geom",
     "idx_accessibility_area_geom", NULL, accessibility_columns, COUNT(accessibility_columns), 0, NULL, NULL, 0},
};
const int store_collections_count = COUNT(store_collections);

const store_collection *store_collection_find(const char *id)
{
    for (int i = 0; i < store_collections_count; i++)
        if (strcmp(store_collections[i].id, id) == 0)
            return &store_collections[i];
    return NULL;
}

static vk_err count_items(store_conn *c, const store_collection *col, const store_items_query *q,
                          int64_t *n, vk_errinfo *ei);

/* The R*Tree candidates for the bbox. */
#define RTREE_HIT " IN (SELECT pkid FROM %s WHERE xmin <= ?3 AND xmax >= ?1 AND ymin <= ?4 AND ymax >= ?2)"
/* An entry whose (outward-rounded) box lies inside the bbox surely matches. */
#define RTREE_INSIDE "xmin >= ?1 AND xmax <= ?3 AND ymin >= ?2 AND ymax <= ?4"
/* Exact test: a point's own box is exact; other shapes need GEOS. */
#define EXACT_BBOX_TEST                                                                       \
    "(CASE WHEN GeometryType(%s) = 'POINT' THEN MbrIntersects(%s, BuildMbr(?1, ?2, ?3, ?4, 4326))" \
    " ELSE Intersects(%s, BuildMbr(?1, ?2, ?3, ?4, 4326)) END) = 1"
#define EXACT_BBOX " AND " EXACT_BBOX_TEST

/* WHERE conditions shared by counts and lists. With rtree_driven the
 * R*Tree is the outer loop (aliased r) and its box test is written
 * directly; otherwise the candidates come as an IN list. */
static void add_conditions(vk_buf *b, const store_collection *col, const store_items_query *q,
                           int rtree_driven)
{
    if (rtree_driven)
        vk_buf_printf(b, " WHERE %s = r.pkid AND r.xmin <= ?3 AND r.xmax >= ?1 AND r.ymin <= ?4"
                         " AND r.ymax >= ?2",
                      col->rowid_sql);
    else
        vk_buf_puts(b, " WHERE 1");
    if (col->public_sql && !q->include_nonpublic)
        vk_buf_printf(b, " AND %s", col->public_sql);
    if (col->nonpublic_from && q->include_nonpublic && q->nonpublic_only)
        /* The few hidden rows drive the query; any other plan walks them all. */
        vk_buf_printf(b, " AND %s IN (SELECT %s FROM %s)", col->rowid_sql, col->rowid_sql,
                      col->nonpublic_from);
    if (q->id || q->id_text)
        vk_buf_printf(b, " AND %s = ?7", col->id_sql);
    if (q->after && !col->id_is_text && !rtree_driven)
        vk_buf_printf(b, " AND %s > ?10", col->id_sql);
    if (q->ids_json)
        vk_buf_printf(b, " AND %s IN (SELECT value FROM json_each(?14))", col->rowid_sql);
    if (q->has_bbox && rtree_driven) {
        /* An entry inside the box needs no exact test (as in the count):
         * most of a page, and SpatiaLite parses no blob for them. */
        vk_buf_printf(b, " AND (r.xmin >= ?1 AND r.xmax <= ?3 AND r.ymin >= ?2 AND r.ymax <= ?4 OR "
                         EXACT_BBOX_TEST ")",
                      col->geom_sql, col->geom_sql, col->geom_sql);
    } else if (q->has_bbox) {
        /* Not for a given list of rows or the few hidden ones: SQLite
         * would gather every R*Tree hit of the box first (a city block of
         * a million items: 20,000 rows, ~15 ms) to test a handful. */
        if (!q->ids_json && !(col->nonpublic_from && q->include_nonpublic && q->nonpublic_only))
            vk_buf_printf(b, " AND %s" RTREE_HIT, col->rowid_sql, col->rtree);
        vk_buf_printf(b, EXACT_BBOX, col->geom_sql, col->geom_sql, col->geom_sql);
    }
    if (q->has_near)
        /* On the ellipsoid, in metres; callers also set a bbox around the
         * circle so the R*Tree does the rough cut first. */
        vk_buf_printf(b, " AND PtDistWithin(%s, MakePoint(?11, ?12, 4326), ?13, 1) = 1",
                      col->geom_sql);
    if (col->time_sql && q->time_start)
        vk_buf_printf(b, " AND %s >= ?5", col->time_sql);
    if (col->time_sql && q->time_end)
        vk_buf_printf(b, " AND %s <= ?6", col->time_sql);
    int dim = q->geometry_dim > 0 ? q->geometry_dim : col->geometry_dim;
    if (dim > 0)
        vk_buf_printf(b, " AND ST_Dimension(%s) = %d", col->geom_sql, dim - 1);
    if (q->where)
        vk_buf_printf(b, " AND %s", q->where);
}

int store_items_rtree_order(const store_items_query *q)
{
    return q->has_bbox && !q->id && !q->id_text && !(q->has_near && q->near_order) &&
           !q->staff_view && !q->order_sql && !q->where && !q->time_start && !q->time_end &&
           !q->ids_json;
}

/* Numbers a statement does not mention fail to bind with SQLITE_RANGE,
 * harmlessly: every statement is bound the same way. */
static void bind_query(sqlite3_stmt *st, const store_items_query *q)
{
    if (q->has_bbox)
        for (int i = 0; i < 4; i++)
            sqlite3_bind_double(st, 1 + i, q->bbox[i]);
    if (q->time_start)
        sqlite3_bind_text(st, 5, q->time_start, -1, SQLITE_STATIC);
    if (q->time_end)
        sqlite3_bind_text(st, 6, q->time_end, -1, SQLITE_STATIC);
    if (q->id_text)
        sqlite3_bind_text(st, 7, q->id_text, -1, SQLITE_STATIC);
    else if (q->id)
        sqlite3_bind_int64(st, 7, q->id);
    sqlite3_bind_int64(st, 8, q->limit < 0 ? -1 : q->limit);
    sqlite3_bind_int64(st, 9, q->after && !store_items_rtree_order(q) ? 0 : q->offset);
    sqlite3_bind_int64(st, 10, q->after);
    if (q->has_near) {
        sqlite3_bind_double(st, 11, q->near[0]);
        sqlite3_bind_double(st, 12, q->near[1]);
        sqlite3_bind_double(st, 13, q->near[2]);
    }
    if (q->ids_json)
        sqlite3_bind_text(st, 14, q->ids_json, -1, SQLITE_STATIC);
    if (q->where && q->params)
        cql2_sql_bind(st, q->params, STORE_ITEMS_FIRST_PARAM);
}


static sqlite3_stmt *prepare(store_conn *c, vk_buf *b, vk_errinfo *ei)
{
    if (!vk_buf_ok(b)) {
        vk_fail(ei, VK_ENOMEM, "", NULL);
        return NULL;
    }
    return store_cached_stmt(c, b->data, ei);
}


/* The cache slot of a collection on this connection. */
static store_extent *cache_of(store_conn *c, const store_collection *col)
{
    /* Collections made per request (features/registry.h providers) are
     * not the table's and have no slot: compare, never subtract. */
    for (int i = 0; i < store_collections_count && i < STORE_MAX_COLLECTIONS; i++)
        if (col == &store_collections[i])
            return &c->extents[i];
    return NULL;
}

vk_err store_items_count(store_conn *c, const store_collection *col, const store_items_query *q,
                         int64_t *n, vk_errinfo *ei)
{
    /* Everything, unfiltered (GDAL paging through a collection): the total
     * is remembered until the data changes. */
    int all = !q->has_bbox && !q->where && !q->time_start && !q->time_end && !q->id &&
              !q->id_text && !q->after && !q->include_nonpublic && !q->geometry_dim &&
              !col->geometry_dim;
    store_extent *x = all ? cache_of(c, col) : NULL;
    long long version = 0, changes = 0;
    if (x) {
        store_data_stamp(c, &version, &changes);
        if (x->total_valid && x->total_version == version && x->total_changes == changes) {
            *n = x->total;
            return VK_OK;
        }
    }
    vk_err e = count_items(c, col, q, n, ei);
    if (!e && x) {
        x->total = *n;
        x->total_valid = 1;
        x->total_version = version;
        x->total_changes = changes;
    }
    return e;
}

static vk_err count_items(store_conn *c, const store_collection *col, const store_items_query *q,
                          int64_t *n, vk_errinfo *ei)
{
    vk_buf b;
    vk_buf_init(&b, 1 << 20);
    int fast = q->has_bbox && !q->where && !q->time_start && !q->time_end && !q->id &&
               !q->id_text && !q->has_near && !q->staff_view && !q->geometry_dim &&
               !col->geometry_dim;
    if (fast) {
        /* Entries inside the box count from the R*Tree alone; only those
         * crossing its edge are read and tested exactly. */
        vk_buf_printf(&b, "SELECT (SELECT count(*) FROM %s WHERE " RTREE_INSIDE ") + "
                          "(SELECT count(*) FROM %s WHERE %s IN (SELECT pkid FROM %s WHERE "
                          "xmin <= ?3 AND xmax >= ?1 AND ymin <= ?4 AND ymax >= ?2 AND NOT (" RTREE_INSIDE "))",
                      col->rtree, col->from, col->rowid_sql, col->rtree);
        vk_buf_printf(&b, EXACT_BBOX, col->geom_sql, col->geom_sql, col->geom_sql);
        vk_buf_putc(&b, ')');
        if (col->nonpublic_from && !q->include_nonpublic) {
            /* The R*Tree holds hidden items too: take those in the box off. */
            vk_buf_printf(&b, " - (SELECT count(*) FROM %s", col->nonpublic_from);
            vk_buf_printf(&b, EXACT_BBOX, col->geom_sql, col->geom_sql, col->geom_sql);
            vk_buf_putc(&b, ')');
        }
    } else if (col->nonpublic_from && q->include_nonpublic && q->nonpublic_only) {
        /* The few hidden and withdrawn rows drive the count, whatever
         * other index a filter (category, status…) could offer. */
        vk_buf_printf(&b, "SELECT count(*) FROM (SELECT %s AS np_id FROM %s) np CROSS JOIN %s",
                      col->rowid_sql, col->nonpublic_from, col->from);
        add_conditions(&b, col, q, 0);
        vk_buf_printf(&b, " AND %s = np.np_id", col->rowid_sql);
    } else {
        vk_buf_printf(&b, "SELECT count(*) FROM %s", col->from);
        add_conditions(&b, col, q, 0);
    }
    sqlite3_stmt *st = prepare(c, &b, ei);
    vk_buf_fini(&b);
    if (!st)
        return VK_EDB;
    bind_query(st, q);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    vk_err e = rc == SQLITE_ROW ? VK_OK : store_db_fail(c, ei, "counting items");
    sqlite3_reset(st);
    return e;
}

#define MAX_COLUMNS 64

struct store_cursor {
    store_conn *conn;
    const store_collection *col;
    int near_order;   /* a distance column follows the columns */
    int nstaff;       /* then the staff columns of a staff view */
    sqlite3_stmt *st; /* borrowed from the connection's cache */
    int nlabels;      /* columns whose value comes from features/labels.c */
    int labels_checked;
    signed char label[MAX_COLUMNS]; /* per column: its label, or -1 */
    store_item item;
    store_value values[MAX_COLUMNS];
};

vk_err store_cursor_open(store_conn *c, const store_collection *col, const store_items_query *q,
                         store_cursor **out, vk_errinfo *ei)
{
    int nstaff = q->staff_view ? store_feedback_staff_ncolumns : 0;
    if (col->ncolumns + nstaff > MAX_COLUMNS)
        return vk_fail(ei, VK_EINTERNAL, "", "too many columns in collection %s", col->id);
    vk_buf b;
    vk_buf_init(&b, 1 << 20);
    vk_buf_printf(&b, "SELECT %s, AsBinary(%s)", col->id_sql, col->geom_sql);
    /* Columns not asked for (properties=) are NULL: SQLite neither reads
     * nor computes them, and the positions stay those of the table. The
     * feedback's names of categories, units and districts come from memory
     * (features/labels.h): their code is selected in their place, and
     * SQLite drops a join no filter or sortby uses. */
    signed char label[MAX_COLUMNS];
    int nlabels = 0;
    for (int i = 0; i < col->ncolumns; i++) {
        int skip = q->some_columns && (i >= 64 || !(q->columns >> i & 1));
        label[i] = (signed char)(!skip && col->columns == feedback_columns
                                     ? store_label_find(col->columns[i].sql)
                                     : -1);
        nlabels += label[i] >= 0;
        vk_buf_puts(&b, ", ");
        vk_buf_puts(&b, skip ? "NULL"
                        : label[i] >= 0 ? store_label_key_sql(label[i])
                                        : col->columns[i].sql);
    }
    int near_order = q->has_near && q->near_order;
    if (near_order)
        vk_buf_printf(&b, ", Distance(%s, MakePoint(?11, ?12, 4326), 1)", col->geom_sql);
    for (int i = 0; i < nstaff; i++)
        vk_buf_printf(&b, ", %s", store_feedback_staff_columns[i].sql);
    if (store_items_rtree_order(q)) {
        /* A box: walk the R*Tree and stop at the page's end, rather than
         * collecting and sorting every candidate (1M points: 4x faster).
         * CROSS JOIN keeps the R*Tree as the outer loop. */
        vk_buf_printf(&b, " FROM %s r CROSS JOIN %s", col->rtree, col->from);
        add_conditions(&b, col, q, 1);
        vk_buf_puts(&b, " LIMIT ?8 OFFSET ?9");
    } else {
        /* Not with an IS [NOT] NULL test (no district, no unit, answered):
         * those pick out rows the walk would reach only after most of the
         * index, and their own index finds them at once. */
        int inbox_walk = q->staff_view && !q->has_bbox && !q->nonpublic_only && !q->id &&
                         !q->ids_json && !q->inbox_none &&
                         col == store_collection_find("feedback");
        vk_buf_printf(&b, " FROM %s", inbox_walk ? INBOX_FROM : col->from);
        add_conditions(&b, col, q, 0);
        if (inbox_walk && q->inbox_answered)
            /* The index's first column: the walk seeks to the answered
             * (or unanswered) part instead of stepping over the other. */
            vk_buf_printf(&b, " AND (f.answered_at IS NOT NULL) = %d", q->inbox_answered - 1);
        if (near_order)
            vk_buf_printf(&b, " ORDER BY %d, %s LIMIT ?8 OFFSET ?9", col->ncolumns + 3,
                          col->id_sql);
        else if (q->order_sql)
            vk_buf_printf(&b, " ORDER BY %s, %s LIMIT ?8 OFFSET ?9", q->order_sql, col->id_sql);
        else if (inbox_walk && q->inbox_answered)
            /* The same order with its first column fixed: written without
             * it, SQLite sees that the index gives it and does not sort. */
            vk_buf_puts(&b, " ORDER BY f.created_at, f.id LIMIT ?8 OFFSET ?9");
        else
            vk_buf_printf(&b, " ORDER BY %s LIMIT ?8 OFFSET ?9",
                          q->staff_view ? INBOX_ORDER : col->id_sql);
    }
    sqlite3_stmt *st = prepare(c, &b, ei);
    vk_buf_fini(&b);
    if (!st)
        return VK_EDB;
    store_cursor *cur = calloc(1, sizeof *cur);
    if (!cur)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    bind_query(st, q);
    cur->conn = c;
    cur->col = col;
    cur->near_order = near_order;
    cur->nstaff = nstaff;
    cur->st = st;
    cur->nlabels = nlabels;
    memcpy(cur->label, label, (size_t)col->ncolumns);
    cur->item.values = cur->values;
    *out = cur;
    return VK_OK;
}

int store_cursor_next(store_cursor *cur, const store_item **item, vk_errinfo *ei)
{
    sqlite3_stmt *st = cur->st;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW) {
        store_db_fail(cur->conn, ei, "reading items");
        return -1;
    }
    /* After the first step the statement holds its read transaction: the
     * names are checked against the very snapshot the rows come from. */
    if (cur->nlabels && !cur->labels_checked) {
        if (store_labels_check(cur->conn, ei))
            return -1;
        cur->labels_checked = 1;
    }
    store_item *it = &cur->item;
    if (cur->col->id_is_text)
        it->id_text = (const char *)sqlite3_column_text(st, 0);
    else
        it->id = sqlite3_column_int64(st, 0);
    it->wkb = sqlite3_column_blob(st, 1);
    it->wkb_len = (size_t)sqlite3_column_bytes(st, 1);
    int n = cur->col->ncolumns;
    store_label_memo memo = {0};
    for (int i = 0; i < n + cur->nstaff; i++) {
        store_value *v = &cur->values[i];
        int k = 2 + i + (i >= n ? cur->near_order : 0); /* the distance sits between */
        if (i < n && cur->label[i] >= 0) {
            store_label_value(cur->conn, cur->label[i], st, k, v, &memo);
            continue;
        }
        switch (sqlite3_column_type(st, k)) {
        case SQLITE_INTEGER: v->type = STORE_INT; v->i = sqlite3_column_int64(st, k); break;
        case SQLITE_FLOAT: v->type = STORE_REAL; v->d = sqlite3_column_double(st, k); break;
        case SQLITE_NULL: v->type = STORE_NULL; break;
        default:
            v->type = STORE_TEXT;
            v->text = (const char *)sqlite3_column_text(st, k);
            v->len = (size_t)sqlite3_column_bytes(st, k);
        }
    }
    if (cur->near_order)
        it->distance = sqlite3_column_double(st, 2 + cur->col->ncolumns);
    *item = it;
    return 1;
}

void store_cursor_close(store_cursor *cur)
{
    if (!cur)
        return;
    sqlite3_reset(cur->st);
    free(cur);
}

vk_err store_items_each(store_conn *c, const store_collection *col, const store_items_query *q,
                        store_item_fn fn, void *arg, vk_errinfo *ei)
{
    store_cursor *cur = NULL;
    vk_err e = store_cursor_open(c, col, q, &cur, ei);
    if (e)
        return e;
    const store_item *it;
    int rc;
    while ((rc = store_cursor_next(cur, &it, ei)) == 1)
        if (fn(arg, it))
            break;
    store_cursor_close(cur);
    return rc < 0 ? VK_EDB : VK_OK;
}

/* PRAGMA data_version changes when another connection commits; our own
 * commits show in total_changes. Either means the cached extent is stale. */
void store_data_stamp(store_conn *c, long long *version, long long *changes)
{
    sqlite3_stmt *st = NULL;
    *version = -1;
    if (sqlite3_prepare_v2(c->db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    *changes = sqlite3_total_changes64(c->db);
}

/* A collection made per request (a survey's layer) is a slice of a table
 * whose R*Tree holds every slice: one pass over its own rows is cheaper
 * than joining that R*Tree to them, and gives the times too. */
static vk_err extent_of_rows(store_conn *c, const store_collection *col, vk_buf *b,
                             double bbox[4], char t0[32], char t1[32], int *found,
                             vk_errinfo *ei)
{
    const char *g = col->geom_sql, *t = col->time_sql ? col->time_sql : "NULL";
    vk_buf_printf(b, "SELECT min(MbrMinX(%s)), min(MbrMinY(%s)), max(MbrMaxX(%s)), "
                     "max(MbrMaxY(%s)), min(%s), max(%s) FROM %s",
                  g, g, g, g, t, t, col->from);
    sqlite3_stmt *st = prepare(c, b, ei);
    vk_buf_fini(b);
    if (!st)
        return VK_EDB;
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    for (int i = 0; *found && i < 4; i++)
        bbox[i] = sqlite3_column_double(st, i);
    t0[0] = t1[0] = '\0';
    if (*found && sqlite3_column_type(st, 4) != SQLITE_NULL) {
        snprintf(t0, 32, "%s", (const char *)sqlite3_column_text(st, 4));
        snprintf(t1, 32, "%s", (const char *)sqlite3_column_text(st, 5));
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VK_OK : store_db_fail(c, ei, "collection extent");
}

vk_err store_items_extent(store_conn *c, const store_collection *col, double bbox[4],
                          char t0[32], char t1[32], int *found, vk_errinfo *ei)
{
    store_extent *x = cache_of(c, col);
    long long version, changes;
    store_data_stamp(c, &version, &changes);
    if (x && x->valid && x->data_version == version && x->changes == changes) {
        memcpy(bbox, x->bbox, sizeof x->bbox);
        memcpy(t0, x->t0, 32);
        memcpy(t1, x->t1, 32);
        *found = x->found;
        return VK_OK;
    }
    vk_buf b;
    vk_buf_init(&b, 4096);
    if (!x)
        return extent_of_rows(c, col, &b, bbox, t0, t1, found, ei);
    vk_buf_printf(&b, "SELECT min(xmin), min(ymin), max(xmax), max(ymax) FROM %s", col->rtree);
    sqlite3_stmt *st = prepare(c, &b, ei);
    vk_buf_reset(&b);
    if (!st) {
        vk_buf_fini(&b);
        return VK_EDB;
    }
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    for (int i = 0; *found && i < 4; i++)
        bbox[i] = sqlite3_column_double(st, i);
    sqlite3_reset(st);
    t0[0] = t1[0] = '\0';
    if (rc == SQLITE_ROW && *found && col->time_sql) {
        vk_buf_printf(&b, "SELECT min(%s), max(%s) FROM %s", col->time_sql, col->time_sql, col->from);
        st = prepare(c, &b, ei);
        if (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            snprintf(t0, 32, "%s", sqlite3_column_type(st, 0) == SQLITE_NULL ? "" : (const char *)sqlite3_column_text(st, 0));
            snprintf(t1, 32, "%s", sqlite3_column_type(st, 1) == SQLITE_NULL ? "" : (const char *)sqlite3_column_text(st, 1));
        }
        if (st)
            sqlite3_reset(st);
    }
    vk_buf_fini(&b);
    if (rc != SQLITE_ROW)
        return store_db_fail(c, ei, "collection extent");
    if (x) {
        x->valid = 1;
        x->found = *found;
        x->data_version = version;
        x->changes = changes;
        memcpy(x->bbox, bbox, sizeof x->bbox);
        memcpy(x->t0, t0, 32);
        memcpy(x->t1, t1, 32);
    }
    return VK_OK;
}
