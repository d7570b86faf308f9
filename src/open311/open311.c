/*
 * open311.c — Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) at
 * /open311/v2, with the Helsinki feedback API's extensions (extensions,
 * locale, updated_after/updated_before, lat/long/radius).
 *
 * A service is a category (service_code = category id); a service request
 * is a feedback item. Creating one builds the same GeoJSON Feature a
 * client would POST to /api/v1/feedback and sends it through
 * api_feedback_submit(): one validation path, one writer, Idempotency-Key
 * included. Lists go through the one query builder (api_items, CQL2).
 *
 * Output is JSON or XML from one small writer (struct ow below), chosen by
 * the path's suffix (.json/.xml; none means JSON). Errors use Open311's
 * own shape, an array of {code, description}, not {"error":{…}}: every
 * handler catches its error and writes that body itself. Only the public
 * columns of the feedback collection are read: contact details cannot
 * reach any answer from here.
 */
#include "core/json.h"
#include "open311/open311.h"
#include "feedback/feedback.h"
#include "questions/questions.h"
#include "reference/store_reference.h"
#include "places/gazetteer.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/auth.h"
#include "features/items.h"
#include "db/writer.h"
#include "core/clock.h"
#include "http/params.h"
#include "http/form.h"
#include "auth/staff.h"

#define OPEN311_MAX_REQUESTS 1000 /* the spec's default cap */
#define OPEN311_DEFAULT_DAYS 90   /* the spec's default window */
#define OPEN311_MAX_RADIUS 50000.0
#define OPEN311_PREFIX "/open311/v2"
#define CHANGESET "2026-11-23T00:00:00Z"

typedef enum { FMT_JSON, FMT_XML } fmt;

/* ---- one writer for JSON and XML ----
 * Objects and arrays nest; in XML an array is an element whose children
 * are named by the array's item name, and null is an empty element. */
#define OW_DEPTH 8

typedef struct ow {
    vk_buf *b;
    fmt f;
    int depth;
    int first[OW_DEPTH];
    const char *name[OW_DEPTH]; /* XML element to close */
    const char *item[OW_DEPTH]; /* XML name of array members */
} ow;

static void xml_text(vk_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': vk_buf_puts(b, "&amp;"); break;
        case '<': vk_buf_puts(b, "&lt;"); break;
        case '>': vk_buf_puts(b, "&gt;"); break;
        case '"': vk_buf_puts(b, "&quot;"); break;
        case '\'': vk_buf_puts(b, "&apos;"); break;
        default:
            /* XML 1.0 forbids other control characters, even escaped. */
            if (*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r')
                vk_buf_putc(b, (char)*p);
        }
    }
}

/* A writer into resp's body, which gets f's Content-Type. */
static void ow_init(ow *w, vk_resp *resp, fmt f)
{
    vk_buf *b = &resp->body;
    resp->content_type =
        f == FMT_XML ? "text/xml; charset=utf-8" : "application/json; charset=utf-8";
    memset(w, 0, sizeof *w);
    w->b = b;
    w->f = f;
    w->first[0] = 1;
    if (f == FMT_XML)
        vk_buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
}

/* The element name of the next value: its key, or the array's item name. */
static const char *ow_key(ow *w, const char *key)
{
    if (w->f == FMT_JSON) {
        if (!w->first[w->depth])
            vk_buf_putc(w->b, ',');
        w->first[w->depth] = 0;
        if (key)
            vk_buf_printf(w->b, "\"%s\":", key);
        return key;
    }
    return key ? key : w->item[w->depth];
}

static void ow_open(ow *w, const char *key, int array, const char *xml_item)
{
    const char *name = ow_key(w, key);
    if (w->depth + 1 >= OW_DEPTH)
        return; /* not reached: our documents are shallow */
    w->depth++;
    w->first[w->depth] = 1;
    w->name[w->depth] = name;
    w->item[w->depth] = xml_item;
    if (w->f == FMT_JSON)
        vk_buf_putc(w->b, array ? '[' : '{');
    else
        vk_buf_printf(w->b, "<%s>", name);
}

static void ow_close(ow *w, int array)
{
    if (w->f == FMT_JSON)
        vk_buf_putc(w->b, array ? ']' : '}');
    else
        vk_buf_printf(w->b, "</%s>", w->name[w->depth]);
    w->depth--;
}

#define ow_array(w, key, xml_name, xml_item) ow_open(w, key ? key : xml_name, 1, xml_item)
#define ow_object(w, key) ow_open(w, key, 0, NULL)

static void ow_str(ow *w, const char *key, const char *v)
{
    const char *name = ow_key(w, key);
    if (w->f == FMT_JSON) {
        vk_json_str_or_null(w->b, v);
    } else if (!v) {
        vk_buf_printf(w->b, "<%s/>", name);
    } else {
        vk_buf_printf(w->b, "<%s>", name);
        xml_text(w->b, v);
        vk_buf_printf(w->b, "</%s>", name);
    }
}

/* A number or boolean, already formatted as literal JSON text. */
static void ow_lit(ow *w, const char *key, const char *v)
{
    const char *name = ow_key(w, key);
    if (w->f == FMT_JSON)
        vk_buf_puts(w->b, v);
    else
        vk_buf_printf(w->b, "<%s>%s</%s>", name, v, name);
}

static void ow_coord(ow *w, const char *key, double v)
{
    vk_buf tmp;
    vk_buf_init(&tmp, 64);
    vk_json_coord(&tmp, v, GIS_DECIMALS);
    ow_lit(w, key, tmp.data ? tmp.data : "0");
    vk_buf_fini(&tmp);
}

/* In JSON the top-level array of a list; XML needs the named root. */
/* The document is one object, <xml_root> in XML. */
static void ow_root_object(ow *w, const char *xml_root)
{
    if (w->f == FMT_XML)
        w->item[0] = xml_root;
    ow_object(w, NULL);
}

