/* sender.c — the outbox's sender through an SMTP relay with libcurl
 * (see sender.h). */
#include "mail/sender.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "mail/feed.h"
#include "mail/mime.h"
#include "mail/outbox.h"
#include "mail/sql.h"

#define BATCH 64
#define FEED_RECORDS 32              /* a feed's records a step (feed.h) */
#define FEED_MSGS (2 * FEED_RECORDS) /* at most two messages a record */
#define IDLE_MS 250         /* how often an idle sender looks for due messages */
#define BACKOFF_MAX 21600   /* 6 h */
#define RATE_WINDOW 60      /* seconds of cfg->mail_per_minute */
#define PASSWORD_MAX 256
#define ERROR_MAX 300

/* OUT_SKIP: not tried (the sender is stopping); the row stays as it is
 * (a feed's message: the cursor stays before its record).
 * OUT_CANCEL: the address asked for no more mail after the row was queued
 * (a compact row's check ran on the request thread, before the writer). */
typedef enum { OUT_SKIP, OUT_SENT, OUT_RETRY, OUT_WAIT, OUT_FAILED, OUT_CANCEL } outcome;

typedef struct due_msg {
    int64_t id; /* the row; 0: a feed's message (feed.h), no row */
    char *message_id, *recipient, *subject, *text;
    char *unsubscribe; /* a row's secret; a feed message's whole token */
    char *params; /* a compact row (schema 0024): rendered into subject and text */
    char kind[24];
    char lang[3];
    int attempts;
    int64_t feedback_id;
    int64_t unit_id;      /* a feed's message: the unit addressed (0: the reporter) */
    const char *audience; /* a feed's message */
    outcome out;
    char error[ERROR_MAX];
} due_msg;

/* Messages sent to one recipient in the current minute: the per-address
 * limit, kept in memory (after a restart it starts again), by the hash of
 * the address. A full table forgets its oldest window. */
#define RATE_SLOTS 1024
typedef struct rate_slot {
    char hash[65];
    int64_t window; /* the minute (unix seconds / RATE_WINDOW) */
    unsigned count;
} rate_slot;

/* What sending needs, shared by the thread and the test command. */
typedef struct relay {
    const vk_config *cfg;
    CURL *curl;
    char password[PASSWORD_MAX];
    char errbuf[CURL_ERROR_SIZE];
    atomic_int *stop; /* set: send no more of the batch; NULL for none */
    rate_slot rate[RATE_SLOTS];
} relay;

/* The recipient's count this minute, for a send (count 1 adds one). */
static unsigned rate_count(relay *r, const char *recipient, int add)
{
    char hash[65];
    mail_address_hash(recipient, hash);
    int64_t window = (int64_t)time(NULL) / RATE_WINDOW;
    unsigned h = 0;
    for (const char *p = hash; *p; p++)
        h = h * 31u + (unsigned char)*p;
    rate_slot *slot = NULL;
    for (unsigned i = 0; i < 8; i++) {
        rate_slot *s = &r->rate[(h + i) % RATE_SLOTS];
        if (strcmp(s->hash, hash) == 0) {
            slot = s;
            break;
        }
        if (!slot || s->window < slot->window)
            slot = s; /* the emptiest or oldest as the place for a new one */
    }
    if (strcmp(slot->hash, hash) != 0 || slot->window != window) {
        memcpy(slot->hash, hash, sizeof hash);
        slot->window = window;
        slot->count = 0;
    }
    if (add)
        slot->count++;
    return slot->count;
}

struct mail_sender {
    relay r;
    vk_writer *writer;
    vk_ctx *ctx; /* the reads' own connection */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_int stop;
};

/* ---- the relay ---- */

typedef struct reader {
    const char *p;
    size_t left;
} reader;

static size_t read_message(char *dst, size_t size, size_t nmemb, void *arg)
{
    reader *rd = arg;
    size_t n = size * nmemb < rd->left ? size * nmemb : rd->left;
    memcpy(dst, rd->p, n);
    rd->p += n;
    rd->left -= n;
    return n;
}

