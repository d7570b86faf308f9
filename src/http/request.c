/* request.c — request accessors, response building, error rendering. */
#include "http/request.h"

#include <string.h>
#include <strings.h>

#include "core/clock.h"

void vk_resp_init(vk_resp *r, size_t max)
{
    memset(r, 0, sizeof *r);
    r->status = 200;
    r->content_type = "application/json";
    vk_buf_init(&r->body, max);
}

void vk_resp_fini(vk_resp *r) { vk_buf_fini(&r->body); }

void vk_resp_header(vk_resp *r, const char *name, const char *value)
{
    if (r->nheaders < VK_MAX_HEADERS)
        r->headers[r->nheaders++] = (vk_header){name, value};
}

void vk_resp_error(vk_resp *r, const vk_errinfo *ei)
{
    vk_err code = ei->code == VK_OK ? VK_EINTERNAL : ei->code;
    const char *msg = ei->message[0] ? ei->message : vk_err_message(code);
    vk_buf_reset(&r->body);
    r->status = vk_err_status(code);
    r->content_type = "application/json";
    r->file_path = NULL;
    vk_buf *b = &r->body;
    vk_buf_puts(b, "{\"error\":{\"code\":");
    vk_json_str_or_null(b, vk_err_code(code));
    vk_buf_puts(b, ",\"field\":");
    vk_json_str_or_null(b, ei->field);
    vk_buf_puts(b, ",\"message\":");
    /* The message may quote client input: keep it valid UTF-8 JSON. */
    if (vk_utf8_valid(msg, strlen(msg), NULL))
        vk_json_str_or_null(b, msg);
    else
        vk_json_str_or_null(b, vk_err_message(code));
    vk_buf_puts(b, "}}");
}

const char *vk_req_param(const vk_req *q, const char *key)
{
    for (int i = 0; i < q->nparams; i++)
        if (strcmp(q->params[i].key, key) == 0)
            return q->params[i].value;
    return NULL;
}

vk_err vk_req_only_params(const vk_req *q, const char *const *allowed, vk_errinfo *ei)
{
    if (q->params_overflow)
        return vk_fail(ei, VK_EPARAM, "", "too many query parameters (at most %d)", VK_MAX_PARAMS);
    for (int i = 0; i < q->nparams; i++) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, q->params[i].key) != 0)
            a++;
        if (!*a) {
            const char *k = q->params[i].key;
            if (!vk_utf8_valid(k, strlen(k), NULL) || strlen(k) > 64)
                k = "(unprintable)";
            return vk_fail(ei, VK_EUNKNOWN_PARAM, k, "unknown query parameter '%s'", k);
        }
    }
    return VK_OK;
}

int vk_req_is_json(const vk_req *q)
{
    const char *ct = q->content_type;
    if (!ct)
        return 0;
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if ((n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
        (n == 20 && strncasecmp(ct, "application/geo+json", 20) == 0))
        return 1;
    return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
           strncasecmp(ct + n - 5, "+json", 5) == 0;
}

int vk_req_cookie(const vk_req *q, const char *name, const char **out, size_t *n)
{
    const size_t klen = strlen(name);
    for (const char *p = q->cookie; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        size_t len = strcspn(p, ";");
        if (len > klen && strncmp(p, name, klen) == 0 && p[klen] == '=') {
            *out = p + klen + 1;
            *n = len - klen - 1;
            while (*n && ((*out)[*n - 1] == ' ' || (*out)[*n - 1] == '\t'))
                (*n)--;
            return 1;
        }
        p += len;
    }
    return 0;
}

static const struct {
    vk_method m;
    const char *name;
} methods[] = {
    {VK_GET, "GET"},     {VK_HEAD, "HEAD"},     {VK_POST, "POST"},       {VK_PUT, "PUT"},
    {VK_PATCH, "PATCH"}, {VK_DELETE, "DELETE"}, {VK_OPTIONS, "OPTIONS"},
};

const char *vk_method_name(vk_method m)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (methods[i].m == m)
            return methods[i].name;
    return "OTHER";
}

vk_method vk_method_parse(const char *name)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(methods[i].name, name) == 0)
            return methods[i].m;
    return VK_OTHER;
}

int vk_req_etag_listed(const vk_req *q, const char *etag)
{
    size_t n = strlen(etag);
    for (const char *p = q->if_none_match ? q->if_none_match : ""; *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (*p == '*')
            return 1;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        size_t k = strcspn(p, ",");
        while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
            k--;
        if (k == n && memcmp(p, etag, n) == 0)
            return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

int vk_resp_not_modified(vk_resp *r, const vk_req *q, const char *etag, int64_t modified)
{
    vk_resp_header(r, "ETag", etag);
    char *lm = modified >= 0 ? vk_arena_alloc(q->arena, VK_HTTP_DATE_LEN) : NULL;
    if (lm) {
        vk_http_date(modified, lm);
        vk_resp_header(r, "Last-Modified", lm);
    }
    vk_resp_header(r, "Cache-Control", "no-cache");
    int current = 0;
    if (q->if_none_match) {
        current = vk_req_etag_listed(q, etag);
    } else if (q->if_modified_since && modified >= 0) {
        int64_t since;
        current = vk_http_date_parse(q->if_modified_since, &since) == 0 && since >= modified;
    }
    if (current) {
        r->status = 304;
        vk_buf_reset(&r->body);
    }
    return current;
}

int vk_req_if_match(const vk_req *q, const char *etag)
{
    size_t n = strlen(etag);
    for (const char *p = q->if_match ? q->if_match : ""; *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (*p == '*')
            return 1;
        size_t k = strcspn(p, ",");
        size_t len = k;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == n && memcmp(p, etag, n) == 0)
            return 1;
        p += k;
    }
    return 0;
}
