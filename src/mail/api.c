/* api.c — the outbox for admins and the unsubscribe link (see api.h). */
#include "mail/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/deferred.h"
#include "http/form.h"
#include "http/params.h"
#include "mail/outbox.h"

#define OUTBOX_DEFAULT 100
#define OUTBOX_MAX 1000

vk_err api_mail_outbox(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"state", "limit", NULL};
    static const char *const states[] = {"queued", "sent", "failed", "cancelled", NULL};
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (e)
        return e;
    long long limit = OUTBOX_DEFAULT;
    if ((e = vk_param_int(req, "limit", 1, OUTBOX_MAX, VK_PARAM_FROM_TO, &limit, &ctx->err)))
        return e;
    const char *state = vk_req_param(req, "state");
    int known = !state;
    for (int i = 0; state && states[i]; i++)
        known |= strcmp(state, states[i]) == 0;
    if (!known)
        return vk_fail(&ctx->err, VK_EPARAM, "state",
                       "state must be queued, sent, failed or cancelled");
    vk_resp_header(resp, "Cache-Control", "no-store");
    return mail_outbox_json(ctx->store, ctx->cfg, state, (int)limit, &resp->body, &ctx->err);
}

typedef struct retry_job {
    vk_json_write w; /* first */
    int64_t id;
} retry_job;

static vk_err retry_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                        vk_errinfo *ei)
{
    retry_job *j = (retry_job *)wj;
    vk_err e = mail_retry(ctx->store, j->id, now, ei);
    if (e)
        return e;
    wj->status = 200;
    vk_buf_printf(body, "{\"id\":%lld,\"state\":\"queued\"}", (long long)j->id);
    return VK_OK;
}

vk_err api_mail_retry(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, (const char *const[]){NULL}, &ctx->err);
    if (e)
        return e;
    int64_t id = api_parse_id(req->nargs ? req->args[0] : "");
    if (!id)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no such message");
    retry_job *j = vk_json_write_new(ctx, sizeof *j, retry_run, "application/json");
    if (!j)
        return VK_ENOMEM;
    j->id = id;
    snprintf(j->w.actor, sizeof j->w.actor, "%s", req->staff ? req->staff->name : "?");
    vk_json_write_defer(ctx, &j->w, resp);
    return VK_OK;
}

/* ---- the unsubscribe page ---- */

typedef struct page_text {
    const char *title, *ask, *item, *all, *done_item, *done_all, *unknown;
} page_text;

static const page_text *texts(const char *lang)
{
    static const page_text fi = {
        "Sähköpostiviestien peruminen", "Haluatko lopettaa viestit tähän osoitteeseen?",
        "Ei enää viestejä tästä asiasta", "Ei mitään viestejä",
        "Tästä asiasta ei lähetetä enää viestejä tähän osoitteeseen.",
        "Tähän osoitteeseen ei lähetetä enää viestejä.",
        "Linkki on vanhentunut tai virheellinen."};
    static const page_text sv = {
        "Avsluta e-postmeddelanden", "Vill du sluta få meddelanden till den här adressen?",
        "Inga fler meddelanden om det här ärendet", "Inga meddelanden alls",
        "Inga fler meddelanden om det här ärendet skickas till den här adressen.",
        "Inga fler meddelanden skickas till den här adressen.",
        "Länken är föråldrad eller felaktig."};
    static const page_text en = {
        "Stop e-mail messages", "Do you want to stop the messages to this address?",
        "No more messages about this item", "No messages at all",
        "No more messages about this item will be sent to this address.",
        "No more messages will be sent to this address.",
        "The link is out of date or not valid."};
    return strcmp(lang, "sv") == 0 ? &sv : strcmp(lang, "en") == 0 ? &en : &fi;
}

static void page_open(vk_buf *b, const char *lang, const page_text *t)
{
    vk_buf_printf(b,
                  "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<title>%s</title><link rel=\"stylesheet\" href=\"/style.css\"></head>\n"
                  "<body><main id=\"main\"><h1>%s</h1>\n",
                  lang, t->title, t->title);
}

static void page_close(vk_buf *b)
{
    vk_buf_puts(b, "</main></body></html>\n");
}

/* The token, only as ID-SECRET (anything else finds nothing). */
static const char *token_param(const vk_req *req)
{
    const char *t = vk_req_param(req, "t");
    return mail_token_form_ok(t) ? t : NULL;
}

