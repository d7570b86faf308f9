/*
 * api.c — the walk routes (api.h) except the reports (report.c). Reads
 * answer on the request thread; every write is a job of the group-commit
 * writer (db/writer.h, http/deferred.h) whose run re-reads what it
 * depends on inside the transaction (a finding's status, a walk's state),
 * so two changes racing each other are decided in one order.
 */
#include "walk/api.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/roles.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/sha256.h"
#include "http/deferred.h"
#include "http/params.h"
#include "http/ratelimit.h"
#include "media/photo.h"
#include "walk/checklist.h"
#include "walk/notify.h"
#include "walk/score.h"
#include "walk/sql.h"
#include "walk/store.h"

#define CODE_TRIES_PER_MINUTE 10
#define CODE_TRIES_BURST 20
#define REVIEW_COMMENT_MAX 2000
#define REVIEW_LIST_MAX 500
#define REVIEW_LIST_DEFAULT 100

static const char *const no_params[] = {NULL};

/* Wrong walk codes, per client address (api.h). Made before serving and
 * then only used through its own lock. */
static http_ratelimit *code_limit;

static vk_err photo_upload_code_check(vk_ctx *ctx, const vk_req *req, vk_resp *resp);

vk_err walk_api_init(vk_errinfo *ei)
{
    photo_set_code_check(photo_upload_code_check);
    vk_errinfo local;
    if (!walk_checklist_get(&local))
        return vk_fail(ei, local.code ? local.code : VK_EINTERNAL, local.field,
                       "seeds/walks/checklist.json: %s", local.message);
    if (!code_limit && !(code_limit = http_ratelimit_new(CODE_TRIES_PER_MINUTE, CODE_TRIES_BURST)))
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    return VK_OK;
}

void walk_api_fini(void)
{
    http_ratelimit_free(code_limit);
    code_limit = NULL;
}

/* ---- small readers ---- */

static int is_staff(const vk_req *req)
{
    return req->staff && req->staff->role != VK_ROLE_NONE;
}

/* The path's {name} at index i as a positive id, else 404. */
static vk_err path_id(vk_ctx *ctx, const vk_req *req, int i, const char *what, int64_t *id)
{
    *id = req->nargs > i ? api_parse_id(req->args[i]) : 0;
    if (*id <= 0)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no such %s", what);
    return VK_OK;
}

static vk_err json_body(vk_ctx *ctx, const vk_req *req, const char *what, json_t **doc)
{
    *doc = NULL;
    if (!vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type", "send the %s as application/json",
                       what);
    return api_json_parse(req->body, req->body_len, doc, &ctx->err);
}

/* A wrong code takes a token from the client's bucket; 429 when empty. */
static vk_err wrong_code(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    const char *addr = req->client_addr ? req->client_addr : "";
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1)
        v4->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1)
        v6->sin6_family = AF_INET6;
    else
        v4->sin_family = AF_INET; /* no address (tests): one shared bucket */
    int wait = code_limit ? http_ratelimit_take(code_limit, (const struct sockaddr *)&ss,
                                                (double)vk_monotonic_us() / 1e6)
                          : 0;
    if (wait) {
        char *after = vk_arena_alloc(req->arena, 24);
        if (after) {
            snprintf(after, 24, "%d", wait);
            vk_resp_header(resp, "Retry-After", after);
        }
        return vk_fail(&ctx->err, VK_ERATE, "code",
                       "too many wrong walk codes from this address; try again in %d s", wait);
    }
    return vk_fail(&ctx->err, VK_EWALK_CODE, "code", "the walk code is not right");
}

typedef struct walk_head {
    char code_hash[65], state[12], date[16];
    int64_t findings;
} walk_head;

static vk_err read_head(vk_ctx *ctx, int64_t id, walk_head *h, int *found)
{
    memset(h, 0, sizeof *h);
    return db_scan(ctx->store, &walk_sql, SQL_WALK_HEAD, DB_ARGS(DB_INT(id)),
                   DB_OUTS(DB_COPY_TO(h->code_hash, sizeof h->code_hash),
                           DB_COPY_TO(h->state, sizeof h->state), DB_COPY_TO(h->date, sizeof h->date),
                           DB_I64_TO(&h->findings)),
                   found, "reading a walk", &ctx->err);
}

/* The walk of the path's {id} (no query parameters): its id and head, or
 * 404. */
static vk_err path_walk(vk_ctx *ctx, const vk_req *req, int64_t *id, walk_head *h)
{
    int found = 0;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e)
        e = path_id(ctx, req, 0, "walk", id);
    if (!e)
        e = read_head(ctx, *id, h, &found);
    if (!e && !found)
        e = vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no such walk");
    return e;
}

static void put_feature_row(vk_buf *b, db_row *row)
{
    walk_finding_row f;
    walk_finding_read(row, &f);
    walk_finding_feature(b, &f);
}

static vk_err feature_into(void *arg, db_row *row)
{
    put_feature_row(arg, row);
    return VK_OK;
}

/* ---- the writer's jobs ---- */

typedef enum {
    ACT_FINDING,       /* record (or make from feedback) a finding */
    ACT_WALK_CREATE,
    ACT_WALK_UPDATE,
    ACT_WALK_STATE,
    ACT_WALK_CODE,
    ACT_STATUS,
    ACT_REVIEW_PUT,
    ACT_REVIEW_DELETE,
    ACT_PHOTOS,
} walk_act;

typedef struct walk_job {
    vk_json_write w; /* first: w.doc is the request body */
    walk_act act;
    int64_t id;      /* the walk, or the finding's row (status, reviews) */
    char uuid[37];   /* the finding (status, reviews) */
    int staff_role;
    int code_checked; /* ACT_FINDING by a participant: the walk must still be open */
    walk_finding_new fn;
    walk_input in;
    char state[12];
    char code[WALK_CODE_LEN + 1], code_hash[65];
    char reviewer[40];
    char location[96];
} walk_job;

static void job_free(void *state)
{
    walk_job *st = state;
    walk_finding_new_fini(&st->fn);
    walk_input_fini(&st->in);
    sodium_memzero(st->code, sizeof st->code);
    vk_json_write_free(st);
}

static void job_finish(void *state, vk_resp *resp)
{
    walk_job *st = state;
    vk_json_write_finish(state, resp);
    if (st->w.job.replayed && st->w.job.err.code == VK_OK)
        vk_resp_header(resp, "Idempotent-Replayed", "true");
    if (st->location[0] && st->w.job.err.code == VK_OK && st->w.job.status == 201)
        vk_resp_header(resp, "Location", st->location);
}

