/*
 * feeds.c — the feed handlers (feeds.h): read the entries in one read
 * transaction, write Atom or iCalendar, and answer 304 to a current copy.
 */
#include "feeds/feeds.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/sha256.h"
#include "db/stmt.h"
#include "feeds/format.h"
#include "feeds/sql.h"
#include "features/items.h"

DB_SLICE_DEFINE(feeds_sql, FEEDS_SQL)

/* The year in every tag: URI (RFC 4151); fixed, so ids never change. */
#define FEEDS_TAG_YEAR "2026"
#define FEEDS_EPOCH "1970-01-01T00:00:00Z"

enum { L_FI, L_SV, L_EN };

/* What an entry's kind says, in fi, sv, en; %s is its subject. */
static const struct {
    const char *kind;
    const char *text[3];
} kinds[] = {
    {"feedback_new", {"Uusi palaute: %s", "Ny respons: %s", "New feedback: %s"}},
    {"feedback_answer",
     {"Kaupungin vastaus: %s", "Stadens svar: %s", "The city's answer: %s"}},
    {"survey_published", {"Kysely avattiin: %s", "Enkäten öppnades: %s", "Survey opened: %s"}},
    {"survey_results",
     {"Tulokset julkaistiin: %s", "Resultaten publicerades: %s", "Results published: %s"}},
    {"survey_what_we_did",
     {"Mitä vastauksilla tehtiin: %s", "Vad vi gjorde med svaren: %s",
      "What we did with the answers: %s"}},
    {"phase_upcoming", {"Tulossa: %s", "Kommande: %s", "Coming: %s"}},
    {"phase_proposals",
     {"Ehdotusvaihe alkoi: %s", "Förslagsfasen började: %s", "Proposals open: %s"}},
    {"phase_review", {"Arviointi alkoi: %s", "Bedömningen började: %s", "Review began: %s"}},
    {"phase_voting", {"Äänestys alkoi: %s", "Röstningen började: %s", "Voting open: %s"}},
    {"phase_results",
     {"Tulokset julkaistiin: %s", "Resultaten publicerades: %s", "Results published: %s"}},
    {"phase_implementation",
     {"Toteutus alkoi: %s", "Genomförandet började: %s", "Implementation began: %s"}},
    {"proposal", {"Uusi ehdotus: %s", "Nytt förslag: %s", "New proposal: %s"}},
    {"project_update",
     {"Toteutuksen tilanne: %s", "Läget i genomförandet: %s", "Implementation update: %s"}},
    {"walk",
     {"Esteettömyyskävely: %s", "Tillgänglighetsvandring: %s", "Accessibility walk: %s"}},
};

/* A calendar event of a phase is the phase itself, not its start. */
static const struct {
    const char *kind;
    const char *text[3];
} phase_names[] = {
    {"phase_upcoming", {"Tulossa: %s", "Kommande: %s", "Coming: %s"}},
    {"phase_proposals", {"Ehdotusvaihe: %s", "Förslagsfas: %s", "Proposals: %s"}},
    {"phase_review", {"Ehdotusten arviointi: %s", "Bedömning av förslag: %s", "Review: %s"}},
    {"phase_voting", {"Äänestys: %s", "Röstning: %s", "Voting: %s"}},
    {"phase_results", {"Tulokset: %s", "Resultat: %s", "Results: %s"}},
    {"phase_implementation", {"Toteutus: %s", "Genomförande: %s", "Implementation: %s"}},
};

static const char *const lang_codes[] = {"fi", "sv", "en"};

/* The fmt of kind in language l ("%s" for an unknown kind). */
static const char *kind_text(const char *kind, int l, int calendar)
{
    if (calendar)
        for (size_t i = 0; i < sizeof phase_names / sizeof phase_names[0]; i++)
            if (kind && !strcmp(kind, phase_names[i].kind))
                return phase_names[i].text[l];
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kind && !strcmp(kind, kinds[i].kind))
            return kinds[i].text[l];
    return "%s";
}

static vk_err read_lang(vk_ctx *ctx, const vk_req *req, int *l)
{
    const char *v = vk_req_param(req, "lang");
    *l = L_FI;
    if (!v)
        return VK_OK;
    for (int i = 0; i < 3; i++)
        if (!strcmp(v, lang_codes[i])) {
            *l = i;
            return VK_OK;
        }
    return vk_fail(&ctx->err, VK_EPARAM, "lang", "lang is fi, sv or en");
}

