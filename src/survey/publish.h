/*
 * publish.h — a survey's results for everyone, with privacy built in
 * (docs/survey-publish.md): the author's publication settings and "what
 * we did with your answers", the moderation of free text, the public
 * results (every figure a count of respondents checked by privacy.h), and
 * a respondent's own answers by the resume token they kept.
 *
 * The public figures come from a snapshot of the survey's answers held in
 * memory and made again when the survey changes (a response, a new
 * version, a setting or a moderation: the stamp); each answer of the
 * results route is kept beside it under its query, so a repeated request
 * is a copy (and a 304 when the ETag matches).
 */
#ifndef VK_SURVEY_PUBLISH_H
#define VK_SURVEY_PUBLISH_H

#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/store.h"
#include "http/route.h"
#include "survey/privacy.h"

#define PUBLISH_ROUTES(R)                                                                     \
    R(VK_ANY_GET, "/api/v1/surveys/{slug}/results", api_survey_results_public, PUBLIC, 0, 0)  \
    R(VK_ANY_GET, "/api/v1/surveys/{slug}/mine/{token}", api_survey_mine, PUBLIC, 0, 0)       \
    R(VK_ANY_GET, "/api/v1/surveys/{slug}/results/{question}.geojson", api_survey_results_geojson, \
      PUBLIC, 0, 0)
#define PUBLISH_STAFF_ROUTES(R)                                                               \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}/publication", api_staff_survey_publication,   \
      STAFF, 0, 0)                                                                            \
    R(VK_PUT, "/api/v1/staff/surveys/{slug}/publication", api_staff_survey_publication_put,   \
      PLANNER, 0, 0)                                                                          \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}/texts", api_staff_survey_texts, STAFF, 0, 0)  \
    R(VK_PUT, "/api/v1/staff/surveys/{slug}/texts/{id}", api_staff_survey_text_put, PLANNER,  \
      0, 0)
PUBLISH_ROUTES(VK_ROUTE_HANDLER)
/* The public map figures as OGC API collections (publish_ogc.c), before
 * serving starts. */
vk_err survey_publish_register(vk_errinfo *ei);
PUBLISH_STAFF_ROUTES(VK_ROUTE_HANDLER)

/* The "what_we_did" member of the public definition (with its leading
 * comma) into b when the author wrote any, and the publication's revision
 * (for the definition's ETag) into *revision; nothing when unset. now
 * decides whether the results are out. */
vk_err survey_publish_landing(store_conn *c, int64_t survey_id, const char *now, vk_buf *b,
                              int64_t *revision, vk_errinfo *ei);

/* One area of a map question's public figures without conditions (the
 * view of GET …/results): a district or a hexagon, and its count of
 * respondents with the state privacy.h gave it. */
typedef struct pub_area {
    int64_t district_id;     /* a district; 0 for a hexagon */
    const char *code, *name; /* its code and name {"fi","sv","en"} (JSON) */
    int32_t q, r;            /* a hexagon: its axial coordinates … */
    double lon, lat;         /* … and its centre */
    priv_cell cell;
} pub_area;

typedef struct pub_map {
    const char *slug, *question, *type; /* type: map-point, map-line, … */
    const char *title;       /* "survey title: question text" (Finnish) */
    int k, hex_size;
    const char *etag;        /* names the survey's stamp */
    pub_area *districts;     /* every district */
    int ndistricts;
    pub_area *hexagons;      /* the cells the public results list */
    int nhexagons;
} pub_map;

/* The public figures of map question `question` of the survey at slug,
 * the very cells GET /api/v1/surveys/{slug}/results shows, copied into
 * arena a. VK_ENOT_FOUND (field slug or question) when the survey's
 * results are not out or it has no such map question. */
vk_err survey_publish_map(vk_ctx *ctx, vk_arena *a, const char *slug, const char *question,
                          pub_map *out, vk_errinfo *ei);

/* fn with each map question (its survey's slug, its key, "survey title:
 * question text") of every survey whose results are out now; it stops
 * when fn returns ≠ 0. The strings last for the call only. */
typedef int (*pub_map_fn)(void *arg, const char *slug, const char *question, const char *title);
vk_err survey_publish_maps_each(vk_ctx *ctx, pub_map_fn fn, void *arg, vk_errinfo *ei);

/* Forget the snapshots and cached answers (tests with several databases). */
void survey_publish_cache_clear(void);

#endif
