/*
 * static.h — the web client's files, served from --web DIR.
 * A request path can never name a file outside that directory: dot
 * segments are refused outright and the resolved real path must lie
 * inside the directory's real path (so symlinks cannot lead out either).
 */
#ifndef VK_STATIC_H
#define VK_STATIC_H

#include "db/ctx.h"
#include "http/request.h"

vk_err http_static_file(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
/* Media type for a file name, by extension. Static string. */
const char *http_static_type(const char *name);

/* Accept-Encoding ae (NULL: none) names gzip, and not with q=0. */
int http_accepts_gzip(const char *ae);
/* Text worth compressing: text, scripts, JSON, SVG. */
int http_compressible(const char *type);
/* len bytes at data, gzip-compressed (level 6), into out (reset first);
 * 0 on success, -1 (out empty) on failure. */
int http_gzip(const void *data, size_t len, vk_buf *out);

#endif