static void ow_root_array(ow *w, const char *xml_root, const char *xml_item)
{
    w->first[0] = 1;
    if (w->f == FMT_JSON) {
        w->depth++;
        w->first[w->depth] = 1;
        vk_buf_putc(w->b, '[');
    } else {
        w->item[0] = xml_root;
        ow_open(w, NULL, 1, xml_item);
    }
}

/* ---- errors ---- */

/* Open311 names statuses 400, 403 and 404; everything a client got wrong
 * is 400 here, server trouble keeps its 5xx. */
static int open311_status(vk_err e)
{
    int s = vk_err_status(e);
    if (s == 404 || s >= 500 || s == 429)
        return s;
    if (s == 401 || s == 403)
        return 403;
    return 400;
}

static void write_error(vk_resp *resp, fmt f, int status, const char *description)
{
    vk_buf_reset(&resp->body);
    resp->status = status;
    ow w;
    ow_init(&w, resp, f);
    ow_root_array(&w, "errors", "error");
    ow_object(&w, NULL);
    char code[16];
    snprintf(code, sizeof code, "%d", status);
    ow_lit(&w, "code", code);
    ow_str(&w, "description", description);
    ow_close(&w, 0);
    ow_close(&w, 1);
}

/* properties.attributes.CODE → attribute[CODE], every occurrence. */
static void rename_attributes(char *msg, size_t cap)
{
    static const char from[] = "properties.attributes.";
    char *p;
    while ((p = strstr(msg, from)) != NULL) {
        char *code = p + sizeof from - 1;
        size_t len = strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_");
        if (strlen(msg) + 1 >= cap)
            return;
        /* "properties.attributes." is 22 bytes, "attribute[" + "]" 11. */
        memmove(p + 10, code, len);
        memcpy(p, "attribute[", 10);
        p[10 + len] = ']';
        memmove(p + 11 + len, code + len, strlen(code + len) + 1);
    }
}

