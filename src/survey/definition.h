/*
 * definition.h — a survey definition: checked, indexed, compared.
 *
 * A survey is a JSON document (docs/survey.schema.json, docs/surveys.md).
 * survey_def_parse checks what the schema says and what a schema cannot:
 * unique keys, min ≤ max, conditions that name earlier questions and
 * existing choices, a valid survey area and places (GEOS, src/gis/), budget
 * items. Every refusal names its JSON path in ei->field, e.g.
 * "pages[1].elements[3].choices[2].key".
 *
 * survey_def_check_change holds the version rule: once published, a new
 * version may not orphan stored answers (remove an element, a choice, a
 * place or a budget item, change a type, make an optional question
 * required); refusals are VK_ESURVEY_ORPHANS (409) naming the path.
 *
 * A survey_def is read-only after parsing and may be shared between
 * threads; the gis_ctx made by survey_def_area_ctx may not (one per worker).
 */
#ifndef VK_SURVEY_DEFINITION_H
#define VK_SURVEY_DEFINITION_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "gis/gis.h"
#include "questions/types.h"

/* An element of the survey: a page's element or a map question's
 * follow-up. All pointers borrowed from the definition's document. */
typedef struct survey_elem {
    const char *key;
    const qt_type *type;
    const json_t *json;
    size_t page;            /* the page it is on (a follow-up: its question's) */
    long parent;            /* a follow-up: index of its map question; else -1 */
    char path[QT_PATH_MAX]; /* "pages[1].elements[3]", "…followups[0]" */
} survey_elem;

typedef struct survey_def {
    json_t *doc;             /* owned reference */
    const char *slug;        /* borrowed from doc */
    survey_elem *elems;      /* document order, follow-ups after their question */
    size_t n_elems;
    size_t n_pages;
    unsigned char *area_wkb; /* the survey area (ISO WKB) or NULL; owned */
    size_t area_len;
    int area_outside;        /* area_rule "outside" */
    char opens[32], closes[32]; /* RFC 3339 UTC ("…T08:00:00Z") or "" */
} survey_def;

/* Check doc and index it. g (any context: only GEOS is used, not its
 * boundary) checks the survey area and places. On success *out is new and
 * holds a reference to doc: caller frees with survey_def_free(). */
vk_err survey_def_parse(gis_ctx *g, const json_t *doc, survey_def **out, vk_errinfo *ei);
void survey_def_free(survey_def *d);

/* The element (page element or follow-up) with this key, or NULL. */
const survey_elem *survey_def_find(const survey_def *d, const char *key);

/* Where now (RFC 3339 UTC as vk_now_rfc3339 writes it) falls in the
 * survey's window: -1 before opens, 0 inside, 1 at or after closes. */
int survey_def_window(const survey_def *d, const char *now);

/* A GEOS context holding the survey area, as the boundary and as district
 * 1, for checking drawn answers against it; *out is NULL when the survey
 * has no area. Caller frees with gis_ctx_free(); one per worker thread. */
vk_err survey_def_area_ctx(const survey_def *d, gis_ctx **out, vk_errinfo *ei);

/* VK_OK when proposed may replace published without orphaning answers
 * stored under published; else VK_ESURVEY_ORPHANS with the path (in the
 * proposed document, or in the published one for what was removed). */
vk_err survey_def_check_change(const survey_def *published, const survey_def *proposed,
                               vk_errinfo *ei);

#endif
