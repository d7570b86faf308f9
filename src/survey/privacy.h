/*
 * privacy.h — the rules that keep published survey figures from singling
 * out a respondent (docs/survey-publish.md, "Privacy"). Pure arithmetic
 * over counts of respondents: no database, no JSON parsing.
 *
 * A figure is a cell: a count of respondents. The rules, in the order a
 * table goes through them:
 *   primary     a count from 1 to k − 1 is suppressed ("fewer than k");
 *   difference  a cell of a filtered view whose difference from the same
 *               cell in a view with one condition fewer is from 1 to
 *               k − 1 is suppressed (subtracting the two would show the
 *               small group);
 *   secondary   in a table whose cells add up to a shown total, a single
 *               suppressed cell would be the total minus the others, so
 *               the smallest shown positive cell is suppressed too.
 * A view (the respondents a filter keeps) is refused when it, its
 * complement or its difference from a view with one condition fewer
 * covers 1 to k − 1 respondents.
 */
#ifndef VK_SURVEY_PRIVACY_H
#define VK_SURVEY_PRIVACY_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Never publish from fewer respondents than this, whatever the author set. */
#define PRIV_K_MIN 3
#define PRIV_K_DEFAULT 5

typedef enum {
    PRIV_SHOWN = 0,
    PRIV_BELOW_K,    /* 1 … k − 1 */
    PRIV_SECONDARY,  /* hidden to protect another cell (any size) */
} priv_state;

typedef struct priv_cell {
    int64_t n;
    priv_state state;
} priv_cell;

/* 1 when n respondents are too few to show and too many to be nobody. */
static inline int priv_small(int64_t n, int k)
{
    return n > 0 && n < k;
}

/* Primary suppression of n cells. */
void priv_primary(priv_cell *c, size_t n, int k);

/* The difference rule: parent[i] is cell i of the view with one condition
 * fewer (its counts, whatever was shown there). */
void priv_difference(priv_cell *c, const int64_t *parent, size_t n, int k);

/* Secondary suppression of a table whose n cells add up to a shown total:
 * afterwards no suppressed cell is alone. bound (may be NULL) is each
 * cell's count in the whole survey, an upper bound the reader knows.
 * Returns the cells it hid, or −1 when no cell can cover a lone hidden
 * one (the total then gives it away: the caller must not show the table's
 * total either). */
int priv_secondary(priv_cell *c, size_t n, const int64_t *bound);

/* Why a view is refused. */
typedef enum {
    PRIV_VIEW_OK = 0,
    PRIV_VIEW_SMALL,       /* the view itself */
    PRIV_VIEW_COMPLEMENT,  /* everyone else */
    PRIV_VIEW_DIFFERENCE,  /* the view with one condition fewer, minus it */
} priv_view;

/* view respondents out of all; parents[0..nparents) the views with one
 * condition fewer (for one condition: all). */
priv_view priv_view_check(int64_t view, int64_t all, const int64_t *parents, int nparents,
                          int k);

/* The cell as JSON: its count, {"suppressed":true,"below":k} or
 * {"suppressed":true,"secondary":true}. */
void priv_put(vk_buf *b, const priv_cell *c, int k);

#endif