/* Our field names in messages become the Open311 parameter names. */
static void rename_fields(char *msg, size_t cap)
{
    rename_attributes(msg, cap);
    static const char *const map[][2] = {
        {"properties.contact.email", "email"}, {"properties.contact.phone", "phone"},
        {"properties.contact.name", "first_name/last_name"}, {"properties.category", "service_code"},
        {"properties.description", "description"}, {"properties.place", "address_string"},
        {"geometry", "lat/long"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        char *p = strstr(msg, map[i][0]);
        if (!p)
            continue;
        size_t from = strlen(map[i][0]), to = strlen(map[i][1]), rest = strlen(p + from);
        if (to > from && strlen(msg) + (to - from) >= cap)
            continue;
        memmove(p + to, p + from, rest + 1);
        memcpy(p, map[i][1], to);
    }
}

/* Turn a handler's error into the Open311 error body; returns VK_OK so the
 * server sends it as it is. */
static vk_err fail_open311(vk_ctx *ctx, vk_resp *resp, fmt f, vk_err e)
{
    if (ctx->err.code == VK_OK)
        vk_fail(&ctx->err, e, "", NULL);
    rename_fields(ctx->err.message, sizeof ctx->err.message);
    write_error(resp, f, open311_status(ctx->err.code), ctx->err.message);
    return VK_OK;
}

/* The format from the route's last capture when it has `want` of them;
 * the suffix-less routes have one fewer and answer JSON. */
static int parse_format(const vk_req *req, int want, fmt *f)
{
    *f = FMT_JSON;
    if (req->nargs < want)
        return 1;
    const char *s = req->args[want - 1];
    if (strcmp(s, "json") == 0)
        return 1;
    if (strcmp(s, "xml") == 0) {
        *f = FMT_XML;
        return 1;
    }
    return 0;
}

#define BEGIN(want)                                                                      \
    fmt f;                                                                               \
    if (!parse_format(req, want, &f)) {                                                  \
        write_error(resp, FMT_JSON, 404, "the format must be json or xml (.json, .xml)"); \
        return VK_OK;                                                                    \
    }

static const char *const langs[] = {"fi", "sv", "en", NULL};

/* locale=fi|sv|en → 0..2 (default fi). */
static vk_err parse_locale(vk_ctx *ctx, const vk_req *req, int *lang)
{
    const char *s = vk_req_param(req, "locale");
    *lang = 0;
    if (!s)
        return VK_OK;
    for (int i = 0; langs[i]; i++)
        if (strcmp(s, langs[i]) == 0) {
            *lang = i;
            return VK_OK;
        }
    return vk_fail(&ctx->err, VK_EPARAM, "locale", "locale must be fi, sv or en");
}

static vk_err parse_bool(vk_ctx *ctx, const vk_req *req, const char *name, int *out)
{
    *out = 0;
    return vk_param_bool(req, name, out, &ctx->err);
}

/* ---- discovery ---- */

vk_err open311_discovery(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const known[] = {"jurisdiction_id", NULL};
    BEGIN(1);
    vk_err e = vk_req_only_params(req, known, &ctx->err);
    if (e)
        return fail_open311(ctx, resp, f, e);
    ow w;
    ow_init(&w, resp, f);
    ow_root_object(&w, "discovery");
    ow_str(&w, "changeset", CHANGESET);
    ow_str(&w, "contact", "Vaikuta feedback service; see " OPEN311_PREFIX
                          "/services.json for what can be reported");
    ow_str(&w, "key_service",
           ctx->cfg->open311_require_key
               ? "POST requests need api_key: an API token that the city gives to integrations."
               : "No API key is needed.");
    ow_array(&w, "endpoints", "endpoints", "endpoint");
    ow_object(&w, NULL);
    ow_str(&w, "specification", "http://wiki.open311.org/GeoReport_v2");
    char *url = vk_arena_alloc(req->arena, 400);
    if (url)
        snprintf(url, 400, "%s%s", api_base_url(req), OPEN311_PREFIX);
    ow_str(&w, "url", url);
    ow_str(&w, "changeset", CHANGESET);
    ow_str(&w, "type", "production");
    ow_array(&w, "formats", "formats", "format");
    ow_str(&w, NULL, "text/xml");
    ow_str(&w, NULL, "application/json");
    ow_close(&w, 1);
    ow_close(&w, 0);
    ow_close(&w, 1);
    ow_close(&w, 0);
    return VK_OK;
}

/* ---- services ---- */

typedef struct {
    ow *w;
    int lang;
    const json_t *attributes; /* {category: [definitions]} */
} service_writer;

static const char *in_lang(const char *const names[3], int lang)
{
    return names[lang] && names[lang][0] ? names[lang] : names[0];
}

static int write_service(void *arg, const store_category *c)
{
    service_writer *sw = arg;
    ow *w = sw->w;
    ow_object(w, NULL);
    ow_str(w, "service_code", c->id);
    ow_str(w, "service_name", in_lang(c->name, sw->lang));
    ow_str(w, "description", in_lang(c->description, sw->lang));
    /* metadata: the service definition lists questions of its own. */
    ow_lit(w, "metadata", json_object_get(sw->attributes, c->id) ? "true" : "false");
    ow_str(w, "type", "realtime");
    /* Keywords: the names in every language, so any of them finds it. */
    char kw[600];
    snprintf(kw, sizeof kw, "%s, %s, %s", c->name[0] ? c->name[0] : "",
             c->name[1] ? c->name[1] : "", c->name[2] ? c->name[2] : "");
    ow_str(w, "keywords", kw);
    ow_str(w, "group", "feedback");
    ow_close(w, 0);
    return 0;
}

vk_err open311_services(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const known[] = {"jurisdiction_id", "locale", NULL};
    BEGIN(1);
    int lang = 0;
    vk_err e;
    if ((e = vk_req_only_params(req, known, &ctx->err)) || (e = parse_locale(ctx, req, &lang)))
        return fail_open311(ctx, resp, f, e);
    json_t *attributes = NULL;
    if ((e = api_attribute_defs(ctx, NULL, &attributes, &ctx->err)))
        return fail_open311(ctx, resp, f, e);
    ow w;
    ow_init(&w, resp, f);
    ow_root_array(&w, "services", "service");
    service_writer sw = {&w, lang, attributes};
    e = store_category_each(ctx->store, write_service, &sw, &ctx->err);
    json_decref(attributes);
    if (e)
        return fail_open311(ctx, resp, f, e);
    ow_close(&w, 1);
    return VK_OK;
}

/* What a client should send for each datatype, in fi, sv, en. */
static const char *datatype_hint(const char *type, int lang)
{
    static const char *const hints[][4] = {
        {"string", "Lyhyt teksti", "Kort text", "Short text"},
        {"number", "Numero", "Nummer", "A number"},
        {"datetime", "Päivä ja aika (ISO 8601)", "Datum och tid (ISO 8601)",
         "Date and time (ISO 8601)"},
        {"text", "Vapaa teksti", "Fritext", "Free text"},
        {"singlevaluelist", "Valitse yksi", "Välj ett", "Choose one"},
        {"multivaluelist", "Valitse yksi tai useampi", "Välj ett eller flera",
         "Choose one or more"},
    };
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if (strcmp(hints[i][0], type) == 0)
            return hints[i][1 + lang];
    return NULL;
}

static const char *name_in(const json_t *names, int lang)
{
    const char *s = json_string_value(json_object_get(names, langs[lang]));
    return s && *s ? s : json_string_value(json_object_get(names, "fi"));
}

static void write_definition(ow *w, const json_t *def, int lang)
{
    const char *type = json_string_value(json_object_get(def, "datatype"));
    char order[24];
    snprintf(order, sizeof order, "%lld", (long long)json_integer_value(json_object_get(def, "order")));
    ow_object(w, NULL);
    ow_lit(w, "variable", "true");
    ow_str(w, "code", json_string_value(json_object_get(def, "code")));
    ow_str(w, "datatype", type);
    ow_lit(w, "required", json_is_true(json_object_get(def, "required")) ? "true" : "false");
    ow_str(w, "datatype_description", datatype_hint(type, lang));
    ow_lit(w, "order", order);
    ow_str(w, "description", name_in(json_object_get(def, "description"), lang));
    ow_array(w, "values", "values", "value");
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(def, "values"), i, v)
    {
        ow_object(w, NULL);
        ow_str(w, "key", json_string_value(json_object_get(v, "key")));
        ow_str(w, "name", name_in(json_object_get(v, "name"), lang));
        ow_close(w, 0);
    }
    ow_close(w, 1);
    ow_close(w, 0);
}

vk_err open311_service(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const known[] = {"jurisdiction_id", "locale", NULL};
    BEGIN(2);
    const char *code = req->args[0];
    int exists = 0, lang = 0;
    json_t *all = NULL;
    vk_err e;
    if ((e = vk_req_only_params(req, known, &ctx->err)) ||
        (e = parse_locale(ctx, req, &lang)) ||
        (e = store_category_exists(ctx->store, code, &exists, &ctx->err)))
        return fail_open311(ctx, resp, f, e);
    if (!exists)
        return fail_open311(ctx, resp, f,
                            vk_fail(&ctx->err, VK_ENOT_FOUND, "service_code",
                                    "there is no service with this service_code"));
    if ((e = api_attribute_defs(ctx, code, &all, &ctx->err)))
        return fail_open311(ctx, resp, f, e);
    ow w;
    ow_init(&w, resp, f);
    ow_root_object(&w, "service_definition");
    ow_str(&w, "service_code", code);
    ow_array(&w, "attributes", "attributes", "attribute");
    size_t i;
    const json_t *def;
    json_array_foreach(json_object_get(all, code), i, def)
    write_definition(&w, def, lang);
    ow_close(&w, 1);
    ow_close(&w, 0);
    json_decref(all);
    return VK_OK;
}

