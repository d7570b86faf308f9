/* notify.c — status changes of walk findings mailed to the council
 * members following the finding's area (see notify.h). A message says the
 * finding's type, grade, area, the change and its public explanation, and
 * links the staff page: no description (it may name people), no review,
 * no one's name. */
#include "walk/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/json.h"
#include "http/deferred.h"
#include "mail/api.h"
#include "mail/outbox.h"
#include "walk/sql.h"

enum { FI, SV, EN, NLANG };

#define AREAS_MAX 50

/* The account the subscription belongs to: 'u:ID' or 't:ID', as reviews. */
static void owner_of(const vk_req *req, char out[40])
{
    snprintf(out, 40, "%s:%lld", req->staff->user_id ? "u" : "t",
             (long long)(req->staff->user_id ? req->staff->user_id : req->staff->token_id));
}

vk_err api_staff_walk_subscription(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, (const char *const[]){NULL}, &ctx->err);
    if (e)
        return e;
    char owner[40];
    owner_of(req, owner);
    vk_resp_header(resp, "Cache-Control", "no-store");
    return mail_subscriptions_json(ctx->store, owner, &resp->body, &ctx->err);
}

typedef struct sub_job {
    vk_json_write w; /* first */
    char owner[40];
    mail_contact ct;
    const char *areas[AREAS_MAX];
    int n;
} sub_job;

static vk_err sub_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                      vk_errinfo *ei)
{
    sub_job *j = (sub_job *)wj;
    for (int i = 0; i < j->n; i++) {
        int64_t known = 0;
        vk_err e = db_int64(ctx->store, &walk_sql, SQL_AREA_KNOWN, DB_ARGS(DB_TEXT(j->areas[i])),
                            &known, "checking an area", ei);
        if (e)
            return e;
        if (!known)
            return vk_fail(ei, VK_EVALUE, "areas",
                           "unknown area '%.60s' (GET /api/v1/walks/areas: district:CODE or "
                           "accessibility:CODE)",
                           j->areas[i]);
    }
    vk_err e = mail_subscriptions_replace(ctx->store, j->owner, MAIL_TO_COUNCIL, &j->ct, j->areas,
                                          j->n, now, ei);
    if (!e)
        e = mail_subscriptions_json(ctx->store, j->owner, body, ei);
    wj->status = 200;
    return e;
}

vk_err api_staff_walk_subscription_put(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, (const char *const[]){NULL}, &ctx->err);
    if (e)
        return e;
    if (!vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type",
                       "send {\"email\", \"language\", \"consent\", \"areas\"} as application/json");
    sub_job *j = vk_json_write_new(ctx, sizeof *j, sub_run, "application/json");
    if (!j)
        return VK_ENOMEM;
    owner_of(req, j->owner);
    snprintf(j->w.actor, sizeof j->w.actor, "%s", req->staff->name);
    e = api_json_parse(req->body, req->body_len, &j->w.doc, &ctx->err);
    json_t *areas = e ? NULL : json_object_get(j->w.doc, "areas");
    if (!e && !json_is_object(j->w.doc))
        e = vk_fail(&ctx->err, VK_ETYPE, "", "send an object {\"email\", \"language\", "
                                             "\"consent\", \"areas\"}");
    if (!e && !areas)
        e = vk_fail(&ctx->err, VK_EMISSING, "areas", "areas is a list of district:CODE and "
                                                      "accessibility:CODE ([] to stop)");
    if (!e && (!json_is_array(areas) || json_array_size(areas) > AREAS_MAX))
        e = vk_fail(&ctx->err, VK_ETYPE, "areas", "areas is a list of at most %d areas",
                    AREAS_MAX);
    for (size_t i = 0; !e && i < json_array_size(areas); i++) {
        const char *a = json_string_value(json_array_get(areas, i));
        if (!a || strlen(a) >= MAIL_TOPIC_MAX ||
            (strncmp(a, "district:", 9) != 0 && strncmp(a, "accessibility:", 14) != 0))
            e = vk_fail(&ctx->err, VK_EVALUE, "areas",
                        "each area is \"district:CODE\" or \"accessibility:CODE\"");
        else
            j->areas[j->n++] = a;
    }
    if (!e && j->n) {
        /* The contact: the object without "areas". The borrowed area
         * strings stay alive in their own array. */
        json_incref(areas);
        json_object_del(j->w.doc, "areas");
        e = mail_contact_read(j->w.doc, &j->ct, &ctx->err);
        json_object_set_new(j->w.doc, "areas", areas);
    } else if (!e && json_object_size(j->w.doc) != 1) {
        e = vk_fail(&ctx->err, VK_EVALUE, "areas", "to stop, send {\"areas\": []} alone");
    }
    if (!e)
        e = api_idem_prepare(ctx, req, 0, &j->w.job);
    if (e) {
        vk_json_write_free(j);
        return e;
    }
    vk_json_write_defer(ctx, &j->w, resp);
    return VK_OK;
}

