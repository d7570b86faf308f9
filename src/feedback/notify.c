/* notify.c — what feedback mails, and to whom (see notify.h). */
#include "feedback/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "feedback/sql.h"
#include "mail/mime.h"
#include "mail/outbox.h"

enum { FI, SV, EN, NLANG };

static int lang_index(const char *lang)
{
    return lang && strcmp(lang, "sv") == 0 ? SV : lang && strcmp(lang, "en") == 0 ? EN : FI;
}

static const char *const lang_code[NLANG] = {"fi", "sv", "en"};

static const char *status_name(const char *status, int l)
{
    static const char *const names[][NLANG + 1] = {
        {"received", "vastaanotettu", "mottagen", "received"},
        {"in_progress", "käsittelyssä", "under behandling", "in progress"},
        {"planned", "suunnitteilla", "planerad", "planned"},
        {"resolved", "ratkaistu", "löst", "resolved"},
        {"not_resolvable", "ei voida ratkaista", "kan inte lösas", "cannot be resolved"},
        {"duplicate", "sama asia kuin toinen palaute", "samma sak som en annan respons",
         "the same as another item"},
        {"forwarded", "välitetty eteenpäin", "vidarebefordrad", "forwarded"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(status, names[i][0]) == 0)
            return names[i][l + 1];
    return status;
}

typedef struct reporter {
    char *email;
    char lang[3];
} reporter;

static vk_err read_reporter(void *arg, db_row *row)
{
    reporter *r = arg;
    r->email = db_col_dup(row, 0);
    db_col_copy(row, 1, r->lang, sizeof r->lang);
    return r->email ? VK_OK : VK_ENOMEM;
}

typedef struct names {
    char n[NLANG][200];
} names;

static vk_err read_names(void *arg, db_row *row)
{
    names *c = arg;
    for (int i = 0; i < NLANG; i++)
        db_col_copy(row, i, c->n[i], sizeof c->n[i]);
    return VK_OK;
}

/* Queue text to the item's reporter, if they gave an address. */
static vk_err to_reporter(vk_ctx *ctx, int64_t id, const char *kind, const char *now,
                          void (*compose)(void *arg, int l, vk_buf *subject, vk_buf *text),
                          void *arg, vk_errinfo *ei)
{
    reporter r = {0};
    int found = 0;
    vk_err e = db_first(ctx->store, &feedback_sql, SQL_CONTACT_MAIL, DB_ARGS(DB_INT(id)),
                        read_reporter, &r, &found, "reading the reporter's address", ei);
    if (e || !found) {
        free(r.email);
        return e;
    }
    int l = lang_index(r.lang);
    vk_buf subject, text;
    vk_buf_init(&subject, MAIL_TEXT_MAX);
    vk_buf_init(&text, MAIL_TEXT_MAX);
    compose(arg, l, &subject, &text);
    if (!vk_buf_ok(&subject) || !vk_buf_ok(&text)) {
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    } else {
        mail_new m = {r.email, lang_code[l], kind, MAIL_TO_REPORTER, id, subject.data, text.data};
        e = mail_queue(ctx->store, ctx->cfg, &m, now, NULL, ei);
    }
    vk_buf_fini(&subject);
    vk_buf_fini(&text);
    free(r.email);
    return e;
}

typedef struct unit_row {
    char *email;
    char category[200], place[600];
} unit_row;

static vk_err read_unit(void *arg, db_row *row)
{
    unit_row *u = arg;
    u->email = db_col_dup(row, 0);
    db_col_copy(row, 1, u->category, sizeof u->category);
    db_col_copy(row, 2, u->place, sizeof u->place);
    return u->email ? VK_OK : VK_ENOMEM;
}

/* The unit the item is routed to, if it has an address: in Finnish, the
 * staff's language; the staff page has the rest. */
static vk_err to_unit(vk_ctx *ctx, int64_t id, const char *now, vk_errinfo *ei)
{
    unit_row u = {0};
    int found = 0;
    vk_err e = db_first(ctx->store, &feedback_sql, SQL_UNIT_MAIL, DB_ARGS(DB_INT(id)), read_unit,
                        &u, &found, "reading the unit's address", ei);
    if (e || !found) {
        free(u.email);
        return e;
    }
    char subject[120];
    snprintf(subject, sizeof subject, "Uusi palaute #%lld yksikölle", (long long)id);
    vk_buf text;
    vk_buf_init(&text, MAIL_TEXT_MAX);
    vk_buf_printf(&text, "Yksikölle on ohjattu palaute #%lld (%s%s%s).\n\n"
                         "Avaa se henkilökunnan sivuilla: %s/staff-item.html?id=%lld",
                  (long long)id, u.category, u.place[0] ? ", paikka: " : "", u.place,
                  ctx->cfg->public_url ? ctx->cfg->public_url : "", (long long)id);
    if (!vk_buf_ok(&text)) {
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    } else {
        mail_new m = {u.email, "fi", "unit_new", MAIL_TO_UNIT, id, subject, text.data};
        e = mail_queue(ctx->store, ctx->cfg, &m, now, NULL, ei);
    }
    vk_buf_fini(&text);
    free(u.email);
    return e;
}

/* ---- the messages ---- */

typedef struct about {
    int64_t id, into;
    names cat;
    const char *public_url, *followup; /* receipt: the site and the follow-up token */
    const char *status, *answer;
} about;

static void compose_receipt(void *arg, int l, vk_buf *s, vk_buf *t)
{
    const about *a = arg;
    static const char *const subj[] = {"Palautteesi #%lld on vastaanotettu",
                                       "Din respons #%lld har tagits emot",
                                       "Your feedback #%lld has been received"};
    static const char *const body[] = {
        "Kiitos palautteestasi #%lld (%s).\n\n"
        "Seuraa sen käsittelyä ja kaupungin vastauksia tästä linkistä:\n%s\n\n"
        "Pidä linkki omana tietonasi: sillä voi myös perua palautteen.",
        "Tack för din respons #%lld (%s).\n\n"
        "Följ behandlingen och stadens svar via den här länken:\n%s\n\n"
        "Håll länken för dig själv: med den kan man också återkalla responsen.",
        "Thank you for your feedback #%lld (%s).\n\n"
        "Follow its handling and the city's answers with this link:\n%s\n\n"
        "Keep the link to yourself: it can also withdraw the feedback."};
    /* The follow-up page opens in the language of the message. */
    char url[512];
    snprintf(url, sizeof url, "%s/follow.html?lang=%s#%s", a->public_url, lang_code[l], a->followup);
    vk_buf_printf(s, subj[l], (long long)a->id);
    vk_buf_printf(t, body[l], (long long)a->id, a->cat.n[l], url);
}

static void compose_update(void *arg, int l, vk_buf *s, vk_buf *t)
{
    const about *a = arg;
    static const char *const subj[] = {"Palautteesi #%lld: %s", "Din respons #%lld: %s",
                                       "Your feedback #%lld: %s"};
    static const char *const body[] = {"Palautteesi #%lld (%s) tila on nyt: %s.",
                                       "Status för din respons #%lld (%s) är nu: %s.",
                                       "The status of your feedback #%lld (%s) is now: %s."};
    static const char *const answer[] = {"Kaupungin vastaus:", "Stadens svar:",
                                         "The city's answer:"};
    static const char *const answered[] = {"uusi vastaus", "nytt svar", "new answer"};
    const char *st = status_name(a->status, l);
    vk_buf_printf(s, subj[l], (long long)a->id, a->answer ? answered[l] : st);
    vk_buf_printf(t, body[l], (long long)a->id, a->cat.n[l], st);
    if (a->answer)
        vk_buf_printf(t, "\n\n%s\n%s", answer[l], a->answer);
}

static void compose_merge(void *arg, int l, vk_buf *s, vk_buf *t)
{
    const about *a = arg;
    static const char *const subj[] = {"Palautteesi #%lld yhdistettiin palautteeseen #%lld",
                                       "Din respons #%lld slogs ihop med respons #%lld",
                                       "Your feedback #%lld was merged into #%lld"};
    static const char *const body[] = {
        "Palautteesi #%lld (%s) koskee samaa asiaa kuin palaute #%lld, joten ne "
        "käsitellään yhdessä. Palautteesi lasketaan palautteen #%lld tueksi.",
        "Din respons #%lld (%s) gäller samma sak som respons #%lld, så de behandlas "
        "tillsammans. Din respons räknas som stöd för respons #%lld.",
        "Your feedback #%lld (%s) is about the same thing as item #%lld, so they are "
        "handled together. Yours counts as support for item #%lld."};
    vk_buf_printf(s, subj[l], (long long)a->id, (long long)a->into);
    vk_buf_printf(t, body[l], (long long)a->id, a->cat.n[l], (long long)a->into,
                  (long long)a->into);
    if (a->answer)
        vk_buf_printf(t, "\n\n%s", a->answer);
}

static vk_err read_category(vk_ctx *ctx, int64_t id, names *cat, vk_errinfo *ei)
{
    memset(cat, 0, sizeof *cat);
    return db_first(ctx->store, &feedback_sql, SQL_CATEGORY_NAMES, DB_ARGS(DB_INT(id)),
                    read_names, cat, NULL, "reading the category's names", ei);
}

vk_err api_notify_created(vk_ctx *ctx, int64_t id, const char *followup, const char *now,
                          vk_errinfo *ei)
{
    about a = {.id = id};
    vk_err e = read_category(ctx, id, &a.cat, ei);
    if (!e && followup) {
        a.public_url = ctx->cfg->public_url ? ctx->cfg->public_url : "";
        a.followup = followup;
        e = to_reporter(ctx, id, "receipt", now, compose_receipt, &a, ei);
    }
    return e ? e : to_unit(ctx, id, now, ei);
}

vk_err api_notify_changed(vk_ctx *ctx, int64_t id, const char *kind, const char *from,
                          const char *to, const char *answer, int64_t duplicate_of,
                          int unit_changed, const char *now, vk_errinfo *ei)
{
    int merge = kind && strcmp(kind, "merge") == 0;
    int status_changed = strcmp(from, to) != 0;
    vk_err e = VK_OK;
    if (merge || status_changed || answer) {
        about a = {.id = id, .into = duplicate_of, .status = to, .answer = answer};
        e = read_category(ctx, id, &a.cat, ei);
        if (!e)
            e = to_reporter(ctx, id, merge ? "merge" : answer ? "answer" : "status", now,
                            merge ? compose_merge : compose_update, &a, ei);
    }
    if (!e && unit_changed)
        e = to_unit(ctx, id, now, ei);
    return e;
}
