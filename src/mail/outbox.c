/* outbox.c — queuing, cancelling, unsubscribing and the admins' view of
 * the outbox (see outbox.h). */
#include "mail/outbox.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "mail/feed.h"
#include "mail/mime.h"
#include "mail/sql.h"

DB_SLICE_DEFINE(mail_sql, MAIL_SQL)

#define ADDRESS_MAX 254

static const char *language_of(const char *lang)
{
    return lang && (strcmp(lang, "sv") == 0 || strcmp(lang, "en") == 0) ? lang : "fi";
}

/* The footer every message ends with, in its language: that it is
 * automatic, the link for this item (left out when a message is about
 * none) and the link for all mail. */
typedef struct footer_text {
    const char *automatic, *item, *all;
} footer_text;

static const footer_text *footer(const char *lang)
{
    static const footer_text fi = {"Tämä viesti lähetettiin automaattisesti; älä vastaa siihen.",
                                   "Ei enää viestejä tästä asiasta:", "Ei mitään viestejä:"};
    static const footer_text sv = {"Du får det här meddelandet automatiskt; svara inte på det.",
                                   "Inga fler meddelanden om det här ärendet:",
                                   "Inga meddelanden alls:"};
    static const footer_text en = {"This message was sent automatically; please do not reply.",
                                   "No more messages about this item:", "No messages at all:"};
    return strcmp(lang, "sv") == 0 ? &sv : strcmp(lang, "en") == 0 ? &en : &fi;
}

/* The domain of the sender's address, for Message-IDs. */
static const char *from_domain(const vk_config *cfg)
{
    const char *at = cfg->mail_from ? strchr(cfg->mail_from, '@') : NULL;
    return at && at[1] ? at + 1 : "localhost";
}

/* ---- the feed of a feature's records (feed.h) ---- */

static const mail_feed *registered_feed;

void mail_feed_register(const mail_feed *f) { registered_feed = f; }

const mail_feed *mail_feed_registered(void) { return registered_feed; }

typedef struct feed_state {
    int64_t cursor;
    unsigned char key[32];
    int key_ok;
} feed_state;

static vk_err read_feed_state(void *arg, db_row *row)
{
    feed_state *st = arg;
    st->cursor = db_col_int64(row, 0);
    st->key_ok = db_col_bytes(row, 1) == sizeof st->key;
    if (st->key_ok)
        memcpy(st->key, db_col_blob(row, 1), sizeof st->key);
    return VK_OK;
}

vk_err mail_feed_state(store_conn *c, int64_t *cursor, unsigned char key[32], vk_errinfo *ei)
{
    feed_state st;
    memset(&st, 0, sizeof st);
    int found = 0;
    vk_err e = db_first(c, &mail_sql, SQL_MAIL_FEED_GET, DB_NO_ARGS, read_feed_state, &st, &found,
                        "reading the mail cursor", ei);
    if (!e && (!found || !st.key_ok))
        e = vk_fail(ei, VK_EINTERNAL, "", "the mail cursor (mail_feed) is missing or damaged");
    *cursor = st.cursor;
    memcpy(key, st.key, sizeof st.key);
    return e;
}

/* 16 bytes of keyed BLAKE2b of what, as 32 hex digits. */
static void keyed_hex(const unsigned char key[32], const char *what, char out[33])
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)what, strlen(what), key, 32);
    sodium_bin2hex(out, 33, h, sizeof h);
}

/* The token's part before the secret: r<item>.0 (the reporter) or
 * u<item>.<unit>. */
static void feed_token_name(int64_t item, int64_t unit, char out[48])
{
    snprintf(out, 48, "%c%lld.%lld", unit ? 'u' : 'r', (long long)item, (long long)unit);
}

void mail_feed_ids(const vk_config *cfg, const unsigned char key[32], const mail_feed_msg *m,
                   mail_ids *out, char token[96])
{
    char what[96], hex[33], name[48];
    snprintf(what, sizeof what, "message:%s:%lld:%lld", m->kind, (long long)m->feedback_id,
             (long long)m->unit_id);
    keyed_hex(key, what, hex);
    snprintf(out->message_id, sizeof out->message_id, "%s@%s", hex, from_domain(cfg));
    feed_token_name(m->feedback_id, m->unit_id, name);
    snprintf(what, sizeof what, "unsubscribe:%s", name);
    keyed_hex(key, what, out->secret);
    snprintf(token, 96, "%s-%s", name, out->secret);
}