static vk_err relay_open(relay *r, const vk_config *cfg, vk_errinfo *ei)
{
    memset(r, 0, sizeof *r);
    r->cfg = cfg;
    if (cfg->smtp_password_file) {
        FILE *f = fopen(cfg->smtp_password_file, "r");
        if (!f || !fgets(r->password, sizeof r->password, f)) {
            if (f)
                fclose(f);
            return vk_fail(ei, VK_EVALUE, "--smtp-password-file",
                           "cannot read the password from %s", cfg->smtp_password_file);
        }
        fclose(f);
        r->password[strcspn(r->password, "\r\n")] = '\0';
    }
    r->curl = curl_easy_init();
    if (!r->curl)
        return vk_fail(ei, VK_ENOMEM, "", "libcurl could not start");
    CURL *c = r->curl;
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_USE_SSL, cfg->smtp_starttls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
    if (cfg->smtp_user)
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
    if (cfg->smtp_password_file)
        curl_easy_setopt(c, CURLOPT_PASSWORD, r->password);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    return VK_OK;
}

static void relay_close(relay *r)
{
    if (r->curl)
        curl_easy_cleanup(r->curl);
    memset(r->password, 0, sizeof r->password);
    r->curl = NULL;
}

/* Send m; its outcome and error set. */
static void relay_send(relay *r, due_msg *m)
{
    char date[VK_HTTP_DATE_LEN + 8];
    vk_http_date((int64_t)time(NULL), date);
    char *gmt = strstr(date, " GMT");
    if (gmt)
        strcpy(gmt, " +0000");
    char from[300];
    snprintf(from, sizeof from, "<%s>", r->cfg->mail_from);
    char unsub[512];
    if (m->id)
        mail_unsubscribe_url(r->cfg, m->id, m->unsubscribe ? m->unsubscribe : "", unsub, sizeof unsub);
    else
        mail_unsubscribe_url_token(r->cfg, m->unsubscribe ? m->unsubscribe : "", unsub, sizeof unsub);
    vk_buf text, html;
    vk_buf_init(&text, MAIL_TEXT_MAX);
    vk_buf_init(&html, MAIL_TEXT_MAX);
    mail_text_final(m->text, m->lang, m->feedback_id != 0, unsub, &text);
    if (vk_buf_ok(&text))
        mail_html_from_text(text.data, m->lang, m->subject, &html);
    mail_mime mm = {r->cfg->mail_from, m->recipient, m->subject, m->message_id, date,
                    text.data ? text.data : "", html.data ? html.data : "", unsub};
    vk_buf msg;
    vk_buf_init(&msg, 2 * MAIL_TEXT_MAX + 4096);
    int built = vk_buf_ok(&text) && vk_buf_ok(&html) && mail_mime_build(&mm, &msg) == 0;
    vk_buf_fini(&text);
    vk_buf_fini(&html);
    if (!built) {
        m->out = OUT_FAILED;
        snprintf(m->error, sizeof m->error, "the message could not be built (an unsafe address?)");
        vk_buf_fini(&msg);
        return;
    }
    char to[300];
    snprintf(to, sizeof to, "<%s>", m->recipient);
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    reader rd = {msg.data, msg.len};
    CURL *c = r->curl;
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READDATA, &rd);
    curl_easy_setopt(c, CURLOPT_INFILESIZE, (long)msg.len);
    r->errbuf[0] = '\0';
    CURLcode rc = curl_easy_perform(c);
    long reply = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    if (rc == CURLE_OK) {
        m->out = OUT_SENT;
        rate_count(r, m->recipient, 1);
    } else {
        /* A 5xx reply is the relay's final word; anything else may pass later. */
        m->out = reply >= 500 && reply < 600 ? OUT_FAILED : OUT_RETRY;
        snprintf(m->error, sizeof m->error, "%s%s%s (SMTP reply %ld)", curl_easy_strerror(rc),
                 r->errbuf[0] ? ": " : "", r->errbuf, reply);
    }
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
    curl_slist_free_all(rcpt);
    vk_buf_fini(&msg);
}

/* ---- the due messages ---- */

/* A step's messages: the feed's first (m[0..nfeed), its records after
 * feed_after up to feed_last), then the due rows. */
typedef struct due_list {
    due_msg m[FEED_MSGS + BATCH];
    int n, nfeed;
    int64_t feed_after, feed_last;
} due_list;

