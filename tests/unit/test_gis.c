/*
 * test_gis.c — unit tests for src/gis: the GeoJSON checks (structure,
 * longitude/latitude, vertex cap, GEOS validity with place), winding,
 * boundary and district assignment, and the pure C WKB → GeoJSON writer
 * fed truncated, corrupted, big-endian, Z/M and EWKB input.
 *
 * Coordinates are compared with a tolerance (1e-9 degrees; the writer
 * keeps 7 decimals and our inputs have fewer).
 */
#include "gis/gis.h"

#include <stdlib.h>
#include <string.h>

#include "t.h"

#define TOL 1e-9

static gis_ctx *G;

/* ---- helpers ---- */

static vk_err parse(const char *text, gis_geom **out, vk_errinfo *ei)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j) {
        printf("# bad test JSON: %s\n", jerr.text);
        *out = NULL;
        return VK_EJSON;
    }
    vk_errinfo_clear(ei);
    vk_err e = gis_geom_from_geojson(G, j, "geometry", out, ei);
    json_decref(j);
    return e;
}

/* Parse text and expect error want; show the message as a TAP comment. */
static void expect_err(const char *text, vk_err want, const char *field, const char *msg_part,
                       const char *name)
{
    gis_geom *geom = NULL;
    vk_errinfo ei;
    vk_err e = parse(text, &geom, &ei);
    T_EQ_STR(vk_err_code(e), vk_err_code(want), "%s: %s", name, vk_err_code(want));
    T_OK(geom == NULL, "%s: no geometry on error", name);
    if (field)
        T_EQ_STR(ei.field, field, "%s: field", name);
    if (msg_part)
        T_OK(strstr(ei.message, msg_part) != NULL, "%s: message mentions '%s'", name, msg_part);
    printf("#   message: %s\n", ei.message);
    gis_geom_free(G, geom);
}

/* WKB of a GeoJSON geometry that must be valid; caller frees with free(). */
static unsigned char *wkb_of(const char *text, size_t *n)
{
    gis_geom *geom = NULL;
    vk_errinfo ei;
    unsigned char *wkb = NULL;
    *n = 0;
    if (parse(text, &geom, &ei) != VK_OK) {
        printf("# unexpected error: %s\n", ei.message);
        return NULL;
    }
    if (gis_geom_to_wkb(G, geom, &wkb, n) != VK_OK)
        wkb = NULL;
    gis_geom_free(G, geom);
    return wkb;
}

/* GeoJSON text for WKB, or NULL on error; caller frees with free(). */
static char *geojson_of(const unsigned char *wkb, size_t n, vk_err *err)
{
    vk_buf b;
    vk_buf_init(&b, 1 << 20);
    vk_err e = gis_wkb_to_geojson(wkb, n, &b);
    if (err)
        *err = e;
    char *s = e == VK_OK ? vk_buf_take(&b, NULL) : NULL;
    vk_buf_fini(&b);
    return s;
}

/* All numbers under j, in order. Returns how many (at most max). */
static size_t flatten(const json_t *j, double *out, size_t max, size_t k)
{
    if (json_is_number(j)) {
        if (k < max)
            out[k] = json_number_value(j);
        return k + 1;
    }
    for (size_t i = 0; json_is_array(j) && i < json_array_size(j); i++)
        k = flatten(json_array_get(j, i), out, max, k);
    return k;
}

/* GeoJSON in → WKB → GeoJSON out: same type, same coordinates (with
 * want_coords, or the input's own when NULL) within TOL. */
static void round_trip(const char *in, const char *want_coords, const char *name)
{
    size_t n;
    unsigned char *wkb = wkb_of(in, &n);
    T_OK(wkb != NULL, "%s: accepted and written as WKB", name);
    vk_err e = VK_OK;
    char *out = wkb ? geojson_of(wkb, n, &e) : NULL;
    T_EQ_INT(e, VK_OK, "%s: WKB read back", name);
    json_t *ji = json_loads(in, 0, NULL), *jo = out ? json_loads(out, 0, NULL) : NULL;
    json_t *jw = want_coords ? json_loads(want_coords, 0, NULL) : NULL;
    T_OK(jo != NULL, "%s: output is JSON", name);
    if (jo) {
        T_EQ_STR(json_string_value(json_object_get(jo, "type")),
                 json_string_value(json_object_get(ji, "type")), "%s: type kept", name);
        double a[256], b[256];
        size_t na = flatten(jw ? jw : json_object_get(ji, "coordinates"), a, 256, 0);
        size_t nb = flatten(json_object_get(jo, "coordinates"), b, 256, 0);
        T_EQ_INT(nb, na, "%s: number of ordinates", name);
        double worst = 0;
        for (size_t i = 0; i < na && i < nb && i < 256; i++)
            worst = fmax(worst, fabs(a[i] - b[i]));
        T_NEAR(worst, 0.0, TOL, "%s: coordinates within tolerance", name);
    }
    json_decref(ji);
    json_decref(jo);
    json_decref(jw);
    free(out);
    free(wkb);
}

