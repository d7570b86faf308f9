/*
 * server.h — libmicrohttpd glue: accepts connections, reads bodies up to
 * the cap, dispatches through the route table with a borrowed worker
 * context, sends the response and logs one line per request.
 */
#ifndef VK_SERVER_H
#define VK_SERVER_H

#include "core/config.h"
#include "core/err.h"
#include "db/writer.h"

typedef struct http_server http_server;

/* Start listening on cfg->listen_host:cfg->port with cfg->threads
 * workers, each with its own context; writer_hook (may be NULL) is the
 * writer's periodic hook (db/writer.h). Caller stops with http_server_stop. */
vk_err http_server_start(http_server **out, const vk_config *cfg,
                         const vk_writer_hook *writer_hook, vk_errinfo *ei);
/* Stop accepting, let in-flight requests finish (up to grace_ms), close
 * every connection and context. */
void http_server_stop(http_server *s, int grace_ms);

#endif
