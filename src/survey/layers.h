/*
 * layers.h — a survey's answers as GIS layers.
 *
 * Each map question (map-point, map-line, map-area, geobudget) of a
 * published survey is the collection survey-{slug}-{question}: one feature
 * per row of survey_feature (schema/0012_surveys.sql) with the response's
 * id, time and version, how the feature is located (a drawn geometry, or a
 * district, a place or words with no geometry), and its follow-up answers
 * flattened as properties. The collections are store_collections made per
 * request from the published definition, so OGC API - Features (through
 * the provider of features/registry.h) and the exports serve them with the
 * code every collection uses: paging, CRS, CQL2, queryables.
 *
 * Who sees a layer: staff (token or session) always; anyone else only once
 * the author listed the question in survey.public_questions. To everyone
 * else the collection does not exist. The public see it as the results
 * publish it: with snapping on (survey_publication.snap), points at their
 * hexagon's centre, only where k respondents drew (docs/survey-publish.md).
 */
#ifndef VK_SURVEY_LAYERS_H
#define VK_SURVEY_LAYERS_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/ctx.h"
#include "db/store.h"
#include "features/collections.h"

/* Register the provider of survey collections (features/registry.h), before
 * serving starts. */
vk_err survey_layers_register(vk_errinfo *ei);

/* How an answer to a question other than a map question becomes columns
 * of the wide tables (responses.csv, the GeoPackage's answers table). */
typedef enum {
    SURVEY_COL_TEXT,   /* a string answer (text, date, single choice key) */
    SURVEY_COL_NUMBER, /* number, scale */
    SURVEY_COL_BOOL,   /* consent: 1 or 0 */
    SURVEY_COL_JSON,   /* anything else, as its JSON text */
    SURVEY_COL_CHOICE, /* multi-choice: one 1/0 column per choice */
} survey_col_kind;

typedef struct survey_question {
    const char *key;
    survey_col_kind kind;
    const char **choices; /* SURVEY_COL_CHOICE: the choice keys */
    int nchoices;
    int other;            /* offers "other, what?": a column KEY.other */
} survey_question;

/* A published survey's layers and questions; everything in the arena. */
typedef struct survey_layers {
    int64_t id;
    const char *slug;
    int64_t version;
    store_collection *layers; /* one per map question, in document order */
    const char **layer_questions; /* the question key of each layer */
    int nlayers;
    survey_question *questions; /* the other questions (not personal ones) */
    int nquestions;
    /* Every feature of every map question (staff exports): the layer
     * columns without the follow-ups, plus question and answers (the
     * follow-up answers as one JSON object). */
    store_collection features;
} survey_layers;

/* The survey with this slug, if published (or closed), with every layer
 * (staff) or only its public ones (staff 0). *found 0 when there is none. */
vk_err survey_layers_load(vk_ctx *ctx, vk_arena *a, const char *slug, int staff,
                          survey_layers *out, int *found, vk_errinfo *ei);

/* The answers of the survey's responses, response by response (id order):
 * one row per answer, columns 0 response row id, 1 uuid, 2 submitted,
 * 3 version, 4 language, 5 question (NULL for a response without
 * answers), 6 value (JSON text), 7 skipped. Step with db_cursor_step, end
 * with db_cursor_end (db/stmt.h); NULL on failure. */
struct sqlite3_stmt *survey_answers_cursor(store_conn *c, int64_t survey_id, vk_errinfo *ei);

/* The layer of question key, or NULL. */
const store_collection *survey_layers_find(const survey_layers *s, const char *key);

#endif