/* Signed area (shoelace) of ring i of the polygon in GeoJSON text. */
static double ring_area(const char *geojson, size_t ring)
{
    json_t *j = json_loads(geojson, 0, NULL);
    const json_t *r = json_array_get(json_object_get(j, "coordinates"), ring);
    double s = 0;
    for (size_t i = 0; i + 1 < json_array_size(r); i++) {
        const json_t *p = json_array_get(r, i), *q = json_array_get(r, i + 1);
        s += json_number_value(json_array_get(p, 0)) * json_number_value(json_array_get(q, 1)) -
             json_number_value(json_array_get(q, 0)) * json_number_value(json_array_get(p, 1));
    }
    json_decref(j);
    return s / 2;
}

/* A LineString with n zig-zag positions, as a jansson object. */
static json_t *long_line(size_t n)
{
    json_t *coords = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(coords,
                              json_pack("[f,f]", 28.0 + (double)i * 1e-5, 61.0 + (double)(i % 2) * 1e-5));
    return json_pack("{s:s,s:o}", "type", "LineString", "coordinates", coords);
}

/* Little WKB writer for hand-made inputs. */
typedef struct wb {
    unsigned char d[512];
    size_t n;
} wb;

static void wb_u8(wb *w, unsigned v) { w->d[w->n++] = (unsigned char)v; }

static void wb_u32(wb *w, int big, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        wb_u8(w, (v >> (big ? 24 - 8 * i : 8 * i)) & 0xFF);
}

static void wb_f64(wb *w, int big, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    for (int i = 0; i < 8; i++)
        wb_u8(w, (unsigned)(u >> (big ? 56 - 8 * i : 8 * i)) & 0xFF);
}

static void wb_head(wb *w, int big, uint32_t type)
{
    wb_u8(w, big ? 0 : 1);
    wb_u32(w, big, type);
}

static void wb_point(wb *w, int big, double x, double y)
{
    wb_head(w, big, 1);
    wb_f64(w, big, x);
    wb_f64(w, big, y);
}

static void expect_json(const wb *w, const char *want, const char *name)
{
    vk_err e = VK_OK;
    char *s = geojson_of(w->d, w->n, &e);
    T_EQ_INT(e, VK_OK, "%s: parsed", name);
    T_EQ_STR(s, want, "%s: GeoJSON", name);
    free(s);
}

/* ---- tests ---- */

static void test_round_trips(void)
{
    round_trip("{\"type\":\"Point\",\"coordinates\":[28.7512,61.1734]}", NULL, "point");
    round_trip("{\"type\":\"LineString\",\"coordinates\":[[28.1,61.1],[28.2,61.15],[28.3,61.1]]}",
               NULL, "line");
    round_trip("{\"type\":\"Polygon\",\"coordinates\":[[[28,61],[29,61],[29,62],[28,62],[28,61]],"
               "[[28.2,61.2],[28.2,61.4],[28.4,61.4],[28.4,61.2],[28.2,61.2]]]}",
               NULL, "polygon with hole");
    round_trip("{\"type\":\"MultiPolygon\",\"coordinates\":["
               "[[[28,61],[29,61],[29,62],[28,62],[28,61]]],"
               "[[[30,61],[31,61],[31,62],[30,62],[30,61]]]]}",
               NULL, "multipolygon");
    round_trip("{\"type\":\"MultiPoint\",\"coordinates\":[[28.1,61.1],[-179.5,-89.9]]}", NULL,
               "multipoint");
    round_trip("{\"type\":\"MultiLineString\",\"coordinates\":[[[28,61],[28.5,61.5]],"
               "[[29,61],[29.5,61.5],[29.6,61.2]]]}",
               NULL, "multilinestring");
    round_trip("{\"type\":\"LineString\",\"coordinates\":[[28.1,61.1,120.5],[28.2,61.2,99]]}",
               "[[28.1,61.1],[28.2,61.2]]", "3D positions accepted, height dropped");
    round_trip("{\"type\":\"Point\",\"coordinates\":[180,-90]}", NULL, "edges of the range");

    /* The exact text the server sends. */
    size_t n;
    unsigned char *wkb = wkb_of("{\"type\":\"Point\",\"coordinates\":[28.7512,61.1734]}", &n);
    char *s = wkb ? geojson_of(wkb, n, NULL) : NULL;
    T_EQ_STR(s, "{\"type\":\"Point\",\"coordinates\":[28.7512,61.1734]}", "point text exact");
    T_EQ_INT(n, 21, "point WKB is 21 bytes (ISO, 2D)");
    T_OK(wkb && wkb[0] == 1 && wkb[1] == 1 && wkb[2] == 0, "little-endian type 1");
    free(s);
    free(wkb);

    gis_geom *geom = NULL;
    vk_errinfo ei;
    T_EQ_INT(parse("{\"type\":\"MultiLineString\",\"coordinates\":[[[28,61],[28.5,61.5]]]}",
                   &geom, &ei),
             VK_OK, "multilinestring accepted");
    T_EQ_STR(geom ? gis_geom_type(geom) : NULL, "MultiLineString", "gis_geom_type");
    gis_geom_free(G, geom);
}

