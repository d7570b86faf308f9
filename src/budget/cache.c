/* cache.c — rounds parsed once per revision (see cache.h). */
#include "budget/cache.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "budget/sql.h"

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static budget_cached *entries; /* the current entry of each round */

static void entry_free(budget_cached *e)
{
    if (!e)
        return;
    free(e->doc);
    budget_round_fini(&e->r);
    budget_projects_fini(&e->p);
    free(e);
}

/* Read and parse the round, outside the lock. */
static vk_err load(store_conn *c, int64_t id, int64_t rev, const char *created,
                   budget_cached **out, vk_errinfo *ei)
{
    budget_cached *e = calloc(1, sizeof *e);
    if (!e)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    e->round_id = id;
    e->rev = rev;
    snprintf(e->created, sizeof e->created, "%s", created);
    int found = 0;
    vk_err err = db_scan(c, &budget_sql, SQL_ROUND_DOC, DB_ARGS(DB_INT(id)),
                         DB_OUTS(DB_DUP_TO(&e->doc)), &found, "reading a round", ei);
    json_t *doc = !err && found ? json_loads(e->doc, 0, NULL) : NULL;
    if (!err && !doc)
        err = vk_fail(ei, VK_EINTERNAL, "", "a stored round is not JSON");
    if (!err && budget_round_parse(NULL, doc, &e->r, ei) != VK_OK)
        err = vk_fail(ei, VK_EINTERNAL, "", "a stored round does not pass its check");
    json_decref(doc);
    if (!err)
        err = budget_projects_load(c, id, &e->p, ei);
    if (err) {
        entry_free(e);
        return err;
    }
    *out = e;
    return VK_OK;
}

static budget_cached *find(int64_t id, int64_t rev, const char *created)
{
    for (budget_cached *e = entries; e; e = e->next)
        if (e->round_id == id && e->rev == rev && !strcmp(e->created, created))
            return e;
    return NULL;
}

/* Take e out of the current entries (under the lock); freed now when
 * nobody uses it, else by its last budget_cache_put. */
static void retire(budget_cached *e)
{
    for (budget_cached **p = &entries; *p; p = &(*p)->next)
        if (*p == e) {
            *p = e->next;
            break;
        }
    e->current = 0;
    e->next = NULL;
    if (e->refs == 0)
        entry_free(e);
}

vk_err budget_cache_get(store_conn *c, const char *slug, budget_stamp *stamp,
                        const budget_cached **out, vk_errinfo *ei)
{
    *out = NULL;
    memset(stamp, 0, sizeof *stamp);
    int64_t id = 0, rev = 0;
    char created[VK_RFC3339_LEN] = "";
    int found = 0;
    vk_err e = db_scan(c, &budget_sql, SQL_ROUND_STAMP, DB_ARGS(DB_TEXT(slug)),
                       DB_OUTS(DB_I64_TO(&id), DB_I64_TO(&rev), DB_COPY_TO(created, sizeof created),
                               DB_INT_TO(&stamp->published),
                               DB_COPY_TO(stamp->by_hand, sizeof stamp->by_hand)),
                       &found, "reading a round", ei);
    if (e || !found)
        return e;
    pthread_mutex_lock(&cache_lock);
    budget_cached *hit = find(id, rev, created);
    if (hit)
        hit->refs++;
    pthread_mutex_unlock(&cache_lock);
    if (hit) {
        *out = hit;
        return VK_OK;
    }
    budget_cached *fresh = NULL;
    if ((e = load(c, id, rev, created, &fresh, ei)))
        return e;
    pthread_mutex_lock(&cache_lock);
    /* Another thread may have loaded it meanwhile: keep the first. */
    if ((hit = find(id, rev, created))) {
        hit->refs++;
        pthread_mutex_unlock(&cache_lock);
        entry_free(fresh);
        *out = hit;
        return VK_OK;
    }
    for (budget_cached *old = entries, *next; old; old = next) {
        next = old->next;
        if (old->round_id == id)
            retire(old); /* an older (or, racing, newer) revision: reloaded when asked */
    }
    fresh->refs = 1;
    fresh->current = 1;
    fresh->next = entries;
    entries = fresh;
    pthread_mutex_unlock(&cache_lock);
    *out = fresh;
    return VK_OK;
}

void budget_cache_put(const budget_cached *bc)
{
    if (!bc)
        return;
    budget_cached *e = (budget_cached *)bc;
    pthread_mutex_lock(&cache_lock);
    int gone = --e->refs == 0 && !e->current;
    pthread_mutex_unlock(&cache_lock);
    if (gone)
        entry_free(e);
}

void budget_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    for (budget_cached *e = entries, *next; e; e = next) {
        next = e->next;
        retire(e);
    }
    entries = NULL;
    pthread_mutex_unlock(&cache_lock);
}
