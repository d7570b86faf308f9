/*
 * score.h — the arithmetic of walk reports (docs/walks.md, "Reports and
 * figures"): the council's consensus on a finding, the accessibility
 * score, the median. Pure functions, so the unit tests check them against
 * hand-computed values and the SQL-side figures can be compared.
 */
#ifndef VK_WALK_SCORE_H
#define VK_WALK_SCORE_H

#include <stddef.h>

#include "walk/checklist.h"

/* The reviews of one finding. grade_votes[g]: reviews whose grade is g (an
 * "agree" without a grade counts for the finding's grade). */
typedef struct walk_votes {
    int agree, disagree, unsure;
    int grade_votes[WALK_NGRADES];
} walk_votes;

/* The consensus: result "none", "unsure", "agree", "disagree" or "split"
 * (static strings) and the grade the reviews support (finding_grade with
 * no grade votes; a tie goes to the more severe). */
void walk_consensus(const walk_votes *v, int finding_grade, const char **result, int *grade);

/* weight(grade): vaara 5, este 3, haitta 1; 0 out of range. */
double walk_grade_weight(int grade);
/* state(status): open and planned 1, fixed 0.25, verified and anything
 * else 0. */
double walk_status_factor(const char *status);
/* 1 when a finding counts in figures: not rejected and not disputed by
 * the council. */
int walk_finding_counts(const char *status, const char *consensus);
/* The score of a penalty over metres walked: round(100·3/(3+D)) with
 * D = penalty per 100 m (at least 100 m); -1 (null) when walked_m ≤ 0. */
int walk_score(double penalty, double walked_m);
/* The median of v[0..n) (sorted in place); the mean of the middle two for
 * an even n. NAN when n is 0. */
double walk_median(double *v, size_t n);

#endif