/* A feed message's token: *item and *unit when it has the form
 * r<item>.0-SECRET or u<item>.<unit>-SECRET; the secret is checked by
 * feed_token_check. */
static int feed_token_split(const char *token, int64_t *item, int64_t *unit)
{
    if (!token || (token[0] != 'r' && token[0] != 'u'))
        return 0;
    const char *p = token + 1;
    size_t a = strspn(p, "0123456789");
    if (a == 0 || a > 18 || p[a] != '.')
        return 0;
    const char *q = p + a + 1;
    size_t b = strspn(q, "0123456789");
    if (b == 0 || b > 18 || q[b] != '-' || strlen(q + b + 1) != 32 ||
        strspn(q + b + 1, "0123456789abcdef") != 32)
        return 0;
    *item = strtoll(p, NULL, 10);
    *unit = strtoll(q, NULL, 10);
    return *item > 0 && (token[0] == 'r') == (*unit == 0);
}

/* The address and language of feed token token on c: *found 0 for a
 * token the key did not make or whose address is gone. */
static vk_err feed_token_address(store_conn *c, const char *token, int64_t *item, char email[255],
                                 char lang[3], int *found, vk_errinfo *ei)
{
    *found = 0;
    int64_t unit = 0, cursor = 0;
    const mail_feed *f = registered_feed;
    if (!f || !feed_token_split(token, item, &unit))
        return VK_OK;
    unsigned char key[32];
    vk_err e = mail_feed_state(c, &cursor, key, ei);
    if (e)
        return e;
    char name[48], what[96], secret[33];
    feed_token_name(*item, unit, name);
    snprintf(what, sizeof what, "unsubscribe:%s", name);
    keyed_hex(key, what, secret);
    sodium_memzero(key, sizeof key);
    if (sodium_memcmp(secret, strchr(token, '-') + 1, 32) != 0)
        return VK_OK;
    return f->address(c, *item, unit, email, lang, found, ei);
}

void mail_unsubscribe_url(const vk_config *cfg, int64_t id, const char *secret, char *out,
                          size_t n)
{
    char token[96];
    snprintf(token, sizeof token, "%lld-%s", (long long)id, secret);
    mail_unsubscribe_url_token(cfg, token, out, n);
}

void mail_unsubscribe_url_token(const vk_config *cfg, const char *token, char *out, size_t n)
{
    snprintf(out, n, "%s/api/v1/mail/unsubscribe?t=%s", cfg->public_url ? cfg->public_url : "",
             token);
}

void mail_text_final(const char *text, const char *lang, int about_item, const char *url,
                     vk_buf *out)
{
    const footer_text *f = footer(language_of(lang));
    vk_buf_printf(out, "%s\n\n-- \n%s\n", text, f->automatic);
    if (about_item)
        vk_buf_printf(out, "%s %s\n", f->item, url);
    vk_buf_printf(out, "%s %s&all=1\n", f->all, url);
}

void mail_address_hash(const char *address, char out[65])
{
    char low[ADDRESS_MAX + 1];
    size_t n = 0;
    for (; address[n] && n < ADDRESS_MAX; n++)
        low[n] = (char)tolower((unsigned char)address[n]);
    low[n] = '\0';
    vk_sha256_hex_of(low, n, out);
}

void mail_ids_draw(const vk_config *cfg, mail_ids *out, int n)
{
    /* One draw for all n (at most MAIL_IDS_MAX): each is a system call. */
    unsigned char raw[MAIL_IDS_MAX * 32];
    if (n > MAIL_IDS_MAX)
        n = MAIL_IDS_MAX;
    randombytes_buf(raw, (size_t)n * 32);
    for (int i = 0; i < n; i++) {
        char id_hex[33];
        sodium_bin2hex(id_hex, sizeof id_hex, raw + i * 32, 16);
        sodium_bin2hex(out[i].secret, sizeof out[i].secret, raw + i * 32 + 16, 16);
        snprintf(out[i].message_id, sizeof out[i].message_id, "%s@%s", id_hex, from_domain(cfg));
    }
}

