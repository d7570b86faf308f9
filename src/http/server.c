/*
 * server.c — libmicrohttpd glue.
 *
 * The access handler is called several times per request. The first call
 * only attaches our per-request state and returns: answering in the first
 * call makes libmicrohttpd 0.9.75 drop keep-alive (see the peers' README:
 * 5× less throughput). Body chunks are appended up to the cap; the last
 * call dispatches. Expensive requests (http/limits.h) are dispatched to
 * their own threads with the connection suspended, so a connection thread
 * never computes for long; every handler runs under the query deadline.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>

#include "db/ctx.h"
#include "db/writer.h"
#include "http/headers.h"
#include "http/limits.h"
#include "http/deadline.h"
#include "http/origin.h"
#include "http/request.h"
#include "http/ratelimit.h"
#include "http/route.h"
#include "http/static.h"
#include "core/clock.h"
#include "core/log.h"

/* Bytes of an oversized body read and dropped before answering 413 and
 * closing the connection. */
#define BODY_DRAIN_MAX (16u * 1024 * 1024)

struct http_server {
    const vk_config *cfg;
    struct MHD_Daemon *daemon;
    vk_ctx_pool *pool;
    const http_server_hooks *hooks; /* routes, access check, features' state */
    vk_writer *writer;
    vk_ctx_pool *heavy_pool;   /* a context per expensive-request slot */
    http_limits *limits;       /* expensive-request threads, response budget */
    http_ratelimit *ratelimit; /* NULL when writes are not limited */
    http_deadline *deadline;   /* the whole request's deadline; NULL when off */
    atomic_int in_flight;
    int features_started;      /* hooks->start succeeded: stop is owed */
    pthread_t warmer;          /* runs hooks->warm once, at start */
    int warming;
    char csp[HTTP_CSP_MAX];    /* Content-Security-Policy, from --tiles at start */
};

/* What one request carries between handler calls. */
typedef struct http_call {
    http_server *srv;
    int64_t started_us;
    int status;
    char method[16];
    char *path;         /* owned copy of the URL path for the log */
    vk_buf body;
    int body_too_large;
    size_t body_max;    /* this route's cap (http_limits_body_max) */
    size_t drained;     /* bytes read and dropped after the body cap */
    vk_arena arena;
    struct MHD_Connection *conn;
    /* a deferred answer in progress (see vk_resp) */
    void *defer_state;
    void (*defer_finish)(void *state, vk_resp *resp);
    void (*defer_cleanup)(void *state);
} http_call;

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    vk_resp *holder = cls;
    long n = holder->stream_read(holder->stream_arg, buf, max);
    if (n > 0)
        return (ssize_t)n;
    /* A failure after the headers went out can only cut the body short. */
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_free(void *cls)
{
    vk_resp *holder = cls;
    holder->stream_close(holder->stream_arg);
    free(holder);
}

/* A buffered answer's bytes, counted in the response budget until MHD has
 * sent them (or the client left) and frees them. */
typedef struct held_body {
    http_limits *limits;
    char *data;
    size_t len;
} held_body;

static void held_free(void *cls)
{
    held_body *h = cls;
    http_limits_release(h->limits, h->len);
    free(h->data);
    free(h);
}

#define BUSY_MEMORY                                                                           \
    "the server holds too many large answers for slow clients now; try again shortly or ask "     \
    "for fewer items"

/* 503 busy with Retry-After: refused for load, not for what was asked. */
static void answer_busy(vk_resp *resp, const char *field, const char *message)
{
    vk_errinfo ei;
    vk_fail(&ei, VK_EBUSY, field, "%s", message);
    vk_resp_error(resp, &ei);
    vk_resp_header(resp, "Retry-After", HTTP_LIMITS_RETRY_AFTER);
}

#define API_GZIP_MAX (256 * 1024)

/* The body is compressed already (a static file, static.c). */
static int encoded(const vk_resp *resp)
{
    for (int i = 0; i < resp->nheaders; i++)
        if (strcasecmp(resp->headers[i].name, "Content-Encoding") == 0)
            return 1;
    return 0;
}

