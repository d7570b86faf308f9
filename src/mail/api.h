/*
 * api.h — mail's doors: the admins' view of the outbox and the one-click
 * unsubscribe link every message carries (RFC 8058).
 */
#ifndef VK_MAIL_API_H
#define VK_MAIL_API_H

#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"

/* Routes (http/route.h):
 * GET /api/v1/staff/mail/outbox?state=&limit= (admins): {"mode", "counts",
 *   "messages"}: the newest messages without their bodies.
 * GET /api/v1/mail/unsubscribe?t=TOKEN: a small page in the message's
 *   language with the buttons (a GET never unsubscribes: link checkers
 *   follow links).
 * POST /api/v1/mail/unsubscribe?t=TOKEN[&all=1] (body form fields all=1
 *   or List-Unsubscribe=One-Click): no more mail about the item (or at
 *   all) to the message's address; 200 with a page saying so. */
#define MAIL_ROUTES(R)                                                                      \
    R(VK_ANY_GET, "/api/v1/staff/mail/outbox", api_mail_outbox, ADMIN, 0, 0)                \
    R(VK_ANY_GET, "/api/v1/mail/unsubscribe", api_mail_unsubscribe_page, PUBLIC, 0, 0)      \
    R(VK_POST, "/api/v1/mail/unsubscribe", api_mail_unsubscribe, PUBLIC, 1, 0)
MAIL_ROUTES(VK_ROUTE_HANDLER)

#endif
