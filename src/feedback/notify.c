/* notify.c — what feedback mails, and to whom (see notify.h). */
#include "feedback/notify.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/store.h"
#include "feedback/sql.h"
#include "mail/feed.h"
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
        mail_new m = {r.email, lang_code[l], kind, MAIL_TO_REPORTER, id, subject.data, text.data, 0};
        e = mail_queue(ctx->store, ctx->cfg, &m, now, NULL, ei);
    }
    vk_buf_fini(&subject);
    vk_buf_fini(&text);
    free(r.email);
    return e;
}

typedef struct unit_row {
    char *email;
    char category[200], place[600], lang[3];
} unit_row;

static vk_err read_unit(void *arg, db_row *row)
{
    unit_row *u = arg;
    u->email = db_col_dup(row, 0);
    db_col_copy(row, 1, u->category, sizeof u->category);
    db_col_copy(row, 2, u->place, sizeof u->place);
    db_col_copy(row, 3, u->lang, sizeof u->lang);
    return u->email ? VK_OK : VK_ENOMEM;
}

/* A unit's message about item id in language l: routed to it (new) or
 * reassigned to it from another unit (moved); the staff page has the rest. */
static void compose_unit(const vk_config *cfg, int l, int moved, int64_t id, const char *category,
                         const char *where, vk_buf *s, vk_buf *t)
{
    static const char *const subj[] = {"Uusi palaute #%lld yksikölle", "Ny respons #%lld till enheten",
                                       "New feedback #%lld for the unit"};
    static const char *const body[] = {
        "Yksikölle on ohjattu palaute #%lld (%s%s%s).\n\n"
        "Avaa se henkilökunnan sivuilla: %s/staff-item.html?id=%lld",
        "Respons #%lld har styrts till enheten (%s%s%s).\n\n"
        "Öppna den på personalens sidor: %s/staff-item.html?id=%lld",
        "Feedback #%lld has been routed to the unit (%s%s%s).\n\n"
        "Open it on the staff pages: %s/staff-item.html?id=%lld"};
    static const char *const msubj[] = {"Palaute #%lld siirrettiin yksikölle",
                                        "Respons #%lld flyttades till enheten",
                                        "Feedback #%lld reassigned to the unit"};
    static const char *const mbody[] = {
        "Palaute #%lld on siirretty yksikölle toiselta yksiköltä (%s%s%s).\n\n"
        "Avaa se henkilökunnan sivuilla: %s/staff-item.html?id=%lld",
        "Respons #%lld har flyttats till enheten från en annan enhet (%s%s%s).\n\n"
        "Öppna den på personalens sidor: %s/staff-item.html?id=%lld",
        "Feedback #%lld has been reassigned to the unit from another unit (%s%s%s).\n\n"
        "Open it on the staff pages: %s/staff-item.html?id=%lld"};
    static const char *const place[] = {", paikka: ", ", plats: ", ", place: "};
    vk_buf_printf(s, (moved ? msubj : subj)[l], (long long)id);
    vk_buf_printf(t, (moved ? mbody : body)[l], (long long)id, category,
                  where[0] ? place[l] : "", where, cfg->public_url ? cfg->public_url : "",
                  (long long)id);
}

/* The unit the item is routed to, if it has an address: in the unit's
 * language (admins set it). moved: it came by reassignment from another
 * unit (the message says so). A staff change: queued with its text. */
static vk_err to_unit(store_conn *c, const vk_config *cfg, int64_t id, int moved, const char *now,
                      vk_errinfo *ei)
{
    unit_row u = {0};
    int found = 0;
    vk_err e = db_first(c, &feedback_sql, SQL_UNIT_MAIL, DB_ARGS(DB_INT(id)), read_unit, &u, &found,
                        "reading the unit's address", ei);
    if (e || !found) {
        free(u.email);
        return e;
    }
    int l = lang_index(u.lang);
    vk_buf subject, text;
    vk_buf_init(&subject, MAIL_TEXT_MAX);
    vk_buf_init(&text, MAIL_TEXT_MAX);
    compose_unit(cfg, l, moved, id, u.category, u.place, &subject, &text);
    if (!vk_buf_ok(&subject) || !vk_buf_ok(&text)) {
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    } else {
        mail_new m = {u.email, lang_code[l], "unit_new", MAIL_TO_UNIT, id, subject.data, text.data, 0};
        e = mail_queue(c, cfg, &m, now, NULL, ei);
    }
    vk_buf_fini(&subject);
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
    const char *answer_in[NLANG]; /* its versions by language; NULL: answer */
} about;

