/* sender.c — the outbox's sender through an SMTP relay with libcurl
 * (see sender.h). */
#include "mail/sender.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "mail/mime.h"
#include "mail/outbox.h"
#include "mail/sql.h"

#define BATCH 64
#define IDLE_MS 250         /* how often an idle sender looks for due messages */
#define BACKOFF_MAX 21600   /* 6 h */
#define RATE_WINDOW 60      /* seconds of cfg->mail_per_minute */
#define PASSWORD_MAX 256
#define ERROR_MAX 300

/* OUT_SKIP: not tried (the sender is stopping); the row stays as it is.
 * OUT_CANCEL: the address asked for no more mail after the row was queued
 * (a compact row's check ran on the request thread, before the writer). */
typedef enum { OUT_SKIP, OUT_SENT, OUT_RETRY, OUT_WAIT, OUT_FAILED, OUT_CANCEL } outcome;

typedef struct due_msg {
    int64_t id;
    char *message_id, *recipient, *subject, *text, *unsubscribe;
    char *params; /* a compact row (schema 0024): rendered into subject and text */
    char kind[24];
    char lang[3];
    int attempts;
    int64_t feedback_id;
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
    mail_render_fn render; /* compact rows; NULL: they wait */
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
    mail_unsubscribe_url(r->cfg, m->id, m->unsubscribe ? m->unsubscribe : "", unsub, sizeof unsub);
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

typedef struct due_list {
    due_msg m[BATCH];
    int n;
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
    return d->n >= BATCH;
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
    if (!r->render) {
        m->out = OUT_RETRY;
        snprintf(m->error, sizeof m->error, "no renderer for a %s message", m->kind);
        return VK_OK;
    }
    vk_buf subject, text;
    vk_buf_init(&subject, MAIL_TEXT_MAX);
    vk_buf_init(&text, MAIL_TEXT_MAX);
    int found = 0;
    e = r->render(c, r->cfg, m->kind, m->feedback_id, m->params, m->lang, &subject, &text, &found,
                  ei);
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
    vk_err e = db_each(c, &mail_sql, SQL_MAIL_DUE, DB_ARGS(DB_TEXT(now), DB_INT(BATCH)), due_row, d,
                       "reading the due e-mail", ei);
    for (int i = 0; !e && i < d->n; i++) {
        due_msg *m = &d->m[i];
        if (r->stop && atomic_load(r->stop)) {
            m->out = OUT_SKIP; /* a hung relay must not hold the shutdown for a whole batch */
            continue;
        }
        if (!m->message_id || !m->recipient || !m->subject || !m->text) {
            m->out = OUT_RETRY;
            snprintf(m->error, sizeof m->error, "out of memory");
            continue;
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

static vk_err mark_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body, vk_errinfo *ei)
{
    (void)body;
    mark_job *j = (mark_job *)wj;
    store_conn *c = ctx->store;
    int64_t t = (int64_t)time(NULL);
    vk_err e = VK_OK;
    for (int i = 0; !e && i < j->d->n; i++) {
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
                int64_t wait = (int64_t)j->cfg->mail_retry_seconds;
                for (int k = 0; k < m->attempts && wait < BACKOFF_MAX; k++)
                    wait *= 2;
                if (wait > BACKOFF_MAX)
                    wait = BACKOFF_MAX;
                if (wait < 1)
                    wait = 1;
                vk_rfc3339_of(t + wait, next);
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
        if (!e && n)
            e = mark(s->writer, s->ctx, s->r.cfg, d, &ei);
        if (e)
            vk_log("mail: %s", ei.message);
        due_free(d);
        /* Go on at once while a full batch went out; else wait a little. */
        if (e || n == 0 || sent < n) {
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

vk_err mail_sender_start(mail_sender **out, const vk_config *cfg, vk_writer *w,
                         mail_render_fn render, vk_errinfo *ei)
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
    s->r.render = render;
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

vk_err mail_send_test(vk_ctx *ctx, const char *to, mail_render_fn render, int *sent,
                      vk_errinfo *ei)
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
    r.render = render;
    due_list *d = calloc(1, sizeof *d);
    if (!d)
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    if (!e)
        e = send_due(&r, ctx->store, d, ei);
    if (!e && d->n)
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
