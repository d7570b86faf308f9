/*
 * feedback.c — residents' feedback: create, list, get.
 *
 * Every way in (the REST API, seeds, later imports and OGC API Part 4)
 * reads a Feature through api_feedback_read(), so the checks are the same
 * everywhere. Output goes through feedback_write(), which only knows the
 * public columns: contact details cannot leak from here.
 */
#include "core/json.h"
#include "feedback/feedback.h"
#include "questions/questions.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "features/items.h"
#include "feedback/jobs.h"
#include "feedback/photos.h"
#include "core/sha256.h"
#include "core/clock.h"
#include "http/params.h"

#define DESCRIPTION_MAX 4000
#define PLACE_MAX 500

static const char *const statuses_list[] = {"received",  "in_progress", "planned",
                                            "resolved",  "not_resolvable", "duplicate",
                                            "forwarded", NULL};

int api_feedback_status_open(const char *status)
{
    return !status || strcmp(status, "received") == 0 || strcmp(status, "in_progress") == 0 ||
           strcmp(status, "planned") == 0;
}

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* ---- reading input ---- */

static int email_plausible(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@'))
        return 0;
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0')
        return 0;
    for (const char *p = s; *p; p++)
        if (isspace((unsigned char)*p))
            return 0;
    return 1;
}

static int phone_plausible(const char *s)
{
    int digits = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!strchr(" +-()", *p))
            return 0;
    }
    return digits >= 5;
}

static vk_err read_contact(const json_t *props, store_feedback_new *row, vk_errinfo *ei)
{
    static const char *const keys[] = {"name", "email", "phone", "language", NULL};
    const json_t *c = json_object_get(props, "contact");
    if (!c || json_is_null(c))
        return VK_OK;
    if (!json_is_object(c))
        return vk_fail(ei, VK_ETYPE, "properties.contact", "properties.contact must be an object");
    vk_err e;
    if ((e = api_json_keys_prefixed(c, "properties.contact.", keys, ei)) ||
        (e = api_json_text_named(c, "name", "properties.contact.name", 0, 200, 0, &row->contact_name, ei)) ||
        (e = api_json_text_named(c, "email", "properties.contact.email", 0, 254, 0, &row->contact_email, ei)) ||
        (e = api_json_text_named(c, "phone", "properties.contact.phone", 0, 40, 0, &row->contact_phone, ei)))
        return e;
    if ((e = api_json_text_named(c, "language", "properties.contact.language", 0, 2, 0,
                                 &row->contact_language, ei)))
        return e;
    if (row->contact_language && strcmp(row->contact_language, "fi") != 0 &&
        strcmp(row->contact_language, "sv") != 0 && strcmp(row->contact_language, "en") != 0)
        return vk_fail(ei, VK_EVALUE, "properties.contact.language",
                       "properties.contact.language is fi, sv or en: the language for e-mail");
    if (row->contact_email && !email_plausible(row->contact_email))
        return vk_fail(ei, VK_EVALUE, "properties.contact.email",
                       "properties.contact.email does not look like an email address");
    if (row->contact_phone && !phone_plausible(row->contact_phone))
        return vk_fail(ei, VK_EVALUE, "properties.contact.phone",
                       "properties.contact.phone may hold digits, spaces and + - ( ) only");
    return VK_OK;
}

static vk_err read_time(const json_t *props, const char *key, const char *field, char *out,
                        vk_errinfo *ei)
{
    const char *s = NULL;
    vk_err e = api_json_text_named(props, key, field, 0, 64, 0, &s, ei);
    if (e || !s)
        return e;
    if (vk_rfc3339_normalise(s, out))
        return vk_fail(ei, VK_EVALUE, field, "%s must be an RFC 3339 date-time", field);
    return VK_OK;
}