static vk_err run_finding(vk_ctx *ctx, walk_job *st, const char *now, vk_buf *body,
                          vk_errinfo *ei)
{
    int64_t row = 0;
    char hash[65] = "";
    int found = 0;
    vk_err e = db_scan(ctx->store, &walk_sql, SQL_FINDING_FIND, DB_ARGS(DB_TEXT(st->fn.uuid)),
                       DB_OUTS(DB_I64_TO(&row), DB_COPY_TO(hash, sizeof hash)), &found,
                       "looking a finding up", ei);
    if (e)
        return e;
    if (found) {
        /* An offline resend: answered as the first time, whatever the
         * walk's state now. */
        if (!walk_hash_equal(hash, st->fn.body_hash))
            return vk_fail(ei, VK_EFINDING_CONFLICT, "id",
                           "another finding was already sent under this id");
        st->w.job.status = 200;
        return walk_store_finding_with(ctx->store, st->fn.uuid, feature_into, body, NULL, ei);
    }
    if (st->fn.walk_id) {
        walk_head h;
        if ((e = read_head(ctx, st->fn.walk_id, &h, &found)))
            return e;
        if (!found)
            return vk_fail(ei, VK_ENOT_FOUND, "walk", "there is no such walk");
        if (st->code_checked && strcmp(h.state, "open") != 0)
            return vk_fail(ei, VK_EWALK_CLOSED, "", "the walk is no longer recording findings");
        if (h.findings >= WALK_FINDINGS_MAX)
            return vk_fail(ei, VK_EWALK_FULL, "", "the walk already has %d findings",
                           WALK_FINDINGS_MAX);
    }
    if ((e = walk_store_finding_insert(ctx->store, &st->fn, now, st->w.actor, &row, ei))) {
        if (db_last_constraint(ctx->store) == DB_CONSTRAINT_UNIQUE && st->fn.feedback_id)
            return vk_fail(ei, VK_ECONFLICT, "fid", "this feedback was already made a finding");
        return e;
    }
    if ((e = walk_attach_photos(ctx, st->fn.uuid, st->fn.photos, st->fn.nphotos, now, ei)))
        return e;
    st->w.job.status = 201;
    snprintf(st->location, sizeof st->location, "/api/v1/walk-findings/%s", st->fn.uuid);
    return walk_store_finding_with(ctx->store, st->fn.uuid, feature_into, body, NULL, ei);
}

static vk_err run_walk_answer(vk_ctx *ctx, walk_job *st, vk_buf *body, int with_code,
                              vk_errinfo *ei)
{
    int found = 0;
    if (with_code) {
        vk_buf_puts(body, "{\"walk\":");
    }
    vk_err e = walk_store_walk_json(ctx->store, st->id, body, &found, ei);
    if (e)
        return e;
    if (!found)
        return vk_fail(ei, VK_ENOT_FOUND, "id", "there is no such walk");
    if (with_code)
        vk_buf_printf(body, ",\"code\":\"%s\"}", st->code);
    return VK_OK;
}

/* ---- status workflow ---- */

typedef struct finding_state {
    int64_t id;
    char status[12], grade[8], target_date[16], unit[48];
} finding_state;

/* The finding's row id and what its workflow needs; 404 when none. */
static vk_err read_state(vk_ctx *ctx, const char *uuid, finding_state *fs, vk_errinfo *ei)
{
    int found = 0;
    memset(fs, 0, sizeof *fs);
    vk_err e = db_scan(ctx->store, &walk_sql, SQL_FINDING_STATE, DB_ARGS(DB_TEXT(uuid)),
                       DB_OUTS(DB_I64_TO(&fs->id), DB_COPY_TO(fs->status, sizeof fs->status),
                               DB_COPY_TO(fs->grade, sizeof fs->grade),
                               DB_COPY_TO(fs->target_date, sizeof fs->target_date),
                               DB_COPY_TO(fs->unit, sizeof fs->unit)),
                       &found, "reading a finding", ei);
    if (!e && !found)
        e = vk_fail(ei, VK_ENOT_FOUND, "id", "there is no such finding");
    return e;
}

enum { WHO_CITY = 1, WHO_COUNCIL = 2 };

/* Who may move a finding from one status to another (docs/walks.md
 * "Status workflow"): a mask of WHO_*, 0 when the move is no move. */
static int transition(const char *from, const char *to)
{
    static const struct {
        const char *from, *to;
        int who;
    } rows[] = {
        {"open", "planned", WHO_CITY},     {"planned", "planned", WHO_CITY},
        {"open", "fixed", WHO_CITY},       {"planned", "fixed", WHO_CITY},
        {"open", "rejected", WHO_CITY},    {"planned", "rejected", WHO_CITY},
        {"fixed", "verified", WHO_COUNCIL}, {"fixed", "open", WHO_CITY | WHO_COUNCIL},
        {"rejected", "open", WHO_CITY},    {"verified", "open", WHO_CITY},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (strcmp(rows[i].from, from) == 0 && strcmp(rows[i].to, to) == 0)
            return rows[i].who;
    return 0;
}

static int role_is(int role, int who)
{
    if (role == VK_ROLE_ADMIN)
        return 1;
    if ((who & WHO_CITY) && (role == VK_ROLE_MODERATOR || role == VK_ROLE_PLANNER))
        return 1;
    return (who & WHO_COUNCIL) && role == VK_ROLE_COUNCIL;
}

/* The members a status needs and takes: present where needed, absent
 * where not taken. */
static vk_err status_members(const json_t *doc, const char *to, vk_errinfo *ei)
{
    static const struct {
        const char *member;
        const char *statuses; /* where it is taken, comma-delimited */
        const char *required; /* where it must be given */
    } members[] = {
        {"target_date", ",planned,", ""},
        {"unit", ",planned,", ""},
        {"reason", ",rejected,", ",rejected,"},
        {"how", ",verified,", ",verified,"},
        {"walk", ",verified,", ""},
    };
    char key[16];
    snprintf(key, sizeof key, ",%s,", to);
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        const json_t *v = json_object_get(doc, members[i].member);
        int given = v && !json_is_null(v);
        if (given && !strstr(members[i].statuses, key))
            return vk_fail(ei, VK_EVALUE, members[i].member, "%s is not taken with the status %s",
                           members[i].member, to);
        if (!given && strstr(members[i].required, key))
            return vk_fail(ei, VK_EMISSING, members[i].member, "the status %s needs %s", to,
                           members[i].member);
    }
    return VK_OK;
}

