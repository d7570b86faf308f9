/* score.c — consensus, score and median (score.h). */
#include "walk/score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void walk_consensus(const walk_votes *v, int finding_grade, const char **result, int *grade)
{
    int reviews = v->agree + v->disagree + v->unsure;
    int decisive = v->agree + v->disagree;
    if (reviews == 0)
        *result = "none";
    else if (decisive == 0)
        *result = "unsure";
    else if (3 * v->agree >= 2 * decisive)
        *result = "agree";
    else if (3 * v->disagree >= 2 * decisive)
        *result = "disagree";
    else
        *result = "split";
    /* Grades run most severe first, so the first of equal counts wins. */
    int best = -1;
    for (int g = 0; g < WALK_NGRADES; g++)
        if (v->grade_votes[g] > 0 && (best < 0 || v->grade_votes[g] > v->grade_votes[best]))
            best = g;
    *grade = best >= 0 ? best : finding_grade;
}

double walk_grade_weight(int grade)
{
    static const double w[WALK_NGRADES] = {5, 3, 1};
    return grade >= 0 && grade < WALK_NGRADES ? w[grade] : 0;
}

double walk_status_factor(const char *status)
{
    if (!status)
        return 0;
    if (strcmp(status, "open") == 0 || strcmp(status, "planned") == 0)
        return 1;
    if (strcmp(status, "fixed") == 0)
        return 0.25;
    return 0;
}

int walk_finding_counts(const char *status, const char *consensus)
{
    return !(status && strcmp(status, "rejected") == 0) &&
           !(consensus && strcmp(consensus, "disagree") == 0);
}

int walk_score(double penalty, double walked_m)
{
    if (!(walked_m > 0))
        return -1;
    double d = penalty / (fmax(walked_m, 100) / 100);
    return (int)lround(100 * 3 / (3 + d));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double walk_median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
