/*
 * ballot.h — a round's projects as ballots see them, the check of a
 * ballot's choices against the round's rule, and the stored form of
 * choices (docs/budgeting.md, "Ballots").
 *
 * Stored choices are compact JSON: [7,12] for knapsack and approval,
 * {"7":6,"12":4} for points, ids ascending. budget_choices_read reads them
 * back without a JSON parser (the tally reads 100 000 of them).
 */
#ifndef VK_BUDGET_BALLOT_H
#define VK_BUDGET_BALLOT_H

#include <jansson.h>
#include <stdint.h>

#include "budget/round.h"
#include "db/store.h"

#define BUDGET_PROJECTS_MAX 1000 /* per round */

typedef struct budget_project_row {
    int64_t id;
    char area[BUDGET_KEY_MAX + 1];
    int64_t cost;
    char title[201];    /* the Finnish title, for exports */
    char *titles;       /* the title {fi, sv, en} as JSON text, owned */
    char category[BUDGET_KEY_MAX + 9];
} budget_project_row;

typedef struct budget_projects {
    budget_project_row *v; /* by id ascending */
    int n;
} budget_projects;

/* The projects of a round. Caller frees with budget_projects_fini(). */
vk_err budget_projects_load(store_conn *c, int64_t round_id, budget_projects *out,
                            vk_errinfo *ei);
void budget_projects_fini(budget_projects *p);
/* The index of project id, -1 when the round has none. */
int budget_projects_find(const budget_projects *p, int64_t id);

typedef struct budget_choice {
    char area[BUDGET_KEY_MAX + 1];
    char *text;    /* the stored form, malloc'd: caller frees */
    int64_t total; /* the cost of the chosen projects */
} budget_choice;

/* Check {area, projects | points} of doc (other members are the caller's
 * to allow) against the round's rule; VK_EBALLOT_INVALID naming the
 * field, VK_EMISSING, VK_ETYPE. */
vk_err budget_ballot_check(const budget_round *r, const budget_projects *p, const json_t *doc,
                           budget_choice *out, vk_errinfo *ei);

/* Read stored choices: ids into ids and, for points, the points into pts
 * (else every pts is 1); at most max. Returns how many, or -1 when the
 * text is not of the stored form. */
int budget_choices_read(const char *text, int64_t *ids, int32_t *pts, int max);

#endif
