/* notify.c — budgeting's mail (docs/mail.md): a voter asks with an
 * address of their own, in a request apart from the ballot (POST
 * /api/v1/budget/rounds/{slug}/subscriptions), and is told when the
 * round's results are out. The message names the round and links its
 * results page: nothing of anyone's ballot. */
#include "budget/notify.h"

#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "budget/cache.h"
#include "mail/api.h"
#include "mail/outbox.h"

enum { FI, SV, EN, NLANG };
static const char *const lang_code[NLANG] = {"fi", "sv", "en"};

static vk_err round_topic(vk_ctx *ctx, const char *slug, char *topic, size_t n, vk_errinfo *ei)
{
    budget_stamp s;
    const budget_cached *bc = NULL;
    vk_err e = strlen(slug) > BUDGET_SLUG_MAX ? VK_OK
                                              : budget_cache_get(ctx->store, slug, &s, &bc, ei);
    if (e)
        return e;
    int open = bc && s.published;
    int64_t id = bc ? bc->round_id : 0;
    budget_cache_put(bc);
    if (!open)
        return vk_fail(ei, VK_ENOT_FOUND, "slug", "there is no round '%.80s'", slug);
    snprintf(topic, n, "budget:%lld", (long long)id);
    return VK_OK;
}

vk_err api_budget_subscribe(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    mail_subscribe_job *j = NULL;
    vk_err e = mail_subscribe_job_new(ctx, req, MAIL_TO_VOTER, round_topic, &j);
    if (!e && (e = api_idem_prepare(ctx, req, 0, &j->w.job)))
        vk_json_write_free(j);
    if (!e)
        mail_subscribe_defer(ctx, j, resp);
    return e;
}

typedef struct results_msg {
    const budget_round *r;
    const char *public_url;
} results_msg;

static const char *title_in(const budget_round *r, int l)
{
    const json_t *t = json_object_get(r->doc, "title");
    const char *s = json_string_value(json_object_get(t, lang_code[l]));
    if (!s || !s[0])
        s = json_string_value(json_object_get(t, "fi"));
    if (!s && json_is_string(t))
        s = json_string_value(t);
    return s ? s : r->slug;
}

static void compose_results(void *arg, int l, vk_buf *s, vk_buf *t)
{
    const results_msg *m = arg;
    static const char *const subj[] = {"Osallistuva budjetointi \"%s\": tulokset",
                                       "Medborgarbudget \"%s\": resultaten",
                                       "Participatory budgeting \"%s\": the results"};
    static const char *const body[] = {
        "Pyysit kertomaan, kun osallistuvan budjetoinnin \"%s\" tulokset julkaistaan. "
        "Ne ovat nyt nähtävillä:\n%s/b/%s",
        "Du bad att få veta när resultaten av medborgarbudgeten \"%s\" publiceras. "
        "Nu finns de här:\n%s/b/%s",
        "You asked to hear when the results of the participatory budgeting round \"%s\" "
        "are published. They are here now:\n%s/b/%s"};
    const char *title = title_in(m->r, l);
    vk_buf_printf(s, subj[l], title);
    vk_buf_printf(t, body[l], title, m->public_url, m->r->slug);
}

vk_err budget_notify_results(vk_ctx *ctx, int64_t round_id, const budget_round *r,
                             budget_phase before, budget_phase after, const char *now,
                             vk_errinfo *ei)
{
    if (before == after || after != BUDGET_RESULTS)
        return VK_OK;
    results_msg m = {r, ctx->cfg->public_url ? ctx->cfg->public_url : ""};
    char topic[MAIL_TOPIC_MAX];
    snprintf(topic, sizeof topic, "budget:%lld", (long long)round_id);
    return mail_notify_topic(ctx->store, ctx->cfg, topic, NULL, "budget_results", compose_results,
                             &m, now, NULL, ei);
}