static void test_invalid(void)
{
    gis_geom *geom = NULL;
    vk_errinfo ei;
    vk_err e = parse("{\"type\":\"Polygon\",\"coordinates\":"
                     "[[[28,61],[29,62],[29,61],[28,62],[28,61]]]}",
                     &geom, &ei);
    T_EQ_INT(e, VK_EGEOM_INVALID, "bow-tie is invalid");
    T_EQ_STR(ei.field, "geometry", "bow-tie: field");
    const char *at = strstr(ei.message, "Self-intersection at ");
    T_OK(at != NULL, "bow-tie: message has 'Self-intersection at' (%s)", ei.message);
    double x = 0, y = 0;
    int got = at ? sscanf(at, "Self-intersection at %lf %lf", &x, &y) : 0;
    T_EQ_INT(got, 2, "bow-tie: place has two numbers");
    T_NEAR(x, 28.5, 1e-7, "bow-tie: place longitude");
    T_NEAR(y, 61.5, 1e-7, "bow-tie: place latitude");
    gis_geom_free(G, geom);

    expect_err("{\"type\":\"Polygon\",\"coordinates\":[[[28,61],[29,61],[29,62],[28,62],[28,61.1]]]}",
               VK_EGEOM_INVALID, "geometry.coordinates", "ring 1 is not closed", "unclosed ring");
    expect_err("{\"type\":\"Polygon\",\"coordinates\":[[[28,61],[29,61],[28,61]]]}",
               VK_EGEOM_INVALID, "geometry.coordinates", "at least 4", "ring of 3 positions");
    expect_err("{\"type\":\"LineString\",\"coordinates\":[[28,61]]}", VK_EGEOM_INVALID,
               "geometry.coordinates", "at least 2", "line of 1 position");
    expect_err("{\"type\":\"LineString\",\"coordinates\":[[28,61],[28,61]]}", VK_EGEOM_INVALID,
               "geometry", NULL, "line of 2 equal positions (GEOS: too few points)");
    expect_err("{\"type\":\"Polygon\",\"coordinates\":[]}", VK_EGEOM_INVALID,
               "geometry.coordinates", "empty", "empty polygon");
    expect_err("{\"type\":\"MultiPoint\",\"coordinates\":[]}", VK_EGEOM_INVALID,
               "geometry.coordinates", "empty", "empty multipoint");
    expect_err("{\"type\":\"MultiPolygon\",\"coordinates\":[[]]}", VK_EGEOM_INVALID,
               "geometry.coordinates", "polygon 1 has no rings", "multipolygon with empty part");
    expect_err("{\"type\":\"Polygon\",\"coordinates\":[[[28,61],[29,61],[29,62],[28,61]],"
               "[[30,61],[30.5,61],[30.5,61.5],[30,61]]]}",
               VK_EGEOM_INVALID, "geometry", "Hole lies outside shell", "hole outside shell");
}