static void due_free(due_list *d)
{
    for (int i = 0; i < d->n; i++) {
        due_msg *m = &d->m[i];
        free(m->message_id);
        free(m->recipient);
        free(m->subject);
        free(m->text);
        free(m->unsubscribe);
        free(m->params);
    }
    memset(d, 0, sizeof *d);
}

static int due_row(void *arg, db_row *row)
{
    due_list *d = arg;
    if (d->n >= d->nfeed + BATCH)
        return 1;
    due_msg *m = &d->m[d->n++];
    memset(m, 0, sizeof *m);
    m->id = db_col_int64(row, 0);
    m->message_id = db_col_dup(row, 1);
    m->recipient = db_col_dup(row, 2);
    m->subject = db_col_dup(row, 3);
    m->text = db_col_dup(row, 4);
    db_col_copy(row, 5, m->lang, sizeof m->lang);
    m->unsubscribe = db_col_dup(row, 6);
    m->attempts = db_col_int(row, 7);
    m->feedback_id = db_col_int64(row, 8);
    db_col_copy(row, 9, m->kind, sizeof m->kind);
    m->params = db_col_dup(row, 10); /* NULL: subject and text are stored */
    return d->n >= d->nfeed + BATCH;
}

/* The feed's messages of the records after the cursor (feed.h), with
 * their derived ids, into d. */
static vk_err read_feed(relay *r, store_conn *c, due_list *d, vk_errinfo *ei)
{
    const mail_feed *f = mail_feed_registered();
    if (!f)
        return VK_OK;
    unsigned char key[32];
    int64_t cursor = 0, last = 0;
    vk_err e = mail_feed_state(c, &cursor, key, ei);
    if (e)
        return e;
    mail_feed_msg *fm = calloc(FEED_MSGS, sizeof *fm);
    int n = 0;
    if (!fm)
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    if (!e)
        e = f->read(c, r->cfg, cursor, FEED_RECORDS, fm, FEED_MSGS, &n, &last, ei);
    for (int i = 0; !e && i < n; i++) {
        due_msg *m = &d->m[d->n++];
        memset(m, 0, sizeof *m);
        mail_ids ids;
        char token[96];
        mail_feed_ids(r->cfg, key, &fm[i], &ids, token);
        m->message_id = strdup(ids.message_id);
        m->recipient = strdup(fm[i].recipient);
        m->unsubscribe = strdup(token);
        m->subject = fm[i].subject;
        m->text = fm[i].text;
        fm[i].subject = fm[i].text = NULL;
        memcpy(m->lang, fm[i].lang, sizeof m->lang);
        memcpy(m->kind, fm[i].kind, sizeof m->kind);
        m->feedback_id = fm[i].feedback_id;
        m->unit_id = fm[i].unit_id;
        m->audience = fm[i].audience;
    }
    if (!e) {
        d->nfeed = d->n;
        d->feed_after = cursor;
        d->feed_last = last;
    }
    for (int i = 0; fm && i < n; i++) {
        free(fm[i].subject);
        free(fm[i].text);
    }
    free(fm);
    sodium_memzero(key, sizeof key);
    return e;
}

/* A compact row before its send: the address may have unsubscribed since
 * the request thread looked (the writer does not look again), and the
 * subject and text are rendered now. m->out stays OUT_SKIP when it is to
 * be sent. */