/* Status, answer and times: only from trusted sources (seeds, imports). */
static vk_err read_trusted(const json_t *props, api_feedback_input *in, vk_errinfo *ei)
{
    store_feedback_new *row = &in->row;
    vk_err e;
    if ((e = api_json_text_named(props, "status", "properties.status", 0, 20, 0, &row->status, ei)) ||
        (e = api_json_text_named(props, "resolution_reason", "properties.resolution_reason", 0,
                       DESCRIPTION_MAX, 1, &row->resolution_reason, ei)) ||
        (e = api_json_text_named(props, "forwarded_to", "properties.forwarded_to", 0, 200, 1,
                       &row->forwarded_to, ei)) ||
        (e = api_json_text_named(props, "answer", "properties.answer", 0, DESCRIPTION_MAX, 1, &row->answer,
                       ei)) ||
        (e = read_time(props, "created", "properties.created", in->created, ei)) ||
        (e = read_time(props, "updated", "properties.updated", in->updated, ei)) ||
        (e = read_time(props, "answered", "properties.answered", in->answered, ei)))
        return e;
    /* An export from before schema 4 says closed + closed_reason; map it as
     * migration 0004 maps stored rows. */
    const char *closed_reason = NULL;
    if ((e = api_json_text_named(props, "closed_reason", "properties.closed_reason", 0, 40, 0,
                       &closed_reason, ei)))
        return e;
    if (row->status && strcmp(row->status, "closed") == 0) {
        static const char *const map[][2] = {{"fixed", "resolved"},
                                             {"taken_into_account", "resolved"},
                                             {"not_possible", "not_resolvable"},
                                             {"duplicate", "duplicate"},
                                             {"forwarded", "forwarded"}};
        const char *to = NULL;
        for (size_t i = 0; closed_reason && i < sizeof map / sizeof map[0]; i++)
            if (strcmp(closed_reason, map[i][0]) == 0)
                to = map[i][1];
        if (!to)
            return vk_fail(ei, closed_reason ? VK_EVALUE : VK_EMISSING,
                           "properties.closed_reason",
                           "status closed (from before schema 4) needs closed_reason fixed, "
                           "taken_into_account, not_possible, duplicate or forwarded");
        row->status = to;
    } else if (closed_reason) {
        return vk_fail(ei, VK_EVALUE, "properties.closed_reason",
                       "properties.closed_reason is only for status closed (from before schema "
                       "4); use resolution_reason or forwarded_to");
    }
    if (row->status && !in_list(row->status, statuses_list))
        return vk_fail(ei, VK_EVALUE, "properties.status",
                       "properties.status must be received, in_progress, planned, resolved, "
                       "not_resolvable, duplicate or forwarded");
    if (row->resolution_reason && (!row->status || strcmp(row->status, "not_resolvable") != 0))
        return vk_fail(ei, VK_EVALUE, "properties.resolution_reason",
                       "properties.resolution_reason is only for not_resolvable items");
    if (row->forwarded_to && (!row->status || strcmp(row->status, "forwarded") != 0))
        return vk_fail(ei, VK_EVALUE, "properties.forwarded_to",
                       "properties.forwarded_to is only for forwarded items");
    if (in->created[0])
        row->created_at = in->created;
    if (in->updated[0])
        row->updated_at = in->updated;
    if (in->answered[0])
        row->answered_at = in->answered;
    if (row->answer && !row->answered_at)
        row->answered_at = row->updated_at;
    return VK_OK;
}

/* properties.location_precision: exact (the default), address or
 * district; the last two only for a point (an address's, or the
 * district's label point). */
static vk_err read_precision(const json_t *props, const json_t *geometry,
                             store_feedback_new *row, vk_errinfo *ei)
{
    static const char *const precisions[] = {"exact", "address", "district", NULL};
    const json_t *v = json_object_get(props, "location_precision");
    if (!v || json_is_null(v))
        return VK_OK;
    if (!json_is_string(v) || !in_list(json_string_value(v), precisions))
        return vk_fail(ei, VK_EVALUE, "properties.location_precision",
                       "properties.location_precision must be exact, address or district");
    row->location_precision = json_string_value(v);
    const json_t *type = json_object_get(geometry, "type");
    if (strcmp(row->location_precision, "exact") != 0 &&
        (!json_is_string(type) || strcmp(json_string_value(type), "Point") != 0))
        return vk_fail(ei, VK_EVALUE, "properties.location_precision",
                       "properties.location_precision %s is only for a Point",
                       row->location_precision);
    return VK_OK;
}

