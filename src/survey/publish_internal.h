/*
 * publish_internal.h — what publish.c (settings, texts, own answers) and
 * publish_results.c (the public figures) share. Not for other folders.
 */
#ifndef VK_SURVEY_PUBLISH_INTERNAL_H
#define VK_SURVEY_PUBLISH_INTERNAL_H

#include <stdint.h>

#include "core/buf.h"
#include "db/store.h"
#include "db/ctx.h"
#include "survey/definition.h"
#include "survey/store.h"

/* A survey's row of survey_publication, or its defaults. */
typedef struct pub_settings {
    int results;            /* the author switched the results public */
    char results_from[16];  /* YYYY-MM-DD or "" */
    int k, snap, hex_size;
    char status[16];        /* "" when unset */
    char *what_we_did;      /* JSON object text; malloc'd */
    char *links;            /* JSON array text; malloc'd */
    int64_t revision;
    char updated_at[32], updated_by[65];
} pub_settings;

vk_err pub_settings_get(store_conn *c, int64_t survey_id, pub_settings *out, vk_errinfo *ei);
void pub_settings_fini(pub_settings *s);
/* 1 when the results are public at now (RFC 3339 UTC). */
int pub_results_out(const pub_settings *s, const char *now);
/* 1 when the author wrote anything of "what we did". */
int pub_has_what_we_did(const pub_settings *s);
/* {"status","text","links","results"} into b. */
void pub_put_what_we_did(vk_buf *b, const pub_settings *s, const char *now);

/* 1 when the element's answers are personal (named by a consent) or a
 * consent itself: never public. */
int pub_is_personal(const survey_def *d, const char *key);

/* Inside the writer job that changed the publication of survey r
 * (publish_mail.c): when the outcome's status or text changed from before
 * to after, queue the "what we did with your answers" mail to the
 * respondents who asked. */
vk_err pub_notify_outcome(vk_ctx *ctx, const survey_row *r, const pub_settings *before,
                          const pub_settings *after, const char *now, vk_errinfo *ei);

#endif
