/*
 * results.c — greedy and the Method of Equal Shares (see results.h).
 *
 * Equal Shares is computed with the usual lazy evaluation: a voter's money
 * only goes down, so a project's ρ (the largest payment per unit of
 * utility its supporters make to buy it) only goes up from one purchase to
 * the next. Projects are visited in order of their last ρ; once the next
 * one's last ρ exceeds the best fresh ρ found, none after it can win.
 */
#include "budget/results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MES_MAX_RUNS 2000 /* add-one runs at most (the step makes ~1000 enough) */
#define REL_EPS 1e-9

typedef struct payer {
    double key; /* money left / utility: the ρ at which this supporter runs dry */
    double money;
    int32_t util;
} payer;

/* The supporters of each project: the transpose of the ballots. */
typedef struct by_project {
    int32_t *start; /* nprojects + 1 */
    int32_t *voter;
    int32_t *util;
} by_project;

typedef struct mes_state {
    const budget_election *el;
    const int64_t *votes;
    by_project bp;
    double *money; /* per voter */
    double *lb;    /* per project: a lower bound of its ρ */
    int *cand;     /* candidates, by lb */
    int ncand;
    payer *scratch;
} mes_state;

static int near(double a, double b)
{
    return fabs(a - b) <= REL_EPS * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* Order of preference between two projects with equal scores: more votes,
 * then lower cost, then lower index. < 0 when a comes first. */
static int tie_order(const budget_election *el, const int64_t *votes, int a, int b)
{
    if (votes[a] != votes[b])
        return votes[a] > votes[b] ? -1 : 1;
    if (el->cost[a] != el->cost[b])
        return el->cost[a] < el->cost[b] ? -1 : 1;
    return a < b ? -1 : (a > b);
}

static int cmp_payer(const void *x, const void *y)
{
    const payer *a = x, *b = y;
    return (a->key > b->key) - (a->key < b->key);
}

/* The ρ at which c's supporters can pay its cost, each paying
 * min(money, util·ρ); -1 when they cannot. */
static double project_rho(mes_state *s, int c)
{
    const by_project *bp = &s->bp;
    int n = 0;
    double total = 0, usum = 0;
    for (int32_t k = bp->start[c]; k < bp->start[c + 1]; k++) {
        double m = s->money[bp->voter[k]];
        if (m <= 0)
            continue;
        s->scratch[n++] = (payer){m / bp->util[k], m, bp->util[k]};
        total += m;
        usum += bp->util[k];
    }
    double cost = (double)s->el->cost[c];
    if (total < cost && !near(total, cost))
        return -1;
    qsort(s->scratch, (size_t)n, sizeof *s->scratch, cmp_payer);
    double paid = 0;
    for (int i = 0; i < n; i++) {
        /* Everyone from i on pays util·ρ; those before pay all they have. */
        if (paid + usum * s->scratch[i].key >= cost)
            return (cost - paid) / usum;
        paid += s->scratch[i].money;
        usum -= s->scratch[i].util;
    }
    return usum > 0 ? (cost - paid) / usum : s->scratch[n - 1].key;
}

/* Candidates by their last ρ (ties as tie_order). An insertion sort:
 * there are at most a few hundred projects and the order barely changes
 * between purchases, and qsort could not be given s without a global. */
static void sort_cand(mes_state *s)
{
    for (int i = 1; i < s->ncand; i++) {
        int c = s->cand[i], j = i;
        while (j > 0) {
            int p = s->cand[j - 1];
            int before = near(s->lb[p], s->lb[c]) ? tie_order(s->el, s->votes, c, p) < 0
                                                 : s->lb[c] < s->lb[p];
            if (!before)
                break;
            s->cand[j] = p;
            j--;
        }
        s->cand[j] = c;
    }
}

/* One run of Equal Shares with a per-voter budget of each; sel gets the
 * outcome, *spent its cost. */
static void mes_run(mes_state *s, double each, uint8_t *sel, int64_t *spent)
{
    const budget_election *el = s->el;
    for (int v = 0; v < el->nvoters; v++)
        s->money[v] = each;
    memset(sel, 0, (size_t)el->nprojects);
    *spent = 0;
    s->ncand = 0;
    for (int c = 0; c < el->nprojects; c++) {
        double usum = 0;
        for (int32_t k = s->bp.start[c]; k < s->bp.start[c + 1]; k++)
            usum += s->bp.util[k];
        if (usum <= 0)
            continue;
        s->lb[c] = (double)el->cost[c] / usum;
        s->cand[s->ncand++] = c;
    }
    for (;;) {
        sort_cand(s);
        int best = -1;
        double best_rho = INFINITY;
        for (int i = 0; i < s->ncand; i++) {
            int c = s->cand[i];
            if (c < 0)
                continue;
            if (best >= 0 && s->lb[c] > best_rho && !near(s->lb[c], best_rho))
                break;
            double rho = project_rho(s, c);
            if (rho < 0) {
                s->cand[i] = -1; /* never affordable again: money only falls */
                continue;
            }
            s->lb[c] = rho;
            if (best < 0 || (rho < best_rho && !near(rho, best_rho)) ||
                (near(rho, best_rho) && tie_order(el, s->votes, c, best) < 0)) {
                best = c;
                best_rho = rho;
            }
        }
        if (best < 0)
            break;
        for (int32_t k = s->bp.start[best]; k < s->bp.start[best + 1]; k++) {
            double *m = &s->money[s->bp.voter[k]];
            *m -= fmin(*m, s->bp.util[k] * best_rho);
        }
        sel[best] = 1;
        *spent += el->cost[best];
        int w = 0;
        for (int i = 0; i < s->ncand; i++)
            if (s->cand[i] >= 0 && s->cand[i] != best)
                s->cand[w++] = s->cand[i];
        s->ncand = w;
    }
}

/* Projects by votes, most first (ties: lower cost, lower index), each
 * added when it has votes and fits in what is left. */
static void greedy_fill(const budget_election *el, const int64_t *votes, const int *order,
                        uint8_t *sel, int64_t *spent)
{
    for (int i = 0; i < el->nprojects; i++) {
        int c = order[i];
        if (!sel[c] && votes[c] > 0 && *spent + el->cost[c] <= el->budget) {
            sel[c] = 1;
            *spent += el->cost[c];
        }
    }
}

/* Projects by votes, most first (ties as tie_order): insertion sort, as
 * sort_cand. */
static void sort_by_votes(const budget_election *el, const int64_t *votes, int *order)
{
    for (int i = 0; i < el->nprojects; i++) {
        int c = i, j = i;
        while (j > 0 && tie_order(el, votes, c, order[j - 1]) < 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = c;
    }
}

double budget_mes_step(const budget_election *el)
{
    int64_t max = 0;
    for (int c = 0; c < el->nprojects; c++)
        if (el->cost[c] > max)
            max = el->cost[c];
    return fmax(1.0, (double)max / 1000.0);
}

static vk_err check_election(const budget_election *el, vk_errinfo *ei)
{
    if (el->nprojects < 0 || el->nvoters < 0 || el->budget <= 0)
        return vk_fail(ei, VK_EVALUE, "budget", "the election's sizes or budget are not valid");
    for (int c = 0; c < el->nprojects; c++)
        if (el->cost[c] <= 0)
            return vk_fail(ei, VK_EVALUE, "cost", "project %d costs nothing", c);
    for (int v = 0; v < el->nvoters; v++)
        for (int32_t k = el->start[v]; k < el->start[v + 1]; k++)
            if (el->proj[k] < 0 || el->proj[k] >= el->nprojects || el->util[k] < 1)
                return vk_fail(ei, VK_EVALUE, "ballot", "ballot %d names no project or gives no utility", v);
    return VK_OK;
}

static vk_err transpose(const budget_election *el, by_project *bp)
{
    int32_t total = el->nvoters ? el->start[el->nvoters] : 0;
    bp->start = calloc((size_t)el->nprojects + 1, sizeof *bp->start);
    bp->voter = malloc(((size_t)total + 1) * sizeof *bp->voter);
    bp->util = malloc(((size_t)total + 1) * sizeof *bp->util);
    if (!bp->start || !bp->voter || !bp->util)
        return VK_ENOMEM;
    for (int32_t k = 0; k < total; k++)
        bp->start[el->proj[k] + 1]++;
    for (int c = 0; c < el->nprojects; c++)
        bp->start[c + 1] += bp->start[c];
    int32_t *fill = malloc(((size_t)el->nprojects + 1) * sizeof *fill);
    if (!fill)
        return VK_ENOMEM;
    memcpy(fill, bp->start, ((size_t)el->nprojects + 1) * sizeof *fill);
    for (int v = 0; v < el->nvoters; v++)
        for (int32_t k = el->start[v]; k < el->start[v + 1]; k++) {
            int32_t at = fill[el->proj[k]]++;
            bp->voter[at] = v;
            bp->util[at] = el->util[k];
        }
    free(fill);
    return VK_OK;
}

static void fini_state(mes_state *s)
{
    free(s->bp.start);
    free(s->bp.voter);
    free(s->bp.util);
    free(s->money);
    free(s->lb);
    free(s->cand);
    free(s->scratch);
}

vk_err budget_results(const budget_election *el, budget_outcome *out, vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    vk_err e = check_election(el, ei);
    if (e)
        return e;
    size_t np = (size_t)el->nprojects;
    out->nprojects = el->nprojects;
    out->votes = calloc(np + 1, sizeof *out->votes);
    out->greedy = calloc(np + 1, 1);
    out->mes = calloc(np + 1, 1);
    mes_state s = {.el = el, .votes = out->votes};
    uint8_t *trial = calloc(np + 1, 1);
    int *order = malloc((np + 1) * sizeof *order);
    int32_t total = el->nvoters ? el->start[el->nvoters] : 0;
    s.money = malloc(((size_t)el->nvoters + 1) * sizeof *s.money);
    s.lb = calloc(np + 1, sizeof *s.lb);
    s.cand = malloc((np + 1) * sizeof *s.cand);
    s.scratch = malloc(((size_t)el->nvoters + 1) * sizeof *s.scratch);
    if (!out->votes || !out->greedy || !out->mes || !trial || !order || !s.money || !s.lb ||
        !s.cand || !s.scratch || transpose(el, &s.bp) != VK_OK) {
        free(trial);
        free(order);
        fini_state(&s);
        budget_outcome_fini(out);
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    for (int32_t k = 0; k < total; k++)
        out->votes[el->proj[k]] += el->util[k];
    sort_by_votes(el, out->votes, order);

    greedy_fill(el, out->votes, order, out->greedy, &out->spent_greedy);

    if (el->nvoters > 0) {
        /* Add-one: raise each voter's share while the outcome still fits;
         * keep the last that fits. The first run always fits: nobody pays
         * more than budget / n. */
        double each = (double)el->budget / el->nvoters, step = budget_mes_step(el);
        int64_t spent = 0;
        mes_run(&s, each, out->mes, &out->spent_mes);
        out->mes_rounds = 1;
        int supported = 0, chosen = 0;
        for (int c = 0; c < el->nprojects; c++) {
            supported += out->votes[c] > 0;
            chosen += out->mes[c];
        }
        while (chosen < supported && out->mes_rounds < MES_MAX_RUNS) {
            each += step;
            mes_run(&s, each, trial, &spent);
            out->mes_rounds++;
            if (spent > el->budget)
                break;
            memcpy(out->mes, trial, np);
            out->spent_mes = spent;
            chosen = 0;
            for (int c = 0; c < el->nprojects; c++)
                chosen += trial[c];
        }
    }
    greedy_fill(el, out->votes, order, out->mes, &out->spent_mes);
    free(trial);
    free(order);
    fini_state(&s);
    return VK_OK;
}

void budget_outcome_fini(budget_outcome *out)
{
    free(out->votes);
    free(out->greedy);
    free(out->mes);
    memset(out, 0, sizeof *out);
}