/* ---- requests: output ---- */

typedef struct {
    const char *id;
    const char *name[3];
} cat_name;

typedef struct {
    cat_name *v;
    int n, cap;
    vk_arena *a;
} cat_names;

static int collect_category(void *arg, const store_category *c)
{
    cat_names *cn = arg;
    if (cn->n == cn->cap) {
        int cap = cn->cap ? cn->cap * 2 : 32;
        cat_name *v = vk_arena_alloc(cn->a, sizeof *v * (size_t)cap);
        if (!v)
            return 1;
        if (cn->n)
            memcpy(v, cn->v, sizeof *v * (size_t)cn->n);
        cn->v = v;
        cn->cap = cap;
    }
    cat_name *x = &cn->v[cn->n++];
    x->id = vk_arena_strndup(cn->a, c->id, strlen(c->id));
    for (int i = 0; i < 3; i++)
        x->name[i] = c->name[i] ? vk_arena_strndup(cn->a, c->name[i], strlen(c->name[i])) : NULL;
    return 0;
}

/* Units keep the same shape: code and names. */
static int collect_unit(void *arg, const store_unit *u)
{
    store_category c = {u->code, {u->name[0], u->name[1], u->name[2]}, {NULL}, NULL};
    return collect_category(arg, &c);
}

typedef struct {
    vk_ctx *ctx;
    ow *w;
    const store_collection *col;
    int lang, extensions;
    cat_names cats, units;
    int c_category, c_description, c_place, c_status, c_reason, c_answer, c_created, c_updated;
    int c_answer_sv, c_answer_en; /* the answer's other languages (schema 0023) */
    int c_forwarded, c_unit, c_attributes, c_precision;
    int n;
    vk_err err;
} request_writer;

static int column(const store_collection *col, const char *name)
{
    for (int i = 0; i < col->ncolumns; i++)
        if (strcmp(col->columns[i].name, name) == 0)
            return i;
    return -1;
}

static const char *text_of(const store_item *item, int i)
{
    return i >= 0 && item->values[i].type == STORE_TEXT ? item->values[i].text : NULL;
}

static void write_answer(ow *w, const char *code, const json_t *v)
{
    char *text = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
    ow_object(w, NULL);
    ow_str(w, "code", code);
    ow_str(w, "value", text ? text : json_string_value(v));
    ow_close(w, 0);
    free(text);
}

/* The answers to the service's attributes as {code, value} pairs, one per
 * value of a multivaluelist (as attribute[code][] sends them). */
static void write_answers(ow *w, const char *stored)
{
    json_t *answers = stored ? json_loads(stored, 0, NULL) : NULL;
    const char *code;
    const json_t *v;
    ow_array(w, "attributes", "attributes", "attribute");
    json_object_foreach(answers, code, v)
    {
        size_t i;
        const json_t *one;
        if (!json_is_array(v))
            write_answer(w, code, v);
        json_array_foreach(v, i, one) write_answer(w, code, one);
    }
    ow_close(w, 1);
    json_decref(answers);
}

static int write_request(void *arg, const store_item *item)
{
    request_writer *rw = arg;
    ow *w = rw->w;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)item->id);
    const char *category = text_of(item, rw->c_category);
    const char *status = text_of(item, rw->c_status);
    const char *service_name = NULL;
    for (int i = 0; category && i < rw->cats.n; i++)
        if (strcmp(rw->cats.v[i].id, category) == 0)
            service_name = in_lang(rw->cats.v[i].name, rw->lang);
    double lon = 0, lat = 0;
    vk_err e = gis_wkb_point_on_surface(rw->ctx->gis, item->wkb, item->wkb_len, &lon, &lat);
    if (e) {
        rw->err = e;
        return 1;
    }
    ow_object(w, NULL);
    ow_str(w, "service_request_id", id);
    ow_str(w, "status", api_feedback_status_open(status) ? "open" : "closed");
    /* The answer in the locale's language, else as written. */
    const char *notes = rw->lang == 1   ? text_of(item, rw->c_answer_sv)
                        : rw->lang == 2 ? text_of(item, rw->c_answer_en)
                                        : NULL;
    ow_str(w, "status_notes", notes ? notes : text_of(item, rw->c_answer));
    ow_str(w, "service_name", service_name);
    ow_str(w, "service_code", category);
    ow_str(w, "description", text_of(item, rw->c_description));
    const char *unit = text_of(item, rw->c_unit), *agency = NULL;
    for (int i = 0; unit && i < rw->units.n; i++)
        if (strcmp(rw->units.v[i].id, unit) == 0)
            agency = in_lang(rw->units.v[i].name, rw->lang);
    ow_str(w, "agency_responsible", agency);
    ow_str(w, "service_notice", NULL);
    ow_str(w, "requested_datetime", text_of(item, rw->c_created));
    ow_str(w, "updated_datetime", text_of(item, rw->c_updated));
    ow_str(w, "expected_datetime", NULL);
    ow_str(w, "address", text_of(item, rw->c_place));
    ow_str(w, "address_id", NULL);
    ow_str(w, "zipcode", NULL);
    ow_coord(w, "lat", lat);
    ow_coord(w, "long", lon);
    /* Not in GeoReport v2: how much the lat/long mean (exact, address, or
     * only the district: then they are the district's label point). */
    ow_str(w, "location_precision", text_of(item, rw->c_precision));
    ow_str(w, "media_url", NULL);
    if (rw->extensions) {
        /* Helsinki's extensions=true: the detailed handling state. */
        ow_object(w, "extended_attributes");
        ow_str(w, "detailed_status", status);
        ow_str(w, "resolution_reason", text_of(item, rw->c_reason));
        ow_str(w, "forwarded_to", text_of(item, rw->c_forwarded));
        ow_array(w, "media_urls", "media_urls", "media_url");
        ow_close(w, 1);
        write_answers(w, text_of(item, rw->c_attributes));
        ow_close(w, 0);
    }
    ow_close(w, 0);
    rw->n++;
    return vk_buf_ok(w->b) ? 0 : 1;
}

