/*
 * demo.h — the demo budgeting round of seeds/budgeting/imatra.json
 * (docs/budgeting.md, "Demo"), loaded by --demo.
 */
#ifndef VK_BUDGET_DEMO_H
#define VK_BUDGET_DEMO_H

#include "core/err.h"
#include "db/ctx.h"

/* Load seeds_dir/budgeting/imatra.json unless its round's slug is taken
 * (then *rounds and *ballots are 0). A seeds directory without budgeting/
 * (the tests' fixtures, a city's own seeds) loads none. A file that does
 * not pass the checks fails naming it and the member at fault. */
vk_err budget_demo_load(vk_ctx *ctx, const char *seeds_dir, int *rounds, int *ballots,
                        vk_errinfo *ei);

#endif
