/*
 * store.h — the only module that speaks SQL.
 *
 * A store_conn is one SQLite connection with SpatiaLite loaded and the
 * named statements of sql.h, each prepared on first use and kept for the
 * connection's life. A connection belongs to one worker at a time.
 *
 * Row structs returned by the readers hold pointers BORROWED from SQLite:
 * valid until the next call on the same iterator or connection.
 */
#ifndef VK_STORE_H
#define VK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct store_conn store_conn;

/* ---- lifecycle ---- */

/* Open (creating it when missing, with SpatiaLite metadata) the database at
 * path and bring its schema up to date. Refuses a database newer than this
 * binary (VK_ESCHEMA_NEWER). Caller closes with store_close(). */
vk_err store_open(store_conn **out, const char *path, vk_errinfo *ei);
/* Open an existing, already migrated database (a worker's connection). */
vk_err store_open_worker(store_conn **out, const char *path, vk_errinfo *ei);
/* Open an existing database as it is, any schema version, changing
 * nothing (backup, check). */
vk_err store_open_existing(store_conn **out, const char *path, vk_errinfo *ei);
void store_close(store_conn *c);

/* A consistent copy of the open database into out (which must not exist),
 * with SQLite's online backup: readers and the writer go on meanwhile. */
vk_err store_backup(store_conn *c, const char *out, vk_errinfo *ei);

/* Integrity, foreign keys and spatial indexes. Each finding goes to
 * report(arg, line) in plain words; *problems counts them. */
vk_err store_check(store_conn *c, void (*report)(void *arg, const char *line), void *arg,
                   int *problems, vk_errinfo *ei);

/* Schema version now in the database, and the newest this binary knows. */
int store_schema_version(store_conn *c);
int store_schema_latest(void);

vk_err store_begin(store_conn *c, vk_errinfo *ei);
vk_err store_commit(store_conn *c, vk_errinfo *ei);
void store_rollback(store_conn *c);
/* A read transaction (deferred BEGIN … COMMIT), so that several
 * statements see one snapshot. */
vk_err store_read_begin(store_conn *c, vk_errinfo *ei);
void store_read_end(store_conn *c);

/* A deadline for everything this connection runs from now on (a request's
 * whole handling): past deadline_us (vk_monotonic_us time) the running
 * statement is interrupted and fails with VK_EQUERY_TIMEOUT. 0 disarms.
 * store_deadline_hit tells whether the armed deadline interrupted one. */
void store_deadline_set(store_conn *c, int64_t deadline_us);
int64_t store_deadline_get(const store_conn *c);
int store_deadline_hit(const store_conn *c);

/* A cheap query that proves the database answers. */
vk_err store_ping(store_conn *c, int64_t *feedback_count, vk_errinfo *ei);

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
/* 1 if the category exists, 0 if not. */
vk_err store_category_exists(store_conn *c, const char *id, int *exists, vk_errinfo *ei);
vk_err store_category_put(store_conn *c, int sort, const store_category *cat, vk_errinfo *ei);

/* ---- category attributes (Open311 service definitions) ---- */

typedef struct store_attribute {
    const char *category;
    const char *code;
    const char *datatype;       /* string, number, datetime, text, singlevaluelist,
                                 * multivaluelist */
    int required;
    int sort;
    const char *description[3]; /* fi, sv, en */
    const char *value_list;     /* JSON array of {key, name:{fi,sv,en}}, or NULL */
} store_attribute;

typedef int (*store_attribute_fn)(void *arg, const store_attribute *a);
/* Calls fn for each definition of category (NULL = of every category), in
 * category order and then the definition's own; stops when fn returns ≠ 0. */
vk_err store_attribute_each(store_conn *c, const char *category, store_attribute_fn fn,
                            void *arg, vk_errinfo *ei);
/* Insert or replace a definition; one for a category not stored is skipped. */
vk_err store_attribute_put(store_conn *c, const store_attribute *a, vk_errinfo *ei);
/* How many definitions are stored (0 in a database from before schema 8). */
vk_err store_attribute_count(store_conn *c, int64_t *n, vk_errinfo *ei);

/* ---- responsible units ---- */

typedef struct store_unit {
    int64_t id;
    const char *code;
    const char *name[3]; /* fi, sv, en */
} store_unit;

typedef int (*store_unit_fn)(void *arg, const store_unit *unit);
vk_err store_unit_put(store_conn *c, const store_unit *u, vk_errinfo *ei);
/* Give every item without a unit its category's default unit. */
vk_err store_feedback_default_units(store_conn *c, vk_errinfo *ei);
/* Calls fn for each unit by code; stops when fn returns ≠ 0. */
vk_err store_unit_each(store_conn *c, store_unit_fn fn, void *arg, vk_errinfo *ei);

/* ---- reference areas: municipality, districts, accessibility areas ---- */

typedef enum { STORE_AREA_DISTRICT, STORE_AREA_ACCESSIBILITY } store_area_kind;

