/*
 * route.h — the route table's row and the matcher. The one table is put
 * together by the composition root (cli/routes.c) from each feature's list
 * of routes; nothing routes anywhere else.
 *
 * Patterns are literal segments, "{name}" for one segment captured into
 * req->args, and a final "**" for the rest of the path (static files).
 */
#ifndef VK_ROUTE_H
#define VK_ROUTE_H

#include "db/ctx.h"
#include "http/request.h"

typedef vk_err (*vk_handler)(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

typedef struct vk_route {
    unsigned methods; /* vk_method bits; GET implies HEAD */
    const char *pattern;
    vk_handler handler;
    int access;       /* who may call it: 0 is anyone, unchecked; any other level
                       * is the access hook's to check (auth/roles.h vk_access) */
    int rate_limited; /* a public write: counts against the client's bucket;
                       * 2: unless it carries X-Walk-Code, which the handler
                       * must then check (media/photo.h, photo uploads) */
    int expensive;    /* always runs on the expensive-request threads (exports);
                       * others only with a filter or a big page (http/limits.h) */
} vk_route;

/* The table: rows in the order they are tried. */
typedef struct vk_route_table {
    const vk_route *routes;
    int count;
} vk_route_table;

/* Methods on several rows of the lists below. */
#define VK_ANY_GET (VK_GET | VK_HEAD)

/* A feature header lists its routes as NAME_ROUTES(R), one row
 *   R(methods, pattern, handler, access, rate_limited, expensive)
 * each, and declares its handlers with NAME_ROUTES(VK_ROUTE_HANDLER);
 * cli/routes.c joins the lists into the table. access is a vk_access
 * without its VK_ACCESS_ prefix (PUBLIC, STAFF, MODERATOR, ...). */
#define VK_ROUTE_HANDLER(methods, pattern, handler, access, rate_limited, expensive) \
    vk_err handler(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

typedef enum { VK_ROUTE_FOUND, VK_ROUTE_NOT_FOUND, VK_ROUTE_BAD_METHOD } vk_route_result;

/* Find the route for method and path. On VK_ROUTE_FOUND *route is set and
 * req->args/nargs hold the captured segments (copied into req->arena). On
 * VK_ROUTE_BAD_METHOD *allowed holds the methods the path does accept. */
vk_route_result vk_route_match(const vk_route_table *table, vk_method method, const char *path,
                               vk_req *req, const vk_route **route, unsigned *allowed);

/* The path as it may be logged: secret segments replaced by "[redacted]":
 * the segment after any "followup" segment (in any case, past extra
 * slashes) and any segment shaped like a token (43 base64url characters,
 * or 64 hex digits). Caller frees with free(); NULL without memory. */
char *vk_route_log_path(const char *path);
/* The length of a follow-up token (feedback.h API_FOLLOWUP_TOKEN_LEN; the
 * route table asserts they agree). */
#define VK_ROUTE_SECRET_LEN 43

/* "GET, HEAD, POST" for a set of methods, into buf of size n. */
void vk_route_allow_header(unsigned methods, char *buf, size_t n);

#endif