static vk_err prepare_compact(relay *r, store_conn *c, due_msg *m, vk_errinfo *ei)
{
    int stopped = 0;
    vk_err e = mail_address_stopped(c, m->recipient, m->feedback_id, &stopped, ei);
    if (e)
        return e;
    if (stopped) {
        m->out = OUT_CANCEL;
        snprintf(m->error, sizeof m->error, "the address asked for no more mail");
        return VK_OK;
    }
    const mail_feed *feed = mail_feed_registered();
    if (!feed || !feed->render) {
        m->out = OUT_RETRY;
        snprintf(m->error, sizeof m->error, "no renderer for a %s message", m->kind);
        return VK_OK;
    }
    vk_buf subject, text;
    vk_buf_init(&subject, MAIL_TEXT_MAX);
    vk_buf_init(&text, MAIL_TEXT_MAX);
    int found = 0;
    e = feed->render(c, r->cfg, m->kind, m->feedback_id, m->params, m->lang, &subject, &text,
                     &found, ei);
    if (!e && !found) {
        m->out = OUT_FAILED;
        snprintf(m->error, sizeof m->error, "its item #%lld is gone", (long long)m->feedback_id);
    } else if (!e && (!vk_buf_ok(&subject) || !vk_buf_ok(&text))) {
        m->out = OUT_RETRY;
        snprintf(m->error, sizeof m->error, "out of memory");
    } else if (!e) {
        free(m->subject);
        free(m->text);
        m->subject = strdup(subject.data);
        m->text = strdup(text.data);
        if (!m->subject || !m->text) {
            m->out = OUT_RETRY;
            snprintf(m->error, sizeof m->error, "out of memory");
        }
    }
    vk_buf_fini(&subject);
    vk_buf_fini(&text);
    return e;
}

/* Read what is due now and send it; the outcomes in d. */
static vk_err send_due(relay *r, store_conn *c, due_list *d, vk_errinfo *ei)
{
    char now[VK_RFC3339_LEN];
    vk_rfc3339_of((int64_t)time(NULL), now);
    vk_err e = read_feed(r, c, d, ei);
    if (!e)
        e = db_each(c, &mail_sql, SQL_MAIL_DUE, DB_ARGS(DB_TEXT(now), DB_INT(BATCH)), due_row, d,
                    "reading the due e-mail", ei);
    for (int i = 0; !e && i < d->n; i++) {
        due_msg *m = &d->m[i];
        if (r->stop && atomic_load(r->stop)) {
            m->out = OUT_SKIP; /* a hung relay must not hold the shutdown for a whole batch */
            continue;
        }
        if (!m->message_id || !m->recipient || !m->subject || !m->text) {
            /* out of memory: a row is tried again later, a feed's message
             * at the next step (the cursor stays before its item) */
            m->out = m->id ? OUT_RETRY : OUT_SKIP;
            snprintf(m->error, sizeof m->error, "out of memory");
            continue;
        }
        if (!m->id) {
            /* A feed's message: the address may have asked for no more
             * mail (looked at before the limit, which would make it a row). */
            int stopped = 0;
            if ((e = mail_address_stopped(c, m->recipient, m->feedback_id, &stopped, ei)))
                break;
            if (stopped) {
                m->out = OUT_CANCEL;
                continue;
            }
        }
        if (r->cfg->mail_per_minute && rate_count(r, m->recipient, 0) >= r->cfg->mail_per_minute) {
            m->out = OUT_WAIT;
            continue;
        }
        if (m->params && (e = prepare_compact(r, c, m, ei)))
            break;
        if (m->out != OUT_SKIP)
            continue; /* cancelled, or not renderable */
        relay_send(r, m);
    }
    return e;
}

/* ---- the bookkeeping, as a writer job ---- */

typedef struct mark_job {
    vk_write_job job; /* first */
    const vk_config *cfg;
    due_list *d;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int finished;
} mark_job;

/* The wait before attempt attempts + 1 of a message that may pass later. */
static int64_t backoff(const vk_config *cfg, int attempts)
{
    int64_t wait = (int64_t)cfg->mail_retry_seconds;
    for (int k = 0; k < attempts && wait < BACKOFF_MAX; k++)
        wait *= 2;
    if (wait > BACKOFF_MAX)
        wait = BACKOFF_MAX;
    return wait < 1 ? 1 : wait;
}

/* A feed's message that must wait or failed becomes an outbox row with its
 * ids, retried and listed like any other. */
