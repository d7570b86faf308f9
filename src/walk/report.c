/*
 * report.c — the figures of walks (docs/walks.md, "Reports and figures"):
 * the report of one walk (summary, street stretches, findings) as JSON
 * and as a printable HTML page, figures per area and over time, and the
 * export of findings with OpenStreetMap tags.
 *
 * Findings are read once into memory and counted in C (walk/score.h):
 * the rules (which findings count, their consensus grade, the score) are
 * then written once, and the unit tests check the same functions.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "http/params.h"
#include "walk/api.h"
#include "walk/checklist.h"
#include "walk/score.h"
#include "walk/sql.h"
#include "walk/store.h"

#define STRETCH_M 100.0      /* a street stretch: 100 m along the route */
#define STRETCH_NEAR_M 30.0  /* a finding belongs to a stretch this close */
#define EARTH_R 6371008.8
#define TIMELINE_MAX 600     /* periods: 50 years of months */

static const char *const statuses[] = {"open", "planned", "fixed", "verified", "rejected"};
#define NSTATUS 5

static int status_index(const char *s)
{
    for (int i = 0; s && i < NSTATUS; i++)
        if (strcmp(s, statuses[i]) == 0)
            return i;
    return -1;
}

/* ---- findings in memory ---- */

/* What the figures need of a finding (strings owned). */
typedef struct fnd {
    int64_t id, walk_id;
    char *uuid, *type, *groups, *district, *area, *status, *consensus, *created, *fixed_at;
    int grade; /* the consensus grade */
    double lon, lat;
    char *feature; /* the GeoJSON Feature, for reports */
} fnd;

typedef struct fnd_list {
    fnd *v;
    size_t n, cap;
    int failed, with_features;
} fnd_list;