/* The host of the public URL: the authority of every tag: URI. */
static void tag_host(const vk_req *req, char *out, size_t n)
{
    const char *u = api_base_url(req);
    const char *p = strstr(u, "://");
    p = p ? p + 3 : u;
    size_t k = strcspn(p, ":/?#");
    if (k == 0 || k >= n) {
        snprintf(out, n, "vaikuta.invalid");
        return;
    }
    memcpy(out, p, k);
    out[k] = '\0';
}

/* ---- Atom ---- */

typedef struct atom_feed {
    vk_buf *out;
    const vk_req *req;
    int lang;
    const char *host;
    char updated[VK_RFC3339_LEN]; /* the newest entry's, set by the first row */
    int rows;
} atom_feed;

static int atom_entry(void *arg, db_row *row)
{
    atom_feed *f = arg;
    vk_buf *b = f->out;
    const char *kind = db_col_text(row, 0), *key = db_col_text(row, 1);
    const char *updated = db_col_text(row, 2), *subject = db_col_text(row, 3);
    const char *summary = db_col_text(row, 4), *link = db_col_text(row, 5);
    char stamp[VK_RFC3339_LEN];
    int64_t t = updated ? vk_rfc3339_seconds(updated) : -1;
    vk_rfc3339_of(t < 0 ? 0 : t, stamp);
    if (!f->rows++)
        memcpy(f->updated, stamp, sizeof stamp);
    char title[600];
    snprintf(title, sizeof title, kind_text(kind, f->lang, 0), subject ? subject : "");
    vk_utf8_repair(title);
    vk_buf_printf(b, "<entry><id>tag:%s," FEEDS_TAG_YEAR ":", f->host);
    feeds_xml_text(b, key);
    vk_buf_puts(b, "</id><title type=\"text\">");
    feeds_xml_text(b, title);
    vk_buf_printf(b, "</title><updated>%s</updated><link rel=\"alternate\" type=\"text/html\" href=\"", stamp);
    feeds_xml_text(b, api_base_url(f->req));
    feeds_xml_text(b, link);
    vk_buf_puts(b, "\"/>");
    if (summary && *summary) {
        vk_buf_puts(b, "<summary type=\"text\">");
        feeds_xml_text(b, summary);
        vk_buf_puts(b, "</summary>");
    }
    vk_buf_puts(b, "</entry>\n");
    return 0;
}

