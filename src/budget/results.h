/*
 * results.h — the winners of one area of a budgeting round, under both
 * methods of docs/budgeting.md ("Results"):
 *
 *  - greedy by votes within the budget (Consul): projects by votes, most
 *    first (ties: lower cost, then lower index); one that does not fit in
 *    what is left is skipped and the next is tried;
 *  - the Method of Equal Shares with additive utilities (approval
 *    utilities for knapsack and approval ballots, the points for points
 *    ballots), completed by add-one (the per-voter budget raised step by
 *    step while the outcome still fits) and then greedily by votes.
 *
 * Pure computation: no database, no allocation the caller sees besides
 * the outcome's arrays. Projects are indices 0..n-1 (the caller keeps the
 * ids, in ascending id order so "lower index" is "lower id"); ballots are
 * given in compressed rows (start[v]..start[v+1] of proj/util).
 */
#ifndef VK_BUDGET_RESULTS_H
#define VK_BUDGET_RESULTS_H

#include <stdint.h>

#include "core/err.h"

typedef struct budget_election {
    int nprojects;
    const int64_t *cost; /* nprojects costs, each > 0 */
    int64_t budget;      /* the area's budget, > 0 */
    int nvoters;
    const int32_t *start; /* nvoters + 1 offsets into proj and util */
    const int32_t *proj;  /* project indices (distinct within a ballot) */
    const int32_t *util;  /* utilities ≥ 1: 1 for approval, the points */
} budget_election;

typedef struct budget_outcome {
    int nprojects;
    int64_t *votes;   /* per project: the sum of its utilities (approvals or points) */
    uint8_t *greedy;  /* per project: 1 when selected by greedy */
    uint8_t *mes;     /* per project: 1 when selected by equal shares */
    int64_t spent_greedy, spent_mes;
    int mes_rounds;   /* add-one steps taken (for the benchmark and tests) */
} budget_outcome;

/* Compute both methods. out is the caller's, filled here; free with
 * budget_outcome_fini(). VK_EVALUE for a malformed election (an index out
 * of range, a utility < 1, a cost ≤ 0), VK_ENOMEM. */
vk_err budget_results(const budget_election *el, budget_outcome *out, vk_errinfo *ei);
void budget_outcome_fini(budget_outcome *out);

/* The add-one step of the per-voter budget for an election: 1 (€), or
 * the largest cost / 1000 when 1 € steps would take more than 1000 runs. */
double budget_mes_step(const budget_election *el);

#endif
