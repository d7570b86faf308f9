/*
 * tally.h — a round's counted ballots turned into results per area
 * (results.h does the methods) and written as the results JSON and as
 * Pabulib (docs/budgeting.md, "Results" and "Exports").
 */
#ifndef VK_BUDGET_TALLY_H
#define VK_BUDGET_TALLY_H

#include "budget/ballot.h"
#include "budget/results.h"
#include "budget/round.h"
#include "core/buf.h"
#include "db/store.h"

typedef struct budget_area_tally {
    int np;        /* the area's projects */
    int *project;  /* area index → index in budget_projects */
    int64_t ballots;
    budget_outcome o;
} budget_area_tally;

typedef struct budget_tally {
    int nareas;
    budget_area_tally area[BUDGET_AREAS_MAX];
} budget_tally;

/* Count the round's ballots (the latest choices of each; paper ones once
 * confirmed) and compute both methods in every area. Caller frees with
 * budget_tally_fini(). */
vk_err budget_tally_compute(store_conn *c, int64_t round_id, const budget_round *r,
                            const budget_projects *p, budget_tally *t, vk_errinfo *ei);
void budget_tally_fini(budget_tally *t);

/* The results object of docs/budgeting.md into b. */
void budget_tally_json(const budget_tally *t, const budget_round *r, const budget_projects *p,
                       vk_buf *b);

/* The Pabulib file of area ai into b: META, PROJECTS (with votes and the
 * round method's selection) and VOTES, voters numbered v1, v2, … in the
 * order the database returns them. */
vk_err budget_pabulib(store_conn *c, int64_t round_id, const budget_round *r,
                      const budget_projects *p, const budget_tally *t, int ai, vk_buf *b,
                      vk_errinfo *ei);

#endif
