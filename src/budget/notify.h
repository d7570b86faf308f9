/*
 * notify.h — budgeting's mail: voters who asked are told when a round's
 * results are out (docs/mail.md).
 */
#ifndef VK_BUDGET_NOTIFY_H
#define VK_BUDGET_NOTIFY_H

#include <stdint.h>

#include "budget/round.h"
#include "db/ctx.h"
#include "db/writer.h"
#include "http/request.h"

/* POST /api/v1/budget/rounds/{slug}/subscriptions {"email", "language",
 * "consent": true}: 201 {"subscribed": true, "language"}. */
vk_err api_budget_subscribe(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

/* Inside the writer job that set round round_id's phase (now phase):
 * at its results, queue the message to those who asked, once (the round
 * notes it); before them, forget that it was sent, so results reached
 * again are told again. */
vk_err budget_notify_results(vk_ctx *ctx, int64_t round_id, const budget_round *r,
                             budget_phase phase, const char *now, vk_errinfo *ei);

/* The writer's hourly check: published rounds that reached their results
 * by their dates tell those who asked (in a transaction each). */
extern const vk_writer_hook budget_results_hook;

#endif
