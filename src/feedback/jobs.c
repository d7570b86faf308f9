/* jobs.c — the feedback feature's writer jobs (see jobs.h): create and
 * the staff change here; withdraw, "me too" and merge in moderation.c,
 * next to the views they answer with. */
#include "feedback/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "features/items.h"
#include "feedback/feedback.h"
#include "feedback/moderation.h"
#include "feedback/notify.h"
#include "feedback/photos.h"
#include "feedback/workflow.h"

api_feedback_job *api_feedback_job_new(vk_ctx *ctx, vk_write_run_fn run,
                                       const char *content_type)
{
    return vk_json_write_new(ctx, sizeof(api_feedback_job), run, content_type);
}

vk_err api_feedback_staff_job(vk_ctx *ctx, const vk_req *req, const char *what,
                              vk_write_run_fn run, const char *content_type,
                              api_feedback_job **out)
{
    int64_t id;
    vk_err e = api_feedback_path_id(ctx, req, what, &id);
    if (e)
        return e;
    api_feedback_job *st = api_feedback_job_new(ctx, run, content_type);
    if (!st)
        return VK_ENOMEM;
    if ((e = api_json_parse(req->body, req->body_len, &st->w.doc, &ctx->err))) {
        vk_json_write_free(st);
        return e;
    }
    st->change.id = id;
    snprintf(st->w.actor, sizeof st->w.actor, "%s", req->staff ? req->staff->name : "?");
    st->change.actor = st->w.actor;
    *out = st;
    return VK_OK;
}

/* The stored item as the answer, read inside the transaction, and its
 * Location. A staff change may concern a hidden item: it is read all the
 * same. */
static vk_err answer_item(vk_ctx *ctx, vk_write_job *job, int64_t id, int nonpublic,
                          const char *location_prefix, vk_buf *body, vk_errinfo *ei)
{
    api_items it;
    api_items_init(&it, store_collection_find("feedback"));
    it.q.id = id;
    it.q.include_nonpublic = nonpublic;
    int found = 0;
    vk_err e = api_items_write_one(ctx, &it, body, &found);
    if (!e && !found)
        e = vk_fail(ei, VK_EINTERNAL, "", "the stored item could not be read back");
    else if (e)
        vk_fail(ei, e, "", "%s", ctx->err.message);
    size_t n = strlen(location_prefix) + 24;
    job->location = malloc(n);
    if (!e && !job->location)
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    if (!e)
        snprintf(job->location, n, "%s%lld", location_prefix, (long long)id);
    return e;
}

vk_err api_job_create(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                      vk_errinfo *ei)
{
    api_create_job *job = (api_create_job *)wj;
    int64_t id = 0;
    vk_err e = store_feedback_insert(ctx->store, &job->row, &id, ei);
    if (!e)
        e = api_feedback_photos_attach(ctx, id, job->photos, job->nphotos, now, ei);
    if (!e)
        e = answer_item(ctx, wj, id, 0, job->location_prefix, body, ei);
    if (!e)
        wj->status = 201;
    return e;
}

vk_err api_job_change(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                      vk_errinfo *ei)
{
    api_feedback_job *job = (api_feedback_job *)wj;
    vk_err e = api_workflow_apply(ctx, &job->change, now, ei);
    if (!e)
        e = answer_item(ctx, wj, job->change.id, 1, "/api/v1/feedback/", body, ei);
    return e;
}

/* In a transaction of its own, between the writer's batches. */
static void retention_purge(vk_ctx *ctx, void *arg)
{
    (void)arg;
    if (ctx->cfg->contact_retention_days <= 0)
        return;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int64_t removed = 0;
    if (api_moderation_purge_days(ctx->store, ctx->cfg->contact_retention_days, &removed, &ei))
        vk_log("writer: the contact-details purge failed: %s", ei.message);
    else if (removed)
        vk_log("writer: removed the contact details of %lld closed or withdrawn items",
               (long long)removed);
}

const vk_writer_hook api_feedback_retention_hook = {3600, retention_purge, NULL};