static vk_err keep_feed_msg(store_conn *c, const vk_config *cfg, const due_msg *m, int64_t t,
                            const char *now, vk_errinfo *ei)
{
    char next[VK_RFC3339_LEN];
    const char *state = "queued", *error = m->error;
    int attempts = 1;
    if (m->out == OUT_WAIT) {
        vk_rfc3339_of(t + RATE_WINDOW / 4, next);
        attempts = 0;
        error = "waiting: too many messages to this address this minute";
    } else if (m->out == OUT_RETRY) {
        vk_rfc3339_of(t + backoff(cfg, 0), next);
    } else {
        vk_rfc3339_of(t, next);
        state = "failed";
    }
    const char *dash = strchr(m->unsubscribe, '-');
    return db_run(c, &mail_sql, SQL_MAIL_INSERT_KEPT,
                  DB_ARGS(DB_TEXT(m->message_id), DB_TEXT(m->recipient), DB_TEXT(m->lang),
                          DB_TEXT(m->kind), DB_TEXT(m->audience), DB_INT(m->feedback_id),
                          DB_TEXT(m->subject), DB_TEXT(m->text), DB_TEXT(dash ? dash + 1 : ""),
                          DB_TEXT(state), DB_INT(attempts), DB_TEXT(next), DB_TEXT(error),
                          DB_TEXT(now)),
                  "keeping a new item's e-mail in the outbox", ei);
}

/* The feed's part of the bookkeeping: the messages not sent kept as rows,
 * the cursor moved past the records whose messages were all tried (a
 * stop leaves the rest to be read again), and the feed told. */
static vk_err mark_feed(store_conn *c, const vk_config *cfg, const due_list *d, int64_t t,
                        const char *now, vk_errinfo *ei)
{
    const mail_feed *f = mail_feed_registered();
    int64_t last = d->feed_last;
    for (int i = 0; i < d->nfeed; i++)
        if (d->m[i].out == OUT_SKIP && d->m[i].feedback_id - 1 < last)
            last = d->m[i].feedback_id - 1;
    if (!f || last <= d->feed_after)
        return VK_OK;
    mail_feed_msg *done = calloc((size_t)d->nfeed + 1, sizeof *done);
    if (!done)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    int n = 0;
    vk_err e = VK_OK;
    for (int i = 0; !e && i < d->nfeed; i++) {
        const due_msg *m = &d->m[i];
        if (m->feedback_id > last || m->out == OUT_SKIP || m->out == OUT_CANCEL)
            continue;
        if (m->out != OUT_SENT)
            e = keep_feed_msg(c, cfg, m, t, now, ei);
        mail_feed_msg *x = &done[n++];
        snprintf(x->recipient, sizeof x->recipient, "%s", m->recipient);
        memcpy(x->kind, m->kind, sizeof x->kind);
        x->audience = m->audience;
        x->feedback_id = m->feedback_id;
        x->unit_id = m->unit_id;
    }
    if (!e)
        e = db_run(c, &mail_sql, SQL_MAIL_FEED_MOVE, DB_ARGS(DB_INT(d->feed_after), DB_INT(last)),
                   "moving the mail cursor", ei);
    if (!e)
        e = f->done(c, cfg, d->feed_after, last, done, n, now, ei);
    free(done);
    return e;
}

static vk_err mark_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body, vk_errinfo *ei)
{
    (void)body;
    mark_job *j = (mark_job *)wj;
    store_conn *c = ctx->store;
    int64_t t = (int64_t)time(NULL);
    vk_err e = mark_feed(c, j->cfg, j->d, t, now, ei);
    for (int i = j->d->nfeed; !e && i < j->d->n; i++) {
        due_msg *m = &j->d->m[i];
        char next[VK_RFC3339_LEN];
        switch (m->out) {
        case OUT_SKIP:
            break;
        case OUT_SENT:
            e = db_run(c, &mail_sql, SQL_MAIL_MARK_SENT, DB_ARGS(DB_INT(m->id), DB_TEXT(now)),
                       "marking e-mail sent", ei);
            break;
        case OUT_WAIT:
            vk_rfc3339_of(t + RATE_WINDOW / 4, next);
            e = db_run(c, &mail_sql, SQL_MAIL_MARK_RETRY,
                       DB_ARGS(DB_INT(m->id), DB_TEXT(next), DB_TEXT("waiting: too many messages "
                                                                    "to this address this minute"),
                               DB_INT(0)),
                       "postponing e-mail", ei);
            break;
        case OUT_RETRY:
            if (m->attempts + 1 < MAIL_MAX_ATTEMPTS) {
                vk_rfc3339_of(t + backoff(j->cfg, m->attempts), next);
                e = db_run(c, &mail_sql, SQL_MAIL_MARK_RETRY,
                           DB_ARGS(DB_INT(m->id), DB_TEXT(next), DB_TEXT(m->error), DB_INT(1)),
                           "postponing e-mail", ei);
                break;
            }
            /* fall through: too many attempts */
            /* FALLTHROUGH */
        case OUT_FAILED:
            e = db_run(c, &mail_sql, SQL_MAIL_MARK_FAILED,
                       DB_ARGS(DB_INT(m->id), DB_TEXT(m->error), DB_TEXT(m->subject)),
                       "marking e-mail failed", ei);
            break;
        case OUT_CANCEL:
            e = db_run(c, &mail_sql, SQL_MAIL_MARK_CANCELLED,
                       DB_ARGS(DB_INT(m->id), DB_TEXT(m->error)), "cancelling e-mail", ei);
            break;
        }
    }
    return e;
}

