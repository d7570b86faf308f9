/* results_api.c — the staff results routes (results.h,
 * docs/survey-results.md). */
#include "survey/results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/roles.h"
#include "http/params.h"
#include "survey/cache.h"
#include "survey/store.h"

/* Slugs have the schema's form; anything else is looked up nowhere. */
static int slug_shaped(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= SURVEY_SLUG_MAX &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

vk_err results_request_read(vk_ctx *ctx, const vk_req *req, const char *const *allowed,
                            results_request *out)
{
    vk_errinfo *ei = &ctx->err;
    memset(out, 0, sizeof *out);
    results_opts_init(&out->opts);
    vk_err e = vk_req_only_params(req, allowed, ei);
    if (e)
        return e;
    if (!req->staff || req->staff->role == VK_ROLE_MODERATOR)
        return vk_fail(ei, VK_EFORBIDDEN, "",
                       "survey results are for planners, the council and admins");
    out->slug = req->nargs ? req->args[0] : "";
    if (!slug_shaped(out->slug))
        return vk_fail(ei, VK_ENOT_FOUND, "slug", "there is no such survey");
    char state[12];
    int64_t version = 0;
    int found = 0;
    if ((e = survey_store_head(ctx->store, out->slug, &out->survey_id, state, &version, &found,
                               ei)))
        return e;
    if (!found || version < 1)
        return vk_fail(ei, VK_ENOT_FOUND, "slug", "there is no published survey '%s'",
                       out->slug);
    const survey_cached *sc = NULL;
    if ((e = survey_cache_get(ctx->store, ctx->gis, out->survey_id, version, &sc, ei)))
        return e;
    if (!sc)
        return vk_fail(ei, VK_EINTERNAL, "", "the survey's version is missing");
    out->def = sc->def;
    long long texts = out->opts.texts;
    double size = out->opts.hex_size;
    if ((e = vk_param_int(req, "texts", 0, RESULTS_TEXTS_MAX, VK_PARAM_FROM_TO, &texts, ei)) ||
        (e = vk_param_number(req, "size", 0, RESULTS_HEX_MAX, VK_PARAM_FROM_TO, &size, ei)))
        return e;
    if (size != 0 && size < RESULTS_HEX_MIN)
        return vk_fail(ei, VK_EPARAM, "size", "size must be 0 or from %g to %g metres",
                       RESULTS_HEX_MIN, RESULTS_HEX_MAX);
    out->opts.texts = (int)texts;
    out->opts.hex_size = size;
    out->opts.question = vk_req_param(req, "question");
    if (out->opts.question && !*out->opts.question)
        return vk_fail(ei, VK_EPARAM, "question", "question is empty");
    if ((e = results_filter_parse(ctx, out->def, vk_req_param(req, "filter"),
                                  vk_req_param(req, "district"), vk_req_param(req, "from"),
                                  vk_req_param(req, "to"), req->arena, &out->filter, ei)))
        return e;
    return results_stamp(ctx, out->survey_id, out->stamp, ei);
}

int results_not_modified(const vk_req *req, vk_resp *resp, const char *stamp)
{
    char etag[80];
    snprintf(etag, sizeof etag, "\"%s\"", stamp);
    char *tag = vk_arena_strdup(req->arena, etag);
    if (tag)
        vk_resp_header(resp, "ETag", tag);
    vk_resp_header(resp, "Cache-Control", "private, no-cache");
    if (!vk_req_etag_listed(req, etag))
        return 0;
    resp->status = 304;
    vk_buf_reset(&resp->body);
    return 1;
}

static vk_err send_json(vk_ctx *ctx, vk_resp *resp, json_t *doc, const char *type)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(doc);
    if (!text)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    vk_buf_puts(&resp->body, text);
    free(text);
    if (!vk_buf_ok(&resp->body))
        return vk_fail(&ctx->err, VK_ENOMEM, "", "the results are too large");
    resp->content_type = type;
    return VK_OK;
}

static const char *const json_params[] = {"filter", "district", "from", "to", "question",
                                          "size", "texts", NULL};

vk_err api_survey_results(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    results_request r;
    vk_err e = results_request_read(ctx, req, json_params, &r);
    if (e)
        return e;
    if (results_not_modified(req, resp, r.stamp))
        return VK_OK;
    json_t *doc = NULL;
    if ((e = survey_results_compute(ctx, r.survey_id, r.def, &r.filter, &r.opts, &doc,
                                    &ctx->err)))
        return e;
    return send_json(ctx, resp, doc, "application/json");
}

static const char *const hex_params[] = {"filter", "district", "from", "to", "question", "size",
                                         NULL};

vk_err api_survey_results_hex(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    results_request r;
    vk_err e = results_request_read(ctx, req, hex_params, &r);
    if (e)
        return e;
    if (!r.opts.question)
        return vk_fail(&ctx->err, VK_EMISSING, "question", "question names the map question");
    if (results_not_modified(req, resp, r.stamp))
        return VK_OK;
    json_t *doc = NULL;
    if ((e = survey_results_hex(ctx, r.survey_id, r.def, &r.filter, r.opts.question,
                                r.opts.hex_size, &doc, &ctx->err)))
        return e;
    return send_json(ctx, resp, doc, "application/geo+json");
}
