/* store.c — walks and findings: rows, JSON, checks of request bodies and
 * the inserts (store.h). */
#include "walk/store.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/sha256.h"
#include "gis/gis.h"
#include "media/photo.h"
#include "walk/score.h"
#include "walk/sql.h"

DB_SLICE_DEFINE(walk_sql, WALK_SQL)

#define LINE_VERTICES_MAX 100
#define LINE_LENGTH_MAX 500.0 /* metres: a finding's stretch of street */
#define EARTH_RADIUS 6371008.8

/* ---- rows ---- */

void walk_row_read(db_row *row, walk_row *w)
{
    memset(w, 0, sizeof *w);
    w->id = db_col_int64(row, 0);
    w->title = db_col_text(row, 1);
    w->date = db_col_text(row, 2);
    w->organiser = db_col_text(row, 3);
    w->groups = db_col_text(row, 4);
    w->participants = db_col_int(row, 5);
    w->notes = db_col_text(row, 6);
    w->state = db_col_text(row, 7);
    w->walked_m = db_col_double(row, 8);
    w->created = db_col_text(row, 9);
    w->updated = db_col_text(row, 10);
    w->route = db_col_blob(row, 11);
    w->route_len = db_col_bytes(row, 11);
    w->area = db_col_blob(row, 12);
    w->area_len = db_col_bytes(row, 12);
    w->findings = db_col_int64(row, 13);
    w->has_bbox = !db_col_is_null(row, 14);
    for (int i = 0; i < 4; i++)
        w->bbox[i] = db_col_double(row, 14 + i);
}

static void put_raw(vk_buf *b, const char *key, const char *json, const char *fallback)
{
    vk_json_key(b, key);
    vk_buf_puts(b, json && *json ? json : fallback);
}

void walk_put_geometry(vk_buf *b, const char *key, const unsigned char *wkb, size_t n)
{
    vk_json_key(b, key);
    if (!wkb || !n || gis_wkb_to_geojson(wkb, n, b) != VK_OK)
        vk_buf_puts(b, "null");
}

static void put_num(vk_buf *b, const char *key, double v)
{
    vk_json_key(b, key);
    vk_json_num(b, round(v * 10) / 10);
}

void walk_write_json(vk_buf *b, const walk_row *w, int with_geometry)
{
    vk_buf_printf(b, "{\"id\":%lld", (long long)w->id);
    vk_json_member_str(b, "title", w->title);
    vk_json_member_str(b, "date", w->date);
    vk_json_member_str(b, "organiser", w->organiser);
    put_raw(b, "groups", w->groups, "[]");
    vk_buf_printf(b, ",\"participants\":%d", w->participants);
    vk_json_member_str(b, "notes", w->notes);
    if (with_geometry) {
        walk_put_geometry(b, "route", w->route, w->route_len);
        walk_put_geometry(b, "area", w->area, w->area_len);
    } else {
        vk_json_key(b, "bbox");
        if (w->has_bbox)
            vk_buf_printf(b, "[%.7f,%.7f,%.7f,%.7f]", w->bbox[0], w->bbox[1], w->bbox[2],
                          w->bbox[3]);
        else
            vk_buf_puts(b, "null");
    }
    vk_json_member_str(b, "state", w->state);
    put_num(b, "walked_m", w->walked_m);
    vk_buf_printf(b, ",\"findings\":%lld", (long long)w->findings);
    vk_json_member_str(b, "created", w->created);
    vk_json_member_str(b, "updated", w->updated);
    vk_buf_putc(b, '}');
}

void walk_finding_read(db_row *row, walk_finding_row *f)
{
    memset(f, 0, sizeof *f);
    f->uuid = db_col_text(row, 0);
    f->walk_id = db_col_int64(row, 1);
    f->type = db_col_text(row, 2);
    f->grade = db_col_text(row, 3);
    f->groups = db_col_text(row, 4);
    f->measurements = db_col_text(row, 5);
    f->verdicts = db_col_text(row, 6);
    f->level = db_col_text(row, 7);
    f->special_area = db_col_text(row, 8);
    f->district = db_col_text(row, 9);
    f->surface = db_col_text(row, 10);
    f->description = db_col_text(row, 11);
    f->status = db_col_text(row, 12);
    f->target_date = db_col_text(row, 13);
    f->unit = db_col_text(row, 14);
    f->reason = db_col_text(row, 15);
    f->explanation = db_col_text(row, 16);
    f->consensus = db_col_text(row, 17);
    f->consensus_grade = db_col_text(row, 18);
    f->n_agree = db_col_int(row, 19);
    f->n_disagree = db_col_int(row, 20);
    f->n_unsure = db_col_int(row, 21);
    f->source = db_col_text(row, 22);
    f->feedback_id = db_col_int64(row, 23);
    f->created = db_col_text(row, 24);
    f->updated = db_col_text(row, 25);
    f->wkb = db_col_blob(row, 26);
    f->wkb_len = db_col_bytes(row, 26);
    f->id = db_col_int64(row, 27);
    f->fixed_at = db_col_text(row, 28);
    f->verified_how = db_col_text(row, 29);
    f->verified_walk = db_col_int64(row, 30);
    f->lon = db_col_double(row, 31);
    f->lat = db_col_double(row, 32);
    f->photos = db_col_text(row, 33);
}