vk_err api_mail_unsubscribe_page(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"t", "all", NULL};
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (e)
        return e;
    const char *token = token_param(req);
    char lang[3] = "fi";
    int found = 0;
    if (token && (e = mail_token_language(ctx->store, token, &found, lang, &ctx->err)))
        return e;
    const page_text *t = texts(lang);
    vk_buf *b = &resp->body;
    resp->content_type = "text/html; charset=utf-8";
    vk_resp_header(resp, "Cache-Control", "no-store");
    vk_resp_header(resp, "Referrer-Policy", "no-referrer");
    page_open(b, lang, t);
    if (!found) {
        resp->status = 404;
        vk_buf_printf(b, "<p>%s</p>\n", t->unknown);
    } else {
        vk_buf_printf(b, "<p>%s</p>\n"
                         "<form method=\"post\" action=\"/api/v1/mail/unsubscribe?t=%s\">"
                         "<button type=\"submit\" class=\"button\">%s</button></form>\n"
                         "<form method=\"post\" action=\"/api/v1/mail/unsubscribe?t=%s&amp;all=1\">"
                         "<button type=\"submit\" class=\"button button-secondary\">%s</button></form>\n",
                      t->ask, token, t->item, token, t->all);
    }
    page_close(b);
    return vk_buf_ok(b) ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}

/* ---- POST: the write ---- */

typedef struct unsub_state {
    vk_write_job job; /* first */
    char token[64];
    int all, found;
    char lang[3];
} unsub_state;

static vk_err unsub_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                        vk_errinfo *ei)
{
    (void)body;
    unsub_state *st = (unsub_state *)wj;
    return mail_unsubscribe(ctx->store, st->token, st->all, now, &st->found, st->lang, ei);
}

static void unsub_finish(void *arg, vk_resp *resp)
{
    unsub_state *st = arg;
    if (st->job.err.code != VK_OK) {
        vk_resp_error(resp, &st->job.err);
        return;
    }
    const page_text *t = texts(st->found ? st->lang : "fi");
    resp->content_type = "text/html; charset=utf-8";
    resp->status = st->found ? 200 : 404;
    vk_resp_header(resp, "Cache-Control", "no-store");
    page_open(&resp->body, st->found ? st->lang : "fi", t);
    vk_buf_printf(&resp->body, "<p role=\"status\">%s</p>\n",
                  !st->found ? t->unknown : st->all ? t->done_all : t->done_item);
    page_close(&resp->body);
}

static void unsub_cleanup(void *arg)
{
    unsub_state *st = arg;
    vk_write_job_fini(&st->job);
    free(st);
}

vk_err api_mail_unsubscribe(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"t", "all", NULL};
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (e)
        return e;
    const char *token = token_param(req);
    if (!token)
        return vk_fail(&ctx->err, VK_EPARAM, "t",
                       "t must be the ID-SECRET of the link in the message");
    vk_param form[8];
    int n = 0;
    if (req->body_len &&
        (e = vk_form_parse(req->body, req->body_len, req->arena, form, 8, &n, &ctx->err)))
        return e;
    const char *all = vk_req_param(req, "all");
    const char *all_form = vk_form_get(form, n, "all");
    unsub_state *st = calloc(1, sizeof *st);
    if (!st)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    snprintf(st->token, sizeof st->token, "%s", token);
    st->all = (all && strcmp(all, "1") == 0) || (all_form && strcmp(all_form, "1") == 0);
    st->job.run = unsub_run;
    vk_write_job_defer(ctx, &st->job, resp, unsub_finish, unsub_cleanup);
    return VK_OK;
}

/* ---- asking to be told ---- */

static vk_err subscribe_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                            vk_errinfo *ei)
{
    mail_subscribe_job *j = (mail_subscribe_job *)wj;
    char topic[MAIL_TOPIC_MAX];
    vk_err e = j->topic_of(ctx, j->key, topic, sizeof topic, ei);
    if (!e)
        e = mail_subscribe(ctx->store, j->audience, topic, &j->ct, NULL, now, ei);
    if (e)
        return e;
    wj->status = 201;
    vk_buf_printf(body, "{\"subscribed\":true,\"language\":\"%s\"}", j->ct.language);
    return VK_OK;
}

vk_err mail_subscribe_job_new(vk_ctx *ctx, const vk_req *req, const char *audience,
                              mail_topic_fn topic_of, mail_subscribe_job **out)
{
    *out = NULL;
    vk_err e = vk_req_only_params(req, (const char *const[]){NULL}, &ctx->err);
    if (e)
        return e;
    if (!vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type",
                       "send {\"email\", \"language\", \"consent\"} as application/json");
    mail_subscribe_job *j = vk_json_write_new(ctx, sizeof *j, subscribe_run, "application/json");
    if (!j)
        return VK_ENOMEM;
    j->audience = audience;
    j->topic_of = topic_of;
    snprintf(j->key, sizeof j->key, "%s", req->nargs ? req->args[0] : "");
    e = api_json_parse(req->body, req->body_len, &j->w.doc, &ctx->err);
    if (!e)
        e = mail_contact_read(j->w.doc, &j->ct, &ctx->err);
    if (e) {
        vk_json_write_free(j);
        return e;
    }
    *out = j;
    return VK_OK;
}

void mail_subscribe_defer(vk_ctx *ctx, mail_subscribe_job *j, vk_resp *resp)
{
    vk_json_write_defer(ctx, &j->w, resp);
}
