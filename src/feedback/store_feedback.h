/*
 * store_feedback.h — what feedback keeps in the database: items and their
 * contact details, the lookups validation needs, the handling workflow
 * and its event log (store_feedback.c), and moderation, withdrawal, "me
 * too", merging and the retention purge (store_moderation.c).
 * Statements: feedback/sql.h.
 */
#ifndef VK_STORE_FEEDBACK_H
#define VK_STORE_FEEDBACK_H

#include <stddef.h>
#include <stdint.h>

#include "db/store.h"

/* ---- lookups of reference data that a new item names ---- */

/* 1 if the category exists, 0 if not. */
vk_err store_category_exists(store_conn *c, const char *id, int *exists, vk_errinfo *ei);
/* The id of the district with this code, 0 if none. */
vk_err store_district_id(store_conn *c, const char *code, int64_t *id, vk_errinfo *ei);

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
    const char *contact_language; /* fi, sv or en: the reporter's, for e-mail; may be NULL */
    const char *followup_hash; /* hex SHA-256 of the follow-up token, or NULL */
    const char *attributes;    /* JSON object of checked answers, or NULL */
    const char *location_precision; /* exact, address or district; NULL = exact */
    /* 1: the item's new-item mail is due (feedback/notify.h: the sender reads
     * it from the item); 0: seeds and imports, which mail nobody. */
    int mail;
    const char *receipt_token; /* the follow-up token for the receipt's link, or NULL */
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
    int64_t assignee_id;  /* the staff account it is assigned to; 0 = none */
    char *assignee;       /* that account's name, may be NULL */
} store_feedback_state;

/* VK_ENOT_FOUND on "id": "there is no feedback with this id". */
vk_err store_feedback_absent(vk_errinfo *ei);

/* *found 0 when there is no such item; found NULL: VK_ENOT_FOUND then
 * (store_feedback_absent). */
vk_err store_feedback_state_get(store_conn *c, int64_t id, int *found, store_feedback_state *out,
                                vk_errinfo *ei);
void store_feedback_state_fini(store_feedback_state *s);
vk_err store_feedback_exists(store_conn *c, int64_t id, int *exists, vk_errinfo *ei);

/* A correction: category (NULL keeps it), the place as WKB (NULL keeps
 * it) with its district (0: none) and location_precision (NULL keeps it).
 * updated_at = now. */
vk_err store_feedback_correct(store_conn *c, int64_t id, const char *category,
                              const unsigned char *wkb, size_t wkb_len, int64_t district_id,
                              const char *precision, const char *now, vk_errinfo *ei);
/* The enabled staff account's id, 0 if there is none with this name. */
vk_err store_assignee_id(store_conn *c, const char *name, int64_t *id, vk_errinfo *ei);
/* The unit's id, 0 if there is no unit with this code. */
vk_err store_unit_id(store_conn *c, const char *code, int64_t *id, vk_errinfo *ei);
/* Write the new state; answer NULL keeps the answer (and its time), else
 * sets it with answered_at = now, and its Swedish and English versions to
 * answer_sv and answer_en (NULL: none written, the reader gets answer).
 * updated_at = now. */
vk_err store_feedback_update(store_conn *c, int64_t id, const store_feedback_state *s,
                             const char *answer, const char *answer_sv, const char *answer_en,
                             const char *now, vk_errinfo *ei);

typedef struct store_event {
    int64_t id, feedback_id;
    const char *at, *actor, *kind;
    const char *before, *after; /* JSON objects */
    const char *public_answer, *internal_note; /* may be NULL */
    /* The public answer's Swedish and English versions (schema 0023);
     * NULL when not written: a reader in that language gets public_answer. */
    const char *public_answer_sv, *public_answer_en;
} store_event;

vk_err store_event_add(store_conn *c, const store_event *ev, vk_errinfo *ei);
typedef int (*store_event_fn)(void *arg, const store_event *ev);
/* One item's events, oldest first (the audit log of all items is read by
 * auth/audit.c). */
vk_err store_event_each(store_conn *c, int64_t feedback_id, store_event_fn fn, void *arg,
                        vk_errinfo *ei);

/* ---- moderation, withdrawal, "me too", retention (store_moderation.c) ---- */

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

/* Where an item is: a point on its geometry (lon/lat; has_geom 0 when it
 * has none), whether the geometry is a Point, its location_precision and
 * its category. Caller frees with store_feedback_place_fini(). */
typedef struct store_feedback_place {
    int has_geom;
    double lon, lat;
    char *category;
    int is_point;
    char *precision;
} store_feedback_place;
/* *found as store_feedback_mod_get's. */
vk_err store_feedback_place_get(store_conn *c, int64_t id, int *found, store_feedback_place *out,
                                vk_errinfo *ei);
void store_feedback_place_fini(store_feedback_place *p);

/* *found 0 when there is no such item; found NULL: VK_ENOT_FOUND then
 * (store_feedback_absent). */
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

#endif
