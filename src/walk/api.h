/*
 * api.h — the routes of accessibility walks (docs/walks.md, "HTTP API").
 *
 * Public: the checklist and its schema, joining a walk with its code, the
 * walks, their findings, one finding with its public history, recording a
 * finding (with the walk code, or as staff) and the reports (report.c).
 * Recording is idempotent on the id the device made: the same body again
 * answers as the first time did, another body is 409 finding_conflict;
 * an Idempotency-Key is honoured too. Wrong codes are rate-limited per
 * client address by a bucket of their own (walk_api_init).
 *
 * Staff: create and edit walks, close and reopen them, make a new code;
 * the status workflow of findings (who may make which change is decided
 * per transition, in the writer's transaction, against the status then);
 * council reviews and the council's review list with residents'
 * accessibility feedback, and turning feedback into a finding.
 */
#ifndef VK_WALK_API_H
#define VK_WALK_API_H

#include "http/route.h"

/* Literal paths come before the {id} rows they would otherwise match. */
#define WALK_ROUTES(R)                                                                          \
    R(VK_ANY_GET, "/api/v1/schema/walk-checklist", api_walk_checklist_schema, PUBLIC, 0, 0)     \
    R(VK_ANY_GET, "/api/v1/walks/checklist", api_walk_checklist, PUBLIC, 0, 0)                  \
    R(VK_POST, "/api/v1/walks/join", api_walk_join, PUBLIC, 0, 0)                               \
    R(VK_ANY_GET, "/api/v1/walks/areas", api_walk_areas, PUBLIC, 0, 0)                          \
    R(VK_ANY_GET, "/api/v1/walks/areas/{code}/timeline", api_walk_timeline, PUBLIC, 0, 0)       \
    R(VK_ANY_GET, "/api/v1/walks", api_walks_list, PUBLIC, 0, 0)                                \
    R(VK_ANY_GET, "/api/v1/walks/{id}", api_walk_get, PUBLIC, 0, 0)                             \
    R(VK_ANY_GET, "/api/v1/walks/{id}/findings", api_walk_findings, PUBLIC, 0, 0)               \
    R(VK_POST, "/api/v1/walks/{id}/findings", api_walk_finding_post, PUBLIC, 0, 0)              \
    R(VK_ANY_GET, "/api/v1/walks/{id}/report", api_walk_report, PUBLIC, 0, 0)                   \
    R(VK_ANY_GET, "/api/v1/walks/{id}/report.html", api_walk_report_html, PUBLIC, 0, 0)         \
    R(VK_ANY_GET, "/api/v1/walk-findings.osm.geojson", api_walk_findings_osm, PUBLIC, 0, 1)     \
    R(VK_ANY_GET, "/api/v1/walk-findings/{id}", api_walk_finding_get, PUBLIC, 0, 0)            \
    R(VK_POST, "/api/v1/walk-findings/{id}/photos", api_walk_finding_photos, PUBLIC, 0, 0)
#define WALK_STAFF_ROUTES(R)                                                                    \
    R(VK_POST, "/api/v1/staff/walks", api_staff_walk_create, STAFF, 0, 0)                       \
    R(VK_PATCH, "/api/v1/staff/walks/{id}", api_staff_walk_patch, STAFF, 0, 0)                  \
    R(VK_POST, "/api/v1/staff/walks/{id}/close", api_staff_walk_close, STAFF, 0, 0)             \
    R(VK_POST, "/api/v1/staff/walks/{id}/reopen", api_staff_walk_reopen, STAFF, 0, 0)           \
    R(VK_POST, "/api/v1/staff/walks/{id}/code", api_staff_walk_code, STAFF, 0, 0)               \
    R(VK_ANY_GET, "/api/v1/staff/walk-review", api_staff_walk_review_list, STAFF, 0, 0)         \
    R(VK_POST, "/api/v1/staff/walk-findings/from-feedback/{fid}", api_staff_walk_from_feedback, STAFF, 0, 0) \
    R(VK_ANY_GET, "/api/v1/staff/walk-findings/{id}", api_staff_walk_finding_get, STAFF, 0, 0)  \
    R(VK_POST, "/api/v1/staff/walk-findings/{id}/status", api_staff_walk_finding_status, STAFF, 0, 0) \
    R(VK_PUT | VK_DELETE, "/api/v1/staff/walk-findings/{id}/review", api_staff_walk_review, COUNCIL, 0, 0) \
    R(VK_ANY_GET, "/api/v1/staff/walk-subscription", api_staff_walk_subscription, COUNCIL, 0, 0) \
    R(VK_PUT, "/api/v1/staff/walk-subscription", api_staff_walk_subscription_put, COUNCIL, 0, 0)
WALK_ROUTES(VK_ROUTE_HANDLER)
WALK_STAFF_ROUTES(VK_ROUTE_HANDLER)

/* Start-up, before serving: the checklist is parsed and checked (a bad
 * one stops the server, naming its fault) and the wrong-code limiter made.
 * walk_api_fini frees the limiter. */
vk_err walk_api_init(vk_errinfo *ei);
void walk_api_fini(void);

#endif
