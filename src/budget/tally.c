/*
 * tally.c — counting ballots per area, the results JSON and Pabulib
 * (tally.h).
 */
#include "budget/tally.h"

#include <stdlib.h>
#include <string.h>

#include "budget/sql.h"
#include "core/json.h"

#define CHOICES_MAX BUDGET_PROJECTS_MAX

/* Growing compressed rows of one area's ballots. */
typedef struct rows {
    int32_t *start, *proj, *util;
    size_t nv, capv, nk, capk, capu;
} rows;

typedef struct counting {
    const budget_round *r;
    const budget_projects *p;
    budget_tally *t;
    int *local;          /* projects index → index within its area */
    rows area[BUDGET_AREAS_MAX];
    int64_t ids[CHOICES_MAX];
    int32_t pts[CHOICES_MAX];
    int failed;
} counting;

static int area_index(const budget_round *r, const char *key)
{
    for (int i = 0; key && i < r->nareas; i++)
        if (strcmp(r->areas[i].key, key) == 0)
            return i;
    return -1;
}

static int count_row(void *arg, db_row *row)
{
    counting *c = arg;
    int ai = area_index(c->r, db_col_text(row, 0));
    int n = budget_choices_read(db_col_text(row, 1), c->ids, c->pts, CHOICES_MAX);
    if (ai < 0 || n < 0)
        return 0; /* a ballot of an area since removed: it cannot count */
    rows *w = &c->area[ai];
    if (vk_grow(&w->start, &w->capv, w->nv + 1, sizeof *w->start, 256) ||
        vk_grow(&w->proj, &w->capk, w->nk + (size_t)n, sizeof *w->proj, 1024)) {
        c->failed = 1;
        return 1;
    }
    if (vk_grow(&w->util, &w->capu, w->nk + (size_t)n, sizeof *w->util, 1024)) {
        c->failed = 1;
        return 1;
    }
    w->start[w->nv++] = (int32_t)w->nk;
    for (int i = 0; i < n; i++) {
        int pi = budget_projects_find(c->p, c->ids[i]);
        if (pi < 0 || strcmp(c->p->v[pi].area, c->r->areas[ai].key) != 0)
            continue; /* a project since moved or removed */
        w->proj[w->nk] = c->local[pi];
        w->util[w->nk] = c->pts[i] > 0 ? c->pts[i] : 1;
        w->nk++;
    }
    return 0;
}

static void rows_free(rows *w)
{
    free(w->start);
    free(w->proj);
    free(w->util);
}

