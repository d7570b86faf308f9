/* arena.c — chunked bump allocator. */
#include "core/arena.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define ARENA_CHUNK 16384

struct vk_arena_chunk {
    vk_arena_chunk *next;
    size_t size;
    alignas(max_align_t) unsigned char mem[];
};

void vk_arena_init(vk_arena *a, size_t max)
{
    a->head = NULL;
    a->used = 0;
    a->total = 0;
    a->max = max;
}

void vk_arena_fini(vk_arena *a)
{
    vk_arena_chunk *c = a->head;
    while (c) {
        vk_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = a->total = 0;
}

void vk_arena_reset(vk_arena *a)
{
    if (!a->head)
        return;
    vk_arena_chunk *last = a->head;
    while (last->next) {
        vk_arena_chunk *prev = last;
        last = last->next;
        free(prev);
    }
    a->head = last;
    a->used = 0;
    a->total = last->size;
}

void *vk_arena_alloc(vk_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + align - 1) & ~(align - 1);
    if (!a->head || a->head->size - a->used < n) {
        size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        if (a->max && a->total + size > a->max)
            return NULL;
        vk_arena_chunk *c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->size = size;
        c->next = a->head;
        a->head = c;
        a->used = 0;
        a->total += size;
    }
    void *p = a->head->mem + a->used;
    a->used += n;
    return p;
}

char *vk_arena_strndup(vk_arena *a, const char *s, size_t n)
{
    char *p = vk_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *vk_arena_strdup(vk_arena *a, const char *s) { return vk_arena_strndup(a, s, strlen(s)); }
