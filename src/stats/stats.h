/*
 * stats.h — the public aggregates of issue 6 over HTTP: grouped counts,
 * response times, the choropleth of districts and accessibility areas
 * (also as OGC API collections) and the hexagon density grid. Every
 * answer carries ETag and Last-Modified from the change log (schema 0007)
 * and is 304 to a matching conditional request. The figures come from
 * the snapshot of stats_index.h: public items only, no text, no contacts.
 */
#ifndef VK_STATS_H
#define VK_STATS_H

#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"

/* Routes (http/route.h): public; unit-level figures need staff credentials
 * (the server identifies a caller who sends them, server.h). */
#define STATS_ROUTES(R)                                                                       \
    R(VK_ANY_GET, "/api/v1/stats/feedback", api_stats_feedback, PUBLIC, 0, 0)                 \
    R(VK_ANY_GET, "/api/v1/stats/response-times", api_stats_response_times, PUBLIC, 0, 0)     \
    R(VK_ANY_GET, "/api/v1/stats/choropleth", api_stats_choropleth, PUBLIC, 0, 0)             \
    R(VK_ANY_GET, "/api/v1/stats/density", api_stats_density, PUBLIC, 0, 0)
STATS_ROUTES(VK_ROUTE_HANDLER)

/* ---- the aggregate OGC API collections ---- */

typedef struct api_stats_collection {
    const char *id, *title, *description;
    int accessibility; /* 0 districts, 1 accessibility areas */
} api_stats_collection;

extern const api_stats_collection api_stats_collections[];
extern const int api_stats_collections_count;

/* The aggregate collection with this id, or NULL. */
const api_stats_collection *api_stats_collection_find(const char *id);
/* …/items (feature NULL; limit, offset, crs, f and the time, category and
 * status filters) or …/items/{feature} of an aggregate collection. */
vk_err api_stats_ogc_items(vk_ctx *ctx, const vk_req *req, vk_resp *resp,
                           const api_stats_collection *col, const char *feature,
                           const char *self_path);
/* Register the aggregate collections with features/registry.h (at
 * start-up, before serving), so that OGC API serves them. */
vk_err api_stats_register_collections(vk_errinfo *ei);

#endif
