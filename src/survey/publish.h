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

#include "core/buf.h"
#include "db/store.h"
#include "http/route.h"

#define PUBLISH_ROUTES(R)                                                                     \
    R(VK_ANY_GET, "/api/v1/surveys/{slug}/results", api_survey_results_public, PUBLIC, 0, 0)  \
    R(VK_ANY_GET, "/api/v1/surveys/{slug}/mine/{token}", api_survey_mine, PUBLIC, 0, 0)
#define PUBLISH_STAFF_ROUTES(R)                                                               \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}/publication", api_staff_survey_publication,   \
      STAFF, 0, 0)                                                                            \
    R(VK_PUT, "/api/v1/staff/surveys/{slug}/publication", api_staff_survey_publication_put,   \
      PLANNER, 0, 0)                                                                          \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}/texts", api_staff_survey_texts, STAFF, 0, 0)  \
    R(VK_PUT, "/api/v1/staff/surveys/{slug}/texts/{id}", api_staff_survey_text_put, PLANNER,  \
      0, 0)
PUBLISH_ROUTES(VK_ROUTE_HANDLER)
PUBLISH_STAFF_ROUTES(VK_ROUTE_HANDLER)

/* The "what_we_did" member of the public definition (with its leading
 * comma) into b when the author wrote any, and the publication's revision
 * (for the definition's ETag) into *revision; nothing when unset. now
 * decides whether the results are out. */
vk_err survey_publish_landing(store_conn *c, int64_t survey_id, const char *now, vk_buf *b,
                              int64_t *revision, vk_errinfo *ei);

/* Forget the snapshots and cached answers (tests with several databases). */
void survey_publish_cache_clear(void);

#endif
