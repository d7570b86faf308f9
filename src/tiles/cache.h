/*
 * cache.h — encoded map tiles kept in memory, keyed by (key, z, x, y),
 * where the key names the collection and the request's filters, with the
 * data version they are known good at and their ETag (docs/ogcapi.md
 * "Tiles").
 *
 * The cache does not decide whether a tile is still good: the caller asks
 * the count grid whether a change since the tile's version touched it
 * (count_grid_changed), then either renews the tile at the newer version
 * or draws it anew. The ETag is the hash of the bytes, so it changes
 * exactly when they do.
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

#define TILE_CACHE_KEY_MAX 200 /* longer keys (long filter lists) are not cached */
#define TILE_CACHE_ETAG_MAX 48

typedef struct tile_cache tile_cache;

/* At most max_bytes of tiles. Caller frees with tile_cache_free(). */
vk_err tile_cache_new(tile_cache **out, size_t max_bytes);
void tile_cache_free(tile_cache *c);

/* 1 when the cache holds the tile: its bytes appended to out, the
 * version it is known good at in *version and its ETag copied to etag. */
int tile_cache_get(tile_cache *c, const char *key, int z, uint32_t x, uint32_t y,
                   int64_t *version, char etag[TILE_CACHE_ETAG_MAX], vk_buf *out);
/* The tile held at version `from` is known good at `to` too (nothing
 * when the slot holds something else by now). */
void tile_cache_renew(tile_cache *c, const char *key, int z, uint32_t x, uint32_t y,
                      int64_t from, int64_t to);
/* Keep a copy of the tile (n bytes of data) drawn at version, with its
 * ETag; silently nothing when it does not fit. */
void tile_cache_put(tile_cache *c, const char *key, int z, uint32_t x, uint32_t y,
                    int64_t version, const char *etag, const void *data, size_t n);

#endif