vk_err api_feedback_read(vk_ctx *ctx, const json_t *feature, api_input_kind kind,
                         api_feedback_input *in, vk_errinfo *ei)
{
    static const char *const public_keys[] = {"category", "description", "place", "contact",
                                              "attributes", "location_precision", "photos",
                                              NULL};
    /* Trusted input may also carry the district, unit and duplicate_of of an
     * export, which are ignored: the server assigns districts from the
     * geometry and units from the category, and ids do not carry over;
     * me_too counts browsers of this server, so it starts again at 0.
     * closed_reason comes from exports made before schema 4. */
    static const char *const trusted_keys[] = {
        "category",     "description",  "place",             "contact",
        "status",       "answer",       "answered",          "created",
        "updated",      "district",     "unit",              "duplicate_of",
        "forwarded_to", "resolution_reason", "closed_reason", "attributes", "me_too",
        "location_precision", NULL};
    memset(in, 0, sizeof *in);
    store_feedback_new *row = &in->row;
    vk_now_rfc3339(in->created);
    memcpy(in->updated, in->created, sizeof in->updated);
    row->created_at = in->created;
    row->updated_at = in->updated;

    if (!json_is_object(feature))
        return vk_fail(ei, VK_ETYPE, "", "the body must be a GeoJSON Feature object");
    const json_t *type = json_object_get(feature, "type");
    if (!type)
        return vk_fail(ei, VK_EMISSING, "type", "type is required and must be \"Feature\"");
    if (!json_is_string(type))
        return vk_fail(ei, VK_ETYPE, "type", "type must be the string \"Feature\"");
    if (strcmp(json_string_value(type), "Feature") != 0)
        return vk_fail(ei, VK_EVALUE, "type", "type must be \"Feature\"; send one Feature at a time");
    const json_t *props = json_object_get(feature, "properties");
    if (!props || json_is_null(props))
        return vk_fail(ei, VK_EMISSING, "properties",
                       "properties is required (category and description)");
    if (!json_is_object(props))
        return vk_fail(ei, VK_ETYPE, "properties", "properties must be an object");
    const json_t *geometry = json_object_get(feature, "geometry");
    if (!geometry || json_is_null(geometry))
        return vk_fail(ei, VK_EMISSING, "geometry", "geometry is required: where is it?");
    if (!json_is_object(geometry))
        return vk_fail(ei, VK_ETYPE, "geometry", "geometry must be a GeoJSON geometry object");

    vk_err e;
    if ((e = api_json_keys_prefixed(props, "properties.",
                        kind == API_INPUT_TRUSTED ? trusted_keys : public_keys, ei)) ||
        (e = api_json_text_named(props, "category", "properties.category", 1, 40, 0, &row->category, ei)) ||
        (e = api_json_text_named(props, "description", "properties.description", 1, DESCRIPTION_MAX, 1,
                       &row->description, ei)) ||
        (e = api_json_text_named(props, "place", "properties.place", 0, PLACE_MAX, 0, &row->place, ei)) ||
        (e = read_contact(props, row, ei)))
        return e;
    if (kind == API_INPUT_TRUSTED && (e = read_trusted(props, in, ei)))
        return e;
    if (kind == API_INPUT_PUBLIC &&
        (e = api_feedback_photos_read(props, in->photos, &in->nphotos, ei)))
        return e;
    int exists = 0;
    if ((e = store_category_exists(ctx->store, row->category, &exists, ei)))
        return e;
    if (!exists)
        return vk_fail(ei, VK_EVALUE, "properties.category",
                       "unknown category '%.40s'; the categories are listed at /api/v1/categories",
                       row->category);
    const json_t *answers = json_object_get(props, "attributes");
    json_t *parsed = NULL;
    /* Exports in text formats carry the answers as JSON text. */
    if (kind == API_INPUT_TRUSTED && json_is_string(answers)) {
        parsed = json_loads(json_string_value(answers), 0, NULL);
        if (!parsed)
            return vk_fail(ei, VK_EVALUE, "properties.attributes",
                           "properties.attributes is text but not a JSON object");
        answers = parsed;
    }
    e = api_attributes_check(ctx, row->category, answers, kind == API_INPUT_PUBLIC,
                             &in->attributes, ei);
    json_decref(parsed);
    if (e)
        return e;
    row->attributes = in->attributes;

    if ((e = read_precision(props, geometry, row, ei)))
        return e;
    gis_geom *g = NULL;
    if ((e = gis_geom_from_geojson(ctx->gis, geometry, "geometry", &g, ei)))
        return e;
    e = gis_geom_check_inside(ctx->gis, g, "geometry", ei);
    if (!e) {
        row->district_id = gis_geom_district(ctx->gis, g);
        e = gis_geom_to_wkb(ctx->gis, g, &in->wkb, &row->wkb_len);
        if (e)
            vk_fail(ei, e, "geometry", NULL);
        row->wkb = in->wkb;
    }
    gis_geom_free(ctx->gis, g);
    return e;
}

