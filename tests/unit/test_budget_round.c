/*
 * test_budget_round.c — a round's document (budget/round.h): the default
 * area, normalised dates, the phase at a time and by hand, age groups;
 * and the stored form of ballot choices read back (budget/ballot.h);
 * the round cache (budget/cache.h) following every change of the round
 * and its projects through the revision the triggers raise.
 */
#include <jansson.h>
#include <string.h>

#include "budget/ballot.h"
#include "budget/cache.h"
#include "budget/round.h"
#include "budget/sql.h"
#include "db/stmt.h"
#include "db/store.h"
#include "t.h"
#include "tmp.h"

static const char *const DOC =
    "{\"slug\":\"r\",\"title\":{\"fi\":\"Kierros\"},\"budget\":1000,"
    "\"phases\":{\"proposals\":{\"starts\":\"2027-01-10T02:00:00+02:00\"},"
    "\"review\":{\"starts\":\"2027-02-01T00:00:00Z\"},\"voting\":{\"starts\":\"2027-03-01T00:00:00Z\"},"
    "\"results\":{\"starts\":\"2027-04-01T00:00:00Z\"},\"implementation\":{\"starts\":\"2027-05-01T00:00:00Z\"}},"
    "\"voting\":{\"rule\":\"approval\",\"min\":1,\"max\":3},\"voters\":[\"open\",\"codes\"],"
    "\"min_age\":15,\"method\":\"greedy\"}";

static void test_parse_and_phase(void)
{
    json_t *doc = json_loads(DOC, 0, NULL);
    budget_round r;
    vk_errinfo ei;
    T_EQ_INT(budget_round_parse(NULL, doc, &r, &ei), VK_OK, "a minimal round passes");
    T_EQ_INT(r.nareas, 1, "without areas the round has one");
    T_EQ_STR(r.areas[0].key, "all", "called all");
    T_EQ_INT(r.areas[0].budget, 1000, "with the whole budget");
    T_OK(json_array_size(json_object_get(doc, "areas")) == 1, "written into the document");
    T_EQ_STR(r.starts[BUDGET_PROPOSALS], "2027-01-10T00:00:00Z", "a start is normalised to UTC");
    T_EQ_INT(r.rule, BUDGET_APPROVAL, "approval");
    T_OK(r.min_picks == 1 && r.max_picks == 3, "min and max");
    T_EQ_INT(r.voters, BUDGET_VOTER_OPEN | BUDGET_VOTER_CODES, "voters as bits");
    T_EQ_INT(budget_round_phase(&r, NULL, "2027-01-09T23:59:59Z"), BUDGET_UPCOMING, "before: upcoming");
    T_EQ_INT(budget_round_phase(&r, NULL, "2027-01-10T00:00:00Z"), BUDGET_PROPOSALS, "at the start: proposals");
    T_EQ_INT(budget_round_phase(&r, NULL, "2027-03-31T23:59:59Z"), BUDGET_VOTING, "voting until results start");
    T_EQ_INT(budget_round_phase(&r, NULL, "2030-01-01T00:00:00Z"), BUDGET_IMPLEMENTATION, "implementation has no end");
    T_EQ_INT(budget_round_phase(&r, "results", "2027-01-11T00:00:00Z"), BUDGET_RESULTS, "by hand wins over the dates");
    T_EQ_INT(budget_round_phase(&r, "", "2027-01-11T00:00:00Z"), BUDGET_PROPOSALS, "an empty by-hand value is the dates");
    T_EQ_INT(budget_age_group_ok("12-14", r.min_age), 0, "12-14 is under 15");
    T_EQ_INT(budget_age_group_ok("15-17", r.min_age), 1, "15-17 may vote");
    T_EQ_INT(budget_age_group_ok("75+", r.min_age), 1, "75+ may vote");
    T_EQ_INT(budget_age_group_ok("adult", r.min_age), -1, "not a group");
    budget_round_fini(&r);

    json_object_set_new(doc, "voting", json_pack("{s:s,s:i}", "rule", "points", "points", 0));
    T_EQ_INT(budget_round_parse(NULL, doc, &r, &ei), VK_EVALUE, "0 points refused");
    T_EQ_STR(ei.field, "voting.points", "named");
    budget_round_fini(&r);
    json_decref(doc);
}

