/*
 * route.h — the one route table: method, path pattern, handler and who may
 * call it. Nothing routes anywhere else.
 *
 * Patterns are literal segments, "{name}" for one segment captured into
 * req->args, and a final "**" for the rest of the path (static files).
 */
#ifndef VK_ROUTE_H
#define VK_ROUTE_H

#include "db/ctx.h"
#include "http/request.h"

typedef vk_err (*vk_handler)(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

/* Who may call a route. Staff levels need a session cookie or an API
 * token (401 without, 403 with a role not listed); admin may do anything. */
typedef enum {
    VK_ACCESS_PUBLIC,    /* anyone, no credentials looked at */
    VK_ACCESS_STAFF,     /* any staff role */
    VK_ACCESS_MODERATOR, /* moderator, admin: handles feedback */
    VK_ACCESS_PLANNER,   /* planner, admin: surveys and exports */
    VK_ACCESS_COUNCIL,   /* council, admin: accessibility-council reviews */
    VK_ACCESS_ADMIN,     /* admin only */
} vk_access;

/* 1 when a caller with role may use a route with this access level. */
int vk_access_allows(vk_access access, vk_role role);
const char *vk_access_name(vk_access access);

typedef struct vk_route {
    unsigned methods; /* vk_method bits; GET implies HEAD */
    const char *pattern;
    vk_handler handler;
    vk_access access;
    int rate_limited; /* a public write: counts against the client's bucket */
    int expensive;    /* always runs on the expensive-request threads (exports);
                       * others only with a filter or a big page (http/limits.h) */
} vk_route;

typedef enum { VK_ROUTE_FOUND, VK_ROUTE_NOT_FOUND, VK_ROUTE_BAD_METHOD } vk_route_result;

/* Find the route for method and path. On VK_ROUTE_FOUND *route is set and
 * req->args/nargs hold the captured segments (copied into req->arena). On
 * VK_ROUTE_BAD_METHOD *allowed holds the methods the path does accept. */
vk_route_result vk_route_match(vk_method method, const char *path, vk_req *req,
                               const vk_route **route, unsigned *allowed);

/* The path as it may be logged: secret segments replaced by "[redacted]":
 * the segment after any "followup" segment (in any case, past extra
 * slashes) and any segment shaped like a token (43 base64url characters,
 * or 64 hex digits). Caller frees with free(); NULL without memory. */
char *vk_route_log_path(const char *path);

/* "GET, HEAD, POST" for a set of methods, into buf of size n. */
void vk_route_allow_header(unsigned methods, char *buf, size_t n);

/* The table itself, for tests and the OpenAPI document. */
extern const vk_route vk_routes[];
extern const int vk_routes_count;

#endif
