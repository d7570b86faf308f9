/*
 * seed.c — generated survey responses (see seed.h).
 *
 * Each element type has its generator in one table, as questions/types.c
 * has its checks. Drawn geometries start from points known to lie in a
 * district and in the survey area (a small pool per district found once
 * by sampling the district's envelope) and are checked with the same GIS
 * calls the response check makes before use; a drawing that fails its
 * check a few times is given by its district instead, so the generator
 * never has to guess what the check will say.
 */
#include "survey/seed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "questions/types.h"


#define POOL 24          /* known-good points per district */
#define POOL_TRIES 600   /* samples of a district's envelope to find them */
#define DRAW_TRIES 6     /* attempts at one line or polygon, each smaller */
#define M_LAT (1.0 / 111320.0) /* degrees of latitude per metre */
#define M_LON(lat) (M_LAT / cos((lat) * M_PI / 180)) /* and of longitude */

typedef struct seed_district {
    int64_t id;
    char code[48];
    double pts[POOL][2];
    size_t n_pts;
} seed_district;

struct survey_seed {
    const survey_def *def;
    gis_ctx *gis, *area;
    survey_seed_opts o;
    uint64_t rng;
    seed_district *d; /* districts that meet the survey area */
    size_t n_d, cap_d;
    const json_t *places;
};

/* ---- randomness (splitmix64: small, fast, good enough to look real) ---- */

static uint64_t next(survey_seed *s)
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unit(survey_seed *s) { return (double)(next(s) >> 11) * 0x1.0p-53; }

/* A whole number from lo to hi, both included. */
static long long between(survey_seed *s, long long lo, long long hi)
{
    return hi <= lo ? lo : lo + (long long)(next(s) % (uint64_t)(hi - lo + 1));
}

static int chance(survey_seed *s, double p) { return unit(s) < p; }

