/*
 * registry.h — the collections the features add to OGC API - Features
 * beside the table of collections.h (today: the aggregates of stats/).
 *
 * A feature registers its collections at start-up (from cli/, before the
 * server starts; and from tests), and ogc/ serves whatever is registered,
 * without knowing the feature. The registry is filled once and then only
 * read, by every worker thread: like the configuration, it is frozen
 * before serving starts, so it needs no lock.
 */
#ifndef VK_FEATURES_REGISTRY_H
#define VK_FEATURES_REGISTRY_H

#include "core/buf.h"
#include "db/ctx.h"
#include "features/collections.h"
#include "http/request.h"

#define VK_REGISTRY_MAX 32

typedef struct vk_collection_entry vk_collection_entry;
struct vk_collection_entry {
    const char *id, *title, *description;
    /* GET …/items (feature NULL; self_path the page's path) or
     * …/items/{feature} (self_path NULL). */
    vk_err (*items)(vk_ctx *ctx, const vk_req *req, vk_resp *resp,
                    const vk_collection_entry *col, const char *feature, const char *self_path);
    /* The queryables' "properties" object, {"geometry":{…},"name":{…}…}. */
    void (*describe)(const vk_collection_entry *col, vk_buf *b);
    const void *data; /* the feature's own, borrowed for the process */
};

/* Add col (borrowed for the process; ids are unique; adding the same entry
 * again changes nothing). VK_EVALUE when the registry is full or the id is
 * another entry's. */
vk_err vk_registry_add(const vk_collection_entry *col, vk_errinfo *ei);
/* The registered collections, in the order they were added. */
int vk_registry_count(void);
const vk_collection_entry *vk_registry_at(int i);
/* The registered collection with this id, or NULL. */
const vk_collection_entry *vk_registry_find(const char *id);

/* Collections that come and go while serving (a survey's map questions):
 * a provider, registered at start-up like the entries above, lists and
 * finds them per request from the database, as store_collections served
 * by the same items, queryables, CRS and CQL2 code as the table's. It
 * decides who sees what: a collection the caller may not see is absent
 * (not listed, not found). The collections it gives live in req->arena. */
#define VK_REGISTRY_MAX_PROVIDERS 8

typedef int (*vk_collection_fn)(void *arg, const store_collection *col);

typedef struct vk_collection_provider {
    const char *prefix; /* every id it gives starts with this ("survey-") */
    /* Call fn with each collection req may see; stop when fn returns ≠ 0. */
    vk_err (*each)(vk_ctx *ctx, const vk_req *req, vk_collection_fn fn, void *arg);
    /* The collection with id if req may see it; else *out is NULL. */
    vk_err (*find)(vk_ctx *ctx, const vk_req *req, const char *id, const store_collection **out);
} vk_collection_provider;

/* Add p (borrowed for the process; adding it again changes nothing). */
vk_err vk_registry_add_provider(const vk_collection_provider *p, vk_errinfo *ei);
/* Every provider's collections that req may see, in provider order. */
vk_err vk_registry_each_provided(vk_ctx *ctx, const vk_req *req, vk_collection_fn fn, void *arg);
/* The provided collection with this id that req may see; *out NULL if none. */
vk_err vk_registry_find_provided(vk_ctx *ctx, const vk_req *req, const char *id,
                                 const store_collection **out);

/* Collections with items code of their own (as the entries above) that
 * come and go while serving (a survey's published results): a provider
 * lists and finds entries per request; they live in req->arena. Like
 * vk_collection_provider, a collection the caller may not see is absent. */
typedef int (*vk_entry_fn)(void *arg, const vk_collection_entry *col);

typedef struct vk_entry_provider {
    const char *prefix; /* every id it gives starts with this */
    vk_err (*each)(vk_ctx *ctx, const vk_req *req, vk_entry_fn fn, void *arg);
    vk_err (*find)(vk_ctx *ctx, const vk_req *req, const char *id,
                   const vk_collection_entry **out);
} vk_entry_provider;

/* Add p (borrowed for the process; adding it again changes nothing). */
vk_err vk_registry_add_entry_provider(const vk_entry_provider *p, vk_errinfo *ei);
/* Every entry provider's collections that req may see. */
vk_err vk_registry_each_entry(vk_ctx *ctx, const vk_req *req, vk_entry_fn fn, void *arg);
/* The entry with this id: a registered one, else a provided one req may
 * see; *out NULL if none. */
vk_err vk_registry_find_entry(vk_ctx *ctx, const vk_req *req, const char *id,
                              const vk_collection_entry **out);

#endif