static vk_err run_status(vk_ctx *ctx, walk_job *st, const char *now, vk_buf *body,
                         vk_errinfo *ei)
{
    const json_t *doc = st->w.doc;
    const char *to = json_string_value(json_object_get(doc, "status"));
    finding_state fs;
    vk_err e = read_state(ctx, st->uuid, &fs, ei);
    if (e)
        return e;
    int who = transition(fs.status, to);
    if (!who)
        return vk_fail(ei, VK_ETRANSITION, "status", "a finding cannot move from %s to %s",
                       fs.status, to);
    if (!role_is(st->staff_role, who))
        return vk_fail(ei, VK_EFORBIDDEN, "status", "your role may not move a finding from %s to %s",
                       fs.status, to);
    if ((e = status_members(doc, to, ei)))
        return e;
    const char *target = json_string_value(json_object_get(doc, "target_date"));
    const char *unit = json_string_value(json_object_get(doc, "unit"));
    const char *reason = json_string_value(json_object_get(doc, "reason"));
    const char *how = json_string_value(json_object_get(doc, "how"));
    const char *explanation = json_string_value(json_object_get(doc, "explanation"));
    int64_t how_walk = json_integer_value(json_object_get(doc, "walk"));
    if (strcmp(to, "planned") == 0) {
        /* A plan has a date and a unit; a re-plan changes either. */
        if (strcmp(fs.status, "open") == 0 && (!target || !unit))
            return vk_fail(ei, VK_EMISSING, target ? "unit" : "target_date",
                           "a plan needs target_date and unit");
        if (!target && !unit)
            return vk_fail(ei, VK_EMISSING, "target_date", "a new plan changes target_date or unit");
    }
    if (unit) {
        int64_t n = 0;
        if ((e = db_int64(ctx->store, &walk_sql, SQL_UNIT_EXISTS, DB_ARGS(DB_TEXT(unit)), &n,
                          "checking a unit", ei)))
            return e;
        if (!n)
            return vk_fail(ei, VK_EVALUE, "unit", "unknown unit '%.40s' (GET /api/v1/units)", unit);
    }
    if (how_walk) {
        int64_t n = 0;
        if ((e = db_int64(ctx->store, &walk_sql, SQL_WALK_EXISTS, DB_ARGS(DB_INT(how_walk)), &n,
                          "checking a walk", ei)))
            return e;
        if (!n)
            return vk_fail(ei, VK_EVALUE, "walk", "there is no walk %lld", (long long)how_walk);
    }
    /* A re-plan keeps what it does not change. */
    if (strcmp(fs.status, "planned") == 0 && strcmp(to, "planned") == 0) {
        if (!target)
            target = fs.target_date;
        if (!unit)
            unit = fs.unit;
    }
    walk_status_change ch = {to, target, unit, reason, how, explanation, how_walk};
    if ((e = walk_store_set_status(ctx->store, fs.id, st->uuid, fs.status, &ch, now, st->w.actor,
                                   ei)) ||
        (e = walk_notify_status(ctx, fs.id, st->uuid, fs.status, to, explanation, now, ei)))
        return e;
    st->w.job.status = 200;
    vk_buf_puts(body, "{\"finding\":");
    if ((e = walk_store_finding_with(ctx->store, st->uuid, feature_into, body, NULL, ei)))
        return e;
    vk_buf_puts(body, ",\"history\":");
    if ((e = walk_store_history(ctx->store, fs.id, 1, body, ei)))
        return e;
    vk_buf_putc(body, '}');
    return VK_OK;
}

/* ---- reviews ---- */

static vk_err consensus_into(void *arg, db_row *row)
{
    walk_finding_row f;
    walk_finding_read(row, &f);
    walk_consensus_json(arg, &f);
    return VK_OK;
}

static vk_err run_review(vk_ctx *ctx, walk_job *st, const char *now, vk_buf *body,
                         vk_errinfo *ei)
{
    finding_state fs;
    vk_err e = read_state(ctx, st->uuid, &fs, ei);
    if (e)
        return e;
    if (st->act == ACT_REVIEW_PUT) {
        const json_t *doc = st->w.doc;
        e = db_run(ctx->store, &walk_sql, SQL_REVIEW_PUT,
                   DB_ARGS(DB_INT(fs.id), DB_TEXT(st->reviewer), DB_TEXT(st->w.actor),
                           DB_TEXT(json_string_value(json_object_get(doc, "vote"))),
                           DB_TEXT(json_string_value(json_object_get(doc, "grade"))),
                           DB_TEXT(json_string_value(json_object_get(doc, "comment"))),
                           DB_TEXT(now)),
                   "storing a review", ei);
    } else {
        e = db_run(ctx->store, &walk_sql, SQL_REVIEW_DELETE,
                   DB_ARGS(DB_INT(fs.id), DB_TEXT(st->reviewer)), "withdrawing a review", ei);
    }
    if (e)
        return e;
    if ((e = walk_store_recount(ctx->store, fs.id, walk_grade_parse(fs.grade), ei)))
        return e;
    st->w.job.status = 200;
    vk_buf_puts(body, "{\"consensus\":");
    if ((e = walk_store_finding_with(ctx->store, st->uuid, consensus_into, body, NULL, ei)))
        return e;
    vk_buf_puts(body, ",\"reviews\":");
    if ((e = walk_store_reviews(ctx->store, fs.id, body, ei)))
        return e;
    vk_buf_putc(body, '}');
    return VK_OK;
}

