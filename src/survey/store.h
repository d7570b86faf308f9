/*
 * store.h — surveys in SpatiaLite (schema/0012_surveys.sql): definitions
 * and their published versions, responses normalised into answers,
 * personal answers (apart) and drawn features, and resume drafts.
 *
 * Nothing here checks a definition or a response: callers pass documents
 * checked by survey_def_parse and responses checked by
 * survey_response_check (survey/definition.h, survey/response.h). Writes
 * belong on the writer thread (db/writer.h) or in a tool's transaction.
 * Strings out of a read are copied into the caller's structs.
 */
#ifndef VK_SURVEY_STORE_H
#define VK_SURVEY_STORE_H

#include <stdint.h>

#include "db/store.h"
#include "survey/response.h"

#define SURVEY_SLUG_MAX 64

/* One survey's row, as a staff view needs it. */
typedef struct survey_row {
    int64_t id;
    char slug[SURVEY_SLUG_MAX + 1];
    char state[12];            /* draft, published, closed, archived */
    int64_t version;           /* the published version; 0 never published */
    char *draft;               /* JSON text of the document edited; malloc'd */
    char *public_questions;    /* JSON array text; malloc'd */
    char created_at[32], updated_at[32], published_at[32], closed_at[32];
    int64_t responses;
} survey_row;
void survey_row_fini(survey_row *r);

/* The survey with slug into *out (survey_row_fini it when found). */
vk_err survey_store_get(store_conn *c, const char *slug, survey_row *out, int *found,
                        vk_errinfo *ei);
/* Only its id, state and version: the answering path's lookup. */
vk_err survey_store_head(store_conn *c, const char *slug, int64_t *id, char state[12],
                         int64_t *version, int *found, vk_errinfo *ei);
/* A new draft survey; VK_ECONFLICT (field "slug") when the slug is taken. */
vk_err survey_store_create(store_conn *c, const char *slug, const char *draft,
                           const char *actor, const char *now, int64_t *id, vk_errinfo *ei);
/* Replace the document being edited (state draft). */
vk_err survey_store_set_draft(store_conn *c, int64_t id, const char *draft, const char *now,
                              vk_errinfo *ei);
/* Freeze definition as version (the survey's version + 1): the version's
 * row, the survey's version and draft; a draft survey becomes published. */
vk_err survey_store_add_version(store_conn *c, int64_t id, int64_t version,
                                const char *definition, const char *actor, const char *now,
                                vk_errinfo *ei);
vk_err survey_store_set_state(store_conn *c, int64_t id, const char *state, const char *now,
                              vk_errinfo *ei);
/* questions: a JSON array of map question keys. */
vk_err survey_store_set_public(store_conn *c, int64_t id, const char *questions,
                               const char *now, vk_errinfo *ei);
/* The definition of a published version (malloc'd; *found 0 when none). */
vk_err survey_store_version_text(store_conn *c, int64_t id, int64_t version, char **out,
                                 int *found, vk_errinfo *ei);

/* A row of a list; strings borrowed for the callback. */
typedef struct survey_list_row {
    int64_t id;
    const char *slug, *state;
    int64_t version;
    const char *title;      /* JSON text of the draft's title (all lists but published) */
    const char *updated_at; /* idem */
    int64_t responses;      /* idem */
} survey_list_row;
/* Every survey (by slug), or only the published ones; fn ≠ 0 stops. */
vk_err survey_store_list(store_conn *c, int published_only,
                         int (*fn)(void *arg, const survey_list_row *r), void *arg,
                         vk_errinfo *ei);

typedef struct survey_version_row {
    int64_t version;
    const char *created_at, *created_by; /* borrowed for the callback */
    int64_t responses;
} survey_version_row;
vk_err survey_store_versions(store_conn *c, int64_t id,
                             int (*fn)(void *arg, const survey_version_row *r), void *arg,
                             vk_errinfo *ei);

/* ---- responses ---- */

/* A stored response, for answering a resend. */
typedef struct survey_stored_response {
    int64_t id;
    char body_hash[65];
    int64_t version;
    char submitted[32];
} survey_stored_response;
vk_err survey_store_response_find(store_conn *c, int64_t survey_id, const char *uuid,
                                  survey_stored_response *out, int *found, vk_errinfo *ei);

/* Insert a response checked by survey_response_check (the seeds, the
 * benchmarks and the POST route call this): one survey_response row with
 * body_hash (hex SHA-256 of what was sent; any unique text for generated
 * data), seconds_taken from n->started to now and without_map (the
 * map-question features located otherwise than by a geometry); one
 * survey_answer per answer, except answers held as features (map and
 * geobudget questions not skipped) and personal answers, which go to
 * survey_personal; one survey_feature per drawn feature or placed item.
 * Saved drafts under the same uuid are deleted. now is the submission time
 * (RFC 3339 UTC). Runs in the caller's transaction, or in its own when
 * there is none; VK_ERESPONSE_CONFLICT when the uuid is already stored.
 * *id is the new row's id. */
vk_err survey_store_response_insert(store_conn *c, int64_t survey_id, survey_norm *n,
                                    const char *body_hash, const char *now, int64_t *id,
                                    vk_errinfo *ei);

/* Make what the insert binds, on the calling thread: each answer's JSON
 * text, each feature's follow-up answers as JSON text and its geometry as
 * a SpatiaLite blob (with its bounding box in the header, which the
 * R*Tree's trigger reads). survey_response_check calls it, so the POST
 * route's writer only binds and steps; the insert calls it itself for a
 * response not prepared. */
vk_err survey_store_prepare(survey_norm *n, vk_errinfo *ei);

/* The SpatiaLite blob (uncompressed, little-endian, with its MBR) of a
 * 2D ISO WKB geometry in srid, as GeomFromWKB(wkb, srid) makes it: *out
 * malloc'd. VK_EVALUE for WKB this does not read (big-endian, Z or M, empty
 * parts), VK_ENOMEM. */
vk_err survey_store_geom_blob(const unsigned char *wkb, size_t n, int srid, unsigned char **out,
                              size_t *out_len);

/* The district with this code (0 when none): survey_env's district_id,
 * with a store_conn as ud. */
int64_t survey_store_district_id(void *store, const char *code);

/* ---- resume drafts ---- */

typedef struct survey_draft_data {
    const char *uuid;
    int64_t version;
    const char *language;
    int64_t page;
    const char *answers; /* JSON object text */
} survey_draft_data;

vk_err survey_store_draft_insert(store_conn *c, const char *token_hash, int64_t survey_id,
                                 const survey_draft_data *d, const char *now, vk_errinfo *ei);
/* *found 0 when there is no such draft of this survey. */
vk_err survey_store_draft_update(store_conn *c, const char *token_hash, int64_t survey_id,
                                 const survey_draft_data *d, const char *now, int *found,
                                 vk_errinfo *ei);

/* A stored draft; answers malloc'd (free with survey_draft_read_fini). */
typedef struct survey_draft_read {
    char uuid[40];
    int64_t version;
    char language[4];
    int64_t page;
    char *answers;
    char updated_at[32];
} survey_draft_read;
void survey_draft_read_fini(survey_draft_read *d);
vk_err survey_store_draft_get(store_conn *c, const char *token_hash, int64_t survey_id,
                              survey_draft_read *out, int *found, vk_errinfo *ei);
/* Delete drafts last saved before `before` (RFC 3339 UTC). */
vk_err survey_store_draft_purge(store_conn *c, const char *before, int64_t *removed,
                                vk_errinfo *ei);

#endif
