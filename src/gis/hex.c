/* hex.c — hexagonal binning in projected metres (see hex.h). */
#include "gis/hex.h"

#include <math.h>

void gis_hex_grid_init(gis_hex_grid *g, double cell)
{
    /* area = (3·sqrt 3 / 2) · side² = cell² */
    g->side = cell * sqrt(2.0 / (3.0 * sqrt(3.0)));
}

void gis_hex_center(const gis_hex_grid *g, int32_t q, int32_t r, double *x, double *y)
{
    *x = g->side * sqrt(3.0) * ((double)q + (double)r / 2.0);
    *y = g->side * 1.5 * (double)r;
}

void gis_hex_cell_of(const gis_hex_grid *g, double x, double y, int32_t *q, int32_t *r)
{
    /* Fractional axial coordinates, then cube rounding: round all three
     * cube coordinates and fix the one that moved most, so the sum stays 0. */
    double fq = (sqrt(3.0) / 3.0 * x - y / 3.0) / g->side;
    double fr = (2.0 / 3.0 * y) / g->side;
    double fs = -fq - fr;
    double rq = round(fq), rr = round(fr), rs = round(fs);
    double dq = fabs(rq - fq), dr = fabs(rr - fr), ds = fabs(rs - fs);
    if (dq > dr && dq > ds)
        rq = -rr - rs;
    else if (dr > ds)
        rr = -rq - rs;
    *q = (int32_t)rq;
    *r = (int32_t)rr;
}

void gis_hex_corners(const gis_hex_grid *g, int32_t q, int32_t r, double xy[12])
{
    double cx, cy;
    gis_hex_center(g, q, r, &cx, &cy);
    for (int i = 0; i < 6; i++) {
        double a = (60.0 * i + 30.0) * M_PI / 180.0;
        xy[2 * i] = cx + g->side * cos(a);
        xy[2 * i + 1] = cy + g->side * sin(a);
    }
}
