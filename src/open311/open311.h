/*
 * open311.h — Open311 GeoReport v2 at /open311/v2 (its own error format).
 */
#ifndef VK_OPEN311_OPEN311_H
#define VK_OPEN311_OPEN311_H

#include "db/ctx.h"
#include "http/request.h"

vk_err open311_discovery(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err open311_services(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err open311_service(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err open311_requests(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err open311_requests_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err open311_request(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
vk_err open311_token(vk_ctx *ctx, const vk_req *req, vk_resp *resp);


#endif