vk_err mail_address_stopped(store_conn *c, const char *address, int64_t feedback_id,
                            int *stopped, vk_errinfo *ei)
{
    char hash[65];
    mail_address_hash(address, hash);
    int64_t n = 0;
    vk_err e = db_int64(c, &mail_sql, SQL_MAIL_UNSUBSCRIBED,
                        DB_ARGS(DB_TEXT(hash), DB_ID(feedback_id)), &n,
                        "reading unsubscribed addresses", ei);
    *stopped = n > 0;
    return e;
}

vk_err mail_queue_compact(store_conn *c, const mail_compact *m, const char *now, vk_errinfo *ei)
{
    return db_run(c, &mail_sql, SQL_MAIL_INSERT_COMPACT,
                  DB_ARGS(DB_TEXT(m->ids->message_id), DB_TEXT(m->recipient),
                          DB_TEXT(language_of(m->language)), DB_TEXT(m->kind),
                          DB_TEXT(m->audience), DB_ID(m->feedback_id), DB_TEXT(m->ids->secret),
                          DB_TEXT(now), DB_TEXT(m->params)),
                  "queuing an e-mail", ei);
}

vk_err mail_queue(store_conn *c, const vk_config *cfg, const mail_new *m, const char *now,
                  int *queued, vk_errinfo *ei)
{
    if (queued)
        *queued = 0;
    if (!mail_address_safe(m->recipient))
        return VK_OK;
    int stopped = 0;
    vk_err e = mail_address_stopped(c, m->recipient, m->feedback_id, &stopped, ei);
    if (e || stopped)
        return e;
    const char *lang = language_of(m->language);
    mail_ids ids;
    mail_ids_draw(cfg, &ids, 1);
    /* The footer with the unsubscribe links is added when the message is
     * sent (mail_text_final): the link names the row, so no index of
     * secrets is written here, inside the change's transaction. */
    e = db_run(c, &mail_sql, SQL_MAIL_INSERT,
               DB_ARGS(DB_TEXT(ids.message_id), DB_TEXT(m->recipient), DB_TEXT(lang),
                       DB_TEXT(m->kind), DB_TEXT(m->audience), DB_ID(m->feedback_id),
                       DB_TEXT(m->subject), DB_TEXT(m->text), DB_NULL,
                       DB_TEXT(ids.secret), DB_TEXT(now), DB_ID(m->subscription_id)),
               "queuing an e-mail", ei);
    if (!e && queued)
        *queued = 1;
    return e;
}

vk_err mail_cancel_item(store_conn *c, int64_t feedback_id, vk_errinfo *ei)
{
    return db_run(c, &mail_sql, SQL_MAIL_CANCEL_ITEM, DB_ARGS(DB_INT(feedback_id)),
                  "cancelling an item's e-mail", ei);
}

vk_err mail_cancel_item_units(store_conn *c, int64_t feedback_id, vk_errinfo *ei)
{
    return db_run(c, &mail_sql, SQL_MAIL_CANCEL_UNIT_NEW, DB_ARGS(DB_INT(feedback_id)),
                  "cancelling an item's mail to its old unit", ei);
}

vk_err mail_outbox_purge(store_conn *c, const char *before, vk_errinfo *ei)
{
    return db_run(c, &mail_sql, SQL_MAIL_PURGE, DB_ARGS(DB_TEXT(before)),
                  "purging old e-mail rows", ei);
}

typedef struct token_row {
    char *recipient;
    int64_t feedback_id, subscription_id;
    char lang[3];
} token_row;

static vk_err read_token(void *arg, db_row *row)
{
    token_row *t = arg;
    t->recipient = db_col_dup(row, 0);
    t->feedback_id = db_col_int64(row, 1);
    db_col_copy(row, 2, t->lang, sizeof t->lang);
    t->subscription_id = db_col_int64(row, 4);
    return t->recipient ? VK_OK : VK_ENOMEM;
}

/* ID-SECRET: the row's id and its 32 hex digits; 0 when token is not one. */
static int64_t token_split(const char *token, char secret[33])
{
    const char *dash = token ? strchr(token, '-') : NULL;
    if (!dash || dash == token || dash - token > 18 || strlen(dash + 1) != 32 ||
        strspn(token, "0123456789") != (size_t)(dash - token) ||
        strspn(dash + 1, "0123456789abcdef") != 32)
        return 0;
    memcpy(secret, dash + 1, 33);
    return strtoll(token, NULL, 10);
}

