/*
 * cache.h — encoded map tiles kept in memory, keyed by (collection, z, x,
 * y) and the data version they were drawn from: a tile is served again
 * only while the version is the same, so a change to the data is never
 * hidden by the cache (docs/ogcapi.md "Tiles").
 *
 * One cache per server, shared by every worker (a mutex; the copy in or
 * out is the only work done under it). Direct-mapped: a tile replaces the
 * one in its slot; the total size is capped.
 */
#ifndef VK_TILES_CACHE_H
#define VK_TILES_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct tile_cache tile_cache;

/* At most max_bytes of tiles. Caller frees with tile_cache_free(). */
vk_err tile_cache_new(tile_cache **out, size_t max_bytes);
void tile_cache_free(tile_cache *c);

/* 1 and the tile appended to out when the cache holds it at version. */
int tile_cache_get(tile_cache *c, const char *collection, int z, uint32_t x, uint32_t y,
                   int64_t version, vk_buf *out);
/* Keep a copy of the tile (n bytes of data); silently nothing when it
 * does not fit. */
void tile_cache_put(tile_cache *c, const char *collection, int z, uint32_t x, uint32_t y,
                    int64_t version, const void *data, size_t n);

#endif
