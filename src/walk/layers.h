/*
 * layers.h — walks and their findings as the OGC API collections `walks`
 * and `walk-findings` (docs/walks.md "GIS"), served through a provider of
 * features/registry.h.
 */
#ifndef VK_WALK_LAYERS_H
#define VK_WALK_LAYERS_H

#include "core/err.h"

/* Register the provider, before serving starts. */
vk_err walk_layers_register(vk_errinfo *ei);

#endif
