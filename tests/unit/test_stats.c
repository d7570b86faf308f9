/* test_stats.c — the hexagon grid of the density aggregate (gis/hex.c)
 * and the time arithmetic of the statistics snapshot. */
#include <math.h>

#include "stats/stats_index.h"
#include "gis/hex.h"
#include "t.h"

/* Shoelace area of the six corners. */
static double hex_area(const double xy[12])
{
    double a = 0;
    for (int i = 0; i < 6; i++) {
        int j = (i + 1) % 6;
        a += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
    }
    return a / 2;
}

static void test_areas(void)
{
    const double cells[] = {100, 250, 1000, 2000};
    for (int i = 0; i < 4; i++) {
        gis_hex_grid g;
        gis_hex_grid_init(&g, cells[i]);
        double xy[12];
        /* a cell far from the origin, where Imatra lies in EPSG:3067 */
        int32_t q, r;
        gis_hex_cell_of(&g, 590000, 6790000, &q, &r);
        gis_hex_corners(&g, q, r, xy);
        double a = hex_area(xy);
        T_OK(fabs(a - cells[i] * cells[i]) < 1e-6 * cells[i] * cells[i],
             "cell %g m: hexagon area %.3f m2 = cell2 (counter-clockwise: positive)", cells[i], a);
    }
}

static void test_binning(void)
{
    gis_hex_grid g;
    gis_hex_grid_init(&g, 250);
    int bad = 0;
    /* Every centre bins into its own cell. */
    for (int q = -50; q <= 50; q += 7)
        for (int r = -50; r <= 50; r += 5) {
            double x, y;
            int32_t qq, rr;
            gis_hex_center(&g, q, r, &x, &y);
            gis_hex_cell_of(&g, x, y, &qq, &rr);
            bad += qq != q || rr != r;
        }
    T_EQ_INT(bad, 0, "centres bin into their own cells");
    /* A point bins into the cell whose centre is nearest (the Voronoi
     * property of a hexagonal grid), checked against brute force. */
    bad = 0;
    unsigned seed = 12345;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        double x = 580000 + (seed >> 8) % 20000 + 0.37;
        seed = seed * 1103515245u + 12345u;
        double y = 6780000 + (seed >> 8) % 20000 + 0.61;
        int32_t q, r;
        gis_hex_cell_of(&g, x, y, &q, &r);
        double cx, cy;
        gis_hex_center(&g, q, r, &cx, &cy);
        double best = hypot(x - cx, y - cy);
        for (int dq = -1; dq <= 1; dq++)
            for (int dr = -1; dr <= 1; dr++) {
                double nx, ny;
                gis_hex_center(&g, q + dq, r + dr, &nx, &ny);
                if (hypot(x - nx, y - ny) < best - 1e-6)
                    bad++;
            }
    }
    T_EQ_INT(bad, 0, "20000 points bin into the nearest centre");
    /* Neighbouring centres are sqrt(3)·side apart. */
    double x0, y0, x1, y1;
    gis_hex_center(&g, 0, 0, &x0, &y0);
    gis_hex_center(&g, 1, 0, &x1, &y1);
    T_OK(fabs(hypot(x1 - x0, y1 - y0) - sqrt(3.0) * g.side) < 1e-9, "neighbour spacing");
    gis_hex_center(&g, 0, 1, &x1, &y1);
    T_OK(fabs(hypot(x1 - x0, y1 - y0) - sqrt(3.0) * g.side) < 1e-9, "diagonal neighbour spacing");
}

int main(void)
{
    test_areas();
    test_binning();
    return t_done();
}