void api_feedback_input_fini(api_feedback_input *in)
{
    free(in->wkb);
    in->wkb = NULL;
    free(in->attributes);
    in->attributes = NULL;
}

/* ---- handlers ---- */

/* A comma list whose every value passes check; errors name the parameter.
 * *out is the list as given. */
static vk_err check_list(vk_ctx *ctx, const vk_req *req, const char *name,
                         const char *const *allowed, const char **out)
{
    const char *items[500]; /* 1000 characters hold at most 500 values */
    int n;
    vk_err e = vk_param_list(req, name, 1000, 500, items, &n, &ctx->err);
    *out = vk_req_param(req, name);
    for (int i = 0; i < n && !e; i++) {
        int ok = 0;
        if (allowed)
            ok = in_list(items[i], allowed);
        else if ((e = store_category_exists(ctx->store, items[i], &ok, &ctx->err)))
            break;
        if (!ok) {
            const char *shown = vk_utf8_valid(items[i], strlen(items[i]), NULL) ? items[i] : "?";
            e = vk_fail(&ctx->err, VK_EPARAM, name, "%s: unknown value '%.60s'", name, shown);
        }
    }
    return e;
}

/* Values above max are clamped, as OGC API does. */
static vk_err param_int(vk_ctx *ctx, const vk_req *req, const char *name, long long min,
                        long long max, long long *out)
{
    return vk_param_int(req, name, min, max, VK_PARAM_CLAMP, out, &ctx->err);
}

vk_err api_feedback_list(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const known[] = {"bbox", "category", "status", "district",
                                        "limit", "offset", "after", NULL};
    api_items it;
    api_items_init(&it, store_collection_find("feedback"));
    long long limit = ITEMS_LIMIT_DEFAULT, offset = 0, after = 0;
    const char *categories, *statuses;
    vk_arena *a = req->arena;
    vk_err e;
    if ((e = vk_req_only_params(req, known, &ctx->err)) ||
        (e = param_int(ctx, req, "limit", 1, ITEMS_LIMIT_MAX, &limit)) ||
        (e = param_int(ctx, req, "offset", 0, INT64_MAX / 2, &offset)) ||
        (e = param_int(ctx, req, "after", 0, INT64_MAX / 2, &after)) ||
        (e = check_list(ctx, req, "category", NULL, &categories)) ||
        (e = check_list(ctx, req, "status", statuses_list, &statuses)))
        return e;
    it.q.limit = limit;
    it.q.offset = offset;
    it.q.after = after;
    if ((e = vk_param_bbox(req, "bbox", ctx->proj, GIS_CRS_CRS84, 0, it.q.bbox, &it.q.has_bbox,
                           &ctx->err)))
        return e;
    if (categories)
        it.filter = api_items_and(a, it.filter, api_items_in_list(a, "category", categories));
    if (statuses)
        it.filter = api_items_and(a, it.filter, api_items_in_list(a, "status", statuses));
    const char *district = vk_req_param(req, "district");
    if (district) {
        int64_t id = 0;
        if ((e = store_district_id(ctx->store, district, &id, &ctx->err)))
            return e;
        if (!id)
            return vk_fail(&ctx->err, VK_EPARAM, "district",
                           "unknown district; the districts are listed at /api/v1/districts");
        it.filter = api_items_and(a, it.filter, api_items_eq_text(a, "district", district));
    }
    if ((categories || statuses || district) && !it.filter)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    if ((e = api_items_compile(ctx, req, &it, GIS_CRS_CRS84)))
        return e;
    return api_items_write_collection(ctx, req, &it, "/api/v1/feedback", resp);
}

