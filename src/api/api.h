/*
 * api.h — the request handlers, one file per resource. A handler reads a
 * vk_req, writes a vk_resp, and returns VK_OK or an error whose detail is
 * in ctx->err (the HTTP layer turns it into the JSON error body).
 */
#ifndef VK_API_H
#define VK_API_H

#include <jansson.h>

#include "api/ctx.h"
#include "http/request.h"

/* meta.c */
vk_err api_healthz(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err api_config(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err api_categories(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err api_districts(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err api_units(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

/* inbox.c — the staff inbox (GET /api/v1/staff/feedback) */
vk_err api_staff_inbox(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

/* feedback.c */
vk_err api_feedback_list(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err api_feedback_get(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err api_feedback_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
/* GET /api/v1/feedback/nearby: open public items near a point, nearest
 * first, with distance_m (duplicate suggestions while reporting). */
vk_err api_feedback_nearby(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

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
 * and belongs to the client, see api_idem_scope). token_id is the API
 * token the caller proved some other way (Open311's api_key), else 0.
 * finish builds the response (NULL: the GeoJSON answer). Errors before
 * the write come back as the return value with ctx->err. */
vk_err api_feedback_submit(vk_ctx *ctx, const vk_req *req, vk_resp *resp, json_t *doc,
                           const char *location_prefix, api_create_finish_fn finish,
                           int finish_arg, int64_t token_id);
/* Whose Idempotency-Keys a request uses, into out (48 bytes): "t:ID" for
 * API token ID (token_id, else a valid "Authorization: Bearer" token),
 * else "a:" and a BLAKE2b hash of the client's address keyed with the
 * database's secret (the address itself is never stored). */
vk_err api_idem_scope(vk_ctx *ctx, const vk_req *req, int64_t token_id, char out[48]);

/* open311.c — Open311 GeoReport v2 at /open311/v2 (its own error format) */
vk_err open311_discovery(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err open311_services(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err open311_service(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err open311_requests(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err open311_requests_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err open311_request(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err open311_token(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

/* ogc.c — OGC API - Features */
vk_err ogc_landing(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_conformance(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_api(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_collections(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_collection(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_queryables(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_items(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_items_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_item(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_item_staff(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

/* The OpenAPI 3.0 document (docs/openapi.json, compiled in). */
extern const char api_openapi_json[];

/* A feedback item read from a GeoJSON Feature and checked, ready to store.
 * Strings are borrowed from the json_t the item was read from; the WKB is
 * owned. Caller-owned struct: api_feedback_input_fini(). */
typedef struct api_feedback_input {
    store_feedback_new row;
    unsigned char *wkb; /* owned */
    char *attributes;   /* owned: the checked answers as JSON text, or NULL */
    char created[32], updated[32], answered[32];
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

/* A string member of a JSON object, checked as feedback text is: absent or
 * null gives *out NULL (VK_EMISSING when required); wrong type, bad UTF-8,
 * control characters (newlines only when multiline), over max_chars or
 * blank are refused. *out is borrowed from obj. */
vk_err api_json_text(const json_t *obj, const char *key, int required, size_t max_chars,
                     int multiline, const char **out, vk_errinfo *ei);
/* The same, with errors naming field instead of key. */
vk_err api_json_text_named(const json_t *obj, const char *key, const char *field, int required,
                           size_t max_chars, int multiline, const char **out, vk_errinfo *ei);
/* VK_EUNKNOWN_FIELD naming the first member of obj not in allowed. */
vk_err api_json_keys(const json_t *obj, const char *const *allowed, vk_errinfo *ei);
/* A positive decimal number of at most 18 digits (an id, a limit), else 0. */
int64_t api_parse_id(const char *s);

/* Parse a JSON body: UTF-8 first, then JSON, with clear errors.
 * *out is a new reference: caller frees with json_decref(). */
vk_err api_json_parse(const char *body, size_t len, json_t **out, vk_errinfo *ei);

/* attributes.c — a category's own questions (Open311 service definitions). */
/* The definitions of category (NULL = every category) as a JSON object
 * {category: [{code, datatype, required, order, description:{fi,sv,en},
 * values:[{key, name:{fi,sv,en}}] (list types only)}]}; categories without
 * questions are absent. *out is new: caller frees with json_decref(). */
vk_err api_attribute_defs(vk_ctx *ctx, const char *category, json_t **out, vk_errinfo *ei);
/* Check answers ({code: value | [values]}, or NULL) against category's
 * definitions: unknown codes, missing required answers, values outside a
 * list, numbers and date-times that are none; errors name
 * properties.attributes.CODE. Required answers are checked only with
 * check_required (imports may predate a question). *out is the normalised
 * JSON text, NULL when nothing was answered: caller frees with free(). */
vk_err api_attributes_check(vk_ctx *ctx, const char *category, const json_t *answers,
                            int check_required, char **out, vk_errinfo *ei);

/* seed.c — reference areas, categories and demo content. */
/* Load geo/ and the categories when the database has none yet. */
vk_err api_seed_reference(vk_ctx *ctx, const char *geo_dir, const char *seeds_dir,
                          vk_errinfo *ei);
/* Load seeds/demo-feedback.geojson when there is no feedback yet;
 * *added reports how many items were added (0 on a second run). */
vk_err api_seed_demo(vk_ctx *ctx, const char *seeds_dir, int *added, vk_errinfo *ei);
/* Replace boundary, districts and accessibility areas from dir and
 * re-assign every feedback item's district, in one transaction. */
vk_err api_load_geo(vk_ctx *ctx, const char *dir, int64_t *reassigned, vk_errinfo *ei);

#endif
