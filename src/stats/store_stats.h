/*
 * stats.h — what aggregate statistics read from the database: the change
 * log of schema 0007 (its newest seq and time are the aggregates' ETag and
 * Last-Modified) and the public fields of public items. No statement here
 * reads a description or a contact detail.
 */
#ifndef VK_STORE_STATS_H
#define VK_STORE_STATS_H

#include <stdint.h>

#include "db/store.h"

/* One item as aggregates see it; strings borrowed until the next row. */
typedef struct store_stats_row {
    int64_t seq;         /* the change-log row (0 in a full read) */
    int64_t id;          /* 0: the log row names no item (reference data changed) */
    int present;         /* 0: the item is gone or not public (hidden ≠ 0) */
    const char *created, *first_answered, *closed; /* RFC 3339; the last two may be NULL */
    const char *status, *category;
    int64_t district_id, unit_id, area_id; /* 0 = none */
    double lon, lat;     /* representative point */
} store_stats_row;

typedef int (*store_stats_row_fn)(void *arg, const store_stats_row *row);


/* The newest change (seq 0 when none) and its time (at: "" when none);
 * *pending the log rows after `since`, *reference those of them that name
 * no item. */
vk_err store_stats_stamp(store_conn *c, int64_t since, int64_t *seq, char at[32],
                         int64_t *pending, int64_t *reference, vk_errinfo *ei);
/* Every public item (full = 1), or every change-log row after `since` with
 * its item's state now (full = 0), oldest first. Stops when fn ≠ 0. */
vk_err store_stats_rows(store_conn *c, int full, int64_t since, store_stats_row_fn fn, void *arg,
                        vk_errinfo *ei);
/* The ids of the public items whose geometry intersects the lon/lat box,
 * exactly as the items API's bbox selects them. */
vk_err store_stats_bbox_ids(store_conn *c, const double bbox[4], void (*fn)(void *arg, int64_t id),
                            void *arg, vk_errinfo *ei);

#endif
