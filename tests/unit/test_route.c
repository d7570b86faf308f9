/* test_route.c — the route table and the static files' safety. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feedback/feedback.h"
#include "ogc/ogc.h"
#include "open311/open311.h"
#include "http/headers.h"
#include "http/limits.h"
#include "http/origin.h"
#include "http/route.h"
#include "features/registry.h"
#include "stats/stats.h"
#include "cli/routes.h"
#include "http/static.h"
#include "t.h"
#include "tmp.h"

static vk_route_result match(vk_method m, const char *path, const vk_route **r, unsigned *allowed,
                             vk_req *req)
{
    return vk_route_match(&vk_route_table_all, m, path, req, r, allowed);
}

static void test_routes(void)
{
    vk_arena arena;
    vk_arena_init(&arena, 0);
    vk_req req = {.arena = &arena};
    const vk_route *r = NULL;
    unsigned allowed = 0;
    T_EQ_INT(match(VK_GET, "/api/v1/feedback", &r, &allowed, &req), VK_ROUTE_FOUND, "GET feedback");
    T_OK(r && r->handler == api_feedback_list, "→ list handler");
    T_EQ_INT(match(VK_POST, "/api/v1/feedback", &r, &allowed, &req), VK_ROUTE_FOUND, "POST feedback");
    T_OK(r && r->handler == api_feedback_create, "→ create handler");
    T_EQ_INT(match(VK_GET, "/api/v1/feedback/42", &r, &allowed, &req), VK_ROUTE_FOUND, "GET one");
    T_OK(req.nargs == 1 && strcmp(req.args[0], "42") == 0, "captures the id");
    T_EQ_INT(match(VK_DELETE, "/api/v1/feedback", &r, &allowed, &req), VK_ROUTE_BAD_METHOD,
             "DELETE is not allowed");
    T_OK(allowed == (VK_GET | VK_HEAD | VK_POST), "allowed methods collected");
    char allow[96];
    vk_route_allow_header(allowed, allow, sizeof allow);
    T_EQ_STR(allow, "GET, HEAD, POST, OPTIONS", "Allow header");
    T_EQ_INT(match(VK_GET, "/api/v1/nothing", &r, &allowed, &req), VK_ROUTE_NOT_FOUND,
             "unknown API path is 404, never a static file");
    T_EQ_INT(match(VK_GET, "/api/v1/feedback/42/extra", &r, &allowed, &req), VK_ROUTE_NOT_FOUND,
             "extra segments do not match");
    T_EQ_INT(match(VK_GET, "/api/v1/feedback/nearby", &r, &allowed, &req), VK_ROUTE_FOUND,
             "nearby");
    T_OK(r && r->handler == api_feedback_nearby, "→ nearby, not the {id} route");
    char *logged = vk_route_log_path("/api/v1/followup/SeCrEt-token_123/withdraw");
    T_EQ_STR(logged ? logged : "", "/api/v1/followup/[redacted]/withdraw",
             "a follow-up token is never logged");
    free(logged);
    /* Any form of the path that reaches a token (issue 19, 8f). */
    static const char *const hostile[][2] = {
        {"//api/v1/followup/abc", "//api/v1/followup/[redacted]"},
        {"/api/v1//followup/abc/withdraw", "/api/v1//followup/[redacted]/withdraw"},
        {"/api/v1/followup//abc", "/api/v1/followup//[redacted]"},
        {"/x/FollowUp/abc", "/x/FollowUp/[redacted]"},
        {"/api/v1/followup", "/api/v1/followup"},
        {"/zZ0-_zZ0-_zZ0-_zZ0-_zZ0-_zZ0-_zZ0-_zZ0-_zZ0", "/[redacted]"},
        {"/follow.html/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
         "/follow.html/[redacted]"},
        {"/a/b/c/d", "/a/b/c/d"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        logged = vk_route_log_path(hostile[i][0]);
        T_EQ_STR(logged ? logged : "(null)", hostile[i][1], hostile[i][0]);
        free(logged);
    }
    logged = vk_route_log_path("/api/v1/feedback/7");
    T_EQ_STR(logged ? logged : "", "/api/v1/feedback/7", "other paths are logged as they are");
    free(logged);
    T_EQ_INT(match(VK_GET, "/app.js", &r, &allowed, &req), VK_ROUTE_FOUND, "other paths are static");
    T_OK(r && r->handler == http_static_file, "→ static handler");
    T_EQ_INT(match(VK_POST, "/app.js", &r, &allowed, &req), VK_ROUTE_NOT_FOUND,
             "POST to a static path is 404");
    /* Captures inside a segment: Open311's {id}.{format}. */
    T_EQ_INT(match(VK_GET, "/open311/v2/requests/42.json", &r, &allowed, &req), VK_ROUTE_FOUND,
             "Open311 request with a suffix");
    T_OK(r && r->handler == open311_request && req.nargs == 2 &&
             strcmp(req.args[0], "42") == 0 && strcmp(req.args[1], "json") == 0,
         "id and format captured");
    T_EQ_INT(match(VK_GET, "/open311/v2/requests/a.b.xml", &r, &allowed, &req), VK_ROUTE_FOUND,
             "the format is after the last dot");
    T_OK(req.nargs == 2 && strcmp(req.args[0], "a.b") == 0 && strcmp(req.args[1], "xml") == 0,
         "a.b + xml");
    T_EQ_INT(match(VK_GET, "/open311/v2/requests/42", &r, &allowed, &req), VK_ROUTE_FOUND,
             "without a suffix");
    T_OK(r && r->handler == open311_request && req.nargs == 1, "one capture");
    T_EQ_INT(match(VK_GET, "/open311/v2/services.xml", &r, &allowed, &req), VK_ROUTE_FOUND,
             "literal prefix + capture");
    T_OK(r && r->handler == open311_services && req.nargs == 1 && strcmp(req.args[0], "xml") == 0,
         "services + xml");
    T_EQ_INT(match(VK_POST, "/open311/v2/requests.json", &r, &allowed, &req), VK_ROUTE_FOUND,
             "POST requests.json");
    T_OK(r && r->handler == open311_requests_create, "→ create");
    T_EQ_INT(match(VK_GET, "/open311/v2/services.", &r, &allowed, &req), VK_ROUTE_NOT_FOUND,
             "an empty capture does not match");
    T_EQ_INT(match(VK_GET, "/open311/v2/.json", &r, &allowed, &req), VK_ROUTE_NOT_FOUND,
             "nothing before the dot");
    T_EQ_INT(match(VK_GET, "/open311/v2/missing.json", &r, &allowed, &req), VK_ROUTE_NOT_FOUND,
             "/open311 is never a static file");
    vk_arena_fini(&arena);
}

