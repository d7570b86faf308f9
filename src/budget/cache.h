/*
 * cache.h — a budgeting round as ballots are checked against it, parsed
 * once per process and revision.
 *
 * Every ballot needs the round's document (rule, areas, phases) and its
 * projects (ids, areas, costs). Both are kept per round, shared by every
 * worker thread and the writer, keyed by the round's revision
 * (budget_round.rev, raised by triggers whenever the document or a
 * project changes: schema/0018_budget_rev.sql). A request reads only the
 * round's stamp (one indexed row: id, rev, published, phase by hand) and
 * takes the entry when its revision matches; otherwise it loads and
 * parses the round again and the entry is replaced. An entry replaced
 * while in use lives until its last user gives it back.
 */
#ifndef VK_BUDGET_CACHE_H
#define VK_BUDGET_CACHE_H

#include <stdint.h>

#include "budget/ballot.h"
#include "budget/round.h"
#include "db/store.h"

typedef struct budget_cached {
    int64_t round_id, rev;
    char created[VK_RFC3339_LEN]; /* with the id: the round, also across databases */
    char *doc;                    /* the stored document (compact JSON) */
    budget_round r;               /* read-only */
    budget_projects p;            /* read-only, by id ascending */
    /* private to cache.c */
    int refs, current;
    struct budget_cached *next;
} budget_cached;

/* What changes without a new revision: read on every request. */
typedef struct budget_stamp {
    int published;
    char by_hand[20]; /* a phase name, or "" when the dates decide */
} budget_stamp;

/* The round of slug as stored now: *out NULL (and VK_OK) when there is
 * none. Give it back with budget_cache_put() (also NULL). */
vk_err budget_cache_get(store_conn *c, const char *slug, budget_stamp *stamp,
                        const budget_cached **out, vk_errinfo *ei);
void budget_cache_put(const budget_cached *bc);

/* Forget every entry not in use (tests that open several databases). */
void budget_cache_clear(void);

#endif