void walk_consensus_json(vk_buf *b, const walk_finding_row *f)
{
    vk_buf_printf(b,
                  "{\"reviews\":%d,\"agree\":%d,\"disagree\":%d,\"unsure\":%d,\"result\":",
                  f->n_agree + f->n_disagree + f->n_unsure, f->n_agree, f->n_disagree,
                  f->n_unsure);
    vk_json_str_or_null(b, f->consensus);
    vk_buf_puts(b, ",\"grade\":");
    vk_json_str_or_null(b, f->consensus_grade);
    vk_buf_putc(b, '}');
}

void walk_finding_feature(vk_buf *b, const walk_finding_row *f)
{
    vk_buf_puts(b, "{\"type\":\"Feature\",\"id\":");
    vk_json_str_or_null(b, f->uuid);
    walk_put_geometry(b, "geometry", f->wkb, f->wkb_len);
    vk_buf_puts(b, ",\"properties\":{\"walk\":");
    if (f->walk_id)
        vk_json_int(b, f->walk_id);
    else
        vk_buf_puts(b, "null");
    vk_json_member_str(b, "type", f->type);
    vk_json_member_str(b, "grade", f->grade);
    put_raw(b, "groups", f->groups, "[]");
    put_raw(b, "measurements", f->measurements, "{}");
    put_raw(b, "verdicts", f->verdicts, "{}");
    vk_json_member_str(b, "level", f->level);
    vk_json_member_str(b, "special_area", f->special_area);
    vk_json_member_str(b, "district", f->district);
    vk_json_member_str(b, "surface", f->surface);
    vk_json_member_str(b, "description", f->description);
    vk_json_member_str(b, "status", f->status);
    vk_json_member_str(b, "target_date", f->target_date);
    vk_json_member_str(b, "unit", f->unit);
    vk_json_member_str(b, "reason", f->reason);
    vk_json_member_str(b, "explanation", f->explanation);
    vk_json_member_str(b, "verified_how", f->verified_how);
    vk_json_key(b, "consensus");
    walk_consensus_json(b, f);
    put_raw(b, "photos", f->photos, "[]");
    vk_json_member_str(b, "source", f->source);
    vk_json_key(b, "feedback");
    if (f->feedback_id)
        vk_json_int(b, f->feedback_id);
    else
        vk_buf_puts(b, "null");
    vk_json_member_str(b, "created", f->created);
    vk_json_member_str(b, "updated", f->updated);
    vk_buf_puts(b, "}}");
}

vk_err walk_store_finding_with(store_conn *c, const char *uuid, db_read_fn fn, void *arg,
                               int *found, vk_errinfo *ei)
{
    return db_first(c, &walk_sql, SQL_FINDING_GET, DB_ARGS(DB_TEXT(uuid)), fn, arg, found,
                    "reading a finding", ei);
}

typedef struct history_state {
    vk_buf *b;
    int with_actor;
} history_state;

static int history_row(void *arg, db_row *row)
{
    history_state *h = arg;
    vk_buf *b = h->b;
    vk_json_open(b);
    vk_json_member_str(b, "at", db_col_text(row, 0));
    if (h->with_actor)
        vk_json_member_str(b, "actor", db_col_text(row, 1));
    vk_json_member_str(b, "kind", db_col_text(row, 2));
    vk_json_member_str(b, "status", db_col_text(row, 3));
    vk_json_member_str(b, "target_date", db_col_text(row, 4));
    vk_json_member_str(b, "unit", db_col_text(row, 5));
    vk_json_member_str(b, "reason", db_col_text(row, 6));
    vk_json_member_str(b, "how", db_col_text(row, 7));
    vk_json_key(b, "how_walk");
    if (db_col_is_null(row, 8))
        vk_buf_puts(b, "null");
    else
        vk_json_int(b, db_col_int64(row, 8));
    vk_json_member_str(b, "explanation", db_col_text(row, 9));
    vk_buf_putc(b, '}');
    return 0;
}

