/*
 * photos.h — residents' photos on feedback (issue 16), through the one
 * photo pipeline (media/photo.h, docs/photos.md).
 *
 * A report lists up to FEEDBACK_PHOTOS_MAX uploaded photo ids in
 * properties.photos; the create job attaches them with the item, each
 * *hidden*: a feedback photo is pending moderation until a moderator
 * approves it (photo.hidden 0), and a rejected one is deleted. So the
 * photo table's hidden column is the moderation state: 1 pending, 0
 * approved. Residents see approved photos of public items; every staff
 * role sees all of an item's photos; the reporter's follow-up view lists
 * the approved ones and counts those waiting. Withdrawing an item deletes
 * its photos.
 */
#ifndef VK_FEEDBACK_PHOTOS_H
#define VK_FEEDBACK_PHOTOS_H

#include <jansson.h>

#include "core/buf.h"
#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"

#define FEEDBACK_PHOTOS_MAX 3
#define FEEDBACK_PHOTO_KIND "feedback"

/* POST /api/v1/staff/feedback/{id}/photos/{photo} (moderators):
 * {"decision": "approve" | "reject"}; approve makes the photo public with
 * its item, reject deletes it; each decision is an event of the item (the
 * audit log). 200 with the staff view. */
#define FEEDBACK_PHOTO_ROUTES(R)                                                             \
    R(VK_POST, "/api/v1/staff/feedback/{id}/photos/{photo}", api_staff_feedback_photo,      \
      MODERATOR, 0, 0)
FEEDBACK_PHOTO_ROUTES(VK_ROUTE_HANDLER)

/* properties.photos of a report: null/absent, or an array of at most
 * FEEDBACK_PHOTOS_MAX distinct photo ids, borrowed from props. Errors name
 * "properties.photos" or "properties.photos[i]". */
vk_err api_feedback_photos_read(const json_t *props, const char **ids, int *n, vk_errinfo *ei);
/* Writer thread, in the item's transaction: attach each photo to item id,
 * hidden until approved. Errors name "properties.photos[i]". */
vk_err api_feedback_photos_attach(vk_ctx *ctx, int64_t id, const char *const *ids, int n,
                                  const char *now, vk_errinfo *ei);
/* Writer thread: delete every photo of item id (withdrawal). */
vk_err api_feedback_photos_delete(vk_ctx *ctx, int64_t id, vk_errinfo *ei);
/* The staff view's "photos": [{"id","state","width","height","url","thumb"}],
 * every photo of item id, state "pending" or "approved". */
vk_err api_feedback_photos_staff_json(vk_ctx *ctx, int64_t id, vk_buf *b);
/* How many of item id's photos wait for moderation (the follow-up view). */
vk_err api_feedback_photos_waiting(vk_ctx *ctx, int64_t id, int *n, vk_errinfo *ei);
/* The owner kind "feedback" and who sees its photos. At start-up. */
vk_err api_feedback_photos_register(vk_errinfo *ei);

#endif
