/*
 * demo.h — the demo walks of seeds/walks/ (docs/walks.md "Demo").
 */
#ifndef VK_WALK_DEMO_H
#define VK_WALK_DEMO_H

#include "core/err.h"
#include "db/ctx.h"

/* Load seeds_dir/walks/demo-*.json when the database has no walk yet:
 * *walks and *findings say how many were added (0 when there were walks
 * already). A file that does not pass the checks fails naming it. */
vk_err walk_demo_load(vk_ctx *ctx, const char *seeds_dir, int *walks, int *findings,
                      vk_errinfo *ei);

#endif