static void mark_done(void *arg)
{
    mark_job *j = arg;
    pthread_mutex_lock(&j->mu);
    j->finished = 1;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

/* Record d's outcomes through the writer (or at once on ctx when w is NULL). */
static vk_err mark(vk_writer *w, vk_ctx *ctx, const vk_config *cfg, due_list *d, vk_errinfo *ei)
{
    mark_job j;
    memset(&j, 0, sizeof j);
    j.job.run = mark_run;
    j.job.writer = w;
    j.job.done = mark_done;
    j.job.done_arg = &j;
    j.cfg = cfg;
    j.d = d;
    pthread_mutex_init(&j.mu, NULL);
    pthread_cond_init(&j.cv, NULL);
    if (w) {
        vk_writer_submit(w, &j.job);
        pthread_mutex_lock(&j.mu);
        while (!j.finished)
            pthread_cond_wait(&j.cv, &j.mu);
        pthread_mutex_unlock(&j.mu);
    } else {
        vk_writer_run_one(ctx, &j.job);
    }
    vk_err e = j.job.err.code;
    if (e)
        *ei = j.job.err;
    vk_write_job_fini(&j.job);
    pthread_cond_destroy(&j.cv);
    pthread_mutex_destroy(&j.mu);
    return e;
}

/* ---- the thread ---- */

static void *sender_main(void *arg)
{
    mail_sender *s = arg;
    due_list *d = calloc(1, sizeof *d);
    int idle_ms = IDLE_MS;
    for (;;) {
        if (atomic_load(&s->stop) || !d)
            break;
        vk_errinfo ei;
        vk_errinfo_clear(&ei);
        vk_err e = send_due(&s->r, s->ctx->store, d, &ei);
        int sent = 0;
        for (int i = 0; i < d->n; i++)
            sent += d->m[i].out == OUT_SENT;
        int n = d->n;
        int feed_moved = d->feed_last > d->feed_after;
        if (!e && (n || feed_moved))
            e = mark(s->writer, s->ctx, s->r.cfg, d, &ei);
        if (e)
            vk_log("mail: %s", ei.message);
        due_free(d);
        /* Go on at once while a full batch went out or the feed had
         * records; else wait a little. */
        if (e || ((n == 0 || sent < n) && !feed_moved)) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += (long)idle_ms * 1000000L;
            until.tv_sec += until.tv_nsec / 1000000000L;
            until.tv_nsec %= 1000000000L;
            pthread_mutex_lock(&s->mu);
            if (!atomic_load(&s->stop))
                pthread_cond_timedwait(&s->cv, &s->mu, &until);
            pthread_mutex_unlock(&s->mu);
        }
    }
    free(d);
    return NULL;
}

vk_err mail_config_check(const vk_config *cfg, vk_errinfo *ei)
{
    if (!mail_address_safe(cfg->mail_from))
        return vk_fail(ei, VK_EVALUE, "--mail-from", "--mail-from must be an address such as "
                                                      "palaute@kunta.fi");
    if (!cfg->smtp_url)
        return VK_OK;
    int tls = strncmp(cfg->smtp_url, "smtps://", 8) == 0;
    if (!tls && strncmp(cfg->smtp_url, "smtp://", 7) != 0)
        return vk_fail(ei, VK_EVALUE, "--smtp", "--smtp must be smtp://HOST[:PORT] or smtps://HOST[:PORT]");
    if (tls && cfg->smtp_starttls)
        return vk_fail(ei, VK_EVALUE, "--smtp-starttls",
                       "--smtp-starttls is for smtp:// URLs; smtps:// is TLS from the start");
    return VK_OK;
}