static vk_err job_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                      vk_errinfo *ei)
{
    walk_job *st = (walk_job *)wj;
    vk_err e;
    int found = 0;
    switch (st->act) {
    case ACT_FINDING:
        return run_finding(ctx, st, now, body, ei);
    case ACT_WALK_CREATE:
        if ((e = walk_store_insert(ctx->store, &st->in, st->code_hash, now, st->w.actor, &st->id,
                                   ei)))
            return e;
        st->w.job.status = 201;
        snprintf(st->location, sizeof st->location, "/api/v1/walks/%lld", (long long)st->id);
        return run_walk_answer(ctx, st, body, 1, ei);
    case ACT_WALK_UPDATE:
        if ((e = db_int64(ctx->store, &walk_sql, SQL_WALK_EXISTS, DB_ARGS(DB_INT(st->id)),
                          &(int64_t){0}, "checking a walk", ei)))
            return e;
        if ((e = walk_store_update(ctx->store, st->id, &st->in, now, ei)))
            return e;
        st->w.job.status = 200;
        return run_walk_answer(ctx, st, body, 0, ei);
    case ACT_WALK_STATE:
    case ACT_WALK_CODE:
        e = st->act == ACT_WALK_STATE
                ? db_run(ctx->store, &walk_sql, SQL_WALK_SET_STATE,
                         DB_ARGS(DB_INT(st->id), DB_TEXT(st->state), DB_TEXT(now)),
                         "changing a walk's state", ei)
                : db_run(ctx->store, &walk_sql, SQL_WALK_SET_CODE,
                         DB_ARGS(DB_INT(st->id), DB_TEXT(st->code_hash), DB_TEXT(now)),
                         "changing a walk's code", ei);
        if (e)
            return e;
        if (db_changes(ctx->store) == 0)
            return vk_fail(ei, VK_ENOT_FOUND, "id", "there is no such walk");
        st->w.job.status = 200;
        if (st->act == ACT_WALK_CODE) {
            vk_buf_printf(body, "{\"code\":\"%s\"}", st->code);
            return VK_OK;
        }
        return run_walk_answer(ctx, st, body, 0, ei);
    case ACT_STATUS:
        return run_status(ctx, st, now, body, ei);
    case ACT_REVIEW_PUT:
    case ACT_REVIEW_DELETE:
        return run_review(ctx, st, now, body, ei);
    case ACT_PHOTOS:
        if ((e = walk_attach_photos(ctx, st->uuid, st->fn.photos, st->fn.nphotos, now, ei)))
            return e;
        st->w.job.status = 200;
        return walk_store_finding_with(ctx->store, st->uuid, feature_into, body, &found, ei);
    }
    (void)found;
    return vk_fail(ei, VK_EINTERNAL, "", NULL);
}

/* A job by who (NULL: a participant). */
static walk_job *job_new_as(vk_ctx *ctx, const vk_staff *who, walk_act act)
{
    walk_job *st = vk_json_write_new(ctx, sizeof *st, job_run, "application/json");
    if (!st)
        return NULL;
    st->act = act;
    snprintf(st->w.actor, sizeof st->w.actor, "%s", who ? who->name : "participant");
    st->staff_role = who ? who->role : VK_ROLE_NONE;
    return st;
}

static walk_job *job_new(vk_ctx *ctx, const vk_req *req, walk_act act)
{
    return job_new_as(ctx, is_staff(req) ? req->staff : NULL, act);
}

static vk_err job_defer(vk_ctx *ctx, walk_job *st, vk_resp *resp, vk_err e)
{
    if (e) {
        job_free(st);
        return e;
    }
    vk_write_job_defer(ctx, &st->w.job, resp, job_finish, job_free);
    return VK_OK;
}

/* ---- public: checklist, join, walks, findings ---- */

static vk_err send_text(vk_ctx *ctx, const vk_req *req, vk_resp *resp, const char *type,
                        const char *text)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    resp->content_type = type;
    vk_resp_header(resp, "Cache-Control", "no-cache");
    vk_buf_puts(&resp->body, text);
    return VK_OK;
}

vk_err api_walk_checklist(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return send_text(ctx, req, resp, "application/json", walk_checklist_json);
}

vk_err api_walk_checklist_schema(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return send_text(ctx, req, resp, "application/schema+json", walk_checklist_schema_json);
}

/* The code of a request: the X-Walk-Code header, else the body's "code". */
static const char *given_code(const vk_req *req, const json_t *doc)
{
    if (req->walk_code && *req->walk_code)
        return req->walk_code;
    return json_string_value(json_object_get(doc, "code"));
}

/* The open walk whose code this is: its id, else 403 invalid_walk_code
 * (counted by the wrong-code limiter) or 409 walk_closed. */
static vk_err open_walk_of_code(vk_ctx *ctx, const vk_req *req, vk_resp *resp, const char *code,
                                int64_t *id)
{
    char hash[65], stored[65] = "", state[12] = "";
    int found = 0;
    vk_err e = VK_OK;
    if (walk_code_hash(code, hash))
        e = db_scan(ctx->store, &walk_sql, SQL_WALK_BY_CODE, DB_ARGS(DB_TEXT(hash)),
                    DB_OUTS(DB_I64_TO(id), DB_COPY_TO(stored, sizeof stored),
                            DB_COPY_TO(state, sizeof state)),
                    &found, "looking a walk code up", &ctx->err);
    if (e)
        return e;
    if (!found || !walk_hash_equal(stored, hash))
        return wrong_code(ctx, req, resp);
    if (strcmp(state, "open") != 0)
        return vk_fail(&ctx->err, VK_EWALK_CLOSED, "", "the walk is no longer recording findings");
    return VK_OK;
}

/* photo_set_code_check's: a participant's photo upload (X-Walk-Code) is
 * admitted for an open walk's code, outside the public write budget. */
static vk_err photo_upload_code_check(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    int64_t id = 0;
    return open_walk_of_code(ctx, req, resp, req->walk_code, &id);
}

vk_err api_walk_join(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    json_t *doc = NULL;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e && req->body_len)
        e = json_body(ctx, req, "walk code", &doc);
    if (e)
        return e;
    int64_t id = 0;
    const char *code = given_code(req, doc);
    if (!code) {
        json_decref(doc);
        return vk_fail(&ctx->err, VK_EMISSING, "code", "send the walk code");
    }
    e = open_walk_of_code(ctx, req, resp, code, &id);
    json_decref(doc);
    if (e)
        return e;
    int found = 0;
    vk_buf_puts(&resp->body, "{\"walk\":");
    if ((e = walk_store_walk_json(ctx->store, id, &resp->body, &found, &ctx->err)))
        return e;
    vk_buf_putc(&resp->body, '}');
    vk_resp_header(resp, "Cache-Control", "no-store");
    return VK_OK;
}

static int list_row(void *arg, db_row *row)
{
    walk_row w;
    walk_row_read(row, &w);
    vk_json_next(arg);
    walk_write_json(arg, &w, 0);
    return 0;
}

vk_err api_walks_list(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    vk_buf_puts(&resp->body, "{\"walks\":[");
    if ((e = db_each(ctx->store, &walk_sql, SQL_WALK_LIST, DB_NO_ARGS, list_row, &resp->body,
                     "listing walks", &ctx->err)))
        return e;
    vk_buf_puts(&resp->body, "]}");
    vk_resp_header(resp, "Cache-Control", "no-cache");
    return VK_OK;
}

vk_err api_walk_get(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    int64_t id;
    int found = 0;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e)
        e = path_id(ctx, req, 0, "walk", &id);
    if (!e)
        e = walk_store_walk_json(ctx->store, id, &resp->body, &found, &ctx->err);
    if (!e && !found)
        e = vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no such walk");
    vk_resp_header(resp, "Cache-Control", "no-cache");
    return e;
}

static int feature_row(void *arg, db_row *row)
{
    vk_json_next(arg);
    put_feature_row(arg, row);
    return 0;
}

