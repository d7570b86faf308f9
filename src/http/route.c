/* route.c — the matcher (the table is cli/routes.c) and the log path. */
#include "http/route.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Paths whose next segment is a secret (the reporter's follow-up token):
 * it is never written to a log. The path is the client's, so it may be in
 * any form that reaches a token: extra slashes ("//api/v1/followup/T",
 * "/api/v1//followup/T", "/api/v1/followup//T"), another case, or a token
 * on its own where it does not belong. Segments are therefore checked one
 * by one: the first non-empty segment after any "followup" segment is
 * redacted, and so is any segment shaped like a secret (a follow-up token:
 * 43 base64url characters; an API token or session id: 64 hex digits). */
static int secret_shaped(const char *s, size_t n)
{
    if (n == VK_ROUTE_SECRET_LEN) {
        for (size_t i = 0; i < n; i++)
            if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
                return 0;
        return 1;
    }
    if (n == 64) {
        for (size_t i = 0; i < n; i++)
            if (!isxdigit((unsigned char)s[i]))
                return 0;
        return 1;
    }
    return 0;
}

char *vk_route_log_path(const char *path)
{
    static const char redacted[] = "[redacted]";
    size_t len = strlen(path);
    /* A redacted segment is never longer than "[redacted]" more than it. */
    size_t cap = len + (len / 2 + 1) * (sizeof redacted - 1) + 1;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t o = 0;
    int after_followup = 0;
    for (const char *p = path; *p;) {
        if (*p == '/') {
            out[o++] = *p++;
            continue;
        }
        size_t n = strcspn(p, "/");
        if (after_followup || secret_shaped(p, n)) {
            memcpy(out + o, redacted, sizeof redacted - 1);
            o += sizeof redacted - 1;
            after_followup = 0;
        } else {
            memcpy(out + o, p, n);
            o += n;
            after_followup = n == 8 && strncasecmp(p, "followup", 8) == 0;
        }
        p += n;
    }
    out[o] = '\0';
    return out;
}

/* One segment with captures: "{id}", "discovery.{format}", "{id}.{format}".
 * Literal text must match; a capture is non-empty and runs to the last
 * place where the literal text after it matches (so "{id}.{format}" splits
 * "7.json" at its last dot). */
static int segment_match(const char *pat, size_t plen, const char *seg, size_t slen,
                         const char **caps, size_t *caplen, int *ncaps)
{
    size_t p = 0, s = 0;
    while (p < plen) {
        if (pat[p] != '{') {
            if (s >= slen || pat[p] != seg[s])
                return 0;
            p++;
            s++;
            continue;
        }
        const char *close = memchr(pat + p, '}', plen - p);
        if (!close || *ncaps == VK_MAX_ROUTE_ARGS)
            return 0;
        size_t lit = (size_t)(close + 1 - pat), litend = lit;
        while (litend < plen && pat[litend] != '{')
            litend++;
        size_t llen = litend - lit, end = slen;
        if (llen) {
            /* the capture ends where the last match of the literal starts */
            end = 0;
            for (size_t k = slen >= llen ? slen - llen : 0; k > s && !end; k--)
                if (k + llen <= slen && memcmp(seg + k, pat + lit, llen) == 0)
                    end = k;
        }
        if (end <= s)
            return 0;
        caps[*ncaps] = seg + s;
        caplen[(*ncaps)++] = end - s;
        s = end;
        p = lit;
    }
    return s == slen;
}

/* Match one pattern; captures go to caps (pointers into path, lengths). */
static int pattern_match(const char *pat, const char *path, const char **caps, size_t *caplen,
                         int *ncaps)
{
    *ncaps = 0;
    while (*pat && *path) {
        if (*pat != '/' || *path != '/')
            return 0;
        pat++;
        path++;
        if (strcmp(pat, "**") == 0)
            return 1;
        const char *pend = strchr(pat, '/');
        size_t plen = pend ? (size_t)(pend - pat) : strlen(pat);
        size_t slen = strcspn(path, "/");
        if (memchr(pat, '{', plen)) {
            if (!segment_match(pat, plen, path, slen, caps, caplen, ncaps))
                return 0;
        } else if (plen != slen || strncmp(pat, path, plen) != 0) {
            return 0;
        }
        pat += plen;
        path += slen;
    }
    return *pat == '\0' && *path == '\0';
}

vk_route_result vk_route_match(const vk_route_table *table, vk_method method, const char *path,
                               vk_req *req, const vk_route **route, unsigned *allowed)
{
    *allowed = 0;
    /* The API namespace never falls through to static files. */
    int api = strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
              strncmp(path, "/open311/", 9) == 0;
    for (int i = 0; i < table->count; i++) {
        const vk_route *r = &table->routes[i];
        const char *caps[VK_MAX_ROUTE_ARGS];
        size_t caplen[VK_MAX_ROUTE_ARGS];
        int ncaps;
        int catch_all = strcmp(r->pattern, "/**") == 0;
        if (catch_all && api)
            continue;
        if (!pattern_match(r->pattern, path, caps, caplen, &ncaps))
            continue;
        if (r->methods & method) {
            for (int k = 0; k < ncaps; k++)
                req->args[k] = vk_arena_strndup(req->arena, caps[k], caplen[k]);
            req->nargs = ncaps;
            *route = r;
            return VK_ROUTE_FOUND;
        }
        /* A method not served by the catch-all means "no such resource". */
        if (!catch_all)
            *allowed |= r->methods;
    }
    return *allowed ? VK_ROUTE_BAD_METHOD : VK_ROUTE_NOT_FOUND;
}

void vk_route_allow_header(unsigned methods, char *buf, size_t n)
{
    static const vk_method order[] = {VK_GET, VK_HEAD, VK_POST, VK_PUT, VK_PATCH, VK_DELETE};
    size_t used = 0;
    buf[0] = '\0';
    methods |= VK_OPTIONS;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!(methods & order[i]))
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", vk_method_name(order[i]));
        if (w < 0 || (size_t)w >= n - used)
            return;
        used += (size_t)w;
    }
    snprintf(buf + used, n - used, "%sOPTIONS", used ? ", " : "");
}