#define NEARBY_RADIUS_DEFAULT 50
#define NEARBY_RADIUS_MAX 200
#define NEARBY_LIMIT 20

/* A finite number in [lo, hi] from a query parameter. */
static vk_err param_number(vk_ctx *ctx, const vk_req *req, const char *name, double lo,
                           double hi, double *out)
{
    return vk_param_number(req, name, lo, hi, VK_PARAM_FROM_TO, out, &ctx->err);
}

vk_err api_feedback_nearby(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const known[] = {"lon", "lat", "category", "radius", NULL};
    api_items it;
    api_items_init(&it, store_collection_find("feedback"));
    double lon = 0, lat = 0, radius = NEARBY_RADIUS_DEFAULT;
    const char *category = NULL;
    vk_err e;
    if ((e = vk_req_only_params(req, known, &ctx->err)))
        return e;
    if (!vk_req_param(req, "lon") || !vk_req_param(req, "lat"))
        return vk_fail(&ctx->err, VK_EPARAM, vk_req_param(req, "lon") ? "lat" : "lon",
                       "lon and lat are required: the point to look around");
    if ((e = param_number(ctx, req, "lon", -180, 180, &lon)) ||
        (e = param_number(ctx, req, "lat", -90, 90, &lat)) ||
        (e = param_number(ctx, req, "radius", 1, NEARBY_RADIUS_MAX, &radius)) ||
        (e = check_list(ctx, req, "category", NULL, &category)))
        return e;
    if (category && strchr(category, ','))
        return vk_fail(&ctx->err, VK_EPARAM, "category", "category takes one category");
    /* Suggestions while reporting: what is still open, nearest first. */
    vk_arena *a = req->arena;
    it.filter = api_items_in_list(a, "status", API_FEEDBACK_OPEN_STATUSES);
    if (category)
        it.filter = api_items_and(a, it.filter, api_items_eq_text(a, "category", category));
    if (!it.filter)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    api_items_near(&it, lon, lat, radius);
    it.q.near_order = 1;
    it.q.limit = NEARBY_LIMIT;
    if ((e = api_items_compile(ctx, req, &it, GIS_CRS_CRS84)))
        return e;
    vk_resp_header(resp, "Cache-Control", "no-store");
    return api_items_write_collection(ctx, req, &it, "/api/v1/feedback/nearby", resp);
}

vk_err api_feedback_path_id(vk_ctx *ctx, const vk_req *req, const char *json_what, int64_t *id)
{
    static const char *const no_params[] = {NULL};
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    if (!(*id = api_parse_id(req->nargs ? req->args[0] : NULL)))
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no feedback with this id");
    if (json_what && !vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type", "send the %s as application/json",
                       json_what);
    return VK_OK;
}

/* The stored item as a Feature into the response. */
static vk_err write_stored(vk_ctx *ctx, int64_t id, vk_resp *resp)
{
    api_items it;
    api_items_init(&it, store_collection_find("feedback"));
    it.q.id = id;
    int found = 0;
    vk_err e = id > 0 ? api_items_write_one(ctx, &it, &resp->body, &found) : VK_OK;
    if (e)
        return e;
    if (!found)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no feedback with this id");
    resp->content_type = "application/geo+json";
    return VK_OK;
}

vk_err api_feedback_get(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const no_params[] = {NULL};
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    return e ? e : write_stored(ctx, api_parse_id(req->nargs ? req->args[0] : NULL), resp);
}

/* A create in flight: the parsed request and its write job. */
typedef struct create_state {
    api_create_job job; /* first: see vk_write_job_defer() */
    json_t *doc;
    api_feedback_input in;
    api_create_finish_fn finish; /* NULL: answer with the GeoJSON Feature */
    int finish_arg;
    char followup[API_FOLLOWUP_TOKEN_LEN + 1]; /* the reporter's token, "" if none */
    char followup_hash[65];
} create_state;