vk_err api_walk_findings(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    int64_t id;
    walk_head h;
    vk_err e = path_walk(ctx, req, &id, &h);
    if (e)
        return e;
    resp->content_type = "application/geo+json";
    vk_buf_puts(&resp->body, "{\"type\":\"FeatureCollection\",\"features\":[");
    if ((e = db_each(ctx->store, &walk_sql, SQL_FINDINGS_OF_WALK, DB_ARGS(DB_INT(id)), feature_row,
                     &resp->body, "reading findings", &ctx->err)))
        return e;
    vk_buf_puts(&resp->body, "]}");
    vk_resp_header(resp, "Cache-Control", "no-cache");
    return VK_OK;
}

/* The hash that tells a resend from another finding under the same id:
 * the body without the code (which may differ between tries), its keys
 * sorted. */
static vk_err body_hash(vk_ctx *ctx, const json_t *doc, char out[65])
{
    json_t *copy = json_copy((json_t *)doc);
    if (copy)
        json_object_del(copy, "code");
    char *text = copy ? json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(copy);
    if (!text)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    vk_sha256_hex_of(text, strlen(text), out);
    free(text);
    return VK_OK;
}

vk_err api_walk_finding_post(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const vk_staff *req_staff = is_staff(req) ? req->staff : NULL;
    json_t *doc = NULL;
    int64_t id;
    walk_head h;
    vk_err e = path_walk(ctx, req, &id, &h);
    if (!e)
        e = api_idem_key_check(ctx, req->idempotency_key);
    if (e)
        return e;
    if ((e = json_body(ctx, req, "finding", &doc)))
        return e;
    /* Staff record without a code: their credentials are checked here (a
     * public route is not), a session's CSRF token included. */
    vk_staff who;
    if (!is_staff(req) && !given_code(req, doc) && (req->authorization || req->cookie)) {
        if ((e = api_auth_require(ctx, req, VK_ACCESS_STAFF, resp, &who))) {
            json_decref(doc);
            return e;
        }
        req_staff = &who;
    }
    walk_job *st = job_new_as(ctx, req_staff, ACT_FINDING);
    if (!st) {
        json_decref(doc);
        return VK_ENOMEM;
    }
    st->w.doc = doc;
    if (!req_staff) {
        /* A participant: the walk's code, compared in constant time. */
        char hash[65];
        const char *code = given_code(req, st->w.doc);
        if (!code)
            e = vk_fail(&ctx->err, VK_EMISSING, "code",
                        "send the walk code (X-Walk-Code) or sign in as staff");
        else if (!walk_code_hash(code, hash) || !walk_hash_equal(hash, h.code_hash))
            e = wrong_code(ctx, req, resp);
        st->code_checked = 1;
    }
    if (!e && json_object_get(st->w.doc, "code") && !json_is_string(json_object_get(st->w.doc, "code")))
        e = vk_fail(&ctx->err, VK_ETYPE, "code", "code is the walk code, a string");
    if (!e)
        e = walk_finding_prepare(ctx, walk_checklist_get(NULL), st->w.doc, NULL, NULL, 0, h.date,
                                 &st->fn, &ctx->err);
    if (!e) {
        st->fn.walk_id = id;
        e = body_hash(ctx, st->w.doc, st->fn.body_hash);
    }
    if (!e)
        e = api_idem_prepare(ctx, req, req_staff ? req_staff->token_id : 0, &st->w.job);
    return job_defer(ctx, st, resp, e);
}

typedef struct finding_view {
    vk_ctx *ctx;
    vk_buf *b;
    int staff;
    vk_err e;
} finding_view;

static vk_err view_row(void *arg, db_row *row)
{
    finding_view *v = arg;
    walk_finding_row f;
    walk_finding_read(row, &f);
    int64_t fid = f.id;
    vk_buf_puts(v->b, "{\"finding\":");
    walk_finding_feature(v->b, &f);
    /* The history and reviews are read after this row: no statement is
     * stepped inside another's callback. */
    return fid > 0 ? VK_OK : VK_EINTERNAL;
}

static vk_err finding_view_json(vk_ctx *ctx, const char *uuid, int staff, vk_buf *b)
{
    finding_view v = {ctx, b, staff, VK_OK};
    finding_state fs;
    vk_err e = read_state(ctx, uuid, &fs, &ctx->err);
    if (e)
        return e;
    if ((e = walk_store_finding_with(ctx->store, uuid, view_row, &v, NULL, &ctx->err)))
        return e;
    vk_buf_puts(b, ",\"history\":");
    if ((e = walk_store_history(ctx->store, fs.id, staff, b, &ctx->err)))
        return e;
    if (staff) {
        vk_buf_puts(b, ",\"reviews\":");
        if ((e = walk_store_reviews(ctx->store, fs.id, b, &ctx->err)))
            return e;
    }
    vk_buf_putc(b, '}');
    return VK_OK;
}

/* A finding id of the path: a UUID, lower-cased (a stored id is lower
 * case); 404 otherwise. */
static vk_err path_uuid(vk_ctx *ctx, const vk_req *req, char out[37])
{
    const char *s = req->nargs ? req->args[0] : "";
    size_t n = strlen(s);
    if (n != 36 || strspn(s, "0123456789abcdefABCDEF-") != 36)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no such finding");
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
    return VK_OK;
}

/* One finding, as the public (staff 0) or staff (1) see it. */
static vk_err finding_answer(vk_ctx *ctx, const vk_req *req, vk_resp *resp, int staff)
{
    char uuid[37];
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e)
        e = path_uuid(ctx, req, uuid);
    if (!e)
        e = finding_view_json(ctx, uuid, staff, &resp->body);
    vk_resp_header(resp, "Cache-Control", staff ? "no-store" : "no-cache");
    return e;
}

vk_err api_walk_finding_get(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return finding_answer(ctx, req, resp, 0);
}

/* ---- staff: walks ---- */

/* A job on the walk of the path's {id} (no query parameters). */
static vk_err walk_job_for(vk_ctx *ctx, const vk_req *req, walk_act act, walk_job **out)
{
    int64_t id;
    *out = NULL;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e)
        e = path_id(ctx, req, 0, "walk", &id);
    if (e)
        return e;
    if (!(*out = job_new(ctx, req, act)))
        return VK_ENOMEM;
    (*out)->id = id;
    return VK_OK;
}

