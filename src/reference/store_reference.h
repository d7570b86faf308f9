/*
 * store_reference.h — what reference data keeps in the database:
 * categories, responsible units, the municipality boundary, districts and
 * accessibility areas, and the feedback columns derived from them (default
 * unit, district). Statements: reference/sql.h.
 *
 * Row structs hold pointers BORROWED from the database: valid during the
 * callback only.
 */
#ifndef VK_STORE_REFERENCE_H
#define VK_STORE_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "db/store.h"
#include "db/areas.h"

/* ---- categories ---- */

typedef struct store_category {
    const char *id;
    const char *name[3];        /* fi, sv, en */
    const char *description[3]; /* fi, sv, en */
    const char *unit;           /* default unit's code, may be NULL (put only) */
} store_category;

typedef int (*store_category_fn)(void *arg, const store_category *cat);
/* Calls fn for each category in display order; stops when fn returns ≠ 0. */
vk_err store_category_each(store_conn *c, store_category_fn fn, void *arg, vk_errinfo *ei);
vk_err store_category_put(store_conn *c, int sort, const store_category *cat, vk_errinfo *ei);

/* ---- responsible units ---- */

typedef struct store_unit {
    int64_t id;
    const char *code;
    const char *name[3]; /* fi, sv, en */
    const char *email;   /* where new items routed to it are mailed; may be NULL (put only) */
} store_unit;

typedef int (*store_unit_fn)(void *arg, const store_unit *unit);
vk_err store_unit_put(store_conn *c, const store_unit *u, vk_errinfo *ei);
/* Set (or with NULL clear) the unit's e-mail address; *found 0 when there
 * is no unit with this code. */
vk_err store_unit_set_email(store_conn *c, const char *code, int has_email, const char *email,
                            const char *language, int digest, int *found, vk_errinfo *ei);
/* {"code", "email", "language", "digest"} of unit code into b. */
vk_err store_unit_mail_json(store_conn *c, const char *code, vk_buf *b, vk_errinfo *ei);
/* {"units": [{"code", "name": {fi, sv, en}, "email", "language",
 * "digest"}, …]} by code into b: the units' mail settings (admins). */
vk_err store_units_mail_json(store_conn *c, vk_buf *b, vk_errinfo *ei);
/* Give every item without a unit its category's default unit. */
vk_err store_feedback_default_units(store_conn *c, vk_errinfo *ei);
/* Calls fn for each unit by code; stops when fn returns ≠ 0. */
vk_err store_unit_each(store_conn *c, store_unit_fn fn, void *arg, vk_errinfo *ei);

/* Remove all reference areas (before loading new ones); feedback keeps its
 * rows, its district is set to NULL until re-assigned. */
vk_err store_areas_clear(store_conn *c, vk_errinfo *ei);

/* Set district_id of every feedback item through fn(arg, wkb, n) → id. */
typedef int64_t (*store_district_of_fn)(void *arg, const unsigned char *wkb, size_t n);
vk_err store_feedback_reassign_districts(store_conn *c, store_district_of_fn fn, void *arg,
                                         int64_t *changed, vk_errinfo *ei);

#endif
