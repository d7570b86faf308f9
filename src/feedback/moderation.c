/* moderation.c — hiding, redaction, follow-up links, withdrawal, "me too",
 * merging duplicates and the retention purge (see moderation.h). */
#include "feedback/moderation.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "feedback/feedback.h"
#include "auth/auth.h"
#include "features/items.h"
#include "feedback/photos.h"
#include "feedback/workflow.h"
#include "core/buf.h"
#include "core/clock.h"

#define DESCRIPTION_MAX 4000
#define ANSWER_MAX 4000
#define NOTE_MAX 4000
#define REPORTER_NOTE_MAX 2000

static const char *const hide_reasons[] = {"spam", "personal_data", "offensive", "duplicate",
                                           "other", NULL};
#define BROWSER_COOKIE_SECONDS (365 * 24 * 3600)

static const char *visibility_name(int hidden)
{
    return hidden == STORE_VISIBLE_WITHDRAWN ? "withdrawn"
           : hidden == STORE_VISIBLE_HIDDEN  ? "hidden"
                                             : "public";
}

/* An event of item id; before/after are JSON objects (taken: freed here). */
static vk_err add_event(vk_ctx *ctx, int64_t id, const char *now, const char *actor,
                        const char *kind, json_t *before, json_t *after, const char *answer,
                        const char *note, vk_errinfo *ei)
{
    char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(before);
    json_decref(after);
    vk_err e = VK_OK;
    if (!a || !b) {
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    } else {
        store_event ev = {0, id, now, actor, kind, b, a, answer, note, NULL, NULL};
        e = store_event_add(ctx->store, &ev, ei);
    }
    free(a);
    free(b);
    return e;
}

/* ---- PATCH: hide, unhide, redact ---- */

vk_err api_moderation_read(const json_t *doc, vk_feedback_change *ch, vk_errinfo *ei)
{
    const json_t *h = json_object_get(doc, "hidden");
    if (h && !json_is_null(h)) {
        if (!json_is_boolean(h))
            return vk_fail(ei, VK_ETYPE, "hidden", "hidden must be true or false");
        ch->set_hidden = 1;
        ch->hidden = json_is_true(h);
    }
    vk_err e = api_json_text(doc, "description", 0, DESCRIPTION_MAX, 1, &ch->description, ei);
    if (e)
        return e;
    const json_t *d = json_object_get(doc, "description");
    if (!ch->description && d && !json_is_null(d))
        return vk_fail(ei, VK_EVALUE, "description",
                       "description is empty; send the text with the personal data edited out");
    if ((e = api_json_text(doc, "hide_reason", 0, 20, 0, &ch->hide_reason, ei)) ||
        (e = api_json_text(doc, "reporter_note", 0, REPORTER_NOTE_MAX, 1, &ch->reporter_note,
                           ei)))
        return e;
    int hiding = ch->set_hidden && ch->hidden;
    if (ch->hide_reason) {
        int known = 0;
        for (const char *const *r = hide_reasons; *r && !known; r++)
            known = strcmp(*r, ch->hide_reason) == 0;
        if (!known)
            return vk_fail(ei, VK_EVALUE, "hide_reason", "hide_reason must be " API_HIDE_REASONS);
    }
    if ((ch->hide_reason || ch->reporter_note) && !hiding)
        return vk_fail(ei, VK_EVALUE, ch->hide_reason ? "hide_reason" : "reporter_note",
                       "%s goes with hidden: true", ch->hide_reason ? "hide_reason" : "reporter_note");
    return VK_OK;
}

static json_t *length_of(const char *s)
{
    size_t chars = 0;
    vk_utf8_valid(s, strlen(s), &chars);
    return json_pack("{sI}", "description_length", (json_int_t)chars);
}

