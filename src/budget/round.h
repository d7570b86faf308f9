/*
 * round.h — a budgeting round's document (docs/budgeting.md, "A round"):
 * its check, the parsed form the handlers use, and the phase at a time.
 *
 * budget_round_parse checks a whole document and normalises it in place
 * (phase dates to UTC seconds, a missing areas list to one area "all"), so
 * the stored text is the checked, normalised one; every later read parses
 * that text again with the same function.
 */
#ifndef VK_BUDGET_ROUND_H
#define VK_BUDGET_ROUND_H

#include <jansson.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/err.h"
#include "gis/gis.h"

#define BUDGET_SLUG_MAX 64
#define BUDGET_KEY_MAX 32
#define BUDGET_AREAS_MAX 32
#define BUDGET_BUDGET_MAX 1000000000LL

typedef enum {
    BUDGET_UPCOMING,
    BUDGET_PROPOSALS,
    BUDGET_REVIEW,
    BUDGET_VOTING,
    BUDGET_RESULTS,
    BUDGET_IMPLEMENTATION,
    BUDGET_PHASES
} budget_phase;

typedef enum { BUDGET_KNAPSACK, BUDGET_APPROVAL, BUDGET_POINTS } budget_rule;
typedef enum { BUDGET_GREEDY, BUDGET_MES } budget_method;

/* Voter kinds, a bit set. */
#define BUDGET_VOTER_CODES 1
#define BUDGET_VOTER_OPEN 2
#define BUDGET_VOTER_PAPER 4

typedef struct budget_area {
    char key[BUDGET_KEY_MAX + 1];
    int64_t budget;
    const json_t *districts; /* borrowed from doc; NULL when none */
    const json_t *geometry;  /* borrowed from doc; NULL when none */
} budget_area;

typedef struct budget_round {
    json_t *doc; /* owned reference */
    char slug[BUDGET_SLUG_MAX + 1];
    int64_t budget;
    int nareas;
    budget_area areas[BUDGET_AREAS_MAX];
    char starts[BUDGET_PHASES][VK_RFC3339_LEN]; /* [BUDGET_PROPOSALS..]; [0] unused */
    budget_rule rule;
    int min_share;       /* knapsack: percent */
    int min_picks, max_picks; /* approval */
    int points;          /* points */
    int voters;          /* BUDGET_VOTER_* */
    int min_age;         /* -1: none */
    budget_method method;
} budget_round;

/* Check doc (takes a reference of its own) and fill r; normalises doc in
 * place. g (may be NULL: geometries are then only shape-checked by
 * jansson) checks area polygons. Errors name the member:
 * "areas[1].budget", "phases.voting.starts", "voting.min". Caller frees
 * with budget_round_fini() (also after a failure). */
vk_err budget_round_parse(gis_ctx *g, json_t *doc, budget_round *r, vk_errinfo *ei);
void budget_round_fini(budget_round *r);

/* The phase at now (RFC 3339 UTC seconds): by_hand when it is a phase
 * name, else the last phase whose start ≤ now. */
budget_phase budget_round_phase(const budget_round *r, const char *by_hand, const char *now);
const char *budget_phase_name(budget_phase p);
/* -1 for an unknown name. */
int budget_phase_parse(const char *name);
const char *budget_rule_name(budget_rule r);
const char *budget_method_name(budget_method m);

/* The area of key, NULL when the round has none. */
const budget_area *budget_round_area(const budget_round *r, const char *key);

/* The open voters' age groups, and whether one is old enough for min_age
 * (its upper end ≥ min_age; "75+" always). -1: not a group. */
int budget_age_group_ok(const char *group, int min_age);

#endif