/* The answer in the message's language, else as written. */
static const char *answer_for(const about *a, int l)
{
    return a->answer_in[l] ? a->answer_in[l] : a->answer;
}

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
        vk_buf_printf(t, "\n\n%s\n%s", answer[l], answer_for(a, l));
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
        vk_buf_printf(t, "\n\n%s", answer_for(a, l));
}

static vk_err read_category(vk_ctx *ctx, int64_t id, names *cat, vk_errinfo *ei)
{
    memset(cat, 0, sizeof *cat);
    return db_first(ctx->store, &feedback_sql, SQL_CATEGORY_NAMES, DB_ARGS(DB_INT(id)),
                    read_names, cat, NULL, "reading the category's names", ei);
}

/* ---- a new item's mail, read from the item by the sender (mail/feed.h) ---- */

typedef struct feed_read {
    const vk_config *cfg;
    mail_feed_msg *out;
    int cap, n, records, max_records;
    int64_t last;
    vk_err err;
} feed_read;

/* Render one message into the next slot of r; 0 when there is no room. */
static int feed_msg(feed_read *r, int64_t id, int64_t unit, const char *to, const char *lang,
                    const about *a, const char *category_l, const char *place)
{
    if (r->n >= r->cap)
        return 0;
    mail_feed_msg *m = &r->out[r->n];
    memset(m, 0, sizeof *m);
    int l = lang_index(lang);
    vk_buf subject, text;
    vk_buf_init(&subject, MAIL_TEXT_MAX);
    vk_buf_init(&text, MAIL_TEXT_MAX);
    if (unit)
        compose_unit(r->cfg, l, 0, id, category_l, place, &subject, &text);
    else
        compose_receipt((void *)a, l, &subject, &text);
    if (vk_buf_ok(&subject) && vk_buf_ok(&text)) {
        m->subject = strdup(subject.data);
        m->text = strdup(text.data);
    }
    vk_buf_fini(&subject);
    vk_buf_fini(&text);
    if (!m->subject || !m->text) {
        free(m->subject);
        free(m->text);
        m->subject = m->text = NULL;
        r->err = VK_ENOMEM;
        return 0;
    }
    snprintf(m->recipient, sizeof m->recipient, "%s", to);
    memcpy(m->lang, lang_code[l], 3);
    snprintf(m->kind, sizeof m->kind, "%s", unit ? "unit_new" : "receipt");
    m->audience = unit ? MAIL_TO_UNIT : MAIL_TO_REPORTER;
    m->feedback_id = id;
    m->unit_id = unit;
    r->n++;
    return 1;
}

static int feed_item_row(void *arg, db_row *row)
{
    feed_read *r = arg;
    if (r->n + 2 > r->cap)
        return 1; /* no room for its messages: the next step reads it */
    int64_t id = db_col_int64(row, 0);
    r->last = id;
    r->records++;
    if (!db_col_int64(row, 1))
        return r->records >= r->max_records; /* not the POST's: no mail */
    about a = {.id = id, .public_url = r->cfg->public_url ? r->cfg->public_url : ""};
    for (int i = 0; i < NLANG; i++)
        db_col_copy(row, 8 + i, a.cat.n[i], sizeof a.cat.n[i]);
    const char *place = db_col_text(row, 11);
    /* The receipt: only the POST's own door keeps a token; a withdrawal
     * or a purge deleted the contact row, and so the receipt. */
    const char *email = db_col_text(row, 2), *token = db_col_text(row, 4);
    if (email && token && mail_address_safe(email)) {
        a.followup = token;
        feed_msg(r, id, 0, email, db_col_text(row, 3), &a, NULL, NULL);
    }
    const char *unit_email = db_col_text(row, 6);
    if (!db_col_is_null(row, 5) && unit_email && mail_address_safe(unit_email)) {
        int l = lang_index(db_col_text(row, 7));
        feed_msg(r, id, db_col_int64(row, 5), unit_email, db_col_text(row, 7), &a, a.cat.n[l],
                 place ? place : "");
    }
    return r->err || r->records >= r->max_records;
}

