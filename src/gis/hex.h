/*
 * hex.h — the hexagonal grid of the density aggregate, in projected
 * metres (EPSG:3067). Pure arithmetic: no GEOS, no PROJ.
 *
 * Hexagons are pointy-topped, in axial coordinates (q, r) with the cell
 * (0, 0) centred on the CRS origin. The grid is named by `cell`, the side
 * of the square of equal area: a hexagon's area is cell², so its side is
 * cell · sqrt(2 / (3·sqrt 3)) ≈ 0.6204 · cell.
 */
#ifndef VK_HEX_H
#define VK_HEX_H

#include <stdint.h>

typedef struct gis_hex_grid {
    double side; /* centre-to-vertex distance = side length, metres */
} gis_hex_grid;

/* The grid whose hexagons have area cell² (cell in metres, > 0). */
void gis_hex_grid_init(gis_hex_grid *g, double cell);
/* The cell containing (x, y); points on an edge go to one of the two. */
void gis_hex_cell_of(const gis_hex_grid *g, double x, double y, int32_t *q, int32_t *r);
/* The centre of cell (q, r). */
void gis_hex_center(const gis_hex_grid *g, int32_t q, int32_t r, double *x, double *y);
/* The six corners of cell (q, r), counter-clockwise from the east-north-east
 * one, into xy[0..11] (x0, y0, x1, y1, …). */
void gis_hex_corners(const gis_hex_grid *g, int32_t q, int32_t r, double xy[12]);

#endif
