/*
 * inbox.c — GET /api/v1/staff/feedback: the staff inbox.
 *
 * The same collection query as every other feedback list (one builder,
 * one feature writer), with three differences that make it a staff view:
 * hidden items are included (withdrawn ones on request), each feature
 * carries visibility and me_too, and the order is the one staff work in —
 * unanswered first, then oldest created first (schema 0006 indexes it, so
 * the first page on a large table is an index walk, not a sort).
 *
 * Every parameter is checked before anything is read: an unknown code in a
 * list is a 400 naming the parameter, not an empty page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feedback/feedback.h"
#include "features/count_grid.h"
#include "features/items.h"
#include "core/clock.h"
#include "feedback/sql.h"
#include "http/params.h"

#define INBOX_LIMIT_DEFAULT 50
#define INBOX_LIMIT_MAX 500
#define INBOX_DAYS_MAX 36500 /* a hundred years: beyond that every item matches */
#define LIST_MAX 1000        /* characters of a comma list */

static const char *const inbox_statuses[] = {"received", "in_progress",    "planned",
                                             "resolved", "not_resolvable", "duplicate",
                                             "forwarded", NULL};
static const char *const inbox_visibilities[] = {"public", "hidden", "withdrawn", NULL};

typedef enum { CHECK_FIXED, CHECK_CATEGORY, CHECK_DISTRICT, CHECK_UNIT } list_check;