/* Run the query and write the service_requests list. */
static vk_err write_requests(vk_ctx *ctx, const vk_req *req, api_items *it, fmt f, int lang,
                             int extensions, vk_resp *resp, int *n)
{
    request_writer rw = {0};
    rw.ctx = ctx;
    rw.col = it->col;
    rw.lang = lang;
    rw.extensions = extensions;
    rw.cats.a = req->arena;
    rw.units.a = req->arena;
    rw.c_category = column(it->col, "category");
    rw.c_description = column(it->col, "description");
    rw.c_place = column(it->col, "place");
    rw.c_status = column(it->col, "status");
    rw.c_reason = column(it->col, "resolution_reason");
    rw.c_forwarded = column(it->col, "forwarded_to");
    rw.c_unit = column(it->col, "unit");
    rw.c_answer = column(it->col, "answer");
    rw.c_answer_sv = column(it->col, "answer_sv");
    rw.c_answer_en = column(it->col, "answer_en");
    rw.c_created = column(it->col, "created");
    rw.c_updated = column(it->col, "updated");
    rw.c_attributes = column(it->col, "attributes");
    rw.c_precision = column(it->col, "location_precision");
    vk_err e = store_category_each(ctx->store, collect_category, &rw.cats, &ctx->err);
    if (!e)
        e = store_unit_each(ctx->store, collect_unit, &rw.units, &ctx->err);
    if (e)
        return e;
    ow w;
    ow_init(&w, resp, f);
    rw.w = &w;
    ow_root_array(&w, "service_requests", "request");
    e = store_items_each(ctx->store, it->col, &it->q, write_request, &rw, &ctx->err);
    if (!e && rw.err)
        e = vk_fail(&ctx->err, rw.err, "", "a request's location could not be computed");
    if (!e && !vk_buf_ok(&resp->body))
        e = vk_fail(&ctx->err, VK_EPARAM, "", "the answer is too large; narrow the request");
    ow_close(&w, 1);
    *n = rw.n;
    return e;
}

/* ---- requests: filters ---- */

/* An Open311 date-time (W3C/ISO 8601) or a date, normalised to UTC; a
 * date is the day's start also for end_date. */
static vk_err parse_time(vk_ctx *ctx, const vk_req *req, const char *name, char *out)
{
    return vk_param_time(req, name, 0, "an ISO 8601 date-time such as 2026-01-31T12:00:00Z", out,
                         &ctx->err);
}

static vk_err parse_number(vk_ctx *ctx, const char *s, const char *name, double lo, double hi,
                           double *out)
{
    return vk_param_number_value(s, name, lo, hi, VK_PARAM_BETWEEN, out, &ctx->err);
}

/* lat, long and radius (metres): a box around the circle for the R*Tree,
 * then the exact ellipsoidal distance in the store. */
static vk_err near_filter(vk_ctx *ctx, const vk_req *req, api_items *it)
{
    const char *slat = vk_req_param(req, "lat"), *slon = vk_req_param(req, "long"),
               *srad = vk_req_param(req, "radius");
    if (!slat && !slon && !srad)
        return VK_OK;
    if (!slat || !slon || !srad)
        return vk_fail(&ctx->err, VK_EPARAM, !slat ? "lat" : !slon ? "long" : "radius",
                       "lat, long and radius go together");
    double lat, lon, r;
    vk_err e;
    if ((e = parse_number(ctx, slat, "lat", -90, 90, &lat)) ||
        (e = parse_number(ctx, slon, "long", -180, 180, &lon)) ||
        (e = parse_number(ctx, srad, "radius", 0, OPEN311_MAX_RADIUS, &r)))
        return e;
    api_items_near(it, lon, lat, r);
    return VK_OK;
}

/* service_request_id: a comma list of ids. */
static vk_err id_filter(vk_ctx *ctx, const vk_req *req, const char *s, api_items *it)
{
    size_t n = strlen(s);
    int count = 1;
    for (size_t i = 0; i < n; i++)
        count += s[i] == ',';
    if (n == 0 || n > 20000 || count > OPEN311_MAX_REQUESTS)
        return vk_fail(&ctx->err, VK_EPARAM, "service_request_id",
                       "service_request_id must be a comma list of at most %d ids",
                       OPEN311_MAX_REQUESTS);
    int64_t *ids = vk_arena_alloc(req->arena, sizeof *ids * (size_t)count);
    if (!ids)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    const char *p = s;
    for (int i = 0; i < count; i++) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len > 18 || strspn(p, "0123456789") < len)
            return vk_fail(&ctx->err, VK_EPARAM, "service_request_id",
                           "service_request_id must be a comma list of numbers");
        ids[i] = strtoll(p, NULL, 10);
        p += len + (p[len] == ',');
    }
    it->filter = api_items_and(req->arena, it->filter, api_items_in_ids(req->arena, ids, count));
    return it->filter ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}

