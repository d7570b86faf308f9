/* test_survey_privacy.c — the privacy rules of published survey results
 * (survey/privacy.c): primary suppression of counts from 1 to k − 1,
 * secondary suppression so a hidden cell is not the total minus the
 * others, the difference rule between a view and a view with one
 * condition fewer, the refusal of small views, and the JSON of a cell.
 * Each rule is checked against an attack: can the hidden count be worked
 * out from what is shown? */
#include <stdlib.h>

#include "survey/privacy.h"
#include "t.h"

static priv_cell C(int64_t n)
{
    return (priv_cell){n, PRIV_SHOWN};
}

static int hidden(const priv_cell *c, size_t n)
{
    int h = 0;
    for (size_t i = 0; i < n; i++)
        h += c[i].state != PRIV_SHOWN;
    return h;
}

/* The attack on a table that sums to total: with exactly one hidden cell
 * it is total − the rest. Returns the recovered count, or −1. */
static int64_t recover(const priv_cell *c, size_t n, int64_t total)
{
    if (hidden(c, n) != 1)
        return -1;
    int64_t rest = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i].state == PRIV_SHOWN)
            rest += c[i].n;
    return total - rest;
}

static void test_primary(void)
{
    priv_cell c[] = {C(0), C(1), C(4), C(5), C(100)};
    priv_primary(c, 5, 5);
    T_EQ_INT(c[0].state, PRIV_SHOWN, "0 is shown: nobody is not a person");
    T_EQ_INT(c[1].state, PRIV_BELOW_K, "1 is fewer than k");
    T_EQ_INT(c[2].state, PRIV_BELOW_K, "k − 1 is fewer than k");
    T_EQ_INT(c[3].state, PRIV_SHOWN, "k is shown");
    T_EQ_INT(c[4].state, PRIV_SHOWN, "100 is shown");
    priv_cell d[] = {C(2), C(3)};
    priv_primary(d, 2, 3);
    T_EQ_INT(d[0].state, PRIV_BELOW_K, "k 3: 2 is hidden");
    T_EQ_INT(d[1].state, PRIV_SHOWN, "k 3: 3 is shown");
}

static void test_secondary(void)
{
    /* 40 respondents: walk 20, bike 17, car 2, other 0, no answer 1. */
    priv_cell c[] = {C(20), C(17), C(2), C(0), C(1)};
    priv_primary(c, 5, 5);
    T_EQ_INT(hidden(c, 5), 2, "two small cells hidden by the primary rule");
    T_EQ_INT(priv_secondary(c, 5, NULL), 0, "two hidden already: nothing more");
    T_EQ_INT(recover(c, 5, 40), -1, "neither can be recovered from the total");

    priv_cell d[] = {C(20), C(17), C(3), C(0)};
    priv_primary(d, 4, 5);
    T_EQ_INT(recover(d, 4, 40), 3, "the attack works on one hidden cell");
    T_EQ_INT(priv_secondary(d, 4, NULL), 1, "so one more is hidden");
    T_EQ_INT(d[1].state, PRIV_SECONDARY, "the smallest positive shown cell");
    T_EQ_INT(d[3].state, PRIV_SHOWN, "not a zero (which would still pin it down)");
    T_EQ_INT(recover(d, 4, 40), -1, "and the attack fails");

    priv_cell e[] = {C(10), C(10)};
    T_EQ_INT(priv_secondary(e, 2, NULL), 0, "nothing hidden: nothing more");
    /* answered 98, no answer 2 of a shown 100: answered must go too */
    priv_cell f[] = {C(98), C(2)};
    priv_primary(f, 2, 5);
    priv_secondary(f, 2, NULL);
    T_EQ_INT(f[0].state, PRIV_SECONDARY, "a shown count beside its small rest is hidden");
    /* A filtered view: yes 20 hidden by the difference rule, no 0, no
     * answer 0 of a shown 20. A zero must be hidden too, and only one
     * that could have been more in the whole survey. */
    priv_cell g[] = {{20, PRIV_SECONDARY}, C(0), C(0)};
    int64_t bound[] = {22, 0, 18};
    T_EQ_INT(priv_secondary(g, 3, bound), 1, "a zero hidden");
    T_EQ_INT(g[1].state, PRIV_SHOWN, "not the zero known to be zero");
    T_EQ_INT(g[2].state, PRIV_SECONDARY, "the zero that could have been up to 18");
    priv_cell h[] = {{20, PRIV_SECONDARY}, C(0)};
    int64_t hb[] = {22, 0};
    T_EQ_INT(priv_secondary(h, 2, hb), -1, "nothing can cover it: the caller must refuse");
}