static char *dup0(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int fnd_row(void *arg, db_row *row)
{
    fnd_list *l = arg;
    if (l->failed || vk_grow(&l->v, &l->cap, l->n, sizeof *l->v, 64)) {
        l->failed = 1;
        return 1;
    }
    walk_finding_row f;
    walk_finding_read(row, &f);
    fnd *x = &l->v[l->n++];
    memset(x, 0, sizeof *x);
    x->id = f.id;
    x->walk_id = f.walk_id;
    x->uuid = dup0(f.uuid);
    x->type = dup0(f.type);
    x->groups = dup0(f.groups);
    x->district = dup0(f.district);
    x->area = dup0(f.special_area);
    x->status = dup0(f.status);
    x->consensus = dup0(f.consensus);
    x->created = dup0(f.created);
    x->fixed_at = dup0(f.fixed_at);
    x->grade = walk_grade_parse(f.consensus_grade);
    x->lon = f.lon;
    x->lat = f.lat;
    if (l->with_features) {
        vk_buf b;
        vk_buf_init(&b, 1 << 22);
        walk_finding_feature(&b, &f);
        size_t n;
        x->feature = vk_buf_ok(&b) ? vk_buf_take(&b, &n) : NULL;
        vk_buf_fini(&b);
        if (!x->feature)
            l->failed = 1;
    }
    if (!x->uuid || !x->status || !x->created)
        l->failed = 1;
    return l->failed;
}

static void fnd_list_fini(fnd_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        fnd *x = &l->v[i];
        free(x->uuid);
        free(x->type);
        free(x->groups);
        free(x->district);
        free(x->area);
        free(x->status);
        free(x->consensus);
        free(x->created);
        free(x->fixed_at);
        free(x->feature);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- a tally: the figures of a set of findings ---- */

typedef struct tally {
    int findings, disputed, fixed;
    int by_grade[WALK_NGRADES], by_status[NSTATUS];
    json_t *by_type, *by_group;
    double *days;
    size_t ndays, cap;
    double penalty, walked_m;
    int failed;
} tally;

static void tally_init(tally *t)
{
    memset(t, 0, sizeof *t);
    t->by_type = json_object();
    t->by_group = json_object();
}

static void tally_fini(tally *t)
{
    json_decref(t->by_type);
    json_decref(t->by_group);
    free(t->days);
    memset(t, 0, sizeof *t);
}

static void count_key(json_t *o, const char *k)
{
    if (!o || !k)
        return;
    json_t *v = json_object_get(o, k);
    json_object_set_new(o, k, json_integer(v ? json_integer_value(v) + 1 : 1));
}

/* Add finding x as it stood with status (its status then). */
static void tally_add(tally *t, const fnd *x, const char *status, const char *fixed_at)
{
    int s = status_index(status);
    if (s == 4) {
        t->by_status[4]++; /* rejected: listed, never counted */
        return;
    }
    if (!walk_finding_counts(status, x->consensus)) {
        t->disputed++;
        return;
    }
    t->findings++;
    if (s >= 0)
        t->by_status[s]++;
    if (x->grade >= 0)
        t->by_grade[x->grade]++;
    count_key(t->by_type, x->type);
    json_t *g = json_loads(x->groups ? x->groups : "[]", 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(g, i, v)
        count_key(t->by_group, json_string_value(v));
    json_decref(g);
    if (s == 2 || s == 3)
        t->fixed++;
    t->penalty += walk_grade_weight(x->grade) * walk_status_factor(status);
    if (fixed_at) {
        int64_t a = vk_rfc3339_seconds(x->created), b = vk_rfc3339_seconds(fixed_at);
        if (a >= 0 && b >= a) {
            if (vk_grow(&t->days, &t->cap, t->ndays, sizeof *t->days, 32))
                t->failed = 1;
            else
                t->days[t->ndays++] = (double)(b - a) / 86400;
        }
    }
}

/* The members of a summary, after "{" (no braces of its own). */
static void tally_members(vk_buf *b, tally *t)
{
    vk_buf_printf(b, "\"findings\":%d,\"by_grade\":{", t->findings);
    for (int g = 0; g < WALK_NGRADES; g++)
        vk_buf_printf(b, "%s\"%s\":%d", g ? "," : "", walk_grade_name(g), t->by_grade[g]);
    char *types = json_dumps(t->by_type, JSON_COMPACT | JSON_SORT_KEYS);
    char *groups = json_dumps(t->by_group, JSON_COMPACT | JSON_SORT_KEYS);
    vk_buf_printf(b, "},\"by_type\":%s,\"by_group\":%s,\"by_status\":{", types ? types : "{}",
                  groups ? groups : "{}");
    free(types);
    free(groups);
    for (int s = 0; s < NSTATUS; s++)
        vk_buf_printf(b, "%s\"%s\":%d", s ? "," : "", statuses[s], t->by_status[s]);
    vk_buf_printf(b, "},\"disputed\":%d,\"fixed\":%d,\"median_days_to_fixed\":", t->disputed,
                  t->fixed);
    double m = walk_median(t->days, t->ndays);
    if (isnan(m))
        vk_buf_puts(b, "null");
    else
        vk_json_num(b, round(m * 10) / 10);
    vk_buf_puts(b, ",\"walked_m\":");
    vk_json_num(b, round(t->walked_m * 10) / 10);
    int score = walk_score(t->penalty, t->walked_m);
    if (score < 0)
        vk_buf_puts(b, ",\"score\":null");
    else
        vk_buf_printf(b, ",\"score\":%d", score);
}

/* ---- stretches ---- */

typedef struct pt {
    double lon, lat;
} pt;

typedef struct stretch {
    double from_m, to_m;
    pt *pts;
    size_t n, cap;
    tally t;
} stretch;

typedef struct wkb_reader {
    const unsigned char *p, *end;
    int le;
} wkb_reader;

static int rd_u32(wkb_reader *r, uint32_t *v)
{
    if (r->end - r->p < 4)
        return 0;
    const unsigned char *p = r->p;
    *v = r->le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
               : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
    r->p += 4;
    return 1;
}

static int rd_f64(wkb_reader *r, double *v)
{
    if (r->end - r->p < 8)
        return 0;
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = r->le ? r->p[i] : r->p[7 - i];
    /* The host is little-endian on every platform we build for; WKB's
     * doubles are IEEE 754 like the host's. */
    memcpy(v, b, 8);
    r->p += 8;
    return 1;
}

/* Call fn for each line of a LineString or MultiLineString WKB. */
typedef int (*line_fn)(void *arg, const pt *p, size_t n);

static int read_lines(const unsigned char *wkb, size_t len, line_fn fn, void *arg)
{
    wkb_reader r = {wkb, wkb + len, 1};
    if (len < 9)
        return 0;
    r.le = *r.p++ == 1;
    uint32_t type, parts = 1;
    if (!rd_u32(&r, &type))
        return 0;
    int multi = type == 5;
    if (type != 2 && !multi)
        return 0;
    if (multi && !rd_u32(&r, &parts))
        return 0;
    for (uint32_t i = 0; i < parts; i++) {
        if (multi) {
            if (r.p >= r.end)
                return 0;
            r.le = *r.p++ == 1;
            if (!rd_u32(&r, &type) || type != 2)
                return 0;
        }
        uint32_t n;
        if (!rd_u32(&r, &n) || n > (uint32_t)((r.end - r.p) / 16))
            return 0;
        pt *p = malloc(sizeof *p * (n ? n : 1));
        if (!p)
            return 0;
        for (uint32_t k = 0; k < n; k++)
            if (!rd_f64(&r, &p[k].lon) || !rd_f64(&r, &p[k].lat)) {
                free(p);
                return 0;
            }
        int ok = fn(arg, p, n);
        free(p);
        if (!ok)
            return 0;
    }
    return 1;
}

static double dist_m(pt a, pt b)
{
    double p1 = a.lat * M_PI / 180, p2 = b.lat * M_PI / 180;
    double dp = p2 - p1, dl = (b.lon - a.lon) * M_PI / 180;
    double h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2 * EARTH_R * atan2(sqrt(h), sqrt(1 - h));
}

typedef struct stretches {
    stretch *v;
    size_t n, cap;
    double along; /* metres so far, over every part */
    double scale; /* sphere to the ellipsoid's length of the stored walked_m */
    int failed;
} stretches;

static int st_add_point(stretch *s, pt p)
{
    if (vk_grow(&s->pts, &s->cap, s->n, sizeof *s->pts, 8))
        return 0;
    s->pts[s->n++] = p;
    return 1;
}

static stretch *st_new(stretches *ss, double from)
{
    if (vk_grow(&ss->v, &ss->cap, ss->n, sizeof *ss->v, 16))
        return NULL;
    stretch *s = &ss->v[ss->n++];
    memset(s, 0, sizeof *s);
    s->from_m = s->to_m = from;
    tally_init(&s->t);
    return s;
}

/* Cut one line into STRETCH_M pieces (a new part starts a new stretch). */
static int cut_line(void *arg, const pt *p, size_t n)
{
    stretches *ss = arg;
    if (n < 2)
        return 1;
    stretch *s = st_new(ss, ss->along);
    if (!s || !st_add_point(s, p[0]))
        return 0;
    double used = 0; /* metres in the current stretch */
    for (size_t i = 1; i < n; i++) {
        pt a = p[i - 1], b = p[i];
        double seg = dist_m(a, b) * ss->scale, done = 0;
        while (seg - done > 1e-9) {
            double room = STRETCH_M - used;
            if (seg - done <= room) {
                used += seg - done;
                done = seg;
                if (!st_add_point(s, b))
                    return 0;
                break;
            }
            double f = (done + room) / seg;
            pt c = {a.lon + (b.lon - a.lon) * f, a.lat + (b.lat - a.lat) * f};
            done += room;
            s->to_m = s->from_m + STRETCH_M;
            if (!st_add_point(s, c) || !(s = st_new(ss, s->to_m)) || !st_add_point(s, c))
                return 0;
            used = 0;
        }
    }
    s->to_m = s->from_m + used;
    ss->along = s->to_m;
    /* A piece of no length (a line ending exactly on a cut) is dropped. */
    if (used < 1e-6) {
        tally_fini(&s->t);
        free(s->pts);
        ss->n--;
    }
    return 1;
}

/* Metres from point q to segment ab, on a local flat projection at q. */
static double seg_dist(pt q, pt a, pt b)
{
    double k = cos(q.lat * M_PI / 180) * M_PI / 180 * EARTH_R, m = M_PI / 180 * EARTH_R;
    double ax = (a.lon - q.lon) * k, ay = (a.lat - q.lat) * m;
    double bx = (b.lon - q.lon) * k, by = (b.lat - q.lat) * m;
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? -(ax * dx + ay * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double x = ax + t * dx, y = ay + t * dy;
    return sqrt(x * x + y * y);
}

static void stretches_fini(stretches *ss)
{
    for (size_t i = 0; i < ss->n; i++) {
        free(ss->v[i].pts);
        tally_fini(&ss->v[i].t);
    }
    free(ss->v);
    memset(ss, 0, sizeof *ss);
}

static int sum_line(void *arg, const pt *p, size_t n)
{
    double *total = arg;
    for (size_t i = 1; i < n; i++)
        *total += dist_m(p[i - 1], p[i]);
    return 1;
}

/* The walk's stretches with each counted finding in the nearest. Lengths
 * on the sphere are scaled to the walk's stored (ellipsoidal) length, so
 * the last stretch ends at walked_m. */
static void stretches_build(stretches *ss, const unsigned char *route, size_t len,
                            double walked_m, const fnd_list *l)
{
    memset(ss, 0, sizeof *ss);
    if (!route || !len)
        return;
    double total = 0;
    read_lines(route, len, sum_line, &total);
    ss->scale = total > 0 && walked_m > 0 ? walked_m / total : 1;
    if (!read_lines(route, len, cut_line, ss))
        ss->failed = 1;
    for (size_t i = 0; i < ss->n; i++)
        ss->v[i].t.walked_m = ss->v[i].to_m - ss->v[i].from_m;
    for (size_t f = 0; f < l->n; f++) {
        const fnd *x = &l->v[f];
        pt q = {x->lon, x->lat};
        double best = STRETCH_NEAR_M;
        stretch *at = NULL;
        for (size_t i = 0; i < ss->n; i++)
            for (size_t k = 1; k < ss->v[i].n; k++) {
                double d = seg_dist(q, ss->v[i].pts[k - 1], ss->v[i].pts[k]);
                if (d <= best) {
                    best = d;
                    at = &ss->v[i];
                }
            }
        if (at)
            tally_add(&at->t, x, x->status, x->fixed_at);
    }
}

static void stretches_json(vk_buf *b, int64_t walk, stretches *ss)
{
    vk_buf_putc(b, '[');
    for (size_t i = 0; i < ss->n; i++) {
        stretch *s = &ss->v[i];
        vk_json_open(b);
        vk_buf_printf(b, "\"walk\":%lld,\"index\":%zu,\"from_m\":", (long long)walk, i);
        vk_json_num(b, round(s->from_m * 10) / 10);
        vk_buf_puts(b, ",\"to_m\":");
        vk_json_num(b, round(s->to_m * 10) / 10);
        vk_buf_puts(b, ",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
        for (size_t k = 0; k < s->n; k++) {
            vk_buf_puts(b, k ? ",[" : "[");
            vk_json_coord(b, s->pts[k].lon, 7);
            vk_buf_putc(b, ',');
            vk_json_coord(b, s->pts[k].lat, 7);
            vk_buf_putc(b, ']');
        }
        vk_buf_puts(b, "]},");
        tally_members(b, &s->t);
        vk_buf_putc(b, '}');
    }
    vk_buf_putc(b, ']');
}

/* ---- the walk report ---- */

static const char *const no_params[] = {NULL};

typedef struct walk_copy {
    char *json;          /* the walk's JSON */
    unsigned char *route;
    size_t route_len;
    double walked_m;
    char title[256], date[16], organiser[256];
    int participants;
    char *groups, *notes;
} walk_copy;

static vk_err walk_copy_row(void *arg, db_row *row)
{
    walk_copy *w = arg;
    walk_row r;
    walk_row_read(row, &r);
    vk_buf b;
    vk_buf_init(&b, 1 << 24);
    walk_write_json(&b, &r, 1);
    size_t n;
    w->json = vk_buf_ok(&b) ? vk_buf_take(&b, &n) : NULL;
    vk_buf_fini(&b);
    w->route_len = r.route_len;
    w->route = r.route_len ? malloc(r.route_len) : NULL;
    if (w->route)
        memcpy(w->route, r.route, r.route_len);
    w->walked_m = r.walked_m;
    snprintf(w->title, sizeof w->title, "%s", r.title ? r.title : "");
    snprintf(w->date, sizeof w->date, "%s", r.date ? r.date : "");
    snprintf(w->organiser, sizeof w->organiser, "%s", r.organiser ? r.organiser : "");
    w->participants = r.participants;
    w->groups = dup0(r.groups);
    w->notes = dup0(r.notes);
    return w->json && (!r.route_len || w->route) ? VK_OK : VK_ENOMEM;
}

static void walk_copy_fini(walk_copy *w)
{
    free(w->json);
    free(w->route);
    free(w->groups);
    free(w->notes);
}

typedef struct walk_data {
    walk_copy w;
    fnd_list l;
    tally sum;
    stretches ss;
} walk_data;

static void walk_data_fini(walk_data *d)
{
    walk_copy_fini(&d->w);
    fnd_list_fini(&d->l);
    tally_fini(&d->sum);
    stretches_fini(&d->ss);
}

static vk_err walk_data_load(vk_ctx *ctx, const vk_req *req, int64_t *id, walk_data *d)
{
    memset(d, 0, sizeof *d);
    tally_init(&d->sum);
    *id = req->nargs ? api_parse_id(req->args[0]) : 0;
    int found = 0;
    vk_err e = *id > 0 ? db_first(ctx->store, &walk_sql, SQL_WALK_GET, DB_ARGS(DB_INT(*id)),
                                  walk_copy_row, &d->w, &found, "reading a walk", &ctx->err)
                       : VK_OK;
    if (!e && !found)
        e = vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no such walk");
    d->l.with_features = 1;
    if (!e)
        e = db_each(ctx->store, &walk_sql, SQL_FINDINGS_OF_WALK, DB_ARGS(DB_INT(*id)), fnd_row,
                    &d->l, "reading findings", &ctx->err);
    if (!e && d->l.failed)
        e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    if (e)
        return e;
    d->sum.walked_m = d->w.walked_m;
    for (size_t i = 0; i < d->l.n; i++)
        tally_add(&d->sum, &d->l.v[i], d->l.v[i].status, d->l.v[i].fixed_at);
    stretches_build(&d->ss, d->w.route, d->w.route_len, d->w.walked_m, &d->l);
    return VK_OK;
}

vk_err api_walk_report(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    int64_t id;
    walk_data d;
    if ((e = walk_data_load(ctx, req, &id, &d))) {
        walk_data_fini(&d);
        return e;
    }
    int staff = req->staff && req->staff->role;
    vk_buf *b = &resp->body;
    vk_buf_printf(b, "{\"walk\":%s,\"summary\":{", d.w.json);
    tally_members(b, &d.sum);
    vk_buf_puts(b, "},\"stretches\":");
    stretches_json(b, id, &d.ss);
    vk_buf_puts(b, ",\"findings\":[");
    for (size_t i = 0; i < d.l.n && !e; i++) {
        vk_json_next(b);
        vk_buf_puts(b, d.l.v[i].feature);
        if (staff) {
            /* Staff see the council's comments for its statement. */
            b->len--; /* reopen the Feature */
            vk_buf_puts(b, ",\"reviews\":");
            e = walk_store_reviews(ctx->store, d.l.v[i].id, b, &ctx->err);
            vk_buf_putc(b, '}');
        }
    }
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    vk_buf_printf(b, "],\"checklist_version\":%d,\"generated\":\"%s\"}",
                  walk_checklist_version(walk_checklist_get(NULL)), now);
    vk_resp_header(resp, "Cache-Control", staff ? "no-store" : "no-cache");
    walk_data_fini(&d);
    return e;
}

/* ---- the printable report ---- */

static void html_text(vk_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': vk_buf_puts(b, "&lt;"); break;
        case '>': vk_buf_puts(b, "&gt;"); break;
        case '&': vk_buf_puts(b, "&amp;"); break;
        case '"': vk_buf_puts(b, "&quot;"); break;
        case '\'': vk_buf_puts(b, "&#39;"); break;
        default: vk_buf_putc(b, *s);
        }
    }
}

/* The report's own words in fi, sv, en. */
enum { W_TITLE, W_DATE, W_ORGANISER, W_PARTICIPANTS, W_GROUPS, W_WALKED, W_SCORE, W_FINDINGS,
       W_FIXED, W_MEDIAN, W_TYPE, W_GRADE, W_STATUS, W_CONSENSUS, W_MEASURED, W_DESCRIPTION,
       W_MAP, W_MAPDESC, W_STRETCH, W_SUMMARY, W_NO, W_LEVEL, W_DAYS, W_GENERATED, W_PHOTO, W_WORDS };
static const char *const words[W_WORDS][3] = {
    {"Esteettömyyskävelyn raportti", "Rapport från tillgänglighetsvandringen", "Accessibility walk report"},
    {"Päivä", "Datum", "Date"},
    {"Järjestäjä", "Arrangör", "Organiser"},
    {"Osallistujia", "Deltagare", "Participants"},
    {"Käyttäjäryhmät", "Användargrupper", "User groups"},
    {"Kävelty matka", "Gången sträcka", "Distance walked"},
    {"Esteettömyyspisteet (0–100)", "Tillgänglighetspoäng (0–100)", "Accessibility score (0–100)"},
    {"Havainnot", "Observationer", "Findings"},
    {"Korjattu", "Åtgärdade", "Fixed"},
    {"Mediaaniaika korjaukseen", "Mediantid till åtgärd", "Median time to fix"},
    {"Tyyppi", "Typ", "Type"},
    {"Vakavuus", "Allvarlighetsgrad", "Grade"},
    {"Tila", "Status", "Status"},
    {"Neuvoston kanta", "Rådets bedömning", "Council consensus"},
    {"Mittaukset", "Mätningar", "Measurements"},
    {"Kuvaus", "Beskrivning", "Description"},
    {"Kartta", "Karta", "Map"},
    {"Reitti viivana ja havainnot numeroituina pisteinä; sama tieto on taulukossa.",
     "Rutten som linje och observationerna som numrerade punkter; samma uppgifter finns i tabellen.",
     "The route as a line and the findings as numbered points; the table holds the same."},
    {"Katuosuudet (100 m)", "Gatusträckor (100 m)", "Street stretches (100 m)"},
    {"Yhteenveto", "Sammanfattning", "Summary"},
    {"Nro", "Nr", "No."},
    {"Tavoitetaso", "Målnivå", "Target level"},
    {"vrk", "dygn", "days"},
    {"Tehty", "Skapad", "Generated"},
    {"Valokuva havainnosta", "Foto av observation", "Photo of finding"},
};

static const char *label_of(const json_t *list, const char *key, int lang)
{
    static const char *const langs[] = {"fi", "sv", "en"};
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
        if (key && strcmp(json_string_value(json_object_get(v, "key")), key) == 0)
            return json_string_value(json_object_get(json_object_get(v, "label"), langs[lang]));
    return key;
}

/* A small map: the route and numbered findings drawn in SVG over the
 * walk's extent (no tiles: a printout needs none), with a text
 * alternative; the table below holds the same findings. */
typedef struct svg_state {
    vk_buf *b;
    double x0, y0, sx, sy;
} svg_state;

static int svg_line(void *arg, const pt *p, size_t n)
{
    svg_state *s = arg;
    vk_buf_puts(s->b, "<polyline fill=\"none\" stroke=\"#1a4f8b\" stroke-width=\"3\" points=\"");
    for (size_t i = 0; i < n; i++)
        vk_buf_printf(s->b, "%s%.1f,%.1f", i ? " " : "", (p[i].lon - s->x0) * s->sx,
                      (s->y0 - p[i].lat) * s->sy);
    vk_buf_puts(s->b, "\"/>");
    return 1;
}

static int extent_line(void *arg, const pt *p, size_t n)
{
    double *e = arg;
    for (size_t i = 0; i < n; i++) {
        e[0] = fmin(e[0], p[i].lon);
        e[1] = fmin(e[1], p[i].lat);
        e[2] = fmax(e[2], p[i].lon);
        e[3] = fmax(e[3], p[i].lat);
    }
    return 1;
}

static void svg_map(vk_buf *b, const walk_data *d, int lang)
{
    double e[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    if (d->w.route)
        read_lines(d->w.route, d->w.route_len, extent_line, e);
    for (size_t i = 0; i < d->l.n; i++) {
        pt p = {d->l.v[i].lon, d->l.v[i].lat};
        extent_line(e, &p, 1);
    }
    if (!(e[2] >= e[0]) || !(e[3] >= e[1]))
        return;
    double w = 640, h = 400, pad = 0.0005;
    e[0] -= pad, e[1] -= pad, e[2] += pad, e[3] += pad;
    double k = cos((e[1] + e[3]) / 2 * M_PI / 180); /* degrees of longitude are shorter */
    double sx = w / ((e[2] - e[0]) * k), sy = h / (e[3] - e[1]);
    double s = fmin(sx, sy);
    svg_state st = {b, e[0], e[3], s * k, s};
    vk_buf_printf(b, "<figure><svg role=\"img\" aria-labelledby=\"maptitle\" viewBox=\"0 0 %.0f %.0f\" "
                     "width=\"100%%\"><title id=\"maptitle\">",
                  (e[2] - e[0]) * s * k, (e[3] - e[1]) * s);
    html_text(b, words[W_MAPDESC][lang]);
    vk_buf_puts(b, "</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
    if (d->w.route)
        read_lines(d->w.route, d->w.route_len, svg_line, &st);
    for (size_t i = 0; i < d->l.n; i++) {
        double x = (d->l.v[i].lon - st.x0) * st.sx, y = (st.y0 - d->l.v[i].lat) * st.sy;
        vk_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"9\" fill=\"#b00020\"/>"
                         "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" "
                         "fill=\"#fff\">%zu</text>",
                      x, y, x, y + 4, i + 1);
    }
    vk_buf_puts(b, "</svg><figcaption>");
    html_text(b, words[W_MAPDESC][lang]);
    vk_buf_puts(b, "</figcaption></figure>");
}

vk_err api_walk_report_html(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"lang", NULL};
    static const char *const langs[] = {"fi", "sv", "en"};
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (e)
        return e;
    const char *l = vk_req_param(req, "lang");
    int lang = 0;
    if (l && !(strcmp(l, "fi") == 0 || (lang = strcmp(l, "sv") == 0 ? 1 : strcmp(l, "en") == 0 ? 2 : -1) >= 0))
        return vk_fail(&ctx->err, VK_EPARAM, "lang", "lang is fi, sv or en");
    int64_t id;
    walk_data d;
    if ((e = walk_data_load(ctx, req, &id, &d))) {
        walk_data_fini(&d);
        return e;
    }
    const json_t *cl = walk_checklist_doc(walk_checklist_get(NULL));
    vk_buf *b = &resp->body;
    resp->content_type = "text/html; charset=utf-8";
    vk_buf_printf(b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>",
                  langs[lang]);
    html_text(b, words[W_TITLE][lang]);
    vk_buf_puts(b, ": ");
    html_text(b, d.w.title);
    vk_buf_puts(b,
                "</title><style>"
                "body{font:16px/1.5 system-ui,sans-serif;color:#111;margin:1rem auto;max-width:60rem;padding:0 1rem}"
                "table{border-collapse:collapse;width:100%;margin:1rem 0}"
                "th,td{border:1px solid #555;padding:.3rem .5rem;text-align:left;vertical-align:top}"
                "th{background:#e8eef6}figure{margin:1rem 0}svg{border:1px solid #555;max-height:26rem}"
                ".vaara{font-weight:bold;color:#8b0000}"
                "@media print{body{max-width:none;margin:0;font-size:11pt}"
                "a{color:#000;text-decoration:none}tr,figure{break-inside:avoid}"
                "h2{break-after:avoid}@page{margin:15mm}}"
                "</style></head><body><main><h1>");
    html_text(b, words[W_TITLE][lang]);
    vk_buf_puts(b, ": ");
    html_text(b, d.w.title);
    vk_buf_puts(b, "</h1><dl>");
    const struct {
        int w;
        const char *v;
    } facts[] = {{W_DATE, d.w.date}, {W_ORGANISER, d.w.organiser}};
    for (size_t i = 0; i < 2; i++) {
        vk_buf_puts(b, "<dt>");
        html_text(b, words[facts[i].w][lang]);
        vk_buf_puts(b, "</dt><dd>");
        html_text(b, facts[i].v);
        vk_buf_puts(b, "</dd>");
    }
    vk_buf_printf(b, "<dt>%s</dt><dd>%d</dd><dt>", words[W_PARTICIPANTS][lang], d.w.participants);
    html_text(b, words[W_GROUPS][lang]);
    vk_buf_puts(b, "</dt><dd>");
    json_t *groups = json_loads(d.w.groups ? d.w.groups : "[]", 0, NULL);
    size_t gi;
    json_t *gv;
    json_array_foreach(groups, gi, gv) {
        if (gi)
            vk_buf_puts(b, ", ");
        html_text(b, label_of(json_object_get(cl, "groups"), json_string_value(gv), lang));
    }
    json_decref(groups);
    vk_buf_puts(b, "</dd></dl>");
    if (d.w.notes) {
        vk_buf_puts(b, "<p>");
        html_text(b, d.w.notes);
        vk_buf_puts(b, "</p>");
    }
    vk_buf_puts(b, "<h2>");
    html_text(b, words[W_SUMMARY][lang]);
    vk_buf_puts(b, "</h2><table><tbody>");
    int score = walk_score(d.sum.penalty, d.sum.walked_m);
    double med = walk_median(d.sum.days, d.sum.ndays);
    vk_buf_printf(b, "<tr><th scope=\"row\">%s</th><td>%.0f m</td></tr>", words[W_WALKED][lang],
                  d.sum.walked_m);
    vk_buf_printf(b, "<tr><th scope=\"row\">%s</th><td>%d</td></tr>", words[W_FINDINGS][lang],
                  d.sum.findings);
    for (int g = 0; g < WALK_NGRADES; g++) {
        vk_buf_puts(b, "<tr><th scope=\"row\">");
        html_text(b, label_of(json_object_get(cl, "grades"), walk_grade_name(g), lang));
        vk_buf_printf(b, "</th><td>%d</td></tr>", d.sum.by_grade[g]);
    }
    vk_buf_printf(b, "<tr><th scope=\"row\">%s</th><td>%d</td></tr>", words[W_FIXED][lang],
                  d.sum.fixed);
    if (!isnan(med))
        vk_buf_printf(b, "<tr><th scope=\"row\">%s</th><td>%.1f %s</td></tr>",
                      words[W_MEDIAN][lang], med, words[W_DAYS][lang]);
    if (score >= 0)
        vk_buf_printf(b, "<tr><th scope=\"row\">%s</th><td>%d</td></tr>", words[W_SCORE][lang],
                      score);
    vk_buf_puts(b, "</tbody></table><h2>");
    html_text(b, words[W_MAP][lang]);
    vk_buf_puts(b, "</h2>");
    svg_map(b, &d, lang);
    vk_buf_puts(b, "<h2>");
    html_text(b, words[W_FINDINGS][lang]);
    vk_buf_printf(b, "</h2><table><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                     "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                     "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                     "</tr></thead><tbody>",
                  words[W_NO][lang], words[W_TYPE][lang], words[W_GRADE][lang],
                  words[W_LEVEL][lang], words[W_MEASURED][lang], words[W_DESCRIPTION][lang],
                  words[W_STATUS][lang], words[W_CONSENSUS][lang]);
    for (size_t i = 0; i < d.l.n; i++) {
        json_t *f = json_loads(d.l.v[i].feature, 0, NULL);
        const json_t *p = json_object_get(f, "properties");
        const char *grade = json_string_value(json_object_get(p, "grade"));
        vk_buf_printf(b, "<tr><td>%zu</td><td>", i + 1);
        html_text(b, label_of(json_object_get(cl, "types"), json_string_value(json_object_get(p, "type")), lang));
        vk_buf_printf(b, "</td><td class=\"%s\">", grade ? grade : "");
        html_text(b, label_of(json_object_get(cl, "grades"), grade, lang));
        vk_buf_puts(b, "</td><td>");
        html_text(b, json_string_value(json_object_get(p, "level")));
        vk_buf_puts(b, "</td><td>");
        const char *mk;
        const json_t *mv;
        json_object_foreach((json_t *)json_object_get(p, "verdicts"), mk, mv) {
            const json_t *def = json_object_get(json_object_get(cl, "measures"), mk);
            html_text(b, json_string_value(json_object_get(json_object_get(def, "label"), langs[lang])));
            vk_buf_printf(b, ": %g %s (", json_number_value(json_object_get(mv, "value")),
                          json_string_value(json_object_get(def, "unit")) ? json_string_value(json_object_get(def, "unit")) : "");
            html_text(b, json_string_value(json_object_get(mv, "verdict")));
            vk_buf_puts(b, ")<br>");
        }
        vk_buf_puts(b, "</td><td>");
        html_text(b, json_string_value(json_object_get(p, "description")));
        size_t pi;
        const json_t *ph;
        json_array_foreach(json_object_get(p, "photos"), pi, ph) {
            vk_buf_puts(b, "<br><img loading=\"lazy\" width=\"160\" src=\"");
            html_text(b, json_string_value(json_object_get(ph, "thumb")));
            vk_buf_printf(b, "\" alt=\"%s %zu.%zu\">", words[W_PHOTO][lang], i + 1, pi + 1);
        }
        vk_buf_puts(b, "</td><td>");
        html_text(b, json_string_value(json_object_get(p, "status")));
        const char *x = json_string_value(json_object_get(p, "explanation"));
        if (x) {
            vk_buf_puts(b, ": ");
            html_text(b, x);
        }
        const json_t *c = json_object_get(p, "consensus");
        vk_buf_puts(b, "</td><td>");
        html_text(b, json_string_value(json_object_get(c, "result")));
        vk_buf_printf(b, " (%lld/%lld/%lld)</td></tr>",
                      (long long)json_integer_value(json_object_get(c, "agree")),
                      (long long)json_integer_value(json_object_get(c, "disagree")),
                      (long long)json_integer_value(json_object_get(c, "unsure")));
        json_decref(f);
    }
    vk_buf_puts(b, "</tbody></table>");
    if (d.ss.n) {
        vk_buf_puts(b, "<h2>");
        html_text(b, words[W_STRETCH][lang]);
        vk_buf_printf(b, "</h2><table><thead><tr><th scope=\"col\">m</th><th scope=\"col\">%s</th>"
                         "<th scope=\"col\">%s</th></tr></thead><tbody>",
                      words[W_FINDINGS][lang], words[W_SCORE][lang]);
        for (size_t i = 0; i < d.ss.n; i++) {
            stretch *s = &d.ss.v[i];
            int sc = walk_score(s->t.penalty, s->t.walked_m);
            vk_buf_printf(b, "<tr><td>%.0f–%.0f</td><td>%d</td><td>", s->from_m, s->to_m,
                          s->t.findings);
            if (sc >= 0)
                vk_buf_printf(b, "%d", sc);
            vk_buf_puts(b, "</td></tr>");
        }
        vk_buf_puts(b, "</tbody></table>");
    }
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    vk_buf_printf(b, "<p>%s %s</p></main></body></html>", words[W_GENERATED][lang], now);
    vk_resp_header(resp, "Cache-Control", "no-cache");
    walk_data_fini(&d);
    return VK_OK;
}

/* ---- per area ---- */

typedef struct area {
    char kind[16], code[64], level[16];
    char *name[3];
    tally t;
} area;

typedef struct areas {
    area *v;
    size_t n, cap;
    int failed;
    const char *kind; /* "district" or "accessibility" */
} areas;

static int area_row(void *arg, db_row *row)
{
    areas *a = arg;
    if (strcmp(db_col_text(row, 0), a->kind) != 0)
        return 0;
    if (vk_grow(&a->v, &a->cap, a->n, sizeof *a->v, 16)) {
        a->failed = 1;
        return 1;
    }
    area *x = &a->v[a->n++];
    memset(x, 0, sizeof *x);
    db_col_copy(row, 0, x->kind, sizeof x->kind);
    db_col_copy(row, 1, x->code, sizeof x->code);
    db_col_copy(row, 5, x->level, sizeof x->level);
    for (int i = 0; i < 3; i++)
        x->name[i] = db_col_dup(row, 2 + i);
    tally_init(&x->t);
    return 0;
}

static area *area_find(areas *a, const char *code)
{
    for (size_t i = 0; code && i < a->n; i++)
        if (strcmp(a->v[i].code, code) == 0)
            return &a->v[i];
    return NULL;
}

static int length_row(void *arg, db_row *row)
{
    areas *a = arg;
    if (strcmp(db_col_text(row, 0), a->kind) != 0)
        return 0;
    area *x = area_find(a, db_col_text(row, 1));
    if (x)
        x->t.walked_m += db_col_double(row, 2);
    return 0;
}

static void areas_fini(areas *a)
{
    for (size_t i = 0; i < a->n; i++) {
        for (int k = 0; k < 3; k++)
            free(a->v[i].name[k]);
        tally_fini(&a->v[i].t);
    }
    free(a->v);
}

static const char *finding_area(const fnd *x, const char *kind)
{
    return strcmp(kind, "district") == 0 ? x->district : x->area;
}

/* A date parameter (YYYY-MM-DD) as the start or the end of its day. */
static vk_err date_param(vk_ctx *ctx, const vk_req *req, const char *name, int end, char *date,
                         char *stamp)
{
    const char *v = vk_req_param(req, name);
    int y, m, d;
    char tail;
    date[0] = stamp[0] = '\0';
    if (!v)
        return VK_OK;
    if (strlen(v) != 10 || sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 ||
        d < 1 || d > 31)
        return vk_fail(&ctx->err, VK_EPARAM, name, "%s is a date YYYY-MM-DD", name);
    snprintf(date, 16, "%s", v);
    snprintf(stamp, 32, "%sT%s", v, end ? "23:59:59Z" : "00:00:00Z");
    return VK_OK;
}

vk_err api_walk_areas(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"areas", "from", "to", NULL};
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    const char *which = vk_req_param(req, "areas");
    if (!e && which && strcmp(which, "districts") != 0 && strcmp(which, "accessibility-areas") != 0)
        e = vk_fail(&ctx->err, VK_EPARAM, "areas", "areas is districts or accessibility-areas");
    char from_d[16], to_d[16], from_t[32], to_t[32];
    if (!e)
        e = date_param(ctx, req, "from", 0, from_d, from_t);
    if (!e)
        e = date_param(ctx, req, "to", 1, to_d, to_t);
    if (e)
        return e;
    areas a = {NULL, 0, 0, 0, which && strcmp(which, "accessibility-areas") == 0 ? "accessibility" : "district"};
    fnd_list l = {NULL, 0, 0, 0, 0};
    e = db_each(ctx->store, &walk_sql, SQL_AREAS, DB_NO_ARGS, area_row, &a, "listing areas",
                &ctx->err);
    if (!e)
        e = db_each(ctx->store, &walk_sql, SQL_LENGTHS_BY_AREA,
                    DB_ARGS(DB_TEXT(from_d[0] ? from_d : NULL), DB_TEXT(to_d[0] ? to_d : NULL)),
                    length_row, &a, "measuring walks per area", &ctx->err);
    if (!e)
        e = db_each(ctx->store, &walk_sql, SQL_FINDINGS_ALL,
                    DB_ARGS(DB_TEXT(from_t[0] ? from_t : NULL), DB_TEXT(to_t[0] ? to_t : NULL)),
                    fnd_row, &l, "reading findings", &ctx->err);
    if (!e && (a.failed || l.failed))
        e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    if (!e) {
        for (size_t i = 0; i < l.n; i++) {
            area *x = area_find(&a, finding_area(&l.v[i], a.kind));
            if (x)
                tally_add(&x->t, &l.v[i], l.v[i].status, l.v[i].fixed_at);
        }
        vk_buf *b = &resp->body;
        vk_buf_puts(b, "{\"areas\":[");
        for (size_t i = 0; i < a.n; i++) {
            area *x = &a.v[i];
            vk_json_open(b);
            vk_json_member_str(b, "code", x->code);
            vk_json_key(b, "name");
            vk_buf_putc(b, '{');
            vk_json_member_str(b, "fi", x->name[0]);
            vk_json_member_str(b, "sv", x->name[1]);
            vk_json_member_str(b, "en", x->name[2]);
            vk_buf_putc(b, '}');
            vk_json_member_str(b, "level", x->level[0] ? x->level : NULL);
            vk_buf_putc(b, ',');
            tally_members(b, &x->t);
            vk_buf_putc(b, '}');
        }
        vk_buf_puts(b, "]}");
        vk_resp_header(resp, "Cache-Control", "no-cache");
    }
    areas_fini(&a);
    fnd_list_fini(&l);
    return e;
}

/* ---- over time ---- */

typedef struct event {
    int64_t finding;
    char at[32], status[12];
} event;

typedef struct events {
    event *v;
    size_t n, cap;
    int failed;
} events;

static int event_row(void *arg, db_row *row)
{
    events *ev = arg;
    if (vk_grow(&ev->v, &ev->cap, ev->n, sizeof *ev->v, 256)) {
        ev->failed = 1;
        return 1;
    }
    event *x = &ev->v[ev->n++];
    x->finding = db_col_int64(row, 0);
    db_col_copy(row, 1, x->at, sizeof x->at);
    db_col_copy(row, 2, x->status, sizeof x->status);
    return 0;
}

typedef struct dated {
    char date[16];
    double metres;
} dated;

typedef struct dateds {
    dated *v;
    size_t n, cap;
    int failed;
} dateds;

static int dated_row(void *arg, db_row *row)
{
    dateds *d = arg;
    if (vk_grow(&d->v, &d->cap, d->n, sizeof *d->v, 16)) {
        d->failed = 1;
        return 1;
    }
    db_col_copy(row, 0, d->v[d->n].date, sizeof d->v[d->n].date);
    d->v[d->n++].metres = db_col_double(row, 1);
    return 0;
}

static int area_kind_row(void *arg, db_row *row)
{
    char **want = arg; /* [0] the code, [1] out: the kind */
    if (strcmp(db_col_text(row, 1), want[0]) == 0) {
        db_col_copy(row, 0, want[1], 16);
        return 1;
    }
    return 0;
}

/* The first event by finding (events are ordered by finding, then id). */
static size_t events_from(const events *ev, int64_t finding)
{
    size_t lo = 0, hi = ev->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ev->v[mid].finding < finding)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

vk_err api_walk_timeline(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"interval", NULL};
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    const char *interval = vk_req_param(req, "interval");
    int yearly = interval && strcmp(interval, "year") == 0;
    if (!e && interval && !yearly && strcmp(interval, "month") != 0)
        e = vk_fail(&ctx->err, VK_EPARAM, "interval", "interval is month or year");
    if (e)
        return e;
    const char *code = req->nargs ? req->args[0] : "";
    char kind[16] = "";
    const char *want[2] = {code, kind};
    if ((e = db_each(ctx->store, &walk_sql, SQL_AREAS, DB_NO_ARGS, area_kind_row, (void *)want,
                     "finding an area", &ctx->err)))
        return e;
    if (!kind[0])
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "code", "there is no such area");
    fnd_list l = {NULL, 0, 0, 0, 0};
    events ev = {NULL, 0, 0, 0};
    dateds walks = {NULL, 0, 0, 0};
    e = db_each(ctx->store, &walk_sql, SQL_FINDINGS_ALL, DB_ARGS(DB_NULL, DB_NULL), fnd_row, &l,
                "reading findings", &ctx->err);
    if (!e)
        e = db_each(ctx->store, &walk_sql, SQL_EVENTS_ALL, DB_NO_ARGS, event_row, &ev,
                    "reading history", &ctx->err);
    if (!e)
        e = db_each(ctx->store, &walk_sql, SQL_LENGTHS_DATED, DB_ARGS(DB_TEXT(kind), DB_TEXT(code)),
                    dated_row, &walks, "measuring walks", &ctx->err);
    if (!e && (l.failed || ev.failed || walks.failed))
        e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    /* The first period: the area's first walk or finding. */
    char first[16] = "";
    for (size_t i = 0; !e && i < walks.n; i++)
        if (!first[0] || strcmp(walks.v[i].date, first) < 0)
            snprintf(first, sizeof first, "%s", walks.v[i].date);
    for (size_t i = 0; !e && i < l.n; i++) {
        const char *c = finding_area(&l.v[i], kind);
        if (c && strcmp(c, code) == 0 && (!first[0] || strncmp(l.v[i].created, first, 10) < 0))
            snprintf(first, sizeof first, "%.10s", l.v[i].created);
    }
    if (!e) {
        vk_buf *b = &resp->body;
        vk_buf_puts(b, "{\"area\":");
        vk_json_str(b, code, strlen(code));
        vk_buf_printf(b, ",\"interval\":\"%s\",\"points\":[", yearly ? "year" : "month");
        char now[VK_RFC3339_LEN];
        vk_now_rfc3339(now);
        int y = 0, m = 1, ny, nm, nd;
        if (first[0] && sscanf(first, "%4d-%2d", &y, &m) == 2) {
            sscanf(now, "%4d-%2d-%2d", &ny, &nm, &nd);
            if (yearly)
                m = 1;
            for (int k = 0; k < TIMELINE_MAX && (y < ny || (y == ny && m <= nm)); k++) {
                /* The period's end: the last second before the next one. */
                int ey = yearly ? y + 1 : (m == 12 ? y + 1 : y), em = yearly ? 1 : (m == 12 ? 1 : m + 1);
                char end[VK_RFC3339_LEN], end_date[16];
                vk_rfc3339_of(vk_days_from_civil(ey, em, 1) * 86400 - 1, end);
                snprintf(end_date, sizeof end_date, "%.10s", end);
                tally t;
                tally_init(&t);
                for (size_t i = 0; i < walks.n; i++)
                    if (strcmp(walks.v[i].date, end_date) <= 0)
                        t.walked_m += walks.v[i].metres;
                int open = 0;
                for (size_t i = 0; i < l.n; i++) {
                    const fnd *x = &l.v[i];
                    const char *c = finding_area(x, kind);
                    if (!c || strcmp(c, code) != 0 || strcmp(x->created, end) > 0)
                        continue;
                    const char *status = "open", *fixed_at = NULL;
                    for (size_t j = events_from(&ev, x->id); j < ev.n && ev.v[j].finding == x->id; j++)
                        if (strcmp(ev.v[j].at, end) <= 0) {
                            status = ev.v[j].status;
                            if (!fixed_at && strcmp(status, "fixed") == 0)
                                fixed_at = ev.v[j].at;
                        }
                    int before = t.findings;
                    tally_add(&t, x, status, fixed_at);
                    if (t.findings > before && walk_status_factor(status) == 1)
                        open++;
                }
                vk_json_open(b);
                if (yearly)
                    vk_buf_printf(b, "\"period\":\"%04d\"", y);
                else
                    vk_buf_printf(b, "\"period\":\"%04d-%02d\"", y, m);
                vk_buf_printf(b, ",\"findings\":%d,\"open\":%d,\"fixed\":%d,\"walked_m\":",
                              t.findings, open, t.fixed);
                vk_json_num(b, round(t.walked_m * 10) / 10);
                int sc = walk_score(t.penalty, t.walked_m);
                if (sc < 0)
                    vk_buf_puts(b, ",\"score\":null}");
                else
                    vk_buf_printf(b, ",\"score\":%d}", sc);
                tally_fini(&t);
                y = ey;
                m = em;
            }
        }
        vk_buf_puts(b, "]}");
        vk_resp_header(resp, "Cache-Control", "no-cache");
    }
    fnd_list_fini(&l);
    free(ev.v);
    free(walks.v);
    return e;
}