int mail_token_form_ok(const char *token)
{
    char secret[33];
    int64_t item, unit;
    return token_split(token, secret) > 0 || feed_token_split(token, &item, &unit);
}

vk_err mail_token_language(store_conn *c, const char *token, int *found, char lang[3],
                           vk_errinfo *ei)
{
    token_row t = {0};
    char secret[33];
    *found = 0;
    int64_t id = token_split(token, secret);
    if (!id) {
        char email[255];
        return feed_token_address(c, token, &id, email, lang, found, ei);
    }
    vk_err e = db_first(c, &mail_sql, SQL_MAIL_BY_TOKEN, DB_ARGS(DB_INT(id), DB_TEXT(secret)),
                        read_token, &t, found, "reading an unsubscribe link", ei);
    if (*found)
        memcpy(lang, t.lang, 3);
    free(t.recipient);
    return e;
}

vk_err mail_unsubscribe(store_conn *c, const char *token, int all, const char *now, int *found,
                        char lang[3], vk_errinfo *ei)
{
    token_row t = {0};
    char secret[33];
    *found = 0;
    int64_t id = token_split(token, secret);
    vk_err e;
    if (!id) {
        /* A new item's message, sent from the item (feed.h): no row. */
        char email[255];
        e = feed_token_address(c, token, &t.feedback_id, email, t.lang, found, ei);
        if (!e && *found && !(t.recipient = strdup(email)))
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
    } else {
        e = db_first(c, &mail_sql, SQL_MAIL_BY_TOKEN, DB_ARGS(DB_INT(id), DB_TEXT(secret)),
                     read_token, &t, found, "reading an unsubscribe link", ei);
    }
    if (e || !*found) {
        free(t.recipient);
        return e;
    }
    memcpy(lang, t.lang, 3);
    if (!all && t.subscription_id) {
        /* Sent because they asked: "no more about this" is the end of the
         * asking. */
        free(t.recipient);
        e = db_run(c, &mail_sql, SQL_SUB_CANCEL_ONE, DB_ARGS(DB_INT(t.subscription_id)),
                   "cancelling a subscription's e-mail", ei);
        return e ? e
                 : db_run(c, &mail_sql, SQL_SUB_DELETE_ONE, DB_ARGS(DB_INT(t.subscription_id)),
                          "ending a subscription", ei);
    }
    int64_t item = all ? 0 : t.feedback_id;
    char hash[65];
    mail_address_hash(t.recipient, hash);
    e = db_run(c, &mail_sql, SQL_MAIL_UNSUBSCRIBE, DB_ARGS(DB_TEXT(hash), DB_INT(item), DB_TEXT(now)),
               "saving an unsubscribe", ei);
    if (!e)
        e = db_run(c, &mail_sql, SQL_MAIL_CANCEL_TO, DB_ARGS(DB_TEXT(t.recipient), DB_INT(item)),
                   "cancelling unsubscribed e-mail", ei);
    free(t.recipient);
    return e;
}

const char *mail_mode(const vk_config *cfg)
{
    return cfg->smtp_url ? "relay" : "outbox only";
}

typedef struct state_counts {
    char state[4][12];
    int64_t n[4];
    int k;
} state_counts;

static int count_row(void *arg, db_row *row)
{
    state_counts *sc = arg;
    if (sc->k >= 4)
        return 1;
    db_col_copy(row, 0, sc->state[sc->k], sizeof sc->state[sc->k]);
    sc->n[sc->k++] = db_col_int64(row, 1);
    return 0;
}

/* The outbox's counts by state, with the messages the feed's records
 * still owe (no rows: feed.h) among the queued. */
