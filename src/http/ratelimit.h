/*
 * ratelimit.h — a token bucket per client address for public writes, so
 * one client cannot flood the feedback with reports or slow others down.
 *
 * Each client earns `per_minute` tokens a minute up to `burst`; a write
 * takes one. Buckets live in a fixed table (constant memory whatever the
 * number of clients); when it is full the longest-idle bucket nearby is
 * reused, which at worst hands a forgotten client a fresh bucket.
 * Thread-safe.
 */
#ifndef VK_RATELIMIT_H
#define VK_RATELIMIT_H

#include <sys/socket.h>

typedef struct http_ratelimit http_ratelimit;

/* NULL when per_minute is 0 (no limit) or memory is short. Caller frees
 * with http_ratelimit_free(). */
http_ratelimit *http_ratelimit_new(double per_minute, double burst);
void http_ratelimit_free(http_ratelimit *r);
/* Take a token for addr at time now (seconds, monotonic). 0 when allowed,
 * else the whole seconds to wait before the next token (for Retry-After). */
int http_ratelimit_take(http_ratelimit *r, const struct sockaddr *addr, double now);

#endif
