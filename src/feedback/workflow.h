/*
 * workflow.h — the staff's handling of feedback (issue 5): statuses and
 * their allowed transitions, responsible units, public answers, internal
 * notes, and the event log that is both an item's history and the audit
 * log.
 *
 * Statuses: received → in_progress / planned → one of the outcomes
 * resolved, not_resolvable (with a resolution_reason), duplicate (with
 * duplicate_of) or forwarded (with forwarded_to). Any open status may go to
 * any other open status except back to received, or to an outcome; an
 * outcome may only be reopened, back to in_progress.
 *
 * Every change is written by the writer thread (api/writer.h) in one
 * savepoint with its feedback_event row: who (the staff name), when, what
 * kind, the changed fields before and after (JSON), the public answer and
 * the internal note. Public responses never read feedback_event; the
 * latest public answer is copied to feedback.answer / answered_at.
 */
#ifndef VK_WORKFLOW_H
#define VK_WORKFLOW_H

#include "db/ctx.h"
#include "feedback/jobs.h"
#include "http/request.h"
#include "auth/roles.h"
#include "http/route.h"

/* Routes (http/route.h):
 * GET /api/v1/staff/feedback/{id} (staff): the item and its history with
 *   the internal notes.
 * PATCH /api/v1/staff/feedback/{id} (moderators): JSON {status?, unit?,
 *   public_answer?, internal_note?, resolution_reason?, duplicate_of?,
 *   forwarded_to?, hidden?, description?, category?, geometry?,
 *   location_precision?}; 200 with the item's Feature
 *   (hidden items too). hidden and description are moderation's
 *   (moderation.h).
 * GET /api/v1/staff/audit (admins): the newest events of all items. */
#define WORKFLOW_ROUTES(R)                                                                  \
    R(VK_ANY_GET, "/api/v1/staff/feedback/{id}", api_staff_feedback_get, STAFF, 0, 0)       \
    R(VK_PATCH, "/api/v1/staff/feedback/{id}", api_staff_feedback_patch, MODERATOR, 0, 0)   \
    R(VK_ANY_GET, "/api/v1/staff/audit", api_staff_audit, ADMIN, 0, 0)
WORKFLOW_ROUTES(VK_ROUTE_HANDLER)
/* POST /api/v1/staff/feedback/bulk (moderators): {"ids": [1–200 item ids],
 * then either PATCH's handling members (status, unit, assignee,
 * public_answer, internal_note, resolution_reason, duplicate_of,
 * forwarded_to) or "merge_into" (with public_answer, internal_note)}. One
 * writer job: every item changes, each with its own event, or none does
 * (the refusal names the item). 200 {"changed": [ids], "count"}. Before
 * the {id} routes, which would match it too. */
#define WORKFLOW_BULK_ROUTES(R)                                                             \
    R(VK_POST, "/api/v1/staff/feedback/bulk", api_staff_feedback_bulk, MODERATOR, 0, 0)
WORKFLOW_BULK_ROUTES(VK_ROUTE_HANDLER)
/* The staff view of item id into b: {"feedback": Feature, "events": [...],
 * "staff": {...}} as role may see it (api_moderation_staff_json); hidden
 * and withdrawn items too. *found 0 (and b unfinished) if there is none. */
vk_err api_staff_view(vk_ctx *ctx, int64_t id, vk_role role, vk_buf *b, int *found);

/* A change's members read and checked for form from doc (the body of
 * PATCH /api/v1/staff/feedback/{id}) into ch; strings borrowed from doc.
 * OGC API's PUT and PATCH translate their Feature into the same object. */
vk_err api_workflow_read_change(const json_t *doc, vk_feedback_change *ch, vk_errinfo *ei);

/* public_answer from doc into ch: a string (the answer in one language,
 * as before), or {"fi", "sv", "en"} with at least one of them — the first
 * given of fi, sv, en becomes ch->public_answer (the answer as written),
 * sv and en also go to public_answer_sv/_en. Errors name public_answer or
 * public_answer.<lang>. Strings borrowed from doc. */
vk_err api_workflow_read_answer(const json_t *doc, vk_feedback_change *ch, vk_errinfo *ei);

/* On the writer thread, inside the job's savepoint: check ch against the
 * item's state now, write the new state and its event. */
vk_err api_workflow_apply(vk_ctx *ctx, const vk_feedback_change *ch, const char *now,
                          vk_errinfo *ei);

#endif
