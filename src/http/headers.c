/*
 * headers.c — the security headers every response carries (see headers.h
 * for the policy and why).
 */
#include "http/headers.h"

#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Characters a host (name, IPv4, [IPv6]) and port may have; anything else
 * (a quote, a semicolon, a space) could add to the policy. */
static int host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
}

vk_err http_tiles_origin(const char *tiles_url, char *out, size_t cap, vk_errinfo *ei)
{
    out[0] = '\0';
    if (!tiles_url || !*tiles_url || (tiles_url[0] == '/' && tiles_url[1] != '/'))
        return VK_OK; /* none, or a path here: 'self' covers it */
    const char *scheme = "";
    const char *host = tiles_url;
    if (strncmp(host, "https://", 8) == 0)
        scheme = "https://", host += 8;
    else if (strncmp(host, "http://", 7) == 0)
        scheme = "http://", host += 7;
    else if (strncmp(host, "//", 2) == 0)
        host += 2; /* the page's own scheme */
    else
        return vk_fail(ei, VK_EVALUE, "tiles",
                       "--tiles: '%s' is not an http:// or https:// address", tiles_url);
    size_t n = strcspn(host, "/?#");
    /* A placeholder ({s}, {switch:a,b}) in the host: every label up to the
     * last one holding it becomes "*" (a policy allows "*." only in front). */
    const char *from = host, *brace = NULL;
    for (const char *p = host; p < host + n; p++)
        if (*p == '}')
            brace = p;
    if (brace) {
        const char *dot = memchr(brace, '.', (size_t)(host + n - brace));
        if (!dot || dot + 1 >= host + n)
            return vk_fail(ei, VK_EVALUE, "tiles",
                           "--tiles: the host of '%s' is only a placeholder", tiles_url);
        from = dot; /* keeps the dot: "*" + ".tile.example.org" */
    }
    for (const char *p = from; p < host + n; p++)
        if (!host_char(*p) || (p == from && !brace && *p == '.'))
            return vk_fail(ei, VK_EVALUE, "tiles",
                           "--tiles: the host of '%s' has characters a host cannot have", tiles_url);
    if (from == host + n)
        return vk_fail(ei, VK_EVALUE, "tiles", "--tiles: '%s' has no host", tiles_url);
    int len = snprintf(out, cap, "%s%s%.*s", scheme, brace ? "*" : "", (int)(host + n - from), from);
    if (len < 0 || (size_t)len >= cap) {
        out[0] = '\0';
        return vk_fail(ei, VK_ETOO_LONG, "tiles", "--tiles: the host of '%s' is too long", tiles_url);
    }
    return VK_OK;
}

/* " 'sha256-…'" for each <tag>…</tag> block without attributes in html,
 * appended to out (cap bytes); -1 when they do not fit. */
static int inline_hashes(const char *html, const char *tag, char *out, size_t cap)
{
    char open[16], close[16];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    for (const char *p = html; p && (p = strstr(p, open)) != NULL;) {
        p += strlen(open);
        const char *end = strstr(p, close);
        if (!end)
            break;
        unsigned char sum[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(sum, (const unsigned char *)p, (unsigned long long)(end - p));
        char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, sum, sizeof sum, sodium_base64_VARIANT_ORIGINAL);
        size_t len = strlen(out);
        int n = snprintf(out + len, cap - len, " 'sha256-%s'", b64);
        if (n < 0 || (size_t)n >= cap - len)
            return -1;
        p = end + strlen(close);
    }
    return 0;
}

vk_err http_csp_build(const char *tiles_url, const char *page_html, char *out, size_t cap,
                      vk_errinfo *ei)
{
    char origin[512];
    vk_err e = http_tiles_origin(tiles_url, origin, sizeof origin, ei);
    if (e)
        return e;
    /* The resident page's own <script> and <style> blocks, by their hash
     * (scripts/resident-page.mjs puts them there: on a slow line the page
     * is usable a round trip sooner); nothing else inline runs. */
    char scripts[512] = "", styles[512] = "";
    if (page_html && (inline_hashes(page_html, "script", scripts, sizeof scripts) ||
                      inline_hashes(page_html, "style", styles, sizeof styles)))
        return vk_fail(ei, VK_ETOO_LONG, "web", "index.html has too many inline blocks");
    /* style-src without 'unsafe-inline': Leaflet sets positions and sizes
     * through element.style (the CSSOM), which a policy does not govern,
     * and no page has a style attribute. */
    int len = snprintf(out, cap,
                       "default-src 'self'; script-src 'self'%s; object-src 'none'; "
                       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'; "
                       "img-src 'self' data:%s%s; style-src 'self'%s",
                       scripts, origin[0] ? " " : "", origin, styles);
    if (len < 0 || (size_t)len >= cap)
        return vk_fail(ei, VK_ETOO_LONG, "tiles", "--tiles: the address is too long");
    return VK_OK;
}

void http_headers_add_security(struct MHD_Response *r, const char *csp)
{
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    /* The follow-up page's address holds the reporter's private token (in
     * the fragment, which no Referer carries, but nothing is lost by
     * sending no Referer at all); no page needs one. The basemap's tile
     * layer asks for its own origin-only policy in the client. */
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
}
