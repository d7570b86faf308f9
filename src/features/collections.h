/*
 * collections.h — the feature collections served through OGC API -
 * Features and the exports, as one table. Adding a collection (walk
 * findings, survey answers…) is one entry here plus its SQL in
 * collections.c; the handlers, paging, CRS, filters and exports are shared.
 *
 * Only public columns are listed: nothing else can be selected through a
 * collection, so contact details can never reach its output.
 */
#ifndef VK_COLLECTIONS_H
#define VK_COLLECTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "features/cql2_sql.h"
#include "db/store.h"

typedef struct store_column {
    const char *name;                /* public property name; also the queryable */
    const char *sql;                 /* SQL expression over the collection's FROM */
    cql2_qtype type;
    const char *title;
    const char *const *enum_values;  /* NULL-terminated, or NULL */
    int json;                        /* the text is a JSON value: GeoJSON writes it as is */
} store_column;

typedef struct store_collection {
    const char *id;
    const char *title;
    const char *description;
    const char *geometry_type;       /* GeoJSON type name, or "Geometry" when mixed */
    const char *from;                /* FROM clause, aliases as the columns use them */
    const char *id_sql;              /* the feature id expression */
    int id_is_text;                  /* ids are text codes, not integers */
    const char *rowid_sql;           /* integer key that the R*Tree's pkid refers to */
    const char *geom_sql;            /* SpatiaLite geometry expression */
    const char *rtree;               /* R*Tree table name (idx_<table>_geom) */
    const char *time_sql;            /* RFC 3339 text column for `datetime`, or NULL */
    const store_column *columns;
    int ncolumns;
    int writable;                    /* anonymous POST creates items (feedback) */
    /* Rows the public may see (e.g. "f.hidden = 0"), NULL = all; and the
     * FROM + WHERE of the few it may not, driven by a partial index, so a
     * box count from the R*Tree can subtract them cheaply. */
    const char *public_sql;
    const char *nonpublic_from;
    /* 0, or a layer of one geometry type out of a mixed table: 1 points,
     * 2 lines, 3 areas, as store_items_query.geometry_dim (for clients
     * that want one type per layer, e.g. feedback-points). */
    int geometry_dim;
} store_collection;

extern const store_collection store_collections[];
extern const int store_collections_count;

/* The collection with this id, or NULL. */
const store_collection *store_collection_find(const char *id);

/* One value of an item's property, borrowed from SQLite until the next row. */
typedef struct store_value {
    enum { STORE_NULL, STORE_INT, STORE_REAL, STORE_TEXT } type;
    int64_t i;
    double d;
    const char *text;
    size_t len;             /* STORE_TEXT: its bytes (without the NUL) */
} store_value;

typedef struct store_item {
    const char *id_text;    /* id_is_text collections */
    int64_t id;             /* integer ids */
    const unsigned char *wkb;
    size_t wkb_len;
    store_value *values;    /* one per column, in the collection's order */
    double distance;        /* metres from the near point (near_order only) */
} store_item;

