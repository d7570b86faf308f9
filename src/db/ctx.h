/*
 * ctx.h — the worker context and the pool of them.
 *
 * A vk_ctx is everything one request needs that is not thread-safe: its
 * own SQLite connection with prepared statements, its own GEOS handle with
 * the boundary and districts prepared, and the error detail of the request
 * in progress. A request borrows one from the pool for its whole handling
 * and gives it back; the server's pool has one per connection thread and
 * one for the statistics warmer, and the expensive-request threads have a
 * pool of their own (http/limits.h), so borrowing only waits when
 * something else (e.g. shutdown) holds one.
 */
#ifndef VK_CTX_H
#define VK_CTX_H

#include "core/config.h"
#include "core/queue.h"
#include "gis/crs.h"
#include "gis/gis.h"
#include "db/store.h"
#include "core/err.h"

typedef struct vk_ctx {
    const vk_config *cfg; /* borrowed, frozen */
    store_conn *store;    /* owned */
    gis_ctx *gis;         /* owned */
    gis_proj *proj;       /* owned: PROJ context and transformations */
    vk_errinfo err;       /* detail of the current request's error */
    struct vk_writer *writer; /* borrowed: the server's writer, NULL in tools */
    struct api_stats *stats;  /* borrowed: the server's statistics snapshot, NULL in tools */
    struct count_grid *counts; /* borrowed: the server's item counts (features/count_grid.h),
                                * NULL in tools: counts then come from SQL */
    struct tile_cache *tiles;  /* borrowed: the server's map tiles (tiles/cache.h), NULL in
                                * tools: tiles are then drawn every time */
    struct api_exports *exports; /* borrowed: the server's shared exports, NULL in tools */
    struct api_signin *signin; /* borrowed: the server's sign-in queue, NULL in tools */
    double bounds[4];     /* the municipality's envelope, for the client */
    int has_bounds;
    unsigned char idem_secret[32]; /* keys the address hash of Idempotency-Keys, */
    int idem_secret_loaded;        /* read from the database at first use */
} vk_ctx;

/* A context over an already opened store (takes ownership of store): loads
 * the boundary and districts into a new gis context. Caller frees with
 * vk_ctx_free(). */
vk_err vk_ctx_new(vk_ctx **out, const vk_config *cfg, store_conn *store, vk_errinfo *ei);
/* A context over a connection of its own to the already migrated
 * cfg->db_path (a worker's: the pool's, the writer's, the sign-in's). */
vk_err vk_ctx_open(vk_ctx **out, const vk_config *cfg, vk_errinfo *ei);
void vk_ctx_free(vk_ctx *ctx);
/* A queue (core/queue.h) whose thread works with a context of its own (the
 * writer's, the sign-in's): the context on cfg into *ctx, then the queue
 * started from def into *queue; on failure neither is left. Free both
 * with vk_ctx_queue_free(). */
vk_err vk_ctx_queue_start(vk_queue **queue, vk_ctx **ctx, const vk_config *cfg,
                          const vk_queue_def *def, vk_errinfo *ei);
/* Free the queue (it runs what was queued first), then the context. */
void vk_ctx_queue_free(vk_queue *queue, vk_ctx *ctx);
/* Reload boundary and districts from the store (after load-geo). */
vk_err vk_ctx_reload_areas(vk_ctx *ctx, vk_errinfo *ei);

typedef struct vk_ctx_pool vk_ctx_pool;

/* n worker contexts, each with its own connection to cfg->db_path.
 * Caller frees with vk_ctx_pool_free() after every context is returned. */
vk_err vk_ctx_pool_new(vk_ctx_pool **out, const vk_config *cfg, int n, vk_errinfo *ei);
void vk_ctx_pool_free(vk_ctx_pool *p);
/* Give every context the server's writer (borrowed). */
void vk_ctx_pool_set_writer(vk_ctx_pool *p, struct vk_writer *w);
/* Give every context the server's statistics snapshot (borrowed). */
void vk_ctx_pool_set_stats(vk_ctx_pool *p, struct api_stats *s);
/* Give every context the server's item counts (borrowed). */
void vk_ctx_pool_set_counts(vk_ctx_pool *p, struct count_grid *g);
/* Give every context the server's tile cache (borrowed). */
void vk_ctx_pool_set_tiles(vk_ctx_pool *p, struct tile_cache *c);
/* Give every context the server's shared exports (borrowed). */
void vk_ctx_pool_set_exports(vk_ctx_pool *p, struct api_exports *x);
/* Give every context the server's sign-in queue (borrowed). */
void vk_ctx_pool_set_signin(vk_ctx_pool *p, struct api_signin *q);
/* Borrow a context (waits if all are in use); give it back with put. */
vk_ctx *vk_ctx_pool_get(vk_ctx_pool *p);
void vk_ctx_pool_put(vk_ctx_pool *p, vk_ctx *ctx);

#endif
