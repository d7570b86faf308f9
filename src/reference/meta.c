/*
 * meta.c — the small read-only resources: health, client configuration,
 * categories, responsible units and districts.
 */
#include "questions/questions.h"
#include "reference/reference.h"
#include "core/json.h"
#include "http/deferred.h"
#include "mail/mime.h"
#include "mail/outbox.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char *const no_params[] = {NULL};

vk_err api_healthz(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    int64_t n = 0;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e)
        e = store_ping(ctx->store, &n, &ctx->err);
    if (e)
        return e;
    vk_buf *b = &resp->body;
    vk_buf_printf(b, "{\"status\":\"ok\",\"version\":\"%s\",\"schema\":%d,\"feedback\":%lld,"
                  "\"mail\":\"%s\"}",
                  VK_VERSION, store_schema_version(ctx->store), (long long)n, mail_mode(ctx->cfg));
    return VK_OK;
}

vk_err api_config(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const vk_config *cfg = ctx->cfg;
    vk_buf *b = &resp->body;
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    vk_buf_putc(b, '{');
    vk_json_member_str(b, "tiles", cfg->tiles_url);
    vk_json_member_str(b, "attribution", cfg->tiles_url ? cfg->tiles_attribution : "");
    if (ctx->has_bounds) {
        const double *bb = ctx->bounds;
        vk_buf_puts(b, ",\"center\":[");
        vk_json_coord(b, (bb[0] + bb[2]) / 2, GIS_DECIMALS);
        vk_buf_putc(b, ',');
        vk_json_coord(b, (bb[1] + bb[3]) / 2, GIS_DECIMALS);
        vk_buf_puts(b, "],\"bounds\":[");
        for (int i = 0; i < 4; i++) {
            if (i)
                vk_buf_putc(b, ',');
            vk_json_coord(b, bb[i], GIS_DECIMALS);
        }
        vk_buf_putc(b, ']');
    } else {
        vk_buf_puts(b, ",\"center\":null,\"bounds\":null");
    }
    vk_buf_printf(b,
                  ",\"zoom\":12,\"languages\":[\"fi\",\"sv\",\"en\"],"
                  "\"limits\":{\"description_max\":4000,\"place_max\":500,"
                  "\"vertices_max\":%d,\"body_max\":%zu}}",
                  GIS_MAX_VERTICES, cfg->body_max);
    return VK_OK;
}

/* The member key: {"fi":…,"sv":…,"en":…} from three strings. */
static void write_names(vk_buf *b, const char *key, const char *const names[3])
{
    static const char *const langs[] = {"fi", "sv", "en"};
    vk_json_key(b, key);
    vk_buf_putc(b, '{');
    for (int i = 0; i < 3; i++)
        vk_json_member_str(b, langs[i], names[i]);
    vk_buf_putc(b, '}');
}

typedef struct {
    vk_buf *b;
    json_t *attributes; /* {category: [definitions]} */
} category_writer;

static int write_category(void *arg, const store_category *cat)
{
    category_writer *cw = arg;
    /* The category's own questions, so a client can ask them. */
    const json_t *defs = json_object_get(cw->attributes, cat->id);
    char *text = defs ? json_dumps(defs, JSON_COMPACT) : NULL;
    vk_buf *b = cw->b;
    vk_json_open(b);
    vk_json_member_str(b, "id", cat->id);
    write_names(b, "name", cat->name);
    write_names(b, "description", cat->description);
    vk_json_key(b, "attributes");
    vk_buf_puts(b, text ? text : "[]");
    free(text);
    vk_buf_putc(b, '}');
    return 0;
}

vk_err api_categories(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    category_writer cw = {&resp->body, NULL};
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e)
        e = api_attribute_defs(ctx, NULL, &cw.attributes, &ctx->err);
    if (e)
        return e;
    vk_buf_puts(&resp->body, "{\"categories\":[");
    e = store_category_each(ctx->store, write_category, &cw, &ctx->err);
    vk_buf_puts(&resp->body, "]}");
    json_decref(cw.attributes);
    return e;
}

static int write_unit(void *arg, const store_unit *u)
{
    vk_buf *b = arg;
    vk_json_open(b);
    vk_json_member_str(b, "code", u->code);
    write_names(b, "name", u->name);
    vk_buf_putc(b, '}');
    return 0;
}

vk_err api_units(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (!e) {
        vk_buf_puts(&resp->body, "{\"units\":[");
        e = store_unit_each(ctx->store, write_unit, &resp->body, &ctx->err);
        vk_buf_puts(&resp->body, "]}");
    }
    return e;
}

typedef struct {
    vk_ctx *ctx;
    vk_buf *b;
    vk_err err;
} area_writer;