vk_err walk_store_history(store_conn *c, int64_t id, int with_actor, vk_buf *b, vk_errinfo *ei)
{
    history_state h = {b, with_actor};
    vk_buf_putc(b, '[');
    vk_err e = db_each(c, &walk_sql, SQL_EVENTS_OF, DB_ARGS(DB_INT(id)), history_row, &h,
                       "reading a finding's history", ei);
    vk_buf_putc(b, ']');
    return e;
}

/* ---- checking a finding ---- */

void walk_finding_new_fini(walk_finding_new *n)
{
    free(n->groups);
    free(n->measurements);
    free(n->verdicts);
    free(n->wkb);
    memset(n, 0, sizeof *n);
}

/* A UUID's form, 8-4-4-4-12 hex digits; lower-cased into out. */
static int uuid_read(const char *s, char out[37])
{
    if (!s || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                                (c >= 'A' && c <= 'F')))
            return 0;
        out[i] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    }
    out[36] = '\0';
    return 1;
}

static double haversine(double lon1, double lat1, double lon2, double lat2)
{
    double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
    double dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2 * EARTH_RADIUS * atan2(sqrt(a), sqrt(1 - a));
}

/* A finding is a Point or a short LineString: at most LINE_VERTICES_MAX
 * vertices and LINE_LENGTH_MAX metres (gis/ has checked the positions). */
static vk_err check_shape(const json_t *geometry, vk_errinfo *ei)
{
    const char *t = json_string_value(json_object_get(geometry, "type"));
    if (t && strcmp(t, "Point") == 0)
        return VK_OK;
    if (!t || strcmp(t, "LineString") != 0)
        return vk_fail(ei, VK_EGEOM_TYPE, "geometry",
                       "a finding is a Point, or a LineString for a stretch of street");
    const json_t *cs = json_object_get(geometry, "coordinates");
    size_t n = json_array_size(cs);
    if (n > LINE_VERTICES_MAX)
        return vk_fail(ei, VK_EVERTICES, "geometry", "a finding's line has at most %d vertices",
                       LINE_VERTICES_MAX);
    double len = 0;
    for (size_t i = 1; i < n; i++) {
        const json_t *a = json_array_get(cs, i - 1), *b = json_array_get(cs, i);
        len += haversine(json_number_value(json_array_get(a, 0)),
                         json_number_value(json_array_get(a, 1)),
                         json_number_value(json_array_get(b, 0)),
                         json_number_value(json_array_get(b, 1)));
    }
    if (len > LINE_LENGTH_MAX)
        return vk_fail(ei, VK_EVALUE, "geometry",
                       "a finding's line is at most %.0f m long (this one is %.0f m)",
                       LINE_LENGTH_MAX, len);
    return VK_OK;
}

/* A GeoJSON geometry checked as feedback's are, inside the municipality,
 * as WKB (caller frees). */
static vk_err read_geometry(vk_ctx *ctx, const json_t *geometry, const char *field,
                            unsigned char **wkb, size_t *n, vk_errinfo *ei)
{
    gis_geom *g = NULL;
    vk_err e = gis_geom_from_geojson(ctx->gis, geometry, field, &g, ei);
    if (e)
        return e;
    e = gis_geom_check_inside(ctx->gis, g, field, ei);
    if (!e && (e = gis_geom_to_wkb(ctx->gis, g, wkb, n)))
        vk_fail(ei, e, field, NULL);
    gis_geom_free(ctx->gis, g);
    return e;
}

/* groups: an array of the checklist's group keys, each at most once; the
 * array as compact JSON text into *out (caller frees). */
static vk_err read_groups(const walk_checklist *cl, const json_t *doc, char **out, vk_errinfo *ei)
{
    const json_t *g = json_object_get(doc, "groups");
    *out = NULL;
    if (g && !json_is_null(g) && !json_is_array(g))
        return vk_fail(ei, VK_ETYPE, "groups", "groups is a list of user-group keys");
    size_t i, j;
    const json_t *v;
    json_array_foreach(g, i, v) {
        char field[32];
        snprintf(field, sizeof field, "groups[%zu]", i);
        const char *k = json_string_value(v);
        if (!k || !walk_checklist_has_group(cl, k))
            return vk_fail(ei, VK_EVALUE, field,
                           "%s is not a user group of the checklist (GET /api/v1/walks/checklist)",
                           field);
        for (j = 0; j < i; j++)
            if (json_equal(json_array_get(g, j), v))
                return vk_fail(ei, VK_EVALUE, field, "%s repeats '%s'", field, k);
    }
    *out = json_is_array(g) ? json_dumps(g, JSON_COMPACT) : strdup("[]");
    return *out ? VK_OK : vk_fail(ei, VK_ENOMEM, "", NULL);
}

