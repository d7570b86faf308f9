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

#define GZIP_MAX (4 * 1024 * 1024)

/* Accept-Encoding names gzip (and not with q=0). */
static int accepts_gzip(const char *ae)
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

static int compressible(const char *type)
{
    return type && (strncmp(type, "text/", 5) == 0 || strstr(type, "javascript") ||
                    strstr(type, "json") || strstr(type, "svg"));
}

/* The file, gzip-compressed, into out; 0 on success. */
static int gzip_file(const char *path, vk_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        fclose(f);
        return -1;
    }
    unsigned char in[16384], buf[16384];
    int rc = 0, flush;
    vk_buf_reset(out);
    do {
        size_t n = fread(in, 1, sizeof in, f);
        if (ferror(f)) {
            rc = -1;
            break;
        }
        flush = feof(f) ? Z_FINISH : Z_NO_FLUSH;
        z.next_in = in;
        z.avail_in = (uInt)n;
        do {
            z.next_out = buf;
            z.avail_out = sizeof buf;
            if (deflate(&z, flush) == Z_STREAM_ERROR) {
                rc = -1;
                break;
            }
            if (vk_buf_add(out, buf, sizeof buf - z.avail_out))
                rc = -1;
        } while (!rc && z.avail_out == 0);
    } while (!rc && flush != Z_FINISH);
    deflateEnd(&z);
    fclose(f);
    if (rc || !vk_buf_ok(out)) {
        vk_buf_reset(out);
        return -1;
    }
    return 0;
}

vk_err http_static_file(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const char *page = is_results_address(req->path) ? "/survey-results.html"
                                                     : one_page_address(req->path);
    const char *path = page ? page : req->path;
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
    int gz = accepts_gzip(req->accept_encoding) && compressible(resp->content_type) &&
             st.st_size >= 512 && st.st_size <= GZIP_MAX;
    char *etag = vk_arena_alloc(req->arena, 64);
    if (!etag)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    snprintf(etag, 64, "\"%llx-%llx%s\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtime, gz ? "-gz" : "");
    vk_resp_header(resp, "Vary", "Accept-Encoding");
    if (vk_resp_not_modified(resp, req, etag, (int64_t)st.st_mtime))
        return VK_OK;
    /* Scripts, styles and pages go compressed to a browser that takes it:
     * a phone on a slow network loads the resident page in a third of the
     * bytes (docs/phone.md). */
    if (gz && gzip_file(real_file, &resp->body) == 0) {
        vk_resp_header(resp, "Content-Encoding", "gzip");
        return VK_OK;
    }
    vk_buf_reset(&resp->body);
    resp->file_path = vk_arena_strdup(req->arena, real_file);
    resp->file_size = (long long)st.st_size;
    /* nosniff and the other security headers: server.c, on every answer. */
    return resp->file_path ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}
