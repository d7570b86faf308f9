/*
 * reference.h — meta.c: /api/v1/config, healthz and the reference lists; seed.c: reference areas, categories and demo content.
 */
#ifndef VK_REFERENCE_REFERENCE_H
#define VK_REFERENCE_REFERENCE_H

#include "db/ctx.h"
#include "reference/store_reference.h"
#include "http/request.h"

vk_err api_healthz(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err api_config(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err api_categories(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err api_districts(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err api_units(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

/* Load geo/ and the categories when the database has none yet. */
vk_err api_seed_reference(vk_ctx *ctx, const char *geo_dir, const char *seeds_dir,
                          vk_errinfo *ei);
/* Load seeds/demo-feedback.geojson when there is no feedback yet;
 * *added reports how many items were added (0 on a second run). */
vk_err api_seed_demo(vk_ctx *ctx, const char *seeds_dir, int *added, vk_errinfo *ei);
/* Replace boundary, districts and accessibility areas from dir and
 * re-assign every feedback item's district, in one transaction. */
vk_err api_load_geo(vk_ctx *ctx, const char *dir, int64_t *reassigned, vk_errinfo *ei);


#endif
