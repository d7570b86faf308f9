/*
 * api.h — the survey routes (docs/surveys.md, "HTTP API"), except the
 * staff exports.
 *
 * Public: the definition schema, the open surveys, a published version,
 * answering (POST …/responses: checked on the request thread against the
 * version it names, stored by the writer; the same body again is answered
 * as the first time, another body under the id is 409 response_conflict),
 * and resume drafts (only the SHA-256 of their token is stored).
 *
 * Staff (planner and admin write; every staff role reads): the surveys,
 * create, edit (a draft is replaced; a published or closed survey gets a
 * new version unless the change orphans answers), the state changes,
 * duplicate and the map questions whose answers are public. Staff views
 * are {slug, state, version, draft, definition, public_questions,
 * responses, versions, created, updated, published, closed}: draft is the
 * document being edited, definition the published version (null before
 * the first publish).
 */
#ifndef VK_SURVEY_API_H
#define VK_SURVEY_API_H

#include "db/writer.h"
#include "http/route.h"

/* The length of a resume token: 32 random bytes in unpadded base64url,
 * which the request log redacts (route.h). */
#define SURVEY_DRAFT_TOKEN_LEN 43

#define SURVEY_ROUTES(R)                                                                      \
    R(VK_ANY_GET, "/api/v1/schema/survey", api_survey_schema, PUBLIC, 0, 0)                   \
    R(VK_ANY_GET, "/api/v1/surveys", api_surveys_list, PUBLIC, 0, 0)                          \
    R(VK_ANY_GET, "/api/v1/surveys/{slug}", api_survey_get, PUBLIC, 0, 0)                     \
    R(VK_POST, "/api/v1/surveys/{slug}/responses", api_survey_respond, PUBLIC, 1, 0)          \
    R(VK_POST, "/api/v1/surveys/{slug}/drafts", api_survey_draft_create, PUBLIC, 1, 0)        \
    R(VK_POST, "/api/v1/surveys/{slug}/subscriptions", api_survey_subscribe, PUBLIC, 1, 0)     \
    R(VK_ANY_GET, "/api/v1/surveys/{slug}/drafts/{token}", api_survey_draft_get, PUBLIC, 0, 0) \
    R(VK_PUT, "/api/v1/surveys/{slug}/drafts/{token}", api_survey_draft_put, PUBLIC, 1, 0)
#define SURVEY_STAFF_ROUTES(R)                                                                \
    R(VK_ANY_GET, "/api/v1/staff/surveys", api_staff_surveys, STAFF, 0, 0)                    \
    R(VK_POST, "/api/v1/staff/surveys", api_staff_survey_create, PLANNER, 0, 0)               \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}", api_staff_survey_get, STAFF, 0, 0)          \
    R(VK_PUT, "/api/v1/staff/surveys/{slug}", api_staff_survey_put, PLANNER, 0, 0)            \
    R(VK_POST, "/api/v1/staff/surveys/{slug}/publish", api_staff_survey_publish, PLANNER, 0, 0) \
    R(VK_POST, "/api/v1/staff/surveys/{slug}/close", api_staff_survey_close, PLANNER, 0, 0)   \
    R(VK_POST, "/api/v1/staff/surveys/{slug}/reopen", api_staff_survey_reopen, PLANNER, 0, 0) \
    R(VK_POST, "/api/v1/staff/surveys/{slug}/archive", api_staff_survey_archive, PLANNER, 0, 0) \
    R(VK_POST, "/api/v1/staff/surveys/{slug}/duplicate", api_staff_survey_duplicate, PLANNER, 0, 0) \
    R(VK_PUT, "/api/v1/staff/surveys/{slug}/public", api_staff_survey_public, PLANNER, 0, 0)
SURVEY_ROUTES(VK_ROUTE_HANDLER)
SURVEY_STAFF_ROUTES(VK_ROUTE_HANDLER)

/* docs/survey.schema.json, embedded at build time. */
extern const char survey_schema_json[];

/* The writer's hook: hourly, resume drafts not saved for 30 days are
 * deleted. */
extern const vk_writer_hook survey_draft_purge_hook;

#endif
