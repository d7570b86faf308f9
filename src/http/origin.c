/* origin.c — refusing writes from other sites' pages (see origin.h). */
#include "http/origin.h"

#include <string.h>
#include <strings.h>

/* 1 when the authority of origin ("scheme://host[:port]") is host. */
static int origin_is(const char *origin, const char *host)
{
    if (!host || !*host)
        return 0;
    const char *p = strstr(origin, "://");
    if (!p)
        return 0;
    p += 3;
    size_t n = strcspn(p, "/");
    /* X-Forwarded-Host may list the proxies' hosts: the first is the client's. */
    size_t h = strcspn(host, ", ");
    return n == h && strncasecmp(p, host, n) == 0;
}

int http_cross_site(const char *sec_fetch_site, const char *origin, const char *host,
                    const char *forwarded_host, vk_errinfo *ei)
{
    if (sec_fetch_site && strcasecmp(sec_fetch_site, "cross-site") == 0) {
        vk_fail(ei, VK_ECROSS_SITE, "Sec-Fetch-Site",
                "Sec-Fetch-Site says this comes from another site's page; "
                "use this service's own pages");
        return 1;
    }
    /* The browser vouches for it: also behind a proxy that rewrites Host. */
    if (sec_fetch_site && (strcasecmp(sec_fetch_site, "same-origin") == 0 ||
                           strcasecmp(sec_fetch_site, "none") == 0))
        return 0;
    if (!origin)
        return 0;
    if (origin_is(origin, host) || origin_is(origin, forwarded_host))
        return 0;
    vk_fail(ei, VK_ECROSS_SITE, "Origin",
            "the Origin header names another site than this one; use this service's own pages");
    return 1;
}