vk_err budget_tally_compute(store_conn *c, int64_t round_id, const budget_round *r,
                            const budget_projects *p, budget_tally *t, vk_errinfo *ei)
{
    memset(t, 0, sizeof *t);
    t->nareas = r->nareas;
    counting *cn = calloc(1, sizeof *cn);
    int *local = calloc((size_t)p->n + 1, sizeof *local);
    if (!cn || !local) {
        free(cn);
        free(local);
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    *cn = (counting){.r = r, .p = p, .t = t, .local = local};
    vk_err e = VK_OK;
    for (int a = 0; a < r->nareas && !e; a++) {
        budget_area_tally *at = &t->area[a];
        if (!(at->project = calloc((size_t)p->n + 1, sizeof *at->project)))
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
        for (int i = 0; !e && i < p->n; i++)
            if (strcmp(p->v[i].area, r->areas[a].key) == 0) {
                local[i] = at->np;
                at->project[at->np++] = i;
            }
    }
    if (!e)
        e = db_each(c, &budget_sql, SQL_BALLOTS_COUNTED, DB_ARGS(DB_INT(round_id)), count_row, cn,
                    "reading the ballots", ei);
    if (!e && cn->failed)
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    for (int a = 0; a < r->nareas && !e; a++) {
        budget_area_tally *at = &t->area[a];
        rows *w = &cn->area[a];
        if (vk_grow(&w->start, &w->capv, w->nv + 1, sizeof *w->start, 256)) {
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
            break;
        }
        w->start[w->nv] = (int32_t)w->nk;
        int64_t *cost = malloc(((size_t)at->np + 1) * sizeof *cost);
        if (!cost) {
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
            break;
        }
        for (int i = 0; i < at->np; i++)
            cost[i] = p->v[at->project[i]].cost;
        budget_election el = {at->np, cost, r->areas[a].budget, (int)w->nv, w->start, w->proj,
                              w->util};
        at->ballots = (int64_t)w->nv;
        e = budget_results(&el, &at->o, ei);
        free(cost);
    }
    for (int a = 0; a < BUDGET_AREAS_MAX; a++)
        rows_free(&cn->area[a]);
    free(cn);
    free(local);
    if (e)
        budget_tally_fini(t);
    return e;
}

void budget_tally_fini(budget_tally *t)
{
    for (int a = 0; a < BUDGET_AREAS_MAX; a++) {
        free(t->area[a].project);
        budget_outcome_fini(&t->area[a].o);
    }
    memset(t, 0, sizeof *t);
}

static const char *const explanation_greedy[3] = {
    "Eniten ääniä saaneet hankkeet valitaan järjestyksessä niin kauan kuin rahaa riittää; "
    "hanke, joka ei mahdu jäljellä olevaan budjettiin, ohitetaan ja seuraava kokeillaan.",
    "Projekten med flest röster väljs i tur och ordning så länge pengarna räcker; ett projekt "
    "som inte ryms i den återstående budgeten hoppas över och nästa prövas.",
    "The projects with the most votes are chosen in order while the money lasts; a project "
    "that does not fit in what is left is skipped and the next one is tried."};
static const char *const explanation_mes[3] = {
    "Tasaosuusmenetelmä: jokainen äänestäjä saa yhtä suuren osan budjetista, ja hanke "
    "valitaan, kun sen kannattajien osuudet riittävät sen maksamiseen. Näin myös pienempien "
    "ryhmien suosikit voivat tulla valituiksi. Jäljelle jäänyt raha käytetään äänimäärän "
    "mukaan.",
    "Metoden med lika andelar: varje väljare får en lika stor del av budgeten, och ett "
    "projekt väljs när dess anhängares andelar räcker för att betala det. Så kan även mindre "
    "gruppers favoriter väljas. Pengar som blir över används enligt antalet röster.",
    "Method of Equal Shares: every voter gets an equal share of the budget, and a project is "
    "chosen when its supporters' shares can pay for it. So the favourites of smaller groups "
    "can win too. Money left over is used by the number of votes."};

void budget_tally_json(const budget_tally *t, const budget_round *r, const budget_projects *p,
                       vk_buf *b)
{
    const char *const *ex = r->method == BUDGET_MES ? explanation_mes : explanation_greedy;
    int64_t ballots = 0;
    for (int a = 0; a < t->nareas; a++)
        ballots += t->area[a].ballots;
    vk_buf_puts(b, "{");
    vk_json_member_str(b, "round", r->slug);
    vk_json_member_str(b, "method", budget_method_name(r->method));
    vk_json_member_str(b, "rule", budget_rule_name(r->rule));
    vk_buf_printf(b, ",\"ballots\":%lld,\"explanation\":{", (long long)ballots);
    vk_json_member_str(b, "fi", ex[0]);
    vk_json_member_str(b, "sv", ex[1]);
    vk_json_member_str(b, "en", ex[2]);
    vk_buf_puts(b, "},\"areas\":[");
    for (int a = 0; a < t->nareas; a++) {
        const budget_area_tally *at = &t->area[a];
        const uint8_t *sel = r->method == BUDGET_MES ? at->o.mes : at->o.greedy;
        vk_json_open(b);
        vk_json_member_str(b, "key", r->areas[a].key);
        vk_buf_printf(b, ",\"budget\":%lld,\"ballots\":%lld,\"spent\":%lld,\"projects\":[",
                      (long long)r->areas[a].budget, (long long)at->ballots,
                      (long long)(r->method == BUDGET_MES ? at->o.spent_mes : at->o.spent_greedy));
        /* By votes, most first: the order the page shows. */
        int *order = malloc(((size_t)at->np + 1) * sizeof *order);
        for (int i = 0; order && i < at->np; i++) {
            int j = i;
            while (j > 0 && at->o.votes[order[j - 1]] < at->o.votes[i]) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        for (int k = 0; order && k < at->np; k++) {
            int i = order[k];
            const budget_project_row *pr = &p->v[at->project[i]];
            vk_json_open(b);
            vk_buf_printf(b, "\"id\":%lld,\"title\":%s,\"cost\":%lld,\"votes\":%lld,"
                             "\"selected\":%s,\"selected_greedy\":%s,\"selected_mes\":%s}",
                          (long long)pr->id, pr->titles, (long long)pr->cost,
                          (long long)at->o.votes[i], sel[i] ? "true" : "false",
                          at->o.greedy[i] ? "true" : "false", at->o.mes[i] ? "true" : "false");
        }
        free(order);
        vk_buf_puts(b, "]}");
    }
    vk_buf_puts(b, "]}");
}

/* ---- Pabulib ---- */

/* A Pabulib field: no ';' or newline may appear inside one. */
static void pb_text(vk_buf *b, const char *s)
{
    for (; s && *s; s++)
        vk_buf_putc(b, *s == ';' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

typedef struct pb_votes {
    const budget_round *r;
    const budget_projects *p;
    const char *area;
    vk_buf *b;
    int64_t n;
    int64_t ids[CHOICES_MAX];
    int32_t pts[CHOICES_MAX];
} pb_votes;

static int pb_vote(void *arg, db_row *row)
{
    pb_votes *v = arg;
    const char *area = db_col_text(row, 0);
    if (!area || strcmp(area, v->area) != 0)
        return 0;
    int n = budget_choices_read(db_col_text(row, 1), v->ids, v->pts, CHOICES_MAX);
    if (n <= 0)
        return 0;
    vk_buf_printf(v->b, "v%lld;", (long long)++v->n);
    for (int i = 0; i < n; i++)
        vk_buf_printf(v->b, "%s%lld", i ? "," : "", (long long)v->ids[i]);
    if (v->r->rule == BUDGET_POINTS) {
        vk_buf_putc(v->b, ';');
        for (int i = 0; i < n; i++)
            vk_buf_printf(v->b, "%s%d", i ? "," : "", v->pts[i]);
    }
    const char *kind = db_col_text(row, 2), *age = db_col_text(row, 3);
    vk_buf_printf(v->b, ";%s;", kind && strcmp(kind, "paper") == 0 ? "paper" : "internet");
    pb_text(v->b, age);
    vk_buf_putc(v->b, '\n');
    return 0;
}

vk_err budget_pabulib(store_conn *c, int64_t round_id, const budget_round *r,
                      const budget_projects *p, const budget_tally *t, int ai, vk_buf *b,
                      vk_errinfo *ei)
{
    const budget_area_tally *at = &t->area[ai];
    const uint8_t *sel = r->method == BUDGET_MES ? at->o.mes : at->o.greedy;
    const char *title = json_string_value(json_object_get(json_object_get(r->doc, "title"), "fi"));
    vk_buf_puts(b, "META\nkey;value\ndescription;");
    pb_text(b, title);
    vk_buf_printf(b, "\ncountry;Finland\nunit;Vaikuta\ninstance;%s\nsubunit;%s\n", r->slug,
                  r->areas[ai].key);
    vk_buf_printf(b, "num_projects;%d\nnum_votes;%lld\nbudget;%lld\n", at->np,
                  (long long)at->ballots, (long long)r->areas[ai].budget);
    if (r->rule == BUDGET_POINTS)
        vk_buf_printf(b, "vote_type;cumulative\nmax_sum_points;%d\n", r->points);
    else if (r->rule == BUDGET_APPROVAL)
        vk_buf_printf(b, "vote_type;approval\nmin_length;%d\nmax_length;%d\n", r->min_picks,
                      r->max_picks);
    else
        vk_buf_printf(b, "vote_type;approval\nmin_sum_cost;%lld\nmax_sum_cost;%lld\n",
                      (long long)(r->areas[ai].budget * r->min_share / 100),
                      (long long)r->areas[ai].budget);
    vk_buf_printf(b, "rule;%s\ndate_begin;%.10s\ndate_end;%.10s\nlanguage;fi\ncurrency;EUR\n",
                  r->method == BUDGET_MES ? "equalshares" : "greedy", r->starts[BUDGET_VOTING],
                  r->starts[BUDGET_RESULTS]);
    vk_buf_puts(b, "PROJECTS\nproject_id;cost;votes;name;category;selected\n");
    for (int i = 0; i < at->np; i++) {
        const budget_project_row *pr = &p->v[at->project[i]];
        vk_buf_printf(b, "%lld;%lld;%lld;", (long long)pr->id, (long long)pr->cost,
                      (long long)at->o.votes[i]);
        pb_text(b, pr->title);
        vk_buf_putc(b, ';');
        pb_text(b, pr->category);
        vk_buf_printf(b, ";%d\n", sel[i] ? 1 : 0);
    }
    vk_buf_printf(b, "VOTES\nvoter_id;vote;%svoting_method;age_group\n",
                  r->rule == BUDGET_POINTS ? "points;" : "");
    pb_votes *v = calloc(1, sizeof *v);
    if (!v)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    *v = (pb_votes){.r = r, .p = p, .area = r->areas[ai].key, .b = b};
    vk_err e = db_each(c, &budget_sql, SQL_BALLOTS_COUNTED, DB_ARGS(DB_INT(round_id)), pb_vote, v,
                       "reading the ballots", ei);
    free(v);
    if (!e && !vk_buf_ok(b))
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    return e;
}