static vk_err counts_json(store_conn *c, vk_buf *b, vk_errinfo *ei)
{
    state_counts sc;
    memset(&sc, 0, sizeof sc);
    vk_err e = db_each(c, &mail_sql, SQL_MAIL_COUNTS, DB_NO_ARGS, count_row, &sc,
                       "counting the outbox", ei);
    int64_t owed = 0, cursor = 0;
    unsigned char key[32];
    if (!e && registered_feed && !(e = mail_feed_state(c, &cursor, key, ei)))
        e = registered_feed->pending(c, cursor, &owed, ei);
    if (e)
        return e;
    int queued = 0;
    for (int i = 0; i < sc.k; i++) {
        int q = strcmp(sc.state[i], "queued") == 0;
        queued |= q;
        vk_buf_printf(b, "%s\"%s\":%lld", i ? "," : "", sc.state[i], (long long)(sc.n[i] + (q ? owed : 0)));
    }
    if (!queued && owed)
        vk_buf_printf(b, "%s\"queued\":%lld", sc.k ? "," : "", (long long)owed);
    return VK_OK;
}

typedef struct list_state {
    vk_buf *b;
    int n;
} list_state;

static void member(vk_buf *b, const char *key, const char *v, int first)
{
    vk_buf_printf(b, "%s\"%s\":", first ? "" : ",", key);
    vk_json_str_or_null(b, v);
}

static int list_row(void *arg, db_row *row)
{
    list_state *st = arg;
    vk_buf *b = st->b;
    if (st->n++)
        vk_buf_putc(b, ',');
    vk_buf_printf(b, "{\"id\":%lld", (long long)db_col_int64(row, 0));
    member(b, "message_id", db_col_text(row, 1), 0);
    member(b, "recipient", db_col_text(row, 2), 0);
    member(b, "language", db_col_text(row, 3), 0);
    member(b, "kind", db_col_text(row, 4), 0);
    if (db_col_is_null(row, 5))
        vk_buf_puts(b, ",\"feedback_id\":null");
    else
        vk_buf_printf(b, ",\"feedback_id\":%lld", (long long)db_col_int64(row, 5));
    member(b, "subject", db_col_text(row, 6), 0);
    member(b, "state", db_col_text(row, 7), 0);
    vk_buf_printf(b, ",\"attempts\":%d", db_col_int(row, 8));
    member(b, "next_attempt", db_col_text(row, 9), 0);
    member(b, "last_error", db_col_text(row, 10), 0);
    member(b, "created_at", db_col_text(row, 11), 0);
    member(b, "sent_at", db_col_text(row, 12), 0);
    vk_buf_putc(b, '}');
    return vk_buf_ok(b) ? 0 : 1;
}

vk_err mail_outbox_json(store_conn *c, const vk_config *cfg, const char *state, int limit,
                        vk_buf *b, vk_errinfo *ei)
{
    vk_buf_puts(b, "{\"mode\":");
    vk_json_str_or_null(b, mail_mode(cfg));
    vk_buf_puts(b, ",\"counts\":{");
    vk_err e = counts_json(c, b, ei);
    if (e)
        return e;
    vk_buf_puts(b, "},\"messages\":[");
    list_state st = {b, 0};
    if ((e = db_each(c, &mail_sql, SQL_MAIL_LIST, DB_ARGS(DB_TEXT(state), DB_INT(limit)), list_row,
                     &st, "reading the outbox", ei)))
        return e;
    vk_buf_puts(b, "]}");
    return vk_buf_ok(b) ? VK_OK : vk_fail(ei, VK_ENOMEM, "", NULL);
}

/* ---- subscriptions ---- */

int mail_address_plausible(const char *s)
{
    const char *at = s ? strchr(s, '@') : NULL;
    if (!at || at == s || strchr(at + 1, '@') || !mail_address_safe(s))
        return 0;
    const char *dot = strrchr(at + 1, '.');
    return dot && dot != at + 1 && dot[1] != '\0';
}