vk_err api_staff_walk_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    walk_job *st = job_new(ctx, req, ACT_WALK_CREATE);
    if (!st)
        return VK_ENOMEM;
    e = json_body(ctx, req, "walk", &st->w.doc);
    if (!e)
        e = walk_input_read(ctx, st->w.doc, &st->in, &ctx->err);
    if (!e) {
        walk_code_new(st->code);
        walk_code_hash(st->code, st->code_hash);
    }
    return job_defer(ctx, st, resp, e);
}

vk_err api_staff_walk_patch(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"title",  "date",  "organiser", "groups", "participants",
                                       "notes", "route", "area",      NULL};
    int found = 0;
    walk_job *st;
    vk_err e = walk_job_for(ctx, req, ACT_WALK_UPDATE, &st);
    if (e)
        return e;
    int64_t id = st->id;
    json_t *patch = NULL, *merged = NULL;
    e = json_body(ctx, req, "change", &patch);
    if (!e && !json_is_object(patch))
        e = vk_fail(&ctx->err, VK_ETYPE, "", "a change is a JSON object");
    if (!e)
        e = api_json_keys(patch, keys, &ctx->err);
    /* The stored walk as its JSON, the change laid over it, checked whole. */
    vk_buf now;
    vk_buf_init(&now, 1 << 24);
    if (!e)
        e = walk_store_walk_json(ctx->store, id, &now, &found, &ctx->err);
    if (!e && !found)
        e = vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no such walk");
    if (!e && !(merged = json_loadb(now.data, now.len, 0, NULL)))
        e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    vk_buf_fini(&now);
    if (!e) {
        json_t *m = json_object();
        for (const char *const *k = keys; *k && m; k++) {
            json_t *v = json_object_get(patch, *k);
            json_object_set(m, *k, v ? v : json_object_get(merged, *k));
        }
        json_decref(merged);
        st->w.doc = m;
        e = m ? walk_input_read(ctx, m, &st->in, &ctx->err) : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    }
    json_decref(patch);
    return job_defer(ctx, st, resp, e);
}

static vk_err walk_simple(vk_ctx *ctx, const vk_req *req, vk_resp *resp, walk_act act,
                          const char *state)
{
    walk_job *st;
    vk_err e = walk_job_for(ctx, req, act, &st);
    if (e)
        return e;
    snprintf(st->state, sizeof st->state, "%s", state ? state : "");
    if (act == ACT_WALK_CODE) {
        walk_code_new(st->code);
        walk_code_hash(st->code, st->code_hash);
    }
    return job_defer(ctx, st, resp, VK_OK);
}

vk_err api_staff_walk_close(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return walk_simple(ctx, req, resp, ACT_WALK_STATE, "closed");
}

vk_err api_staff_walk_reopen(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return walk_simple(ctx, req, resp, ACT_WALK_STATE, "open");
}

vk_err api_staff_walk_code(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return walk_simple(ctx, req, resp, ACT_WALK_CODE, NULL);
}

/* ---- staff: findings ---- */

vk_err api_staff_walk_finding_get(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return finding_answer(ctx, req, resp, 1);
}

static int date_shape(const char *s)
{
    int y, m, d;
    char tail;
    return s && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && m >= 1 &&
           m <= 12 && d >= 1 && d <= 31;
}

vk_err api_staff_walk_finding_status(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"status", "target_date", "unit",        "reason",
                                       "how",    "walk",        "explanation", NULL};
    static const char *const statuses[] = {"open", "planned", "fixed", "verified", "rejected", NULL};
    static const char *const hows[] = {"walk", "photo", "visit", NULL};
    char uuid[37];
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e)
        e = path_uuid(ctx, req, uuid);
    if (e)
        return e;
    walk_job *st = job_new(ctx, req, ACT_STATUS);
    if (!st)
        return VK_ENOMEM;
    memcpy(st->uuid, uuid, sizeof uuid);
    e = json_body(ctx, req, "status change", &st->w.doc);
    const json_t *doc = st->w.doc;
    const char *s = NULL, *x = NULL;
    if (!e && !json_is_object(doc))
        e = vk_fail(&ctx->err, VK_ETYPE, "", "a status change is a JSON object");
    if (!e)
        e = api_json_keys(doc, keys, &ctx->err);
    if (!e)
        e = api_json_string(doc, "status", 1, 12, &s, &ctx->err);
    if (!e) {
        int ok = 0;
        for (const char *const *p = statuses; *p; p++)
            ok |= strcmp(*p, s) == 0;
        if (!ok)
            e = vk_fail(&ctx->err, VK_EVALUE, "status",
                        "status is open, planned, fixed, verified or rejected");
    }
    if (!e)
        e = api_json_text(doc, "explanation", 1, WALK_TEXT_MAX, 1, &x, &ctx->err);
    if (!e)
        e = api_json_text(doc, "reason", 0, WALK_TEXT_MAX, 1, &x, &ctx->err);
    if (!e)
        e = api_json_string(doc, "unit", 0, 40, &x, &ctx->err);
    if (!e && (x = json_string_value(json_object_get(doc, "target_date"))) && !date_shape(x))
        e = vk_fail(&ctx->err, VK_EVALUE, "target_date", "target_date is a date YYYY-MM-DD");
    if (!e && json_object_get(doc, "target_date") && !json_is_null(json_object_get(doc, "target_date")) && !x)
        e = vk_fail(&ctx->err, VK_ETYPE, "target_date", "target_date is a date YYYY-MM-DD");
    if (!e && (x = json_string_value(json_object_get(doc, "how")))) {
        int ok = 0;
        for (const char *const *p = hows; *p; p++)
            ok |= strcmp(*p, x) == 0;
        if (!ok)
            e = vk_fail(&ctx->err, VK_EVALUE, "how", "how is walk, photo or visit");
    }
    const json_t *w = json_object_get(doc, "walk");
    if (!e && w && !json_is_null(w) && (!json_is_integer(w) || json_integer_value(w) < 1))
        e = vk_fail(&ctx->err, VK_ETYPE, "walk", "walk is the id of the later walk");
    return job_defer(ctx, st, resp, e);
}