/* The entries of statement id (args bound), as a whole feed into resp. */
static vk_err atom_answer(vk_ctx *ctx, const vk_req *req, vk_resp *resp, int lang,
                          const char *feed_key, const char *title, const char *self,
                          const char *page, const char *fallback_updated, int id,
                          const db_arg *args, int nargs)
{
    char host[256];
    tag_host(req, host, sizeof host);
    vk_buf entries;
    vk_buf_init(&entries, resp->body.max);
    atom_feed f = {.out = &entries, .req = req, .lang = lang, .host = host};
    vk_err e = db_each(ctx->store, &feeds_sql, id, args, nargs, atom_entry, &f, "reading a feed",
                       &ctx->err);
    if (e) {
        vk_buf_fini(&entries);
        return e;
    }
    if (!f.rows) {
        int64_t t = fallback_updated ? vk_rfc3339_seconds(fallback_updated) : -1;
        vk_rfc3339_of(t < 0 ? 0 : t, f.updated);
    }
    vk_buf *b = &resp->body;
    vk_buf_printf(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                     "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">\n",
                  lang_codes[lang]);
    vk_buf_printf(b, "<id>tag:%s," FEEDS_TAG_YEAR ":", host);
    feeds_xml_text(b, feed_key);
    vk_buf_puts(b, "</id>\n<title type=\"text\">");
    feeds_xml_text(b, title);
    vk_buf_printf(b, "</title>\n<updated>%s</updated>\n", f.updated);
    vk_buf_puts(b, "<link rel=\"self\" type=\"application/atom+xml\" href=\"");
    feeds_xml_text(b, api_base_url(req));
    feeds_xml_text(b, self);
    vk_buf_puts(b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
    feeds_xml_text(b, api_base_url(req));
    feeds_xml_text(b, page);
    vk_buf_puts(b, "\"/>\n<author><name>Vaikuta</name></author>\n"
                   "<generator version=\"" VK_VERSION "\">Vaikuta</generator>\n");
    if (entries.data)
        vk_buf_add(b, entries.data, entries.len);
    vk_buf_puts(b, "</feed>\n");
    vk_buf_fini(&entries);
    if (!vk_buf_ok(b) || !vk_buf_ok(&entries))
        return vk_fail(&ctx->err, VK_ENOMEM, "", "the feed does not fit in a response");
    resp->content_type = "application/atom+xml; charset=utf-8";
    return VK_OK;
}

/* ETag from the body, Last-Modified from its newest stamp; 304 when current. */
static void validators(const vk_req *req, vk_resp *resp, const char *updated_tag)
{
    char hex[65];
    vk_sha256_hex_of(resp->body.data ? resp->body.data : "", resp->body.len, hex);
    char *tag = vk_arena_alloc(req->arena, 36);
    if (!tag)
        return;
    snprintf(tag, 36, "\"%.32s\"", hex);
    int64_t modified = -1;
    const char *u = updated_tag ? strstr(resp->body.data ? resp->body.data : "", updated_tag) : NULL;
    if (u)
        modified = vk_rfc3339_seconds(u + strlen(updated_tag));
    vk_resp_not_modified(resp, req, tag, modified);
}

/* The query string of a feed's self link: the parameters given, checked. */
static void self_link(char *out, size_t n, const char *path, int lang, const char *name1,
                      const char *v1, const char *name2, const char *v2)
{
    int k = snprintf(out, n, "%s?lang=%s", path, lang_codes[lang]);
    if (v1 && k > 0 && (size_t)k < n)
        k += snprintf(out + k, n - (size_t)k, "&%s=%s", name1, v1);
    if (v2 && k > 0 && (size_t)k < n)
        snprintf(out + k, n - (size_t)k, "&%s=%s", name2, v2);
}

/* 1 when v is a code made of [a-z0-9_-] (category ids, district codes,
 * slugs), so it may go into a link unescaped. */
static int plain_code(const char *v)
{
    if (!v || !*v || strlen(v) > 64)
        return 0;
    for (const char *p = v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return 0;
    return 1;
}

static vk_err check_exists(vk_ctx *ctx, int stmt, const char *field, const char *v)
{
    int64_t n = 0;
    vk_err e = plain_code(v) ? db_int64(ctx->store, &feeds_sql, stmt, DB_ARGS(DB_TEXT(v)), &n,
                                        "checking a feed filter", &ctx->err)
                             : VK_OK;
    if (e)
        return e;
    if (!n) {
        char snip[VK_SNIP_SIZE];
        vk_utf8_snip(v, strlen(v), snip);
        return vk_fail(&ctx->err, VK_EPARAM, field, "there is no %s '%s'", field, snip);
    }
    return VK_OK;
}

static const char *const feed_titles[3] = {"Palautteet ja vastaukset", "Respons och svar",
                                           "Feedback and answers"};

vk_err api_feeds_feedback(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"lang", "district", "category", NULL};
    int lang;
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (!e)
        e = read_lang(ctx, req, &lang);
    const char *district = vk_req_param(req, "district");
    const char *category = vk_req_param(req, "category");
    if (!e && category)
        e = check_exists(ctx, SQL_FEEDS_CATEGORY_EXISTS, "category", category);
    if (!e && district)
        e = check_exists(ctx, SQL_FEEDS_DISTRICT_EXISTS, "district", district);
    if (e)
        return e;
    char self[300], key[300], title[300];
    self_link(self, sizeof self, "/api/v1/feeds/feedback.atom", lang, "category", category,
              "district", district);
    /* The feed's id names its filters, not its language. */
    snprintf(key, sizeof key, "feeds/feedback%s%s%s%s", category ? "/category/" : "",
             category ? category : "", district ? "/district/" : "", district ? district : "");
    snprintf(title, sizeof title, "%s%s%s%s%s", feed_titles[lang], category ? " · " : "",
             category ? category : "", district ? " · " : "", district ? district : "");
    e = atom_answer(ctx, req, resp, lang, key, title, self, "/", FEEDS_EPOCH, SQL_FEEDS_FEEDBACK,
                    DB_ARGS(DB_TEXT(lang_codes[lang]), DB_TEXT(category), DB_TEXT(district)));
    if (!e)
        validators(req, resp, "<updated>");
    return e;
}

/* The slug of a "{slug}.atom" segment into out; 0 when it is not one. */
static int atom_slug(const char *seg, char *out, size_t n)
{
    size_t k = strlen(seg);
    if (k <= 5 || strcmp(seg + k - 5, ".atom") != 0 || k - 5 >= n)
        return 0;
    memcpy(out, seg, k - 5);
    out[k - 5] = '\0';
    return plain_code(out);
}

typedef struct feed_head {
    char title[400];
    char created[VK_RFC3339_LEN];
} feed_head;

/* The head of a survey's or round's feed, or 404 naming what. */
static vk_err read_head(vk_ctx *ctx, const vk_req *req, int stmt, int lang, const char *what,
                        char *slug, size_t slug_n, feed_head *h)
{
    static const char *const params[] = {"lang", NULL};
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (e)
        return e;
    if (!atom_slug(req->args[0], slug, slug_n))
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "slug", "there is no such %s feed", what);
    int found = 0;
    e = db_scan(ctx->store, &feeds_sql, stmt,
                DB_ARGS(DB_TEXT(lang_codes[lang]), DB_TEXT(slug)),
                DB_OUTS(DB_COPY_TO(h->title, sizeof h->title),
                        DB_COPY_TO(h->created, sizeof h->created)),
                &found, "reading a feed", &ctx->err);
    if (!e && !found)
        e = vk_fail(&ctx->err, VK_ENOT_FOUND, "slug", "there is no published %s '%s'", what, slug);
    return e;
}