typedef struct store_area {
    int64_t id;
    const char *code;
    const char *name[3]; /* fi, sv, en */
    const char *level;   /* accessibility areas only */
    const unsigned char *wkb;
    size_t wkb_len;
} store_area;

typedef int (*store_area_fn)(void *arg, const store_area *area);

vk_err store_boundary_put(store_conn *c, const store_area *m, vk_errinfo *ei);
/* Call fn with the boundary (its pointers valid during the call only);
 * *found 0 when none is loaded. Readers never keep a statement open: an
 * open one would pin an old snapshot of the database. */
vk_err store_boundary_with(store_conn *c, store_area_fn fn, void *arg, int *found, vk_errinfo *ei);
/* The boundary's envelope (minlon, minlat, maxlon, maxlat); *found 0 if
 * no boundary is loaded. */
vk_err store_boundary_extent(store_conn *c, double bbox[4], int *found, vk_errinfo *ei);
vk_err store_area_put(store_conn *c, store_area_kind kind, const store_area *a, vk_errinfo *ei);
vk_err store_area_each(store_conn *c, store_area_kind kind, store_area_fn fn, void *arg,
                       vk_errinfo *ei);
/* The id of the district with this code, 0 if none. */
vk_err store_district_id(store_conn *c, const char *code, int64_t *id, vk_errinfo *ei);
/* Remove all reference areas (before loading new ones); feedback keeps its
 * rows, its district is set to NULL until re-assigned. */
vk_err store_areas_clear(store_conn *c, vk_errinfo *ei);

/* ---- feedback ---- */

typedef struct store_feedback_new {
    const char *category;
    const char *description;
    const char *place;         /* may be NULL */
    const char *status;        /* NULL = "received" */
    const char *resolution_reason; /* may be NULL; for not_resolvable */
    int64_t duplicate_of;          /* 0 = none */
    const char *forwarded_to;      /* may be NULL */
    const char *answer;        /* may be NULL */
    const char *answered_at;   /* may be NULL */
    const char *created_at;    /* RFC 3339 */
    const char *updated_at;
    int64_t district_id;       /* 0 = none */
    const unsigned char *wkb;
    size_t wkb_len;
    const char *contact_name, *contact_email, *contact_phone; /* may be NULL */
    const char *followup_hash; /* hex SHA-256 of the follow-up token, or NULL */
    const char *attributes;    /* JSON object of checked answers, or NULL */
} store_feedback_new;

/* Insert the item (and its contact, if any) in one transaction. */
vk_err store_feedback_insert(store_conn *c, const store_feedback_new *f, int64_t *id,
                             vk_errinfo *ei);
/* ---- the handling workflow ---- */

/* An item's workflow state. The strings are copies: caller frees with
 * store_feedback_state_fini(). */
typedef struct store_feedback_state {
    char *status;
    int64_t unit_id;   /* 0 = none */
    char *unit;        /* unit code, may be NULL */
    char *resolution_reason, *forwarded_to, *answer; /* may be NULL */
    int64_t duplicate_of; /* 0 = none */
} store_feedback_state;

/* *found 0 when there is no such item. */
vk_err store_feedback_state_get(store_conn *c, int64_t id, int *found, store_feedback_state *out,
                                vk_errinfo *ei);
void store_feedback_state_fini(store_feedback_state *s);
vk_err store_feedback_exists(store_conn *c, int64_t id, int *exists, vk_errinfo *ei);

/* ANALYZE when the planner has no statistics yet or feedback has since
 * more than doubled or halved (give or take 1000 rows); *analyzed says
 * whether it ran. Without statistics SQLite takes any matching index as
 * selective, e.g. sorting half a million rows of status=received for an
 * inbox page instead of walking the inbox index. */
vk_err store_analyze_if_stale(store_conn *c, int *analyzed, vk_errinfo *ei);
/* The unit's id, 0 if there is no unit with this code. */
vk_err store_unit_id(store_conn *c, const char *code, int64_t *id, vk_errinfo *ei);
/* Write the new state; answer NULL keeps the answer (and its time), else
 * sets it with answered_at = now. updated_at = now. */
vk_err store_feedback_update(store_conn *c, int64_t id, const store_feedback_state *s,
                             const char *answer, const char *now, vk_errinfo *ei);

typedef struct store_event {
    int64_t id, feedback_id;
    const char *at, *actor, *kind;
    const char *before, *after; /* JSON objects */
    const char *public_answer, *internal_note; /* may be NULL */
} store_event;

vk_err store_event_add(store_conn *c, const store_event *ev, vk_errinfo *ei);
typedef int (*store_event_fn)(void *arg, const store_event *ev);
/* One item's events, oldest first (the audit log of all items is read by
 * store/audit.c). */
vk_err store_event_each(store_conn *c, int64_t feedback_id, store_event_fn fn, void *arg,
                        vk_errinfo *ei);