vk_err api_staff_walk_review(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"vote", "grade", "comment", NULL};
    char uuid[37];
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e)
        e = path_uuid(ctx, req, uuid);
    if (e)
        return e;
    int put = req->method == VK_PUT;
    walk_job *st = job_new(ctx, req, put ? ACT_REVIEW_PUT : ACT_REVIEW_DELETE);
    if (!st)
        return VK_ENOMEM;
    memcpy(st->uuid, uuid, sizeof uuid);
    /* One review per account or token, whatever its display name. */
    snprintf(st->reviewer, sizeof st->reviewer, "%s:%lld", req->staff->user_id ? "u" : "t",
             (long long)(req->staff->user_id ? req->staff->user_id : req->staff->token_id));
    if (put) {
        const char *v = NULL, *x = NULL;
        e = json_body(ctx, req, "review", &st->w.doc);
        if (!e && !json_is_object(st->w.doc))
            e = vk_fail(&ctx->err, VK_ETYPE, "", "a review is a JSON object");
        if (!e)
            e = api_json_keys(st->w.doc, keys, &ctx->err);
        if (!e)
            e = api_json_string(st->w.doc, "vote", 1, 10, &v, &ctx->err);
        if (!e && strcmp(v, "agree") != 0 && strcmp(v, "disagree") != 0 && strcmp(v, "unsure") != 0)
            e = vk_fail(&ctx->err, VK_EVALUE, "vote", "vote is agree, disagree or unsure");
        const json_t *g = json_object_get(st->w.doc, "grade");
        if (!e && g && !json_is_null(g) && walk_grade_parse(json_string_value(g)) < 0)
            e = vk_fail(&ctx->err, VK_EVALUE, "grade", "grade is vaara, este or haitta");
        if (!e)
            e = api_json_text(st->w.doc, "comment", 0, REVIEW_COMMENT_MAX, 1, &x, &ctx->err);
    }
    return job_defer(ctx, st, resp, e);
}

/* ---- the council's review list ---- */

typedef struct review_item {
    char created[32];
    char *json;
} review_item;

typedef struct review_list {
    review_item *v;
    size_t n, cap;
    int failed;
    int reviewed; /* -1 any, 0 not by the caller, 1 by the caller */
} review_list;

static void list_add(review_list *l, const char *created, vk_buf *b)
{
    if (l->failed || vk_grow(&l->v, &l->cap, l->n, sizeof *l->v, 64) != 0 || !vk_buf_ok(b)) {
        l->failed = 1;
        vk_buf_fini(b);
        return;
    }
    review_item *it = &l->v[l->n++];
    snprintf(it->created, sizeof it->created, "%s", created ? created : "");
    size_t len;
    it->json = vk_buf_take(b, &len);
    vk_buf_fini(b);
}

static int review_finding_row(void *arg, db_row *row)
{
    review_list *l = arg;
    walk_finding_row f;
    walk_finding_read(row, &f);
    const char *mine = db_col_text(row, 34);
    if (l->reviewed >= 0 && (mine != NULL) != l->reviewed)
        return 0;
    vk_buf b;
    vk_buf_init(&b, 1 << 20);
    vk_buf_puts(&b, "{\"kind\":\"finding\"");
    vk_json_member_str(&b, "id", f.uuid);
    vk_json_key(&b, "walk");
    if (f.walk_id)
        vk_json_int(&b, f.walk_id);
    else
        vk_buf_puts(&b, "null");
    vk_json_member_str(&b, "type", f.type);
    vk_json_member_str(&b, "grade", f.grade);
    vk_json_member_str(&b, "status", f.status);
    vk_json_member_str(&b, "level", f.level);
    vk_json_member_str(&b, "district", f.district);
    vk_json_member_str(&b, "special_area", f.special_area);
    vk_json_member_str(&b, "description", f.description);
    walk_put_geometry(&b, "geometry", f.wkb, f.wkb_len);
    vk_json_member_str(&b, "created", f.created);
    vk_json_key(&b, "consensus");
    walk_consensus_json(&b, &f);
    vk_json_member_str(&b, "my_review", mine);
    vk_buf_putc(&b, '}');
    list_add(l, f.created, &b);
    return 0;
}

static int review_feedback_row(void *arg, db_row *row)
{
    review_list *l = arg;
    const char *finding = db_col_text(row, 7);
    /* Feedback has no council review of its own: "reviewed" means made a
     * finding. */
    if (l->reviewed >= 0 && (finding != NULL) != l->reviewed)
        return 0;
    vk_buf b;
    vk_buf_init(&b, 1 << 20);
    vk_buf_printf(&b, "{\"kind\":\"feedback\",\"id\":%lld", (long long)db_col_int64(row, 0));
    vk_json_member_str(&b, "category", db_col_text(row, 1));
    vk_json_member_str(&b, "description", db_col_text(row, 2));
    vk_json_member_str(&b, "status", db_col_text(row, 3));
    walk_put_geometry(&b, "geometry", db_col_blob(row, 4), db_col_bytes(row, 4));
    vk_json_member_str(&b, "district", db_col_text(row, 5));
    vk_json_member_str(&b, "created", db_col_text(row, 6));
    vk_json_member_str(&b, "finding", finding);
    vk_buf_putc(&b, '}');
    list_add(l, db_col_text(row, 6), &b);
    return 0;
}

static int newest_first(const void *a, const void *b)
{
    return -strcmp(((const review_item *)a)->created, ((const review_item *)b)->created);
}

vk_err api_staff_walk_review_list(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"limit", "offset", "kind", "walk", "reviewed", NULL};
    long long limit = REVIEW_LIST_DEFAULT, offset = 0, walk = 0;
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (!e)
        e = vk_param_int(req, "limit", 1, REVIEW_LIST_MAX, VK_PARAM_FROM_TO, &limit, &ctx->err);
    if (!e)
        e = vk_param_int(req, "offset", 0, 1000000, VK_PARAM_FROM_TO, &offset, &ctx->err);
    if (!e)
        e = vk_param_int(req, "walk", 1, INT64_MAX / 2, VK_PARAM_FROM_TO, &walk, &ctx->err);
    const char *kind = vk_req_param(req, "kind"), *reviewed = vk_req_param(req, "reviewed");
    if (!e && kind && strcmp(kind, "finding") != 0 && strcmp(kind, "feedback") != 0)
        e = vk_fail(&ctx->err, VK_EPARAM, "kind", "kind is finding or feedback");
    if (!e && reviewed && strcmp(reviewed, "yes") != 0 && strcmp(reviewed, "no") != 0)
        e = vk_fail(&ctx->err, VK_EPARAM, "reviewed", "reviewed is yes or no");
    if (e)
        return e;
    review_list l = {NULL, 0, 0, 0, reviewed ? strcmp(reviewed, "yes") == 0 : -1};
    char me[40];
    snprintf(me, sizeof me, "%s:%lld", req->staff->user_id ? "u" : "t",
             (long long)(req->staff->user_id ? req->staff->user_id : req->staff->token_id));
    if (!kind || strcmp(kind, "finding") == 0)
        e = db_each(ctx->store, &walk_sql, SQL_FINDINGS_REVIEW,
                    DB_ARGS(DB_TEXT(me), walk ? DB_INT(walk) : DB_NULL), review_finding_row, &l,
                    "listing findings", &ctx->err);
    /* Feedback belongs to no walk: a list for one walk has none. */
    if (!e && (!kind || strcmp(kind, "feedback") == 0) && !walk)
        e = db_each(ctx->store, &walk_sql, SQL_FEEDBACK_REVIEW, DB_NO_ARGS, review_feedback_row, &l,
                    "listing accessibility feedback", &ctx->err);
    if (!e && l.failed)
        e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    if (!e) {
        qsort(l.v, l.n, sizeof *l.v, newest_first);
        vk_buf *b = &resp->body;
        vk_buf_puts(b, "{\"items\":[");
        for (size_t i = (size_t)offset; i < l.n && i < (size_t)(offset + limit); i++) {
            vk_json_next(b);
            vk_buf_puts(b, l.v[i].json ? l.v[i].json : "null");
        }
        vk_buf_printf(b, "],\"total\":%zu}", l.n);
        vk_resp_header(resp, "Cache-Control", "no-store");
    }
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i].json);
    free(l.v);
    return e;
}

