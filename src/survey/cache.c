/* cache.c — published survey versions parsed once (see cache.h). */
#include "survey/cache.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "survey/store.h"

#define BUCKETS 64

struct survey_area_pool {
    pthread_mutex_t lock;
    gis_ctx **free;
    size_t n, cap;
};

static pthread_rwlock_t cache_lock = PTHREAD_RWLOCK_INITIALIZER;
static survey_cached *buckets[BUCKETS];

static size_t bucket_of(int64_t id, int64_t version)
{
    return (size_t)((uint64_t)id * 31u + (uint64_t)version) % BUCKETS;
}

static survey_cached *find(int64_t id, int64_t version)
{
    for (survey_cached *e = buckets[bucket_of(id, version)]; e; e = e->next)
        if (e->survey_id == id && e->version == version)
            return e;
    return NULL;
}

static void entry_free(survey_cached *e)
{
    if (!e)
        return;
    if (e->areas) {
        for (size_t i = 0; i < e->areas->n; i++)
            gis_ctx_free(e->areas->free[i]);
        free(e->areas->free);
        pthread_mutex_destroy(&e->areas->lock);
        free(e->areas);
    }
    survey_def_free(e->def);
    free(e->text);
    free(e);
}

/* Read and parse the version, outside the lock. */
static vk_err load(store_conn *c, gis_ctx *g, int64_t id, int64_t version, survey_cached **out,
                   vk_errinfo *ei)
{
    *out = NULL;
    char *text = NULL;
    int found = 0;
    vk_err e = survey_store_version_text(c, id, version, &text, &found, ei);
    if (e || !found)
        return e;
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    survey_cached *sc = calloc(1, sizeof *sc);
    if (sc)
        sc->areas = calloc(1, sizeof *sc->areas);
    if (!doc || !sc || !sc->areas) {
        json_decref(doc);
        free(text);
        if (sc)
            free(sc->areas);
        free(sc);
        return vk_fail(ei, doc ? VK_ENOMEM : VK_EINTERNAL, "",
                       doc ? NULL : "a stored survey version is not JSON");
    }
    pthread_mutex_init(&sc->areas->lock, NULL);
    sc->survey_id = id;
    sc->version = version;
    sc->text = text;
    sc->text_len = strlen(text);
    e = survey_def_parse(g, doc, &sc->def, ei);
    json_decref(doc);
    if (e) {
        entry_free(sc);
        return e;
    }
    *out = sc;
    return VK_OK;
}

vk_err survey_cache_get(store_conn *c, gis_ctx *g, int64_t survey_id, int64_t version,
                        const survey_cached **out, vk_errinfo *ei)
{
    pthread_rwlock_rdlock(&cache_lock);
    survey_cached *e = find(survey_id, version);
    pthread_rwlock_unlock(&cache_lock);
    if (e) {
        *out = e;
        return VK_OK;
    }
    survey_cached *fresh = NULL;
    vk_err err = load(c, g, survey_id, version, &fresh, ei);
    *out = NULL;
    if (err || !fresh)
        return err;
    pthread_rwlock_wrlock(&cache_lock);
    e = find(survey_id, version);
    if (!e) {
        size_t b = bucket_of(survey_id, version);
        fresh->next = buckets[b];
        buckets[b] = fresh;
        e = fresh;
        fresh = NULL;
    }
    pthread_rwlock_unlock(&cache_lock);
    entry_free(fresh); /* another thread was first */
    *out = e;
    return VK_OK;
}

vk_err survey_cached_area_take(const survey_cached *sc, gis_ctx **out, vk_errinfo *ei)
{
    *out = NULL;
    if (!sc->def->area_wkb)
        return VK_OK;
    struct survey_area_pool *p = sc->areas;
    pthread_mutex_lock(&p->lock);
    if (p->n)
        *out = p->free[--p->n];
    pthread_mutex_unlock(&p->lock);
    return *out ? VK_OK : survey_def_area_ctx(sc->def, out, ei);
}

void survey_cached_area_give(const survey_cached *sc, gis_ctx *area)
{
    if (!area)
        return;
    struct survey_area_pool *p = sc->areas;
    pthread_mutex_lock(&p->lock);
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        gis_ctx **v = realloc(p->free, cap * sizeof *v);
        if (v) {
            p->free = v;
            p->cap = cap;
        }
    }
    if (p->n < p->cap) {
        p->free[p->n++] = area;
        area = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    gis_ctx_free(area); /* no room to keep it */
}

void survey_cache_clear(void)
{
    pthread_rwlock_wrlock(&cache_lock);
    for (size_t b = 0; b < BUCKETS; b++) {
        while (buckets[b]) {
            survey_cached *e = buckets[b];
            buckets[b] = e->next;
            entry_free(e);
        }
    }
    pthread_rwlock_unlock(&cache_lock);
}

int survey_snap_keep(const char *kept_stamp, const char *stamp, int64_t built_us, int64_t cost_us,
                     int64_t now_us)
{
    const char *cut = strchr(stamp, '_');
    size_t n = cut ? (size_t)(cut - stamp) + 1 : strlen(stamp) + 1;
    return strncmp(kept_stamp, stamp, n) == 0 && cost_us >= SURVEY_SNAP_SLOW_US &&
           now_us - built_us < SURVEY_SNAP_KEEP_US;
}
