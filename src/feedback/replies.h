/*
 * replies.h — canned replies (issue 18): ready answers per category and
 * status, in Finnish, Swedish and English, which admins keep and
 * moderators insert into the answer box and edit before sending.
 *
 * A reply with no category (or no status) is for every category (or
 * status). The table is schema 0021's canned_reply; writes are jobs of the
 * group-commit writer.
 */
#ifndef VK_REPLIES_H
#define VK_REPLIES_H

#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"

/* Routes (http/route.h):
 * GET /api/v1/staff/replies?category=&status= (staff): {"replies": [...]},
 *   those for the category (and for every category) and the status (and
 *   every status); each {id, category, status, title, body: {fi, sv, en},
 *   updated, updated_by}.
 * POST /api/v1/staff/replies (admins): {category?, status?, title,
 *   body: {fi?, sv?, en?}} with at least one language; 201 with the reply.
 * PUT /api/v1/staff/replies/{id} (admins): the same body; 200.
 * DELETE /api/v1/staff/replies/{id} (admins): 204. */
#define REPLIES_ROUTES(R)                                                                    \
    R(VK_ANY_GET, "/api/v1/staff/replies", api_staff_replies_list, STAFF, 0, 0)              \
    R(VK_POST, "/api/v1/staff/replies", api_staff_reply_create, ADMIN, 0, 0)                 \
    R(VK_PUT, "/api/v1/staff/replies/{id}", api_staff_reply_put, ADMIN, 0, 0)                \
    R(VK_DELETE, "/api/v1/staff/replies/{id}", api_staff_reply_delete, ADMIN, 0, 0)
REPLIES_ROUTES(VK_ROUTE_HANDLER)

#endif