/* ---- OpenStreetMap tags ---- */

static void osm_number(vk_buf *b, const char *tag, double v, const char *suffix)
{
    char num[32];
    snprintf(num, sizeof num, "%g%s", v, suffix);
    vk_json_member_str(b, tag, num);
}

/* The tags of one finding from its type's "osm" map (checklist). */
static void osm_tags(vk_buf *b, const json_t *type, const json_t *m, const json_t *p)
{
    const json_t *osm = json_object_get(type, "osm");
    const char *tag;
    const json_t *src;
    json_object_foreach((json_t *)osm, tag, src) {
        const char *measure = json_string_value(src);
        const json_t *v = json_object_get(m, measure);
        double x = json_number_value(v);
        if (strcmp(tag, "tactile_paving") == 0) {
            vk_json_member_str(b, tag, measure);
        } else if (!json_is_number(v)) {
            continue;
        } else if (strcmp(tag, "kerb") == 0) {
            vk_json_member_str(b, tag, x <= 10 ? "flush" : x <= 30 ? "lowered" : "raised");
        } else if (strcmp(tag, "kerb:height") == 0 || strcmp(tag, "width") == 0) {
            osm_number(b, tag, x / 1000, "");
        } else if (strcmp(tag, "incline") == 0) {
            osm_number(b, tag, x, "%");
        } else if (strcmp(tag, "smoothness") == 0) {
            vk_json_member_str(b, tag, x <= 5 ? "good" : x <= 20 ? "intermediate" : "bad");
        }
    }
    const char *surface = json_string_value(json_object_get(p, "surface"));
    if (surface)
        vk_json_member_str(b, "surface", surface);
    const json_t *groups = json_object_get(p, "groups");
    size_t i;
    const json_t *g;
    json_array_foreach(groups, i, g)
        if (strcmp(json_string_value(g), "wheelchair") == 0) {
            const char *grade = json_string_value(json_object_get(p, "grade"));
            vk_json_member_str(b, "wheelchair", grade && strcmp(grade, "haitta") == 0 ? "limited" : "no");
        }
}

