/*
 * test_budget_round.c — a round's document (budget/round.h): the default
 * area, normalised dates, the phase at a time and by hand, age groups;
 * and the stored form of ballot choices read back (budget/ballot.h).
 */
#include <jansson.h>
#include <string.h>

#include "budget/ballot.h"
#include "budget/round.h"
#include "t.h"

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

int main(void)
{
    test_parse_and_phase();
    test_choices();
    return t_done();
}
