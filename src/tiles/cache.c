/* cache.c — encoded tiles by key and data version (cache.h). */
#include "tiles/cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 16384 /* a power of two */
#define CACHE_ID_MAX 64

typedef struct tile_slot {
    char collection[CACHE_ID_MAX];
    int z;
    uint32_t x, y;
    int64_t version;
    unsigned char *data; /* NULL: empty */
    size_t n;
} tile_slot;

struct tile_cache {
    pthread_mutex_t lock;
    size_t max_bytes, bytes;
    tile_slot slot[CACHE_SLOTS];
};

vk_err tile_cache_new(tile_cache **out, size_t max_bytes)
{
    tile_cache *c = calloc(1, sizeof *c);
    if (!c)
        return VK_ENOMEM;
    pthread_mutex_init(&c->lock, NULL);
    c->max_bytes = max_bytes;
    *out = c;
    return VK_OK;
}

void tile_cache_free(tile_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < CACHE_SLOTS; i++)
        free(c->slot[i].data);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static size_t slot_of(const char *collection, int z, uint32_t x, uint32_t y)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)collection; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    h = (h ^ (uint64_t)z) * 1099511628211ull;
    h = (h ^ x) * 0x9E3779B97F4A7C15ull;
    h = (h ^ y) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 32) & (CACHE_SLOTS - 1);
}

static int same(const tile_slot *s, const char *collection, int z, uint32_t x, uint32_t y)
{
    return s->data && s->z == z && s->x == x && s->y == y && strcmp(s->collection, collection) == 0;
}

int tile_cache_get(tile_cache *c, const char *collection, int z, uint32_t x, uint32_t y,
                   int64_t version, vk_buf *out)
{
    if (!c)
        return 0;
    int hit = 0;
    pthread_mutex_lock(&c->lock);
    tile_slot *s = &c->slot[slot_of(collection, z, x, y)];
    if (same(s, collection, z, x, y) && s->version == version)
        hit = vk_buf_add(out, s->data, s->n) == 0;
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void tile_cache_put(tile_cache *c, const char *collection, int z, uint32_t x, uint32_t y,
                    int64_t version, const void *data, size_t n)
{
    if (!c || strlen(collection) >= CACHE_ID_MAX || n == 0 || n > c->max_bytes / 64)
        return;
    unsigned char *copy = malloc(n);
    if (!copy)
        return;
    memcpy(copy, data, n);
    pthread_mutex_lock(&c->lock);
    tile_slot *s = &c->slot[slot_of(collection, z, x, y)];
    size_t freed = s->data ? s->n : 0;
    if (c->bytes - freed + n > c->max_bytes) {
        pthread_mutex_unlock(&c->lock);
        free(copy);
        return;
    }
    unsigned char *old = s->data;
    c->bytes = c->bytes - freed + n;
    strcpy(s->collection, collection);
    s->z = z;
    s->x = x;
    s->y = y;
    s->version = version;
    s->data = copy;
    s->n = n;
    pthread_mutex_unlock(&c->lock);
    free(old);
}