/* service_code and status: comma lists checked against what exists. */
static vk_err code_filter(vk_ctx *ctx, const vk_req *req, api_items *it)
{
    const char *s = vk_req_param(req, "service_code");
    if (!s)
        return VK_OK;
    size_t n = strlen(s);
    if (n == 0 || n > 2000 || s[0] == ',' || s[n - 1] == ',' || strstr(s, ",,"))
        return vk_fail(&ctx->err, VK_EPARAM, "service_code",
                       "service_code must be a comma list of service codes");
    char *copy = vk_arena_strndup(req->arena, s, n);
    if (!copy)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    char *save = NULL;
    for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        int ok = 0;
        vk_err e = store_category_exists(ctx->store, c, &ok, &ctx->err);
        if (e)
            return e;
        if (!ok)
            return vk_fail(&ctx->err, VK_EPARAM, "service_code",
                           "unknown service_code '%.40s'; see services.json",
                           vk_utf8_valid(c, strlen(c), NULL) ? c : "?");
    }
    it->filter = api_items_and(req->arena, it->filter,
                               api_items_in_list(req->arena, "category", s));
    return it->filter ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}

static vk_err status_filter(vk_ctx *ctx, const vk_req *req, api_items *it)
{
    const char *s = vk_req_param(req, "status");
    if (!s)
        return VK_OK;
    int open = 0, closed = 0;
    size_t n = strlen(s);
    for (const char *p = s; n && p <= s + n;) {
        size_t len = strcspn(p, ",");
        if (len == 4 && strncmp(p, "open", 4) == 0)
            open = 1;
        else if (len == 6 && strncmp(p, "closed", 6) == 0)
            closed = 1;
        else
            return vk_fail(&ctx->err, VK_EPARAM, "status", "status must be open, closed or both");
        p += len + 1;
    }
    if (!open && !closed)
        return vk_fail(&ctx->err, VK_EPARAM, "status", "status must be open, closed or both");
    if (open && closed)
        return VK_OK;
    it->filter = api_items_and(req->arena, it->filter,
                               api_items_in_list(req->arena, "status",
                                                 open ? API_FEEDBACK_OPEN_STATUSES
                                                      : API_FEEDBACK_CLOSED_STATUSES));
    return it->filter ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}

static const char *const request_params[] = {
    "jurisdiction_id", "api_key", "locale",   "extensions",    "service_request_id",
    "service_code",    "status",  "start_date", "end_date",    "updated_after",
    "updated_before",  "lat",     "long",     "radius",        NULL};

static vk_err list_requests(vk_ctx *ctx, const vk_req *req, vk_resp *resp, fmt f)
{
    api_items it;
    api_items_init(&it, store_collection_find("feedback"));
    it.q.limit = OPEN311_MAX_REQUESTS;
    int lang = 0, extensions = 0, n = 0;
    vk_err e;
    if ((e = vk_req_only_params(req, request_params, &ctx->err)) ||
        (e = parse_locale(ctx, req, &lang)) ||
        (e = parse_bool(ctx, req, "extensions", &extensions)))
        return e;
    const char *ids = vk_req_param(req, "service_request_id");
    if (ids) {
        /* The spec lets a server ignore the other filters with ids given. */
        if ((e = id_filter(ctx, req, ids, &it)))
            return e;
    } else {
        char after[32], before[32];
        if ((e = parse_time(ctx, req, "start_date", it.time_start)) ||
            (e = parse_time(ctx, req, "end_date", it.time_end)) ||
            (e = parse_time(ctx, req, "updated_after", after)) ||
            (e = parse_time(ctx, req, "updated_before", before)) ||
            (e = code_filter(ctx, req, &it)) || (e = status_filter(ctx, req, &it)) ||
            (e = near_filter(ctx, req, &it)))
            return e;
        if (!it.time_start[0] && !it.time_end[0]) {
            vk_rfc3339_days_ago(OPEN311_DEFAULT_DAYS, it.time_start);
        }
        if (it.time_start[0])
            it.q.time_start = it.time_start;
        if (it.time_end[0])
            it.q.time_end = it.time_end;
        if (after[0])
            it.filter = api_items_and(req->arena, it.filter,
                                      api_items_cmp_time(req->arena, "updated", CQL2_GE,
                                                         vk_arena_strndup(req->arena, after,
                                                                          strlen(after))));
        if (before[0])
            it.filter = api_items_and(req->arena, it.filter,
                                      api_items_cmp_time(req->arena, "updated", CQL2_LE,
                                                         vk_arena_strndup(req->arena, before,
                                                                          strlen(before))));
        if ((after[0] || before[0]) && !it.filter)
            return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    }
    if ((e = api_items_compile(ctx, req, &it, GIS_CRS_CRS84)))
        return e;
    return write_requests(ctx, req, &it, f, lang, extensions, resp, &n);
}

vk_err open311_requests(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    BEGIN(1);
    vk_err e = list_requests(ctx, req, resp, f);
    return e ? fail_open311(ctx, resp, f, e) : VK_OK;
}

vk_err open311_request(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const known[] = {"jurisdiction_id", "api_key", "locale", "extensions",
                                        NULL};
    BEGIN(2);
    int lang = 0, extensions = 0, n = 0;
    api_items it;
    api_items_init(&it, store_collection_find("feedback"));
    it.q.id = api_parse_id(req->args[0]);
    vk_err e;
    if ((e = vk_req_only_params(req, known, &ctx->err)) || (e = parse_locale(ctx, req, &lang)) ||
        (e = parse_bool(ctx, req, "extensions", &extensions)))
        return fail_open311(ctx, resp, f, e);
    if (it.q.id > 0 && (e = write_requests(ctx, req, &it, f, lang, extensions, resp, &n)))
        return fail_open311(ctx, resp, f, e);
    if (n == 0)
        return fail_open311(ctx, resp, f,
                            vk_fail(&ctx->err, VK_ENOT_FOUND, "service_request_id",
                                    "there is no service request with this id"));
    return VK_OK;
}

