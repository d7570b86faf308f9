/*
 * ogc.h — OGC API - Features handlers.
 */
#ifndef VK_OGC_OGC_H
#define VK_OGC_OGC_H

#include "db/ctx.h"
#include "http/request.h"

vk_err ogc_landing(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_conformance(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_api(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_collections(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_collection(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_queryables(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_items(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_items_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_item(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err ogc_item_staff(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

/* The OpenAPI 3.0 document (docs/openapi.json, compiled in). */
extern const char api_openapi_json[];

#endif