static enum MHD_Result queue_response(struct MHD_Connection *conn, http_call *call, vk_resp *resp)
{
    struct MHD_Response *r = NULL;
    int gzipped = 0;
    if (resp->stream_read) {
        /* The stream outlives this call: hand it to MHD in a copy. */
        vk_resp *holder = malloc(sizeof *holder);
        if (holder) {
            *holder = *resp;
            r = MHD_create_response_from_callback(
                resp->stream_size > 0 ? (uint64_t)resp->stream_size : MHD_SIZE_UNKNOWN,
                64 * 1024, stream_reader, holder, stream_free);
        }
        if (!r) {
            free(holder);
            resp->stream_close(resp->stream_arg);
        }
        resp->stream_read = NULL;
        if (!r)
            return MHD_NO;
    } else if (resp->file_path) {
        int fd = open(resp->file_path, O_RDONLY | O_CLOEXEC);
        if (resp->file_unlink)
            unlink(resp->file_path); /* gone from the directory, readable until closed */
        if (fd >= 0 && !(r = MHD_create_response_from_fd64((uint64_t)resp->file_size, fd)))
            close(fd);
        if (!r) {
            vk_errinfo ei;
            vk_fail(&ei, VK_ENOT_FOUND, "path", "no such file");
            vk_resp_error(resp, &ei);
        }
    }
    if (!r && !resp->stream_read) {
        if (!vk_buf_ok(&resp->body)) {
            vk_errinfo ei;
            vk_fail(&ei, vk_buf_over_cap(&resp->body) ? VK_EPARAM : VK_ENOMEM, "limit",
                    vk_buf_over_cap(&resp->body) ? "the response would be too large; ask for "
                                                   "fewer items with limit"
                                                 : NULL);
            vk_resp_error(resp, &ei);
        }
        /* JSON answers go compressed to a client that takes them, as the
         * client's files do (static.c): on a slow line the resident page's
         * categories and districts come in a third of the bytes. Up to a
         * size that costs the thread a millisecond or two; the ETag stays,
         * as If-Match names the resource whatever its encoding. */
        if (resp->status == 200 && !encoded(resp) && resp->body.len >= 1024 && resp->body.len <= API_GZIP_MAX &&
            resp->content_type && strstr(resp->content_type, "json") &&
            http_accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding"))) {
            vk_buf gz;
            vk_buf_init(&gz, resp->body.len + 1024);
            if (http_gzip(resp->body.data, resp->body.len, &gz) == 0) {
                vk_buf tmp = resp->body;
                resp->body = gz;
                gz = tmp;
                gzipped = 1;
            }
            vk_buf_fini(&gz);
        }
        if (http_limits_take(call->srv->limits, resp->body.len)) {
            answer_busy(resp, "limit", BUSY_MEMORY);
            http_limits_take(call->srv->limits, resp->body.len); /* small: always taken */
        }
        size_t len = 0;
        char *data = vk_buf_take(&resp->body, &len);
        held_body *held = data ? malloc(sizeof *held) : NULL;
        if (held) {
            *held = (held_body){call->srv->limits, data, len};
            r = MHD_create_response_from_buffer_with_free_callback_cls(len, data, held_free, held);
        } else if (!data) {
            r = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
        }
        if (!r) {
            free(held);
            free(data);
            http_limits_release(call->srv->limits, len);
            return MHD_NO;
        }
    }
    /* Every answer, whatever made it (a handler, a file, a stream, an
     * error, the early 413), leaves through here with these. */
    http_headers_add_security(r, call->srv->csp);
    if (resp->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    for (int i = 0; i < resp->nheaders; i++)
        MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
    if (gzipped) {
        MHD_add_response_header(r, "Content-Encoding", "gzip");
        MHD_add_response_header(r, "Vary", "Accept-Encoding");
    }
    call->status = resp->status;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result answer_too_large(struct MHD_Connection *conn, http_call *call)
{
    vk_resp resp;
    vk_resp_init(&resp, 4096);
    vk_errinfo ei;
    vk_fail(&ei, VK_EBODY_TOO_LARGE, "body", "the request body is larger than %zu bytes",
            call->body_max);
    vk_resp_error(&resp, &ei);
    enum MHD_Result ok = queue_response(conn, call, &resp);
    vk_resp_fini(&resp);
    return ok;
}

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    vk_req *req = cls;
    if (req->nparams == VK_MAX_PARAMS) {
        req->params_overflow = 1;
        return MHD_NO;
    }
    req->params[req->nparams++] = (vk_param){key ? key : "", value ? value : ""};
    return MHD_YES;
}

static enum MHD_Result add_header_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

/* Header and address limits, before anything is routed. */
static int over_limits(http_server *srv, struct MHD_Connection *conn, const vk_req *req,
                       vk_errinfo *ei)
{
    size_t headers = 0, uri = strlen(req->path);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header_size, &headers);
    if (headers > srv->cfg->header_max) {
        vk_fail(ei, VK_EHEADERS_TOO_LARGE, "headers", "the request headers are larger than %zu bytes",
                srv->cfg->header_max);
        return 1;
    }
    for (int i = 0; i < req->nparams; i++)
        uri += strlen(req->params[i].key) + strlen(req->params[i].value) + 2;
    if (uri > srv->cfg->uri_max || req->params_overflow) {
        vk_fail(ei, VK_EURI_TOO_LONG, "uri", "the address with its query is longer than %zu bytes "
                "or has more than %d parameters", srv->cfg->uri_max, VK_MAX_PARAMS);
        return 1;
    }
    return 0;
}

