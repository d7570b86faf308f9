/*
 * api.h — mail's doors: the admins' view of the outbox and the one-click
 * unsubscribe link every message carries (RFC 8058).
 */
#ifndef VK_MAIL_API_H
#define VK_MAIL_API_H

#include "db/ctx.h"
#include "http/deferred.h"
#include "http/request.h"
#include "http/route.h"
#include "mail/outbox.h"

/* Routes (http/route.h):
 * GET /api/v1/staff/mail/outbox?state=&limit= (admins): {"mode", "counts",
 *   "messages"}: the newest messages without their bodies.
 * POST /api/v1/staff/mail/outbox/{id}/retry (admins): a failed message
 *   queued again (mail_retry) → 200 {"id", "state": "queued"}.
 * GET /api/v1/mail/unsubscribe?t=TOKEN: a small page in the message's
 *   language with the buttons (a GET never unsubscribes: link checkers
 *   follow links).
 * POST /api/v1/mail/unsubscribe?t=TOKEN[&all=1] (body form fields all=1
 *   or List-Unsubscribe=One-Click): no more mail about the item (or at
 *   all) to the message's address; 200 with a page saying so. */
#define MAIL_ROUTES(R)                                                                      \
    R(VK_ANY_GET, "/api/v1/staff/mail/outbox", api_mail_outbox, ADMIN, 0, 0)                \
    R(VK_POST, "/api/v1/staff/mail/outbox/{id}/retry", api_mail_retry, ADMIN, 0, 0)         \
    R(VK_ANY_GET, "/api/v1/mail/unsubscribe", api_mail_unsubscribe_page, PUBLIC, 0, 0)      \
    R(VK_POST, "/api/v1/mail/unsubscribe", api_mail_unsubscribe, PUBLIC, 1, 0)
MAIL_ROUTES(VK_ROUTE_HANDLER)

/* ---- asking to be told: the write every feature's door shares ---- */

/* On the writer, inside the transaction: the topic (survey:ID, …) of the
 * thing named key (a slug), or an error (not found, not open to asking). */
typedef vk_err (*mail_topic_fn)(vk_ctx *ctx, const char *key, char *topic, size_t n,
                                vk_errinfo *ei);

typedef struct mail_subscribe_job {
    vk_json_write w; /* first */
    mail_contact ct;
    const char *audience;
    char key[128];
    mail_topic_fn topic_of;
} mail_subscribe_job;

/* A POST {"email", "language", "consent": true} asking for the mail of
 * audience about req's first path argument: *out is the job (the caller
 * may prepare its Idempotency-Key, then mail_subscribe_defer it, or free
 * it with vk_json_write_free). Answered 201 {"subscribed": true,
 * "language"} — the same whether or not the address had asked before. */
vk_err mail_subscribe_job_new(vk_ctx *ctx, const vk_req *req, const char *audience,
                              mail_topic_fn topic_of, mail_subscribe_job **out);
void mail_subscribe_defer(vk_ctx *ctx, mail_subscribe_job *j, vk_resp *resp);

#endif