static void test_choices(void)
{
    int64_t ids[8];
    int32_t pts[8];
    T_EQ_INT(budget_choices_read("[3,17,250]", ids, pts, 8), 3, "an approval ballot");
    T_OK(ids[0] == 3 && ids[1] == 17 && ids[2] == 250 && pts[2] == 1, "ids, utility 1");
    T_EQ_INT(budget_choices_read("{\"7\":6,\"12\":4}", ids, pts, 8), 2, "a points ballot");
    T_OK(ids[0] == 7 && pts[0] == 6 && ids[1] == 12 && pts[1] == 4, "ids with points");
    T_EQ_INT(budget_choices_read("[]", ids, pts, 8), 0, "empty");
    T_EQ_INT(budget_choices_read("[1,2,3]", ids, pts, 2), -1, "more than max");
    T_EQ_INT(budget_choices_read("nonsense", ids, pts, 8), -1, "not the stored form");
}

static void test_cache(void)
{
    store_conn *c = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    T_EQ_INT(store_open(&c, t_path("budget.sqlite"), &ei), VK_OK, "open");
    const char *now = "2027-01-01T00:00:00Z";
    T_EQ_INT(db_run(c, &budget_sql, SQL_ROUND_INSERT,
                    DB_ARGS(DB_TEXT("r"), DB_TEXT(DOC), DB_TEXT(now), DB_TEXT("t")), "round", &ei),
             VK_OK, "a round stored");
    int64_t id = db_last_id(c);
    budget_stamp st;
    const budget_cached *a = NULL, *b = NULL, *x = NULL;
    T_EQ_INT(budget_cache_get(c, "r", &st, &a, &ei), VK_OK, "read");
    T_OK(a && a->round_id == id && a->p.n == 0 && a->r.budget == 1000, "parsed, no projects");
    T_EQ_INT(st.published, 0, "not published");
    T_EQ_INT(budget_cache_get(c, "r", &st, &b, &ei), VK_OK, "read again");
    T_OK(a == b, "the same entry while nothing changed");
    budget_cache_put(b);

    T_EQ_INT(db_run(c, &budget_sql, SQL_PROJECT_INSERT,
                    DB_ARGS(DB_INT(id), DB_TEXT("{\"fi\":\"A\"}"), DB_TEXT("{}"), DB_NULL,
                            DB_TEXT("all"), DB_NULL, DB_INT(300), DB_NULL, DB_TEXT(now), DB_NULL),
                    "project", &ei),
             VK_OK, "a project added");
    T_EQ_INT(budget_cache_get(c, "r", &st, &b, &ei), VK_OK, "read after the project");
    T_OK(b && b != a && b->p.n == 1 && b->p.v[0].cost == 300, "a new entry with the project");
    T_OK(a->p.n == 0 && a->r.budget == 1000, "the old entry lives while in use");
    budget_cache_put(a);
    budget_cache_put(b);

    char *doc = strdup(DOC), *at = strstr(doc, "1000");
    memcpy(at, "2000", 4);
    T_EQ_INT(db_run(c, &budget_sql, SQL_ROUND_SET_DOC, DB_ARGS(DB_INT(id), DB_TEXT(doc), DB_TEXT(now)),
                    "doc", &ei),
             VK_OK, "the document changed");
    free(doc);
    T_EQ_INT(budget_cache_get(c, "r", &st, &a, &ei), VK_OK, "read after the document");
    T_OK(a && a->r.budget == 2000 && a->p.n == 1, "the new budget, the project kept");
    T_EQ_INT(db_run(c, &budget_sql, SQL_ROUND_PUBLISH, DB_ARGS(DB_INT(id), DB_TEXT(now)), "publish",
                    &ei),
             VK_OK, "published");
    T_EQ_INT(db_run(c, &budget_sql, SQL_ROUND_SET_PHASE, DB_ARGS(DB_INT(id), DB_TEXT("voting"), DB_TEXT(now)),
                    "phase", &ei),
             VK_OK, "phase by hand");
    T_EQ_INT(budget_cache_get(c, "r", &st, &b, &ei), VK_OK, "read after publishing");
    T_OK(a == b, "publishing and the phase need no new entry");
    T_OK(st.published == 1 && strcmp(st.by_hand, "voting") == 0, "the stamp has them");
    budget_cache_put(a);
    budget_cache_put(b);
    T_EQ_INT(budget_cache_get(c, "none", &st, &x, &ei), VK_OK, "an unknown round");
    T_OK(x == NULL, "is none");
    budget_cache_put(x);
    budget_cache_clear();
    store_close(c);
    t_cleanup();
}

int main(void)
{
    test_parse_and_phase();
    test_choices();
    test_cache();
    return t_done();
}
