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
#include "budget/sql.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/store.h"
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
                             budget_phase phase, const char *now, vk_errinfo *ei)
{
    int64_t mailed = 0;
    vk_err e = db_int64(ctx->store, &budget_sql, SQL_ROUND_RESULTS_MAILED, DB_ARGS(DB_INT(round_id)),
                        &mailed, "reading whether the results were mailed", ei);
    if (e)
        return e;
    if (phase < BUDGET_RESULTS) {
        /* Moved back before its results: they will be told again. */
        return mailed ? db_run(ctx->store, &budget_sql, SQL_ROUND_SET_RESULTS_MAILED,
                               DB_ARGS(DB_INT(round_id), DB_NULL), "noting the results unmailed", ei)
                      : VK_OK;
    }
    if (phase != BUDGET_RESULTS || mailed)
        return VK_OK;
    results_msg m = {r, ctx->cfg->public_url ? ctx->cfg->public_url : ""};
    char topic[MAIL_TOPIC_MAX];
    snprintf(topic, sizeof topic, "budget:%lld", (long long)round_id);
    e = mail_notify_topic(ctx->store, ctx->cfg, topic, NULL, "budget_results", compose_results, &m,
                          now, NULL, ei);
    return e ? e
             : db_run(ctx->store, &budget_sql, SQL_ROUND_SET_RESULTS_MAILED,
                      DB_ARGS(DB_INT(round_id), DB_TEXT(now)), "noting the results mailed", ei);
}

/* ---- the hourly check: rounds that reached their results by their dates ---- */

typedef struct due_list {
    char slugs[64][BUDGET_SLUG_MAX + 1];
    int n;
} due_list;

static int due_row(void *arg, db_row *row)
{
    due_list *d = arg;
    if (d->n >= 64)
        return 1;
    db_col_copy(row, 0, d->slugs[d->n++], sizeof d->slugs[0]);
    return 0;
}

static vk_err results_one(vk_ctx *ctx, const char *slug, const char *now, vk_errinfo *ei)
{
    budget_stamp s;
    const budget_cached *bc = NULL;
    vk_err e = budget_cache_get(ctx->store, slug, &s, &bc, ei);
    if (e || !bc)
        return e;
    budget_phase p = budget_round_phase(&bc->r, s.by_hand, now);
    if (s.published && p == BUDGET_RESULTS && !(e = store_begin(ctx->store, ei))) {
        e = budget_notify_results(ctx, bc->round_id, &bc->r, p, now, ei);
        e = e ? (store_rollback(ctx->store), e) : store_commit(ctx->store, ei);
    }
    budget_cache_put(bc);
    return e;
}

static void results_check(vk_ctx *ctx, void *arg)
{
    (void)arg;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    due_list d = {.n = 0};
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    vk_err e = db_each(ctx->store, &budget_sql, SQL_ROUNDS_RESULTS_UNMAILED, DB_NO_ARGS, due_row, &d,
                       "reading rounds", &ei);
    for (int i = 0; !e && i < d.n; i++)
        e = results_one(ctx, d.slugs[i], now, &ei);
    if (e)
        vk_log("writer: mailing budgeting results failed: %s", ei.message);
}

const vk_writer_hook budget_results_hook = {3600, results_check, NULL};
