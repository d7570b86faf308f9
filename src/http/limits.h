/*
 * limits.h — what one client can make the server spend: time on the
 * connection threads, memory held for slow readers.
 *
 * libmicrohttpd binds each connection to one of --threads polling threads,
 * so a request that computes for seconds stalls every other connection of
 * that thread (/healthz included). Expensive requests (a CQL2 filter, a
 * page of more than HTTP_LIMITS_BIG_PAGE items, a GeoPackage export) are
 * therefore run on their own threads, --expensive-requests of them, each
 * with its own worker context: the connection is suspended meanwhile, and
 * when every slot is taken the answer is at once 503 busy with
 * Retry-After, never a queue.
 *
 * Buffered answers stay in memory until the client has read them; their
 * bytes are counted in one atomic budget (--response-memory) and a large
 * answer over it is replaced by 503 busy with Retry-After.
 */
#ifndef VK_HTTP_LIMITS_H
#define VK_HTTP_LIMITS_H

#include <stddef.h>

#include "db/ctx.h"
#include "http/request.h"

/* Pages larger than this are expensive requests. */
#define HTTP_LIMITS_BIG_PAGE 1000
/* Answers up to this size are always sent, over the budget too (errors,
 * health, small pages), so the budget can never starve the service. */
#define HTTP_LIMITS_SMALL_ANSWER (64u * 1024)
/* Seconds a client is told to wait when refused for load. */
#define HTTP_LIMITS_RETRY_AFTER "5"

typedef struct http_limits http_limits;

/* Start `slots` threads for expensive requests, each borrowing a context
 * from pool (borrowed; it must hold at least `slots` contexts, so a job
 * never waits for one), and a response budget of budget_bytes. Caller
 * frees with http_limits_free(), after every job has ended. */
vk_err http_limits_new(http_limits **out, vk_ctx_pool *pool, int slots, size_t budget_bytes,
                       vk_errinfo *ei);
/* Wait for the running jobs and stop the threads; later jobs are refused.
 * The budget stays usable until http_limits_free (which stops too). */
void http_limits_stop(http_limits *l);
void http_limits_free(http_limits *l);

/* 1 if the request should run as an expensive one (see above). */
int http_limits_is_expensive(const vk_req *req, int route_expensive);

/* Run fn(arg, ctx) on a free expensive-request thread, then done(arg)
 * once the slot and the context are free again (so a client answered in
 * done finds the slot free): 0 if taken, -1 if every slot is busy, -2 if
 * the responses already hold the whole budget (nothing runs; answer 503). */
int http_limits_run(http_limits *l, void (*fn)(void *arg, vk_ctx *ctx), void (*done)(void *arg),
                    void *arg);

/* Count len bytes of a buffered answer against the budget: 0 taken (give
 * them back with http_limits_release when the answer is freed), -1 over
 * budget (nothing taken). Answers up to HTTP_LIMITS_SMALL_ANSWER are
 * always taken. */
int http_limits_take(http_limits *l, size_t len);
void http_limits_release(http_limits *l, size_t len);
/* Bytes held by buffered answers now. */
size_t http_limits_held(const http_limits *l);

/* Bodies larger than --body-max, for the few routes that take them (photo
 * uploads): method and exact path (borrowed: static strings), registered
 * at start-up before the server serves; at most four. VK_EINTERNAL when
 * full. Process-wide. */
vk_err http_limits_allow_body(const char *method, const char *path, size_t max, vk_errinfo *ei);
/* The body cap for a request: the registered one for method and path,
 * else dflt. */
size_t http_limits_body_max(const char *method, const char *path, size_t dflt);

/* Make big freed buffers go back to the system (glibc keeps them in the
 * heap by default, so RSS stayed at its peak after a load). Process-wide;
 * call once at start. */
void http_limits_tune_malloc(void);

#endif