vk_err api_moderation_apply(vk_ctx *ctx, const vk_feedback_change *ch, const char *now,
                            const char *note, vk_errinfo *ei)
{
    store_feedback_mod m;
    vk_err e = store_feedback_mod_get(ctx->store, ch->id, NULL, &m, ei);
    if (e)
        return e;
    int hidden = ch->hidden ? STORE_VISIBLE_HIDDEN : STORE_VISIBLE_PUBLIC;
    if (ch->set_hidden && m.hidden == STORE_VISIBLE_WITHDRAWN)
        e = vk_fail(ei, VK_ETRANSITION, "hidden",
                    "the reporter withdrew this item; it stays out of public view");
    if (!e && ch->set_hidden && hidden != m.hidden) {
        e = store_feedback_set_hidden(ctx->store, ch->id, hidden, now, ei);
        /* The reason is audited with the hiding; the note to the reporter is
         * the event's public answer, which only their follow-up view shows
         * while the item is hidden. */
        if (!e)
            e = add_event(ctx, ch->id, now, ch->actor, ch->hidden ? "hide" : "unhide",
                          json_pack("{ss}", "visibility", visibility_name(m.hidden)),
                          json_pack("{ss,ss*}", "visibility", visibility_name(hidden),
                                    "hide_reason", ch->hide_reason),
                          ch->reporter_note, note, ei);
        note = NULL;
    }
    if (!e && ch->description && strcmp(ch->description, m.description) != 0) {
        /* The audit log must not become a copy of the personal data that
         * was edited out: lengths only. */
        e = store_feedback_redact(ctx->store, ch->id, ch->description, now, ei);
        if (!e)
            e = add_event(ctx, ch->id, now, ch->actor, "redact", length_of(m.description),
                          length_of(ch->description), NULL, note, ei);
    }
    store_feedback_mod_fini(&m);
    return e;
}

/* ---- the staff view's moderation part ---- */

static void put_str(vk_buf *b, const char *key, const char *v)
{
    vk_buf_printf(b, "\"%s\":", key);
    vk_json_str_or_null(b, v);
}

vk_err api_moderation_staff_json(vk_ctx *ctx, int64_t id, vk_role role, vk_buf *b)
{
    store_feedback_mod m;
    vk_err e = store_feedback_mod_get(ctx->store, id, NULL, &m, &ctx->err);
    if (e)
        return e;
    vk_buf_printf(b, "{\"visibility\":\"%s\",\"me_too\":%lld", visibility_name(m.hidden),
                  (long long)m.me_too);
    /* Whom it is assigned to: every staff role may see that. */
    store_feedback_state st;
    if ((e = store_feedback_state_get(ctx->store, id, NULL, &st, &ctx->err))) {
        store_feedback_mod_fini(&m);
        return e;
    }
    vk_buf_putc(b, ',');
    put_str(b, "assignee", st.assignee);
    store_feedback_state_fini(&st);
    /* Contact details: for those who answer residents, nobody else. */
    if (role == VK_ROLE_MODERATOR || role == VK_ROLE_ADMIN) {
        store_contact ct;
        int has = 0;
        if ((e = store_contact_get(ctx->store, id, &has, &ct, &ctx->err))) {
            store_feedback_mod_fini(&m);
            return e;
        }
        vk_buf_puts(b, ",\"contact\":");
        if (has) {
            vk_buf_putc(b, '{');
            put_str(b, "name", ct.name);
            vk_buf_putc(b, ',');
            put_str(b, "email", ct.email);
            vk_buf_putc(b, ',');
            put_str(b, "phone", ct.phone);
            vk_buf_putc(b, '}');
        } else {
            vk_buf_puts(b, "null");
        }
        store_contact_fini(&ct);
    }
    if (role == VK_ROLE_ADMIN) {
        vk_buf_putc(b, ',');
        put_str(b, "description_original", m.description_original);
    }
    vk_buf_putc(b, '}');
    store_feedback_mod_fini(&m);
    return vk_buf_ok(b) ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}

/* ---- the reporter's view through the follow-up link ---- */

