/* test_route.c — the route table and the static files' safety. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "http/route.h"
#include "http/static.h"
#include "t.h"
#include "tmp.h"

static vk_route_result match(vk_method m, const char *path, const vk_route **r, unsigned *allowed,
                             vk_req *req)
{
    return vk_route_match(m, path, req, r, allowed);
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

int main(void)
{
    test_routes();
    test_static();
    test_openapi_covers_routes();
    t_cleanup();
    return t_done();
}
