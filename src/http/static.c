/* static.c — safe static files. */
#include "http/static.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".geojson", "application/geo+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".webmanifest", "application/manifest+json"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
};

const char *http_static_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcasecmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

/* Refuse anything but plain names: no empty, "." or ".." segments, no
 * hidden files, no backslashes or control bytes. */
static int path_is_plain(const char *p)
{
    if (p[0] != '/')
        return 0;
    for (const char *s = p; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == '\\' || *s == 0x7f)
            return 0;
    const char *seg = p + 1;
    while (*seg) {
        size_t n = strcspn(seg, "/");
        if (seg[0] == '.' || (n == 0 && seg[n] == '/'))
            return 0;
        seg += n;
        if (*seg == '/')
            seg++;
    }
    return 1;
}

/* One-page addresses: /s/ (the open surveys) and /s/{slug} (one survey)
 * are survey.html, /b/ and /b/{slug} (budgeting rounds) budget.html, /w/
 * and /w/{walk id or walk code} (an accessibility walk's field page)
 * walk.html; the page reads the slug from the address. */
static const struct {
    char prefix[4];
    const char *page;
} one_page[] = {
    { "/s", "/survey.html" },
    { "/b", "/budget.html" },
    { "/w", "/walk.html" },
};

static const char *one_page_address(const char *p)
{
    for (size_t i = 0; i < sizeof one_page / sizeof one_page[0]; i++) {
        size_t n = strlen(one_page[i].prefix);
        if (strncmp(p, one_page[i].prefix, n) != 0 || (p[n] != '\0' && p[n] != '/'))
            continue;
        if (p[n] == '\0' || strchr(p + n + 1, '/') == NULL)
            return one_page[i].page;
    }
    return NULL;
}

/* /s/{slug}/results (a survey's public results) is survey-results.html,
 * which reads the slug from the address too. */
static int is_results_address(const char *p)
{
    static const char tail[] = "/results";
    if (strncmp(p, "/s/", 3) != 0)
        return 0;
    const char *slash = strchr(p + 3, '/');
    return slash && slash > p + 3 && strcmp(slash, tail) == 0;
}

/* /i18n/auto.json is the client's strings: in the language it chose on one
 * of our pages before (the vaikuta_lang cookie, which vk.js sets with its
 * remembered choice), else in the first language of its Accept-Language
 * that we have (browsers list them best first, which is all the order
 * needed; "q=0" is skipped), else Finnish. The resident page preloads it,
 * so that its strings come with the other answers it needs first rather
 * than a round trip after them (docs/phone.md, "Light pages"). */
static const char *auto_lang(const vk_req *req)
{
    static const char *const langs[] = { "fi", "sv", "en" };
    const size_t nlangs = sizeof langs / sizeof langs[0];
    const char *v;
    size_t vn;
    if (vk_req_cookie(req, "vaikuta_lang", &v, &vn) && vn == 2)
        for (size_t i = 0; i < nlangs; i++)
            if (strncmp(v, langs[i], 2) == 0)
                return langs[i];
    for (const char *p = req->accept_language; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        size_t tag = strcspn(p, "-;, ");
        const char *semi = memchr(p, ';', n);
        const char *q = semi ? strstr(semi, "q=") : NULL;
        int refused = q && q < p + n && q[2] == '0' && !(q[3] == '.' && q[4] >= '1' && q[4] <= '9');
        for (size_t i = 0; !refused && tag == 2 && i < nlangs; i++)
            if (strncasecmp(p, langs[i], 2) == 0)
                return langs[i];
        p += n;
    }
    return "fi";
}

#define GZIP_MAX (4 * 1024 * 1024)

int http_accepts_gzip(const char *ae)
{
    for (const char *p = ae; p && (p = strstr(p, "gzip")) != NULL; p += 4) {
        if ((p != ae && p[-1] != ' ' && p[-1] != ',') || (p[4] && p[4] != ',' && p[4] != ';' && p[4] != ' '))
            continue;
        const char *q = p + 4;
        while (*q == ' ')
            q++;
        if (*q == ';') {
            q = strstr(q, "q=");
            if (q && q[2] == '0' && !(q[3] == '.' && q[4] >= '1' && q[4] <= '9'))
                return 0;
        }
        return 1;
    }
    return 0;
}

int http_compressible(const char *type)
{
    return type && (strncmp(type, "text/", 5) == 0 || strstr(type, "javascript") ||
                    strstr(type, "json") || strstr(type, "svg"));
}

int http_gzip(const void *data, size_t len, vk_buf *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    unsigned char buf[16384];
    int rc = 0, zr;
    vk_buf_reset(out);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    do {
        z.next_out = buf;
        z.avail_out = sizeof buf;
        zr = deflate(&z, Z_FINISH);
        if (zr == Z_STREAM_ERROR || vk_buf_add(out, buf, sizeof buf - z.avail_out))
            rc = -1;
    } while (!rc && zr != Z_STREAM_END);
    deflateEnd(&z);
    if (rc || !vk_buf_ok(out)) {
        vk_buf_reset(out);
        return -1;
    }
    return 0;
}

