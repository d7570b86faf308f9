/*
 * seed.h — plausible generated responses to a survey, for the demo data
 * (seeds/surveys/, loaded by --demo) and the benchmark's request bodies.
 *
 * The generator walks a parsed survey as a respondent would: pages and
 * elements hidden by their conditions get no answer, shown required
 * questions always get one, optional ones usually; choices, places,
 * budget items, rows and columns come from the definition; numbers,
 * scales and dates within their limits; texts short, in the response's
 * language, within max_length. Drawn features are spread over the
 * districts that meet the survey area: each geometry is checked with the
 * same GIS calls survey_response_check makes (inside the municipality,
 * inside or outside the survey area) before it is used, and some
 * features are given without the map — by district, by one of the
 * survey's places, or in words. So every response it makes passes
 * survey_response_check (tests/unit/test_survey_seed.c checks thousands).
 *
 * Deterministic: the same seed, definition and districts give the same
 * responses. A survey_seed belongs to one thread (it borrows gis
 * contexts, which are not thread-safe).
 */
#ifndef VK_SURVEY_SEED_H
#define VK_SURVEY_SEED_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/areas.h"
#include "db/ctx.h"
#include "gis/gis.h"
#include "survey/definition.h"

typedef struct survey_seed survey_seed; /* opaque */

typedef struct survey_seed_opts {
    /* Share of drawn features and placed items given as a geometry; the
     * rest by district, place or words. Negative: the default, 0.75. */
    double p_geometry;
    /* Share of shown optional questions answered. Negative: 0.8. */
    double p_optional;
    /* When > 0, "started" is this Unix time less a few minutes (the time
     * taken to answer); 0: no "started". */
    int64_t now;
} survey_seed_opts;

/* Options at their defaults. */
void survey_seed_opts_init(survey_seed_opts *o);

/* A generator for def. gis holds the municipality and its districts (a
 * worker context's, borrowed until survey_seed_free); area is
 * survey_def_area_ctx(def) or NULL when the survey has none (borrowed
 * likewise); the districts are read from store (the ids gis knows them
 * by, their codes) during the call. *out is new: caller frees with
 * survey_seed_free(). VK_EVALUE when the survey asks for drawings and no
 * district meets its area. */
vk_err survey_seed_new(const survey_def *def, gis_ctx *gis, gis_ctx *area, store_conn *store,
                       const survey_seed_opts *opts, uint64_t seed, survey_seed **out,
                       vk_errinfo *ei);
void survey_seed_free(survey_seed *s);

/* Set the time "started" is counted back from (see opts.now). */
void survey_seed_set_now(survey_seed *s, int64_t now);

/* One response {id, version, language, started, answers} answering
 * version of the survey, with a fresh random UUID. *out is new: caller
 * frees with json_decref(). */
vk_err survey_seed_response(survey_seed *s, int64_t version, json_t **out, vk_errinfo *ei);

/* Responses generated for each demo survey. */
#define SURVEY_DEMO_RESPONSES 3000

/* --demo: publish each survey of seeds_dir/surveys/ (every *.json, in
 * name order) whose slug is not stored yet, as version 1, with per_survey
 * generated responses submitted over the weeks before now (from its
 * opening at the earliest), each checked by survey_response_check and
 * stored as the POST route stores one; all in one transaction. A survey
 * already stored is left alone, so a second --demo adds nothing. A
 * missing directory adds nothing. *surveys and *responses count what was
 * added. Errors name the file. */
vk_err survey_seed_demo(vk_ctx *ctx, const char *seeds_dir, int per_survey, int *surveys,
                        int *responses, vk_errinfo *ei);

#endif
