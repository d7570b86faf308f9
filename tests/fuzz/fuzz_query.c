/*
 * fuzz_query.c — libFuzzer target for query strings: the input is split
 * and percent-decoded as a query string, and handed to the OGC items
 * handler (limit, offset, bbox and bbox-crs, datetime, crs, filter and
 * filter-crs, property filters) and to the REST feedback list, which run
 * their queries on a real in-memory SpatiaLite database holding the test
 * fixtures. Beyond the sanitizers it aborts on any 5xx or on a 200 whose
 * body is not JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedback/feedback.h"
#include "ogc/ogc.h"
#include "reference/reference.h"
#include "stats/stats.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vk_config cfg;
static vk_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    cfg.db_path = ":memory:";
    cfg.response_max = 16u * 1024 * 1024;
    store_conn *s = NULL;
    vk_errinfo ei;
    int added;
    if (store_open(&s, cfg.db_path, &ei) || vk_ctx_new(&ctx, &cfg, s, &ei) ||
        api_seed_reference(ctx, VK_SOURCE_DIR "/tests/fixtures/geo", VK_SOURCE_DIR "/tests/fixtures/seeds", &ei) ||
        api_seed_demo(ctx, VK_SOURCE_DIR "/tests/fixtures/seeds", &added, &ei) ||
        api_stats_register_collections(&ei)) {
        fprintf(stderr, "fuzz_query: setup failed: %s\n", ei.message);
        abort();
    }
    return 0;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode %XX and '+' in place, as the HTTP layer's parser does. */
static void decode(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            *o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        } else {
            *o++ = *p == '+' ? ' ' : *p;
        }
    }
    *o = '\0';
}

static void run(vk_err (*handler)(vk_ctx *, const vk_req *, vk_resp *), vk_req *req)
{
    vk_resp resp;
    vk_resp_init(&resp, cfg.response_max);
    vk_errinfo_clear(&ctx->err);
    vk_err e = handler(ctx, req, &resp);
    if (e && vk_err_status(ctx->err.code ? ctx->err.code : e) >= 500)
        abort();
    if (!e && vk_buf_ok(&resp.body)) {
        json_t *j = json_loadb(resp.body.data, resp.body.len, 0, NULL);
        if (!j)
            abort();
        json_decref(j);
    }
    vk_resp_fini(&resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *q = malloc(size + 1);
    memcpy(q, data, size);
    q[size] = '\0';
    vk_arena arena;
    vk_arena_init(&arena, 0);
    vk_req req;
    memset(&req, 0, sizeof req);
    req.method = VK_GET;
    req.arena = &arena;
    req.base_url = "http://127.0.0.1:8080";
    for (char *save = NULL, *pair = strtok_r(q, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
        if (req.nparams == VK_MAX_PARAMS) {
            req.params_overflow = 1;
            break;
        }
        char *eq = strchr(pair, '=');
        if (eq)
            *eq = '\0';
        decode(pair);
        if (eq)
            decode(eq + 1);
        req.params[req.nparams++] = (vk_param){pair, eq ? eq + 1 : ""};
    }
    static const char *cols[] = {"feedback", "districts"};
    for (int i = 0; i < 2; i++) {
        req.path = "/ogcapi/collections/x/items";
        req.args[0] = cols[i];
        req.nargs = 1;
        run(ogc_items, &req);
    }
    req.path = "/api/v1/feedback";
    req.nargs = 0;
    run(api_feedback_list, &req);
    vk_arena_fini(&arena);
    free(q);
    return 0;
}
