/*
 * items.h — reading item queries and writing features, shared by the OGC
 * API - Features handlers, the REST feedback list and the exports: one
 * query builder (store/collections.c), one feature writer.
 */
#ifndef VK_ITEMS_H
#define VK_ITEMS_H

#include "features/cql2.h"
#include "db/ctx.h"
#include "http/request.h"
#include "features/collections.h"
#include "http/params.h"

#define ITEMS_LIMIT_DEFAULT 100
#define ITEMS_LIMIT_MAX 10000

typedef struct api_items {
    const store_collection *col;
    store_items_query q;
    cql2_expr *filter;      /* AND of every condition asked for, or NULL */
    cql2_params params;     /* compiled filter values */
    gis_crs crs;            /* output CRS */
    char time_start[32], time_end[32];
    /* properties=: only these columns (indexes into col->columns) are
     * written; nprops < 0 = all. */
    int props[64];
    int nprops;
    /* With links_path ("/ogcapi/collections/{id}"), every feature written
     * links to itself and to its collection (title links_title). */
    const char *links_base, *links_path, *links_title;
} api_items;

void api_items_init(api_items *it, const store_collection *col);

/* filter ∧ e (either may be NULL). Arena memory. */
cql2_expr *api_items_and(vk_arena *a, cql2_expr *filter, cql2_expr *e);
/* l ∨ r (both required); property IS [NOT] NULL. Arena memory. */
cql2_expr *api_items_or(vk_arena *a, cql2_expr *l, cql2_expr *r);
cql2_expr *api_items_is_null(vk_arena *a, const char *property, int negated);
/* property = 'text' / property IN ('a','b',…) from a comma list. */
cql2_expr *api_items_eq_text(vk_arena *a, const char *property, const char *value);
cql2_expr *api_items_in_list(vk_arena *a, const char *property, const char *comma_list);
/* property op TIMESTAMP('ts'); ts normalised RFC 3339 UTC. */
cql2_expr *api_items_cmp_time(vk_arena *a, const char *property, cql2_op op,
                              const char *timestamp);
/* id IN (ids…) for integer-id collections (1..CQL2_MAX_LIST ids). */
cql2_expr *api_items_in_ids(vk_arena *a, const int64_t *ids, int n);

/* Only items within r metres (on the ellipsoid) of lon/lat: a box around
 * the circle for the R*Tree's rough cut, then the exact distance. */
void api_items_near(api_items *it, double lon, double lat, double r);

/* Compile it->filter (after transforming geometry literals from
 * filter_crs) into it->q.where with it->params. */
vk_err api_items_compile(vk_ctx *ctx, const vk_req *req, api_items *it, gis_crs filter_crs);

/* Read the item filters of the request into it: bbox (bbox-crs),
 * datetime, filter (filter-lang, filter-crs), crs, and each queryable by
 * name as a property filter (?category=lighting); with API_ITEMS_PAGING
 * also limit, offset and after, else every item (exports). Parameters
 * named in extra (NULL-terminated, or NULL) are let through for the
 * caller; any other is a 400 naming it. Compiles the filter. The one
 * parser of item filters: OGC API items and the exports use it. */
#define API_ITEMS_PAGING 1
#define API_ITEMS_CRS_WHY "unsupported CRS; use one of those listed in the collection's crs"
vk_err api_items_params(vk_ctx *ctx, const vk_req *req, api_items *it, int flags,
                        const char *const *extra);

/* Write one feature of the collection in it->crs (with the property
 * distance_m, whole metres, when it->q.near_order). */
vk_err api_item_write(vk_ctx *ctx, const api_items *it, const store_item *item, vk_buf *out);

/* One property value as JSON; a json column's text (checked by the
 * database) as it is. */
void api_item_value(vk_buf *b, const store_value *v, int json);

/* A feature's "links" member (with its leading comma): self
 * (path/items/id, id percent-encoded) and collection (path). */
void api_item_links(vk_buf *b, const char *base, const char *path, const char *title,
                    const char *id);

/* Write the first item the query finds as a Feature; *found 0 if none. */
vk_err api_items_write_one(vk_ctx *ctx, api_items *it, vk_buf *out, int *found);

/* Run the query and write a FeatureCollection with numberMatched,
 * numberReturned, timeStamp and self/next/prev links for self_path (links
 * repeat the request's parameters, offset replaced). */
vk_err api_items_write_collection(vk_ctx *ctx, const vk_req *req, api_items *it,
                                  const char *self_path, vk_resp *resp);

/* ---- collections with items code of their own (registry.h entries) ----
 * They read OGC API - Features' …/items parameters with the same rules as
 * the table's collections (limit clamped to ITEMS_LIMIT_MAX, bbox and
 * bbox-crs with boxes across the antimeridian, crs, f, properties, paging
 * links, links on every feature); a parameter one cannot honour is a 400
 * that says why, never ignored. */
#define API_ENTRY_BBOX 1u     /* its features have geometry to test a bbox against */
#define API_ENTRY_MAX_PROPS 32

typedef struct api_entry_query {
    long long limit, offset;
    gis_crs crs;
    int nboxes;          /* 0, 1, or 2 (across the antimeridian) */
    double boxes[2][4];  /* storage lon/lat */
    const char *props[API_ENTRY_MAX_PROPS];
    int nprops;          /* properties=; -1 = every property */
} api_entry_query;

/* Read …/items (single 0) or …/items/{id} (single 1) of collection col_id.
 * can: API_ENTRY_* it honours; extra: its own parameters besides (NULL-
 * terminated, or NULL); why: completes "datetime/filter/sortby: <col_id>
 * …" for what it cannot honour. */
vk_err api_entry_params(vk_ctx *ctx, const vk_req *req, const char *col_id, int single,
                        unsigned can, const char *const *extra, const char *why,
                        api_entry_query *out);
/* 1 when box (storage lon/lat) meets one of q's boxes, or q has none. */
int api_entry_box_meets(const api_entry_query *q, const double box[4]);
/* The feature just written into b from offset start: only q's properties
 * kept (a property asked for that the feature lacks is a 400: *unknown
 * names it), and its self and collection links added. */
vk_err api_entry_feature_done(vk_ctx *ctx, const vk_req *req, vk_buf *b, size_t start,
                              const api_entry_query *q, const char *col_id,
                              const char *col_title, const char *feature_id);
/* ,"numberMatched":…,"numberReturned":…,"timeStamp":…,"links":[self,
 * next, prev] for a page of written features (the request's parameters
 * repeated, offset and limit set anew). */
void api_entry_page_end(vk_buf *b, const vk_req *req, const char *self_path,
                        const api_entry_query *q, int64_t written, int64_t matched);

/* The start of absolute links: the configured public URL (--public-url, else
 * http://HOST:PORT of --listen), never the Host header. Borrowed, static. */
const char *api_base_url(const vk_req *req);

#endif
