/*
 * cache.h — published survey versions, parsed once per process.
 *
 * A published version never changes, so its parsed definition (and its
 * text, for answering GET /api/v1/surveys/{slug}) is kept for the life of
 * the process, keyed by (survey id, version), and shared by every worker
 * thread: answering a survey does not parse its definition again. A
 * version's GEOS context of the survey area may not be shared between
 * threads; each entry lends them out (take/give), making one more only
 * when every one is in use, so there are at most as many as requests
 * checking that version at once.
 */
#ifndef VK_SURVEY_CACHE_H
#define VK_SURVEY_CACHE_H

#include <stdint.h>

#include "db/store.h"
#include "survey/definition.h"

typedef struct survey_cached survey_cached;
struct survey_cached {
    int64_t survey_id, version;
    survey_def *def;  /* read-only, shared */
    char *text;       /* the definition as stored (compact JSON) */
    size_t text_len;
    /* private to cache.c: the free area contexts, the bucket's chain */
    struct survey_area_pool *areas;
    survey_cached *next;
};

/* The version of survey id, read and parsed at first use (g: any GEOS
 * context, for the parse). *out is NULL (and VK_OK) when the version does
 * not exist. The entry lives until survey_cache_clear. */
vk_err survey_cache_get(store_conn *c, gis_ctx *g, int64_t survey_id, int64_t version,
                        const survey_cached **out, vk_errinfo *ei);

/* A GEOS context of the version's survey area for this thread's check
 * (*out NULL when the survey has no area); give it back after. */
vk_err survey_cached_area_take(const survey_cached *sc, gis_ctx **out, vk_errinfo *ei);
void survey_cached_area_give(const survey_cached *sc, gis_ctx *area);

/* Forget every entry (tests that open several databases in one process;
 * nothing may be using one). */
void survey_cache_clear(void);

/* The snapshots of a survey's answers (the staff results, results_*.c,
 * and the public ones, publish_results.c) are made again when the survey
 * changes. One that took SURVEY_SNAP_SLOW_US or more to make is made
 * again at most every SURVEY_SNAP_KEEP_US while only responses (and
 * drafts) came: until then it is served, its ETag unchanged, so a large
 * survey taking answers is not counted anew after every answer. Any other
 * change is shown at once. stamp_keep: whether a snapshot made at
 * built_us in cost_us may stand in for the survey's state at now_us when
 * the stamps differ only after their '_' (the responses' part). */
#define SURVEY_SNAP_SLOW_US 250000
#define SURVEY_SNAP_KEEP_US 60000000
int survey_snap_keep(const char *kept_stamp, const char *stamp, int64_t built_us, int64_t cost_us,
                     int64_t now_us);

#endif
