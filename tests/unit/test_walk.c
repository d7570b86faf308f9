/* test_walk.c — accessibility walks (issue 14): the checklist and its
 * checks (walk/checklist.c), thresholds per level, the council's
 * consensus and the accessibility score against hand-computed values
 * (walk/score.c), walk codes (walk/store.c).
 *
 * JSON is written with single quotes here (J() turns them into double
 * quotes). */
#include <stdlib.h>

#include "walk/checklist.h"
#include "walk/score.h"
#include "walk/store.h"
#include "t.h"

static json_t *J(const char *text)
{
    char *s = strdup(text);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t err;
    json_t *j = json_loads(s, JSON_DECODE_ANY, &err);
    if (!j)
        printf("# bad test JSON: %s at %d: %s\n", err.text, err.position, text);
    free(s);
    return j;
}

static const char *verdict_of(json_t *v, const char *measure)
{
    return json_string_value(json_object_get(json_object_get(v, measure), "verdict"));
}

/* The checklist with one edit applied to a copy of the embedded one. */
static vk_err parse_edited(void (*edit)(json_t *doc), vk_errinfo *ei)
{
    json_t *doc = json_loads(walk_checklist_json, 0, NULL);
    edit(doc);
    char *text = json_dumps(doc, 0);
    walk_checklist *cl = NULL;
    vk_err e = walk_checklist_parse(text, strlen(text), &cl, ei);
    walk_checklist_free(cl);
    free(text);
    json_decref(doc);
    return e;
}

static json_t *type_at(json_t *doc, const char *key)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(doc, "types"), i, t)
        if (strcmp(json_string_value(json_object_get(t, "key")), key) == 0)
            return t;
    return NULL;
}

static void edit_dup_type(json_t *doc)
{
    json_t *types = json_object_get(doc, "types");
    json_array_append(types, json_array_get(types, 0));
}
static void edit_unknown_source(json_t *doc)
{
    json_t *th = json_array_get(json_object_get(type_at(doc, "ramp"), "thresholds"), 0);
    json_object_set_new(th, "source", json_string("my-guess"));
}
static void edit_no_clause(json_t *doc)
{
    json_t *th = json_array_get(json_object_get(type_at(doc, "ramp"), "thresholds"), 0);
    json_object_del(th, "clause");
}
static void edit_foreign_measure(json_t *doc)
{
    json_t *th = json_array_get(json_object_get(type_at(doc, "ramp"), "thresholds"), 0);
    json_object_set_new(th, "measure", json_string("door_force_n"));
}
static void edit_min_over_max(json_t *doc)
{
    json_t *m = json_object_get(json_object_get(doc, "measures"), "kerb_height_mm");
    json_object_set_new(m, "min", json_integer(2000));
}
static void edit_missing_sv(json_t *doc)
{
    json_object_del(json_object_get(type_at(doc, "stairs"), "label"), "sv");
}
static void edit_bad_grade(json_t *doc)
{
    json_t *th = json_array_get(json_object_get(type_at(doc, "kerb"), "thresholds"), 0);
    json_object_set_new(th, "grade", json_string("severe"));
}