/* A feed of one survey or budgeting round: what differs between them. */
typedef struct slug_feed {
    int head_stmt, entries_stmt;
    const char *what;      /* "survey": in errors */
    const char *path;      /* "surveys": /api/v1/feeds/{path}/{slug}.atom */
    const char *page;      /* "/s/": the page of the survey or round */
    int today_only;        /* the entries' cut-off is a date (as results_from is written) */
} slug_feed;

static const slug_feed survey_feed = {SQL_FEEDS_SURVEY_HEAD, SQL_FEEDS_SURVEY, "survey",
                                      "surveys", "/s/", 1};
static const slug_feed round_feed = {SQL_FEEDS_ROUND_HEAD, SQL_FEEDS_ROUND, "budgeting round",
                                     "budget", "/b/", 0};

static vk_err answer_slug_feed(vk_ctx *ctx, const vk_req *req, vk_resp *resp,
                               const slug_feed *d)
{
    int lang;
    char slug[80], path[200], self[260], key[200], page[200];
    feed_head h;
    vk_err e = read_lang(ctx, req, &lang);
    if (!e)
        e = read_head(ctx, req, d->head_stmt, lang, d->what, slug, sizeof slug, &h);
    if (e)
        return e;
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    if (d->today_only)
        now[10] = '\0';
    snprintf(path, sizeof path, "/api/v1/feeds/%s/%s.atom", d->path, slug);
    self_link(self, sizeof self, path, lang, NULL, NULL, NULL, NULL);
    snprintf(key, sizeof key, "feeds/%s/%s", d->path, slug);
    snprintf(page, sizeof page, "%s%s", d->page, slug);
    e = atom_answer(ctx, req, resp, lang, key, h.title, self, page, h.created, d->entries_stmt,
                    DB_ARGS(DB_TEXT(lang_codes[lang]), DB_TEXT(slug), DB_TEXT(now)));
    if (!e)
        validators(req, resp, "<updated>");
    return e;
}

vk_err api_feeds_survey(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return answer_slug_feed(ctx, req, resp, &survey_feed);
}

vk_err api_feeds_budget(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return answer_slug_feed(ctx, req, resp, &round_feed);
}

/* ---- iCalendar ---- */

typedef struct ics_cal {
    vk_buf *out;
    vk_buf line; /* one content line before folding */
    const vk_req *req;
    int lang;
    const char *host;
    char newest[17]; /* the latest DTSTAMP, for Last-Modified */
} ics_cal;

/* Fold and append the content line built in c->line, then empty it. */
static void ics_put(ics_cal *c)
{
    feeds_ics_fold(c->out, c->line.data ? c->line.data : "", c->line.len);
    vk_buf_reset(&c->line);
}

