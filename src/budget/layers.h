/*
 * layers.h — budgeting's OGC API collections (docs/budgeting.md, "OGC
 * API"): budget-proposals (public proposals of published rounds) and
 * budget-projects (the projects of published rounds), each with the
 * property round to filter on. Served through a provider of
 * features/registry.h, so ogc/ knows nothing of budgeting.
 */
#ifndef VK_BUDGET_LAYERS_H
#define VK_BUDGET_LAYERS_H

#include "core/err.h"

/* At start-up, before serving. */
vk_err budget_layers_register(vk_errinfo *ei);

#endif
