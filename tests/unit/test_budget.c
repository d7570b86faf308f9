/*
 * test_budget.c — the results of a budgeting area (budget/results.h)
 * against hand-worked elections: greedy skipping what does not fit, ties,
 * Equal Shares with approval utilities where it and greedy differ, with
 * points as utilities and its completion, refusals of malformed input,
 * and the time for 100 000 ballots over 300 projects.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "budget/results.h"
#include "t.h"

/* An election from ballots written as rows of (project, utility) pairs,
 * each row ended by -1. */
typedef struct built {
    budget_election el;
    int32_t start[64], proj[256], util[256];
} built;

static void build(built *b, int np, const int64_t *cost, int64_t budget, const int *rows)
{
    memset(b, 0, sizeof *b);
    int v = 0, k = 0;
    b->start[0] = 0;
    for (const int *r = rows; *r != -2; r++) {
        if (*r == -1) {
            b->start[++v] = k;
            continue;
        }
        b->proj[k] = r[0];
        b->util[k] = r[1];
        k++;
        r++;
    }
    b->el = (budget_election){np, cost, budget, v, b->start, b->proj, b->util};
}

static int selected(const uint8_t *sel, int n, const char *want)
{
    for (int c = 0; c < n; c++)
        if (!!sel[c] != (strchr(want, 'A' + c) != NULL))
            return 0;
    return 1;
}

/* 6 voters approve A and B, 4 approve C; each costs 50 of 100. Greedy
 * takes A and B (6 votes each); the group of 4 gets nothing although it
 * is 40 % of the voters. Equal Shares: each voter has 10; the six buy A at
 * 50/6 each; with 13 each (add-one) the four can buy C at 12.5 each and
 * B is still out of the six's reach (6 × 4.67 = 28 < 50): {A, C} costs
 * 100; with 17 each the six could also buy B (150 > 100), so {A, C}. */
static void test_differ(void)
{
    static const int64_t cost[] = {50, 50, 50};
    static const int rows[] = {0, 1, 1, 1, -1, 0, 1, 1, 1, -1, 0, 1, 1, 1, -1,
                               0, 1, 1, 1, -1, 0, 1, 1, 1, -1, 0, 1, 1, 1, -1,
                               2, 1, -1, 2, 1, -1, 2, 1, -1, 2, 1, -1, -2};
    built b;
    build(&b, 3, cost, 100, rows);
    budget_outcome o;
    vk_errinfo ei;
    T_EQ_INT(budget_results(&b.el, &o, &ei), VK_OK, "approval election computes");
    T_EQ_INT(o.votes[0], 6, "A has 6 votes");
    T_EQ_INT(o.votes[2], 4, "C has 4 votes");
    T_OK(selected(o.greedy, 3, "AB"), "greedy selects A and B");
    T_EQ_INT(o.spent_greedy, 100, "greedy spends 100");
    T_OK(selected(o.mes, 3, "AC"), "equal shares selects A and C");
    T_EQ_INT(o.spent_mes, 100, "equal shares spends 100");
    T_OK(o.mes_rounds >= 8, "add-one took several runs (%d)", o.mes_rounds);
    budget_outcome_fini(&o);
}

/* Greedy skips a project that does not fit and takes the next that does:
 * A 80 (5 votes), B 50 (4), C 20 (3) in 100 → A, C. */
static void test_greedy_skips(void)
{
    static const int64_t cost[] = {80, 50, 20};
    static const int rows[] = {0, 1, 1, 1, 2, 1, -1, 0, 1, 1, 1, 2, 1, -1, 0, 1, 1, 1, 2, 1, -1,
                               0, 1, 1, 1, -1, 0, 1, -1, -2};
    built b;
    build(&b, 3, cost, 100, rows);
    budget_outcome o;
    vk_errinfo ei;
    T_EQ_INT(budget_results(&b.el, &o, &ei), VK_OK, "computes");
    T_OK(o.votes[0] == 5 && o.votes[1] == 4 && o.votes[2] == 3, "votes 5, 4, 3");
    T_OK(selected(o.greedy, 3, "AC"), "greedy: A, skips B, takes C");
    T_EQ_INT(o.spent_greedy, 100, "greedy spends 100");
    budget_outcome_fini(&o);
}

/* Equal votes: the cheaper first, then the lower index. A 60, B 40, C 40,
 * each with 1 vote, 80 → B and C (40 + 40), not A. */
static void test_ties(void)
{
    static const int64_t cost[] = {60, 40, 40};
    static const int rows[] = {0, 1, 1, 1, 2, 1, -1, -2};
    built b;
    build(&b, 3, cost, 80, rows);
    budget_outcome o;
    vk_errinfo ei;
    T_EQ_INT(budget_results(&b.el, &o, &ei), VK_OK, "computes");
    T_OK(selected(o.greedy, 3, "BC"), "ties go to the cheaper projects");
    T_OK(selected(o.mes, 3, "BC"), "one voter: equal shares agrees");
    budget_outcome_fini(&o);
}