/* A random permutation of 0..n-1 into idx. */
static void shuffle(survey_seed *s, size_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(next(s) % i), t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

/* ---- texts ---- */

enum { FI, SV, EN };
static const char *const LANGS[] = {"fi", "sv", "en"};

static const char *const TEXTS[3][8] = {
    {"Liikenne on aamuisin vilkasta.", "Valaistus on puutteellinen.",
     "Lisää penkkejä ja roska-astioita, kiitos.", "Talvikunnossapito toimii hyvin.",
     "Jalkakäytävä puuttuu kokonaan.", "Autot ajavat tässä liian lujaa.",
     "Tähän sopisi hyvin leikkipaikka.", "Pensaat estävät näkyvyyden risteyksessä."},
    {"Trafiken är livlig på morgnarna.", "Belysningen är bristfällig.",
     "Fler bänkar och papperskorgar, tack.", "Vinterunderhållet fungerar bra.",
     "Trottoaren saknas helt.", "Bilarna kör för fort här.",
     "Här skulle en lekplats passa bra.", "Buskarna skymmer sikten i korsningen."},
    {"Traffic is heavy in the mornings.", "The lighting is poor.",
     "More benches and bins, please.", "Snow clearing works well.",
     "There is no pavement at all.", "Cars drive too fast here.",
     "This would be a good place for a playground.", "Bushes block the view at the crossing."},
};

static const char *const WORDS[3][5] = {
    {"Kaupan pihan kohdalla", "Koulun takana olevalla polulla", "Rautatieaseman alikulussa",
     "Uimarannan parkkipaikalla", "Kirjaston edessä"},
    {"Vid butikens gård", "På stigen bakom skolan", "I järnvägsstationens underfart",
     "På badstrandens parkering", "Framför biblioteket"},
    {"By the shop's yard", "On the path behind the school", "In the railway station underpass",
     "At the beach car park", "In front of the library"},
};

static const char *const OTHERS[3][4] = {
    {"Kirjaston tapahtumat", "Naapuruston viestiryhmä", "Potkulauta", "Mummon kyydillä"},
    {"Bibliotekets evenemang", "Grannskapets chattgrupp", "Sparkcykel", "Med mormor"},
    {"Library events", "The neighbourhood chat group", "Kick scooter", "Grandma drives me"},
};

/* s cut to at most max characters, at a character boundary. */
static json_t *text_cut(const char *s, size_t max)
{
    size_t i = 0, chars = 0;
    while (s[i] && chars < max) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    while (i > 0 && s[i - 1] == ' ')
        i--;
    return i ? json_stringn(s, i) : json_string("-");
}

/* ---- the survey's pieces ---- */

static const char *str_of(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static long long int_of(const json_t *o, const char *k, long long def)
{
    const json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? json_integer_value(v) : def;
}

static int flag_of(const json_t *o, const char *k, int def)
{
    const json_t *v = json_object_get(o, k);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

/* A random "key" of the objects in arr. */
static const char *any_key(survey_seed *s, const json_t *arr)
{
    size_t n = json_array_size(arr);
    return n ? str_of(json_array_get(arr, (size_t)(next(s) % n)), "key") : NULL;
}

/* ---- geometry ---- */

static double round6(double x) { return floor(x * 1e6 + 0.5) / 1e6; }

static json_t *position(double lon, double lat)
{
    return json_pack("[f,f]", round6(lon), round6(lat));
}

/* Does geometry pass what the response check asks of a drawing: valid,
 * inside the municipality, inside (or outside) the survey area? The
 * district it falls in through *district. */
static int geom_ok(survey_seed *s, const json_t *geometry, int64_t *district)
{
    vk_errinfo ei;
    gis_geom *g = NULL;
    int ok = gis_geom_from_geojson(s->gis, geometry, "geometry", &g, &ei) == VK_OK &&
             gis_geom_check_inside(s->gis, g, "geometry", &ei) == VK_OK;
    if (ok && district)
        *district = gis_geom_district(s->gis, g);
    if (g)
        gis_geom_free(s->gis, g);
    if (ok && s->area) {
        gis_geom *a = NULL;
        ok = gis_geom_from_geojson(s->area, geometry, "geometry", &a, &ei) == VK_OK &&
             (s->def->area_outside ? gis_geom_district(s->area, a) == 0
                                   : gis_geom_check_inside(s->area, a, "geometry", &ei) == VK_OK);
        if (a)
            gis_geom_free(s->area, a);
    }
    return ok;
}

static json_t *point_geom(double lon, double lat)
{
    return json_pack("{s:s,s:o}", "type", "Point", "coordinates", position(lon, lat));
}

/* The envelope of a district's WKB, read through its GeoJSON. */
static void grow_box(const json_t *c, double box[4])
{
    if (json_array_size(c) >= 2 && json_is_number(json_array_get(c, 0))) {
        double x = json_number_value(json_array_get(c, 0)),
               y = json_number_value(json_array_get(c, 1));
        box[0] = fmin(box[0], x), box[1] = fmin(box[1], y);
        box[2] = fmax(box[2], x), box[3] = fmax(box[3], y);
        return;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(c, i, v) grow_box(v, box);
}

static int envelope(const store_area *a, double box[4])
{
    vk_buf b;
    vk_buf_init(&b, 64u << 20);
    box[0] = box[1] = INFINITY;
    box[2] = box[3] = -INFINITY;
    json_t *j = NULL;
    if (gis_wkb_to_geojson(a->wkb, a->wkb_len, &b) == VK_OK && vk_buf_ok(&b))
        j = json_loadb(b.data, b.len, 0, NULL);
    grow_box(json_object_get(j, "coordinates"), box);
    json_decref(j);
    vk_buf_fini(&b);
    return box[0] < box[2] && box[1] < box[3];
}

/* Points of district a that every drawing check accepts. */
static void find_pool(survey_seed *s, const store_area *a, seed_district *d)
{
    double box[4];
    d->id = a->id;
    snprintf(d->code, sizeof d->code, "%s", a->code ? a->code : "");
    d->n_pts = 0;
    if (!envelope(a, box))
        return;
    for (int t = 0; t < POOL_TRIES && d->n_pts < POOL; t++) {
        double lon = round6(box[0] + unit(s) * (box[2] - box[0]));
        double lat = round6(box[1] + unit(s) * (box[3] - box[1]));
        json_t *g = point_geom(lon, lat);
        int64_t in = 0;
        if (geom_ok(s, g, &in) && in == d->id) {
            d->pts[d->n_pts][0] = lon;
            d->pts[d->n_pts][1] = lat;
            d->n_pts++;
        }
        json_decref(g);
    }
}

static const double *pool_point(survey_seed *s, const seed_district *d)
{
    return d->pts[next(s) % d->n_pts];
}

/* A point near a known-good one of district d. */
static json_t *draw_point(survey_seed *s, const seed_district *d)
{
    const double *p = pool_point(s, d);
    json_t *g = point_geom(p[0] + (unit(s) - 0.5) * 300 * M_LON(p[1]),
                           p[1] + (unit(s) - 0.5) * 300 * M_LAT);
    if (geom_ok(s, g, NULL))
        return g;
    json_decref(g);
    return point_geom(p[0], p[1]);
}

/* A walk of 2–5 vertices from a known-good point, steps of up to step m. */
static json_t *line_at(survey_seed *s, const double *p, double step)
{
    json_t *coords = json_array();
    double x = p[0], y = p[1], heading = unit(s) * 2 * M_PI;
    long long n = between(s, 2, 5);
    json_array_append_new(coords, position(x, y));
    for (long long i = 1; i < n; i++) {
        double len = step * (0.3 + 0.7 * unit(s));
        heading += (unit(s) - 0.5) * M_PI / 2;
        x += cos(heading) * len * M_LON(p[1]);
        y += sin(heading) * len * M_LAT;
        json_array_append_new(coords, position(x, y));
    }
    return json_pack("{s:s,s:o}", "type", "LineString", "coordinates", coords);
}

/* A star-shaped ring (angles increasing: counter-clockwise, never
 * crossing itself) of 4–7 vertices and radius up to r m around p. */
static json_t *area_at(survey_seed *s, const double *p, double r)
{
    json_t *ring = json_array();
    long long n = between(s, 4, 7);
    for (long long i = 0; i < n; i++) {
        double a = 2 * M_PI * ((double)i + 0.3 * (unit(s) - 0.5)) / (double)n;
        double len = r * (0.5 + 0.5 * unit(s));
        json_array_append_new(ring, position(p[0] + cos(a) * len * M_LON(p[1]),
                                             p[1] + sin(a) * len * M_LAT));
    }
    json_array_append(ring, json_array_get(ring, 0));
    return json_pack("{s:s,s:[o]}", "type", "Polygon", "coordinates", ring);
}

/* A geometry of type (GeoJSON) in district d, checked; NULL when every
 * attempt failed its check. */
static json_t *draw(survey_seed *s, const char *type, const seed_district *d)
{
    if (strcmp(type, "Point") == 0)
        return draw_point(s, d);
    double size = 150 + unit(s) * 450;
    for (int t = 0; t < DRAW_TRIES; t++, size /= 2) {
        const double *p = pool_point(s, d);
        json_t *g = strcmp(type, "LineString") == 0 ? line_at(s, p, size) : area_at(s, p, size / 2);
        if (geom_ok(s, g, NULL))
            return g;
        json_decref(g);
    }
    return NULL;
}

/* Where a drawn feature or placed item is: a geometry of type, or a
 * district, a place or words; set as members of f. */
static void locate(survey_seed *s, json_t *f, const char *type, int lang)
{
    const seed_district *d = &s->d[next(s) % s->n_d];
    double r = unit(s);
    json_t *g = r < s->o.p_geometry ? draw(s, type, d) : NULL;
    if (g) {
        json_object_set_new(f, "geometry", g);
        return;
    }
    r = unit(s);
    if (r < 0.35 && json_array_size(s->places))
        json_object_set_new(f, "place", json_string(any_key(s, s->places)));
    else if (r < 0.6)
        json_object_set_new(f, "description", json_string(WORDS[lang][next(s) % 5]));
    else
        json_object_set_new(f, "district", json_string(d->code));
}

/* ---- answers by type ---- */

typedef struct gen_ctx {
    int lang;
    int required;
    const json_t *answers; /* the answers so far (top level), for conditions */
} gen_ctx;

typedef json_t *(*gen_fn)(survey_seed *s, const json_t *el, const gen_ctx *c);

static json_t *gen_other(survey_seed *s, const gen_ctx *c)
{
    return json_pack("{s:s}", "other", OTHERS[c->lang][next(s) % 4]);
}

static json_t *gen_single(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    if (flag_of(el, "other", 0) && chance(s, 0.06))
        return gen_other(s, c);
    return json_string(any_key(s, json_object_get(el, "choices")));
}

/* k distinct keys of the objects in arr (at most all), in random order. */
static json_t *some_keys(survey_seed *s, const json_t *arr, size_t k)
{
    size_t n = json_array_size(arr), idx[128];
    if (n > 128)
        n = 128;
    shuffle(s, idx, n);
    json_t *out = json_array();
    for (size_t i = 0; i < k && i < n; i++)
        json_array_append_new(out, json_string(str_of(json_array_get(arr, idx[i]), "key")));
    return out;
}

static json_t *gen_multi(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    const json_t *choices = json_object_get(el, "choices");
    long long n = (long long)json_array_size(choices), other = flag_of(el, "other", 0);
    long long lo = int_of(el, "min_picks", 1), hi = int_of(el, "max_picks", n + other);
    lo = lo < 1 ? 1 : lo;
    hi = hi > n + other ? n + other : hi;
    long long k = between(s, lo, hi < lo + 2 ? hi : lo + 2);
    int with_other = other && (k > n || chance(s, 0.08));
    json_t *v = some_keys(s, choices, (size_t)(k - with_other));
    if (with_other)
        json_array_append_new(v, gen_other(s, c));
    return v;
}

static json_t *gen_scale(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    long long lo = int_of(el, "min", 1), hi = int_of(el, "max", 5);
    /* the mean of two draws: the middle more often than the ends */
    return json_integer((between(s, lo, hi) + between(s, lo, hi) + between(s, 0, 1)) / 2);
}

static json_t *gen_number(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    const json_t *mn = json_object_get(el, "min"), *mx = json_object_get(el, "max");
    double lo = mn ? json_number_value(mn) : mx ? fmin(0, json_number_value(mx) - 100) : 0;
    double hi = mx ? json_number_value(mx) : lo + 100;
    double u = unit(s);
    double x = lo + (hi - lo) * u * u; /* small values more often, as years lived are */
    if (flag_of(el, "integer", 0)) {
        x = floor(x + 0.5);
        if (x < ceil(lo))
            x = ceil(lo);
        if (x > floor(hi))
            x = floor(hi);
        return json_integer((json_int_t)x);
    }
    x = floor(x * 10 + 0.5) / 10;
    return json_real(x < lo ? lo : x > hi ? hi : x);
}

static json_t *gen_text(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    size_t max = (size_t)int_of(el, "max_length", 500);
    const char *key = str_of(el, "key");
    char buf[640];
    if (key && strstr(key, "email")) {
        snprintf(buf, sizeof buf, "asukas%u@example.fi", (unsigned)(next(s) % 100000));
    } else if (flag_of(el, "multiline", 0) && chance(s, 0.3)) {
        snprintf(buf, sizeof buf, "%s\n%s", TEXTS[c->lang][next(s) % 8],
                 TEXTS[c->lang][next(s) % 8]);
    } else {
        snprintf(buf, sizeof buf, "%s", TEXTS[c->lang][next(s) % 8]);
    }
    return text_cut(buf, max);
}

static json_t *gen_ranking(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    const json_t *choices = json_object_get(el, "choices");
    size_t n = json_array_size(choices);
    size_t k = flag_of(el, "rank_all", 1) ? n : (size_t)between(s, 1, (long long)n);
    return some_keys(s, choices, k);
}

static json_t *gen_matrix(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    const json_t *rows = json_object_get(el, "rows"), *cols = json_object_get(el, "columns");
    json_t *v = json_object();
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row) {
        if (c->required || chance(s, 0.85))
            json_object_set_new(v, str_of(row, "key"), json_string(any_key(s, cols)));
    }
    return v;
}

static int64_t day_of(const char *date, int64_t def)
{
    int y, m, d;
    return date && sscanf(date, "%4d-%2d-%2d", &y, &m, &d) == 3 ? vk_days_from_civil(y, m, d)
                                                                 : def;
}

static json_t *gen_date(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    const char *mn = str_of(el, "min"), *mx = str_of(el, "max");
    int64_t lo = day_of(mn, mx ? day_of(mx, 0) - 365 : vk_days_from_civil(2026, 1, 1));
    int64_t hi = day_of(mx, lo + 365);
    int y, m, d;
    vk_civil_from_days(between(s, lo, hi), &y, &m, &d);
    char buf[16];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return json_string(buf);
}

static json_t *gen_consent(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    return c->required || chance(s, 0.5) ? json_true() : NULL;
}

static json_t *gen_place_choice(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    const json_t *offered = json_object_get(el, "places");
    json_t *keys = json_array(); /* [{key}], as some_keys reads them */
    size_t i;
    const json_t *p;
    json_array_foreach(offered ? offered : s->places, i, p) {
        json_array_append_new(keys,
                              json_pack("{s:O}", "key", offered ? p : json_object_get(p, "key")));
    }
    long long n = (long long)json_array_size(keys);
    long long lo = int_of(el, "min_picks", 1), hi = int_of(el, "max_picks", n);
    lo = lo < 1 ? 1 : lo;
    hi = hi > n ? n : hi;
    json_t *v = some_keys(s, keys, (size_t)between(s, lo, hi < lo + 1 ? hi : lo + 1));
    json_decref(keys);
    return v;
}

/* Conditions see the answers so far: a map question's follow-ups first
 * (fus and fu_answers), then the top level. */
typedef struct scope {
    const survey_def *def;
    const json_t *answers;
    const json_t *fus, *fu_answers;
} scope;

static const json_t *lookup(void *ud, const char *key, const json_t **elem)
{
    scope *sc = ud;
    size_t i;
    const json_t *fu;
    json_array_foreach(sc->fus, i, fu) {
        if (strcmp(str_of(fu, "key"), key) == 0) {
            *elem = fu;
            return json_object_get(sc->fu_answers, key);
        }
    }
    const survey_elem *el = survey_def_find(sc->def, key);
    *elem = el ? el->json : NULL;
    return el && el->parent < 0 ? json_object_get(sc->answers, key) : NULL;
}

static json_t *gen_answer(survey_seed *s, const json_t *el, const gen_ctx *c);

/* The follow-up answers of one drawn feature. */
static json_t *gen_followups(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    const json_t *fus = json_object_get(el, "followups");
    json_t *out = json_object();
    scope sc = {s->def, c->answers, fus, out};
    size_t i;
    const json_t *fu;
    json_array_foreach(fus, i, fu) {
        const json_t *cond = json_object_get(fu, "show_if");
        if (cond && !qt_condition_holds(cond, lookup, &sc))
            continue;
        gen_ctx fc = *c;
        fc.required = flag_of(fu, "required", 0);
        if (!fc.required && !chance(s, s->o.p_optional))
            continue;
        json_t *a = gen_answer(s, fu, &fc);
        if (a)
            json_object_set_new(out, str_of(fu, "key"), a);
    }
    if (json_object_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static json_t *gen_map(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    const qt_type *t = qt_type_of(el);
    long long lo = int_of(el, "min_features", 0), hi = int_of(el, "max_features", 10);
    long long first = lo < 1 ? 1 : lo;
    if (hi < first || !s->n_d)
        return NULL;
    long long n = between(s, first, hi < first + 2 ? hi : first + 2);
    json_t *v = json_array();
    for (long long i = 0; i < n; i++) {
        json_t *f = json_object();
        locate(s, f, t->geom, c->lang);
        json_t *a = gen_followups(s, el, c);
        if (a)
            json_object_set_new(f, "answers", a);
        json_array_append_new(v, f);
    }
    return v;
}

/* Budget items chosen at random while the total allows: counts[i] of
 * item i; 0 when nothing fits (never for a required budget: every item
 * costs at most the total). */
static size_t choose_items(survey_seed *s, const json_t *el, const gen_ctx *c,
                           long long *counts, size_t max_items)
{
    const json_t *items = json_object_get(el, "items");
    double total = json_number_value(json_object_get(el, "total")), sum = 0;
    size_t n = json_array_size(items), chosen = 0, want = (size_t)between(s, 1, 6);
    if (n > max_items)
        n = max_items;
    memset(counts, 0, n * sizeof *counts);
    while (chosen < want) {
        size_t fit[64], n_fit = 0;
        for (size_t i = 0; i < n && n_fit < 64; i++) {
            const json_t *it = json_array_get(items, i);
            if (counts[i] < int_of(it, "max_count", 1) &&
                sum + json_number_value(json_object_get(it, "cost")) <= total)
                fit[n_fit++] = i;
        }
        if (!n_fit)
            break;
        size_t i = fit[next(s) % n_fit];
        counts[i]++;
        sum += json_number_value(json_object_get(json_array_get(items, i), "cost"));
        chosen++;
    }
    return chosen;
}

static json_t *gen_budget(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    long long counts[64];
    const json_t *items = json_object_get(el, "items");
    if (!choose_items(s, el, c, counts, 64))
        return NULL;
    json_t *v = json_object();
    for (size_t i = 0; i < json_array_size(items) && i < 64; i++)
        if (counts[i])
            json_object_set_new(v, str_of(json_array_get(items, i), "key"),
                                json_integer(counts[i]));
    return v;
}

static json_t *gen_geobudget(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    long long counts[64];
    const json_t *items = json_object_get(el, "items");
    if (!s->n_d || !choose_items(s, el, c, counts, 64))
        return NULL;
    json_t *v = json_array();
    for (size_t i = 0; i < json_array_size(items) && i < 64; i++) {
        for (long long k = 0; k < counts[i]; k++) {
            json_t *f = json_pack("{s:s}", "item", str_of(json_array_get(items, i), "key"));
            locate(s, f, "Point", c->lang);
            json_array_append_new(v, f);
        }
    }
    return v;
}

static const struct {
    const char *type;
    gen_fn fn;
} GEN[] = {
    {"single-choice", gen_single}, {"multi-choice", gen_multi},
    {"scale", gen_scale},          {"number", gen_number},
    {"text", gen_text},            {"ranking", gen_ranking},
    {"matrix", gen_matrix},        {"date", gen_date},
    {"consent", gen_consent},      {"place-choice", gen_place_choice},
    {"map-point", gen_map},        {"map-line", gen_map},
    {"map-area", gen_map},         {"budget", gen_budget},
    {"geobudget", gen_geobudget},
};

/* An answer to el, or NULL for none; "skip" now and then where allowed. */
static json_t *gen_answer(survey_seed *s, const json_t *el, const gen_ctx *c)
{
    const char *type = str_of(el, "type");
    if (flag_of(el, "allow_skip", 0) && chance(s, 0.05))
        return json_string("skip");
    for (size_t i = 0; type && i < sizeof GEN / sizeof GEN[0]; i++)
        if (strcmp(GEN[i].type, type) == 0)
            return GEN[i].fn(s, el, c);
    return NULL;
}

/* ---- the generator ---- */

void survey_seed_opts_init(survey_seed_opts *o)
{
    o->p_geometry = 0.75;
    o->p_optional = 0.8;
    o->now = 0;
}

/* Does the survey ask anything to be drawn or placed? */
static int draws(const survey_def *def)
{
    for (size_t i = 0; i < def->n_elems; i++)
        if (def->elems[i].type->flags & QT_COUNTED)
            return 1;
    return 0;
}

/* Each stored district: its pool of points, kept when it has any. */
static int add_district(void *arg, const store_area *a)
{
    survey_seed *s = arg;
    if (s->n_d == s->cap_d) {
        size_t cap = s->cap_d ? s->cap_d * 2 : 16;
        seed_district *d = realloc(s->d, cap * sizeof *d);
        if (!d)
            return 1;
        s->d = d;
        s->cap_d = cap;
    }
    find_pool(s, a, &s->d[s->n_d]);
    if (s->d[s->n_d].n_pts)
        s->n_d++;
    return 0;
}

vk_err survey_seed_new(const survey_def *def, gis_ctx *gis, gis_ctx *area, store_conn *store,
                       const survey_seed_opts *opts, uint64_t seed, survey_seed **out,
                       vk_errinfo *ei)
{
    *out = NULL;
    survey_seed *s = calloc(1, sizeof *s);
    if (!s)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    *s = (survey_seed){.def = def, .gis = gis, .area = area, .rng = seed,
                       .places = json_object_get(def->doc, "places")};
    survey_seed_opts_init(&s->o);
    if (opts) { /* negative: the default */
        s->o.now = opts->now;
        s->o.p_geometry = opts->p_geometry < 0 ? s->o.p_geometry : opts->p_geometry;
        s->o.p_optional = opts->p_optional < 0 ? s->o.p_optional : opts->p_optional;
    }
    if (draws(def)) {
        vk_err e = store_area_each(store, STORE_AREA_DISTRICT, add_district, s, ei);
        if (e == VK_OK && !s->n_d)
            e = vk_fail(ei, VK_EVALUE, "area",
                        "survey '%s': no district meets the survey area, so nothing can be drawn",
                        def->slug);
        if (e != VK_OK) {
            survey_seed_free(s);
            return e;
        }
    }
    *out = s;
    return VK_OK;
}

void survey_seed_free(survey_seed *s)
{
    if (!s)
        return;
    free(s->d);
    free(s);
}

/* The consent whose "personal" names key, or NULL when key is not
 * personal data. */
static const char *consent_of(const survey_def *def, const char *key)
{
    for (size_t i = 0; i < def->n_elems; i++) {
        const json_t *list = json_object_get(def->elems[i].json, "personal");
        for (size_t k = 0; k < json_array_size(list); k++)
            if (strcmp(json_string_value(json_array_get(list, k)), key) == 0)
                return def->elems[i].key;
    }
    return NULL;
}

static json_t *gen_answers(survey_seed *s, int lang)
{
    const survey_def *def = s->def;
    json_t *answers = json_object();
    scope sc = {def, answers, NULL, NULL};
    const json_t *pages = json_object_get(def->doc, "pages");
    size_t page = (size_t)-1;
    int page_shown = 1;
    for (size_t i = 0; i < def->n_elems; i++) {
        const survey_elem *el = &def->elems[i];
        if (el->parent >= 0 || !(el->type->flags & QT_QUESTION))
            continue;
        if (el->page != page) {
            page = el->page;
            const json_t *c = json_object_get(json_array_get(pages, page), "show_if");
            page_shown = !c || qt_condition_holds(c, lookup, &sc);
        }
        const json_t *c = json_object_get(el->json, "show_if");
        if (!page_shown || (c && !qt_condition_holds(c, lookup, &sc)))
            continue;
        const char *consent = consent_of(def, el->key);
        if (consent && !json_is_true(json_object_get(answers, consent)))
            continue; /* personal data only with its consent */
        gen_ctx gc = {lang, flag_of(el->json, "required", 0), answers};
        if (!gc.required && !chance(s, consent ? 0.9 : s->o.p_optional))
            continue;
        json_t *a = gen_answer(s, el->json, &gc);
        if (a && !qt_answer_empty(a))
            json_object_set_new(answers, el->key, a);
        else
            json_decref(a);
    }
    return answers;
}

vk_err survey_seed_response(survey_seed *s, int64_t version, json_t **out, vk_errinfo *ei)
{
    uint64_t a = next(s), b = next(s);
    char id[40];
    /* a version 4 UUID: the version nibble 4, the variant bits 10 */
    snprintf(id, sizeof id, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             (unsigned)((b >> 48) & 0x3fff) | 0x8000,
             (unsigned long long)(b & 0xffffffffffffULL));
    double r = unit(s);
    int lang = r < 0.75 ? FI : r < 0.85 ? SV : EN;
    json_t *resp = json_pack("{s:s,s:I,s:s}", "id", id, "version", (json_int_t)version,
                             "language", LANGS[lang]);
    if (!resp)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    if (s->o.now > 0) {
        char started[VK_RFC3339_LEN];
        vk_rfc3339_of(s->o.now - between(s, 90, 1500), started);
        json_object_set_new(resp, "started", json_string(started));
    }
    json_t *answers = gen_answers(s, lang);
    if (!answers || json_object_set_new(resp, "answers", answers)) {
        json_decref(resp);
        return vk_fail(ei, VK_ENOMEM, "answers", NULL);
    }
    *out = resp;
    return VK_OK;
}

void survey_seed_set_now(survey_seed *s, int64_t now) { s->o.now = now; }
