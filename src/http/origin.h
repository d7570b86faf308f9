/*
 * origin.h — is a write coming from a page of another site?
 *
 * A page on any site can make a visitor's browser send a form (or a
 * simple fetch) to us, with the visitor's address and cookies: a "me too"
 * counted on every visit of that page, an Open311 report filed in the
 * visitor's name. Browsers say where a request comes from in headers a
 * page cannot set: Sec-Fetch-Site (same-origin, same-site, cross-site,
 * none) and Origin (scheme://host[:port], or "null"). Programs (Open311
 * apps, curl, integrations) send neither and are not affected.
 */
#ifndef VK_ORIGIN_H
#define VK_ORIGIN_H

#include "core/err.h"

/* 1 (with ei: VK_ECROSS_SITE, field the header at fault) when a write with
 * these headers (each NULL when absent) comes from another site's page:
 * Sec-Fetch-Site is cross-site, or (unless it is same-origin or none) an
 * Origin whose host[:port] is neither host nor forwarded_host (the Host and
 * X-Forwarded-Host headers), or Origin "null". 0 otherwise. */
int http_cross_site(const char *sec_fetch_site, const char *origin, const char *host,
                    const char *forwarded_host, vk_errinfo *ei);

#endif