/* Ids are given at once, so a token is the id itself. */
vk_err open311_token(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const known[] = {"jurisdiction_id", "api_key", NULL};
    BEGIN(2);
    vk_err e = vk_req_only_params(req, known, &ctx->err);
    if (e)
        return fail_open311(ctx, resp, f, e);
    api_items it;
    api_items_init(&it, store_collection_find("feedback"));
    it.q.id = api_parse_id(req->args[0]);
    int64_t count = 0;
    if (it.q.id > 0 && (e = store_items_count(ctx->store, it.col, &it.q, &count, &ctx->err)))
        return fail_open311(ctx, resp, f, e);
    if (count == 0)
        return fail_open311(ctx, resp, f,
                            vk_fail(&ctx->err, VK_ENOT_FOUND, "token", "there is no such token"));
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)it.q.id);
    ow w;
    ow_init(&w, resp, f);
    ow_root_array(&w, "service_requests", "request");
    ow_object(&w, NULL);
    ow_str(&w, "service_request_id", id);
    ow_str(&w, "token", id);
    ow_close(&w, 0);
    ow_close(&w, 1);
    return VK_OK;
}

/* ---- requests: create ---- */

static void create_answer(const vk_write_job *job, int arg, vk_resp *resp)
{
    fmt f = (fmt)arg;
    if (job->err.code != VK_OK) {
        char msg[sizeof job->err.message];
        memcpy(msg, job->err.message, sizeof msg);
        rename_fields(msg, sizeof msg);
        write_error(resp, f, open311_status(job->err.code), msg);
        return;
    }
    const char *slash = job->location ? strrchr(job->location, '/') : NULL;
    const char *id = slash ? slash + 1 : "";
    resp->status = job->status;
    if (job->location)
        vk_resp_header(resp, "Location", job->location);
    if (job->replayed)
        vk_resp_header(resp, "Idempotent-Replayed", "true");
    ow w;
    ow_init(&w, resp, f);
    ow_root_array(&w, "service_requests", "request");
    ow_object(&w, NULL);
    ow_str(&w, "service_request_id", id);
    ow_str(&w, "service_notice",
           "Thank you: your feedback was received and is public without your contact details.");
    ow_str(&w, "account_id", NULL);
    ow_close(&w, 0);
    ow_close(&w, 1);
}