/* ---- the message ---- */

typedef struct change {
    int64_t id;
    const char *uuid, *from, *to, *explanation, *public_url;
    char type[80], grade[16], district[64], special[64];
    char dname[NLANG][200], aname[NLANG][200];
} change;

static vk_err read_finding(void *arg, db_row *row)
{
    change *c = arg;
    db_col_copy(row, 0, c->type, sizeof c->type);
    db_col_copy(row, 1, c->grade, sizeof c->grade);
    db_col_copy(row, 2, c->district, sizeof c->district);
    db_col_copy(row, 3, c->special, sizeof c->special);
    for (int l = 0; l < NLANG; l++) {
        db_col_copy(row, 4 + l, c->dname[l], sizeof c->dname[l]);
        db_col_copy(row, 7 + l, c->aname[l], sizeof c->aname[l]);
    }
    return VK_OK;
}

static const char *word(const char *key, int l)
{
    static const char *const words[][NLANG + 1] = {
        {"open", "avoin", "öppen", "open"},
        {"planned", "suunniteltu", "planerad", "planned"},
        {"fixed", "korjattu", "åtgärdad", "fixed"},
        {"verified", "korjaus todettu", "åtgärden bekräftad", "fix verified"},
        {"rejected", "hylätty", "avvisad", "rejected"},
        {"vaara", "vaara", "fara", "danger"},
        {"este", "este", "hinder", "obstacle"},
        {"haitta", "haitta", "olägenhet", "nuisance"},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(key, words[i][0]) == 0)
            return words[i][l + 1];
    return key;
}

static const char *name_in(const char (*names)[200], const char *code, int l)
{
    return names[l][0] ? names[l] : names[FI][0] ? names[FI] : code;
}

static void compose_change(void *arg, int l, vk_buf *s, vk_buf *t)
{
    const change *c = arg;
    static const char *const subj[] = {"Esteettömyyskävelyn havainto #%lld: %s",
                                       "Iakttagelse #%lld från tillgänglighetsvandring: %s",
                                       "Accessibility walk finding #%lld: %s"};
    static const char *const body[] = {
        "Seuraamallasi alueella olevan havainnon #%lld (%s, %s) tila muuttui: %s → %s.",
        "Status för iakttagelse #%lld (%s, %s) i ett område du följer ändrades: %s → %s.",
        "The status of finding #%lld (%s, %s) in an area you follow changed: %s → %s."};
    static const char *const where[] = {"Alue:", "Område:", "Area:"};
    static const char *const why[] = {"Perustelu:", "Motivering:", "Explanation:"};
    static const char *const open[] = {"Avaa havainto:", "Öppna iakttagelsen:", "Open the finding:"};
    vk_buf_printf(s, subj[l], (long long)c->id, word(c->to, l));
    vk_buf_printf(t, body[l], (long long)c->id, c->type, word(c->grade, l), word(c->from, l),
                  word(c->to, l));
    if (c->district[0] || c->special[0]) {
        vk_buf_printf(t, "\n\n%s", where[l]);
        if (c->district[0])
            vk_buf_printf(t, " %s", name_in(c->dname, c->district, l));
        if (c->special[0])
            vk_buf_printf(t, "%s %s", c->district[0] ? "," : "", name_in(c->aname, c->special, l));
    }
    if (c->explanation && c->explanation[0])
        vk_buf_printf(t, "\n\n%s\n%s", why[l], c->explanation);
    vk_buf_printf(t, "\n\n%s\n%s/staff-walk-finding.html?id=%s", open[l], c->public_url, c->uuid);
}

vk_err walk_notify_status(vk_ctx *ctx, int64_t id, const char *uuid, const char *from,
                          const char *to, const char *explanation, const char *now,
                          vk_errinfo *ei)
{
    if (strcmp(from, to) == 0)
        return VK_OK;
    change c = {.id = id, .uuid = uuid, .from = from, .to = to, .explanation = explanation,
                .public_url = ctx->cfg->public_url ? ctx->cfg->public_url : ""};
    int found = 0;
    vk_err e = db_first(ctx->store, &walk_sql, SQL_MAIL_FINDING, DB_ARGS(DB_INT(id)), read_finding,
                        &c, &found, "reading a finding", ei);
    if (e || !found || (!c.district[0] && !c.special[0]))
        return e;
    char t1[MAIL_TOPIC_MAX], t2[MAIL_TOPIC_MAX];
    snprintf(t1, sizeof t1, "district:%s", c.district);
    snprintf(t2, sizeof t2, "accessibility:%s", c.special);
    return mail_notify_topic(ctx->store, ctx->cfg, c.district[0] ? t1 : t2, c.special[0] ? t2 : t1,
                             "walk_status", compose_change, &c, now, NULL, ei);
}
