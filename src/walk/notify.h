/*
 * notify.h — walks' mail (docs/mail.md): a council member follows areas
 * (districts, accessibility areas) with an address of their own and is
 * told of every status change of a finding in them.
 */
#ifndef VK_WALK_NOTIFY_H
#define VK_WALK_NOTIFY_H

#include <stdint.h>

#include "db/ctx.h"
#include "http/request.h"

/* GET /api/v1/staff/walk-subscription: the caller's {"email", "language",
 * "areas": ["district:CODE" | "accessibility:CODE", …]}. PUT replaces it
 * ({"email", "language", "consent": true, "areas"}; "areas": [] alone
 * ends it). Council members and admins. */
vk_err api_staff_walk_subscription(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err api_staff_walk_subscription_put(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

/* Inside the writer job that moved finding id (uuid) from → to with the
 * public explanation (NULL: none): queue the message to the council
 * members following its district or accessibility area. */
vk_err walk_notify_status(vk_ctx *ctx, int64_t id, const char *uuid, const char *from,
                          const char *to, const char *explanation, const char *now,
                          vk_errinfo *ei);

#endif