static int listed(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* A whole number in [min, max] or VK_EPARAM naming the parameter. */
static vk_err param_number(vk_ctx *ctx, const vk_req *req, const char *name, long long min,
                           long long max, long long *out)
{
    return vk_param_int(req, name, min, max, VK_PARAM_FROM_TO, out, &ctx->err);
}

/* Does the code exist, by kind of list. */
static vk_err code_known(vk_ctx *ctx, list_check kind, const char *const *fixed, const char *code,
                         int *ok)
{
    int64_t id = 0;
    vk_err e = VK_OK;
    switch (kind) {
    case CHECK_FIXED: *ok = listed(code, fixed); return VK_OK;
    case CHECK_CATEGORY: return store_category_exists(ctx->store, code, ok, &ctx->err);
    case CHECK_DISTRICT: e = store_district_id(ctx->store, code, &id, &ctx->err); break;
    case CHECK_UNIT: e = store_unit_id(ctx->store, code, &id, &ctx->err); break;
    }
    *ok = id != 0;
    return e;
}

/* A comma list parameter, every value checked. *codes gets the known
 * values again as a comma list (arena), NULL when there are none; with
 * allow_none the value "none" sets *none instead of joining the list. */
static vk_err param_list(vk_ctx *ctx, const vk_req *req, const char *name, list_check kind,
                         const char *const *fixed, int allow_none, const char **codes, int *none)
{
    *codes = NULL;
    if (none)
        *none = 0;
    const char *items[LIST_MAX / 2 + 1];
    int count;
    vk_err e = vk_param_list(req, name, LIST_MAX, LIST_MAX / 2 + 1, items, &count, &ctx->err);
    size_t len = count ? strlen(vk_req_param(req, name)) : 0;
    char *out = count ? vk_arena_alloc(req->arena, len + 1) : NULL;
    if (!e && count && !out)
        e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    size_t used = 0;
    for (int i = 0; i < count && !e; i++) {
        const char *item = items[i];
        if (allow_none && strcmp(item, "none") == 0) {
            *none = 1;
            continue;
        }
        int ok = 0;
        if ((e = code_known(ctx, kind, fixed, item, &ok)))
            break;
        if (!ok)
            e = vk_fail(&ctx->err, VK_EPARAM, name, "%s: unknown value '%.60s'", name,
                        vk_utf8_valid(item, strlen(item), NULL) ? item : "?");
        else
            used += (size_t)sprintf(out + used, "%s%s", used ? "," : "", item);
    }
    *codes = used ? out : NULL;
    return e;
}

/* property IN (codes) [OR id_property IS NULL]; NULL when neither. The
 * test for none is on the item's own column, whose index finds the few
 * such items at once (through the join it would be a scan). */
static cql2_expr *codes_or_none(vk_arena *a, const char *property, const char *id_property,
                                const char *codes, int none)
{
    cql2_expr *in = codes ? api_items_in_list(a, property, codes) : NULL;
    cql2_expr *null = none ? api_items_is_null(a, id_property, 0) : NULL;
    return in && null ? api_items_or(a, in, null) : in ? in : null;
}

#define ASSIGNEES_MAX 50 /* names in one assignee filter */

/* assignee: a comma list of staff account names, "me" (the caller's own
 * account) and "none" (assigned to nobody), as
 * assignee_id IN (…) [OR assignee_id IS NULL]; *filter stays NULL without
 * the parameter. An unknown or disabled name is a 400 naming assignee. */
static vk_err assignee_filter(vk_ctx *ctx, const vk_req *req, cql2_expr **filter)
{
    *filter = NULL;
    const char *items[ASSIGNEES_MAX + 1];
    int count = 0;
    vk_err e = vk_param_list(req, "assignee", LIST_MAX, ASSIGNEES_MAX + 1, items, &count,
                             &ctx->err);
    if (e || !count)
        return e;
    if (count > ASSIGNEES_MAX)
        return vk_fail(&ctx->err, VK_EPARAM, "assignee", "assignee: at most %d names",
                       ASSIGNEES_MAX);
    int64_t ids[ASSIGNEES_MAX];
    int n = 0, none = 0;
    for (int i = 0; i < count; i++) {
        int64_t id = 0;
        if (strcmp(items[i], "none") == 0) {
            none = 1;
            continue;
        }
        if (strcmp(items[i], "me") == 0) {
            /* An API token is nobody's account: nothing is assigned to it. */
            if (!req->staff || !req->staff->user_id)
                return vk_fail(&ctx->err, VK_EPARAM, "assignee",
                               "assignee: me needs a signed-in staff account");
            id = req->staff->user_id;
        } else if ((e = store_assignee_id(ctx->store, items[i], &id, &ctx->err))) {
            return e;
        } else if (!id) {
            return vk_fail(&ctx->err, VK_EPARAM, "assignee",
                           "assignee: no enabled staff account is named '%.60s'",
                           vk_utf8_valid(items[i], strlen(items[i]), NULL) ? items[i] : "?");
        }
        ids[n++] = id;
    }
    cql2_expr *in = n ? api_items_in_ids(req->arena, ids, n) : NULL;
    if (in)
        in->property = "assignee_id";
    cql2_expr *null = none ? api_items_is_null(req->arena, "assignee_id", 0) : NULL;
    *filter = in && null ? api_items_or(req->arena, in, null) : in ? in : null;
    if ((n && !in) || (none && !null) || !*filter)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    return VK_OK;
}

/* hidden IN (…) for a visibility list: the number, not the label, so the
 * condition reads the column as it is. */
static cql2_expr *visibility_filter(vk_arena *a, const char *list)
{
    int64_t v[3];
    int n = 0;
    for (int i = 0; inbox_visibilities[i]; i++) {
        size_t len = strlen(inbox_visibilities[i]);
        for (const char *p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
            if (strcspn(p, ",") == len && strncmp(p, inbox_visibilities[i], len) == 0) {
                v[n++] = i; /* the schema's numbers are the list's order */
                break;
            }
    }
    cql2_expr *e = api_items_in_ids(a, v, n);
    if (e)
        e->property = "hidden";
    return e;
}

/* now − days as RFC 3339 text, the way created times are stored. */
static const char *days_ago(vk_arena *a, long long days)
{
    char *out = vk_arena_alloc(a, VK_RFC3339_LEN);
    if (!out)
        return NULL;
    vk_rfc3339_days_ago(days, out);
    return out;
}

typedef struct {
    vk_ctx *ctx;
    const api_items *it;
    vk_buf *b;
    int64_t n;
    vk_err err;
} inbox_writer;

static int write_feature(void *arg, const store_item *item)
{
    inbox_writer *w = arg;
    if (w->n++)
        vk_buf_putc(w->b, ',');
    w->err = api_item_write(w->ctx, w->it, item, w->b);
    return w->err != VK_OK;
}

/* numberMatched: the public items from the server's count grid (a scan
 * of a million in memory instead of a COUNT over the table), the few
 * hidden and withdrawn ones by SQL through their partial index; the whole
 * count by SQL when the grid cannot take the filter. */
static vk_err inbox_count(vk_ctx *ctx, const api_items *it, int64_t *matched)
{
    store_items_query pub = it->q;
    pub.include_nonpublic = 0;
    pub.nonpublic_only = 0;
    pub.staff_view = 0;
    int handled = 0;
    int64_t n_pub = 0, n_rest = 0;
    vk_err e = it->q.nonpublic_only
                   ? VK_OK
                   : count_grid_count(ctx->counts, ctx->store, it->col, &pub, it->filter, &n_pub,
                                      &handled, &ctx->err);
    if (e)
        return e;
    if (!handled && !it->q.nonpublic_only)
        return store_items_count(ctx->store, it->col, &it->q, matched, &ctx->err);
    store_items_query rest = it->q;
    rest.nonpublic_only = 1;
    e = store_items_count(ctx->store, it->col, &rest, &n_rest, &ctx->err);
    *matched = n_pub + n_rest;
    return e;
}

/* The hidden and withdrawn items' places in the inbox order: the first
 * want of them kept, all of them counted (one pass for both). */
typedef struct {
    uint64_t *v;
    int64_t n, cap, want, seen;
    int odd; /* one has no key: SQL answers */
    int answered, created; /* their columns */
} key_list;

static int collect_key(void *arg, const store_item *item)
{
    key_list *l = arg;
    if (l->seen++ >= l->want)
        return 0;
    const store_value *a = &item->values[l->answered], *c = &item->values[l->created];
    uint64_t key = c->type == STORE_TEXT
                       ? count_grid_inbox_key(a->type != STORE_NULL, c->text, item->id)
                       : 0;
    if (key && l->n == l->cap) {
        uint64_t *v = realloc(l->v, sizeof *v * (size_t)(l->cap * 2 + 64));
        if (v) {
            l->v = v;
            l->cap = l->cap * 2 + 64;
        }
    }
    if (!key || l->n == l->cap) {
        l->odd = 1;
        return 1;
    }
    l->v[l->n++] = key;
    return 0;
}

/* The page from memory: the first offset+limit public items in inbox
 * order from the count grid (a walk of its inbox order that stops at the
 * page's end; with a box, a scan of the box's cells), merged with the
 * first offset+limit hidden and withdrawn ones (SQL, through their
 * partial index: a few rows); *ids_json (arena) the page's ids, NULL when
 * the grid cannot take the query (SQL answers). */
static vk_err inbox_select(vk_ctx *ctx, const vk_req *req, const api_items *it,
                           int64_t *matched, const char **ids_json)
{
    *ids_json = NULL;
    if (it->q.nonpublic_only)
        return VK_OK;
    int64_t want = it->q.offset + it->q.limit;
    store_items_query pub = it->q;
    pub.include_nonpublic = 0;
    pub.staff_view = 0;
    pub.offset = 0;
    pub.limit = want;
    int handled = 0;
    int64_t n_pub = 0, n_rest = 0, *ids = NULL, nids = 0;
    uint64_t *keys = NULL;
    vk_err e = count_grid_select(ctx->counts, ctx->store, it->col, &pub, it->filter,
                                 COUNT_GRID_BY_INBOX, &n_pub, &ids, &keys, &nids, &handled,
                                 &ctx->err);
    free(ids);
    key_list rest = {NULL, 0, 0, 0, 0, 0, -1, -1};
    for (int i = 0; i < it->col->ncolumns; i++) {
        if (strcmp(it->col->columns[i].name, "answered") == 0)
            rest.answered = i;
        if (strcmp(it->col->columns[i].name, "created") == 0)
            rest.created = i;
    }
    if (e || !handled || rest.answered < 0 || rest.created < 0) {
        free(keys);
        return e;
    }
    store_items_query np = it->q;
    np.nonpublic_only = 1;
    np.offset = 0;
    np.limit = -1;
    /* Their keys are all it needs: the other columns stay NULL. */
    np.some_columns = rest.answered < 64 && rest.created < 64;
    np.columns = (uint64_t)1 << rest.answered | (uint64_t)1 << rest.created;
    rest.want = want;
    e = store_items_each(ctx->store, it->col, &np, collect_key, &rest, &ctx->err);
    n_rest = rest.seen;
    vk_buf list;
    vk_buf_init(&list, 16 * 1024 * 1024);
    vk_buf_putc(&list, '[');
    /* Merge the two sorted lists; the page is past offset. */
    int64_t i = 0, j = 0, k = 0, written = 0;
    const uint64_t mask = ((uint64_t)1 << 31) - 1;
    while (!e && !rest.odd && (i < nids || j < rest.n) && written < it->q.limit) {
        uint64_t key = j >= rest.n || (i < nids && keys[i] < rest.v[j]) ? keys[i++] : rest.v[j++];
        if (k++ < it->q.offset)
            continue;
        vk_buf_printf(&list, "%s%llu", written++ ? "," : "", (unsigned long long)(key & mask));
    }
    vk_buf_putc(&list, ']');
    if (!e && !rest.odd) {
        *ids_json = vk_buf_ok(&list) ? vk_arena_strndup(req->arena, list.data, list.len) : NULL;
        if (!*ids_json)
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        *matched = n_pub + n_rest;
    }
    vk_buf_fini(&list);
    free(keys);
    free(rest.v);
    return e;
}

vk_err api_staff_inbox(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const known[] = {"status",   "category",       "district",
                                        "unit",     "older_than_days", "newer_than_days",
                                        "answered", "visibility",     "bbox",
                                        "assignee", "limit",          "offset",
                                        NULL};
    vk_arena *a = req->arena;
    api_items it;
    api_items_init(&it, store_collection_find("feedback"));
    long long limit = INBOX_LIMIT_DEFAULT, offset = 0, older = -1, newer = -1;
    const char *statuses, *categories, *districts, *units, *visibility = NULL;
    int no_district = 0, no_unit = 0;
    vk_err e;
    if ((e = vk_req_only_params(req, known, &ctx->err)) ||
        (e = param_number(ctx, req, "limit", 1, INBOX_LIMIT_MAX, &limit)) ||
        (e = param_number(ctx, req, "offset", 0, 1000000000000LL, &offset)) ||
        (e = param_number(ctx, req, "older_than_days", 0, INBOX_DAYS_MAX, &older)) ||
        (e = param_number(ctx, req, "newer_than_days", 0, INBOX_DAYS_MAX, &newer)) ||
        (e = param_list(ctx, req, "status", CHECK_FIXED, inbox_statuses, 0, &statuses, NULL)) ||
        (e = param_list(ctx, req, "category", CHECK_CATEGORY, NULL, 0, &categories, NULL)) ||
        (e = param_list(ctx, req, "district", CHECK_DISTRICT, NULL, 1, &districts,
                        &no_district)) ||
        (e = param_list(ctx, req, "unit", CHECK_UNIT, NULL, 1, &units, &no_unit)))
        return e;
    cql2_expr *assignees = NULL;
    if ((e = assignee_filter(ctx, req, &assignees)))
        return e;
    /* visibility: a list of public/hidden/withdrawn, or all. */
    const char *vis = vk_req_param(req, "visibility");
    if (vis && strcmp(vis, "all") == 0)
        visibility = NULL;
    else if (vis && (e = param_list(ctx, req, "visibility", CHECK_FIXED, inbox_visibilities, 0,
                                    &visibility, NULL)))
        return e;
    else if (!vis)
        visibility = "public,hidden";
    int answered = -1;
    if ((e = vk_param_bool(req, "answered", &answered, &ctx->err)))
        return e;
    if ((e = vk_param_bbox(req, "bbox", ctx->proj, GIS_CRS_CRS84, 0, it.q.bbox, &it.q.has_bbox,
                           &ctx->err)))
        return e;
    it.q.limit = limit;
    it.q.offset = offset;
    it.q.include_nonpublic = 1;
    it.q.nonpublic_only = visibility && !strstr(visibility, "public");
    it.q.staff_view = 1;
    it.q.inbox_answered = answered + 1;
    it.q.inbox_none = no_district || no_unit;
    if (older >= 0 && !(it.q.time_end = days_ago(a, older)))
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    if (newer >= 0 && !(it.q.time_start = days_ago(a, newer)))
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    struct {
        int wanted;
        cql2_expr *e;
    } parts[] = {
        {statuses != NULL, statuses ? api_items_in_list(a, "status", statuses) : NULL},
        {categories != NULL, categories ? api_items_in_list(a, "category", categories) : NULL},
        {districts || no_district,
         codes_or_none(a, "district", "district_id", districts, no_district)},
        {units || no_unit, codes_or_none(a, "unit", "unit_id", units, no_unit)},
        {visibility != NULL, visibility ? visibility_filter(a, visibility) : NULL},
        {answered >= 0, answered >= 0 ? api_items_is_null(a, "answered", answered) : NULL},
        {assignees != NULL, assignees},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!parts[i].wanted)
            continue;
        if (!parts[i].e || !(it.filter = api_items_and(a, it.filter, parts[i].e)))
            return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    }
    if ((e = api_items_compile(ctx, req, &it, GIS_CRS_CRS84)))
        return e;

    int64_t matched = 0;
    const char *ids_json = NULL;
    if ((e = inbox_select(ctx, req, &it, &matched, &ids_json)) ||
        (!ids_json && (e = inbox_count(ctx, &it, &matched))))
        return e;
    if (ids_json) {
        /* Only the page's rows are read; every condition still applies. */
        it.q.ids_json = ids_json;
        it.q.offset = 0;
        it.q.limit = -1;
    }
    vk_buf *b = &resp->body;
    resp->content_type = "application/geo+json";
    vk_resp_header(resp, "Cache-Control", "no-store");
    vk_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    inbox_writer w = {ctx, &it, b, 0, VK_OK};
    if ((e = store_items_each(ctx->store, it.col, &it.q, write_feature, &w, &ctx->err)))
        return e;
    if (w.err)
        return vk_fail(&ctx->err, w.err, "", NULL);
    vk_buf_printf(b, "],\"numberMatched\":%lld,\"numberReturned\":%lld}", (long long)matched,
                  (long long)w.n);
    return vk_buf_ok(b) ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}

/* ---- GET /api/v1/staff/assignees ---- */

typedef struct {
    vk_buf *b;
    int n;
} assignee_writer;

static int write_assignee(void *arg, db_row *row)
{
    assignee_writer *w = arg;
    vk_buf_puts(w->b, w->n++ ? ",{\"name\":" : "{\"name\":");
    vk_json_str_or_null(w->b, db_col_text(row, 0));
    vk_buf_puts(w->b, ",\"role\":");
    vk_json_str_or_null(w->b, db_col_text(row, 1));
    vk_buf_putc(w->b, '}');
    return !vk_buf_ok(w->b);
}

/* The enabled staff accounts an item can be assigned to, by name: the
 * choices of the inbox's assignee filter and the item page's field. */
vk_err api_staff_assignees(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const known[] = {NULL};
    vk_err e = vk_req_only_params(req, known, &ctx->err);
    if (e)
        return e;
    vk_buf *b = &resp->body;
    vk_resp_header(resp, "Cache-Control", "no-store");
    vk_buf_puts(b, "{\"assignees\":[");
    assignee_writer w = {b, 0};
    if ((e = db_each(ctx->store, &feedback_sql, SQL_ASSIGNEE_LIST, DB_NO_ARGS,
                     write_assignee, &w, "listing staff accounts", &ctx->err)))
        return e;
    vk_buf_puts(b, "]}");
    return vk_buf_ok(b) ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}

/* ---- GET /api/v1/staff/feedback/{id}/nearby ---- */

#define NEARBY_RADIUS_DEFAULT 50
#define NEARBY_RADIUS_MAX 200
#define NEARBY_LIMIT 40

typedef struct {
    inbox_writer w;
    int64_t self;
    const char *category;
    int same; /* this pass writes the items of the category (1) or the others (0) */
    int col;  /* the category's column */
} nearby_writer;

static int write_nearby(void *arg, const store_item *item)
{
    nearby_writer *nw = arg;
    const store_value *v = &item->values[nw->col];
    int same = v->type == STORE_TEXT && nw->category && strcmp(v->text, nw->category) == 0;
    if (item->id == nw->self || same != nw->same)
        return 0;
    return write_feature(&nw->w, item);
}

/* Possible duplicates of an item for the moderator: the public open items
 * within radius metres of it (a point on it), those of its category first,
 * each group nearest first. Hidden ones are left out because an item can
 * only be merged into a public one. */
vk_err api_staff_feedback_nearby(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const known[] = {"radius", NULL};
    double radius = NEARBY_RADIUS_DEFAULT;
    vk_err e;
    if ((e = vk_req_only_params(req, known, &ctx->err)) ||
        (e = vk_param_number(req, "radius", 1, NEARBY_RADIUS_MAX, VK_PARAM_FROM_TO, &radius,
                             &ctx->err)))
        return e;
    int64_t id = api_parse_id(req->nargs ? req->args[0] : NULL);
    store_feedback_place place;
    int found = 0;
    if (id && (e = store_feedback_place_get(ctx->store, id, &found, &place, &ctx->err)))
        return e;
    if (!found)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no feedback with this id");
    api_items it;
    api_items_init(&it, store_collection_find("feedback"));
    nearby_writer nw = {{ctx, &it, &resp->body, 0, VK_OK}, id, place.category, 1, -1};
    for (int i = 0; i < it.col->ncolumns; i++)
        if (strcmp(it.col->columns[i].name, "category") == 0)
            nw.col = i;
    vk_buf *b = &resp->body;
    resp->content_type = "application/geo+json";
    vk_resp_header(resp, "Cache-Control", "no-store");
    vk_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    if (place.has_geom && nw.col >= 0) {
        it.filter = api_items_in_list(req->arena, "status", API_FEEDBACK_OPEN_STATUSES);
        if (!it.filter)
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        if (!e) {
            api_items_near(&it, place.lon, place.lat, radius);
            it.q.near_order = 1;
            it.q.limit = NEARBY_LIMIT;
            e = api_items_compile(ctx, req, &it, GIS_CRS_CRS84);
        }
        /* Two passes over the same few rows: the category's, then the rest. */
        for (nw.same = 1; !e && !nw.w.err && nw.same >= 0; nw.same--)
            e = store_items_each(ctx->store, it.col, &it.q, write_nearby, &nw, &ctx->err);
        if (!e && nw.w.err)
            e = vk_fail(&ctx->err, nw.w.err, "", NULL);
    }
    store_feedback_place_fini(&place);
    if (e)
        return e;
    vk_buf_printf(b, "],\"radius_m\":%g,\"numberReturned\":%lld}", radius, (long long)nw.w.n);
    return vk_buf_ok(b) ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}
