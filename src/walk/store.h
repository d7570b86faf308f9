/*
 * store.h — walks and findings as stored (schema/00NN_walks.sql) and as
 * JSON (docs/walks.md): reading rows, writing the public walk and the
 * finding Feature, inserting a checked finding with its first event, and
 * checking a finding's request body.
 *
 * Rows read through walk_row_read / walk_finding_read BORROW the
 * statement's columns: they are valid until the row callback returns.
 */
#ifndef VK_WALK_STORE_H
#define VK_WALK_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/ctx.h"
#include "db/stmt.h"
#include "walk/checklist.h"

#define WALK_CODE_LEN 8
#define WALK_FINDINGS_MAX 10000 /* per walk (409 walk_full) */
#define WALK_TEXT_MAX 4000
#define WALK_PHOTOS_MAX 10 /* per finding */

typedef struct walk_row {
    int64_t id, findings;
    const char *title, *date, *organiser, *groups, *notes, *state, *created, *updated;
    int participants;
    double walked_m;
    const unsigned char *route, *area; /* WKB or NULL */
    size_t route_len, area_len;
    int has_bbox;
    double bbox[4];
} walk_row;

void walk_row_read(db_row *row, walk_row *w);
/* The walk as JSON (docs/walks.md "Walks"); with_geometry 0 gives bbox
 * instead of route and area (lists). */
void walk_write_json(vk_buf *b, const walk_row *w, int with_geometry);

typedef struct walk_finding_row {
    int64_t id, walk_id, feedback_id, verified_walk;
    const char *uuid, *type, *grade, *groups, *measurements, *verdicts, *level, *special_area,
        *district, *surface, *description, *status, *target_date, *unit, *reason, *explanation,
        *consensus, *consensus_grade, *source, *created, *updated, *fixed_at, *verified_how;
    int n_agree, n_disagree, n_unsure;
    const unsigned char *wkb;
    size_t wkb_len;
    double lon, lat;    /* the representative point */
    const char *photos; /* JSON array (docs/photos.md) */
} walk_finding_row;

void walk_finding_read(db_row *row, walk_finding_row *f);
/* The finding as a GeoJSON Feature (docs/walks.md "Findings"). */
void walk_finding_feature(vk_buf *b, const walk_finding_row *f);
/* A member key: the GeoJSON of WKB (null when none or unreadable). */
void walk_put_geometry(vk_buf *b, const char *key, const unsigned char *wkb, size_t n);
/* The "consensus" object of a finding. */
void walk_consensus_json(vk_buf *b, const walk_finding_row *f);

/* One finding read by uuid into fn (found 0 when none). */
vk_err walk_store_finding_with(store_conn *c, const char *uuid, db_read_fn fn, void *arg,
                               int *found, vk_errinfo *ei);
/* The public history of finding id as a JSON array into b; with_actor
 * adds each event's actor (staff views). */
vk_err walk_store_history(store_conn *c, int64_t id, int with_actor, vk_buf *b, vk_errinfo *ei);

/* ---- a new finding ---- */

/* A finding checked and placed, ready to insert. Strings are owned (free
 * with walk_finding_new_fini) except those borrowed from the request
 * document (uuid, type, grade, surface, description), valid while it
 * lives. */
typedef struct walk_finding_new {
    char uuid[37];
    int64_t walk_id, feedback_id;
    const char *type, *grade, *surface, *description, *source;
    char *groups, *measurements, *verdicts; /* JSON text */
    walk_level level;
    char special_area[64], district[64];
    char created[32];
    unsigned char *wkb;
    size_t wkb_len;
    char body_hash[65];
    const char *photos[WALK_PHOTOS_MAX]; /* photo ids to attach, borrowed */
    int nphotos;
} walk_finding_new;

void walk_finding_new_fini(walk_finding_new *n);

/* Check a finding's body (docs/walks.md "Recording") against the
 * checklist: id, geometry (unless wkb is given: a finding made from
 * feedback takes its geometry), type, grade, groups, measurements,
 * surface, description, recorded (not before not_before, a date, when
 * given); place it (level, accessibility area, district) and judge its
 * measurements. extra lists further members the caller allows. */