static const char *const followup_fields[] = {
    "category", "description", "place",  "status",  "resolution_reason", "duplicate_of",
    "forwarded_to", "unit", "created", "updated", "answer", "answer_sv", "answer_en",
    "answered", "me_too", "attributes", "photos", NULL};

/* Of the item a report was merged into, what the public sees of its
 * handling: the merged reporter reads the city's answer there. */
static const char *const survivor_fields[] = {
    "category", "status", "resolution_reason", "duplicate_of", "forwarded_to",
    "updated", "answer", "answer_sv", "answer_en", "answered", "me_too", NULL};

typedef struct {
    json_t *view;
    const store_collection *col;
    const char *const *fields;
} view_reader;

static json_t *value_json(const store_value *v)
{
    switch (v->type) {
    case STORE_INT: return json_integer(v->i);
    case STORE_REAL: return json_real(v->d);
    case STORE_TEXT: return json_string(v->text);
    default: return json_null();
    }
}

static int read_view(void *arg, const store_item *item)
{
    view_reader *r = arg;
    r->view = json_object();
    if (!r->view)
        return 1;
    json_object_set_new(r->view, "id", json_integer(item->id));
    for (const char *const *f = r->fields; *f; f++)
        for (int i = 0; i < r->col->ncolumns; i++) {
            if (strcmp(r->col->columns[i].name, *f) != 0)
                continue;
            const store_value *v = &item->values[i];
            /* The category's answers and the photos are stored as JSON. */
            json_t *j = r->col->columns[i].json && v->type == STORE_TEXT && v->text
                            ? json_loads(v->text, 0, NULL)
                            : NULL;
            json_object_set_new(r->view, *f, j ? j : value_json(v));
        }
    return 1;
}

/* The public item a merged report now lives on, following a merge of a
 * merge a few steps at most; NULL when there is none to show (hidden,
 * withdrawn or gone). */
static json_t *survivor_view(vk_ctx *ctx, int64_t into, int64_t self, vk_errinfo *ei)
{
    json_t *v = NULL;
    for (int hops = 0; into > 0 && into != self && hops < 4; hops++) {
        api_items it;
        api_items_init(&it, store_collection_find("feedback"));
        it.q.id = into;
        it.q.limit = 1; /* public only: the reporter sees what everyone sees */
        view_reader r = {NULL, it.col, survivor_fields};
        if (store_items_each(ctx->store, it.col, &it.q, read_view, &r, ei) || !r.view)
            break;
        json_decref(v);
        v = r.view;
        json_int_t next = json_integer_value(json_object_get(v, "duplicate_of"));
        const char *st = json_string_value(json_object_get(v, "status"));
        if (next <= 0 || !st || strcmp(st, "duplicate") != 0)
            break;
        into = next;
    }
    return v;
}

typedef struct {
    json_t *history;
    const char *status; /* the item's status after the events so far */
    char status_buf[32];
} history_reader;

/* Public events only: a status change, a public answer or the withdrawal;
 * never internal notes or staff names. */
static int read_history(void *arg, const store_event *ev)
{
    history_reader *h = arg;
    json_t *after = json_loads(ev->after ? ev->after : "{}", 0, NULL);
    const char *st = json_string_value(json_object_get(after, "status"));
    if (st) {
        snprintf(h->status_buf, sizeof h->status_buf, "%s", st);
        h->status = h->status_buf;
    }
    /* A correction of the category or the place is told too (what it was
     * corrected to is in the view itself). */
    int shown = st || ev->public_answer || strcmp(ev->kind, "withdraw") == 0 ||
                json_object_get(after, "category") || json_object_get(after, "location_changed");
    json_decref(after);
    if (!shown)
        return 0;
    json_t *o = json_pack("{ss,ss,ss,ss?}", "at", ev->at, "kind", ev->kind, "status", h->status,
                          "public_answer", ev->public_answer);
    /* The answer's other languages beside it, only when written (schema 0023). */
    if (o && ev->public_answer && ev->public_answer_sv)
        json_object_set_new(o, "public_answer_sv", json_string(ev->public_answer_sv));
    if (o && ev->public_answer && ev->public_answer_en)
        json_object_set_new(o, "public_answer_en", json_string(ev->public_answer_en));
    if (o)
        json_array_append_new(h->history, o);
    return 0;
}

