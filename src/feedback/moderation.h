/*
 * moderation.h — what happens to feedback besides its handling (issue 5):
 * moderators hide items and edit personal data out of descriptions,
 * reporters follow and withdraw their report through a private link,
 * residents add a "me too", moderators merge duplicates, and contact
 * details are deleted when they are no longer needed (retention).
 *
 * Every write here is a job of the writer thread (api/writer.h), so it
 * commits with its event in one transaction. The events keep personal
 * data out of the audit log: a redaction records the description's length
 * before and after, never its text; a withdrawal records that the contact
 * details were deleted, not what they were.
 *
 * Visibility (feedback.hidden): public, hidden by a moderator, or
 * withdrawn by the reporter. A withdrawn item stays withdrawn: moderators
 * cannot make it public again.
 */
#ifndef VK_MODERATION_H
#define VK_MODERATION_H

#include <jansson.h>

#include "db/ctx.h"
#include "feedback/jobs.h"
#include "http/request.h"
#include "auth/roles.h"
#include "http/route.h"

/* The browser cookie behind "one me too per browser". */
#define API_BROWSER_COOKIE "vaikuta_browser"

/* ---- handlers ---- */

/* Routes (http/route.h), in order:
 * POST /api/v1/feedback/{id}/me-too (public): {"id","me_too","counted"}.
 * GET /api/v1/followup/{token} (public): the reporter's view of the item.
 * POST /api/v1/followup/{token}/withdraw (public): delete the contact
 *   details, hide the item for good; 200 with the view.
 * POST /api/v1/staff/feedback/{id}/merge (moderators): {"into",
 *   "public_answer"?, "internal_note"?}; 200 with the staff view of the
 *   item that stays. */
#define MODERATION_ROUTES(R)                                                                 \
    R(VK_POST, "/api/v1/feedback/{id}/me-too", api_feedback_me_too, PUBLIC, 1, 0)            \
    R(VK_ANY_GET, "/api/v1/followup/{token}", api_followup_get, PUBLIC, 0, 0)                \
    R(VK_POST, "/api/v1/followup/{token}/withdraw", api_followup_withdraw, PUBLIC, 1, 0)     \
    R(VK_POST, "/api/v1/staff/feedback/{id}/merge", api_staff_feedback_merge, MODERATOR, 0, 0)
MODERATION_ROUTES(VK_ROUTE_HANDLER)

/* ---- for the workflow and the writer ---- */

/* Why an item is hidden: PATCH's hide_reason is one of these. */
#define API_HIDE_REASONS "spam, personal_data, offensive, duplicate or other"

/* PATCH's moderation members into ch: hidden (boolean), description
 * (1–4000 characters), and with hidden true hide_reason (API_HIDE_REASONS)
 * and reporter_note (1–2000 characters). Strings borrowed from doc. */
vk_err api_moderation_read(const json_t *doc, vk_feedback_change *ch, vk_errinfo *ei);
/* On the writer thread: apply ch's hidden and description to the item,
 * with "hide"/"unhide"/"redact" events; note (may be NULL) goes on the
 * first of them. */
vk_err api_moderation_apply(vk_ctx *ctx, const vk_feedback_change *ch, const char *now,
                            const char *note, vk_errinfo *ei);
/* The "staff" member of the staff view: {"visibility","me_too","assignee"} plus
 * "contact" for moderators and admins and "description_original" for
 * admins only. Detail in ctx->err. */
vk_err api_moderation_staff_json(vk_ctx *ctx, int64_t id, vk_role role, vk_buf *b);

/* On the writer thread: item change->id becomes a duplicate of into
 * (change's public_answer and internal_note go with it), its "me too"
 * moves, both events are written. */
vk_err api_merge_apply(vk_ctx *ctx, const vk_feedback_change *change, int64_t into,
                       const char *now, vk_errinfo *ei);

/* ---- retention ---- */

/* Delete the contact details of withdrawn items and of items closed
 * before `before` (RFC 3339), in a transaction of its own. */
vk_err api_moderation_purge(store_conn *c, const char *before, int64_t *removed, vk_errinfo *ei);
/* The same for items closed more than days ago (the writer's schedule). */
vk_err api_moderation_purge_days(store_conn *c, int days, int64_t *removed, vk_errinfo *ei);

#endif