static void test_checklist(void)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    const walk_checklist *cl = walk_checklist_get(&ei);
    T_OK(cl != NULL, "the embedded checklist passes its checks (%s: %s)", ei.field, ei.message);
    if (!cl)
        return;
    static const char *const types[] = {
        "surface", "width", "kerb", "crossing", "tactile_paving", "stairs", "ramp", "entrance",
        "lighting", "signage", "rest", "parking", "transit_stop", "winter", "obstacle", "toilet"};
    int all = 1;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        all &= walk_checklist_has_type(cl, types[i]);
    T_OK(all, "every Finnish criterion of issue 14 is a type");
    T_OK(!walk_checklist_has_type(cl, "teleporter"), "an unknown type is not");
    T_OK(walk_checklist_has_group(cl, "wheelchair") && walk_checklist_has_group(cl, "pram") &&
             !walk_checklist_has_group(cl, "cyclist"),
         "groups");
    T_OK(walk_checklist_type_surface(cl, "surface") && !walk_checklist_type_surface(cl, "ramp"),
         "only the surface type takes a surface");
    /* Every threshold names a source listed in the file. */
    const json_t *doc = walk_checklist_doc(cl);
    size_t i, j, n = 0, sourced = 0;
    const json_t *t, *th;
    json_array_foreach(json_object_get(doc, "types"), i, t)
        json_array_foreach(json_object_get(t, "thresholds"), j, th) {
            n++;
            sourced += json_object_get(json_object_get(doc, "sources"),
                                       json_string_value(json_object_get(th, "source"))) != NULL;
        }
    T_OK(n >= 10 && sourced == n, "%zu thresholds, each with its source", n);

    struct {
        void (*edit)(json_t *);
        vk_err code;
        const char *field;
        const char *what;
    } bad[] = {
        {edit_dup_type, VK_EVALUE, "types[17].key", "a type key twice"},
        {edit_unknown_source, VK_EVALUE, "types[6].thresholds[0].source", "an unlisted source"},
        {edit_no_clause, VK_EMISSING, "types[6].thresholds[0].clause", "a threshold without its clause"},
        {edit_foreign_measure, VK_EVALUE, "types[6].thresholds[0].measure", "a measure the type lacks"},
        {edit_min_over_max, VK_EVALUE, "measures.kerb_height_mm", "min over max"},
        {edit_missing_sv, VK_EMISSING, "types[5].label", "a label without Swedish"},
        {edit_bad_grade, VK_EVALUE, "types[2].thresholds[0].grade", "an unknown grade"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        vk_errinfo_clear(&ei);
        vk_err e = parse_edited(bad[k].edit, &ei);
        T_EQ_INT(e, bad[k].code, "refused: %s", bad[k].what);
        T_EQ_STR(ei.field, bad[k].field, "… at %s", bad[k].field);
    }
    walk_checklist *x = NULL;
    vk_errinfo_clear(&ei);
    T_EQ_INT(walk_checklist_parse("[1,2]", 5, &x, &ei), VK_ETYPE, "not an object: refused");
    T_EQ_INT(walk_checklist_parse("{", 1, &x, &ei), VK_EJSON, "not JSON: refused");
}

