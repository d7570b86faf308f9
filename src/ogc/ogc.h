/*
 * ogc.h — OGC API - Features handlers.
 */
#ifndef VK_OGC_OGC_H
#define VK_OGC_OGC_H

#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"

/* Routes (http/route.h). Replace, update and delete of an item are for
 * moderators (feedback only; edit.h). */
#define OGC_ROUTES(R)                                                                        \
    R(VK_ANY_GET, "/ogcapi", ogc_landing, PUBLIC, 0, 0)                                      \
    R(VK_ANY_GET, "/ogcapi/", ogc_landing, PUBLIC, 0, 0)                                     \
    R(VK_ANY_GET, "/ogcapi/conformance", ogc_conformance, PUBLIC, 0, 0)                      \
    R(VK_ANY_GET, "/ogcapi/api", ogc_api, PUBLIC, 0, 0)                                      \
    R(VK_ANY_GET, "/ogcapi/collections", ogc_collections, PUBLIC, 0, 0)                      \
    R(VK_ANY_GET, "/ogcapi/collections/{collectionId}", ogc_collection, PUBLIC, 0, 0)        \
    R(VK_ANY_GET, "/ogcapi/collections/{collectionId}/queryables", ogc_queryables, PUBLIC,   \
      0, 0)                                                                                  \
    R(VK_ANY_GET, "/ogcapi/collections/{collectionId}/schema", ogc_schema, PUBLIC, 0, 0)     \
    R(VK_ANY_GET, "/ogcapi/collections/{collectionId}/items", ogc_items, PUBLIC, 0, 0)       \
    R(VK_POST, "/ogcapi/collections/{collectionId}/items", ogc_items_create, PUBLIC, 1, 0)   \
    R(VK_ANY_GET, "/ogcapi/collections/{collectionId}/items/{featureId}", ogc_item, PUBLIC,  \
      0, 0)                                                                                  \
    R(VK_PUT | VK_PATCH | VK_DELETE, "/ogcapi/collections/{collectionId}/items/{featureId}", \
      ogc_item_staff, MODERATOR, 0, 0)
OGC_ROUTES(VK_ROUTE_HANDLER)

/* The OpenAPI 3.0 document (docs/openapi.json, compiled in). */
extern const char api_openapi_json[];

#endif
