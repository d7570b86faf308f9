/* ratelimit.c — token buckets in an open-addressed table. */
#include "http/ratelimit.h"

#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 8192 /* power of two */
#define PROBE 8

typedef struct bucket {
    unsigned char key[17]; /* family byte + up to 16 address bytes; all zero = empty */
    double tokens;
    double last;
} bucket;

struct http_ratelimit {
    pthread_mutex_t lock;
    double per_second, burst;
    bucket slots[SLOTS];
};

http_ratelimit *http_ratelimit_new(double per_minute, double burst)
{
    if (per_minute <= 0)
        return NULL;
    http_ratelimit *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    pthread_mutex_init(&r->lock, NULL);
    r->per_second = per_minute / 60.0;
    r->burst = burst < 1 ? 1 : burst;
    return r;
}

void http_ratelimit_free(http_ratelimit *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static void make_key(const struct sockaddr *a, unsigned char key[17])
{
    memset(key, 0, 17);
    if (a && a->sa_family == AF_INET) {
        key[0] = 4;
        memcpy(key + 1, &((const struct sockaddr_in *)a)->sin_addr, 4);
    } else if (a && a->sa_family == AF_INET6) {
        key[0] = 6;
        memcpy(key + 1, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
    } else {
        key[0] = 1; /* unknown: one shared bucket */
    }
}

static uint32_t hash(const unsigned char *k)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < 17; i++)
        h = (h ^ k[i]) * 16777619u;
    return h;
}

int http_ratelimit_take(http_ratelimit *r, const struct sockaddr *addr, double now)
{
    unsigned char key[17];
    make_key(addr, key);
    uint32_t h = hash(key);
    pthread_mutex_lock(&r->lock);
    bucket *b = NULL, *oldest = NULL;
    for (int i = 0; i < PROBE && !b; i++) {
        bucket *s = &r->slots[(h + (uint32_t)i) & (SLOTS - 1)];
        if (memcmp(s->key, key, 17) == 0)
            b = s;
        else if (!oldest || s->last < oldest->last || s->key[0] == 0)
            oldest = oldest && oldest->key[0] == 0 ? oldest : s;
    }
    if (!b) {
        b = oldest;
        memcpy(b->key, key, 17);
        b->tokens = r->burst;
        b->last = now;
    }
    b->tokens = fmin(r->burst, b->tokens + (now - b->last) * r->per_second);
    b->last = now;
    int wait = 0;
    if (b->tokens >= 1)
        b->tokens -= 1;
    else
        wait = (int)ceil((1 - b->tokens) / r->per_second);
    pthread_mutex_unlock(&r->lock);
    return wait;
}
