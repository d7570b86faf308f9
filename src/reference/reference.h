/*
 * reference.h — meta.c: /api/v1/config, healthz and the reference lists;
 * seed.c: reference areas, categories and units.
 */
#ifndef VK_REFERENCE_REFERENCE_H
#define VK_REFERENCE_REFERENCE_H

#include "db/ctx.h"
#include "reference/store_reference.h"
#include "http/request.h"
#include "http/route.h"

/* Routes (http/route.h): the service's own and the reference lists, first
 * in the table; the units the staff inbox filters by come after it. */
#define REFERENCE_ROUTES(R)                                                        \
    R(VK_ANY_GET, "/healthz", api_healthz, PUBLIC, 0, 0)                           \
    R(VK_ANY_GET, "/api/v1/config", api_config, PUBLIC, 0, 0)                      \
    R(VK_ANY_GET, "/api/v1/categories", api_categories, PUBLIC, 0, 0)              \
    R(VK_ANY_GET, "/api/v1/districts", api_districts, PUBLIC, 0, 0)
/* GET /api/v1/staff/units (admins): every unit with its mail settings,
 * {"units": [{"code", "name", "email", "language", "digest"}]}.
 * PATCH /api/v1/staff/units/{code} (admins): JSON {"email": address or
 * null, "language": fi|sv|en, "digest": bool} (any of them): where new
 * items routed to the unit are mailed, in which language, one by one or
 * in a daily digest (docs/mail.md); 200 {"code", "email", "language",
 * "digest"}. */
#define REFERENCE_UNIT_ROUTES(R)                                                   \
    R(VK_ANY_GET, "/api/v1/units", api_units, PUBLIC, 0, 0)                        \
    R(VK_ANY_GET, "/api/v1/staff/units", api_staff_units, ADMIN, 0, 0)              \
    R(VK_PATCH, "/api/v1/staff/units/{code}", api_staff_unit_patch, ADMIN, 0, 0)
REFERENCE_ROUTES(VK_ROUTE_HANDLER)
REFERENCE_UNIT_ROUTES(VK_ROUTE_HANDLER)

/* Load geo/ and the categories when the database has none yet. */
vk_err api_seed_reference(vk_ctx *ctx, const char *geo_dir, const char *seeds_dir,
                          vk_errinfo *ei);
/* Replace boundary, districts and accessibility areas from dir and
 * re-assign every feedback item's district, in one transaction. */
vk_err api_load_geo(vk_ctx *ctx, const char *dir, int64_t *reassigned, vk_errinfo *ei);


#endif
