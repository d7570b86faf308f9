/*
 * open311.h — Open311 GeoReport v2 at /open311/v2 (its own error format).
 */
#ifndef VK_OPEN311_OPEN311_H
#define VK_OPEN311_OPEN311_H

#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"

/* The resources once with SUFFIX ".{format}" (json or xml) and once without
 * (JSON); errors come in the format asked for. */
#define OPEN311_ROUTES_AS(R, SUFFIX)                                                          \
    R(VK_ANY_GET, "/open311/v2/discovery" SUFFIX, open311_discovery, PUBLIC, 0, 0)            \
    R(VK_ANY_GET, "/open311/v2/services" SUFFIX, open311_services, PUBLIC, 0, 0)              \
    R(VK_ANY_GET, "/open311/v2/services/{service_code}" SUFFIX, open311_service, PUBLIC, 0,   \
      0)                                                                                      \
    R(VK_ANY_GET, "/open311/v2/requests" SUFFIX, open311_requests, PUBLIC, 0, 0)              \
    R(VK_POST, "/open311/v2/requests" SUFFIX, open311_requests_create, PUBLIC, 1, 0)          \
    R(VK_ANY_GET, "/open311/v2/requests/{service_request_id}" SUFFIX, open311_request,        \
      PUBLIC, 0, 0)                                                                           \
    R(VK_ANY_GET, "/open311/v2/tokens/{token}" SUFFIX, open311_token, PUBLIC, 0, 0)
/* Routes (http/route.h): Open311 GeoReport v2. */
#define OPEN311_ROUTES(R) OPEN311_ROUTES_AS(R, ".{format}") OPEN311_ROUTES_AS(R, "")
OPEN311_ROUTES(VK_ROUTE_HANDLER)


#endif
