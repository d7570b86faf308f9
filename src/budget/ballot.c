/*
 * ballot.c — projects for ballots, the check of choices, their stored
 * form (ballot.h).
 */
#include "budget/ballot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget/sql.h"
#include "core/buf.h"
#include "core/json.h"

DB_SLICE_DEFINE(budget_sql, BUDGET_SQL)

static int collect(void *arg, db_row *row)
{
    budget_projects *p = arg;
    if (p->n == BUDGET_PROJECTS_MAX)
        return 1;
    budget_project_row *x = &p->v[p->n++];
    x->id = db_col_int64(row, 0);
    db_col_copy(row, 1, x->area, sizeof x->area);
    x->cost = db_col_int64(row, 2);
    db_col_copy(row, 3, x->title, sizeof x->title);
    db_col_copy(row, 4, x->category, sizeof x->category);
    x->titles = db_col_dup(row, 5);
    return x->titles ? 0 : 1;
}

vk_err budget_projects_load(store_conn *c, int64_t round_id, budget_projects *out,
                            vk_errinfo *ei)
{
    out->n = 0;
    out->v = calloc(BUDGET_PROJECTS_MAX, sizeof *out->v);
    if (!out->v)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    return db_each(c, &budget_sql, SQL_PROJECT_COSTS, DB_ARGS(DB_INT(round_id)), collect, out,
                   "reading the round's projects", ei);
}

void budget_projects_fini(budget_projects *p)
{
    for (int i = 0; p->v && i < p->n; i++)
        free(p->v[i].titles);
    free(p->v);
    p->v = NULL;
    p->n = 0;
}