/* A public write over the client's budget: 429 with Retry-After. */
static int rate_limited(http_server *srv, struct MHD_Connection *conn, vk_req *req, vk_resp *resp,
                        vk_errinfo *ei)
{
    if (!srv->ratelimit)
        return 0;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    int wait = http_ratelimit_take(srv->ratelimit, ci ? ci->client_addr : NULL,
                                   (double)vk_monotonic_us() / 1e6);
    if (!wait)
        return 0;
    char *after = vk_arena_alloc(req->arena, 24);
    if (after) {
        snprintf(after, 24, "%d", wait);
        vk_resp_header(resp, "Retry-After", after);
    }
    vk_fail(ei, VK_ERATE, "", "too many reports from this address; try again in %d s", wait);
    return 1;
}

/* The peer's address as text (for counting failed sign-ins), "" if unknown. */
static const char *client_address(struct MHD_Connection *conn, vk_arena *arena)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char *out = vk_arena_alloc(arena, INET6_ADDRSTRLEN);
    if (!out)
        return "";
    out[0] = '\0';
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  INET6_ADDRSTRLEN);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  INET6_ADDRSTRLEN);
    return out;
}

/* Check who calls, run the handler under the query deadline, and turn any
 * error into the JSON error body. ctx is borrowed for the call. */
static void run_route(http_server *srv, vk_ctx *ctx, const vk_route *route, vk_req *req,
                      vk_resp *resp, const http_call *call)
{
    int timeout_ms = srv->cfg->query_timeout_ms;
    store_deadline_set(ctx->store, timeout_ms ? vk_monotonic_us() + timeout_ms * 1000LL : 0);
    vk_err e = VK_OK;
    vk_staff staff;
    const http_server_hooks *h = srv->hooks;
    /* Who may call it: the route table says; handlers run only if allowed. */
    if (route->access != 0 && !(e = h->require(ctx, req, route->access, resp, &staff)))
        req->staff = &staff;
    /* A public read may show more to staff (unit-level statistics): with
     * credentials that check out the handler sees who calls; without, or
     * with stale ones, it runs as for anyone. Static files skip the check. */
    if (route->access == 0 && h->identify && route->handler != http_static_file &&
        (req->method == VK_GET || req->method == VK_HEAD) && (req->authorization || req->cookie) &&
        h->identify(ctx, req, &staff))
        req->staff = &staff;
    if (!e)
        e = route->handler(ctx, req, resp);
    if (e && store_deadline_hit(ctx->store))
        vk_fail(&ctx->err, VK_EQUERY_TIMEOUT, "",
                "the query took longer than %d ms; narrow the filter, bbox or limit",
                timeout_ms);
    store_deadline_set(ctx->store, 0);
    req->staff = NULL; /* staff lives on this stack */
    if (e) {
        if (ctx->err.code == VK_OK)
            vk_fail(&ctx->err, e, "", NULL);
        if (vk_err_status(ctx->err.code) >= 500 && ctx->err.code != VK_EQUERY_TIMEOUT)
            vk_log("error: %s %s: %s", call->method, call->path, ctx->err.message);
        vk_resp_error(resp, &ctx->err);
        if (ctx->err.code == VK_EQUERY_TIMEOUT)
            vk_resp_header(resp, "Retry-After", HTTP_LIMITS_RETRY_AFTER);
    }
}

