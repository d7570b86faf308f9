/* ctx.c — worker contexts and their pool. */
#include "db/ctx.h"

#include <pthread.h>
#include <stdlib.h>

/* The boundary and districts a context loads into GEOS are reference
 * data: this include breaks the layer rule until that loading moves to
 * reference/ (a hook the composition root gives the pool). */
#include "db/areas.h"

static int add_district(void *arg, const store_area *a)
{
    vk_ctx *ctx = arg;
    return gis_add_district(ctx->gis, a->id, a->wkb, a->wkb_len, &ctx->err) != VK_OK;
}

static int set_boundary(void *arg, const store_area *m)
{
    vk_ctx *ctx = arg;
    return gis_set_boundary(ctx->gis, m->wkb, m->wkb_len, &ctx->err) != VK_OK;
}

vk_err vk_ctx_reload_areas(vk_ctx *ctx, vk_errinfo *ei)
{
    gis_ctx *fresh = NULL;
    vk_err e = gis_ctx_new(&fresh);
    if (e)
        return vk_fail(ei, e, "", "cannot start GEOS");
    gis_ctx *old = ctx->gis;
    ctx->gis = fresh;
    int found = 0;
    vk_errinfo_clear(&ctx->err);
    e = store_boundary_with(ctx->store, set_boundary, ctx, &found, ei);
    if (!e && ctx->err.code)
        e = vk_fail(ei, ctx->err.code, "", "the boundary in the database is unusable: %s",
                    ctx->err.message);
    if (!e && found)
        e = store_boundary_extent(ctx->store, ctx->bounds, &ctx->has_bounds, ei);
    vk_errinfo_clear(&ctx->err);
    if (!e)
        e = store_area_each(ctx->store, STORE_AREA_DISTRICT, add_district, ctx, ei);
    if (!e && ctx->err.code)
        e = vk_fail(ei, ctx->err.code, "", "a district in the database is unusable: %s",
                    ctx->err.message);
    if (e) {
        gis_ctx_free(fresh);
        ctx->gis = old;
        return e;
    }
    gis_ctx_free(old);
    return VK_OK;
}

vk_err vk_ctx_new(vk_ctx **out, const vk_config *cfg, store_conn *store, vk_errinfo *ei)
{
    vk_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        store_close(store);
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    ctx->cfg = cfg;
    ctx->store = store;
    vk_err e = gis_proj_new(&ctx->proj);
    if (e) {
        vk_ctx_free(ctx);
        return vk_fail(ei, e, "", "cannot start PROJ");
    }
    e = vk_ctx_reload_areas(ctx, ei);
    if (e) {
        vk_ctx_free(ctx);
        return e;
    }
    *out = ctx;
    return VK_OK;
}

void vk_ctx_free(vk_ctx *ctx)
{
    if (!ctx)
        return;
    gis_ctx_free(ctx->gis);
    gis_proj_free(ctx->proj);
    store_close(ctx->store);
    free(ctx);
}

vk_err vk_ctx_open(vk_ctx **out, const vk_config *cfg, vk_errinfo *ei)
{
    store_conn *s = NULL;
    vk_err e = store_open_worker(&s, cfg->db_path, ei);
    if (!e && cfg->mmap_mb && (e = store_mmap(s, (int64_t)cfg->mmap_mb << 20, ei)))
        store_close(s);
    return e ? e : vk_ctx_new(out, cfg, s, ei);
}

vk_err vk_ctx_queue_start(vk_queue **queue, vk_ctx **ctx, const vk_config *cfg,
                          const vk_queue_def *def, vk_errinfo *ei)
{
    vk_err e = vk_ctx_open(ctx, cfg, ei);
    if (!e && (e = vk_queue_start(queue, def, ei))) {
        vk_ctx_free(*ctx);
        *ctx = NULL;
    }
    return e;
}

void vk_ctx_queue_free(vk_queue *queue, vk_ctx *ctx)
{
    vk_queue_free(queue);
    vk_ctx_free(ctx);
}

struct vk_ctx_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    int n, nfree;
    vk_ctx **all;  /* owned */
    vk_ctx **idle; /* stack of the free ones */
};

vk_err vk_ctx_pool_new(vk_ctx_pool **out, const vk_config *cfg, int n, vk_errinfo *ei)
{
    vk_ctx_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->all = calloc((size_t)n, sizeof *p->all)) ||
        !(p->idle = calloc((size_t)n, sizeof *p->idle))) {
        if (p)
            free(p->all);
        free(p);
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    for (int i = 0; i < n; i++) {
        vk_err e = vk_ctx_open(&p->all[i], cfg, ei);
        if (e) {
            vk_ctx_pool_free(p);
            return e;
        }
        p->idle[p->nfree++] = p->all[i];
        p->n++;
    }
    *out = p;
    return VK_OK;
}

void vk_ctx_pool_free(vk_ctx_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++)
        vk_ctx_free(p->all[i]);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->lock);
    free(p->all);
    free(p->idle);
    free(p);
}

void vk_ctx_pool_set_writer(vk_ctx_pool *p, struct vk_writer *w)
{
    for (int i = 0; i < p->n; i++)
        p->all[i]->writer = w;
}

void vk_ctx_pool_set_stats(vk_ctx_pool *p, struct api_stats *s)
{
    for (int i = 0; i < p->n; i++)
        p->all[i]->stats = s;
}

void vk_ctx_pool_set_counts(vk_ctx_pool *p, struct count_grid *g)
{
    for (int i = 0; i < p->n; i++)
        p->all[i]->counts = g;
}

void vk_ctx_pool_set_tiles(vk_ctx_pool *p, struct tile_cache *c)
{
    for (int i = 0; i < p->n; i++)
        p->all[i]->tiles = c;
}

void vk_ctx_pool_set_exports(vk_ctx_pool *p, struct api_exports *x)
{
    for (int i = 0; i < p->n; i++)
        p->all[i]->exports = x;
}

vk_ctx *vk_ctx_pool_get(vk_ctx_pool *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->nfree == 0)
        pthread_cond_wait(&p->freed, &p->lock);
    vk_ctx *ctx = p->idle[--p->nfree];
    pthread_mutex_unlock(&p->lock);
    vk_errinfo_clear(&ctx->err);
    return ctx;
}

void vk_ctx_pool_put(vk_ctx_pool *p, vk_ctx *ctx)
{
    pthread_mutex_lock(&p->lock);
    p->idle[p->nfree++] = ctx;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

void vk_ctx_pool_set_signin(vk_ctx_pool *p, struct api_signin *q)
{
    for (int i = 0; i < p->n; i++)
        p->all[i]->signin = q;
}