static int ics_event(void *arg, db_row *row)
{
    ics_cal *c = arg;
    const char *kind = db_col_text(row, 0), *key = db_col_text(row, 1);
    const char *stamp = db_col_text(row, 2), *start = db_col_text(row, 3);
    const char *end = db_col_text(row, 4), *subject = db_col_text(row, 5);
    const char *description = db_col_text(row, 6), *link = db_col_text(row, 7);
    char dtstamp[17], dtstart[17], dtend[17], day[9];
    if (feeds_ics_datetime(stamp, dtstamp))
        snprintf(dtstamp, sizeof dtstamp, "19700101T000000Z");
    int is_walk = kind && !strcmp(kind, "walk");
    if (is_walk ? feeds_ics_date(start, day) : feeds_ics_datetime(start, dtstart))
        return 0; /* no usable date: not an event */
    if (strcmp(dtstamp, c->newest) > 0)
        memcpy(c->newest, dtstamp, sizeof dtstamp);
    char summary[600];
    snprintf(summary, sizeof summary, kind_text(kind, c->lang, 1), subject ? subject : "");
    vk_utf8_repair(summary);

    feeds_ics_fold(c->out, "BEGIN:VEVENT", 12);
    vk_buf_printf(&c->line, "UID:%s@%s", key ? key : "", c->host);
    ics_put(c);
    vk_buf_printf(&c->line, "DTSTAMP:%s", dtstamp);
    ics_put(c);
    if (is_walk) {
        vk_buf_printf(&c->line, "DTSTART;VALUE=DATE:%s", day);
    } else {
        vk_buf_printf(&c->line, "DTSTART:%s", dtstart);
        if (!feeds_ics_datetime(end, dtend)) {
            ics_put(c);
            vk_buf_printf(&c->line, "DTEND:%s", dtend);
        }
    }
    ics_put(c);
    vk_buf_puts(&c->line, "SUMMARY:");
    feeds_ics_text(&c->line, summary);
    ics_put(c);
    if (description && *description) {
        vk_buf_puts(&c->line, "DESCRIPTION:");
        feeds_ics_text(&c->line, description);
        ics_put(c);
    }
    vk_buf_printf(&c->line, "URL:%s%s", api_base_url(c->req), link ? link : "/");
    ics_put(c);
    feeds_ics_fold(c->out, "END:VEVENT", 10);
    return 0;
}

static const char *const cal_names[3] = {"Vaikuta: kävelyt ja budjetoinnin vaiheet",
                                         "Vaikuta: vandringar och budgeteringens faser",
                                         "Vaikuta: walks and budgeting phases"};

vk_err api_feeds_events(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"lang", NULL};
    int lang;
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (!e)
        e = read_lang(ctx, req, &lang);
    if (e)
        return e;
    char host[256];
    tag_host(req, host, sizeof host);
    ics_cal c = {.out = &resp->body, .req = req, .lang = lang, .host = host};
    vk_buf_init(&c.line, 64 * 1024);
    vk_buf *b = &resp->body;
    feeds_ics_fold(b, "BEGIN:VCALENDAR", 15);
    feeds_ics_fold(b, "VERSION:2.0", 11);
    vk_buf_printf(&c.line, "PRODID:-//Vaikuta//Vaikuta " VK_VERSION "//%s", lang == L_SV ? "SV" : lang == L_EN ? "EN" : "FI");
    ics_put(&c);
    feeds_ics_fold(b, "CALSCALE:GREGORIAN", 18);
    feeds_ics_fold(b, "METHOD:PUBLISH", 14);
    vk_buf_puts(&c.line, "X-WR-CALNAME:");
    feeds_ics_text(&c.line, cal_names[lang]);
    ics_put(&c);
    e = db_each(ctx->store, &feeds_sql, SQL_FEEDS_EVENTS, DB_ARGS(DB_TEXT(lang_codes[lang])),
                ics_event, &c, "reading the calendar", &ctx->err);
    feeds_ics_fold(b, "END:VCALENDAR", 13);
    int line_ok = vk_buf_ok(&c.line);
    vk_buf_fini(&c.line);
    if (e)
        return e;
    if (!vk_buf_ok(b) || !line_ok)
        return vk_fail(&ctx->err, VK_ENOMEM, "", "the calendar does not fit in a response");
    resp->content_type = "text/calendar; charset=utf-8";
    char hex[65];
    vk_sha256_hex_of(b->data ? b->data : "", b->len, hex);
    char *tag = vk_arena_alloc(req->arena, 36);
    if (!tag)
        return vk_fail(&ctx->err, VK_ENOMEM, "", "out of memory");
    snprintf(tag, 36, "\"%.32s\"", hex);
    int64_t modified = -1;
    if (c.newest[0]) {
        /* 20260112T060000Z back to seconds */
        char iso[VK_RFC3339_LEN];
        snprintf(iso, sizeof iso, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", c.newest, c.newest + 4,
                 c.newest + 6, c.newest + 9, c.newest + 11, c.newest + 13);
        modified = vk_rfc3339_seconds(iso);
    }
    vk_resp_not_modified(resp, req, tag, modified);
    return VK_OK;
}