/* An expensive request runs on an expensive-request thread while its
 * connection is suspended (the deferral of vk_resp), so the connection
 * thread keeps serving everything else. */
typedef struct expensive_job {
    http_server *srv;
    const http_call *call;
    const vk_route *route;
    vk_req req;   /* a copy; what it points to lives until the request ends */
    vk_resp resp; /* built on the expensive thread, handed over when resumed */
    void (*resume)(void *token);
    void *token;
} expensive_job;

static void expensive_work(void *arg, vk_ctx *ctx)
{
    expensive_job *j = arg;
    run_route(j->srv, ctx, j->route, &j->req, &j->resp, j->call);
}

static void expensive_done(void *arg)
{
    expensive_job *j = arg;
    j->resume(j->token);
}

static void expensive_start(void *state, void (*resume)(void *token), void *token)
{
    expensive_job *j = state;
    j->resume = resume;
    j->token = token;
    int rc = http_limits_run(j->srv->limits, expensive_work, expensive_done, j);
    if (rc == 0)
        return;
    answer_busy(&j->resp, "", rc == -2 ? BUSY_MEMORY
                                       : "the server is busy with other filtered queries, large "
                                         "pages or exports; try again shortly");
    resume(token);
}

static void expensive_finish(void *state, vk_resp *resp)
{
    expensive_job *j = state;
    vk_resp_fini(resp);
    *resp = j->resp;
    memset(&j->resp, 0, sizeof j->resp); /* moved */
}

static void expensive_cleanup(void *state)
{
    expensive_job *j = state;
    if (j->resp.stream_read) /* never sent: the client left while it ran */
        j->resp.stream_close(j->resp.stream_arg);
    vk_resp_fini(&j->resp);
    free(j);
}

static void run_expensive(http_server *srv, http_call *call, const vk_route *route,
                          const vk_req *req, vk_resp *resp)
{
    expensive_job *j = calloc(1, sizeof *j);
    if (!j) {
        vk_errinfo ei;
        vk_fail(&ei, VK_ENOMEM, "", NULL);
        vk_resp_error(resp, &ei);
        return;
    }
    j->srv = srv;
    j->call = call;
    j->route = route;
    j->req = *req;
    vk_resp_init(&j->resp, srv->cfg->response_max);
    resp->defer_state = j;
    resp->defer_start = expensive_start;
    resp->defer_finish = expensive_finish;
    resp->defer_cleanup = expensive_cleanup;
}

/* The request as handlers see it: method, path, body and the headers they
 * read, borrowed from call and the connection for the request's life. */
static void read_request(http_server *srv, struct MHD_Connection *conn, http_call *call,
                         const char *url, vk_req *req)
{
    memset(req, 0, sizeof *req);
    req->method = vk_method_parse(call->method);
    req->method_name = call->method;
    req->path = url;
    req->arena = &call->arena;
    req->body = call->body.data;
    req->body_len = call->body.len;
    req->content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    req->if_none_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
    req->if_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Match");
    req->if_modified_since =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Modified-Since");
    req->base_url = srv->cfg->public_url; /* never the Host header */
    req->idempotency_key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key");
    req->cookie = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie");
    req->authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    req->csrf_token = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
    req->walk_code = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Walk-Code");
    req->accept_encoding = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding");
    req->accept_language = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language");
    req->client_addr = client_address(conn, &call->arena);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_param, req);
}

/* An Allow header listing methods; the text (arena) or NULL without memory. */
static const char *allow_header(vk_resp *resp, vk_arena *arena, unsigned methods)
{
    char *allow = vk_arena_alloc(arena, 96);
    if (allow) {
        vk_route_allow_header(methods, allow, 96);
        vk_resp_header(resp, "Allow", allow);
    }
    return allow;
}

/* Find the route for req into *route; 1 when there is none to run and resp
 * holds the answer: OPTIONS (204 with Allow), 405 with Allow, or 404. */