vk_err mail_contact_read(const json_t *doc, mail_contact *out, vk_errinfo *ei)
{
    static const char *const keys[] = {"email", "language", "consent", NULL};
    memset(out, 0, sizeof *out);
    if (!json_is_object(doc))
        return vk_fail(ei, VK_ETYPE, "", "send an object {\"email\", \"language\", \"consent\"}");
    vk_err e = api_json_keys(doc, keys, ei);
    const char *email = NULL, *lang = NULL;
    if (!e)
        e = api_json_string(doc, "email", 1, sizeof out->email - 1, &email, ei);
    if (!e)
        e = api_json_string(doc, "language", 0, 2, &lang, ei);
    if (e)
        return e;
    if (!mail_address_plausible(email))
        return vk_fail(ei, VK_EVALUE, "email", "email does not look like an e-mail address");
    if (lang && strcmp(lang, "fi") && strcmp(lang, "sv") && strcmp(lang, "en"))
        return vk_fail(ei, VK_EVALUE, "language", "language is fi, sv or en");
    const json_t *consent = json_object_get(doc, "consent");
    if (!consent)
        return vk_fail(ei, VK_EMISSING, "consent",
                       "consent must be true: the address is kept only to send this");
    if (!json_is_true(consent))
        return vk_fail(ei, VK_EVALUE, "consent",
                       "consent must be true: the address is kept only to send this");
    snprintf(out->email, sizeof out->email, "%s", email);
    snprintf(out->language, sizeof out->language, "%s", language_of(lang));
    return VK_OK;
}

vk_err mail_subscribe(store_conn *c, const char *audience, const char *topic,
                      const mail_contact *ct, const char *owner, const char *now,
                      vk_errinfo *ei)
{
    return db_run(c, &mail_sql, SQL_SUB_UPSERT,
                  DB_ARGS(DB_TEXT(audience), DB_TEXT(topic), DB_TEXT(ct->email),
                          DB_TEXT(language_of(ct->language)), DB_TEXT(owner), DB_TEXT(now)),
                  "saving who asked to be told", ei);
}

enum { L_FI, L_SV, L_EN, NLANG };

typedef struct notify_state {
    store_conn *c;
    const vk_config *cfg;
    const char *kind, *now;
    mail_compose_fn compose;
    void *arg;
    vk_buf subject[NLANG], text[NLANG];
    int made[NLANG];
    int n;
    vk_err err;
    vk_errinfo *ei;
} notify_state;

/* db_each stops on non-zero; the error stays in st->err. */
static int notify_row(void *arg, db_row *row)
{
    notify_state *st = arg;
    int64_t sub = db_col_int64(row, 0);
    const char *email = db_col_text(row, 1);
    const char *lang = language_of(db_col_text(row, 2));
    const char *audience = db_col_text(row, 3);
    int l = strcmp(lang, "sv") == 0 ? L_SV : strcmp(lang, "en") == 0 ? L_EN : L_FI;
    if (!st->made[l]) {
        vk_buf_init(&st->subject[l], MAIL_TEXT_MAX);
        vk_buf_init(&st->text[l], MAIL_TEXT_MAX);
        st->made[l] = 1;
        st->compose(st->arg, l, &st->subject[l], &st->text[l]);
    }
    if (!vk_buf_ok(&st->subject[l]) || !vk_buf_ok(&st->text[l])) {
        st->err = vk_fail(st->ei, VK_ENOMEM, "", NULL);
        return 1;
    }
    mail_new m = {email, lang, st->kind, audience, 0, st->subject[l].data, st->text[l].data, sub};
    int queued = 0;
    st->err = mail_queue(st->c, st->cfg, &m, st->now, &queued, st->ei);
    st->n += queued;
    return st->err != VK_OK;
}

vk_err mail_notify_topic(store_conn *c, const vk_config *cfg, const char *topic,
                         const char *topic2, const char *kind, mail_compose_fn compose,
                         void *arg, const char *now, int *n, vk_errinfo *ei)
{
    notify_state st = {.c = c, .cfg = cfg, .kind = kind, .now = now, .compose = compose,
                       .arg = arg, .ei = ei};
    vk_err e = db_each(c, &mail_sql, SQL_SUB_OF_TOPIC, DB_ARGS(DB_TEXT(topic), DB_TEXT(topic2)),
                       notify_row, &st, "reading who asked to be told", ei);
    if (!e)
        e = st.err;
    for (int l = 0; l < NLANG; l++)
        if (st.made[l]) {
            vk_buf_fini(&st.subject[l]);
            vk_buf_fini(&st.text[l]);
        }
    if (n)
        *n = st.n;
    return e;
}

