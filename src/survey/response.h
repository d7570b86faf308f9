/*
 * response.h — check one whole survey response against its definition and
 * normalise it for storage (docs/surveys.md, "Answers").
 *
 * A response is {"id": UUID, "version": n, "language", "started",
 * "answers": {question key: value}}. The check walks the survey in order:
 * pages and elements hidden by their conditions take no answers (and a
 * hidden required question is not required), shown required questions
 * must be answered, every answer fits its type (questions/types.h), drawn
 * features are checked by GEOS against the question's geometry type, the
 * municipality and the survey area. Errors name the answer's path in
 * ei->field: "answers.spots[2].geometry", "answers.route[1].answers.why".
 *
 * The normalised form is one row per answer and one per drawn feature
 * (with its follow-up answers): what the store will write, already in the
 * form it binds (survey_store_prepare: JSON texts, SpatiaLite geometry
 * blobs), so that the writer thread only binds and steps. Nothing is
 * stored here.
 */
#ifndef VK_SURVEY_RESPONSE_H
#define VK_SURVEY_RESPONSE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "gis/gis.h"
#include "questions/types.h"
#include "survey/definition.h"

/* What a check needs besides the definition; all borrowed for the call. */
typedef struct survey_env {
    gis_ctx *gis;  /* the municipality (boundary, districts); the worker's */
    gis_ctx *area; /* survey_def_area_ctx() of this definition, or NULL */
    /* The id (> 0) of the district with this code, 0 when there is none. */
    int64_t (*district_id)(void *ud, const char *code);
    void *district_ud;
} survey_env;

/* One answered question. Strings borrowed from the definition, value from
 * the response document. */
typedef struct survey_answer {
    const char *question;
    const char *type;
    const json_t *value; /* as given; "skip" when skipped */
    int skipped;
    int personal;        /* named by a consent: stored apart, never public */
    int as_feature;      /* held as features (map, geobudget): no answer row */
    char *json;          /* value as compact JSON text for the store; owned */
} survey_answer;

/* A drawn feature as the store binds it (survey_store_prepare), parallel
 * to the features; owned. */
typedef struct survey_feature_data {
    char *answers;       /* the follow-up answers as JSON object text */
    unsigned char *geom; /* the SpatiaLite geometry blob, NULL when none */
    size_t geom_len;
} survey_feature_data;

/* The normalised response. Borrows from the definition and the response
 * document: both must outlive it. */
typedef struct survey_norm {
    const char *id;       /* the client's UUID */
    int64_t version;      /* the version it answered */
    const char *language; /* "fi", "sv" or "en" */
    char started[32];     /* RFC 3339 UTC, "" when not given */
    survey_answer *answers;
    size_t n_answers;
    qt_features features; /* drawn features and placed geobudget items */
    /* Set by survey_store_prepare (survey/store.h), which the check calls:
     * the answers' json and these. */
    survey_feature_data *feature_data;
    int prepared;
} survey_norm;

void survey_norm_init(survey_norm *n);
void survey_norm_fini(survey_norm *n);

/* Check response against def. On VK_OK *out (initialised by the caller
 * with survey_norm_init) holds the rows; on failure it is emptied. The
 * version is read, not matched: the caller picks def by it. */
vk_err survey_response_check(const survey_def *def, const json_t *response,
                             const survey_env *env, survey_norm *out, vk_errinfo *ei);

#endif
