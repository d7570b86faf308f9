/* replies.c — canned replies per category and status (see replies.h). */
#include "feedback/replies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "feedback/sql.h"
#include "feedback/store_feedback.h"
#include "http/deferred.h"

#define TITLE_MAX 100
#define BODY_MAX 4000

static const char *const reply_statuses[] = {"received", "in_progress",    "planned",
                                             "resolved", "not_resolvable", "duplicate",
                                             "forwarded", NULL};
static const char *const reply_langs[] = {"fi", "sv", "en", NULL};

static int listed(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* ---- reading ---- */

typedef struct {
    vk_buf *b;
    int n;
} reply_writer;

static void put_str(vk_buf *b, const char *key, const char *v)
{
    vk_buf_printf(b, "\"%s\":", key);
    vk_json_str_or_null(b, v);
}

/* One row of SQL_REPLY_LIST as a JSON object. */
static int write_reply(void *arg, db_row *row)
{
    reply_writer *w = arg;
    vk_buf *b = w->b;
    if (w->n++)
        vk_buf_putc(b, ',');
    vk_buf_printf(b, "{\"id\":%lld,", (long long)db_col_int64(row, 0));
    put_str(b, "category", db_col_text(row, 1));
    vk_buf_putc(b, ',');
    put_str(b, "status", db_col_text(row, 2));
    vk_buf_putc(b, ',');
    put_str(b, "title", db_col_text(row, 3));
    vk_buf_puts(b, ",\"body\":{");
    for (int i = 0; i < 3; i++) {
        if (i)
            vk_buf_putc(b, ',');
        put_str(b, reply_langs[i], db_col_text(row, 4 + i));
    }
    vk_buf_puts(b, "},");
    put_str(b, "updated", db_col_text(row, 7));
    vk_buf_putc(b, ',');
    put_str(b, "updated_by", db_col_text(row, 8));
    vk_buf_putc(b, '}');
    return !vk_buf_ok(b);
}

/* Reply id (0: every reply for category and status) into b; *n counts them. */
static vk_err replies_write(store_conn *c, const char *category, const char *status, int64_t id,
                            vk_buf *b, int *n, vk_errinfo *ei)
{
    reply_writer w = {b, 0};
    vk_err e = db_each(c, &feedback_sql, SQL_REPLY_LIST,
                       DB_ARGS(DB_TEXT(category), DB_TEXT(status), DB_INT(id)), write_reply, &w,
                       "reading canned replies", ei);
    *n = w.n;
    if (!e && !vk_buf_ok(b))
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    return e;
}

vk_err api_staff_replies_list(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const known[] = {"category", "status", NULL};
    vk_err e = vk_req_only_params(req, known, &ctx->err);
    if (e)
        return e;
    const char *category = vk_req_param(req, "category"), *status = vk_req_param(req, "status");
    if (category) {
        int ok = 0;
        if ((e = store_category_exists(ctx->store, category, &ok, &ctx->err)))
            return e;
        if (!ok)
            return vk_fail(&ctx->err, VK_EPARAM, "category", "there is no such category");
    }
    if (status && !listed(status, reply_statuses))
        return vk_fail(&ctx->err, VK_EPARAM, "status", "status is not one of the statuses");
    vk_buf *b = &resp->body;
    vk_resp_header(resp, "Cache-Control", "no-store");
    vk_buf_puts(b, "{\"replies\":[");
    int n = 0;
    if ((e = replies_write(ctx->store, category, status, 0, b, &n, &ctx->err)))
        return e;
    vk_buf_puts(b, "]}");
    return vk_buf_ok(b) ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}

/* ---- writing ---- */

typedef enum { REPLY_CREATE, REPLY_PUT, REPLY_DELETE } reply_op;

typedef struct {
    vk_json_write w; /* first */
    reply_op op;
    int64_t id;
    const char *category, *status, *title, *body[3]; /* borrowed from w.doc */
} reply_job;

static vk_err run_reply(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *b,
                        vk_errinfo *ei)
{
    reply_job *st = (reply_job *)wj;
    store_conn *c = ctx->store;
    vk_err e;
    if (st->op == REPLY_DELETE) {
        if ((e = db_run(c, &feedback_sql, SQL_REPLY_DELETE, DB_ARGS(DB_INT(st->id)),
                        "deleting a canned reply", ei)))
            return e;
        if (!db_changes(c))
            return vk_fail(ei, VK_ENOT_FOUND, "id", "there is no canned reply with this id");
        wj->status = 204;
        return VK_OK;
    }
    if (st->category) {
        int ok = 0;
        if ((e = store_category_exists(c, st->category, &ok, ei)))
            return e;
        if (!ok)
            return vk_fail(ei, VK_EVALUE, "category", "there is no category %.40s", st->category);
    }
    if (st->op == REPLY_CREATE) {
        e = db_run(c, &feedback_sql, SQL_REPLY_INSERT,
                   DB_ARGS(DB_TEXT(st->category), DB_TEXT(st->status), DB_TEXT(st->title),
                           DB_TEXT(st->body[0]), DB_TEXT(st->body[1]), DB_TEXT(st->body[2]),
                           DB_TEXT(now), DB_TEXT(st->w.actor)),
                   "saving a canned reply", ei);
        if (e)
            return e;
        st->id = db_last_id(c);
        wj->status = 201;
    } else {
        e = db_run(c, &feedback_sql, SQL_REPLY_UPDATE,
                   DB_ARGS(DB_INT(st->id), DB_TEXT(st->category), DB_TEXT(st->status),
                           DB_TEXT(st->title), DB_TEXT(st->body[0]), DB_TEXT(st->body[1]),
                           DB_TEXT(st->body[2]), DB_TEXT(now), DB_TEXT(st->w.actor)),
                   "saving a canned reply", ei);
        if (e)
            return e;
        if (!db_changes(c))
            return vk_fail(ei, VK_ENOT_FOUND, "id", "there is no canned reply with this id");
    }
    int n = 0;
    return replies_write(c, NULL, NULL, st->id, b, &n, ei);
}

/* The body of POST and PUT, checked into st. */
static vk_err read_reply(vk_ctx *ctx, reply_job *st)
{
    static const char *const keys[] = {"category", "status", "title", "body", NULL};
    static const char *const fields[] = {"body.fi", "body.sv", "body.en"};
    const json_t *doc = st->w.doc;
    vk_errinfo *ei = &ctx->err;
    if (!json_is_object(doc))
        return vk_fail(ei, VK_ETYPE, "", "send a JSON object with title and body");
    vk_err e;
    if ((e = api_json_keys(doc, keys, ei)) ||
        (e = api_json_text(doc, "category", 0, 40, 0, &st->category, ei)) ||
        (e = api_json_text(doc, "status", 0, 20, 0, &st->status, ei)) ||
        (e = api_json_text(doc, "title", 1, TITLE_MAX, 0, &st->title, ei)))
        return e;
    if (st->status && !listed(st->status, reply_statuses))
        return vk_fail(ei, VK_EVALUE, "status",
                       "status must be one of the statuses, or null for every status");
    const json_t *body = json_object_get(doc, "body");
    if (!body || json_is_null(body))
        return vk_fail(ei, VK_EMISSING, "body", "body is required: {\"fi\", \"sv\", \"en\"}");
    if (!json_is_object(body))
        return vk_fail(ei, VK_ETYPE, "body", "body is an object of texts by language: fi, sv, en");
    if ((e = api_json_keys_prefixed(body, "body.", reply_langs, ei)))
        return e;
    int any = 0;
    for (int i = 0; i < 3; i++) {
        if ((e = api_json_text_named(body, reply_langs[i], fields[i], 0, BODY_MAX, 1,
                                     &st->body[i], ei)))
            return e;
        any |= st->body[i] != NULL;
    }
    if (!any)
        return vk_fail(ei, VK_EMISSING, "body.fi", "give the reply in at least one language");
    return VK_OK;
}

static vk_err reply_write(vk_ctx *ctx, const vk_req *req, vk_resp *resp, reply_op op)
{
    static const char *const no_params[] = {NULL};
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    int64_t id = 0;
    if (op != REPLY_CREATE) {
        id = api_parse_id(req->nargs ? req->args[0] : NULL);
        if (!id)
            return vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no canned reply with this id");
    }
    if (op != REPLY_DELETE && !vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type", "send the reply as application/json");
    reply_job *st = vk_json_write_new(ctx, sizeof *st, run_reply, "application/json");
    if (!st)
        return VK_ENOMEM;
    st->op = op;
    st->id = id;
    snprintf(st->w.actor, sizeof st->w.actor, "%s", req->staff ? req->staff->name : "?");
    if (op != REPLY_DELETE &&
        ((e = api_json_parse(req->body, req->body_len, &st->w.doc, &ctx->err)) ||
         (e = read_reply(ctx, st)))) {
        vk_json_write_free(st);
        return e;
    }
    vk_json_write_defer(ctx, &st->w, resp);
    return VK_OK;
}

vk_err api_staff_reply_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return reply_write(ctx, req, resp, REPLY_CREATE);
}

vk_err api_staff_reply_put(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return reply_write(ctx, req, resp, REPLY_PUT);
}

vk_err api_staff_reply_delete(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return reply_write(ctx, req, resp, REPLY_DELETE);
}