static vk_err feed_read_items(store_conn *c, const vk_config *cfg, int64_t after, int max_records,
                              mail_feed_msg *out, int cap, int *n, int64_t *last, vk_errinfo *ei)
{
    feed_read r = {cfg, out, cap, 0, 0, max_records, after, VK_OK};
    vk_err e = db_each(c, &feedback_sql, SQL_MAIL_FEED_ITEMS,
                       DB_ARGS(DB_INT(after), DB_INT(max_records)), feed_item_row, &r,
                       "reading the new items' mail", ei);
    if (!e && r.err)
        e = vk_fail(ei, r.err, "", NULL);
    *n = r.n;
    *last = r.last;
    return e;
}

static vk_err feed_done(store_conn *c, const vk_config *cfg, int64_t after, int64_t last,
                        const mail_feed_msg *msgs, int n, const char *now, vk_errinfo *ei)
{
    vk_err e = db_run(c, &feedback_sql, SQL_RECEIPT_TOKENS_CLEAR, DB_ARGS(DB_INT(after), DB_INT(last)),
                      "clearing the receipts' tokens", ei);
    /* Routed to another unit after the sender read it (a reassignment
     * before the cursor passed the item leaves the unit's mail to the
     * sender, api_notify_changed): the old unit's unsent message goes and
     * the new unit hears of it as reassigned. */
    for (int i = 0; !e && i < n; i++) {
        if (!msgs[i].unit_id)
            continue;
        int64_t unit = 0;
        e = db_int64(c, &feedback_sql, SQL_ITEM_UNIT, DB_ARGS(DB_INT(msgs[i].feedback_id)), &unit,
                     "reading an item's unit", ei);
        if (!e && unit != msgs[i].unit_id) {
            e = mail_cancel_item_units(c, msgs[i].feedback_id, ei);
            if (!e && unit)
                e = to_unit(c, cfg, msgs[i].feedback_id, 1, now, ei);
        }
    }
    return e;
}

typedef struct address_out {
    char *email, *lang;
} address_out;

static vk_err read_address(void *arg, db_row *row)
{
    address_out *a = arg;
    db_col_copy(row, 0, a->email, 255);
    snprintf(a->lang, 3, "%s", lang_code[lang_index(db_col_text(row, 1))]);
    return VK_OK;
}

static vk_err feed_address(store_conn *c, int64_t item, int64_t unit, char email[255], char lang[3],
                           int *found, vk_errinfo *ei)
{
    address_out a = {email, lang};
    email[0] = '\0';
    vk_err e = unit ? db_first(c, &feedback_sql, SQL_UNIT_ADDRESS, DB_ARGS(DB_INT(unit)),
                               read_address, &a, found, "reading an unsubscribe link", ei)
                    : db_first(c, &feedback_sql, SQL_CONTACT_MAIL_ANY, DB_ARGS(DB_INT(item)),
                               read_address, &a, found, "reading an unsubscribe link", ei);
    *found = *found && email[0];
    return e;
}

static vk_err feed_pending(store_conn *c, int64_t after, int64_t *n, vk_errinfo *ei)
{
    return db_int64(c, &feedback_sql, SQL_MAIL_FEED_PENDING, DB_ARGS(DB_INT(after)), n,
                    "counting the new items' mail", ei);
}

typedef struct render_item {
    names cat;
    char place[600];
} render_item;

static vk_err read_render_item(void *arg, db_row *row)
{
    render_item *r = arg;
    for (int i = 0; i < NLANG; i++)
        db_col_copy(row, i, r->cat.n[i], sizeof r->cat.n[i]);
    db_col_copy(row, 3, r->place, sizeof r->place);
    return VK_OK;
}