static void test_coordinates(void)
{
    expect_err("{\"type\":\"Point\",\"coordinates\":[181,61]}", VK_EGEOM_COORD,
               "geometry.coordinates", "longitude 181 is outside -180…180", "longitude 181");
    expect_err("{\"type\":\"Point\",\"coordinates\":[28,-91]}", VK_EGEOM_COORD,
               "geometry.coordinates", "latitude -91 is outside -90…90", "latitude -91");
    expect_err("{\"type\":\"Polygon\",\"coordinates\":[[[28,61],[29,61],[181,62],[28,62],[28,61]]]}",
               VK_EGEOM_COORD, "geometry.coordinates",
               "position 3 of ring 1: longitude 181 is outside", "position named in a ring");
    expect_err("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[28,61],[29,61],[29,62],[28,61]]],"
               "[[[28,61],[29,61],[29,62],[28,-95]]]]}",
               VK_EGEOM_COORD, NULL, "position 4 of ring 1 of polygon 2", "position in multipolygon");
    expect_err("{\"type\":\"LineString\",\"coordinates\":[[28,61],[\"28.5\",61]]}", VK_EGEOM_COORD,
               "geometry.coordinates", "position 2: coordinate 1 is not a number",
               "string coordinate");
    expect_err("{\"type\":\"Point\",\"coordinates\":[28]}", VK_EGEOM_COORD, "geometry.coordinates",
               "has 1 number", "1-element position");
    expect_err("{\"type\":\"Point\",\"coordinates\":[28,61,1,2]}", VK_EGEOM_COORD, NULL,
               "has 4 numbers", "4-element position");
    expect_err("{\"type\":\"Point\",\"coordinates\":[28,null]}", VK_EGEOM_COORD, NULL,
               "coordinate 2 is not a number", "null coordinate");
    expect_err("{\"type\":\"Point\",\"coordinates\":[[28,61]]}", VK_ETYPE, "geometry.coordinates",
               "nesting", "point nested too deep");
    expect_err("{\"type\":\"LineString\",\"coordinates\":[28,61]}", VK_ETYPE,
               "geometry.coordinates", "must be an array", "line nested too shallow");
}

static void test_structure(void)
{
    expect_err("{\"type\":\"GeometryCollection\",\"geometries\":[]}", VK_EGEOM_TYPE,
               "geometry.type", "GeometryCollection", "GeometryCollection");
    expect_err("{\"type\":\"Circle\",\"coordinates\":[28,61]}", VK_EGEOM_TYPE, "geometry.type",
               "\"Circle\"", "unknown type");
    expect_err("{\"type\":\"point\",\"coordinates\":[28,61]}", VK_EGEOM_TYPE, "geometry.type",
               NULL, "type names are case-sensitive");
    expect_err("{\"coordinates\":[28,61]}", VK_EMISSING, "geometry.type", NULL, "missing type");
    expect_err("{\"type\":7,\"coordinates\":[28,61]}", VK_ETYPE, "geometry.type", NULL,
               "type not a string");
    expect_err("{\"type\":\"Point\"}", VK_EMISSING, "geometry.coordinates", NULL,
               "missing coordinates");
    expect_err("{\"type\":\"Point\",\"coordinates\":\"28,61\"}", VK_ETYPE, "geometry.coordinates",
               NULL, "coordinates not an array");
    expect_err("[28,61]", VK_ETYPE, "geometry", NULL, "geometry not an object");

    gis_geom *geom = (gis_geom *)1;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    T_EQ_INT(gis_geom_from_geojson(G, NULL, "place", &geom, &ei), VK_EMISSING, "NULL geometry");
    T_EQ_STR(ei.field, "place", "field name is the caller's");
    T_OK(geom == NULL, "out cleared");
}

static void test_vertex_cap(void)
{
    gis_geom *geom = NULL;
    vk_errinfo ei;
    json_t *j = long_line(GIS_MAX_VERTICES + 1);
    vk_errinfo_clear(&ei);
    T_EQ_INT(gis_geom_from_geojson(G, j, "geometry", &geom, &ei), VK_EVERTICES,
             "10 001 vertices rejected");
    T_EQ_STR(ei.field, "geometry.coordinates", "vertex cap: field");
    T_OK(geom == NULL, "vertex cap: nothing built");
    json_decref(j);

    j = long_line(GIS_MAX_VERTICES);
    T_EQ_INT(gis_geom_from_geojson(G, j, "geometry", &geom, &ei), VK_OK,
             "10 000 vertices accepted");
    gis_geom_free(G, geom);
    geom = NULL;
    json_decref(j);

    /* The cap counts all parts together. */
    json_t *a = long_line(6000), *b = long_line(4001);
    j = json_pack("{s:s,s:[OO]}", "type", "MultiLineString", "coordinates",
                  json_object_get(a, "coordinates"), json_object_get(b, "coordinates"));
    T_EQ_INT(gis_geom_from_geojson(G, j, "geometry", &geom, &ei), VK_EVERTICES,
             "6000 + 4001 vertices in two lines rejected");
    json_decref(j);
    json_decref(a);
    json_decref(b);
    gis_geom_free(G, geom);
}

