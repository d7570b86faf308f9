/*
 * api.h — the routes of the gazetteer (docs/places.md, "HTTP API"):
 * searching a place by name or address, and the address nearest to a
 * position. Public reads, under the server's load limits as other public
 * reads are.
 */
#ifndef VK_PLACES_API_H
#define VK_PLACES_API_H

#include "http/route.h"

#define PLACES_ROUTES(R)                                                             \
    R(VK_ANY_GET, "/api/v1/geocode", api_geocode, PUBLIC, 0, 0)                      \
    R(VK_ANY_GET, "/api/v1/reverse", api_reverse, PUBLIC, 0, 0)
PLACES_ROUTES(VK_ROUTE_HANDLER)

#endif