/* ---- staff: feedback into a finding ---- */

typedef struct feedback_src {
    int64_t id;
    char *description;
    unsigned char *wkb;
    size_t wkb_len;
    int hidden;
} feedback_src;

static vk_err feedback_row(void *arg, db_row *row)
{
    feedback_src *f = arg;
    f->id = db_col_int64(row, 0);
    f->description = db_col_dup(row, 1);
    f->wkb_len = db_col_bytes(row, 2);
    f->wkb = f->wkb_len ? malloc(f->wkb_len) : NULL;
    if (f->wkb)
        memcpy(f->wkb, db_col_blob(row, 2), f->wkb_len);
    f->hidden = db_col_int(row, 4);
    return (f->wkb_len && !f->wkb) || !f->description ? VK_ENOMEM : VK_OK;
}

vk_err api_staff_walk_from_feedback(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const extra[] = {"walk", NULL};
    int64_t fid;
    int found = 0;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e)
        e = path_id(ctx, req, 0, "feedback", &fid);
    if (e)
        return e;
    feedback_src f = {0, NULL, NULL, 0, 0};
    e = db_first(ctx->store, &walk_sql, SQL_FEEDBACK_GET, DB_ARGS(DB_INT(fid)), feedback_row, &f,
                 &found, "reading feedback", &ctx->err);
    if (!e && (!found || f.hidden))
        e = vk_fail(&ctx->err, VK_ENOT_FOUND, "fid", "there is no such feedback");
    walk_job *st = e ? NULL : job_new(ctx, req, ACT_FINDING);
    if (!e && !st)
        e = VK_ENOMEM;
    if (!e)
        e = json_body(ctx, req, "finding", &st->w.doc);
    if (!e && json_is_object(st->w.doc) && !json_object_get(st->w.doc, "description"))
        json_object_set_new(st->w.doc, "description", json_string(f.description));
    const json_t *w = st && json_is_object(st->w.doc) ? json_object_get(st->w.doc, "walk") : NULL;
    if (!e && w && !json_is_null(w) && (!json_is_integer(w) || json_integer_value(w) < 1))
        e = vk_fail(&ctx->err, VK_ETYPE, "walk", "walk is a walk's id or null");
    if (!e && json_object_get(st->w.doc, "geometry"))
        e = vk_fail(&ctx->err, VK_EUNKNOWN_FIELD, "geometry",
                    "a finding made from feedback is where the feedback is");
    if (!e)
        e = walk_finding_prepare(ctx, walk_checklist_get(NULL), st->w.doc, extra, f.wkb,
                                 f.wkb_len, NULL, &st->fn, &ctx->err);
    if (!e) {
        st->fn.walk_id = json_is_integer(w) ? json_integer_value(w) : 0;
        st->fn.feedback_id = fid;
        st->fn.source = "feedback";
        e = body_hash(ctx, st->w.doc, st->fn.body_hash);
    }
    free(f.description);
    free(f.wkb);
    if (!st)
        return e;
    return job_defer(ctx, st, resp, e);
}

/* ---- photos taken after the finding was sent ---- */

vk_err api_walk_finding_photos(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"photos", "code", NULL};
    char uuid[37], stored[65] = "", state[12] = "";
    int found = 0;
    json_t *doc = NULL;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e)
        e = path_uuid(ctx, req, uuid);
    if (!e)
        e = db_scan(ctx->store, &walk_sql, SQL_FINDING_WALK, DB_ARGS(DB_TEXT(uuid)),
                    DB_OUTS(DB_COPY_TO(stored, sizeof stored), DB_COPY_TO(state, sizeof state)),
                    &found, "reading a finding", &ctx->err);
    if (!e && !found)
        e = vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no such finding on a walk");
    if (!e)
        e = json_body(ctx, req, "photos", &doc);
    if (!e && !json_is_object(doc))
        e = vk_fail(&ctx->err, VK_ETYPE, "", "send {\"photos\": [photo ids]}");
    if (!e)
        e = api_json_keys(doc, keys, &ctx->err);
    /* As for recording: the walk's code, or staff credentials. */
    vk_staff who;
    const vk_staff *as = is_staff(req) ? req->staff : NULL;
    const char *code = e ? NULL : given_code(req, doc);
    if (!e && !as && !code && (req->authorization || req->cookie) &&
        !(e = api_auth_require(ctx, req, VK_ACCESS_STAFF, resp, &who)))
        as = &who;
    if (!e && !as) {
        char hash[65];
        if (!code)
            e = vk_fail(&ctx->err, VK_EMISSING, "code", "send the walk code (X-Walk-Code) or sign in as staff");
        else if (!walk_code_hash(code, hash) || !walk_hash_equal(hash, stored))
            e = wrong_code(ctx, req, resp);
        else if (strcmp(state, "open") != 0)
            e = vk_fail(&ctx->err, VK_EWALK_CLOSED, "", "the walk is no longer recording findings");
    }
    walk_job *st = e ? NULL : job_new_as(ctx, as, ACT_PHOTOS);
    if (!e && !st)
        e = VK_ENOMEM;
    if (e) {
        json_decref(doc);
        return e;
    }
    st->w.doc = doc;
    memcpy(st->uuid, uuid, sizeof uuid);
    e = walk_read_photos(doc, st->fn.photos, &st->fn.nphotos, &ctx->err);
    if (!e && st->fn.nphotos == 0)
        e = vk_fail(&ctx->err, VK_EMISSING, "photos", "send at least one photo id");
    if (!e)
        e = api_idem_prepare(ctx, req, as ? as->token_id : 0, &st->w.job);
    return job_defer(ctx, st, resp, e);
}