/* The compact rows queued by the POST before schema 0028 (mail/outbox.h). */
static vk_err notify_render(store_conn *c, const vk_config *cfg, const char *kind, int64_t id,
                         const char *params, const char *lang, vk_buf *subject, vk_buf *text,
                         int *found, vk_errinfo *ei)
{
    *found = 0;
    int receipt = strcmp(kind, "receipt") == 0;
    if (!receipt && strcmp(kind, "unit_new") != 0)
        return vk_fail(ei, VK_EINTERNAL, "", "no renderer for a compact %s message", kind);
    render_item r;
    memset(&r, 0, sizeof r);
    vk_err e = db_first(c, &feedback_sql, SQL_RENDER_ITEM, DB_ARGS(DB_INT(id)), read_render_item,
                        &r, found, "reading what a message names", ei);
    if (e || !*found)
        return e;
    int l = lang_index(lang);
    if (receipt) {
        about a = {.id = id, .cat = r.cat, .public_url = cfg->public_url ? cfg->public_url : "",
                   .followup = params};
        compose_receipt(&a, l, subject, text);
    } else {
        compose_unit(cfg, l, strcmp(params, "moved") == 0, id, r.cat.n[l], r.place, subject, text);
    }
    return VK_OK;
}

const mail_feed feedback_mail_feed = {feed_read_items, feed_done, feed_address, feed_pending,
                                      notify_render};

vk_err api_notify_changed(vk_ctx *ctx, int64_t id, const char *kind, const char *from,
                          const char *to, const char *answer, const char *answer_sv,
                          const char *answer_en, int64_t duplicate_of, int unit_changed,
                          const char *now, vk_errinfo *ei)
{
    int merge = kind && strcmp(kind, "merge") == 0;
    int status_changed = strcmp(from, to) != 0;
    vk_err e = VK_OK;
    if (merge || status_changed || answer) {
        about a = {.id = id, .into = duplicate_of, .status = to, .answer = answer,
                   .answer_in = {NULL, answer ? answer_sv : NULL, answer ? answer_en : NULL}};
        e = read_category(ctx, id, &a.cat, ei);
        if (!e)
            e = to_reporter(ctx, id, merge ? "merge" : answer ? "answer" : "status", now,
                            merge ? compose_merge : compose_update, &a, ei);
    }
    /* Reassigned: the old unit's unsent "new item" is no longer its work;
     * the new unit hears of it as reassigned (or in its digest). An item
     * the sender has not yet passed (mail/feed.h) has no message to any
     * unit yet: the sender mails the unit it is routed to when it comes to
     * it, and sets right one it read before this change (feed_done). */
    int64_t cursor = 0;
    unsigned char key[32];
    if (!e && unit_changed && !(e = mail_feed_state(ctx->store, &cursor, key, ei)) && id <= cursor) {
        e = mail_cancel_item_units(ctx->store, id, ei);
        if (!e)
            e = to_unit(ctx->store, ctx->cfg, id, 1, now, ei);
    }
    sodium_memzero(key, sizeof key);
    return e;
}

/* ---- the units' daily digest ---- */

#define DIGEST_MAX 500

typedef struct digest_unit {
    int64_t id;
    char email[255], lang[3], since[40];
} digest_unit;

typedef struct digest_units {
    digest_unit u[64];
    int n;
} digest_units;

static int digest_due_row(void *arg, db_row *row)
{
    digest_units *d = arg;
    if (d->n >= 64)
        return 1;
    digest_unit *u = &d->u[d->n++];
    u->id = db_col_int64(row, 0);
    db_col_copy(row, 1, u->email, sizeof u->email);
    db_col_copy(row, 2, u->lang, sizeof u->lang);
    db_col_copy(row, 3, u->since, sizeof u->since);
    return 0;
}

typedef struct digest_text {
    vk_buf *t;
    const char *public_url;
    int l, n;
} digest_text;