static void test_winding(void)
{
    /* Exterior clockwise, hole counter-clockwise: both the wrong way. */
    size_t n;
    unsigned char *wkb = wkb_of("{\"type\":\"Polygon\",\"coordinates\":["
                                "[[28,61],[28,62],[29,62],[29,61],[28,61]],"
                                "[[28.2,61.2],[28.4,61.2],[28.4,61.4],[28.2,61.4],[28.2,61.2]]]}",
                                &n);
    T_OK(wkb != NULL, "clockwise exterior accepted (RFC 7946: do not reject)");
    char *s = wkb ? geojson_of(wkb, n, NULL) : NULL;
    T_OK(s && ring_area(s, 0) > 0, "exterior ring written counter-clockwise");
    T_OK(s && ring_area(s, 1) < 0, "hole written clockwise");
    T_NEAR(s ? ring_area(s, 0) : 0, 1.0, 1e-9, "exterior area kept");
    T_NEAR(s ? ring_area(s, 1) : 0, -0.04, 1e-9, "hole area kept");
    free(s);
    free(wkb);

    /* Already right: kept as is, first position unchanged. */
    wkb = wkb_of("{\"type\":\"Polygon\",\"coordinates\":[[[28,61],[29,61],[29,62],[28,62],[28,61]]]}",
                 &n);
    s = wkb ? geojson_of(wkb, n, NULL) : NULL;
    T_EQ_STR(s, "{\"type\":\"Polygon\",\"coordinates\":[[[28,61],[29,61],[29,62],[28,62],[28,61]]]}",
             "counter-clockwise exterior unchanged");
    free(s);
    free(wkb);
}

static int add_area(int64_t id, const char *geojson)
{
    size_t n;
    unsigned char *wkb = wkb_of(geojson, &n);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    vk_err e = !wkb ? VK_EINTERNAL
               : id ? gis_add_district(G, id, wkb, n, &ei)
                    : gis_set_boundary(G, wkb, n, &ei);
    free(wkb);
    return e;
}

static vk_err inside(const char *geojson, vk_errinfo *ei)
{
    gis_geom *geom = NULL;
    vk_err e = parse(geojson, &geom, ei);
    if (e == VK_OK)
        e = gis_geom_check_inside(G, geom, "geometry", ei);
    gis_geom_free(G, geom);
    return e;
}

static int64_t district(const char *geojson)
{
    gis_geom *geom = NULL;
    vk_errinfo ei;
    int64_t id = -1;
    if (parse(geojson, &geom, &ei) == VK_OK)
        id = gis_geom_district(G, geom);
    gis_geom_free(G, geom);
    return id;
}

#define PT(x, y) "{\"type\":\"Point\",\"coordinates\":[" #x "," #y "]}"
#define LINE(x0, y0, x1, y1)                                                                   \
    "{\"type\":\"LineString\",\"coordinates\":[[" #x0 "," #y0 "],[" #x1 "," #y1 "]]}"
#define BOX(x0, y0, x1, y1)                                                                    \
    "{\"type\":\"Polygon\",\"coordinates\":[[[" #x0 "," #y0 "],[" #x1 "," #y0 "],[" #x1 "," #y1 \
    "],[" #x0 "," #y1 "],[" #x0 "," #y0 "]]]}"