typedef struct place_out {
    char *special, *district;
    size_t n;
} place_out;

static vk_err place_row(void *arg, db_row *row)
{
    place_out *p = arg;
    db_col_copy(row, 0, p->special, p->n);
    db_col_copy(row, 1, p->district, p->n);
    return VK_OK;
}

static vk_err read_recorded(const json_t *doc, const char *not_before, char out[32],
                            vk_errinfo *ei)
{
    const json_t *r = json_object_get(doc, "recorded");
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    if (!r || json_is_null(r)) {
        memcpy(out, now, strlen(now) + 1);
        return VK_OK;
    }
    if (!json_is_string(r) || vk_rfc3339_normalise(json_string_value(r), out) != 0)
        return vk_fail(ei, VK_EVALUE, "recorded", "recorded must be an RFC 3339 date-time");
    int64_t t = vk_rfc3339_seconds(out), n = vk_rfc3339_seconds(now);
    if (t > n + 300)
        return vk_fail(ei, VK_EVALUE, "recorded", "recorded is in the future");
    if (not_before && strlen(not_before) == 10) {
        int y, m, d;
        if (sscanf(not_before, "%4d-%2d-%2d", &y, &m, &d) == 3 &&
            t < (vk_days_from_civil(y, m, d) - 1) * 86400)
            return vk_fail(ei, VK_EVALUE, "recorded",
                           "recorded is before the walk's date (%s)", not_before);
    }
    return VK_OK;
}