static int answer_unrouted(http_server *srv, const http_call *call, vk_req *req, vk_method m,
                           const vk_route **route, vk_resp *resp)
{
    const vk_route_table *table = srv->hooks->routes;
    unsigned allowed = 0;
    vk_errinfo ei;
    vk_route_result rr =
        vk_route_match(table, m == VK_OPTIONS ? VK_GET : m, req->path, req, route, &allowed);
    if (m == VK_OPTIONS && rr != VK_ROUTE_NOT_FOUND) {
        /* What may be done here; the path's methods, found either way. */
        if (rr == VK_ROUTE_FOUND)
            vk_route_match(table, VK_OTHER, req->path, req, route, &allowed);
        allow_header(resp, req->arena, allowed ? allowed : (VK_GET | VK_HEAD));
        resp->status = 204;
        return 1;
    }
    if (rr == VK_ROUTE_BAD_METHOD) {
        const char *allow = allow_header(resp, req->arena, allowed);
        vk_fail(&ei, VK_EMETHOD, "method", "%s is not allowed here; allowed: %s",
                req->method == VK_OTHER ? "this method" : call->method, allow ? allow : "");
        vk_resp_error(resp, &ei);
        return 1;
    }
    if (rr == VK_ROUTE_NOT_FOUND) {
        vk_fail(&ei, VK_ENOT_FOUND, "path", "there is nothing at this address");
        vk_resp_error(resp, &ei);
        return 1;
    }
    return 0;
}

/* A write sent by another site's page (origin.h), refused before it costs
 * the visitor's rate budget, or a public write over that budget: 1 with
 * the error in ei. */
static int refused_write(http_server *srv, struct MHD_Connection *conn, const vk_route *route,
                         vk_method m, vk_req *req, vk_resp *resp, vk_errinfo *ei)
{
    if ((m == VK_POST || m == VK_PUT || m == VK_PATCH || m == VK_DELETE) &&
        http_cross_site(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site"),
                        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin"),
                        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host"),
                        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Host"),
                        ei))
        return 1;
    if (route->rate_limited == 2 && req->walk_code && *req->walk_code)
        return 0; /* a walk participant's: the handler checks the code */
    return route->rate_limited && rate_limited(srv, conn, req, resp, ei);
}

/* Route and run the handler, turning any error into the JSON error body. */
static void dispatch(http_server *srv, struct MHD_Connection *conn, http_call *call,
                     const char *url, vk_resp *resp)
{
    vk_req req;
    read_request(srv, conn, call, url, &req);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (over_limits(srv, conn, &req, &ei)) {
        vk_resp_error(resp, &ei);
        return;
    }
    if (call->body_too_large) {
        vk_fail(&ei, VK_EBODY_TOO_LARGE, "body", "the request body is larger than %zu bytes",
                call->body_max);
        vk_resp_error(resp, &ei);
        return;
    }
    const vk_route *route = NULL;
    vk_method m = req.method == VK_HEAD ? VK_GET : req.method;
    if (answer_unrouted(srv, call, &req, m, &route, resp))
        return;
    if (refused_write(srv, conn, route, m, &req, resp, &ei)) {
        vk_resp_error(resp, &ei);
        return;
    }
    if (http_limits_is_expensive(&req, route->expensive)) {
        run_expensive(srv, call, route, &req, resp);
        return;
    }
    vk_ctx *ctx = vk_ctx_pool_get(srv->pool);
    run_route(srv, ctx, route, &req, resp, call);
    vk_ctx_pool_put(srv->pool, ctx);
}

/* The connection's deadline record (deadline.h), NULL when none. */
static void *deadline_rec(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    http_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci)
            http_deadline_opened(srv->deadline, ci->connect_fd, socket_context);
    } else {
        /* Before libmicrohttpd closes the fd (0.9.75: the notification
         * precedes the close in every path). */
        http_deadline_closed(srv->deadline, socket_context);
    }
}

