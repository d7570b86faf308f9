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

#define ITEMS_LIMIT_DEFAULT 100
#define ITEMS_LIMIT_MAX 10000

typedef struct api_items {
    const store_collection *col;
    store_items_query q;
    cql2_expr *filter;      /* AND of every condition asked for, or NULL */
    cql2_params params;     /* compiled filter values */
    gis_crs crs;            /* output CRS */
    char time_start[32], time_end[32];
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

/* Write the first item the query finds as a Feature; *found 0 if none. */
vk_err api_items_write_one(vk_ctx *ctx, api_items *it, vk_buf *out, int *found);

/* Run the query and write a FeatureCollection with numberMatched,
 * numberReturned, timeStamp and self/next/prev links for self_path (links
 * repeat the request's parameters, offset replaced). */
vk_err api_items_write_collection(vk_ctx *ctx, const vk_req *req, api_items *it,
                                  const char *self_path, vk_resp *resp);

/* The start of absolute links: the configured public URL (--public-url, else
 * http://HOST:PORT of --listen), never the Host header. Borrowed, static. */
const char *api_base_url(const vk_req *req);

#endif