static void test_areas(void)
{
    vk_errinfo ei;
    T_EQ_INT(inside(PT(100, 10), &ei), VK_OK, "no boundary yet: everything inside");
    T_EQ_INT(district(PT(28.5, 61.5)), 0, "no districts yet: 0");

    T_EQ_INT(add_area(0, BOX(27.5, 60.5, 30.5, 62.5)), VK_OK, "square boundary set");
    T_EQ_INT(inside(PT(28.5, 61.5), &ei), VK_OK, "point inside");
    T_EQ_INT(inside(PT(31, 61.5), &ei), VK_EOUTSIDE, "point outside");
    T_OK(strstr(ei.message, "outside the municipality boundary") != NULL, "outside: message (%s)",
         ei.message);
    T_EQ_STR(ei.field, "geometry", "outside: field");
    T_EQ_INT(inside(PT(27.5, 61), &ei), VK_OK, "point on the boundary counts as inside");
    T_EQ_INT(inside(PT(28.5, 60.4), &ei), VK_EOUTSIDE, "point within the envelope's x but outside");
    T_EQ_INT(inside(LINE(28, 61, 31, 61), &ei), VK_EOUTSIDE, "line leaving the boundary");
    T_EQ_INT(inside(BOX(28, 61, 29, 62), &ei), VK_OK, "polygon inside");
    T_EQ_INT(inside(BOX(30, 61, 31, 62), &ei), VK_EOUTSIDE, "polygon partly outside");

    /* A triangular boundary: envelope covers the point, the shape does not. */
    T_EQ_INT(add_area(0, "{\"type\":\"Polygon\",\"coordinates\":"
                         "[[[27.5,60.5],[30.5,60.5],[27.5,62.5],[27.5,60.5]]]}"),
             VK_OK, "boundary replaced by a triangle");
    T_EQ_INT(inside(PT(30, 62), &ei), VK_EOUTSIDE, "inside the envelope, outside the triangle");
    T_EQ_INT(inside(PT(28, 61), &ei), VK_OK, "inside the triangle");

    T_EQ_INT(add_area(11, BOX(28, 61, 29, 62)), VK_OK, "district 11 added");
    T_EQ_INT(add_area(22, BOX(29, 61, 30, 62)), VK_OK, "district 22 added");
    T_EQ_INT(district(PT(28.5, 61.5)), 11, "point in district 11");
    T_EQ_INT(district(PT(29.5, 61.5)), 22, "point in district 22");
    T_EQ_INT(district(PT(29, 61.5)), 11, "point on the shared edge: first district");
    T_EQ_INT(district(PT(27.8, 61.5)), 0, "point outside all districts: 0");
    T_EQ_INT(district(LINE(28.8, 61.5, 29.5, 61.5)), 22, "line: 0.2 in 11, 0.5 in 22 → 22");
    T_EQ_INT(district(LINE(28.2, 61.5, 29.1, 61.5)), 11, "line: 0.8 in 11, 0.1 in 22 → 11");
    T_EQ_INT(district(LINE(27.6, 61.5, 27.9, 61.7)), 0, "line outside all districts: 0");
    T_EQ_INT(district(BOX(28.9, 61.2, 29.8, 61.8)), 22, "polygon mostly in 22");
    T_EQ_INT(district(BOX(28.1, 61.2, 29.2, 61.8)), 11, "polygon mostly in 11");
    T_EQ_INT(district("{\"type\":\"MultiPoint\",\"coordinates\":[[28.5,61.5],[29.5,61.5],[29.6,61.6]]}"),
             22, "multipoint: most points in 22");
    T_EQ_INT(district("{\"type\":\"MultiPolygon\",\"coordinates\":["
                      "[[[28.1,61.1],[28.2,61.1],[28.2,61.2],[28.1,61.2],[28.1,61.1]]],"
                      "[[[29.1,61.1],[29.5,61.1],[29.5,61.5],[29.1,61.5],[29.1,61.1]]]]}"),
             22, "multipolygon: larger part in 22");

    /* Areas must be polygons and valid. */
    size_t n;
    unsigned char *wkb = wkb_of(PT(28, 61), &n);
    vk_errinfo_clear(&ei);
    T_EQ_INT(gis_add_district(G, 33, wkb, n, &ei), VK_EGEOM_TYPE, "a point is not a district");
    T_EQ_INT(gis_add_district(G, 33, wkb, n - 1, &ei), VK_EGEOM_INVALID, "truncated WKB refused");
    T_EQ_INT(gis_set_boundary(G, NULL, 0, &ei), VK_EGEOM_INVALID, "no WKB refused");
    free(wkb);
    T_EQ_INT(district(PT(28.5, 61.5)), 11, "failed adds changed nothing");

    double lon = 0, lat = 0;
    wkb = wkb_of("{\"type\":\"Polygon\",\"coordinates\":[[[28,61],[29,61],[29,61.2],[28.2,61.2],"
                 "[28.2,62],[28,62],[28,61]]]}",
                 &n);
    T_EQ_INT(gis_wkb_point_on_surface(G, wkb, n, &lon, &lat), VK_OK, "point on surface");
    T_OK(lon >= 28 && lat >= 61 && (lon <= 28.2 || lat <= 61.2) && lon <= 29 && lat <= 62,
         "point on surface lies in the L shape (%g %g)", lon, lat);
    T_EQ_INT(gis_wkb_point_on_surface(G, wkb, 5, &lon, &lat), VK_EINTERNAL,
             "point on surface: truncated WKB");
    free(wkb);
}

