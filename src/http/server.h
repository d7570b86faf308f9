/*
 * server.h — libmicrohttpd glue: accepts connections, reads bodies up to
 * the cap, dispatches through the route table with a borrowed worker
 * context, sends the response and logs one line per request.
 *
 * The server knows no feature: the composition root (cli/) hands it the
 * route table, the access check and the features' shared state as hooks.
 */
#ifndef VK_SERVER_H
#define VK_SERVER_H

#include "core/config.h"
#include "core/err.h"
#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"

struct vk_writer_hook;

typedef struct http_server_hooks {
    const vk_route_table *routes; /* borrowed; tried in order */
    /* The caller of a route whose access level is not 0 (public), checked
     * against that level into *who; an error (401, 403, CSRF) with its
     * detail in ctx->err and any header on resp refuses the route. */
    vk_err (*require)(vk_ctx *ctx, const vk_req *req, int access, vk_resp *resp,
                      vk_staff *who);
    /* On a public read that came with credentials: 1 with *who when they
     * check out (the handler may show staff more), 0 to answer as for
     * anyone. Leaves ctx->err clear. */
    int (*identify)(vk_ctx *ctx, const vk_req *req, vk_staff *who);
    /* The features' state shared by the workers (statistics snapshot,
     * sign-in queue, exports), all optional, each given features:
     * start builds it and lends it to the contexts of both pools (the
     * connection threads' and the expensive-request threads'); warm runs
     * once on a thread of its own after start with a context of its own;
     * quiesce answers what waits before the connections close; stop frees
     * it once every context is gone. */
    void *features;
    vk_err (*start)(void *features, const vk_config *cfg, vk_ctx_pool *pool,
                    vk_ctx_pool *heavy_pool, vk_errinfo *ei);
    void (*warm)(void *features, vk_ctx *ctx);
    void (*quiesce)(void *features);
    void (*stop)(void *features);
    /* The writer's job kinds (db/writer.h); NULL for none. */
    const struct vk_writer_hook *writer_hook;
} http_server_hooks;

typedef struct http_server http_server;

/* Start listening on cfg->listen_host:cfg->port with cfg->threads
 * workers, each with its own context. hooks (and what it points to) are
 * borrowed until http_server_stop. Caller stops with http_server_stop. */
vk_err http_server_start(http_server **out, const vk_config *cfg,
                         const http_server_hooks *hooks, vk_errinfo *ei);
/* Stop accepting, let in-flight requests finish (up to grace_ms), close
 * every connection and context. */
void http_server_stop(http_server *s, int grace_ms);

#endif
