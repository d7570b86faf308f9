/*
 * jobs.h — the feedback feature's writes, as jobs of the group-commit
 * writer (db/writer.h): each is a run function that works inside the
 * writer's transaction, in the job's savepoint, and writes the answer.
 * Also the retention purge of contact details, as the writer's hook.
 */
#ifndef VK_FEEDBACK_JOBS_H
#define VK_FEEDBACK_JOBS_H

#include <jansson.h>

#include "db/ctx.h"
#include "db/store.h"
#include "feedback/notify.h"
#include "feedback/photos.h"
#include "feedback/store_feedback.h"
#include "db/writer.h"
#include "http/deferred.h"
#include "http/request.h"
#include "auth/roles.h"

/* A staff change to one item (PATCH /api/v1/staff/feedback/{id}). Strings
 * are NULL when not given; checked for form by the handler and against the
 * item's state by the job (workflow.c), inside the transaction. */
typedef struct vk_feedback_change {
    int64_t id;
    const char *actor; /* staff name */
    const char *status, *unit, *public_answer, *internal_note, *resolution_reason,
        *forwarded_to;
    /* The public answer's Swedish and English versions (public_answer is
     * the one as written, Finnish when given); NULL when not written. */
    const char *public_answer_sv, *public_answer_en;
    int64_t duplicate_of; /* 0 = not given */
    /* set_assignee: assign to the staff account named assignee, or to
     * nobody when assignee is NULL. */
    int set_assignee;
    const char *assignee;
    /* Corrections: another category, another place (a GeoJSON geometry,
     * checked and placed on the writer thread); NULL = not given. */
    const char *category;
    const json_t *geometry;
    /* How exact the place is (exact, address, district; the last two only
     * for a Point); NULL = not given: exact with a new geometry, else as
     * it was. */
    const char *location_precision;
    /* Moderation (moderation.c): hide or show, and the description with
     * personal data edited out. */
    int set_hidden, hidden;  /* set_hidden 0 = not given */
    const char *description; /* NULL = not given */
    /* With hidden true: why (one of API_HIDE_REASONS) and what the reporter
     * is told in their follow-up view (the hide event's public answer). */
    const char *hide_reason, *reporter_note; /* NULL = not given */
    const char *kind;        /* the event's kind; NULL = from what changed */
} vk_feedback_change;

/* A new item (POST /api/v1/feedback and its Open311 and OGC doors): the
 * caller's state begins with one. Answers 201 with the stored Feature;
 * Location is location_prefix + id. */
typedef struct api_create_job {
    vk_write_job job; /* first */
    store_feedback_new row;
    const char *location_prefix; /* e.g. "/api/v1/feedback/" */
    const char *photos[FEEDBACK_PHOTOS_MAX]; /* photo ids to attach (feedback/photos.h), borrowed */
    int nphotos;
} api_create_job;
vk_err api_job_create(vk_ctx *ctx, vk_write_job *job, const char *now, vk_buf *body,
                      vk_errinfo *ei);

/* The other writes, answered with JSON (http/deferred.h's vk_json_write):
 * which members a job reads is said at its run function. */
typedef struct api_feedback_job {
    vk_json_write w; /* first */
    vk_feedback_change change;
    char secret_hash[65];  /* withdraw: follow-up hash; me too: the voter */
    char address_hash[65]; /* me too: keyed hash of the client's address and day
                            * ("" when unknown) */
    char day[11];          /* me too: the day of address_hash, YYYY-MM-DD */
    int64_t into;          /* merge: the item that stays */
    vk_role role;          /* merge: the caller's, for the staff view answered */
} api_feedback_job;

/* A zeroed job running run (NULL and ctx->err set when out of memory);
 * defer with vk_json_write_defer(ctx, &job->w, resp), or free with
 * vk_json_write_free(). */
api_feedback_job *api_feedback_job_new(vk_ctx *ctx, vk_write_run_fn run,
                                       const char *content_type);
/* The start of a staff write on one item (/…/feedback/{id}/…, a JSON body):
 * the id from the path (api_feedback_path_id; what names the body), a job
 * running run with the body parsed into its w.doc, and the change's id and
 * actor (the staff name) set. VK_OK with *out; else the error, and nothing
 * to free. */
vk_err api_feedback_staff_job(vk_ctx *ctx, const vk_req *req, const char *what,
                              vk_write_run_fn run, const char *content_type,
                              api_feedback_job **out);

/* Apply change (api_workflow_apply); 200 with the item's Feature, hidden
 * items too. */
vk_err api_job_change(vk_ctx *ctx, vk_write_job *job, const char *now, vk_buf *body,
                      vk_errinfo *ei);
/* The reporter withdraws the item of secret_hash; 200 with their view. */
vk_err api_job_withdraw(vk_ctx *ctx, vk_write_job *job, const char *now, vk_buf *body,
                        vk_errinfo *ei);
/* One "me too" for change.id from voter secret_hash; 200
 * {"id","me_too","counted"}. */
vk_err api_job_me_too(vk_ctx *ctx, vk_write_job *job, const char *now, vk_buf *body,
                      vk_errinfo *ei);
/* change.id becomes a duplicate of into; 200 with the staff view of into. */
vk_err api_job_merge(vk_ctx *ctx, vk_write_job *job, const char *now, vk_buf *body,
                     vk_errinfo *ei);

/* The writer's hook: hourly, the contact details of items closed more than
 * cfg->contact_retention_days ago are deleted (nothing when 0). */
extern const vk_writer_hook api_feedback_retention_hook;

#endif