vk_err walk_finding_prepare(vk_ctx *ctx, const walk_checklist *cl, const json_t *doc,
                            const char *const *extra, const unsigned char *wkb, size_t wkb_len,
                            const char *not_before, walk_finding_new *out, vk_errinfo *ei)
{
    static const char *const base[] = {"id",      "geometry",     "type",    "grade",
                                       "groups",  "measurements", "surface", "description",
                                       "recorded", "code",        "photos"};
    const char *keys[24];
    size_t nk = 0;
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        keys[nk++] = base[i];
    for (; extra && *extra && nk < 23; extra++)
        keys[nk++] = *extra;
    keys[nk] = NULL;
    memset(out, 0, sizeof *out);
    out->source = "walk";
    if (!json_is_object(doc))
        return vk_fail(ei, VK_ETYPE, "", "a finding is a JSON object");
    vk_err e = api_json_keys(doc, keys, ei);
    if (e)
        return e;
    const json_t *id = json_object_get(doc, "id");
    if (!id)
        return vk_fail(ei, VK_EMISSING, "id", "a finding needs its \"id\": a UUID made on the device");
    if (!uuid_read(json_string_value(id), out->uuid))
        return vk_fail(ei, VK_EVALUE, "id", "\"id\" must be a UUID (8-4-4-4-12 hex digits)");
    if (wkb) {
        if (!(out->wkb = malloc(wkb_len)))
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        memcpy(out->wkb, wkb, wkb_len);
        out->wkb_len = wkb_len;
    } else {
        const json_t *g = json_object_get(doc, "geometry");
        if (!g || json_is_null(g))
            return vk_fail(ei, VK_EMISSING, "geometry",
                           "a finding needs its place: a GeoJSON Point or a short LineString");
        if ((e = read_geometry(ctx, g, "geometry", &out->wkb, &out->wkb_len, ei)) ||
            (e = check_shape(g, ei)))
            return e;
    }
    if ((e = api_json_string(doc, "type", 1, 40, &out->type, ei)))
        return e;
    if (!walk_checklist_has_type(cl, out->type))
        return vk_fail(ei, VK_EVALUE, "type",
                       "unknown type '%.40s'; the types are listed at /api/v1/walks/checklist",
                       out->type);
    if ((e = api_json_string(doc, "grade", 1, 10, &out->grade, ei)))
        return e;
    if (walk_grade_parse(out->grade) < 0)
        return vk_fail(ei, VK_EVALUE, "grade", "grade must be vaara, este or haitta");
    if ((e = read_groups(cl, doc, &out->groups, ei)))
        return e;
    const json_t *m = json_object_get(doc, "measurements");
    if ((e = walk_checklist_check_measurements(cl, out->type, m, ei)))
        return e;
    json_t *empty = json_object();
    const json_t *mm = json_is_object(m) ? m : empty;
    out->measurements = json_dumps(mm, JSON_COMPACT | JSON_SORT_KEYS);
    const json_t *s = json_object_get(doc, "surface");
    if (s && !json_is_null(s)) {
        out->surface = json_string_value(s);
        if (!out->surface)
            e = vk_fail(ei, VK_ETYPE, "surface", "surface is a surface key or null");
        else if (!walk_checklist_type_surface(cl, out->type))
            e = vk_fail(ei, VK_EVALUE, "surface", "the type '%s' takes no surface", out->type);
        else if (!walk_checklist_has_surface(cl, out->surface))
            e = vk_fail(ei, VK_EVALUE, "surface", "unknown surface '%.40s'", out->surface);
    }
    if (!e)
        e = api_json_text(doc, "description", 0, WALK_TEXT_MAX, 1, &out->description, ei);
    if (!e)
        e = read_recorded(doc, not_before, out->created, ei);
    if (!e)
        e = walk_read_photos(doc, out->photos, &out->nphotos, ei);
    if (!e) {
        place_out p = {out->special_area, out->district, sizeof out->special_area};
        e = db_first(ctx->store, &walk_sql, SQL_PLACE_OF,
                     DB_ARGS(DB_BLOB(out->wkb, out->wkb_len)), place_row, &p, NULL,
                     "placing a finding", ei);
    }
    if (!e) {
        out->level = out->special_area[0] ? WALK_ERIKOISTASO : WALK_PERUSTASO;
        json_t *v = walk_verdicts(cl, out->type, out->level, mm);
        out->verdicts = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(v);
        if (!out->measurements || !out->verdicts)
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    json_decref(empty);
    return e;
}

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

vk_err walk_store_finding_insert(store_conn *c, const walk_finding_new *n, const char *now,
                                 const char *actor, int64_t *id, vk_errinfo *ei)
{
    vk_err e = db_run(c, &walk_sql, SQL_FINDING_INSERT,
                      DB_ARGS(DB_TEXT(n->uuid), DB_ID(n->walk_id), DB_TEXT(n->type),
                              DB_TEXT(n->grade), DB_TEXT(n->groups), DB_TEXT(n->measurements),
                              DB_TEXT(n->verdicts), DB_TEXT(walk_level_name(n->level)),
                              DB_TEXT(or_null(n->special_area)), DB_TEXT(or_null(n->district)),
                              DB_TEXT(n->surface), DB_TEXT(n->description), DB_TEXT(n->source),
                              DB_ID(n->feedback_id), DB_TEXT(n->body_hash), DB_TEXT(n->created),
                              DB_TEXT(now), DB_BLOB(n->wkb, n->wkb_len)),
                      "storing a finding", ei);
    if (e)
        return e;
    *id = db_last_id(c);
    return db_run(c, &walk_sql, SQL_EVENT_INSERT,
                  DB_ARGS(DB_INT(*id), DB_TEXT(n->created), DB_TEXT(actor), DB_TEXT("created"),
                          DB_TEXT("open"), DB_NULL, DB_NULL, DB_NULL, DB_NULL, DB_NULL, DB_NULL),
                  "storing a finding's event", ei);
}

/* ---- walks ---- */

void walk_input_fini(walk_input *in)
{
    free(in->groups);
    free(in->route);
    free(in->area);
    memset(in, 0, sizeof *in);
}

static int date_ok(const char *s)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return 0;
    if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2200)
        return 0;
    int y2, m2, d2;
    vk_civil_from_days(vk_days_from_civil(y, m, d), &y2, &m2, &d2);
    return y2 == y && m2 == m && d2 == d;
}

/* route or area: absent or null → none; else checked WKB of one of types. */
static vk_err read_walk_geometry(vk_ctx *ctx, const json_t *doc, const char *key,
                                 const char *const *types, unsigned char **wkb, size_t *n,
                                 vk_errinfo *ei)
{
    const json_t *g = json_object_get(doc, key);
    *wkb = NULL;
    *n = 0;
    if (!g || json_is_null(g))
        return VK_OK;
    const char *t = json_string_value(json_object_get(g, "type"));
    int ok = 0;
    for (; *types; types++)
        ok |= t && strcmp(t, *types) == 0;
    int line = strcmp(key, "route") == 0;
    if (!ok)
        return vk_fail(ei, VK_EGEOM_TYPE, key, "%s must be a %s or a Multi%s", key,
                       line ? "LineString" : "Polygon", line ? "LineString" : "Polygon");
    return read_geometry(ctx, g, key, wkb, n, ei);
}

