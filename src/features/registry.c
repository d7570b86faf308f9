/* registry.c — the collections the features registered (registry.h). */
#include "features/registry.h"

#include <string.h>

/* Written only at start-up, before any thread reads it (registry.h). */
static const vk_collection_entry *entries[VK_REGISTRY_MAX];
static int nentries;

vk_err vk_registry_add(const vk_collection_entry *col, vk_errinfo *ei)
{
    const vk_collection_entry *had = vk_registry_find(col->id);
    if (had == col)
        return VK_OK; /* registered again (tests set up more than once) */
    if (had)
        return vk_fail(ei, VK_EVALUE, "collection", "collection %s is registered twice",
                       col->id);
    if (nentries == VK_REGISTRY_MAX)
        return vk_fail(ei, VK_EVALUE, "collection", "more than %d registered collections",
                       VK_REGISTRY_MAX);
    entries[nentries++] = col;
    return VK_OK;
}

int vk_registry_count(void)
{
    return nentries;
}

const vk_collection_entry *vk_registry_at(int i)
{
    return i >= 0 && i < nentries ? entries[i] : NULL;
}

const vk_collection_entry *vk_registry_find(const char *id)
{
    for (int i = 0; id && i < nentries; i++)
        if (strcmp(entries[i]->id, id) == 0)
            return entries[i];
    return NULL;
}

static const vk_collection_provider *providers[VK_REGISTRY_MAX_PROVIDERS];
static int nproviders;

vk_err vk_registry_add_provider(const vk_collection_provider *p, vk_errinfo *ei)
{
    for (int i = 0; i < nproviders; i++)
        if (providers[i] == p)
            return VK_OK;
    if (nproviders == VK_REGISTRY_MAX_PROVIDERS)
        return vk_fail(ei, VK_EVALUE, "collection", "more than %d collection providers",
                       VK_REGISTRY_MAX_PROVIDERS);
    providers[nproviders++] = p;
    return VK_OK;
}

vk_err vk_registry_each_provided(vk_ctx *ctx, const vk_req *req, vk_collection_fn fn, void *arg)
{
    for (int i = 0; i < nproviders; i++) {
        vk_err e = providers[i]->each(ctx, req, fn, arg);
        if (e)
            return e;
    }
    return VK_OK;
}

vk_err vk_registry_find_provided(vk_ctx *ctx, const vk_req *req, const char *id,
                                 const store_collection **out)
{
    *out = NULL;
    for (int i = 0; id && i < nproviders; i++) {
        const char *prefix = providers[i]->prefix;
        if (strncmp(id, prefix, strlen(prefix)) == 0)
            return providers[i]->find(ctx, req, id, out);
    }
    return VK_OK;
}

static const vk_entry_provider *entry_providers[VK_REGISTRY_MAX_PROVIDERS];
static int nentry_providers;

vk_err vk_registry_add_entry_provider(const vk_entry_provider *p, vk_errinfo *ei)
{
    for (int i = 0; i < nentry_providers; i++)
        if (entry_providers[i] == p)
            return VK_OK;
    if (nentry_providers == VK_REGISTRY_MAX_PROVIDERS)
        return vk_fail(ei, VK_EVALUE, "collection", "more than %d entry providers",
                       VK_REGISTRY_MAX_PROVIDERS);
    entry_providers[nentry_providers++] = p;
    return VK_OK;
}

vk_err vk_registry_each_entry(vk_ctx *ctx, const vk_req *req, vk_entry_fn fn, void *arg)
{
    for (int i = 0; i < nentry_providers; i++) {
        vk_err e = entry_providers[i]->each(ctx, req, fn, arg);
        if (e)
            return e;
    }
    return VK_OK;
}

vk_err vk_registry_find_entry(vk_ctx *ctx, const vk_req *req, const char *id,
                              const vk_collection_entry **out)
{
    *out = vk_registry_find(id);
    for (int i = 0; id && !*out && i < nentry_providers; i++) {
        const char *prefix = entry_providers[i]->prefix;
        if (strncmp(id, prefix, strlen(prefix)) == 0) {
            vk_err e = entry_providers[i]->find(ctx, req, id, out);
            if (e)
                return e;
        }
    }
    return VK_OK;
}