static void test_wkb_reader(void)
{
    size_t n;
    unsigned char *wkb = wkb_of("{\"type\":\"MultiPolygon\",\"coordinates\":["
                                "[[[28,61],[29,61],[29,62],[28,62],[28,61]],"
                                "[[28.2,61.2],[28.2,61.4],[28.4,61.4],[28.4,61.2],[28.2,61.2]]],"
                                "[[[30,61],[31,61],[31,62],[30,62],[30,61]]]]}",
                                &n);
    T_OK(wkb != NULL, "multipolygon WKB for the reader tests");
    if (!wkb)
        return;

    /* Every truncation fails, cleanly, without reading past the copy. */
    size_t failed = 0;
    vk_buf b;
    vk_buf_init(&b, 1 << 20);
    vk_buf_puts(&b, "X");
    for (size_t len = 0; len < n; len++) {
        unsigned char *cut = malloc(len ? len : 1);
        memcpy(cut, wkb, len);
        if (gis_wkb_to_geojson(len ? cut : NULL, len, &b) == VK_EINTERNAL)
            failed++;
        free(cut);
    }
    T_EQ_INT(failed, n, "all %zu truncations of the WKB are errors", n);
    T_EQ_STR(b.data, "X", "failed calls leave the buffer as it was");

    unsigned char *longer = malloc(n + 1);
    memcpy(longer, wkb, n);
    longer[n] = 0;
    T_EQ_INT(gis_wkb_to_geojson(longer, n + 1, &b), VK_EINTERNAL, "trailing byte is an error");
    free(longer);

    /* Corrupt each byte in turn: an answer or an error, never a crash. */
    size_t answered = 0;
    for (size_t i = 0; i < n; i++) {
        for (unsigned v = 0; v < 256; v += 51) {
            unsigned char *bad = malloc(n);
            memcpy(bad, wkb, n);
            bad[i] = (unsigned char)v;
            vk_buf_reset(&b);
            vk_err e = gis_wkb_to_geojson(bad, n, &b);
            answered += e == VK_OK || e == VK_EINTERNAL;
            free(bad);
        }
    }
    T_EQ_INT(answered, n * 6, "corrupted bytes: every call answered");
    vk_buf_fini(&b);
    free(wkb);

    /* A buffer too small fails with VK_ENOMEM. */
    wkb = wkb_of(PT(28.7512, 61.1734), &n);
    vk_buf_init(&b, 10);
    T_EQ_INT(gis_wkb_to_geojson(wkb, n, &b), VK_ENOMEM, "output over the cap: VK_ENOMEM");
    vk_buf_fini(&b);
    free(wkb);

    wb w = {.n = 0};
    wb_point(&w, 1, 28.7512, 61.1734);
    expect_json(&w, "{\"type\":\"Point\",\"coordinates\":[28.7512,61.1734]}", "big-endian point");

    w.n = 0;
    wb_head(&w, 1, 3); /* big-endian polygon, one ring */
    wb_u32(&w, 1, 1);
    wb_u32(&w, 1, 4);
    wb_f64(&w, 1, 28), wb_f64(&w, 1, 61);
    wb_f64(&w, 1, 29), wb_f64(&w, 1, 61);
    wb_f64(&w, 1, 28.5), wb_f64(&w, 1, 61.25);
    wb_f64(&w, 1, 28), wb_f64(&w, 1, 61);
    expect_json(&w, "{\"type\":\"Polygon\",\"coordinates\":[[[28,61],[29,61],[28.5,61.25],[28,61]]]}",
                "big-endian polygon");

    w.n = 0;
    wb_head(&w, 1, 4); /* big-endian multipoint with a little-endian part */
    wb_u32(&w, 1, 2);
    wb_point(&w, 0, 1.5, -2.25);
    wb_point(&w, 1, -0.0000001, 3);
    expect_json(&w, "{\"type\":\"MultiPoint\",\"coordinates\":[[1.5,-2.25],[-0.0000001,3]]}",
                "mixed byte orders");

    w.n = 0;
    wb_head(&w, 0, 0xA0000001u); /* EWKB PointZ with SRID */
    wb_u32(&w, 0, 4326);
    wb_f64(&w, 0, 28.1), wb_f64(&w, 0, 61.2), wb_f64(&w, 0, 99.5);
    expect_json(&w, "{\"type\":\"Point\",\"coordinates\":[28.1,61.2]}", "EWKB Z + SRID");

    w.n = 0;
    wb_head(&w, 0, 3002); /* ISO LineString ZM */
    wb_u32(&w, 0, 2);
    wb_f64(&w, 0, 1), wb_f64(&w, 0, 2), wb_f64(&w, 0, 3), wb_f64(&w, 0, 4);
    wb_f64(&w, 0, 5), wb_f64(&w, 0, 6), wb_f64(&w, 0, 7), wb_f64(&w, 0, 8);
    expect_json(&w, "{\"type\":\"LineString\",\"coordinates\":[[1,2],[5,6]]}", "ISO ZM line");

    w.n = 0;
    wb_head(&w, 1, 2001); /* big-endian ISO PointM */
    wb_f64(&w, 1, 10), wb_f64(&w, 1, 20), wb_f64(&w, 1, 30);
    expect_json(&w, "{\"type\":\"Point\",\"coordinates\":[10,20]}", "ISO M point");

    w.n = 0;
    wb_head(&w, 0, 7); /* collection: point, empty line, nested collection */
    wb_u32(&w, 0, 3);
    wb_point(&w, 0, 1, 2);
    wb_head(&w, 0, 2);
    wb_u32(&w, 0, 0);
    wb_head(&w, 0, 7);
    wb_u32(&w, 0, 1);
    wb_point(&w, 1, NAN, NAN);
    expect_json(&w,
                "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Point\",\"coordinates\":"
                "[1,2]},{\"type\":\"LineString\",\"coordinates\":[]},{\"type\":\"GeometryCollection\","
                "\"geometries\":[{\"type\":\"Point\",\"coordinates\":[]}]}]}",
                "collection with empties");

    /* Nesting: 8 collections deep is fine, 9 is refused. */
    for (int depth = 8; depth <= 9; depth++) {
        w.n = 0;
        for (int i = 0; i <= depth; i++) {
            wb_head(&w, 0, 7);
            wb_u32(&w, 0, i < depth ? 1 : 0);
        }
        vk_err e = VK_OK;
        char *s = geojson_of(w.d, w.n, &e);
        T_EQ_INT(e, depth <= 8 ? VK_OK : VK_EINTERNAL, "collections nested %d deep", depth);
        free(s);
    }

    struct {
        uint32_t type;
        const char *name;
    } bad[] = {{0, "type 0"}, {8, "type 8"}, {1008, "type 1008"}, {4001, "type 4001"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        w.n = 0;
        wb_head(&w, 0, bad[i].type);
        wb_u32(&w, 0, 0);
        wb_f64(&w, 0, 0);
        wb_f64(&w, 0, 0);
        vk_err e = VK_OK;
        char *s = geojson_of(w.d, w.n, &e);
        T_EQ_INT(e, VK_EINTERNAL, "unknown WKB %s refused", bad[i].name);
        free(s);
    }

    w.n = 0;
    wb_head(&w, 0, 2); /* count far larger than the bytes */
    wb_u32(&w, 0, 0xFFFFFFFFu);
    wb_f64(&w, 0, 1), wb_f64(&w, 0, 2);
    vk_err e = VK_OK;
    char *s = geojson_of(w.d, w.n, &e);
    T_EQ_INT(e, VK_EINTERNAL, "huge point count refused");
    free(s);

    w.n = 0;
    wb_head(&w, 0, 4); /* a MultiPoint holding a line */
    wb_u32(&w, 0, 1);
    wb_head(&w, 0, 2);
    wb_u32(&w, 0, 0);
    s = geojson_of(w.d, w.n, &e);
    T_EQ_INT(e, VK_EINTERNAL, "multipoint holding a line refused");
    free(s);

    w.n = 0;
    wb_u8(&w, 2); /* byte order must be 0 or 1 */
    wb_u32(&w, 0, 1);
    wb_f64(&w, 0, 1), wb_f64(&w, 0, 2);
    s = geojson_of(w.d, w.n, &e);
    T_EQ_INT(e, VK_EINTERNAL, "byte order 2 refused");
    free(s);
}

int main(void)
{
    if (gis_ctx_new(&G) != VK_OK) {
        printf("Bail out! gis_ctx_new failed\n");
        return 1;
    }
    test_round_trips();
    test_invalid();
    test_coordinates();
    test_structure();
    test_vertex_cap();
    test_winding();
    test_areas();
    test_wkb_reader();
    gis_ctx_free(G);
    return t_done();
}