/* The OpenAPI document describes every route (and the route table has
 * nothing the document does not know). */
static void test_openapi_covers_routes(void)
{
    json_error_t err;
    json_t *doc = json_loads(api_openapi_json, 0, &err);
    T_OK(doc != NULL, "the OpenAPI document is JSON");
    json_t *paths = json_object_get(doc, "paths");
    for (int i = 0; i < vk_routes_count; i++) {
        const char *p = vk_routes[i].pattern;
        if (strcmp(p, "/**") == 0 || strcmp(p, "/ogcapi/") == 0)
            continue; /* the web client's files; the landing page's alias */
        json_t *item = json_object_get(paths, p);
        T_OK(item != NULL, "OpenAPI describes %s", p);
        static const struct {
            unsigned m;
            const char *name;
        } ms[] = {{VK_GET, "get"}, {VK_POST, "post"}, {VK_PUT, "put"}, {VK_PATCH, "patch"},
                  {VK_DELETE, "delete"}};
        for (size_t k = 0; item && k < sizeof ms / sizeof ms[0]; k++)
            if (vk_routes[i].methods & ms[k].m)
                T_OK(json_object_get(item, ms[k].name) != NULL, "OpenAPI has %s %s", ms[k].name, p);
    }
    json_decref(doc);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_static(void)
{
    char web[600], outside[600], link[700];
    snprintf(web, sizeof web, "%s", t_path("web"));
    mkdir(web, 0700);
    snprintf(outside, sizeof outside, "%s", t_path("secret.txt"));
    write_file(outside, "secret");
    char index[700];
    snprintf(index, sizeof index, "%s/index.html", web);
    write_file(index, "<!doctype html>");
    snprintf(link, sizeof link, "%s/escape.txt", web);
    T_OK(symlink(outside, link) == 0, "symlink out of web/ made");

    vk_config cfg = {.web_dir = web};
    vk_ctx ctx = {.cfg = &cfg};
    vk_arena arena;
    vk_arena_init(&arena, 0);
    const char *refused[] = {"/../secret.txt", "/./index.html", "/.hidden", "//etc/passwd",
                             "/escape.txt", "/a\\..\\b", "/missing.html", "/sub/../index.html"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        vk_req req = {.path = refused[i], .arena = &arena};
        vk_resp resp;
        vk_resp_init(&resp, 1024);
        T_EQ_INT(http_static_file(&ctx, &req, &resp), VK_ENOT_FOUND, "refused: %s", refused[i]);
        vk_resp_fini(&resp);
    }
    vk_req req = {.path = "/", .arena = &arena};
    vk_resp resp;
    vk_resp_init(&resp, 1024);
    T_EQ_INT(http_static_file(&ctx, &req, &resp), VK_OK, "/ serves index.html");
    T_OK(resp.file_path && strstr(resp.file_path, "index.html"), "the file is index.html");
    T_EQ_STR(resp.content_type, "text/html; charset=utf-8", "as HTML");
    vk_resp_fini(&resp);
    T_EQ_STR(http_static_type("x.JS"), "text/javascript; charset=utf-8", "types by extension");
    vk_arena_fini(&arena);
}

/* The basemap's origin for the Content-Security-Policy's img-src. */
static void test_csp(void)
{
    static const struct {
        const char *tiles, *origin;
    } ok[] = {
        {NULL, ""},
        {"/tiles/{z}/{x}/{y}.png", ""},
        {"https://tile.example.org/{z}/{x}/{y}.png", "https://tile.example.org"},
        {"https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"},
        {"https://tile-{s}.maps.example.fi/{z}/{x}/{y}.png?key=1", "https://*.maps.example.fi"},
        {"http://127.0.0.1:8081/{z}/{x}/{y}.png", "http://127.0.0.1:8081"},
        {"//tiles.example.org/{z}/{x}/{y}.png", "tiles.example.org"},
    };
    char out[HTTP_CSP_MAX];
    vk_errinfo ei;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        T_EQ_INT(http_tiles_origin(ok[i].tiles, out, sizeof out, &ei), VK_OK, "origin of %s",
                 ok[i].tiles ? ok[i].tiles : "(none)");
        T_EQ_STR(out, ok[i].origin, "origin of %s", ok[i].tiles ? ok[i].tiles : "(none)");
    }
    /* Nothing that could add a directive or a source of script. */
    static const char *bad[] = {
        "javascript:alert(1)", "data:text/html,x", "ftp://tiles.example.org/{z}.png",
        "https://tiles.example.org;script-src *", "https://a'b.example.org/{z}",
        "https://{s}/{z}/{x}/{y}.png", "https:///{z}", "https://tile .example.org/",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        T_EQ_INT(http_tiles_origin(bad[i], out, sizeof out, &ei), VK_EVALUE, "refused: %s", bad[i]);
    T_EQ_INT(http_csp_build("https://{s}.tile.example.org/{z}/{x}/{y}.png", NULL, out, sizeof out, &ei),
             VK_OK, "a policy with a basemap");
    T_OK(strstr(out, "script-src 'self';") && strstr(out, "object-src 'none'") &&
             strstr(out, "frame-ancestors 'none'") &&
             strstr(out, "img-src 'self' data: https://*.tile.example.org;"),
         "the policy: %s", out);
    T_EQ_INT(http_csp_build(NULL, NULL, out, sizeof out, &ei), VK_OK, "a policy without a basemap");
    T_OK(strstr(out, "img-src 'self' data:;") != NULL, "img-src without a basemap: %s", out);
    /* The resident page's inline blocks, by hash (sha256("abc")); a script
     * with src= is not inline and adds nothing. */
    T_EQ_INT(http_csp_build(NULL, "<style>abc</style><script src=\"/x.js\"></script><script>abc</script>",
                            out, sizeof out, &ei), VK_OK, "a policy for a page with inline blocks");
    T_OK(strstr(out, "script-src 'self' 'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=';") &&
             strstr(out, "style-src 'self' 'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"),
         "the hashes: %s", out);
}

static void never_run(void *arg, vk_ctx *ctx)
{
    (void)ctx;
    *(int *)arg = 1;
}

static void never_done(void *arg) { *(int *)arg = 1; }

/* Which requests count as expensive, and the response budget. */
static void test_limits(void)
{
    vk_req req = {.method = VK_GET};
    T_OK(!http_limits_is_expensive(&req, 0), "a plain GET is cheap");
    T_OK(http_limits_is_expensive(&req, 1), "an export is expensive");
    req.params[0] = (vk_param){"filter", "a = 1"};
    req.nparams = 1;
    T_OK(http_limits_is_expensive(&req, 0), "a CQL2 filter is expensive");
    req.params[0] = (vk_param){"limit", "1000"};
    T_OK(!http_limits_is_expensive(&req, 0), "limit=1000 is cheap");
    req.params[0] = (vk_param){"limit", "1001"};
    T_OK(http_limits_is_expensive(&req, 0), "limit=1001 is expensive");
    req.params[0] = (vk_param){"limit", "99999999999999999999"};
    T_OK(http_limits_is_expensive(&req, 0), "a huge limit is expensive (no overflow)");
    req.method = VK_POST;
    T_OK(!http_limits_is_expensive(&req, 1), "writes never are (they have their own thread)");

    http_limits *l = NULL;
    vk_errinfo ei;
    T_EQ_INT(http_limits_new(&l, NULL, 1, 1000 * 1000, &ei), VK_OK, "limits start");
    T_EQ_INT(http_limits_take(l, 600 * 1000), 0, "a large answer within the budget");
    T_EQ_INT(http_limits_take(l, 600 * 1000), -1, "another over the budget is refused");
    T_EQ_INT(http_limits_take(l, 1000), 0, "small answers always pass");
    T_EQ_INT((long long)http_limits_held(l), 601000, "held: what was taken");
    T_EQ_INT(http_limits_take(l, 399 * 1000), 0, "room for one more, up to the budget");
    int ran = 0;
    T_EQ_INT(http_limits_run(l, never_run, never_done, &ran), -2,
             "no expensive work starts while answers hold the whole budget");
    T_OK(!ran, "and nothing ran");
    http_limits_release(l, 399 * 1000);
    http_limits_release(l, 601000);
    T_EQ_INT((long long)http_limits_held(l), 0, "all given back");
    http_limits_free(l);
}

static void test_cross_site(void)
{
    vk_errinfo ei;
    const char *h = "palaute.example.fi:8080";
    T_OK(!http_cross_site(NULL, NULL, h, NULL, &ei), "no headers: a program, allowed");
    T_OK(!http_cross_site(NULL, "http://palaute.example.fi:8080", h, NULL, &ei), "our own origin");
    T_OK(!http_cross_site(NULL, "https://PALAUTE.example.fi:8080", h, NULL, &ei), "host case ignored");
    T_OK(http_cross_site(NULL, "https://evil.example", h, NULL, &ei) && ei.code == VK_ECROSS_SITE &&
             strcmp(ei.field, "Origin") == 0, "another origin → cross_site, field Origin");
    T_OK(http_cross_site(NULL, "http://palaute.example.fi:8080.evil.example", h, NULL, &ei),
         "a longer host that starts like ours");
    T_OK(http_cross_site(NULL, "http://palaute.example.fi", h, NULL, &ei), "another port");
    T_OK(http_cross_site(NULL, "null", h, NULL, &ei), "Origin null");
    T_OK(http_cross_site("cross-site", NULL, h, NULL, &ei) && strcmp(ei.field, "Sec-Fetch-Site") == 0,
         "Sec-Fetch-Site cross-site → field Sec-Fetch-Site");
    T_OK(http_cross_site("same-site", "https://other.example.fi", h, NULL, &ei),
         "same-site is checked by Origin");
    T_OK(!http_cross_site("same-origin", "https://palaute.example.fi", "127.0.0.1:8080", NULL, &ei),
         "same-origin is the browser's word (a proxy rewrote Host)");
    T_OK(!http_cross_site(NULL, "https://palaute.example.fi", "127.0.0.1:8080",
                          "palaute.example.fi, proxy.internal", &ei),
         "X-Forwarded-Host (the first of a list)");
    T_OK(http_cross_site(NULL, "https://palaute.example.fi", NULL, NULL, &ei), "no Host to compare");
}

/* The collections features register for OGC API (features/registry.h). */
static void test_registry(void)
{
    vk_errinfo ei;
    T_EQ_INT(api_stats_register_collections(&ei), VK_OK, "the aggregates register");
    T_EQ_INT(api_stats_register_collections(&ei), VK_OK, "registering again changes nothing");
    T_EQ_INT(vk_registry_count(), api_stats_collections_count, "one entry per aggregate");
    const vk_collection_entry *c = vk_registry_find("feedback-by-district");
    T_OK(c && c->items && c->describe && c->data == &api_stats_collections[0],
         "found by id, with its functions");
    T_OK(vk_registry_find("feedback") == NULL, "the table's collections are not registered");
    vk_collection_entry twin = *c;
    T_EQ_INT(vk_registry_add(&twin, &ei), VK_EVALUE, "another entry with a taken id");
}

int main(void)
{
    test_routes();
    test_csp();
    test_limits();
    test_cross_site();
    test_static();
    test_openapi_covers_routes();
    test_registry();
    t_cleanup();
    return t_done();
}