static void test_measurements(void)
{
    const walk_checklist *cl = walk_checklist_get(NULL);
    vk_errinfo ei;
    struct {
        const char *type, *m;
        vk_err code;
        const char *field;
    } cases[] = {
        {"kerb", "{'kerb_height_mm': 60}", VK_OK, ""},
        {"kerb", "{}", VK_OK, ""},
        {"kerb", "null", VK_OK, ""},
        {"kerb", "{'door_force_n': 20}", VK_EVALUE, "measurements.door_force_n"},
        {"kerb", "{'kerb_height_mm': '60'}", VK_ETYPE, "measurements.kerb_height_mm"},
        {"kerb", "{'kerb_height_mm': -1}", VK_EVALUE, "measurements.kerb_height_mm"},
        {"kerb", "{'kerb_height_mm': 1001}", VK_EVALUE, "measurements.kerb_height_mm"},
        {"stairs", "{'step_count': 2.5}", VK_EVALUE, "measurements.step_count"},
        {"stairs", "{'step_count': 3}", VK_OK, ""},
        {"lighting", "{'kerb_height_mm': 1}", VK_EVALUE, "measurements.kerb_height_mm"},
        {"kerb", "[60]", VK_ETYPE, "measurements"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *m = J(cases[i].m);
        vk_errinfo_clear(&ei);
        vk_err e = walk_checklist_check_measurements(cl, cases[i].type, m, &ei);
        T_EQ_INT(e, cases[i].code, "%s %s", cases[i].type, cases[i].m);
        if (cases[i].code)
            T_EQ_STR(ei.field, cases[i].field, "… at %s", cases[i].field);
        json_decref(m);
    }
}

static void test_verdicts(void)
{
    const walk_checklist *cl = walk_checklist_get(NULL);
    struct {
        const char *type;
        walk_level level;
        const char *m, *measure, *verdict;
    } cases[] = {
        /* Unevenness: over 5 mm uneven (haitta), over 20 mm significant (este). */
        {"surface", WALK_PERUSTASO, "{'unevenness_mm': 5}", "unevenness_mm", "ok"},
        {"surface", WALK_PERUSTASO, "{'unevenness_mm': 6}", "unevenness_mm", "haitta"},
        {"surface", WALK_PERUSTASO, "{'unevenness_mm': 20}", "unevenness_mm", "haitta"},
        {"surface", WALK_PERUSTASO, "{'unevenness_mm': 21}", "unevenness_mm", "este"},
        /* Ramps: at most 5 %, 8 % when the rise is known to be ≤ 1 000 mm. */
        {"ramp", WALK_PERUSTASO, "{'slope_along_pct': 5}", "slope_along_pct", "ok"},
        {"ramp", WALK_PERUSTASO, "{'slope_along_pct': 7}", "slope_along_pct", "este"},
        {"ramp", WALK_PERUSTASO, "{'slope_along_pct': 7, 'rise_mm': 800}", "slope_along_pct", "ok"},
        {"ramp", WALK_PERUSTASO, "{'slope_along_pct': 7, 'rise_mm': 1200}", "slope_along_pct", "este"},
        {"ramp", WALK_PERUSTASO, "{'slope_along_pct': 9, 'rise_mm': 800}", "slope_along_pct", "este"},
        /* Width by level: 900 mm basic, 1 200 mm special. */
        {"width", WALK_PERUSTASO, "{'clear_width_mm': 1000}", "clear_width_mm", "ok"},
        {"width", WALK_ERIKOISTASO, "{'clear_width_mm': 1000}", "clear_width_mm", "este"},
        {"width", WALK_ERIKOISTASO, "{'clear_width_mm': 1200}", "clear_width_mm", "ok"},
        {"width", WALK_PERUSTASO, "{'clear_width_mm': 899}", "clear_width_mm", "este"},
        {"ramp", WALK_ERIKOISTASO, "{'clear_width_mm': 1000}", "clear_width_mm", "este"},
        {"ramp", WALK_PERUSTASO, "{'clear_width_mm': 1000}", "clear_width_mm", "ok"},
        /* Crossings: the kerb 40 ± 10 mm; lower cannot be felt (danger). */
        {"crossing", WALK_PERUSTASO, "{'kerb_height_mm': 40}", "kerb_height_mm", "ok"},
        {"crossing", WALK_PERUSTASO, "{'kerb_height_mm': 60}", "kerb_height_mm", "este"},
        {"crossing", WALK_PERUSTASO, "{'kerb_height_mm': 10}", "kerb_height_mm", "vaara"},
        /* No sourced threshold for door force. */
        {"entrance", WALK_PERUSTASO, "{'door_force_n': 80}", "door_force_n", "no_threshold"},
        {"entrance", WALK_PERUSTASO, "{'door_opening_mm': 800}", "door_opening_mm", "este"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *m = J(cases[i].m);
        json_t *v = walk_verdicts(cl, cases[i].type, cases[i].level, m);
        T_EQ_STR(verdict_of(v, cases[i].measure), cases[i].verdict, "%s %s at %s → %s",
                 cases[i].type, cases[i].m, walk_level_name(cases[i].level), cases[i].verdict);
        json_decref(v);
        json_decref(m);
    }
    /* The limits name their source and say which were breached. */
    json_t *m = J("{'unevenness_mm': 12}");
    json_t *v = walk_verdicts(cl, "surface", WALK_PERUSTASO, m);
    const json_t *limits = json_object_get(json_object_get(v, "unevenness_mm"), "limits");
    T_EQ_INT(json_array_size(limits), 2, "two limits for unevenness");
    T_EQ_STR(json_string_value(json_object_get(json_array_get(limits, 0), "source")),
             "invalidiliitto-jalankulkuvayla", "with their source");
    T_OK(json_is_true(json_object_get(json_array_get(limits, 0), "breached")) &&
             json_is_false(json_object_get(json_array_get(limits, 1), "breached")),
         "12 mm breaches 5 mm, not 20 mm");
    json_decref(v);
    json_decref(m);
}

static void test_consensus(void)
{
    struct {
        walk_votes v;
        int grade;
        const char *result;
        int want_grade;
    } cases[] = {
        {{0, 0, 0, {0, 0, 0}}, WALK_ESTE, "none", WALK_ESTE},
        {{0, 0, 2, {0, 0, 0}}, WALK_ESTE, "unsure", WALK_ESTE},
        {{2, 1, 0, {0, 2, 0}}, WALK_ESTE, "agree", WALK_ESTE},     /* 2/3 agree */
        {{1, 1, 0, {0, 1, 0}}, WALK_ESTE, "split", WALK_ESTE},
        {{1, 2, 5, {0, 1, 0}}, WALK_ESTE, "disagree", WALK_ESTE},  /* unsure do not count */
        {{3, 0, 0, {2, 1, 0}}, WALK_ESTE, "agree", WALK_VAARA},    /* re-graded up */
        {{2, 0, 0, {1, 0, 1}}, WALK_ESTE, "agree", WALK_VAARA},    /* a tie: the more severe */
        {{0, 0, 1, {0, 0, 1}}, WALK_VAARA, "unsure", WALK_HAITTA}, /* an unsure re-grade counts */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *result;
        int g;
        walk_consensus(&cases[i].v, cases[i].grade, &result, &g);
        T_EQ_STR(result, cases[i].result, "consensus %zu: %s", i, cases[i].result);
        T_EQ_INT(g, cases[i].want_grade, "consensus %zu: grade %s", i,
                 walk_grade_name(cases[i].want_grade));
    }
}

static void test_score(void)
{
    /* By hand: one open este per 100 m → D = 3 → 100·3/6 = 50. */
    T_EQ_INT(walk_score(3, 100), 50, "one open este per 100 m: 50");
    T_EQ_INT(walk_score(1, 100), 75, "one open haitta per 100 m: 75");
    T_EQ_INT(walk_score(5, 100), 38, "one open vaara per 100 m: 37.5 → 38");
    T_EQ_INT(walk_score(0, 1840), 100, "nothing found: 100");
    T_EQ_INT(walk_score(3, 40), 50, "under 100 m counts as 100 m");
    T_EQ_INT(walk_score(3, 0), -1, "nothing walked: no score");
    /* 2 vaara open, 1 este fixed (0.75), 3 haitta planned over 400 m:
     * P = 10 + 0.75 + 3 = 13.75, D = 3.4375, score = 300/6.4375 = 46.6. */
    double p = 2 * walk_grade_weight(WALK_VAARA) * walk_status_factor("open") +
               walk_grade_weight(WALK_ESTE) * walk_status_factor("fixed") +
               3 * walk_grade_weight(WALK_HAITTA) * walk_status_factor("planned");
    T_NEAR(p, 13.75, 1e-9, "penalty by hand");
    T_EQ_INT(walk_score(p, 400), 47, "score by hand");
    T_NEAR(walk_status_factor("verified") + walk_status_factor("rejected"), 0, 0, "verified and rejected weigh nothing");
    T_OK(!walk_finding_counts("rejected", "agree") && !walk_finding_counts("open", "disagree") &&
             walk_finding_counts("open", "split"),
         "rejected and disputed findings do not count");
    double v[] = {41, 3, 10, 7};
    T_NEAR(walk_median(v, 4), 8.5, 1e-9, "median of an even count");
    double w[] = {5, 1, 9};
    T_NEAR(walk_median(w, 3), 5, 1e-9, "median of an odd count");
    T_OK(isnan(walk_median(w, 0)), "median of none: NaN (null)");
}

static void test_codes(void)
{
    char code[WALK_CODE_LEN + 1], h1[65], h2[65];
    walk_code_new(code);
    T_EQ_INT(strlen(code), WALK_CODE_LEN, "a code has 8 characters");
    T_OK(strspn(code, "23456789ABCDEFGHJKMNPQRSTUVWXYZ") == WALK_CODE_LEN, "of the unambiguous alphabet");
    T_OK(walk_code_hash(code, h1), "it hashes");
    char typed[32];
    snprintf(typed, sizeof typed, "%c%c%c%c-%c%c %c%c", code[0] | 0x20, code[1] | 0x20,
             code[2] | 0x20, code[3] | 0x20, code[4], code[5], code[6], code[7]);
    T_OK(walk_code_hash(typed, h2) && walk_hash_equal(h1, h2), "lower case, hyphens and spaces are the same code");
    T_OK(!walk_code_hash("ABCD234", h2), "7 characters: not a code");
    T_OK(!walk_code_hash("ABCD23450", h2), "9 characters: not a code");
    T_OK(!walk_code_hash("ABCD2340", h2), "a 0: not a code");
    T_OK(walk_code_hash("ABCD2345", h2) && walk_code_hash("ABCD2346", h1) && !walk_hash_equal(h1, h2),
         "other codes, other hashes");
}

int main(void)
{
    test_checklist();
    test_measurements();
    test_verdicts();
    test_consensus();
    test_score();
    test_codes();
    return t_done();
}
