/*
 * feedback.h — the feedback feature: resident and staff handlers, the item model. A handler reads a
 * vk_req, writes a vk_resp, and returns VK_OK or an error whose detail is
 * in ctx->err (the HTTP layer turns it into the JSON error body).
 */
#ifndef VK_FEEDBACK_H
#define VK_FEEDBACK_H

#include <jansson.h>

#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"
#include "core/json.h"
#include "db/store.h"
#include "feedback/photos.h"
#include "feedback/store_feedback.h"


/* Routes (http/route.h) of feedback.c. GET /api/v1/feedback/nearby: open
 * public items near a point, nearest first, with distance_m (duplicate
 * suggestions while reporting); it comes before {id}, which would match it
 * too, so the item route is a list of its own after moderation's. */
#define FEEDBACK_ROUTES(R)                                                          \
    R(VK_ANY_GET, "/api/v1/feedback", api_feedback_list, PUBLIC, 0, 0)              \
    R(VK_POST, "/api/v1/feedback", api_feedback_create, PUBLIC, 1, 0)               \
    R(VK_ANY_GET, "/api/v1/feedback/nearby", api_feedback_nearby, PUBLIC, 0, 0)
#define FEEDBACK_ITEM_ROUTES(R)                                                     \
    R(VK_ANY_GET, "/api/v1/feedback/{id}", api_feedback_get, PUBLIC, 0, 0)
/* inbox.c: the staff inbox, and an item's possible duplicates around it
 * (GET /api/v1/staff/feedback/{id}/nearby?radius=1..200, default 50 m: the
 * public open items, its category first, nearest first, with distance_m);
 * the staff accounts an item can be assigned to (the assignee filter's
 * choices). */
#define INBOX_ROUTES(R)                                                             \
    R(VK_ANY_GET, "/api/v1/staff/feedback", api_staff_inbox, STAFF, 0, 0)           \
    R(VK_ANY_GET, "/api/v1/staff/assignees", api_staff_assignees, STAFF, 0, 0)      \
    R(VK_ANY_GET, "/api/v1/staff/feedback/{id}/nearby", api_staff_feedback_nearby, STAFF, 0, 0)
FEEDBACK_ROUTES(VK_ROUTE_HANDLER)
FEEDBACK_ITEM_ROUTES(VK_ROUTE_HANDLER)
INBOX_ROUTES(VK_ROUTE_HANDLER)
/* The start of a handler on one item (/…/feedback/{id}): no query
 * parameters, the id from the path into *id (VK_ENOT_FOUND "there is no
 * feedback with this id" when there is none) and, unless json_what is
 * NULL, a JSON body (VK_EMEDIA_TYPE "send the <json_what> as
 * application/json"). */
vk_err api_feedback_path_id(vk_ctx *ctx, const vk_req *req, const char *json_what, int64_t *id);

/* The reporter's private follow-up token: 32 random bytes, base64url
 * without padding (43 characters). Only its hash is stored. */
#define API_FOLLOWUP_TOKEN_LEN 43
void api_followup_token(char token[API_FOLLOWUP_TOKEN_LEN + 1]);
/* Hex SHA-256 of the token's n bytes, as feedback.followup_hash holds it. */
void api_followup_hash(const char *token, size_t n, char out[65]);
/* Create from the request body; Location is location_prefix + id. */
vk_err api_feedback_create_at(vk_ctx *ctx, const vk_req *req, vk_resp *resp,
                              const char *location_prefix);

/* The answer to a finished create: job->err, job->location (prefix + id),
 * job->body and job->replayed are set; arg is the caller's. */
typedef struct vk_write_job vk_write_job;
typedef void (*api_create_finish_fn)(const vk_write_job *job, int arg, vk_resp *resp);
/* Read a parsed Feature (takes ownership of doc) and write it through the
 * group-commit writer, deferred, exactly as POST /api/v1/feedback does
 * (Idempotency-Key included: the key covers method, path and raw body,
 * and belongs to the client, see api_idem_prepare in auth/auth.h). token_id is the API
 * token the caller proved some other way (Open311's api_key), else 0.
 * finish builds the response (NULL: the GeoJSON answer). Errors before
 * the write come back as the return value with ctx->err. */
vk_err api_feedback_submit(vk_ctx *ctx, const vk_req *req, vk_resp *resp, json_t *doc,
                           const char *location_prefix, api_create_finish_fn finish,
                           int finish_arg, int64_t token_id);


/* A feedback item read from a GeoJSON Feature and checked, ready to store.
 * Strings are borrowed from the json_t the item was read from; the WKB is
 * owned. Caller-owned struct: api_feedback_input_fini(). */
typedef struct api_feedback_input {
    store_feedback_new row;
    unsigned char *wkb; /* owned */
    char *attributes;   /* owned: the checked answers as JSON text, or NULL */
    char created[32], updated[32], answered[32];
    const char *photos[FEEDBACK_PHOTOS_MAX]; /* properties.photos: ids borrowed (feedback/photos.h) */
    int nphotos;
} api_feedback_input;

typedef enum {
    API_INPUT_PUBLIC,  /* what a resident may send */
    API_INPUT_TRUSTED, /* seeds and imports: status, answer and times too */
} api_input_kind;

/* Read and check a Feature exactly as POST /api/v1/feedback does. */
vk_err api_feedback_read(vk_ctx *ctx, const json_t *feature, api_input_kind kind,
                         api_feedback_input *in, vk_errinfo *ei);
void api_feedback_input_fini(api_feedback_input *in);

/* The handling statuses, as Open311 groups them: open ones are still being
 * handled, closed ones have an outcome (reopening goes back to in_progress). */
#define API_FEEDBACK_OPEN_STATUSES "received,in_progress,planned"
#define API_FEEDBACK_CLOSED_STATUSES "resolved,not_resolvable,duplicate,forwarded"
/* 1 if status is one of the open statuses (NULL counts as received). */
int api_feedback_status_open(const char *status);

/* seed.c: load seeds/demo-feedback.geojson when there is no feedback yet;
 * *added reports how many items were added (0 on a second run). */
vk_err api_seed_demo(vk_ctx *ctx, const char *seeds_dir, int *added, vk_errinfo *ei);

#endif