/* ---- moderation, withdrawal, "me too", retention (store/moderation.c) ---- */

/* feedback.hidden: who may see an item. */
#define STORE_VISIBLE_PUBLIC 0
#define STORE_VISIBLE_HIDDEN 1    /* hidden by a moderator */
#define STORE_VISIBLE_WITHDRAWN 2 /* withdrawn by its reporter */

/* An item's moderation state. The strings are copies: caller frees with
 * store_feedback_mod_fini(). */
typedef struct store_feedback_mod {
    int hidden;                 /* STORE_VISIBLE_… */
    int64_t me_too;
    char *description;
    char *description_original; /* NULL until a moderator edits the text */
    int has_contact;
} store_feedback_mod;

/* *found 0 when there is no such item. */
vk_err store_feedback_mod_get(store_conn *c, int64_t id, int *found, store_feedback_mod *out,
                              vk_errinfo *ei);
void store_feedback_mod_fini(store_feedback_mod *m);
/* The item whose follow-up hash this is; *id 0 if none. */
vk_err store_followup_find(store_conn *c, const char *hash, int64_t *id, vk_errinfo *ei);

/* Contact details; the strings are copies (caller frees with
 * store_contact_fini()), *found 0 when the item has none. */
typedef struct store_contact {
    char *name, *email, *phone; /* may be NULL */
} store_contact;
vk_err store_contact_get(store_conn *c, int64_t id, int *found, store_contact *out,
                         vk_errinfo *ei);
void store_contact_fini(store_contact *ct);
vk_err store_contact_delete(store_conn *c, int64_t id, vk_errinfo *ei);
/* Delete the contact details of withdrawn items and of items closed
 * before `before` (RFC 3339); *removed says how many. */
vk_err store_contact_purge(store_conn *c, const char *before, int64_t *removed, vk_errinfo *ei);

vk_err store_feedback_set_hidden(store_conn *c, int64_t id, int hidden, const char *now,
                                 vk_errinfo *ei);
/* Replace the description, keeping the first original in
 * description_original. */
vk_err store_feedback_redact(store_conn *c, int64_t id, const char *description, const char *now,
                             vk_errinfo *ei);
/* One "me too" from voter (hex SHA-256 of the browser's token) at the
 * client address whose keyed hash of the day is address (64 hex digits; NULL
 * or "" when unknown). *counted is 0 when this voter counted before, or
 * when this address counted for the item on this day (YYYY-MM-DD); rows of
 * earlier days are deleted. The item's me_too grows with a count. */
vk_err store_me_too_add(store_conn *c, int64_t id, const char *voter, const char *address,
                        const char *day, const char *now, int *counted, vk_errinfo *ei);
/* Move from's voters to into (a voter already on into counts once) and add
 * from's remaining count plus one (from's reporter, as the voter
 * STORE_MERGED_REPORTER of from: merged again, it counts nothing) to
 * into's me_too; from keeps no votes. *into_me_too is into's new count. */
vk_err store_me_too_merge(store_conn *c, int64_t from, int64_t into, int64_t *into_me_too,
                          vk_errinfo *ei);

/* ---- idempotency ---- */

typedef struct store_idem {
    char *request_hash; /* hex SHA-256 */
    int status;
    char *location;     /* may be NULL */
    char *body;
} store_idem;

/* Keys belong to a client: scope names it (schema 0011: "t:" and a token
 * id, or "a:" and a keyed hash of the address); the same key in another
 * scope is another key. */
/* The remembered response for key in scope; *found 0 if none. The strings
 * are copies: caller frees with store_idem_fini(). */
vk_err store_idem_get(store_conn *c, const char *scope, const char *key, int *found,
                      store_idem *out, vk_errinfo *ei);
void store_idem_fini(store_idem *r);
vk_err store_idem_put(store_conn *c, const char *scope, const char *key, const store_idem *r,
                      const char *now, vk_errinfo *ei);

/* The server's 32-byte secret called name (schema 0011, server_secret)
 * into out; VK_EDB when there is none. */
vk_err store_secret_get(store_conn *c, const char *name, unsigned char out[32], vk_errinfo *ei);
/* Forget responses older than `before` (RFC 3339). */
vk_err store_idem_purge(store_conn *c, const char *before, vk_errinfo *ei);

/* A savepoint around one job of a batch, so a failing job is undone alone. */
vk_err store_savepoint(store_conn *c, vk_errinfo *ei);
vk_err store_release(store_conn *c, vk_errinfo *ei);
void store_rollback_to(store_conn *c);

/* Set district_id of every feedback item through fn(arg, wkb, n) → id. */
typedef int64_t (*store_district_of_fn)(void *arg, const unsigned char *wkb, size_t n);
vk_err store_feedback_reassign_districts(store_conn *c, store_district_of_fn fn, void *arg,
                                         int64_t *changed, vk_errinfo *ei);

#endif
