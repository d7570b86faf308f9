/*
 * notify.h — budgeting's mail: voters who asked are told when a round's
 * results are out (docs/mail.md).
 */
#ifndef VK_BUDGET_NOTIFY_H
#define VK_BUDGET_NOTIFY_H

#include <stdint.h>

#include "budget/round.h"
#include "db/ctx.h"
#include "http/request.h"

/* POST /api/v1/budget/rounds/{slug}/subscriptions {"email", "language",
 * "consent": true}: 201 {"subscribed": true, "language"}. */
vk_err api_budget_subscribe(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

/* Inside the writer job that moved round round_id from phase before to
 * after: when after is the results, queue the message to those who
 * asked. */
vk_err budget_notify_results(vk_ctx *ctx, int64_t round_id, const budget_round *r,
                             budget_phase before, budget_phase after, const char *now,
                             vk_errinfo *ei);

#endif