static void test_difference(void)
{
    /* Everyone: walk 30, bike 12. Under-18s: walk 29, bike 12. Subtracting
     * would show the one adult who walks. */
    int64_t parent[] = {30, 12};
    priv_cell v[] = {C(29), C(12)};
    priv_primary(v, 2, 5);
    priv_difference(v, parent, 2, 5);
    T_EQ_INT(v[0].state, PRIV_SECONDARY, "walk: 30 − 29 = 1 would single a person out");
    T_EQ_INT(v[1].state, PRIV_SHOWN, "bike: 12 − 12 = 0 shows nobody");
    int64_t p2[] = {30};
    priv_cell w[] = {C(20)};
    priv_difference(w, p2, 1, 5);
    T_EQ_INT(w[0].state, PRIV_SHOWN, "a difference of 10 is shown");
    priv_cell z[] = {C(0)};
    int64_t p3[] = {2};
    priv_difference(z, p3, 1, 5);
    T_EQ_INT(z[0].state, PRIV_SECONDARY, "a 0 beside a parent of 2 would tell about those 2");
}

static void test_views(void)
{
    int64_t parents[] = {50, 44};
    T_EQ_INT(priv_view_check(20, 100, NULL, 0, 5), PRIV_VIEW_OK, "20 of 100");
    T_EQ_INT(priv_view_check(4, 100, NULL, 0, 5), PRIV_VIEW_SMALL, "4 of 100: too few");
    T_EQ_INT(priv_view_check(97, 100, NULL, 0, 5), PRIV_VIEW_COMPLEMENT,
             "97 of 100: everyone else is 3");
    T_EQ_INT(priv_view_check(0, 100, NULL, 0, 5), PRIV_VIEW_OK, "0: nobody");
    T_EQ_INT(priv_view_check(100, 100, NULL, 0, 5), PRIV_VIEW_OK, "everyone");
    T_EQ_INT(priv_view_check(40, 100, parents, 2, 5), PRIV_VIEW_DIFFERENCE,
             "44 − 40 = 4 with one condition fewer");
    T_EQ_INT(priv_view_check(30, 100, parents, 2, 5), PRIV_VIEW_OK, "differences of 20 and 14");
}

static void test_json(void)
{
    vk_buf b;
    vk_buf_init(&b, 1024);
    priv_cell c[] = {{7, PRIV_SHOWN}, {2, PRIV_BELOW_K}, {60, PRIV_SECONDARY}};
    for (int i = 0; i < 3; i++) {
        vk_buf_putc(&b, i ? ',' : '[');
        priv_put(&b, &c[i], 5);
    }
    vk_buf_putc(&b, ']');
    vk_buf_putc(&b, '\0');
    T_EQ_STR(b.data,
             "[7,{\"suppressed\":true,\"below\":5},{\"suppressed\":true,\"secondary\":true}]",
             "a cell as JSON never carries a hidden count");
    vk_buf_fini(&b);
}

/* Every table of up to 5 cells with counts 0..7 under k 5: after the
 * primary and secondary rules no hidden count can be recovered from the
 * total, and no count from 1 to 4 is shown. */
static void test_exhaustive(void)
{
    long tables = 0, leaks = 0, shown_small = 0;
    for (int n = 2; n <= 5; n++) {
        int code_max = 1;
        for (int i = 0; i < n; i++)
            code_max *= 8;
        for (int code = 0; code < code_max; code++) {
            priv_cell c[5];
            int64_t total = 0;
            for (int i = 0, x = code; i < n; i++, x /= 8) {
                c[i] = C(x % 8);
                total += x % 8;
            }
            if (priv_small(total, 5))
                continue; /* the total itself is hidden */
            priv_primary(c, (size_t)n, 5);
            priv_secondary(c, (size_t)n, NULL);
            tables++;
            if (recover(c, (size_t)n, total) >= 0)
                leaks++;
            for (int i = 0; i < n; i++)
                if (c[i].state == PRIV_SHOWN && priv_small(c[i].n, 5))
                    shown_small++;
        }
    }
    T_OK(tables > 30000, "%ld tables tried", tables);
    T_EQ_INT(leaks, 0, "no single hidden cell in any table");
    T_EQ_INT(shown_small, 0, "no count from 1 to k − 1 shown in any table");
}

int main(void)
{
    test_primary();
    test_secondary();
    test_difference();
    test_views();
    test_json();
    test_exhaustive();
    return t_done();
}