static int is_form(const char *ct)
{
    static const char want[] = "application/x-www-form-urlencoded";
    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    size_t n = sizeof want - 1;
    return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Empty text is as good as absent (forms send every field). */
static const char *field(const vk_param *p, int n, const char *key)
{
    const char *v = vk_form_get(p, n, key);
    return v && *v ? v : NULL;
}

/* attribute[code]=v and attribute[code][]=v fields as {code: v | [v…]};
 * api_feedback_read() checks them against the service definition. The
 * codes FixMyStreet sends about its own copy of a report (whatever the
 * definition says) are dropped: they are not the resident's answers. */
static vk_err read_attributes(vk_ctx *ctx, const vk_param *p, int n, json_t *attrs)
{
    static const char *const fixmystreet[] = {
        "report_url", "report_title", "title", "description", "closest_address",
        "fixmystreet_id", "easting", "northing", "asset_details", NULL};
    static const char prefix[] = "attribute[";
    for (int i = 0; i < n; i++) {
        if (strncmp(p[i].key, prefix, sizeof prefix - 1) != 0)
            continue;
        const char *code = p[i].key + sizeof prefix - 1, *end = strchr(code, ']');
        size_t len = end ? (size_t)(end - code) : 0;
        int list = end && strcmp(end, "][]") == 0;
        if (!end || len == 0 || len > 40 || (!list && end[1] != '\0'))
            return vk_fail(&ctx->err, VK_EPARAM, "attribute",
                           "attribute fields are named attribute[CODE] or attribute[CODE][]; "
                           "the codes are in the service definition");
        char name[41];
        memcpy(name, code, len);
        name[len] = '\0';
        int theirs = 0;
        for (int k = 0; fixmystreet[k]; k++)
            theirs |= strcmp(name, fixmystreet[k]) == 0;
        if (theirs)
            continue;
        json_t *have = json_object_get(attrs, name);
        if (!*p[i].value && list)
            continue; /* an unticked box of a form */
        json_t *v = json_string(p[i].value);
        if (!v)
            return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        if (have && !json_is_array(have)) {
            /* The same field twice: a list, which the check refuses for a
             * single value. */
            json_t *both = json_pack("[O]", have);
            json_object_set_new(attrs, name, both);
            have = both;
        }
        if (have)
            json_array_append_new(have, v);
        else if (list)
            json_object_set_new(attrs, name, json_pack("[o]", v));
        else
            json_object_set_new(attrs, name, v);
    }
    return VK_OK;
}

/* With --open311-require-key, api_key must be a usable API token (any
 * role). Without it api_key is optional, but a valid one still names the
 * client: *token_id is its id (0 if none), so the integration's
 * Idempotency-Keys are its own. */
static vk_err check_api_key(vk_ctx *ctx, const vk_param *p, int n, int64_t *token_id)
{
    *token_id = 0;
    const char *key = vk_form_get(p, n, "api_key");
    int required = ctx->cfg->open311_require_key;
    if (required && (!key || !*key))
        return vk_fail(&ctx->err, VK_EFORBIDDEN, "api_key",
                       "api_key is required: this service takes requests from known "
                       "integrations only; ask the city for an API token");
    int found = 0;
    store_token t;
    if (key && api_auth_token_wellformed(key, strlen(key))) {
        char hash[65];
        api_auth_token_hash(key, hash);
        vk_err e = api_auth_token_check(ctx, hash, (int64_t)time(NULL), &found, &t);
        if (e)
            return e;
        found = found && store_token_usable(&t, (int64_t)time(NULL));
    }
    if (found)
        *token_id = t.id;
    return found || !required
               ? VK_OK /* without the flag: optional, and a bad one ignored */
               : vk_fail(&ctx->err, VK_EFORBIDDEN, "api_key",
                         "api_key is not a valid API token (unknown, expired or revoked)");
}

/* The position of address_string: the gazetteer's best match, which must
 * be an address (a street alone is too long to place a request on). */
static vk_err locate_address(vk_ctx *ctx, const char *address, double *lon, double *lat)
{
    size_t len = strlen(address);
    if (len > GAZ_QUERY_MAX || !vk_utf8_valid(address, len, NULL))
        return vk_fail(&ctx->err, VK_EVALUE, "address_string",
                       "address_string must be UTF-8 text of at most %d bytes", GAZ_QUERY_MAX);
    gaz_place found[1];
    int n = 0;
    vk_err e = gaz_search(ctx->store, address, 1, found, &n, &ctx->err);
    if (e)
        return e;
    int ok = n == 1 && found[0].kind == GAZ_ADDRESS;
    if (ok) {
        *lon = found[0].lon;
        *lat = found[0].lat;
    }
    if (n)
        gaz_place_fini(&found[0]);
    return ok ? VK_OK
              : vk_fail(&ctx->err, VK_EVALUE, "address_string",
                        "address_string is not an address the city's address register knows "
                        "(a street and a house number, e.g. \"Koskenparras 3\"); send lat and "
                        "long instead");
}

static vk_err build_feature(vk_ctx *ctx, const vk_param *p, int n, json_t **out)
{
    const char *code = field(p, n, "service_code"), *slat = field(p, n, "lat"),
               *slon = field(p, n, "long"), *address = field(p, n, "address_string");
    if (!code)
        return vk_fail(&ctx->err, VK_EMISSING, "service_code",
                       "service_code is required; the codes are listed at " OPEN311_PREFIX
                       "/services.json");
    double lat, lon;
    int exists = 0, by_address = 0;
    vk_err e;
    if ((!slat || !slon) && address && !slat && !slon) {
        /* Placed by its address alone: the gazetteer's point, marked as
         * address precision (docs/places.md). */
        if ((e = locate_address(ctx, address, &lon, &lat)))
            return e;
        by_address = 1;
    } else if (!slat || !slon) {
        return vk_fail(&ctx->err, VK_EMISSING, "lat", "lat and long are required, or an "
                                                      "address_string the city's address "
                                                      "register knows");
    } else if ((e = parse_number(ctx, slat, "lat", -90, 90, &lat)) ||
               (e = parse_number(ctx, slon, "long", -180, 180, &lon))) {
        return e;
    }
    if ((e = store_category_exists(ctx->store, code, &exists, &ctx->err)))
        return e;
    if (!exists)
        return vk_fail(&ctx->err, VK_EVALUE, "service_code",
                       "unknown service_code '%.40s'; the codes are listed at " OPEN311_PREFIX
                       "/services.json",
                       vk_utf8_valid(code, strlen(code), NULL) ? code : "?");
    const char *first = field(p, n, "first_name"), *last = field(p, n, "last_name");
    json_t *props = json_object();
    json_t *contact = json_object();
    json_t *feature = json_pack("{s:s, s:{s:s, s:[f, f]}}", "type", "Feature", "geometry", "type",
                                "Point", "coordinates", lon, lat);
    if (!props || !contact || !feature) {
        json_decref(props);
        json_decref(contact);
        json_decref(feature);
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    }
    json_object_set_new(props, "category", json_string(code));
    const char *description = field(p, n, "description");
    if (description)
        json_object_set_new(props, "description", json_string(description));
    if (address)
        json_object_set_new(props, "place", json_string(address));
    if (by_address)
        json_object_set_new(props, "location_precision", json_string("address"));
    if (first || last) {
        size_t len = (first ? strlen(first) : 0) + (last ? strlen(last) : 0) + 2;
        char *name = malloc(len);
        if (name) {
            snprintf(name, len, "%s%s%s", first ? first : "", first && last ? " " : "",
                     last ? last : "");
            json_object_set_new(contact, "name", json_string(name));
            free(name);
        }
    }
    const char *email = field(p, n, "email"), *phone = field(p, n, "phone");
    if (email)
        json_object_set_new(contact, "email", json_string(email));
    if (phone)
        json_object_set_new(contact, "phone", json_string(phone));
    if (json_object_size(contact))
        json_object_set(props, "contact", contact);
    json_decref(contact);
    json_t *attrs = json_object();
    vk_err ae = attrs ? read_attributes(ctx, p, n, attrs) : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    if (!ae && json_object_size(attrs))
        json_object_set(props, "attributes", attrs);
    json_decref(attrs);
    if (ae) {
        json_decref(props);
        json_decref(feature);
        return ae;
    }
    json_object_set_new(feature, "properties", props);
    *out = feature;
    return VK_OK;
}

vk_err open311_requests_create(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    BEGIN(1);
    if (!is_form(req->content_type))
        return fail_open311(ctx, resp, f,
                            vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type",
                                    "send the request as application/x-www-form-urlencoded"));
    vk_param *p = vk_arena_alloc(req->arena, sizeof *p * VK_FORM_MAX_FIELDS);
    if (!p)
        return fail_open311(ctx, resp, f, vk_fail(&ctx->err, VK_ENOMEM, "", NULL));
    int n = 0;
    int64_t token_id = 0;
    json_t *doc = NULL;
    vk_err e;
    if ((e = vk_form_parse(req->body ? req->body : "", req->body_len, req->arena, p,
                           VK_FORM_MAX_FIELDS, &n, &ctx->err)) ||
        (e = check_api_key(ctx, p, n, &token_id)) || (e = build_feature(ctx, p, n, &doc)) ||
        (e = api_feedback_submit(ctx, req, resp, doc, OPEN311_PREFIX "/requests/", create_answer,
                                 (int)f, token_id)))
        return fail_open311(ctx, resp, f, e);
    return VK_OK;
}