static int digest_item_row(void *arg, db_row *row)
{
    digest_text *d = arg;
    static const char *const place[] = {", paikka: ", ", plats: ", ", place: "};
    static const char *const moved[] = {" (siirretty toiselta yksiköltä)",
                                        " (flyttad från en annan enhet)",
                                        " (reassigned from another unit)"};
    if (++d->n > DIGEST_MAX)
        return 1;
    const char *cat = db_col_text(row, 1), *where = db_col_text(row, 2);
    int has_place = where && where[0];
    long long id = (long long)db_col_int64(row, 0);
    vk_buf_printf(d->t, "\n#%lld %s%s%s%s\n%s/staff-item.html?id=%lld\n", id, cat ? cat : "",
                  has_place ? place[d->l] : "", has_place ? where : "",
                  db_col_int64(row, 3) ? moved[d->l] : "", d->public_url, id);
    return 0;
}

/* One unit's digest, in a transaction: the items routed to it since the
 * last one, if any, and the time noted either way. */
static vk_err digest_one(vk_ctx *ctx, const digest_unit *u, const char *now, vk_errinfo *ei)
{
    static const char *const subj[] = {"Yksikölle ohjatut palautteet: %d uutta",
                                       "Respons till enheten: %d nya",
                                       "Feedback routed to the unit: %d new"};
    static const char *const head[] = {"Edellisen koosteen jälkeen yksikölle on ohjattu nämä palautteet:",
                                       "Sedan förra sammandraget har den här responsen styrts till enheten:",
                                       "Since the last digest, these items have been routed to the unit:"};
    /* (new ones and those reassigned to it; SQL_DIGEST_ITEMS) */
    static const char *const more[] = {"Lista on katkaistu; loput löytyvät henkilökunnan sivuilta.",
                                       "Listan är avkortad; resten finns på personalens sidor.",
                                       "The list is cut short; the rest are on the staff pages."};
    int l = lang_index(u->lang);
    vk_buf text;
    vk_buf_init(&text, MAIL_TEXT_MAX);
    vk_buf_puts(&text, head[l]);
    vk_buf_putc(&text, '\n');
    digest_text d = {&text, ctx->cfg->public_url ? ctx->cfg->public_url : "", l, 0};
    vk_err e = store_begin(ctx->store, ei);
    if (!e)
        e = db_each(ctx->store, &feedback_sql, SQL_DIGEST_ITEMS,
                    DB_ARGS(DB_INT(u->id), DB_TEXT(u->since), DB_TEXT(lang_code[l])), digest_item_row,
                    &d, "reading the unit's new items", ei);
    if (!e && d.n) {
        int shown = d.n > DIGEST_MAX ? DIGEST_MAX : d.n;
        if (d.n > DIGEST_MAX)
            vk_buf_printf(&text, "\n%s\n", more[l]);
        char subject[120];
        snprintf(subject, sizeof subject, subj[l], shown);
        if (!vk_buf_ok(&text)) {
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
        } else {
            mail_new m = {u->email, lang_code[l], "unit_digest", MAIL_TO_UNIT, 0, subject, text.data, 0};
            e = mail_queue(ctx->store, ctx->cfg, &m, now, NULL, ei);
        }
    }
    if (!e)
        e = db_run(ctx->store, &feedback_sql, SQL_DIGEST_SENT, DB_ARGS(DB_INT(u->id), DB_TEXT(now)),
                   "noting the unit's digest", ei);
    if (!e)
        e = store_commit(ctx->store, ei);
    else
        store_rollback(ctx->store);
    vk_buf_fini(&text);
    return e;
}

static void digest_run(vk_ctx *ctx, void *arg)
{
    (void)arg;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    char now[VK_RFC3339_LEN], day_ago[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    vk_rfc3339_days_ago(1, day_ago);
    digest_units d = {.n = 0};
    vk_err e = db_each(ctx->store, &feedback_sql, SQL_DIGEST_DUE, DB_ARGS(DB_TEXT(day_ago)),
                       digest_due_row, &d, "reading the units' digests", &ei);
    for (int i = 0; !e && i < d.n; i++)
        e = digest_one(ctx, &d.u[i], now, &ei);
    if (e)
        vk_log("writer: a unit's daily digest failed: %s", ei.message);
}

const vk_writer_hook feedback_digest_hook = {3600, digest_run, NULL};