static int osm_status_ok(const char *status, const char *const *want, int nwant)
{
    if (!nwant)
        return strcmp(status, "open") == 0 || strcmp(status, "planned") == 0;
    for (int i = 0; i < nwant; i++)
        if (strcmp(want[i], status) == 0)
            return 1;
    return 0;
}

vk_err api_walk_findings_osm(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"bbox", "walk", "status", NULL};
    double bbox[4];
    int has_bbox = 0, nst = 0;
    long long walk = 0;
    const char *st[8];
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (!e)
        e = vk_param_bbox(req, "bbox", ctx->proj, GIS_CRS_CRS84, 0, bbox, &has_bbox, &ctx->err);
    if (!e)
        e = vk_param_int(req, "walk", 1, INT64_MAX / 2, VK_PARAM_FROM_TO, &walk, &ctx->err);
    if (!e)
        e = vk_param_list(req, "status", 100, 8, st, &nst, &ctx->err);
    for (int i = 0; !e && i < nst; i++)
        if (status_index(st[i]) < 0)
            e = vk_fail(&ctx->err, VK_EPARAM, "status", "status: unknown value '%.20s'", st[i]);
    if (e)
        return e;
    fnd_list l = {NULL, 0, 0, 0, 1};
    e = db_each(ctx->store, &walk_sql, SQL_FINDINGS_BOX,
                DB_ARGS(has_bbox ? DB_REAL(bbox[0]) : DB_NULL, DB_REAL(bbox[1]), DB_REAL(bbox[2]),
                        DB_REAL(bbox[3]), walk ? DB_INT(walk) : DB_NULL),
                fnd_row, &l, "reading findings", &ctx->err);
    if (!e && l.failed)
        e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    const walk_checklist *cl = walk_checklist_get(NULL);
    vk_buf *b = &resp->body;
    resp->content_type = "application/geo+json";
    vk_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (size_t i = 0; !e && i < l.n; i++) {
        const fnd *x = &l.v[i];
        if (!walk_finding_counts(x->status, x->consensus) || !osm_status_ok(x->status, st, nst))
            continue;
        json_t *f = json_loads(x->feature, 0, NULL);
        const json_t *p = json_object_get(f, "properties");
        char *geom = json_dumps(json_object_get(f, "geometry"), JSON_COMPACT | JSON_REAL_PRECISION(10));
        vk_json_next(b);
        vk_buf_printf(b, "{\"type\":\"Feature\",\"id\":\"%s\",\"geometry\":%s,\"properties\":{",
                      x->uuid, geom ? geom : "null");
        free(geom);
        vk_json_member_str(b, "vaikuta:finding", x->uuid);
        vk_json_member_str(b, "vaikuta:grade", walk_grade_name(x->grade));
        const json_t *type = walk_checklist_type(cl, x->type);
        const char *label = json_string_value(json_object_get(json_object_get(type, "label"), "en"));
        const char *desc = json_string_value(json_object_get(p, "description"));
        char note[600];
        snprintf(note, sizeof note, "%s%s%.500s", label ? label : x->type, desc ? ": " : "",
                 desc ? desc : "");
        vk_utf8_repair(note); /* the cut may split a character */
        vk_json_member_str(b, "note", note);
        osm_tags(b, type, json_object_get(p, "measurements"), p);
        vk_buf_puts(b, "}}");
        json_decref(f);
    }
    vk_buf_puts(b, "]}");
    vk_resp_header(resp, "Cache-Control", "no-cache");
    fnd_list_fini(&l);
    return e;
}