/* Points as utilities: v1 {X:5}, v2 {Y:2, Z:3}; X 6, Y 4, Z 5 in 10.
 * Each has 5: X (6) is out of v1's reach; Z's ρ 5/3 < Y's 4/2, so v2 buys
 * Z and has nothing left. With 6 each v1 buys X too: 11 > 10, so the
 * equal-shares outcome is {Z}, completed by votes: X (5 votes) does not
 * fit beside Z, Y (2) does → {Y, Z}, 9. Greedy by points: X, then Z does
 * not fit, Y does → {X, Y}, 10. */
static void test_points(void)
{
    static const int64_t cost[] = {6, 4, 5};
    static const int rows[] = {0, 5, -1, 1, 2, 2, 3, -1, -2};
    built b;
    build(&b, 3, cost, 10, rows);
    budget_outcome o;
    vk_errinfo ei;
    T_EQ_INT(budget_results(&b.el, &o, &ei), VK_OK, "points election computes");
    T_OK(o.votes[0] == 5 && o.votes[1] == 2 && o.votes[2] == 3, "votes are point sums");
    T_OK(selected(o.greedy, 3, "AB"), "greedy: X and Y");
    T_EQ_INT(o.spent_greedy, 10, "greedy spends 10");
    T_OK(selected(o.mes, 3, "BC"), "equal shares: Z, completed with Y");
    T_EQ_INT(o.spent_mes, 9, "equal shares spends 9");
    budget_outcome_fini(&o);
}

/* Nobody voted: nothing is selected. Malformed elections are refused. */
static void test_edges(void)
{
    static const int64_t cost[] = {10, 20};
    static const int none[] = {-2};
    built b;
    build(&b, 2, cost, 100, none);
    budget_outcome o;
    vk_errinfo ei;
    T_EQ_INT(budget_results(&b.el, &o, &ei), VK_OK, "no ballots computes");
    T_OK(selected(o.greedy, 2, "") && selected(o.mes, 2, ""), "no ballots: nothing selected");
    budget_outcome_fini(&o);
    static const int bad[] = {5, 1, -1, -2};
    build(&b, 2, cost, 100, bad);
    T_EQ_INT(budget_results(&b.el, &o, &ei), VK_EVALUE, "a project index out of range is refused");
    static const int zero[] = {0, 0, -1, -2};
    build(&b, 2, cost, 100, zero);
    T_EQ_INT(budget_results(&b.el, &o, &ei), VK_EVALUE, "a utility of 0 is refused");
    static const int64_t free_cost[] = {0, 20};
    build(&b, 2, free_cost, 100, none);
    T_EQ_INT(budget_results(&b.el, &o, &ei), VK_EVALUE, "a cost of 0 is refused");
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* 100 000 ballots of 1–10 approvals (popularity skewed) over 300 projects
 * of 1 000–20 000 €, budget 400 000 €: both methods in under a second of
 * this thread's CPU time (wall time would measure the other processes on
 * a shared machine). */
static void test_speed(int points)
{
    enum { NP = 300, NV = 100000 };
    int64_t *cost = malloc(NP * sizeof *cost);
    int32_t *start = malloc((NV + 1) * sizeof *start);
    int32_t *proj = malloc((size_t)NV * 10 * sizeof *proj);
    int32_t *util = malloc((size_t)NV * 10 * sizeof *util);
    for (int c = 0; c < NP; c++)
        cost[c] = 1000 + (int64_t)(next() % 19001);
    int32_t k = 0;
    for (int v = 0; v < NV; v++) {
        start[v] = k;
        int n = 1 + (int)(next() % 10);
        uint8_t seen[NP] = {0};
        for (int i = 0; i < n; i++) {
            /* the square of a uniform number: low indices more popular */
            uint64_t r = next() % 1000;
            int c = (int)(r * r * NP / 1000000);
            if (seen[c])
                continue;
            seen[c] = 1;
            proj[k] = c;
            util[k] = points ? 1 + (int32_t)(next() % 5) : 1;
            k++;
        }
    }
    start[NV] = k;
    budget_election el = {NP, cost, 400000, NV, start, proj, util};
    budget_outcome o;
    vk_errinfo ei;
    struct timespec t0, t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    vk_err e = budget_results(&el, &o, &ei);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    T_EQ_INT(e, VK_OK, "100 000 %s ballots × 300 projects compute", points ? "points" : "approval");
    T_OK(s < 1.0, "both methods in %.3f s of CPU (< 1 s; %d add-one runs)", s, o.mes_rounds);
    T_OK(o.spent_mes <= 400000 && o.spent_greedy <= 400000, "both stay within the budget");
    budget_outcome_fini(&o);
    free(cost);
    free(start);
    free(proj);
    free(util);
}

int main(void)
{
    test_differ();
    test_greedy_skips();
    test_ties();
    test_points();
    test_edges();
    test_speed(0);
    test_speed(1);
    return t_done();
}