vk_err walk_input_read(vk_ctx *ctx, const json_t *doc, walk_input *in, vk_errinfo *ei)
{
    static const char *const keys[] = {"title",  "date",  "organiser", "groups", "participants",
                                       "notes", "route", "area",      NULL};
    static const char *const line_types[] = {"LineString", "MultiLineString", NULL};
    static const char *const area_types[] = {"Polygon", "MultiPolygon", NULL};
    memset(in, 0, sizeof *in);
    if (!json_is_object(doc))
        return vk_fail(ei, VK_ETYPE, "", "a walk is a JSON object");
    vk_err e = api_json_keys(doc, keys, ei);
    if (!e)
        e = api_json_text(doc, "title", 1, 200, 0, &in->title, ei);
    if (!e)
        e = api_json_text(doc, "organiser", 1, 200, 0, &in->organiser, ei);
    if (!e)
        e = api_json_text(doc, "notes", 0, WALK_TEXT_MAX, 1, &in->notes, ei);
    if (!e) {
        const json_t *d = json_object_get(doc, "date");
        if (!d)
            e = vk_fail(ei, VK_EMISSING, "date", "a walk needs its date (YYYY-MM-DD)");
        else if (!date_ok(in->date = json_string_value(d)))
            e = vk_fail(ei, VK_EVALUE, "date", "date must be a date YYYY-MM-DD");
    }
    if (!e) {
        const json_t *p = json_object_get(doc, "participants");
        if (p && !json_is_null(p) && !json_is_integer(p))
            e = vk_fail(ei, VK_ETYPE, "participants", "participants is a whole number");
        else if (json_is_integer(p) && (json_integer_value(p) < 0 || json_integer_value(p) > 1000))
            e = vk_fail(ei, VK_EVALUE, "participants", "participants is from 0 to 1000");
        else
            in->participants = json_is_integer(p) ? (int)json_integer_value(p) : 0;
    }
    if (!e)
        e = read_groups(walk_checklist_get(NULL), doc, &in->groups, ei);
    if (!e)
        e = read_walk_geometry(ctx, doc, "route", line_types, &in->route, &in->route_len, ei);
    if (!e)
        e = read_walk_geometry(ctx, doc, "area", area_types, &in->area, &in->area_len, ei);
    if (!e && !in->route && !in->area)
        e = vk_fail(ei, VK_EMISSING, "route", "a walk needs a route (a line) or an area, or both");
    if (e)
        walk_input_fini(in);
    return e;
}

static db_arg blob_or_null(const unsigned char *p, size_t n)
{
    return p && n ? DB_BLOB(p, n) : DB_NULL;
}

static vk_err fill_lengths(store_conn *c, int64_t id, vk_errinfo *ei)
{
    vk_err e = db_run(c, &walk_sql, SQL_WALK_LENGTHS_CLEAR, DB_ARGS(DB_INT(id)),
                      "clearing a walk's lengths", ei);
    return e ? e : db_run(c, &walk_sql, SQL_WALK_LENGTHS_FILL, DB_ARGS(DB_INT(id)),
                          "measuring a walk per area", ei);
}

vk_err walk_store_insert(store_conn *c, const walk_input *in, const char *code_hash,
                         const char *now, const char *actor, int64_t *id, vk_errinfo *ei)
{
    vk_err e = db_run(c, &walk_sql, SQL_WALK_INSERT,
                      DB_ARGS(DB_TEXT(in->title), DB_TEXT(in->date), DB_TEXT(in->organiser),
                              DB_TEXT(in->groups), DB_INT(in->participants), DB_TEXT(in->notes),
                              DB_TEXT(code_hash), DB_TEXT(now), DB_TEXT(actor),
                              blob_or_null(in->route, in->route_len),
                              blob_or_null(in->area, in->area_len)),
                      "storing a walk", ei);
    if (e)
        return e;
    *id = db_last_id(c);
    return fill_lengths(c, *id, ei);
}

vk_err walk_store_update(store_conn *c, int64_t id, const walk_input *in, const char *now,
                         vk_errinfo *ei)
{
    vk_err e = db_run(c, &walk_sql, SQL_WALK_UPDATE,
                      DB_ARGS(DB_INT(id), DB_TEXT(in->title), DB_TEXT(in->date),
                              DB_TEXT(in->organiser), DB_TEXT(in->groups),
                              DB_INT(in->participants), DB_TEXT(in->notes),
                              blob_or_null(in->route, in->route_len),
                              blob_or_null(in->area, in->area_len), DB_TEXT(now)),
                      "updating a walk", ei);
    return e ? e : fill_lengths(c, id, ei);
}