/* The file's size bytes, malloc'd (NUL-terminated), or NULL. */
static char *read_file(const char *path, size_t size)
{
    FILE *f = fopen(path, "rb");
    char *data = f ? malloc(size + 1) : NULL;
    if (data && fread(data, 1, size, f) == size) {
        data[size] = '\0';
    } else {
        free(data);
        data = NULL;
    }
    if (f)
        fclose(f);
    return data;
}

/* A page's <link rel="preload" href="…" as="…"> tags (in its head, as
 * written there, attributes in that order) as a Link header, or NULL:
 * the browser then asks for them as soon as the answer's headers come,
 * before the page's first bytes — on a slow line, whose first read holds
 * many kilobytes, half a second sooner (docs/phone.md, "Light pages"). */
static const char *preload_links(const char *html, vk_arena *arena)
{
    static const char tag[] = "<link rel=\"preload\" href=\"";
    const char *head_end = strstr(html, "</head>");
    vk_buf b;
    vk_buf_init(&b, 4096);
    for (const char *p = html; (p = strstr(p, tag)) != NULL && (!head_end || p < head_end);) {
        p += sizeof tag - 1;
        size_t href = strcspn(p, "\"<>,; \t\r\n");
        const char *end = strchr(p, '>');
        if (p[href] != '"' || !end)
            continue;
        const char *as = strstr(p, " as=\"");
        size_t as_len = as && as < end ? strcspn(as + 5, "\"<>,; \t\r\n") : 0;
        if (!as_len || as[5 + as_len] != '"')
            continue;
        const char *cors = strstr(p, " crossorigin");
        vk_buf_printf(&b, "%s<%.*s>; rel=preload; as=%.*s%s", b.len ? ", " : "", (int)href, p, (int)as_len,
                      as + 5, cors && cors < end ? "; crossorigin" : "");
    }
    const char *out = vk_buf_ok(&b) && b.len ? vk_arena_strdup(arena, b.data) : NULL;
    vk_buf_fini(&b);
    return out;
}

vk_err http_static_file(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const char *page = is_results_address(req->path) ? "/survey-results.html"
                                                     : one_page_address(req->path);
    const char *path = page ? page : req->path;
    const char *lang = strcmp(path, "/i18n/auto.json") == 0 ? auto_lang(req) : NULL;
    if (lang) {
        char *p = vk_arena_alloc(req->arena, sizeof "/i18n/xx.json");
        if (!p)
            return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        snprintf(p, sizeof "/i18n/xx.json", "/i18n/%s.json", lang);
        path = p;
    }
    if (!path_is_plain(path))
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "path", "no such file");
    const char *root = ctx->cfg->web_dir;
    size_t plen = strlen(path);
    int dir_index = path[plen - 1] == '/';
    size_t n = strlen(root) + plen + sizeof "index.html" + 1;
    char *joined = vk_arena_alloc(req->arena, n);
    if (!joined)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    strcpy(joined, root);
    strcat(joined, path);
    if (dir_index)
        strcat(joined, "index.html");

    char real_root[PATH_MAX], real_file[PATH_MAX];
    struct stat st;
    if (!realpath(root, real_root) || !realpath(joined, real_file) ||
        stat(real_file, &st) != 0 || !S_ISREG(st.st_mode))
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "path", "no such file");
    size_t rl = strlen(real_root);
    if (strncmp(real_file, real_root, rl) != 0 || real_file[rl] != '/')
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "path", "no such file");

    resp->content_type = http_static_type(real_file);
    /* The client is small and changes with releases: always revalidate
     * (vk_resp_not_modified says no-cache), against a validator of the
     * file's size and time, so that a repeat visit costs a 304. */
    int gz = http_accepts_gzip(req->accept_encoding) && http_compressible(resp->content_type) &&
             st.st_size >= 512 && st.st_size <= GZIP_MAX;
    char *etag = vk_arena_alloc(req->arena, 64);
    if (!etag)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    snprintf(etag, 64, "\"%llx-%llx%s%s%s\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtime, gz ? "-gz" : "", lang ? "-" : "", lang ? lang : "");
    vk_resp_header(resp, "Vary", lang ? "Accept-Encoding, Accept-Language, Cookie" : "Accept-Encoding");
    if (lang)
        vk_resp_header(resp, "Content-Language", lang);
    int html = strncmp(resp->content_type, "text/html", 9) == 0 && st.st_size <= GZIP_MAX;
    char *data = html || gz ? read_file(real_file, (size_t)st.st_size) : NULL;
    const char *links = html && data ? preload_links(data, req->arena) : NULL;
    if (links)
        vk_resp_header(resp, "Link", links);
    if (vk_resp_not_modified(resp, req, etag, (int64_t)st.st_mtime)) {
        free(data);
        return VK_OK;
    }
    /* Scripts, styles and pages go compressed to a browser that takes it:
     * a phone on a slow network loads the resident page in a third of the
     * bytes (docs/phone.md). */
    int zipped = gz && data && http_gzip(data, (size_t)st.st_size, &resp->body) == 0;
    free(data);
    if (zipped) {
        vk_resp_header(resp, "Content-Encoding", "gzip");
        return VK_OK;
    }
    vk_buf_reset(&resp->body);
    resp->file_path = vk_arena_strdup(req->arena, real_file);
    resp->file_size = (long long)st.st_size;
    /* nosniff and the other security headers: server.c, on every answer. */
    return resp->file_path ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}