/* What to select. Everything here is optional. */
typedef struct store_items_query {
    int has_bbox;
    double bbox[4];           /* storage lon/lat: minlon, minlat, maxlon, maxlat */
    const char *time_start;   /* inclusive RFC 3339 text, NULL = open */
    const char *time_end;     /* inclusive, NULL = open */
    const char *where;        /* compiled CQL2 / property filters, or NULL */
    const cql2_params *params;/* the where clause's parameters (numbered from
                               * STORE_ITEMS_FIRST_PARAM) */
    int64_t limit;            /* < 0 = no limit (exports) */
    int64_t offset;
    const char *id_text;      /* one item by id (text ids) */
    int64_t id;               /* one item by id; 0 = all */
    int64_t after;            /* keyset paging: only ids above this (integer
                               * ids); offset is then not applied */
    int has_near;             /* only items within near[2] metres of the point */
    double near[3];           /* lon, lat, metres (ellipsoidal distance) */
    int include_nonpublic;    /* staff views: hidden and withdrawn items too */
    int near_order;           /* with has_near: nearest first, item->distance set */
    int nonpublic_only;       /* with include_nonpublic: only the items the
                               * public may not see, found through the
                               * collection's partial index (nonpublic_from) */
    const char *order_sql;    /* ORDER BY these (SQL over the columns' own
                               * expressions, from sortby), then id; NULL =
                               * id order. Pages then go by offset. */
    int geometry_dim;         /* 0 any; 1 points, 2 lines, 3 areas (their
                               * ST_Dimension + 1): a layer per geometry
                               * type out of a mixed collection */
    const char *ids_json;     /* only these items (a JSON array of integer
                              * ids: the page the count grid chose), in id
                              * order; every other condition still applies */
    int inbox_answered;       /* staff_view: 1 unanswered only, 2 answered only
                               * (also a condition on the inbox index's first
                               * column, so its walk starts there); 0 either */
    int inbox_none;           /* staff_view: the filter has district=none or
                               * unit=none: not the inbox index's walk */
    int some_columns;         /* 1: only the columns in `columns` are read
                               * (bit i = col->columns[i]); the others come
                               * back as NULL (properties=) */
    uint64_t columns;
    int staff_view;           /* feedback only, the staff inbox: also select
                               * store_feedback_staff_columns (their values
                               * follow the collection's) and order unanswered
                               * first, then oldest created, then id; a bbox
                               * then filters without setting the order */
} store_items_query;

/* What the staff inbox shows beyond the public columns (visibility);
 * they are queryables of a staff_view query. */
extern const store_column store_feedback_staff_columns[];
extern const int store_feedback_staff_ncolumns;
/* Queryables of a staff_view query that are never shown: the raw columns
 * behind visibility, district, unit and assignee (hidden, district_id,
 * unit_id, assignee_id), so "hidden IN (0, 1)" and "district_id IS NULL"
 * reach their indexes. */
extern const store_column store_feedback_staff_filters[];
extern const int store_feedback_staff_nfilters;

/* Parameters ?1..?14 are the query's own; a where clause numbers from here. */
#define STORE_ITEMS_FIRST_PARAM 15

typedef int (*store_item_fn)(void *arg, const store_item *item);

/* 1 when the query's items come in R*Tree order (a bbox and no other
 * condition): pages are then by offset; otherwise they are in id order and
 * `after` applies. A bbox with a filter or datetime comes in id order, so
 * that the count grid can choose the same page from memory. */
int store_items_rtree_order(const store_items_query *q);

/* Count the matching items exactly. For a bbox alone this counts from the
 * R*Tree and checks only the entries that cross the box's edge. */
vk_err store_items_count(store_conn *c, const store_collection *col, const store_items_query *q,
                         int64_t *n, vk_errinfo *ei);
/* Call fn for each matching item in id order; stops when fn returns ≠ 0. */
vk_err store_items_each(store_conn *c, const store_collection *col, const store_items_query *q,
                        store_item_fn fn, void *arg, vk_errinfo *ei);
/* A pull-style reader over the same query, for streaming responses and
 * exports. The cursor holds a statement of its connection: nothing else
 * may use that connection until it is closed. */
typedef struct store_cursor store_cursor;
/* Caller closes with store_cursor_close(). */
vk_err store_cursor_open(store_conn *c, const store_collection *col, const store_items_query *q,
                         store_cursor **out, vk_errinfo *ei);
/* 1 with *item filled (borrowed until the next call), 0 at the end, or an
 * error code < 0 reported through ei as VK_EDB. */
int store_cursor_next(store_cursor *cur, const store_item **item, vk_errinfo *ei);
void store_cursor_close(store_cursor *cur);

/* The collection's spatial extent (lon/lat) and first/last times; *found
 * 0 for an empty collection. t0/t1 borrowed until the next call on c. */
/* A stamp of the data as this connection sees it: PRAGMA data_version
 * (changes when another connection commits) and this connection's own
 * total changes. Equal stamps from the same connection: nothing changed
 * in between. *version is -1 when it cannot be read. */
void store_data_stamp(store_conn *c, long long *version, long long *changes);

vk_err store_items_extent(store_conn *c, const store_collection *col, double bbox[4],
                          char t0[32], char t1[32], int *found, vk_errinfo *ei);

#endif
