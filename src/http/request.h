/*
 * request.h — a parsed request and the response a handler builds.
 *
 * Handlers (in the feature folders) see only these, never libmicrohttpd, so
 * they can be called from tests without a socket. Everything a vk_req points to is
 * borrowed for the duration of the handler call (arena or MHD storage).
 */
#ifndef VK_REQUEST_H
#define VK_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

typedef enum {
    VK_GET = 1 << 0,
    VK_HEAD = 1 << 1,
    VK_POST = 1 << 2,
    VK_PUT = 1 << 3,
    VK_PATCH = 1 << 4,
    VK_DELETE = 1 << 5,
    VK_OPTIONS = 1 << 6,
    VK_OTHER = 1 << 7,
} vk_method;

typedef struct vk_param {
    const char *key;
    const char *value;
} vk_param;

#define VK_MAX_ROUTE_ARGS 5 /* the deepest: a tile, collection/tms/z/y/x */
#define VK_MAX_PARAMS 64
#define VK_MAX_HEADERS 12

/* Who is calling a staff route, set by the server (through the CLI's
 * access hook, server.h) before the handler. */
typedef struct vk_staff {
    int role;           /* a vk_role (auth/roles.h); 0: none */
    int64_t user_id;    /* staff_user.id; 0 for an API token */
    int64_t token_id;   /* api_token.id; 0 for a session */
    char name[65];
    int by_cookie;      /* signed in with the session cookie */
    char session_hash[65]; /* SHA-256 hex of the session id (cookie only) */
    char csrf[65];      /* the session's CSRF token (cookie only) */
    long long expires;  /* Unix seconds (cookie only) */
} vk_staff;

typedef struct vk_req {
    vk_method method;
    const char *method_name;
    const char *path;                     /* decoded, without the query */
    const char *args[VK_MAX_ROUTE_ARGS];  /* the {name} segments matched */
    int nargs;
    vk_param params[VK_MAX_PARAMS];       /* query parameters, decoded */
    int nparams;
    int params_overflow;                  /* more than VK_MAX_PARAMS given */
    const char *content_type;             /* NULL when absent */
    const char *if_none_match;
    const char *if_match;                 /* If-Match, or NULL */
    const char *if_modified_since;        /* If-Modified-Since, or NULL */
    const char *base_url;                 /* the start of absolute links: the
                                           * configured public URL, never the
                                           * request's Host; NULL in tests */
    const char *idempotency_key;          /* Idempotency-Key header, or NULL */
    const char *cookie;                   /* Cookie header, or NULL */
    const char *authorization;            /* Authorization header, or NULL */
    const char *csrf_token;               /* X-CSRF-Token header, or NULL */
    const char *walk_code;                /* X-Walk-Code header (docs/walks.md), or NULL */
    const char *accept_encoding;          /* Accept-Encoding header, or NULL */
    const char *accept_language;          /* Accept-Language header, or NULL */
    const char *client_addr;              /* the peer's IP address as text, or "" */
    const vk_staff *staff;                /* the caller on staff routes, and on public
                                           * API routes when valid credentials come */
    const char *body;
    size_t body_len;
    vk_arena *arena;
} vk_req;

typedef struct vk_header {
    const char *name;
    const char *value;
} vk_header;

typedef struct vk_resp vk_resp;
struct vk_resp {
    int status;
    const char *content_type;  /* static or arena string */
    vk_buf body;
    vk_header headers[VK_MAX_HEADERS];
    int nheaders;
    const char *file_path;     /* set by the static handler: send this file */
    long long file_size;
    int file_unlink;           /* remove file_path once it is open (temporary) */
    /* A streamed body of unknown length: read(arg, buf, max) returns bytes,
     * 0 at the end, -1 on error; close(arg) when the response is done. The
     * server owns arg from the moment the handler returns VK_OK. */
    long (*stream_read)(void *arg, char *buf, size_t max);
    void (*stream_close)(void *arg);
    void *stream_arg;
    long long stream_size;     /* the stream's length when known (Content-Length); 0: unknown */
    /* A deferred answer (writes): the handler prepared work to finish off
     * this thread. The server suspends the connection and calls
     * defer_start(state, resume, token); the work calls resume(token) when
     * done; the server then calls defer_finish(state, resp) to build the
     * response, and defer_cleanup(state) when the request ends. */
    void *defer_state;
    void (*defer_start)(void *state, void (*resume)(void *token), void *token);
    void (*defer_finish)(void *state, struct vk_resp *resp);
    void (*defer_cleanup)(void *state);
};

void vk_resp_init(vk_resp *r, size_t max);
void vk_resp_fini(vk_resp *r);
/* Name and value must outlive the response (static or arena). */
void vk_resp_header(vk_resp *r, const char *name, const char *value);
/* Replace the body with {"error":{"code","field","message"}} and set the
 * status from the error list. */
void vk_resp_error(vk_resp *r, const vk_errinfo *ei);

/* The first value of query parameter key, or NULL. */
const char *vk_req_param(const vk_req *q, const char *key);
/* VK_EUNKNOWN_PARAM unless every parameter is in the NULL-terminated list. */
vk_err vk_req_only_params(const vk_req *q, const char *const *allowed, vk_errinfo *ei);
/* 1 when the Content-Type is JSON (application/json, application/geo+json,
 * or any +json type), parameters such as charset ignored. */
int vk_req_is_json(const vk_req *q);
/* The value of cookie name in the Cookie header: 1 with *out (n bytes,
 * borrowed from the header, not NUL-terminated), 0 if absent. */
int vk_req_cookie(const vk_req *q, const char *name, const char **out, size_t *n);

/* 1 when the If-None-Match header of q lists etag (quoted; weak
 * comparison, as for GET) or is "*"; 0 without the header. */
int vk_req_etag_listed(const vk_req *q, const char *etag);

/* A conditional GET: sets ETag (etag, quoted, borrowed until the response
 * is sent: static or arena), Last-Modified (modified, Unix seconds; none
 * when < 0) and Cache-Control: no-cache on r. 1 when the client's copy is
 * current: If-None-Match lists etag (weak comparison, as for GET), or,
 * without If-None-Match, If-Modified-Since is not before modified; the
 * caller then answers 304 (status set, body emptied here). */
int vk_resp_not_modified(vk_resp *r, const vk_req *q, const char *etag, int64_t modified);
/* 1 when the If-Match header lists etag (quoted) or is "*": strong
 * comparison, as for writes, so a weak W/"…" tag never matches. */
int vk_req_if_match(const vk_req *q, const char *etag);

const char *vk_method_name(vk_method m);
vk_method vk_method_parse(const char *name);

#endif