vk_err mail_subscriptions_replace(store_conn *c, const char *owner, const char *audience,
                                  const mail_contact *ct, const char *const *topics, int n,
                                  const char *now, vk_errinfo *ei)
{
    vk_err e = db_run(c, &mail_sql, SQL_SUB_CANCEL_OWNER, DB_ARGS(DB_TEXT(owner)),
                      "cancelling a subscription's e-mail", ei);
    if (!e)
        e = db_run(c, &mail_sql, SQL_SUB_DELETE_OWNER, DB_ARGS(DB_TEXT(owner)),
                   "ending subscriptions", ei);
    for (int i = 0; !e && i < n; i++)
        e = mail_subscribe(c, audience, topics[i], ct, owner, now, ei);
    return e;
}

typedef struct owner_list {
    vk_buf *b;
    int n;
} owner_list;

static int owner_row(void *arg, db_row *row)
{
    owner_list *o = arg;
    if (!o->n++) {
        vk_buf_puts(o->b, "\"email\":");
        vk_json_str_or_null(o->b, db_col_text(row, 0));
        vk_buf_puts(o->b, ",\"language\":");
        vk_json_str_or_null(o->b, db_col_text(row, 1));
        vk_buf_puts(o->b, ",\"areas\":[");
    } else {
        vk_buf_putc(o->b, ',');
    }
    vk_json_str_or_null(o->b, db_col_text(row, 2));
    return 0;
}

vk_err mail_subscriptions_json(store_conn *c, const char *owner, vk_buf *b, vk_errinfo *ei)
{
    owner_list o = {b, 0};
    vk_buf_putc(b, '{');
    vk_err e = db_each(c, &mail_sql, SQL_SUB_OF_OWNER, DB_ARGS(DB_TEXT(owner)), owner_row, &o,
                       "reading subscriptions", ei);
    if (e)
        return e;
    vk_buf_puts(b, o.n ? "]}" : "\"email\":null,\"language\":null,\"areas\":[]}");
    return vk_buf_ok(b) ? VK_OK : vk_fail(ei, VK_ENOMEM, "", NULL);
}

vk_err mail_subscriptions_purge(store_conn *c, const char *before, vk_errinfo *ei)
{
    vk_err e = db_run(c, &mail_sql, SQL_SUB_CANCEL_PURGED, DB_ARGS(DB_TEXT(before)),
                      "cancelling the purged subscriptions' e-mail", ei);
    return e ? e
             : db_run(c, &mail_sql, SQL_SUB_PURGE, DB_ARGS(DB_TEXT(before)),
                      "purging subscriptions", ei);
}

vk_err mail_retry(store_conn *c, int64_t id, const char *now, vk_errinfo *ei)
{
    char *recipient = NULL;
    char state[16] = "";
    int64_t feedback_id = 0;
    int has_text = 0, found = 0;
    vk_err e = db_scan(c, &mail_sql, SQL_MAIL_FAILED_GET, DB_ARGS(DB_INT(id)),
                       DB_OUTS(DB_DUP_TO(&recipient), DB_I64_TO(&feedback_id),
                               DB_COPY_TO(state, sizeof state), DB_INT_TO(&has_text)),
                       &found, "reading a message", ei);
    if (!e && !found)
        e = vk_fail(ei, VK_ENOT_FOUND, "id", "there is no message %lld", (long long)id);
    if (!e && strcmp(state, "failed") != 0)
        e = vk_fail(ei, VK_ETRANSITION, "state", "only a failed message is tried again; this one is %s",
                    state);
    if (!e && !has_text)
        e = vk_fail(ei, VK_ETRANSITION, "state",
                    "this message failed before failed messages kept their text; it cannot be sent again");
    if (!e) {
        char hash[65];
        mail_address_hash(recipient ? recipient : "", hash);
        int64_t stopped = 0;
        e = db_int64(c, &mail_sql, SQL_MAIL_UNSUBSCRIBED, DB_ARGS(DB_TEXT(hash), DB_ID(feedback_id)),
                     &stopped, "reading unsubscribed addresses", ei);
        if (!e && stopped)
            e = vk_fail(ei, VK_ETRANSITION, "state",
                        "the address has asked for no more mail; it is not sent again");
    }
    free(recipient);
    return e ? e
             : db_run(c, &mail_sql, SQL_MAIL_RETRY, DB_ARGS(DB_INT(id), DB_TEXT(now)),
                      "queuing a message again", ei);
}
