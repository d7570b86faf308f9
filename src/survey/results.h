/*
 * results.h — the survey results engine (issue 12, docs/survey-results.md):
 * every figure of a survey's answers, narrowed by cross-filters, as one
 * JSON document.
 *
 * Why a snapshot: a GROUP BY per figure over 10 000 responses and 50 000
 * features costs tens of milliseconds each; instead the survey's answers
 * are read once into columns in memory (a row per response, a row per
 * drawn feature, each answer parsed once into choice indices or numbers,
 * feature points projected once to EPSG:3067) and every figure is a loop
 * over them. The snapshot is kept per survey, shared by the worker
 * threads, and rebuilt when its stamp (responses, drafts, published
 * version) moves: results_stamp reads it with two indexed lookups.
 *
 * Counting rule, for the public side (k-anonymity): in the output every
 * member named "n" is a number of distinct respondents, and every other
 * number (a share, mean, median, Borda score, feature count, amount) is
 * computed from the respondents counted by the "n" of the same object.
 * Suppress an object whose n is below k and its other numbers go with it.
 */
#ifndef VK_SURVEY_RESULTS_H
#define VK_SURVEY_RESULTS_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"
#include "survey/definition.h"

#define RESULTS_MAX_CONDS 16     /* questions in one filter */
#define RESULTS_MAX_VALUES 32    /* values of one question in a filter */
#define RESULTS_MAX_DISTRICTS 64 /* districts in one filter */
#define RESULTS_HEX_MIN 50.0     /* hexagon size (metres, cell² = area) */
#define RESULTS_HEX_MAX 5000.0
#define RESULTS_HEX_DEFAULT 250.0
#define RESULTS_TEXTS_DEFAULT 100 /* free-text answers listed per question */
#define RESULTS_TEXTS_MAX 1000

/* One question of a cross-filter: the respondent's answer to it is any of
 * values (choice or place keys; "other"; "skip"), or, for scale and
 * number, lies in lo..hi (inclusive). Strings borrowed. */
typedef struct results_cond {
    const char *question;
    int nvalues;
    const char *values[RESULTS_MAX_VALUES];
    int has_range;
    double lo, hi;
} results_cond;

/* Which responses count. Conditions AND together, values of one OR.
 * districts: the respondent placed a feature of a map question (or a
 * geobudget item) in one of them, and map figures count only the
 * features in them. from/to: submission dates, inclusive, "" open. */
typedef struct results_filter {
    int nconds;
    results_cond conds[RESULTS_MAX_CONDS];
    int ndistricts;
    const char *districts[RESULTS_MAX_DISTRICTS]; /* district codes */
    char from[11], to[11];                          /* "YYYY-MM-DD" or "" */
} results_filter;

void results_filter_init(results_filter *f);

/* Read the query parameters filter, district, from and to (each may be
 * NULL) against def: filter is "q:v1|v2,q2:lo..hi" (docs/survey-results.md).
 * Unknown questions, values, districts (ctx's store) or dates are
 * VK_EPARAM naming the parameter in ei->field. Strings live in a. */
vk_err results_filter_parse(vk_ctx *ctx, const survey_def *def, const char *filter,
                            const char *district, const char *from, const char *to,
                            vk_arena *a, results_filter *out, vk_errinfo *ei);

/* The moderation state of one free-text answer ("pending", "approved",
 * "rejected", …; NULL: none yet). feature is the drawn feature's index
 * for a follow-up, else -1; followup the follow-up's key or NULL. */
typedef const char *(*results_text_state_fn)(void *ud, const char *response_uuid,
                                             const char *question, long feature,
                                             const char *followup);

typedef struct results_opts {
    const char *question; /* only this question (and its follow-ups); NULL: all */
    double hex_size;      /* metres; 0: no hexagon grids in the output */
    int texts;            /* free-text answers listed per question, at most */
    int staff;            /* 1: texts carry their response's uuid */
    results_text_state_fn text_state; /* NULL: "moderation": null */
    void *text_state_ud;
} results_opts;

/* question NULL, hex_size RESULTS_HEX_DEFAULT, texts RESULTS_TEXTS_DEFAULT,
 * staff 1, no text_state. */
void results_opts_init(results_opts *o);

/* The results of survey survey_id, whose newest published version is def
 * (labels, choices and budget come from it; keys are stable across
 * versions, definition.h), as the JSON of GET
 * /api/v1/staff/surveys/{slug}/results. o->question not in def is
 * VK_EPARAM (field "question"). *out is new: json_decref it. */
vk_err survey_results_compute(vk_ctx *ctx, int64_t survey_id, const survey_def *def,
                              const results_filter *f, const results_opts *o, json_t **out,
                              vk_errinfo *ei);

/* The hexagon grid of one map question (or geobudget) as a GeoJSON
 * FeatureCollection in EPSG:4326: a Polygon per cell with at least one
 * feature, properties {q, r, features, n}, plus members size and
 * question. question not a map question is VK_EPARAM ("question"). */
vk_err survey_results_hex(vk_ctx *ctx, int64_t survey_id, const survey_def *def,
                          const results_filter *f, const char *question, double size,
                          json_t **out, vk_errinfo *ei);

/* What the results of survey_id reflect, as text for an ETag: changes
 * whenever a response or draft is added or removed or a version is
 * published. out holds at least 64 bytes. */
vk_err results_stamp(vk_ctx *ctx, int64_t survey_id, char out[64], vk_errinfo *ei);

/* ---- the staff routes (results_api.c); the CSV and GeoPackage are
 * exchange/survey_results_export.h's ---- */

#define SURVEY_RESULTS_ROUTES(R)                                                             \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}/results", api_survey_results, STAFF, 0, 0)    \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}/results/hex.geojson", api_survey_results_hex, \
      STAFF, 0, 0)
SURVEY_RESULTS_ROUTES(VK_ROUTE_HANDLER)

/* A staff results request, read. */
typedef struct results_request {
    int64_t survey_id;
    const char *slug;       /* the path's, borrowed */
    const survey_def *def;  /* the newest published version (survey/cache.h) */
    results_filter filter;  /* strings in the request's arena */
    results_opts opts;      /* question, size, texts from the query */
    char stamp[64];         /* results_stamp */
} results_request;

/* The published survey of the path's {slug}, the filter parameters and
 * the options: VK_EFORBIDDEN for a moderator (results are for planners,
 * the council and admins), VK_ENOT_FOUND for a survey never published,
 * VK_EUNKNOWN_PARAM for a parameter not in allowed (NULL-terminated),
 * VK_EPARAM naming a bad one. */
vk_err results_request_read(vk_ctx *ctx, const vk_req *req, const char *const *allowed,
                            results_request *out);
/* ETag from the stamp and the query, Cache-Control; 1 when the client's
 * copy is current (resp is then 304 with no body). */
int results_not_modified(const vk_req *req, vk_resp *resp, const char *stamp);

/* Forget every snapshot (tests that open several databases in one
 * process). */
void results_cache_clear(void);

#endif