/* The reporter's view of item id into b. Detail in ei. */
static vk_err followup_view(vk_ctx *ctx, int64_t id, vk_buf *b, vk_errinfo *ei)
{
    api_items it;
    api_items_init(&it, store_collection_find("feedback"));
    it.q.id = id;
    it.q.limit = 1;
    it.q.include_nonpublic = 1; /* the reporter's own item, also when hidden */
    view_reader r = {NULL, it.col, followup_fields};
    store_feedback_mod m;
    int found = 0;
    vk_err e = store_items_each(ctx->store, it.col, &it.q, read_view, &r, ei);
    if (!e && !r.view)
        e = vk_fail(ei, VK_ENOT_FOUND, "token", "this follow-up link leads nowhere");
    if (!e)
        e = store_feedback_mod_get(ctx->store, id, &found, &m, ei);
    if (e) {
        json_decref(r.view);
        return e;
    }
    json_object_set_new(r.view, "withdrawn", json_boolean(m.hidden == STORE_VISIBLE_WITHDRAWN));
    json_object_set_new(r.view, "has_contact", json_boolean(m.has_contact));
    /* The photos of a hidden item are served to staff only: links to them
     * would not load here. */
    if (m.hidden != STORE_VISIBLE_PUBLIC)
        json_object_set_new(r.view, "photos", json_array());
    store_feedback_mod_fini(&m);
    /* The reporter's photos not yet approved are counted, not shown: the
     * photo routes know no follow-up token (docs/photos.md). */
    int waiting = 0;
    if ((e = api_feedback_photos_waiting(ctx, id, &waiting, ei))) {
        json_decref(r.view);
        return e;
    }
    json_object_set_new(r.view, "photos_waiting", json_integer(waiting));
    json_int_t into = json_integer_value(json_object_get(r.view, "duplicate_of"));
    json_t *sv = into > 0 ? survivor_view(ctx, into, id, ei) : NULL;
    if (sv)
        json_object_set_new(r.view, "merged_into", sv);
    history_reader h = {json_array(), "received", ""};
    json_object_set_new(r.view, "history", h.history);
    e = store_event_each(ctx->store, id, read_history, &h, ei);
    char *s = e ? NULL : json_dumps(r.view, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(r.view);
    if (e)
        return e;
    if (!s)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    vk_buf_puts(b, s);
    free(s);
    return VK_OK;
}

/* The token's hash into hash; 0 if the token cannot be one of ours. */
static int followup_token_hash(const char *token, char hash[65])
{
    size_t n = token ? strlen(token) : 0;
    if (n != API_FOLLOWUP_TOKEN_LEN)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = token[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    api_followup_hash(token, n, hash);
    return 1;
}

static vk_err followup_nowhere(vk_ctx *ctx)
{
    return vk_fail(&ctx->err, VK_ENOT_FOUND, "token", "this follow-up link leads nowhere");
}

/* The start of a follow-up link handler: no query parameters, and the
 * hash of the token in the path (a malformed token leads nowhere, as an
 * unknown one does). */
static vk_err followup_path_hash(vk_ctx *ctx, const vk_req *req, char hash[65])
{
    static const char *const no_params[] = {NULL};
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    if (!followup_token_hash(req->nargs ? req->args[0] : NULL, hash))
        return followup_nowhere(ctx);
    return VK_OK;
}

vk_err api_followup_get(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    char hash[65];
    int64_t id = 0;
    vk_err e = followup_path_hash(ctx, req, hash);
    if (e || (e = store_followup_find(ctx->store, hash, &id, &ctx->err)))
        return e;
    if (!id)
        return followup_nowhere(ctx);
    vk_resp_header(resp, "Cache-Control", "no-store");
    /* Referrer-Policy: no-referrer is on every answer (http/headers.c). */
    return followup_view(ctx, id, &resp->body, &ctx->err);
}

/* ---- the deferred writes ---- */

vk_err api_followup_withdraw(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    char hash[65];
    vk_err e = followup_path_hash(ctx, req, hash);
    if (e)
        return e;
    api_feedback_job *st = api_feedback_job_new(ctx, api_job_withdraw, "application/json");
    if (!st)
        return VK_ENOMEM;
    memcpy(st->secret_hash, hash, sizeof hash);
    vk_json_write_defer(ctx, &st->w, resp);
    return VK_OK;
}

/* The keyed hash of the client's address on day t into hash (64 hex digits,
 * "" when the address is unknown) and the day (UTC) into day. An IPv6
 * client is its /64: one household or phone holds a whole /64. The key is
 * random at each start and never stored, and the day is in the hash, so
 * the stored hashes cannot be tied back to an address or across days. */
static void address_day_hash(const vk_config *cfg, const char *addr, time_t t, char hash[65],
                             char day[11])
{
    char stamp[VK_RFC3339_LEN];
    vk_rfc3339_of((int64_t)t, stamp);
    snprintf(day, 11, "%.10s", stamp);
    hash[0] = '\0';
    unsigned char a[16];
    size_t alen = 0;
    if (addr && inet_pton(AF_INET, addr, a) == 1) {
        alen = 4;
    } else if (addr && inet_pton(AF_INET6, addr, a) == 1) {
        memset(a + 8, 0, 8);
        alen = 16;
    }
    if (!alen)
        return;
    unsigned char in[11 + 16], out[32];
    memcpy(in, day, 10);
    in[10] = (unsigned char)alen;
    memcpy(in + 11, a, alen);
    crypto_generichash(out, sizeof out, in, 11 + alen, cfg->address_key, sizeof cfg->address_key);
    sodium_bin2hex(hash, 65, out, sizeof out);
}

vk_err api_feedback_me_too(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    int64_t id;
    vk_err e = api_feedback_path_id(ctx, req, NULL, &id);
    if (e)
        return e;
    /* An HTML form always sends one of its three content types, and a page
     * on another site can send nothing else without the browser asking us
     * first (CORS): no body, or JSON, is what our own client sends. */
    if (req->content_type && *req->content_type && !vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type",
                       "send \"me too\" without a body, or with a JSON body");
    api_feedback_job *st = api_feedback_job_new(ctx, api_job_me_too, "application/json");
    if (!st)
        return VK_ENOMEM;
    st->change.id = id;
    address_day_hash(ctx->cfg, req->client_addr, time(NULL), st->address_hash, st->day);
    /* One per browser: the voter is the hash of a random browser token,
     * never the address or anything else about the person. */
    const char *v = NULL;
    size_t n = 0;
    char token[API_AUTH_TOKEN_HEX + 1];
    if (vk_req_cookie(req, API_BROWSER_COOKIE, &v, &n) && api_auth_token_wellformed(v, n)) {
        memcpy(token, v, n);
        token[n] = '\0';
    } else {
        api_auth_random_token(token);
        snprintf(st->w.cookie, sizeof st->w.cookie,
                 "%s=%s; Path=/api/v1/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
                 API_BROWSER_COOKIE, token, BROWSER_COOKIE_SECONDS,
                 ctx->cfg->secure_cookies ? "; Secure" : "");
    }
    api_auth_token_hash(token, st->secret_hash);
    sodium_memzero(token, sizeof token);
    vk_json_write_defer(ctx, &st->w, resp);
    return VK_OK;
}

vk_err api_staff_feedback_merge(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"into", "public_answer", "internal_note", NULL};
    api_feedback_job *st;
    vk_err e = api_feedback_staff_job(ctx, req, "merge", api_job_merge, "application/json", &st);
    if (e)
        return e;
    vk_feedback_change *ch = &st->change;
    const json_t *into = NULL;
    if (!json_is_object(st->w.doc)) {
        e = vk_fail(&ctx->err, VK_ETYPE, "", "send a JSON object with into");
        goto fail;
    }
    if ((e = api_json_keys(st->w.doc, keys, &ctx->err)) ||
        (e = api_workflow_read_answer(st->w.doc, ch, &ctx->err)) ||
        (e = api_json_text(st->w.doc, "internal_note", 0, NOTE_MAX, 1, &ch->internal_note,
                           &ctx->err)))
        goto fail;
    into = json_object_get(st->w.doc, "into");
    if (!into || json_is_null(into)) {
        e = vk_fail(&ctx->err, VK_EMISSING, "into",
                    "into is required: the id of the item this one repeats");
        goto fail;
    }
    if (!json_is_integer(into) || json_integer_value(into) <= 0) {
        e = vk_fail(&ctx->err, VK_ETYPE, "into",
                    "into must be the id (a positive whole number) of a feedback item");
        goto fail;
    }
    st->into = (int64_t)json_integer_value(into);
    st->role = req->staff ? req->staff->role : VK_ROLE_NONE;
    vk_json_write_defer(ctx, &st->w, resp);
    return VK_OK;
fail:
    vk_json_write_free(st);
    return e;
}

/* ---- on the writer thread ---- */

vk_err api_job_withdraw(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *b,
                        vk_errinfo *ei)
{
    api_feedback_job *job = (api_feedback_job *)wj;
    int64_t id = 0;
    vk_err e = store_followup_find(ctx->store, job->secret_hash, &id, ei);
    if (e)
        return e;
    if (!id)
        return vk_fail(ei, VK_ENOT_FOUND, "token", "this follow-up link leads nowhere");
    store_feedback_mod m;
    int found = 0;
    if ((e = store_feedback_mod_get(ctx->store, id, &found, &m, ei)))
        return e;
    /* A second withdrawal finds nothing left to do. */
    if (found && m.hidden != STORE_VISIBLE_WITHDRAWN) {
        e = store_contact_delete(ctx->store, id, ei);
        /* Photos show the reporter's surroundings: they go with the report. */
        if (!e)
            e = api_feedback_photos_delete(ctx, id, ei);
        if (!e)
            e = store_feedback_set_hidden(ctx->store, id, STORE_VISIBLE_WITHDRAWN, now, ei);
        if (!e)
            e = add_event(ctx, id, now, "reporter", "withdraw",
                          json_pack("{ss}", "visibility", visibility_name(m.hidden)),
                          json_pack("{ss,sb}", "visibility", "withdrawn", "contact_deleted",
                                    m.has_contact),
                          NULL, NULL, ei);
    }
    store_feedback_mod_fini(&m);
    return e ? e : followup_view(ctx, id, b, ei);
}

vk_err api_job_me_too(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *b,
                      vk_errinfo *ei)
{
    api_feedback_job *job = (api_feedback_job *)wj;
    int64_t id = job->change.id;
    store_feedback_mod m;
    int found = 0, counted = 0;
    vk_err e = store_feedback_mod_get(ctx->store, id, &found, &m, ei);
    if (e)
        return e;
    int visible = found && m.hidden == STORE_VISIBLE_PUBLIC;
    store_feedback_mod_fini(&m);
    if (!visible)
        return vk_fail(ei, VK_ENOT_FOUND, "id", "there is no feedback with this id");
    if ((e = store_me_too_add(ctx->store, id, job->secret_hash, job->address_hash, job->day, now,
                              &counted, ei)) ||
        (e = store_feedback_mod_get(ctx->store, id, &found, &m, ei)))
        return e;
    vk_buf_printf(b, "{\"id\":%lld,\"me_too\":%lld,\"counted\":%s}", (long long)id,
                  (long long)m.me_too, counted ? "true" : "false");
    store_feedback_mod_fini(&m);
    return VK_OK;
}

vk_err api_merge_apply(vk_ctx *ctx, const vk_feedback_change *change, int64_t into,
                       const char *now, vk_errinfo *ei)
{
    vk_feedback_change ch = *change;
    if (into == ch.id)
        return vk_fail(ei, VK_EVALUE, "into", "an item cannot be merged into itself");
    store_feedback_state target;
    store_feedback_mod tm;
    int found = 0, tfound = 0;
    store_feedback_mod sm;
    vk_err e = store_feedback_mod_get(ctx->store, ch.id, NULL, &sm, ei);
    if (e)
        return e;
    int withdrawn = sm.hidden == STORE_VISIBLE_WITHDRAWN;
    store_feedback_mod_fini(&sm);
    /* Its reporter took it back: it must not count as their "me too"
     * anywhere (a moderator's hiding is no such wish, so hidden items can
     * still be merged). */
    if (withdrawn)
        return vk_fail(ei, VK_ETRANSITION, "id",
                       "item %lld was withdrawn by its reporter and cannot be merged",
                       (long long)ch.id);
    if ((e = store_feedback_state_get(ctx->store, into, &found, &target, ei)))
        return e;
    if (!found)
        return vk_fail(ei, VK_EVALUE, "into", "there is no feedback with that id");
    int open = api_feedback_status_open(target.status);
    char status[32];
    snprintf(status, sizeof status, "%s", target.status);
    store_feedback_state_fini(&target);
    if (!open)
        return vk_fail(ei, VK_ETRANSITION, "into",
                       "item %lld is closed (%s); merge into an open item or reopen it first",
                       (long long)into, status);
    if ((e = store_feedback_mod_get(ctx->store, into, &tfound, &tm, ei)))
        return e;
    int64_t before = tm.me_too;
    int public_target = tm.hidden == STORE_VISIBLE_PUBLIC;
    store_feedback_mod_fini(&tm);
    if (!public_target)
        return vk_fail(ei, VK_ETRANSITION, "into",
                       "item %lld is hidden or withdrawn; merge into a public item",
                       (long long)into);
    /* The duplicate goes through the workflow, so its transition rules and
     * its event hold as for any status change. */
    ch.status = "duplicate";
    ch.duplicate_of = into;
    ch.kind = "merge";
    int64_t after = 0;
    if ((e = api_workflow_apply(ctx, &ch, now, ei)) ||
        (e = store_me_too_merge(ctx->store, ch.id, into, &after, ei)) ||
        (e = add_event(ctx, into, now, ch.actor, "merge", json_pack("{sI}", "me_too", before),
                       json_pack("{sI,sI}", "me_too", after, "merged", ch.id), NULL,
                       NULL, ei)))
        return e;
    return VK_OK;
}

vk_err api_job_merge(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *b,
                     vk_errinfo *ei)
{
    api_feedback_job *job = (api_feedback_job *)wj;
    int64_t into = job->into;
    int found = 0;
    vk_err e = api_merge_apply(ctx, &job->change, into, now, ei);
    if (e)
        return e;
    if ((e = api_staff_view(ctx, into, job->role, b, &found)))
        return vk_fail(ei, e, ctx->err.field, "%s", ctx->err.message);
    return VK_OK;
}

/* ---- retention ---- */

vk_err api_moderation_purge(store_conn *c, const char *before, int64_t *removed, vk_errinfo *ei)
{
    vk_err e = store_begin(c, ei);
    if (!e)
        e = store_contact_purge(c, before, removed, ei);
    if (!e)
        e = store_commit(c, ei);
    if (e)
        store_rollback(c);
    return e;
}

vk_err api_moderation_purge_days(store_conn *c, int days, int64_t *removed, vk_errinfo *ei)
{
    char before[VK_RFC3339_LEN];
    vk_rfc3339_days_ago(days, before);
    return api_moderation_purge(c, before, removed, ei);
}
