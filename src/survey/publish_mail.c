/* publish_mail.c — "what we did with your answers" by e-mail: a
 * respondent asks with an address of their own, in a request apart from
 * their answers (POST /api/v1/surveys/{slug}/subscriptions), and gets a
 * message when the author changes the outcome's status or text
 * (docs/mail.md). The message says the survey's title, the status and the
 * author's public text: nothing of anyone's answers. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "mail/api.h"
#include "mail/outbox.h"
#include "survey/api.h"
#include "survey/publish_internal.h"
#include "survey/publish_sql.h"

enum { FI, SV, EN, NLANG };
static const char *const lang_code[NLANG] = {"fi", "sv", "en"};

static vk_err survey_topic(vk_ctx *ctx, const char *slug, char *topic, size_t n, vk_errinfo *ei)
{
    survey_row r;
    int found = 0;
    vk_err e = strlen(slug) > SURVEY_SLUG_MAX ? VK_OK
                                               : survey_store_get(ctx->store, slug, &r, &found, ei);
    if (e)
        return e;
    if (!found)
        return vk_fail(ei, VK_ENOT_FOUND, "slug", "there is no such survey");
    int open = r.version > 0 && strcmp(r.state, "draft") != 0;
    int64_t id = r.id;
    survey_row_fini(&r);
    if (!open)
        return vk_fail(ei, VK_ENOT_FOUND, "slug", "there is no such survey");
    snprintf(topic, n, "survey:%lld", (long long)id);
    return VK_OK;
}

vk_err api_survey_subscribe(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    mail_subscribe_job *j = NULL;
    vk_err e = mail_subscribe_job_new(ctx, req, MAIL_TO_RESPONDENT, survey_topic, &j);
    if (!e && (e = api_idem_prepare(ctx, req, 0, &j->w.job)))
        vk_json_write_free(j);
    if (!e)
        mail_subscribe_defer(ctx, j, resp);
    return e;
}

/* ---- the message ---- */

typedef struct outcome {
    const survey_row *r;
    const char *public_url;
    char title[NLANG][300];
    const char *status;
    json_t *what; /* {"fi","sv","en"} */
} outcome;

static const char *status_name(const char *status, int l)
{
    static const char *const names[][NLANG + 1] = {
        {"analysing", "vastauksia analysoidaan", "svaren analyseras", "the answers are being analysed"},
        {"decided", "päätös on tehty", "beslut har fattats", "a decision has been made"},
        {"implemented", "toteutettu", "genomfört", "implemented"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(status, names[i][0]) == 0)
            return names[i][l + 1];
    return status;
}

static void compose_outcome(void *arg, int l, vk_buf *s, vk_buf *t)
{
    const outcome *o = arg;
    static const char *const subj[] = {"Kysely \"%s\": mitä vastauksillanne tehtiin",
                                       "Enkäten \"%s\": vad vi gjorde med era svar",
                                       "Survey \"%s\": what we did with your answers"};
    static const char *const intro[] = {
        "Pyysit kertomaan, mitä kyselyn \"%s\" vastauksilla tehtiin.",
        "Du bad att få veta vad som gjordes med svaren i enkäten \"%s\".",
        "You asked to hear what was done with the answers to the survey \"%s\"."};
    static const char *const state[] = {"Tilanne: %s.", "Läge: %s.", "Status: %s."};
    static const char *const more[] = {"Lue lisää ja katso tulokset:", "Läs mer och se resultaten:",
                                       "Read more and see the results:"};
    vk_buf_printf(s, subj[l], o->title[l]);
    vk_buf_printf(t, intro[l], o->title[l]);
    if (o->status[0]) {
        vk_buf_puts(t, "\n\n");
        vk_buf_printf(t, state[l], status_name(o->status, l));
    }
    const char *text = json_string_value(json_object_get(o->what, lang_code[l]));
    if (!text || !text[0])
        text = json_string_value(json_object_get(o->what, "fi"));
    if (text && text[0])
        vk_buf_printf(t, "\n\n%s", text);
    vk_buf_printf(t, "\n\n%s\n%s/s/%s", more[l], o->public_url, o->r->slug);
}

static vk_err read_titles(void *arg, db_row *row)
{
    outcome *o = arg;
    for (int l = 0; l < NLANG; l++)
        db_col_copy(row, l, o->title[l], sizeof o->title[l]);
    return VK_OK;
}

vk_err pub_notify_outcome(vk_ctx *ctx, const survey_row *r, const pub_settings *before,
                          const pub_settings *after, const char *now, vk_errinfo *ei)
{
    int status_changed = strcmp(before->status, after->status) != 0 && after->status[0];
    int text_changed = strcmp(before->what_we_did, after->what_we_did) != 0 &&
                       strcmp(after->what_we_did, "{}") != 0;
    if ((!status_changed && !text_changed) || r->version < 1)
        return VK_OK;
    outcome o = {.r = r, .status = after->status,
                 .public_url = ctx->cfg->public_url ? ctx->cfg->public_url : ""};
    vk_err e = db_first(ctx->store, &publish_sql, SQL_PUB_TITLES,
                        DB_ARGS(DB_INT(r->id), DB_INT(r->version)), read_titles, &o, NULL,
                        "reading a survey's title", ei);
    if (e)
        return e;
    if (!(o.what = json_loads(after->what_we_did, 0, NULL)))
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    char topic[MAIL_TOPIC_MAX];
    snprintf(topic, sizeof topic, "survey:%lld", (long long)r->id);
    e = mail_notify_topic(ctx->store, ctx->cfg, topic, NULL, "survey_outcome", compose_outcome, &o,
                          now, NULL, ei);
    json_decref(o.what);
    return e;
}
