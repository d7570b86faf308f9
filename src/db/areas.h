/*
 * areas.h — the municipality boundary, the districts and the accessibility
 * areas as stored. They sit in db/ rather than reference/ because every
 * worker context (db/ctx.c) holds the boundary and districts in GEOS to
 * place items; reference/ loads them (seed, load-geo) through these calls.
 */
#ifndef VK_DB_AREAS_H
#define VK_DB_AREAS_H

#include "db/store.h"

typedef enum { STORE_AREA_DISTRICT, STORE_AREA_ACCESSIBILITY } store_area_kind;

typedef struct store_area {
    int64_t id;
    const char *code;
    const char *name[3]; /* fi, sv, en */
    const char *level;   /* accessibility areas only */
    const unsigned char *wkb;
    size_t wkb_len;
} store_area;

typedef int (*store_area_fn)(void *arg, const store_area *area);

vk_err store_boundary_put(store_conn *c, const store_area *m, vk_errinfo *ei);
/* Call fn with the boundary (its pointers valid during the call only);
 * *found 0 when none is loaded. Readers never keep a statement open: an
 * open one would pin an old snapshot of the database. */
vk_err store_boundary_with(store_conn *c, store_area_fn fn, void *arg, int *found, vk_errinfo *ei);
/* The boundary's envelope (minlon, minlat, maxlon, maxlat); *found 0 if
 * no boundary is loaded. */
vk_err store_boundary_extent(store_conn *c, double bbox[4], int *found, vk_errinfo *ei);
vk_err store_area_put(store_conn *c, store_area_kind kind, const store_area *a, vk_errinfo *ei);
vk_err store_area_each(store_conn *c, store_area_kind kind, store_area_fn fn, void *arg,
                       vk_errinfo *ei);

#endif
