/*
 * api.h — the participatory budgeting routes (docs/budgeting.md, "HTTP
 * API"): rounds, proposals and their support, reviews, projects, voting
 * codes, ballots (coded, open and paper), results and the Pabulib export.
 *
 * Reads answer from the database on the request thread; every write is a
 * job of the group-commit writer (db/writer.h) that checks the round's
 * phase again inside the transaction, so a ballot that arrives as voting
 * closes is either stored before the close or refused. A voting code is
 * marked used, and an open voter's browser noted, in the same transaction
 * that stores the ballot; neither is linked to the ballot row.
 */
#ifndef VK_BUDGET_API_H
#define VK_BUDGET_API_H

#include "http/route.h"

/* A ballot's change token: 32 random bytes in unpadded base64url, which
 * the request log redacts (route.h); only its SHA-256 is stored. */
#define BUDGET_TOKEN_LEN 43

#define BUDGET_ROUTES(R)                                                                      \
    R(VK_ANY_GET, "/api/v1/budget/rounds", api_budget_rounds, PUBLIC, 0, 0)                   \
    R(VK_ANY_GET, "/api/v1/budget/rounds/{slug}", api_budget_round, PUBLIC, 0, 0)             \
    R(VK_ANY_GET, "/api/v1/budget/rounds/{slug}/proposals", api_budget_proposals, PUBLIC, 0, 0) \
    R(VK_POST, "/api/v1/budget/rounds/{slug}/proposals", api_budget_propose, PUBLIC, 1, 0)    \
    R(VK_ANY_GET, "/api/v1/budget/rounds/{slug}/projects", api_budget_projects, PUBLIC, 0, 0) \
    R(VK_POST, "/api/v1/budget/rounds/{slug}/ballots", api_budget_vote, PUBLIC, 1, 0)         \
    R(VK_POST, "/api/v1/budget/rounds/{slug}/subscriptions", api_budget_subscribe, PUBLIC, 1, 0) \
    R(VK_ANY_GET, "/api/v1/budget/rounds/{slug}/results", api_budget_results, PUBLIC, 0, 0)   \
    R(VK_ANY_GET, "/api/v1/budget/rounds/{slug}/export.pb", api_budget_pabulib, PUBLIC, 0, 1) \
    R(VK_ANY_GET, "/api/v1/budget/proposals/{id}", api_budget_proposal, PUBLIC, 0, 0)         \
    R(VK_POST, "/api/v1/budget/proposals/{id}/support", api_budget_support, PUBLIC, 1, 0)     \
    R(VK_ANY_GET, "/api/v1/budget/projects/{id}", api_budget_project, PUBLIC, 0, 0)           \
    R(VK_ANY_GET, "/api/v1/budget/ballots/{token}", api_budget_ballot_get, PUBLIC, 0, 0)      \
    R(VK_PUT, "/api/v1/budget/ballots/{token}", api_budget_ballot_put, PUBLIC, 1, 0)

#define BUDGET_STAFF_ROUTES(R)                                                                \
    R(VK_ANY_GET, "/api/v1/staff/budget/rounds", api_staff_budget_rounds, STAFF, 0, 0)        \
    R(VK_POST, "/api/v1/staff/budget/rounds", api_staff_budget_create, PLANNER, 0, 0)         \
    R(VK_ANY_GET, "/api/v1/staff/budget/rounds/{slug}", api_staff_budget_round, STAFF, 0, 0)  \
    R(VK_PUT, "/api/v1/staff/budget/rounds/{slug}", api_staff_budget_put, PLANNER, 0, 0)      \
    R(VK_POST, "/api/v1/staff/budget/rounds/{slug}/publish", api_staff_budget_publish, PLANNER, 0, 0) \
    R(VK_POST, "/api/v1/staff/budget/rounds/{slug}/phase", api_staff_budget_phase, PLANNER, 0, 0) \
    R(VK_ANY_GET, "/api/v1/staff/budget/rounds/{slug}/proposals", api_staff_budget_proposals, STAFF, 0, 0) \
    R(VK_POST, "/api/v1/staff/budget/rounds/{slug}/projects", api_staff_budget_project_create, PLANNER, 0, 0) \
    R(VK_POST, "/api/v1/staff/budget/rounds/{slug}/codes", api_staff_budget_codes, PLANNER, 0, 0) \
    R(VK_ANY_GET, "/api/v1/staff/budget/rounds/{slug}/codes", api_staff_budget_code_batches, STAFF, 0, 0) \
    R(VK_POST, "/api/v1/staff/budget/rounds/{slug}/paper-ballots", api_staff_budget_paper, STAFF, 0, 0) \
    R(VK_ANY_GET, "/api/v1/staff/budget/rounds/{slug}/paper-ballots", api_staff_budget_papers, STAFF, 0, 0) \
    R(VK_ANY_GET, "/api/v1/staff/budget/rounds/{slug}/results", api_staff_budget_results, STAFF, 0, 0) \
    R(VK_PATCH, "/api/v1/staff/budget/proposals/{id}", api_staff_budget_moderate, MODERATOR, 0, 0) \
    R(VK_PUT, "/api/v1/staff/budget/proposals/{id}/review", api_staff_budget_review, PLANNER, 0, 0) \
    R(VK_PATCH, "/api/v1/staff/budget/projects/{id}", api_staff_budget_project_patch, PLANNER, 0, 0) \
    R(VK_POST, "/api/v1/staff/budget/projects/{id}/updates", api_staff_budget_project_update, PLANNER, 0, 0) \
    R(VK_POST, "/api/v1/staff/budget/paper-ballots/{id}/confirm", api_staff_budget_confirm, STAFF, 0, 0)

BUDGET_ROUTES(VK_ROUTE_HANDLER)
BUDGET_STAFF_ROUTES(VK_ROUTE_HANDLER)

#endif
