/*
 * headers.h — the security headers every response carries.
 *
 * The web client's pages show text that residents and staff wrote; the
 * Content-Security-Policy is the second line of defence should any of it
 * ever reach the DOM as markup: scripts only from this origin (no inline
 * script but the resident page's own, allowed by its hash; no event-handler
 * attributes, no eval), no plugins, no <base>,
 * no framing, forms post only here, images only from here, data: URLs
 * (Leaflet) and the configured basemap's origin. The policy is built once
 * at start from --tiles; server.c adds it, with the other headers, to
 * every response it queues (API, files, streams, errors).
 */
#ifndef VK_HTTP_HEADERS_H
#define VK_HTTP_HEADERS_H

#include <stddef.h>

#include "core/err.h"

struct MHD_Response;

/* Room for a policy with the longest origin a template may have and the
 * resident page's inline blocks' hashes. */
#define HTTP_CSP_MAX 2048

/* The origin of an XYZ tile template, into out (cap bytes): for
 * https:// {s}.tile.example.org/{z}/{x}/{y}.png it is https:// and
 * *.tile.example.org (a placeholder in the host widens the labels up to
 * it to one "*", the only wildcard a policy knows). A template
 * without a scheme and host (a path on this server) gives "". VK_EVALUE
 * with ei (field "tiles") when the origin cannot be written in a policy:
 * another scheme, characters outside a host name, nothing left of the host.
 * Pure; for the unit tests too. */
vk_err http_tiles_origin(const char *tiles_url, char *out, size_t cap, vk_errinfo *ei);

/* The Content-Security-Policy for a basemap template (NULL: no basemap)
 * into out (cap bytes, HTTP_CSP_MAX is enough), allowing each <script>
 * and <style> block without attributes of page_html (the resident page,
 * web/index.html; NULL: none) by its SHA-256. Errors as http_tiles_origin,
 * and VK_ETOO_LONG (field "web") for more blocks than fit. */
vk_err http_csp_build(const char *tiles_url, const char *page_html, char *out, size_t cap,
                      vk_errinfo *ei);

/* Adds the Content-Security-Policy csp (borrowed, copied by MHD) and the
 * other security headers to r. */
void http_headers_add_security(struct MHD_Response *r, const char *csp);

#endif