vk_err mail_sender_start(mail_sender **out, const vk_config *cfg, vk_writer *w, vk_errinfo *ei)
{
    *out = NULL;
    vk_err e = mail_config_check(cfg, ei);
    if (e || !cfg->smtp_url)
        return e;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return vk_fail(ei, VK_EINTERNAL, "", "libcurl could not start");
    mail_sender *s = calloc(1, sizeof *s);
    if (!s)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    s->writer = w;
    if ((e = relay_open(&s->r, cfg, ei)) || (e = vk_ctx_open(&s->ctx, cfg, ei))) {
        relay_close(&s->r);
        free(s);
        return e;
    }
    atomic_init(&s->stop, 0);
    s->r.stop = &s->stop;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->thread, NULL, sender_main, s) != 0) {
        relay_close(&s->r);
        vk_ctx_free(s->ctx);
        free(s);
        return vk_fail(ei, VK_EINTERNAL, "", "cannot start the mail sender");
    }
    *out = s;
    return VK_OK;
}

void mail_sender_stop(mail_sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    atomic_store(&s->stop, 1);
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    relay_close(&s->r);
    vk_ctx_free(s->ctx);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- mail test ---- */

typedef struct queue_job {
    vk_write_job job; /* first */
    const mail_new *m;
} queue_job;

static vk_err queue_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body, vk_errinfo *ei)
{
    (void)body;
    queue_job *j = (queue_job *)wj;
    int queued = 0;
    vk_err e = mail_queue(ctx->store, ctx->cfg, j->m, now, &queued, ei);
    if (!e && !queued)
        e = vk_fail(ei, VK_EVALUE, "--to", "this address cannot be used, or it unsubscribed");
    return e;
}

vk_err mail_send_test(vk_ctx *ctx, const char *to, int *sent, vk_errinfo *ei)
{
    *sent = 0;
    const vk_config *cfg = ctx->cfg;
    vk_err e = mail_config_check(cfg, ei);
    if (e)
        return e;
    if (!cfg->smtp_url)
        return vk_fail(ei, VK_EMISSING, "--smtp", "give the relay with --smtp URL");
    if (!mail_address_safe(to))
        return vk_fail(ei, VK_EVALUE, "--to", "--to must be an e-mail address");
    mail_new m = {to, "en", "test", MAIL_TO_TEST, 0, "Vaikuta: test message / testiviesti",
                  "This is a test message from Vaikuta: the mail relay works.\n\n"
                  "Tämä on Vaikutan testiviesti: sähköpostin välitys toimii.\n\n"
                  "Det här är ett testmeddelande från Vaikuta: e-postrelät fungerar.", 0};
    queue_job qj;
    memset(&qj, 0, sizeof qj);
    qj.job.run = queue_run;
    qj.m = &m;
    vk_writer_run_one(ctx, &qj.job);
    e = qj.job.err.code;
    if (e)
        *ei = qj.job.err;
    vk_write_job_fini(&qj.job);
    if (e)
        return e;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return vk_fail(ei, VK_EINTERNAL, "", "libcurl could not start");
    relay r;
    if ((e = relay_open(&r, cfg, ei))) {
        relay_close(&r);
        return e;
    }
    due_list *d = calloc(1, sizeof *d);
    if (!d)
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    if (!e)
        e = send_due(&r, ctx->store, d, ei);
    if (!e && (d->n || d->feed_last > d->feed_after))
        e = mark(NULL, ctx, cfg, d, ei);
    for (int i = 0; d && i < d->n; i++) {
        *sent += d->m[i].out == OUT_SENT;
        if (d->m[i].out != OUT_SENT && !e && d->m[i].error[0])
            e = vk_fail(ei, VK_EIO, "--smtp", "the relay did not take the message: %s", d->m[i].error);
    }
    if (d)
        due_free(d);
    free(d);
    relay_close(&r);
    curl_global_cleanup();
    return e;
}
