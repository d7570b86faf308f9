/*
 * edit.h — OGC API - Features Part 4 (Create, Replace, Update, Delete) on
 * the feedback collection, and the entity tags its optimistic concurrency
 * rests on (docs/ogcapi.md, "Editing").
 *
 * An item's ETag is a hash of its Feature as GeoJSON in CRS84 (every
 * public property, the geometry, the id): whatever a client can see
 * changing changes it. PUT, PATCH and DELETE need If-Match with the tag
 * (428 without), and the writer job compares it again inside its
 * transaction, so two moderators who read the same version cannot both
 * write: the second gets 412.
 */
#ifndef VK_OGC_EDIT_H
#define VK_OGC_EDIT_H

#include "core/buf.h"
#include "db/ctx.h"
#include "features/collections.h"
#include "http/request.h"

#define OGC_ETAG_LEN 36 /* "\"" + 32 hex + "\"" + NUL, rounded */

/* The ETag of the Feature text json (n bytes) into etag. */
void ogc_etag_of(const char *json, size_t n, char etag[OGC_ETAG_LEN]);

/* Item id of col as a Feature in CRS84 into b (hidden and withdrawn items
 * too when nonpublic) and its ETag; *found 0 when there is none. */
vk_err ogc_item_state(vk_ctx *ctx, const store_collection *col, int64_t id, int nonpublic,
                      vk_buf *b, char etag[OGC_ETAG_LEN], int *found);

/* 1 when the caller may see hidden and withdrawn items (moderators,
 * admins): their item GETs, and so their ETags, include them. */
int ogc_sees_nonpublic(const vk_req *req);

/* PUT, PATCH and DELETE on …/items/{featureId} (moderators). */
vk_err ogc_item_edit(vk_ctx *ctx, const vk_req *req, vk_resp *resp, const store_collection *col);

#endif