static int write_district(void *arg, const store_area *a)
{
    area_writer *w = arg;
    vk_buf *b = w->b;
    vk_json_next(b);
    vk_buf_puts(b, "{\"type\":\"Feature\"");
    vk_json_member_str(b, "id", a->code);
    vk_json_key(b, "geometry");
    if ((w->err = gis_wkb_to_geojson(a->wkb, a->wkb_len, b)))
        return 1;
    vk_buf_puts(b, ",\"properties\":{");
    vk_json_member_str(b, "code", a->code);
    write_names(b, "name", a->name);
    double lon, lat;
    if (gis_wkb_point_on_surface(w->ctx->gis, a->wkb, a->wkb_len, &lon, &lat) == VK_OK) {
        vk_buf_puts(b, ",\"label_point\":[");
        vk_json_coord(b, lon, GIS_DECIMALS);
        vk_buf_putc(b, ',');
        vk_json_coord(b, lat, GIS_DECIMALS);
        vk_buf_putc(b, ']');
    }
    vk_buf_puts(b, "}}");
    return 0;
}

vk_err api_districts(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    resp->content_type = "application/geo+json";
    area_writer w = {ctx, &resp->body, VK_OK};
    vk_buf_puts(&resp->body, "{\"type\":\"FeatureCollection\",\"features\":[");
    e = store_area_each(ctx->store, STORE_AREA_DISTRICT, write_district, &w, &ctx->err);
    if (!e && w.err)
        e = vk_fail(&ctx->err, w.err, "", "a district geometry could not be written");
    vk_buf_puts(&resp->body, "]}");
    return e;
}

/* ---- PATCH /api/v1/staff/units/{code}: the unit's e-mail address ---- */

typedef struct unit_email_job {
    vk_json_write w; /* first */
    char code[48];
    int has_email;
    const char *email;    /* borrowed from w.doc; NULL clears */
    const char *language; /* fi, sv, en; NULL keeps */
    int digest;           /* 0, 1; -1 keeps */
} unit_email_job;

static vk_err unit_email_run(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                             vk_errinfo *ei)
{
    (void)now;
    unit_email_job *j = (unit_email_job *)wj;
    int found = 0;
    vk_err e = store_unit_set_email(ctx->store, j->code, j->has_email, j->email, j->language,
                                    j->digest, &found, ei);
    if (e)
        return e;
    if (!found)
        return vk_fail(ei, VK_ENOT_FOUND, "code", "there is no unit with this code");
    return store_unit_mail_json(ctx->store, j->code, body, ei);
}

vk_err api_staff_units(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    vk_resp_header(resp, "Cache-Control", "no-store");
    return store_units_mail_json(ctx->store, &resp->body, &ctx->err);
}

vk_err api_staff_unit_patch(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"email", "language", "digest", NULL};
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    const char *code = req->nargs ? req->args[0] : "";
    if (strlen(code) >= sizeof ((unit_email_job *)0)->code)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "code", "there is no unit with this code");
    unit_email_job *j = vk_json_write_new(ctx, sizeof *j, unit_email_run, "application/json");
    if (!j)
        return VK_ENOMEM;
    snprintf(j->code, sizeof j->code, "%s", code);
    if ((e = api_json_parse(req->body, req->body_len, &j->w.doc, &ctx->err)) ||
        (e = !json_is_object(j->w.doc)
                 ? vk_fail(&ctx->err, VK_ETYPE, "",
                           "send a JSON object {\"email\": address or null, \"language\"}")
                 : VK_OK) ||
        (e = api_json_keys(j->w.doc, keys, &ctx->err)))
        goto fail;
    const json_t *v = json_object_get(j->w.doc, "email");
    const json_t *l = json_object_get(j->w.doc, "language");
    const json_t *dg = json_object_get(j->w.doc, "digest");
    if (!v && !l && !dg) {
        e = vk_fail(&ctx->err, VK_EMISSING, "email",
                    "give email (an address, or null for none), language (fi, sv, en), digest "
                    "(true: one message a day) or more");
        goto fail;
    }
    j->digest = -1;
    if (dg) {
        if (!json_is_boolean(dg)) {
            e = vk_fail(&ctx->err, VK_ETYPE, "digest",
                        "digest is true (one message a day listing the new items) or false (one per item)");
            goto fail;
        }
        j->digest = json_is_true(dg);
    }
    if (v && !json_is_null(v)) {
        if (!json_is_string(v) || !mail_address_safe(json_string_value(v))) {
            e = vk_fail(&ctx->err, VK_EVALUE, "email",
                        "email must be an e-mail address such as kadut@kunta.fi, or null");
            goto fail;
        }
        j->email = json_string_value(v);
    }
    j->has_email = v != NULL;
    if (l) {
        const char *s = json_string_value(l);
        if (!s || (strcmp(s, "fi") && strcmp(s, "sv") && strcmp(s, "en"))) {
            e = vk_fail(&ctx->err, VK_EVALUE, "language",
                        "language is the language of the unit's mail: fi, sv or en");
            goto fail;
        }
        j->language = s;
    }
    vk_json_write_defer(ctx, &j->w, resp);
    return VK_OK;
fail:
    vk_json_write_free(j);
    return e;
}