static vk_err walk_json_row(void *arg, db_row *row)
{
    walk_row w;
    walk_row_read(row, &w);
    walk_write_json(arg, &w, 1);
    return VK_OK;
}

vk_err walk_store_walk_json(store_conn *c, int64_t id, vk_buf *b, int *found, vk_errinfo *ei)
{
    return db_first(c, &walk_sql, SQL_WALK_GET, DB_ARGS(DB_INT(id)), walk_json_row, b, found,
                    "reading a walk", ei);
}

/* ---- codes ---- */

/* No 0/O, 1/I/L: nothing to mistake when typed on a phone. */
static const char code_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

void walk_code_new(char code[WALK_CODE_LEN + 1])
{
    const uint32_t n = (uint32_t)(sizeof code_alphabet - 1);
    for (int i = 0; i < WALK_CODE_LEN; i++)
        code[i] = code_alphabet[randombytes_uniform(n)];
    code[WALK_CODE_LEN] = '\0';
}

int walk_code_hash(const char *typed, char hash[65])
{
    char code[WALK_CODE_LEN + 1];
    size_t n = 0;
    for (const char *p = typed; p && *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (n == WALK_CODE_LEN || !strchr(code_alphabet, c) || c == '\0')
            return 0;
        code[n++] = c;
    }
    if (n != WALK_CODE_LEN)
        return 0;
    code[n] = '\0';
    char salted[64];
    int len = snprintf(salted, sizeof salted, "vaikuta-walk-code:%s", code);
    vk_sha256_hex_of(salted, (size_t)len, hash);
    sodium_memzero(salted, sizeof salted);
    sodium_memzero(code, sizeof code);
    return 1;
}

int walk_hash_equal(const char *a, const char *b)
{
    return a && b && strlen(a) == 64 && strlen(b) == 64 && sodium_memcmp(a, b, 64) == 0;
}

/* ---- status and reviews ---- */

vk_err walk_store_set_status(store_conn *c, int64_t id, const char *uuid, const char *from,
                             const walk_status_change *ch, const char *at, const char *actor,
                             vk_errinfo *ei)
{
    vk_err e = db_run(c, &walk_sql, SQL_FINDING_SET_STATUS,
                      DB_ARGS(DB_INT(id), DB_TEXT(ch->to), DB_TEXT(ch->target), DB_TEXT(ch->unit),
                              DB_TEXT(ch->reason), DB_TEXT(ch->explanation), DB_TEXT(ch->how),
                              DB_ID(ch->how_walk), DB_TEXT(at)),
                      "changing a finding's status", ei);
    if (!e)
        e = db_run(c, &walk_sql, SQL_EVENT_INSERT,
                   DB_ARGS(DB_INT(id), DB_TEXT(at), DB_TEXT(actor), DB_TEXT("status"),
                           DB_TEXT(ch->to), DB_TEXT(ch->target), DB_TEXT(ch->unit),
                           DB_TEXT(ch->reason), DB_TEXT(ch->how), DB_ID(ch->how_walk),
                           DB_TEXT(ch->explanation)),
                   "storing a finding's event", ei);
    if (e)
        return e;
    /* The audit log: before and after, the public explanation with it. */
    json_t *before = json_pack("{ss}", "status", from);
    json_t *after = json_pack("{ss}", "status", ch->to);
    const char *keys[] = {"target_date", "unit", "reason", "how", "explanation"};
    const char *vals[] = {ch->target, ch->unit, ch->reason, ch->how, ch->explanation};
    for (int i = 0; i < 5 && after; i++)
        if (vals[i])
            json_object_set_new(after, keys[i], json_string(vals[i]));
    char *b = before ? json_dumps(before, JSON_COMPACT) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT) : NULL;
    char target[64];
    snprintf(target, sizeof target, "walk-finding:%s", uuid);
    store_account_event ev = {at, actor, "walk_finding_status", target, b, a, NULL};
    e = b && a ? store_account_event_add(c, &ev, ei) : vk_fail(ei, VK_ENOMEM, "", NULL);
    free(b);
    free(a);
    json_decref(before);
    json_decref(after);
    return e;
}

typedef struct votes_state {
    walk_votes v;
    int grade; /* the finding's */
} votes_state;