/* The request line is in: on a kept-alive connection the next request's
 * deadline starts. Leaves the request's state (NULL) alone. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)uri;
    http_server *srv = cls;
    http_deadline_line(srv->deadline, deadline_rec(conn));
    return NULL;
}

/* Called by the writer thread when a deferred request's work is done. */
static void resume_call(void *token)
{
    http_call *call = token;
    MHD_resume_connection(call->conn);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    http_server *srv = cls;
    http_call *call = *con_cls;
    if (!call) {
        call = calloc(1, sizeof *call);
        if (!call)
            return MHD_NO;
        call->srv = srv;
        call->started_us = vk_monotonic_us();
        snprintf(call->method, sizeof call->method, "%s", method);
        call->path = vk_route_log_path(url ? url : ""); /* no secrets in logs */
        call->body_max = http_limits_body_max(method, url, srv->cfg->body_max);
        vk_buf_init(&call->body, call->body_max);
        vk_arena_init(&call->arena, 0);
        atomic_fetch_add(&srv->in_flight, 1);
        *con_cls = call;
        /* A declared length over the cap: refuse before the body is sent
         * when the client waits for "100 Continue" or the body is too big
         * to be worth draining. Otherwise answer from the second call on,
         * which keeps keep-alive. */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
        unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
        if (declared > call->body_max) {
            call->body_too_large = 1;
            if (expect || declared > BODY_DRAIN_MAX) {
                http_deadline_busy(srv->deadline, deadline_rec(conn));
                return answer_too_large(conn, call);
            }
        } else if (declared > 64 * 1024) {
            /* A photo of 15 MB would otherwise be copied through every
             * doubling; a lying length only costs what the cap allows. */
            vk_buf_reserve(&call->body, (size_t)declared);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (!call->body_too_large && vk_buf_add(&call->body, upload_data, n))
            call->body_too_large = 1;
        if (call->body_too_large) {
            /* Drain what the client is sending so the 413 reaches it on a
             * clean connection, but only so much. */
            call->drained += n;
            if (call->drained > BODY_DRAIN_MAX)
                return answer_too_large(conn, call);
        }
        return MHD_YES;
    }
    if (call->status)
        return MHD_YES; /* already answered (body too large) */
    /* Head and body are in: from here on the time is ours, not the client's. */
    http_deadline_busy(srv->deadline, deadline_rec(conn));
    vk_resp resp;
    vk_resp_init(&resp, srv->cfg->response_max);
    if (call->defer_finish) {
        /* Resumed: the deferred work is done; answer with its result. */
        call->defer_finish(call->defer_state, &resp);
        call->defer_finish = NULL;
    } else {
        dispatch(srv, conn, call, url, &resp);
        if (resp.defer_start) {
            /* Suspend first, so that the resume can never come before it. */
            call->defer_state = resp.defer_state;
            call->defer_finish = resp.defer_finish;
            call->defer_cleanup = resp.defer_cleanup;
            call->conn = conn;
            MHD_suspend_connection(conn);
            resp.defer_start(resp.defer_state, resume_call, call);
            vk_resp_fini(&resp);
            return MHD_YES;
        }
    }
    enum MHD_Result ok = queue_response(conn, call, &resp);
    vk_resp_fini(&resp);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    http_server *srv = cls;
    http_deadline_idle(srv->deadline, deadline_rec(conn));
    http_call *call = *con_cls;
    if (!call)
        return;
    vk_log_request(call->method, call->path, call->status,
                   vk_monotonic_us() - call->started_us);
    if (call->defer_cleanup)
        call->defer_cleanup(call->defer_state);
    vk_buf_fini(&call->body);
    vk_arena_fini(&call->arena);
    free(call->path);
    free(call);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* The features' warm-up (hooks->warm: the statistics snapshot, seconds for
 * a million items) right after start, so the first visitor does not wait
 * for it. Holds one worker context meanwhile; the others keep serving. */
static void *warm_features(void *arg)
{
    http_server *s = arg;
    vk_ctx *ctx = vk_ctx_pool_get(s->pool);
    s->hooks->warm(s->hooks->features, ctx);
    vk_ctx_pool_put(s->pool, ctx);
    return NULL;
}

/* Everything http_server_start made, in reverse; takes partial starts
 * (every free takes NULL). The connections are closed by now. */
static void server_free(http_server *s)
{
    http_deadline_free(s->deadline); /* every connection has closed */
    http_ratelimit_free(s->ratelimit);
    vk_writer_stop(s->writer);
    vk_ctx_pool_free(s->pool);
    http_limits_free(s->limits);
    vk_ctx_pool_free(s->heavy_pool);
    if (s->features_started && s->hooks->stop)
        s->hooks->stop(s->hooks->features);
    free(s);
}

/* The pools, the expensive-request slots with the response budget, the
 * writer and the features' shared state; undone by server_free. */
static vk_err start_workers(http_server *s, vk_errinfo *ei)
{
    const vk_config *cfg = s->cfg;
    const http_server_hooks *h = s->hooks;
    vk_err e = vk_ctx_pool_new(&s->heavy_pool, cfg, cfg->expensive_requests, ei);
    if (!e)
        e = http_limits_new(&s->limits, s->heavy_pool, cfg->expensive_requests,
                            cfg->response_memory, ei);
    /* A context per connection thread, and one for the features' warm-up
     * so that it never makes a request wait. */
    if (!e)
        e = vk_ctx_pool_new(&s->pool, cfg, cfg->threads + 1, ei);
    if (!e)
        e = vk_writer_start(&s->writer, cfg, cfg->group_commit ? 1024 : 1, h->writer_hook, ei);
    if (e)
        return e;
    vk_ctx_pool_set_writer(s->pool, s->writer);
    vk_ctx_pool_set_writer(s->heavy_pool, s->writer);
    if (h->start && (e = h->start(h->features, cfg, s->pool, s->heavy_pool, ei)))
        return e;
    s->features_started = 1;
    return VK_OK;
}

/* web_dir/index.html, whose inline blocks the policy allows by hash;
 * NULL when there is none (the API alone, or a test's empty --web). */
static char *read_page(const char *web_dir)
{
    if (!web_dir)
        return NULL;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/index.html", web_dir) >= (int)sizeof path)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    vk_buf b;
    vk_buf_init(&b, 8 * 1024 * 1024);
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        vk_buf_add(&b, chunk, n);
    fclose(f);
    size_t len;
    char *page = vk_buf_ok(&b) ? vk_buf_take(&b, &len) : NULL;
    vk_buf_fini(&b);
    return page;
}

vk_err http_server_start(http_server **out, const vk_config *cfg,
                         const http_server_hooks *hooks, vk_errinfo *ei)
{
    http_server *s = calloc(1, sizeof *s);
    if (!s)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    s->cfg = cfg;
    s->hooks = hooks;
    atomic_init(&s->in_flight, 0);
    char *page = read_page(cfg->web_dir);
    vk_err e = http_csp_build(cfg->tiles_url, page, s->csp, sizeof s->csp, ei);
    free(page);
    if (e) {
        free(s);
        return e;
    }
    http_limits_tune_malloc();
    if ((e = start_workers(s, ei))) {
        server_free(s);
        return e;
    }
    s->ratelimit = http_ratelimit_new(cfg->rate_per_minute, cfg->rate_burst);
    s->deadline = http_deadline_new(cfg->request_timeout, cfg->timeout);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(cfg->port);
    if (inet_pton(AF_INET, cfg->listen_host, &addr.sin_addr) != 1) {
        server_free(s);
        return vk_fail(ei, VK_EVALUE, "listen", "--listen: '%s' is not an IPv4 address",
                       cfg->listen_host);
    }
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME,
        cfg->port, NULL, NULL,
        on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        cfg->max_per_client,
        /* Room for our own header cap to answer first, in JSON. */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(cfg->header_max * 4 + 16 * 1024),
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        server_free(s);
        return vk_fail(ei, VK_EIO, "listen", "cannot listen on %s:%u (in use, or not allowed?)",
                       cfg->listen_host, cfg->port);
    }
    s->warming = hooks->warm && pthread_create(&s->warmer, NULL, warm_features, s) == 0;
    *out = s;
    return VK_OK;
}

void http_server_stop(http_server *s, int grace_ms)
{
    if (!s)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    for (int waited = 0; atomic_load(&s->in_flight) > 0 && waited < grace_ms; waited += 10)
        usleep(10000);
    /* Requests waiting on the writer were counted in flight and answered;
     * the writer finishes whatever is still queued before it stops. The
     * expensive-request threads and the features' queues (the sign-in
     * queue) answer their own before the daemon goes (a suspended
     * connection must be resumed while the daemon still runs). */
    http_limits_stop(s->limits); /* waits for running expensive requests */
    if (s->hooks->quiesce)
        s->hooks->quiesce(s->hooks->features);
    MHD_stop_daemon(s->daemon);
    if (s->warming)
        pthread_join(s->warmer, NULL);
    server_free(s);
}