int budget_projects_find(const budget_projects *p, int64_t id)
{
    int lo = 0, hi = p->n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (p->v[mid].id == id)
            return mid;
        if (p->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static vk_err invalid(vk_errinfo *ei, const char *field, const char *msg)
{
    return vk_fail(ei, VK_EBALLOT_INVALID, field, "%s", msg);
}

/* A project id of the ballot's area that it has not named before. */
static vk_err take_project(const budget_projects *p, const char *area, int64_t id,
                           const char *field, uint8_t *seen, int64_t *total, vk_errinfo *ei)
{
    int i = budget_projects_find(p, id);
    if (i < 0)
        return vk_fail(ei, VK_EBALLOT_INVALID, field, "the round has no project %lld",
                       (long long)id);
    if (strcmp(p->v[i].area, area) != 0)
        return vk_fail(ei, VK_EBALLOT_INVALID, field, "project %lld is not in the area '%s'",
                       (long long)id, area);
    if (seen[i])
        return vk_fail(ei, VK_EBALLOT_INVALID, field, "project %lld is chosen twice",
                       (long long)id);
    seen[i] = 1;
    *total += p->v[i].cost;
    return VK_OK;
}

/* The stored form: the chosen projects by id (seen), with points. */
static vk_err store_form(const budget_projects *p, const uint8_t *seen, const int32_t *pts,
                         int points, budget_choice *out, vk_errinfo *ei)
{
    vk_buf b;
    vk_buf_init(&b, (size_t)p->n * 24 + 8);
    vk_buf_putc(&b, points ? '{' : '[');
    int first = 1;
    for (int i = 0; i < p->n; i++) {
        if (!seen[i])
            continue;
        if (!first)
            vk_buf_putc(&b, ',');
        first = 0;
        if (points)
            vk_buf_printf(&b, "\"%lld\":%d", (long long)p->v[i].id, pts[i]);
        else
            vk_buf_printf(&b, "%lld", (long long)p->v[i].id);
    }
    vk_buf_putc(&b, points ? '}' : ']');
    out->text = vk_buf_ok(&b) ? vk_buf_take(&b, NULL) : NULL;
    vk_buf_fini(&b);
    return out->text ? VK_OK : vk_fail(ei, VK_ENOMEM, "", NULL);
}

static vk_err check_points(const budget_round *r, const budget_projects *p, const json_t *doc,
                           budget_choice *out, uint8_t *seen, int32_t *pts, vk_errinfo *ei)
{
    if (json_object_get(doc, "projects"))
        return invalid(ei, "projects", "this round votes with points: send \"points\"");
    const json_t *v = json_object_get(doc, "points");
    if (!v)
        return vk_fail(ei, VK_EMISSING, "points", "give points: {\"project id\": points}");
    if (!json_is_object(v))
        return vk_fail(ei, VK_ETYPE, "points", "points is {\"project id\": points}");
    if (json_object_size(v) == 0)
        return invalid(ei, "points", "give points to at least one project");
    long long sum = 0;
    const char *key;
    const json_t *n;
    json_object_foreach((json_t *)v, key, n)
    {
        char field[64];
        snprintf(field, sizeof field, "points.%.40s", key);
        int64_t id = api_parse_id(key);
        if (!id)
            return invalid(ei, field, "a key of points is a project id");
        vk_err e = take_project(p, out->area, id, field, seen, &out->total, ei);
        if (e)
            return e;
        if (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > r->points)
            return vk_fail(ei, VK_EBALLOT_INVALID, field, "give a project 1 to %d points",
                           r->points);
        pts[budget_projects_find(p, id)] = (int32_t)json_integer_value(n);
        sum += json_integer_value(n);
    }
    if (sum > r->points)
        return vk_fail(ei, VK_EBALLOT_INVALID, "points", "%lld points given; the round has %d",
                       sum, r->points);
    return VK_OK;
}

static vk_err check_projects(const budget_round *r, const budget_projects *p, const json_t *doc,
                             int64_t area_budget, budget_choice *out, uint8_t *seen,
                             vk_errinfo *ei)
{
    if (json_object_get(doc, "points"))
        return invalid(ei, "points", "this round votes by choosing projects: send \"projects\"");
    const json_t *v = json_object_get(doc, "projects");
    if (!v)
        return vk_fail(ei, VK_EMISSING, "projects", "choose projects: a list of project ids");
    if (!json_is_array(v))
        return vk_fail(ei, VK_ETYPE, "projects", "projects is a list of project ids");
    size_t i;
    const json_t *x;
    json_array_foreach(v, i, x)
    {
        char field[32];
        snprintf(field, sizeof field, "projects[%zu]", i);
        if (!json_is_integer(x))
            return invalid(ei, field, "a project is chosen by its id");
        vk_err e = take_project(p, out->area, json_integer_value(x), field, seen, &out->total, ei);
        if (e)
            return e;
    }
    size_t n = json_array_size(v);
    if (r->rule == BUDGET_APPROVAL && (n < (size_t)r->min_picks || n > (size_t)r->max_picks))
        return vk_fail(ei, VK_EBALLOT_INVALID, "projects", "choose from %d to %d projects",
                       r->min_picks, r->max_picks);
    if (r->rule == BUDGET_KNAPSACK) {
        if (n == 0)
            return invalid(ei, "projects", "choose at least one project");
        if (out->total > area_budget)
            return vk_fail(ei, VK_EBALLOT_INVALID, "projects",
                           "the chosen projects cost %lld, more than the budget of %lld",
                           (long long)out->total, (long long)area_budget);
        if (out->total * 100 < area_budget * r->min_share)
            return vk_fail(ei, VK_EBALLOT_INVALID, "projects",
                           "the chosen projects must use at least %d %% of the budget",
                           r->min_share);
    }
    return VK_OK;
}

vk_err budget_ballot_check(const budget_round *r, const budget_projects *p, const json_t *doc,
                           budget_choice *out, vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    const json_t *a = json_object_get(doc, "area");
    const char *area = json_string_value(a);
    const budget_area *ar = NULL;
    if (!a && r->nareas == 1)
        ar = &r->areas[0]; /* one area: it need not be named */
    else if (!a)
        return vk_fail(ei, VK_EMISSING, "area", "a ballot is for one area of the round");
    else if (!area || !(ar = budget_round_area(r, area)))
        return invalid(ei, "area", "the round has no such area");
    snprintf(out->area, sizeof out->area, "%s", ar->key);
    uint8_t *seen = calloc((size_t)p->n + 1, 1);
    int32_t *pts = calloc((size_t)p->n + 1, sizeof *pts);
    vk_err e = !seen || !pts ? vk_fail(ei, VK_ENOMEM, "", NULL)
               : r->rule == BUDGET_POINTS ? check_points(r, p, doc, out, seen, pts, ei)
                                          : check_projects(r, p, doc, ar->budget, out, seen, ei);
    if (!e)
        e = store_form(p, seen, pts, r->rule == BUDGET_POINTS, out, ei);
    free(seen);
    free(pts);
    return e;
}

int budget_choices_read(const char *text, int64_t *ids, int32_t *pts, int max)
{
    if (!text || (text[0] != '[' && text[0] != '{'))
        return -1;
    int points = text[0] == '{', n = 0;
    const char *s = text + 1;
    while (*s && *s != ']' && *s != '}') {
        while (*s == ',' || *s == '"' || *s == ' ')
            s++;
        if (*s < '0' || *s > '9')
            return *s == ']' || *s == '}' ? n : -1;
        int64_t id = 0;
        while (*s >= '0' && *s <= '9')
            id = id * 10 + (*s++ - '0');
        int32_t p = 1;
        if (points) {
            if (*s++ != '"' || *s++ != ':')
                return -1;
            p = 0;
            while (*s >= '0' && *s <= '9')
                p = p * 10 + (*s++ - '0');
        }
        if (n == max)
            return -1;
        ids[n] = id;
        pts[n] = p;
        n++;
    }
    return n;
}