static int vote_row(void *arg, db_row *row)
{
    votes_state *t = arg;
    const char *vote = db_col_text(row, 2);
    int g = walk_grade_parse(db_col_text(row, 3));
    if (strcmp(vote, "agree") == 0) {
        t->v.agree++;
        if (g < 0)
            g = t->grade;
    } else if (strcmp(vote, "disagree") == 0) {
        t->v.disagree++;
    } else {
        t->v.unsure++;
    }
    if (g >= 0)
        t->v.grade_votes[g]++;
    return 0;
}

vk_err walk_store_recount(store_conn *c, int64_t id, int grade, vk_errinfo *ei)
{
    votes_state t = {{0, 0, 0, {0, 0, 0}}, grade};
    vk_err e = db_each(c, &walk_sql, SQL_REVIEWS_OF, DB_ARGS(DB_INT(id)), vote_row, &t,
                       "counting reviews", ei);
    if (e)
        return e;
    const char *result;
    int g;
    walk_consensus(&t.v, grade, &result, &g);
    return db_run(c, &walk_sql, SQL_FINDING_SET_CONSENSUS,
                  DB_ARGS(DB_INT(id), DB_TEXT(result), DB_TEXT(walk_grade_name(g)),
                          DB_INT(t.v.agree), DB_INT(t.v.disagree), DB_INT(t.v.unsure)),
                  "storing the consensus", ei);
}

/* ---- photos (docs/photos.md) ---- */

vk_err walk_read_photos(const json_t *doc, const char **ids, int *n, vk_errinfo *ei)
{
    const json_t *p = json_object_get(doc, "photos");
    *n = 0;
    if (!p || json_is_null(p))
        return VK_OK;
    if (!json_is_array(p))
        return vk_fail(ei, VK_ETYPE, "photos", "photos is a list of photo ids (POST /api/v1/photos)");
    if (json_array_size(p) > WALK_PHOTOS_MAX)
        return vk_fail(ei, VK_EVALUE, "photos", "a finding has at most %d photos", WALK_PHOTOS_MAX);
    size_t i;
    const json_t *v;
    json_array_foreach(p, i, v) {
        const char *id = json_string_value(v);
        if (!id || strlen(id) != PHOTO_ID_LEN || strspn(id, "0123456789abcdef") != PHOTO_ID_LEN) {
            char field[32];
            snprintf(field, sizeof field, "photos[%zu]", i);
            return vk_fail(ei, VK_EVALUE, field, "%s is not a photo id", field);
        }
        ids[(*n)++] = id;
    }
    return VK_OK;
}

vk_err walk_attach_photos(vk_ctx *ctx, const char *uuid, const char *const *ids, int n,
                          const char *now, vk_errinfo *ei)
{
    for (int i = 0; i < n; i++) {
        vk_err e = photo_attach(ctx, ids[i], "walk_finding", uuid, now, ei);
        if (e)
            return e; /* the whole finding rolls back */
    }
    return VK_OK;
}

static vk_err finding_photos_visible(vk_ctx *ctx, const vk_req *req, const char *owner_id,
                                     photo_visibility *out)
{
    (void)req;
    int64_t id = 0;
    char hash[65];
    int found = 0;
    vk_err e = db_scan(ctx->store, &walk_sql, SQL_FINDING_FIND, DB_ARGS(DB_TEXT(owner_id)),
                       DB_OUTS(DB_I64_TO(&id), DB_COPY_TO(hash, sizeof hash)), &found,
                       "looking a finding up", &ctx->err);
    *out = !e && found ? PHOTO_PUBLIC : PHOTO_HIDDEN;
    return e;
}

vk_err walk_photos_register(vk_errinfo *ei)
{
    return photo_owner_register("walk_finding", finding_photos_visible, ei);
}

static int review_row(void *arg, db_row *row)
{
    vk_buf *b = arg;
    vk_json_open(b);
    vk_json_member_str(b, "reviewer", db_col_text(row, 1));
    vk_json_member_str(b, "vote", db_col_text(row, 2));
    vk_json_member_str(b, "grade", db_col_text(row, 3));
    vk_json_member_str(b, "comment", db_col_text(row, 4));
    vk_json_member_str(b, "at", db_col_text(row, 5));
    vk_buf_putc(b, '}');
    return 0;
}

vk_err walk_store_reviews(store_conn *c, int64_t id, vk_buf *b, vk_errinfo *ei)
{
    vk_buf_putc(b, '[');
    vk_err e = db_each(c, &walk_sql, SQL_REVIEWS_OF, DB_ARGS(DB_INT(id)), review_row, b,
                       "reading reviews", ei);
    vk_buf_putc(b, ']');
    return e;
}