void api_followup_token(char token[API_FOLLOWUP_TOKEN_LEN + 1])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, API_FOLLOWUP_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void api_followup_hash(const char *token, size_t n, char out[65])
{
    vk_sha256_hex_of(token, n, out);
}

static void create_finish(void *arg, vk_resp *resp)
{
    create_state *st = arg;
    vk_write_job *job = &st->job.job;
    if (st->finish) {
        st->finish(job, st->finish_arg, resp);
        return;
    }
    if (job->err.code != VK_OK) {
        vk_resp_error(resp, &job->err);
        return;
    }
    resp->status = job->status;
    resp->content_type = "application/geo+json";
    if (job->location)
        vk_resp_header(resp, "Location", job->location);
    if (job->replayed)
        vk_resp_header(resp, "Idempotent-Replayed", "true");
    const char *body = job->body ? job->body : "";
    size_t n = strlen(body);
    if (job->replayed || !st->followup[0] || n == 0 || body[n - 1] != '}') {
        vk_buf_puts(&resp->body, body);
        return;
    }
    /* The follow-up link, only in this answer: the remembered response of
     * an Idempotency-Key (job->body) never holds it, so a replay, which
     * anyone knowing the key and the body could make, cannot reveal it. */
    vk_buf_add(&resp->body, body, n - 1);
    vk_buf_printf(&resp->body, ",\"followup\":{\"token\":\"%s\",\"url\":\"/follow.html#%s\"}}",
                  st->followup, st->followup);
}

static void create_cleanup(void *arg)
{
    create_state *st = arg;
    vk_write_job_fini(&st->job.job);
    api_feedback_input_fini(&st->in);
    json_decref(st->doc);
    sodium_memzero(st->followup, sizeof st->followup);
    free(st);
}

vk_err api_feedback_create_at(vk_ctx *ctx, const vk_req *req, vk_resp *resp,
                              const char *location_prefix)
{
    static const char *const no_params[] = {NULL};
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    if (!vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type",
                       "send the Feature as application/geo+json or application/json");
    json_t *doc = NULL;
    if ((e = api_idem_key_check(ctx, req->idempotency_key)) ||
        (e = api_json_parse(req->body, req->body_len, &doc, &ctx->err)))
        return e;
    return api_feedback_submit(ctx, req, resp, doc, location_prefix, NULL, 0, 0);
}

vk_err api_feedback_submit(vk_ctx *ctx, const vk_req *req, vk_resp *resp, json_t *doc,
                           const char *location_prefix, api_create_finish_fn finish,
                           int finish_arg, int64_t token_id)
{
    vk_err e = api_idem_key_check(ctx, req->idempotency_key);
    if (e) {
        json_decref(doc);
        return e;
    }
    create_state *st = calloc(1, sizeof *st);
    if (!st) {
        json_decref(doc);
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    }
    st->doc = doc;
    st->finish = finish;
    st->finish_arg = finish_arg;
    if ((e = api_feedback_read(ctx, st->doc, API_INPUT_PUBLIC, &st->in, &ctx->err))) {
        create_cleanup(st);
        return e;
    }
    vk_write_job *job = &st->job.job;
    job->run = api_job_create;
    st->job.row = st->in.row;
    memcpy(st->job.photos, st->in.photos, sizeof st->job.photos);
    st->job.nphotos = st->in.nphotos;
    st->job.location_prefix = location_prefix;
    if (!finish) {
        /* Our own answer carries a private follow-up link (Open311 has
         * its own answer and its own token). */
        api_followup_token(st->followup);
        api_followup_hash(st->followup, strlen(st->followup), st->followup_hash);
        st->job.row.followup_hash = st->followup_hash;
        st->job.row.receipt_token = st->followup; /* the receipt's link, kept with an address */
    }
    /* The item's new-item mail is read from the item by the sender, after
     * the POST (feedback/notify.h): nothing of it is written here. */
    st->job.row.mail = 1;
    if ((e = api_idem_prepare(ctx, req, token_id, job))) {
        create_cleanup(st);
        return e;
    }
    vk_write_job_defer(ctx, job, resp, create_finish, create_cleanup);
    return VK_OK;
}

vk_err api_feedback_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return api_feedback_create_at(ctx, req, resp, "/api/v1/feedback/");
}
