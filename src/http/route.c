/* route.c — the route table and the matcher. */
#include "http/route.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feedback/feedback.h"
#include "ogc/ogc.h"
#include "open311/open311.h"
#include "reference/reference.h"
#include "auth/auth.h"
#include "exchange/export.h"
#include "feedback/moderation.h"
#include "stats/stats.h"
#include "feedback/workflow.h"
#include "http/static.h"

#define ANY_GET (VK_GET | VK_HEAD)

const vk_route vk_routes[] = {
    /* {methods, pattern, handler, who may call it, a rate-limited public write,
     *  always expensive (runs on the expensive-request threads)} */
    {ANY_GET, "/healthz", api_healthz, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/api/v1/config", api_config, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/api/v1/categories", api_categories, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/api/v1/districts", api_districts, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/api/v1/feedback", api_feedback_list, VK_ACCESS_PUBLIC, 0, 0},
    {VK_POST, "/api/v1/feedback", api_feedback_create, VK_ACCESS_PUBLIC, 1, 0},
    /* Duplicates, "me too", the reporter's follow-up link and merging
     * (moderation.c); nearby before {id}, which would match it too. */
    {ANY_GET, "/api/v1/feedback/nearby", api_feedback_nearby, VK_ACCESS_PUBLIC, 0, 0},
    {VK_POST, "/api/v1/feedback/{id}/me-too", api_feedback_me_too, VK_ACCESS_PUBLIC, 1, 0},
    {ANY_GET, "/api/v1/followup/{token}", api_followup_get, VK_ACCESS_PUBLIC, 0, 0},
    {VK_POST, "/api/v1/followup/{token}/withdraw", api_followup_withdraw, VK_ACCESS_PUBLIC, 1, 0},
    {VK_POST, "/api/v1/staff/feedback/{id}/merge", api_staff_feedback_merge, VK_ACCESS_MODERATOR, 0, 0},
    {ANY_GET, "/api/v1/feedback/{id}", api_feedback_get, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/api/v1/export/{file}", api_export_http, VK_ACCESS_PUBLIC, 0, 1},
    {ANY_GET, "/ogcapi", ogc_landing, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/ogcapi/", ogc_landing, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/ogcapi/conformance", ogc_conformance, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/ogcapi/api", ogc_api, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/ogcapi/collections", ogc_collections, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/ogcapi/collections/{collectionId}", ogc_collection, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/ogcapi/collections/{collectionId}/queryables", ogc_queryables, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/ogcapi/collections/{collectionId}/items", ogc_items, VK_ACCESS_PUBLIC, 0, 0},
    {VK_POST, "/ogcapi/collections/{collectionId}/items", ogc_items_create, VK_ACCESS_PUBLIC, 1, 0},
    {ANY_GET, "/ogcapi/collections/{collectionId}/items/{featureId}", ogc_item, VK_ACCESS_PUBLIC, 0, 0},
    /* Replace, update and delete are for moderators (501 until written). */
    {VK_PUT | VK_PATCH | VK_DELETE, "/ogcapi/collections/{collectionId}/items/{featureId}",
     ogc_item_staff, VK_ACCESS_MODERATOR, 0, 0},
    /* Staff sign-in; login is public, but counts failures (see auth.c). */
    {VK_POST, "/api/v1/auth/login", api_auth_login, VK_ACCESS_PUBLIC, 0, 0},
    {VK_POST, "/api/v1/auth/logout", api_auth_logout, VK_ACCESS_STAFF, 0, 0},
    {ANY_GET, "/api/v1/auth/me", api_auth_me, VK_ACCESS_STAFF, 0, 0},
    {ANY_GET, "/api/v1/staff/users", api_staff_users, VK_ACCESS_ADMIN, 0, 0},
    {VK_POST, "/api/v1/staff/users", api_staff_user_create, VK_ACCESS_ADMIN, 0, 0},
    {VK_PATCH, "/api/v1/staff/users/{name}", api_staff_user_patch, VK_ACCESS_ADMIN, 0, 0},
    /* The staff inbox (inbox.c) and the units it filters by (public). */
    {ANY_GET, "/api/v1/staff/feedback", api_staff_inbox, VK_ACCESS_STAFF, 0, 0},
    {ANY_GET, "/api/v1/units", api_units, VK_ACCESS_PUBLIC, 0, 0},
    /* Handling feedback (workflow.c): staff read, moderators change. */
    {ANY_GET, "/api/v1/staff/feedback/{id}", api_staff_feedback_get, VK_ACCESS_STAFF, 0, 0},
    {VK_PATCH, "/api/v1/staff/feedback/{id}", api_staff_feedback_patch, VK_ACCESS_MODERATOR, 0, 0},
    {ANY_GET, "/api/v1/staff/audit", api_staff_audit, VK_ACCESS_ADMIN, 0, 0},
    /* API tokens (auth.c): admins list and revoke; creating stays on the CLI. */
    {ANY_GET, "/api/v1/staff/tokens", api_staff_tokens, VK_ACCESS_ADMIN, 0, 0},
    {VK_DELETE, "/api/v1/staff/tokens/{tokenId}", api_staff_token_revoke, VK_ACCESS_ADMIN, 0, 0},
    /* Open311 GeoReport v2: {format} is json or xml; errors in its own format. */
    {ANY_GET, "/open311/v2/discovery.{format}", open311_discovery, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/open311/v2/services.{format}", open311_services, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/open311/v2/services/{service_code}.{format}", open311_service, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/open311/v2/requests.{format}", open311_requests, VK_ACCESS_PUBLIC, 0, 0},
    {VK_POST, "/open311/v2/requests.{format}", open311_requests_create, VK_ACCESS_PUBLIC, 1, 0},
    {ANY_GET, "/open311/v2/requests/{service_request_id}.{format}", open311_request, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/open311/v2/tokens/{token}.{format}", open311_token, VK_ACCESS_PUBLIC, 0, 0},
    /* Without a suffix: JSON. */
    {ANY_GET, "/open311/v2/discovery", open311_discovery, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/open311/v2/services", open311_services, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/open311/v2/services/{service_code}", open311_service, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/open311/v2/requests", open311_requests, VK_ACCESS_PUBLIC, 0, 0},
    {VK_POST, "/open311/v2/requests", open311_requests_create, VK_ACCESS_PUBLIC, 1, 0},
    {ANY_GET, "/open311/v2/requests/{service_request_id}", open311_request, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/open311/v2/tokens/{token}", open311_token, VK_ACCESS_PUBLIC, 0, 0},
    /* Aggregates (stats.c): public; unit-level figures need staff credentials. */
    {ANY_GET, "/api/v1/stats/feedback", api_stats_feedback, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/api/v1/stats/response-times", api_stats_response_times, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/api/v1/stats/choropleth", api_stats_choropleth, VK_ACCESS_PUBLIC, 0, 0},
    {ANY_GET, "/api/v1/stats/density", api_stats_density, VK_ACCESS_PUBLIC, 0, 0},
    /* Last: everything else that is not under /api or /open311 is a web client file. */
    {ANY_GET, "/**", http_static_file, VK_ACCESS_PUBLIC, 0, 0},
};
const int vk_routes_count = (int)(sizeof vk_routes / sizeof vk_routes[0]);

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
    if (n == API_FOLLOWUP_TOKEN_LEN) {
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

int vk_access_allows(vk_access access, vk_role role)
{
    switch (access) {
    case VK_ACCESS_PUBLIC: return 1;
    case VK_ACCESS_STAFF: return role != VK_ROLE_NONE;
    case VK_ACCESS_MODERATOR: return role == VK_ROLE_MODERATOR || role == VK_ROLE_ADMIN;
    case VK_ACCESS_PLANNER: return role == VK_ROLE_PLANNER || role == VK_ROLE_ADMIN;
    case VK_ACCESS_COUNCIL: return role == VK_ROLE_COUNCIL || role == VK_ROLE_ADMIN;
    case VK_ACCESS_ADMIN: return role == VK_ROLE_ADMIN;
    }
    return 0;
}

const char *vk_access_name(vk_access access)
{
    static const char *const names[] = {"public", "staff", "moderator", "planner", "council",
                                        "admin"};
    return (unsigned)access < sizeof names / sizeof names[0] ? names[access] : "?";
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

vk_route_result vk_route_match(vk_method method, const char *path, vk_req *req,
                               const vk_route **route, unsigned *allowed)
{
    *allowed = 0;
    /* The API namespace never falls through to static files. */
    int api = strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
              strncmp(path, "/open311/", 9) == 0;
    for (int i = 0; i < vk_routes_count; i++) {
        const vk_route *r = &vk_routes[i];
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
