/* cache.c — encoded tiles by key, with the version they are good at (cache.h). */
#include "tiles/cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 16384 /* a power of two */

typedef struct tile_slot {
    char key[TILE_CACHE_KEY_MAX];
    int z;
    uint32_t x, y;
    int64_t version;
    char etag[TILE_CACHE_ETAG_MAX];
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

static size_t slot_of(const char *key, int z, uint32_t x, uint32_t y)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    h = (h ^ (uint64_t)z) * 1099511628211ull;
    h = (h ^ x) * 0x9E3779B97F4A7C15ull;
    h = (h ^ y) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 32) & (CACHE_SLOTS - 1);
}

static int same(const tile_slot *s, const char *key, int z, uint32_t x, uint32_t y)
{
    return s->data && s->z == z && s->x == x && s->y == y && strcmp(s->key, key) == 0;
}

int tile_cache_get(tile_cache *c, const char *key, int z, uint32_t x, uint32_t y,
                   int64_t *version, char etag[TILE_CACHE_ETAG_MAX], vk_buf *out)
{
    if (!c)
        return 0;
    int hit = 0;
    pthread_mutex_lock(&c->lock);
    tile_slot *s = &c->slot[slot_of(key, z, x, y)];
    if (same(s, key, z, x, y) && (hit = vk_buf_add(out, s->data, s->n) == 0)) {
        *version = s->version;
        memcpy(etag, s->etag, TILE_CACHE_ETAG_MAX);
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void tile_cache_renew(tile_cache *c, const char *key, int z, uint32_t x, uint32_t y,
                      int64_t from, int64_t to)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    tile_slot *s = &c->slot[slot_of(key, z, x, y)];
    if (same(s, key, z, x, y) && s->version == from)
        s->version = to;
    pthread_mutex_unlock(&c->lock);
}

void tile_cache_put(tile_cache *c, const char *key, int z, uint32_t x, uint32_t y,
                    int64_t version, const char *etag, const void *data, size_t n)
{
    if (!c || strlen(key) >= TILE_CACHE_KEY_MAX || strlen(etag) >= TILE_CACHE_ETAG_MAX || n == 0 ||
        n > c->max_bytes / 64)
        return;
    unsigned char *copy = malloc(n);
    if (!copy)
        return;
    memcpy(copy, data, n);
    pthread_mutex_lock(&c->lock);
    tile_slot *s = &c->slot[slot_of(key, z, x, y)];
    size_t freed = s->data ? s->n : 0;
    if (c->bytes - freed + n > c->max_bytes) {
        pthread_mutex_unlock(&c->lock);
        free(copy);
        return;
    }
    unsigned char *old = s->data;
    c->bytes = c->bytes - freed + n;
    strcpy(s->key, key);
    s->z = z;
    s->x = x;
    s->y = y;
    s->version = version;
    strcpy(s->etag, etag);
    s->data = copy;
    s->n = n;
    pthread_mutex_unlock(&c->lock);
    free(old);
}
