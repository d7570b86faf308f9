/*
 * api.c — GET /api/v1/geocode and GET /api/v1/reverse (see api.h).
 *
 * Both answer {"results": [...]}: geocode the best matches first, reverse
 * the one nearest address within 100 m or none (an empty list, 200: "no
 * address near here" is an answer, not an error, and a map asks it for
 * every pin).
 */
#include "places/api.h"

#include <string.h>

#include "core/json.h"
#include "http/params.h"
#include "places/gazetteer.h"

static const char *const geocode_params[] = {"q", "limit", "lang", NULL};
static const char *const reverse_params[] = {"lon", "lat", "lang", NULL};

static vk_err read_lang(vk_ctx *ctx, const vk_req *req, const char **lang)
{
    *lang = vk_req_param(req, "lang");
    if (!*lang)
        *lang = "fi";
    else if (strcmp(*lang, "fi") && strcmp(*lang, "sv") && strcmp(*lang, "en"))
        return vk_fail(&ctx->err, VK_EPARAM, "lang", "lang must be fi, sv or en");
    return VK_OK;
}

/* One result; distance_m (the reverse lookup's) when with_distance. */
static void write_place(vk_buf *b, const gaz_place *p, const char *lang, int with_distance)
{
    char label[600];
    gaz_place_label(p, lang, label, sizeof label);
    int li = strcmp(lang, "sv") == 0;
    vk_json_open(b);
    vk_json_member_str(b, "kind", gaz_kind_name(p->kind));
    vk_json_member_str(b, "label", label);
    vk_json_member_str(b, "name", p->name[li] && *p->name[li] ? p->name[li] : p->name[0]);
    vk_json_member_str(b, "name_fi", p->name[0]);
    vk_json_member_str(b, "name_sv", p->name[1]);
    vk_json_member_str(b, "number", p->number);
    vk_json_member_str(b, "postcode", p->postcode);
    vk_json_member_str(b, "municipality",
                       p->municipality[li] && *p->municipality[li] ? p->municipality[li]
                                                                   : p->municipality[0]);
    vk_json_key(b, "lon");
    vk_json_coord(b, p->lon, 7);
    vk_json_key(b, "lat");
    vk_json_coord(b, p->lat, 7);
    vk_json_key(b, "district");
    if (p->district_code) {
        vk_buf_putc(b, '{');
        vk_json_member_str(b, "code", p->district_code);
        vk_json_member_str(b, "name", gaz_place_district_name(p, lang));
        vk_buf_putc(b, '}');
    } else {
        vk_buf_puts(b, "null");
    }
    if (with_distance) {
        vk_json_key(b, "distance_m");
        vk_json_int(b, (int64_t)(p->score + 0.5));
    }
    vk_buf_putc(b, '}');
}

vk_err api_geocode(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const char *lang;
    long long limit = 10;
    vk_err e = vk_req_only_params(req, geocode_params, &ctx->err);
    if (!e)
        e = read_lang(ctx, req, &lang);
    if (!e && vk_req_param(req, "limit"))
        e = vk_param_int(req, "limit", 1, GAZ_MAX_RESULTS, VK_PARAM_CLAMP, &limit, &ctx->err);
    if (e)
        return e;
    const char *q = vk_req_param(req, "q");
    if (!q || !*q)
        return vk_fail(&ctx->err, VK_EPARAM, "q",
                       "q is required: a street, an address (\"Koskenparras 3\") or a place");
    size_t len = strlen(q);
    if (len > GAZ_QUERY_MAX)
        return vk_fail(&ctx->err, VK_EPARAM, "q", "q must be at most %d bytes", GAZ_QUERY_MAX);
    if (!vk_utf8_valid(q, len, NULL))
        return vk_fail(&ctx->err, VK_EPARAM, "q", "q must be UTF-8 text");
    gaz_place found[GAZ_MAX_RESULTS];
    int n = 0;
    if ((e = gaz_search(ctx->store, q, (int)limit, found, &n, &ctx->err)))
        return e;
    resp->content_type = "application/json";
    vk_buf_puts(&resp->body, "{\"results\":[");
    for (int i = 0; i < n; i++) {
        write_place(&resp->body, &found[i], lang, 0);
        gaz_place_fini(&found[i]);
    }
    vk_buf_puts(&resp->body, "]}");
    return VK_OK;
}

vk_err api_reverse(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const char *lang;
    double lon = 0, lat = 0;
    vk_err e = vk_req_only_params(req, reverse_params, &ctx->err);
    if (!e)
        e = read_lang(ctx, req, &lang);
    if (!e && !vk_req_param(req, "lon"))
        e = vk_fail(&ctx->err, VK_EPARAM, "lon", "lon is required (WGS 84 longitude)");
    if (!e && !vk_req_param(req, "lat"))
        e = vk_fail(&ctx->err, VK_EPARAM, "lat", "lat is required (WGS 84 latitude)");
    if (!e)
        e = vk_param_number(req, "lon", -180, 180, VK_PARAM_BETWEEN, &lon, &ctx->err);
    if (!e)
        e = vk_param_number(req, "lat", -90, 90, VK_PARAM_BETWEEN, &lat, &ctx->err);
    if (e)
        return e;
    gaz_place p;
    int found = 0;
    if ((e = gaz_reverse(ctx->store, lon, lat, GAZ_REVERSE_RADIUS_M, &p, &found, &ctx->err)))
        return e;
    resp->content_type = "application/json";
    vk_buf_puts(&resp->body, "{\"results\":[");
    if (found) {
        write_place(&resp->body, &p, lang, 1);
        gaz_place_fini(&p);
    }
    vk_buf_puts(&resp->body, "]}");
    return VK_OK;
}
