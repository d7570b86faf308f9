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

size_t priv_secondary(priv_cell *c, size_t n)
{
    size_t hidden = 0, shown_pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].state != PRIV_SHOWN)
            hidden++;
        else if (c[i].n > 0)
            shown_pos++;
    }
    if (hidden != 1)
        return 0;
    /* The smallest positive cell: the least information lost. A zero
     * shown beside it would still pin the hidden one down, so zeros are
     * not candidates; if every other cell is zero the hidden one equals
     * the total, which the caller suppressed already (it is small). */
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (c[i].state == PRIV_SHOWN && c[i].n > 0 && (best == n || c[i].n < c[best].n))
            best = i;
    if (best == n || !shown_pos)
        return 0;
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
