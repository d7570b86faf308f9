/*
 * privacy.c — suppression of small counts and refusal of small views
 * (privacy.h).
 */
#include "survey/privacy.h"

void priv_primary(priv_cell *c, size_t n, int k)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].state == PRIV_SHOWN && priv_small(c[i].n, k))
            c[i].state = PRIV_BELOW_K;
}

void priv_difference(priv_cell *c, const int64_t *parent, size_t n, int k)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].state == PRIV_SHOWN && priv_small(parent[i] - c[i].n, k))
            c[i].state = PRIV_SECONDARY;
}

int priv_secondary(priv_cell *c, size_t n, const int64_t *bound)
{
    size_t hidden = 0;
    for (size_t i = 0; i < n; i++)
        hidden += c[i].state != PRIV_SHOWN;
    if (hidden != 1)
        return 0;
    /* The smallest positive cell loses the least. A zero only when no
     * positive one is left, and only one that could have been more (its
     * bound, the same cell without the view's conditions, is positive):
     * a hidden zero whose bound is 0 is still known to be 0. */
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (c[i].state == PRIV_SHOWN && c[i].n > 0 && (best == n || c[i].n < c[best].n))
            best = i;
    for (size_t i = 0; best == n && i < n; i++)
        if (c[i].state == PRIV_SHOWN && (!bound || bound[i] > 0))
            best = i;
    if (best == n)
        return -1;
    c[best].state = PRIV_SECONDARY;
    return 1;
}

priv_view priv_view_check(int64_t view, int64_t all, const int64_t *parents, int nparents,
                          int k)
{
    if (priv_small(view, k))
        return PRIV_VIEW_SMALL;
    if (priv_small(all - view, k))
        return PRIV_VIEW_COMPLEMENT;
    for (int i = 0; i < nparents; i++)
        if (priv_small(parents[i] - view, k))
            return PRIV_VIEW_DIFFERENCE;
    return PRIV_VIEW_OK;
}

void priv_put(vk_buf *b, const priv_cell *c, int k)
{
    switch (c->state) {
    case PRIV_SHOWN:
        vk_json_int(b, c->n);
        break;
    case PRIV_BELOW_K:
        vk_buf_printf(b, "{\"suppressed\":true,\"below\":%d}", k);
        break;
    default:
        vk_buf_puts(b, "{\"suppressed\":true,\"secondary\":true}");
    }
}
