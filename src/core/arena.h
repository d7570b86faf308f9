/*
 * arena.h — a memory pool per request (h2o's habit).
 *
 * Everything a request allocates while it is handled comes from its arena
 * and is released at once when the request completes. Allocations are
 * never freed one by one. The arena struct is caller-owned
 * (vk_arena_init/vk_arena_fini); its chunks are owned by the arena.
 */
#ifndef VK_ARENA_H
#define VK_ARENA_H

#include <stddef.h>

typedef struct vk_arena_chunk vk_arena_chunk;

typedef struct vk_arena {
    vk_arena_chunk *head; /* owned list of chunks, newest first */
    size_t used;          /* bytes used in head */
    size_t total;         /* bytes allocated in all chunks */
    size_t max;           /* cap on total; 0 = none */
} vk_arena;

void vk_arena_init(vk_arena *a, size_t max);
/* Release every chunk. */
void vk_arena_fini(vk_arena *a);
/* Release all but the first chunk and start over (for reuse). */
void vk_arena_reset(vk_arena *a);

/* Aligned to max_align_t. Returns NULL when out of memory or over the cap.
 * Borrowed until vk_arena_fini/vk_arena_reset. */
void *vk_arena_alloc(vk_arena *a, size_t n);
/* A NUL-terminated copy of n bytes of s. */
char *vk_arena_strndup(vk_arena *a, const char *s, size_t n);
char *vk_arena_strdup(vk_arena *a, const char *s);

#endif