vk_err walk_finding_prepare(vk_ctx *ctx, const walk_checklist *cl, const json_t *doc,
                            const char *const *extra, const unsigned char *wkb, size_t wkb_len,
                            const char *not_before, walk_finding_new *out, vk_errinfo *ei);

/* Insert a prepared finding and its "created" event (on the writer's
 * transaction). *id is its row id. */
vk_err walk_store_finding_insert(store_conn *c, const walk_finding_new *n, const char *now,
                                 const char *actor, int64_t *id, vk_errinfo *ei);
/* The "photos" member of a body: an array of at most WALK_PHOTOS_MAX photo
 * ids (docs/photos.md), borrowed from doc. */
vk_err walk_read_photos(const json_t *doc, const char **ids, int *n, vk_errinfo *ei);
/* Attach photos to finding uuid (writer thread, the finding's transaction). */
vk_err walk_attach_photos(vk_ctx *ctx, const char *uuid, const char *const *ids, int n,
                          const char *now, vk_errinfo *ei);
/* The media owner kind "walk_finding" and who sees its photos: a finding
 * is public, so are its photos. At start-up. */
vk_err walk_photos_register(vk_errinfo *ei);

/* ---- walks ---- */

/* A walk's members as checked from a body (create or patch). Borrowed
 * from the document except the owned JSON and WKB. */
typedef struct walk_input {
    const char *title, *date, *organiser, *notes;
    char *groups; /* JSON text */
    int participants;
    unsigned char *route, *area;
    size_t route_len, area_len;
} walk_input;

void walk_input_fini(walk_input *in);
/* Check a walk's whole body (a patch is merged into the stored walk's
 * JSON first). */
vk_err walk_input_read(vk_ctx *ctx, const json_t *doc, walk_input *in, vk_errinfo *ei);
/* Insert a walk (and its lengths per area); *id is its id. */
vk_err walk_store_insert(store_conn *c, const walk_input *in, const char *code_hash,
                         const char *now, const char *actor, int64_t *id, vk_errinfo *ei);
vk_err walk_store_update(store_conn *c, int64_t id, const walk_input *in, const char *now,
                         vk_errinfo *ei);
/* The walk as JSON into b (found 0 when none). */
vk_err walk_store_walk_json(store_conn *c, int64_t id, vk_buf *b, int *found, vk_errinfo *ei);

/* ---- codes ---- */

/* A new code from the system's random source (WALK_CODE_LEN characters
 * of the unambiguous alphabet and a NUL). */
void walk_code_new(char code[WALK_CODE_LEN + 1]);
/* The stored hash of a code as typed: spaces and hyphens dropped, letters
 * upper-cased; 0 when what is left is not a code's shape. */
int walk_code_hash(const char *typed, char hash[65]);
/* 1 when two hashes are equal, in constant time. */
int walk_hash_equal(const char *a, const char *b);

/* ---- status and reviews (on the writer's transaction) ---- */

typedef struct walk_status_change {
    const char *to, *target, *unit, *reason, *how, *explanation; /* NULL: none */
    int64_t how_walk;
} walk_status_change;

/* Move finding id (uuid, now in status from) as ch says, at `at` by
 * actor: the row, its public event and the audit log's event. The caller
 * has checked that the move is allowed. */
vk_err walk_store_set_status(store_conn *c, int64_t id, const char *uuid, const char *from,
                             const walk_status_change *ch, const char *at, const char *actor,
                             vk_errinfo *ei);
/* Count finding id's reviews again and store the consensus (grade: the
 * finding's own, a walk_grade). */
vk_err walk_store_recount(store_conn *c, int64_t id, int grade, vk_errinfo *ei);

/* Finding id's council reviews as a JSON array into b (staff views):
 * [{reviewer, vote, grade, comment, at}]. */
vk_err walk_store_reviews(store_conn *c, int64_t id, vk_buf *b, vk_errinfo *ei);

#endif
