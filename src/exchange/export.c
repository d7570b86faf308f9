/*
 * export.c — GeoJSON, CSV and GeoPackage exports.
 *
 * Files use the east/north axis order of traditional GIS whatever the
 * CRS (as GDAL and QGIS expect of files); GeoJSON in a CRS other than
 * CRS84 names it in a "crs" member, which GDAL reads. CSV is UTF-8 with a
 * byte order mark (so spreadsheets detect the encoding and show å, ä, ö),
 * RFC 4180 quoting, WKT plus a coordinate pair (the point itself, or a
 * point inside a line or area), and text that a spreadsheet would run as a
 * formula is prefixed with an apostrophe.
 */
#include "exchange/export.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exchange/gpkg.h"
#include "features/items.h"
#include "http/params.h"
#include "questions/store_questions.h"

#define CHUNK (64 * 1024)

int api_export_format_parse(const char *s, api_export_format *out)
{
    if (strcmp(s, "geojson") == 0)
        *out = EXPORT_GEOJSON;
    else if (strcmp(s, "csv") == 0)
        *out = EXPORT_CSV;
    else if (strcmp(s, "gpkg") == 0)
        *out = EXPORT_GPKG;
    else if (strcmp(s, "csvt") == 0)
        *out = EXPORT_CSVT;
    else
        return -1;
    return 0;
}

const char *api_export_media_type(api_export_format f)
{
    switch (f) {
    case EXPORT_GEOJSON: return "application/geo+json";
    case EXPORT_CSV: return "text/csv; charset=utf-8";
    case EXPORT_CSVT: return "text/plain; charset=utf-8";
    default: return "application/geopackage+sqlite3";
    }
}

struct api_export {
    vk_ctx *ctx;  /* owned: its own connection */
    const store_collection *col;
    api_export_format fmt;
    gis_crs crs;
    store_cursor *cur;
    vk_buf pending; /* produced, not yet read */
    size_t pos;     /* read position in pending */
    int64_t done, total;
    int finished;
    unsigned char *wkb; /* scratch copy for transforming */
    size_t wkb_cap;
    store_items_query q;  /* what to export: every item, or the filters asked */
    cql2_params params;   /* q's filter values, copied into arena */
    vk_arena arena;       /* owned: the copy outlives the request's arena */
    const char **keys;    /* GeoJSON: each column's ',"name":' (no comma
                           * first), written once instead of per feature */
    size_t *key_lens;
};

/* The GeoJSON property keys, made once per export: a printf per property
 * of every feature costs a third of the export's time. */
static vk_err make_keys(api_export *x)
{
    int n = x->col->ncolumns;
    x->keys = vk_arena_alloc(&x->arena, sizeof *x->keys * (size_t)(n ? n : 1));
    x->key_lens = vk_arena_alloc(&x->arena, sizeof *x->key_lens * (size_t)(n ? n : 1));
    if (!x->keys || !x->key_lens)
        return VK_ENOMEM;
    for (int i = 0; i < n; i++) {
        const char *name = x->col->columns[i].name;
        size_t len = strlen(name) + 4;
        char *k = vk_arena_alloc(&x->arena, len + 1);
        if (!k)
            return VK_ENOMEM;
        snprintf(k, len + 1, "%s\"%s\":", i ? "," : "", name);
        x->keys[i] = k;
        x->key_lens[i] = strlen(k);
    }
    return VK_OK;
}

/* q (NULL: every item) as an export runs it: no paging, and its filter's
 * text and values copied into x->arena, since a streamed export outlives
 * the request that asked for it. */
static vk_err copy_query(api_export *x, const store_items_query *q)
{
    vk_arena *a = &x->arena;
    vk_arena_init(a, 0);
    x->q = q ? *q : (store_items_query){0};
    x->q.limit = -1;
    x->q.offset = 0;
    x->q.after = 0;
    x->q.id = 0;
    x->q.id_text = NULL;
    if (x->q.time_start && !(x->q.time_start = vk_arena_strdup(a, x->q.time_start)))
        return VK_ENOMEM;
    if (x->q.time_end && !(x->q.time_end = vk_arena_strdup(a, x->q.time_end)))
        return VK_ENOMEM;
    x->q.params = NULL;
    if (!x->q.where)
        return VK_OK;
    if (!(x->q.where = vk_arena_strdup(a, x->q.where)))
        return VK_ENOMEM;
    if (!q->params)
        return VK_OK;
    int n = q->params->n;
    x->params.n = n;
    x->params.items = vk_arena_alloc(a, sizeof *x->params.items * (size_t)(n > 0 ? n : 1));
    if (!x->params.items)
        return VK_ENOMEM;
    for (int i = 0; i < n; i++) {
        cql2_param p = q->params->items[i];
        if (p.text && !(p.text = vk_arena_strdup(a, p.text)))
            return VK_ENOMEM;
        if (p.blob) {
            unsigned char *copy = vk_arena_alloc(a, p.len ? p.len : 1);
            if (!copy)
                return VK_ENOMEM;
            memcpy(copy, p.blob, p.len);
            p.blob = copy;
        }
        x->params.items[i] = p;
    }
    x->q.params = &x->params;
    return VK_OK;
}

/* A worker-like context over its own connection. */
static vk_err own_ctx(const vk_config *cfg, vk_ctx **ctx, vk_errinfo *ei)
{
    store_conn *s = NULL;
    vk_err e = store_open_worker(&s, cfg->db_path, ei);
    return e ? e : vk_ctx_new(ctx, cfg, s, ei);
}

static int formula_like(const char *s)
{
    return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
}

void api_csv_field(vk_buf *b, const char *s)
{
    if (formula_like(s)) {
        vk_buf_puts(b, "\"'");
    } else if (strpbrk(s, ",\"\r\n")) {
        vk_buf_putc(b, '"');
    } else {
        vk_buf_puts(b, s);
        return;
    }
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            vk_buf_putc(b, '"');
        vk_buf_putc(b, *p);
    }
    vk_buf_putc(b, '"');
}

/* One stored value in CSV: text quoted as it must be, numbers as JSON
 * writes them, NULL empty. (GeoJSON writes values as the items do.) */
void api_csv_value(vk_buf *b, const store_value *v)
{
    if (v->type == STORE_TEXT)
        api_csv_field(b, v->text);
    else if (v->type == STORE_INT)
        vk_json_int(b, v->i);
    else if (v->type == STORE_REAL)
        vk_json_num(b, v->d);
}

/* The CSV's column types as GDAL reads them from a .csvt beside the .csv
 * (one line, the same order): the types the GeoPackage declares, but JSON
 * text is plain String (a CSVT has no JSON subtype in GDAL 3.6). */
static const char *csvt_type(const store_column *c)
{
    switch (c->type) {
    case CQL2_Q_INTEGER: return "Integer";
    case CQL2_Q_NUMBER: return "Real";
    case CQL2_Q_BOOLEAN: return "Integer(Boolean)";
    case CQL2_Q_DATETIME: return "DateTime";
    default: return "String";
    }
}

static void write_header(api_export *x)
{
    vk_buf *b = &x->pending;
    const store_collection *col = x->col;
    if (x->fmt == EXPORT_CSVT) {
        vk_buf_puts(b, col->id_is_text ? "String" : "Integer");
        for (int i = 0; i < col->ncolumns; i++)
            vk_buf_printf(b, ",%s", csvt_type(&col->columns[i]));
        vk_buf_puts(b, ",Real,Real,WKT\r\n");
        x->finished = 1;
        return;
    }
    if (x->fmt == EXPORT_GEOJSON) {
        vk_buf_printf(b, "{\"type\":\"FeatureCollection\",\"name\":\"%s\",", col->id);
        if (x->crs != GIS_CRS_CRS84 && x->crs != GIS_CRS_4326)
            vk_buf_printf(b, "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::%d\"}},",
                          gis_crs_epsg(x->crs));
        vk_buf_puts(b, "\"features\":[\n");
        return;
    }
    int metric = x->crs == GIS_CRS_3067 || x->crs == GIS_CRS_3879;
    vk_buf_puts(b, "\xEF\xBB\xBFid");
    for (int i = 0; i < col->ncolumns; i++)
        vk_buf_printf(b, ",%s", col->columns[i].name);
    vk_buf_printf(b, ",%s,%s,wkt\r\n", metric ? "easting" : "lon", metric ? "northing" : "lat");
}

static vk_err write_geojson_item(api_export *x, const store_item *it)
{
    vk_buf *b = &x->pending;
    if (x->done)
        vk_buf_puts(b, ",\n");
    vk_buf_puts(b, "{\"type\":\"Feature\",\"id\":");
    if (x->col->id_is_text)
        vk_json_str_or_null(b, it->id_text);
    else
        vk_json_int(b, it->id);
    vk_buf_puts(b, ",\"geometry\":");
    vk_err e = it->wkb ? gis_wkb_to_geojson_crs_en(x->ctx->proj, x->crs, it->wkb, it->wkb_len, b)
                       : (vk_buf_puts(b, "null") ? VK_ENOMEM : VK_OK);
    if (e)
        return e;
    vk_buf_puts(b, ",\"properties\":{");
    for (int i = 0; i < x->col->ncolumns; i++) {
        vk_buf_add(b, x->keys[i], x->key_lens[i]);
        api_item_value(b, &it->values[i], x->col->columns[i].json);
    }
    vk_buf_puts(b, "}}");
    return VK_OK;
}

/* A copy of the item's WKB transformed into the export CRS (east/north). */
static vk_err transformed_wkb(api_export *x, const store_item *it)
{
    if (it->wkb_len > x->wkb_cap) {
        unsigned char *p = realloc(x->wkb, it->wkb_len);
        if (!p)
            return VK_ENOMEM;
        x->wkb = p;
        x->wkb_cap = it->wkb_len;
    }
    memcpy(x->wkb, it->wkb, it->wkb_len);
    return gis_proj_wkb_from_storage_en(x->ctx->proj, x->crs, x->wkb, it->wkb_len);
}

static vk_err write_csv_item(api_export *x, const store_item *it)
{
    vk_buf *b = &x->pending;
    char num[64];
    if (x->col->id_is_text)
        api_csv_field(b, it->id_text ? it->id_text : "");
    else
        vk_json_int(b, it->id);
    for (int i = 0; i < x->col->ncolumns; i++) {
        const store_value *v = &it->values[i];
        vk_buf_putc(b, ',');
        api_csv_value(b, v);
    }
    if (!it->wkb) { /* no geometry (a survey answer placed in words): empty */
        vk_buf_puts(b, ",,,\r\n");
        return VK_OK;
    }
    vk_err e = transformed_wkb(x, it);
    if (e)
        return e;
    vk_buf wkt;
    vk_buf_init(&wkt, 64 * 1024 * 1024);
    double px = 0, py = 0;
    int decimals = gis_crs_decimals(x->crs);
    e = gis_wkb_to_wkt(x->ctx->gis, x->wkb, it->wkb_len, decimals, &wkt, &px, &py);
    if (!e) {
        vk_buf_putc(b, ',');
        snprintf(num, sizeof num, "%.*f", decimals, px);
        vk_buf_puts(b, num);
        vk_buf_putc(b, ',');
        snprintf(num, sizeof num, "%.*f", decimals, py);
        vk_buf_puts(b, num);
        vk_buf_puts(b, ",\"");
        vk_buf_add(b, wkt.data, wkt.len);
        vk_buf_puts(b, "\"\r\n");
    }
    vk_buf_fini(&wkt);
    return e;
}

vk_err api_export_open(api_export **out, const vk_config *cfg, const store_collection *col,
                       api_export_format fmt, gis_crs crs, const store_items_query *q,
                       vk_errinfo *ei)
{
    api_export *x = calloc(1, sizeof *x);
    if (!x)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    x->col = col;
    x->fmt = fmt;
    x->crs = crs;
    vk_buf_init(&x->pending, 256u * 1024 * 1024);
    vk_err e = copy_query(x, q) || make_keys(x) ? vk_fail(ei, VK_ENOMEM, "", NULL) : VK_OK;
    if (!e)
        e = own_ctx(cfg, &x->ctx, ei);
    if (!e)
        e = store_items_count(x->ctx->store, col, &x->q, &x->total, ei);
    if (!e)
        e = store_cursor_open(x->ctx->store, col, &x->q, &x->cur, ei);
    if (e) {
        api_export_close(x);
        return e;
    }
    write_header(x);
    *out = x;
    return VK_OK;
}

/* Produce at least one chunk (or the end) into pending. */
static vk_err produce(api_export *x, vk_errinfo *ei)
{
    while (x->pending.len - x->pos < CHUNK && !x->finished) {
        const store_item *it;
        int rc = store_cursor_next(x->cur, &it, ei);
        if (rc < 0)
            return VK_EDB;
        if (rc == 0) {
            if (x->fmt == EXPORT_GEOJSON)
                vk_buf_puts(&x->pending, "\n]}\n");
            x->finished = 1;
            break;
        }
        vk_err e = x->fmt == EXPORT_GEOJSON ? write_geojson_item(x, it) : write_csv_item(x, it);
        if (e)
            return vk_fail(ei, e, "", "item %lld could not be written", (long long)it->id);
        x->done++;
    }
    return vk_buf_ok(&x->pending) ? VK_OK : vk_fail(ei, VK_ENOMEM, "", NULL);
}

ssize_t api_export_read(api_export *x, char *buf, size_t max, vk_errinfo *ei)
{
    if (x->pos == x->pending.len) {
        /* Everything handed out: start the buffer over before refilling. */
        vk_buf_reset(&x->pending);
        x->pos = 0;
        if (produce(x, ei))
            return -1;
    }
    size_t n = x->pending.len - x->pos;
    if (n > max)
        n = max;
    if (n)
        memcpy(buf, x->pending.data + x->pos, n);
    x->pos += n;
    return (ssize_t)n;
}

int64_t api_export_done(const api_export *x) { return x->done; }
int64_t api_export_total(const api_export *x) { return x->total; }

void api_export_close(api_export *x)
{
    if (!x)
        return;
    store_cursor_close(x->cur);
    vk_ctx_free(x->ctx);
    vk_buf_fini(&x->pending);
    free(x->wkb);
    vk_arena_fini(&x->arena);
    free(x);
}

/* Every item of x->q (of dimension dim - 1 when dim > 0) into g's current
 * layer, transformed into crs. */
static vk_err gpkg_rows(api_export *x, int dim, store_gpkg *g, api_export_progress progress,
                        void *arg, vk_errinfo *ei)
{
    store_items_query q = x->q;
    q.geometry_dim = dim;
    vk_err e = store_cursor_open(x->ctx->store, x->col, &q, &x->cur, ei);
    const store_item *it;
    int rc = 0;
    while (!e && (rc = store_cursor_next(x->cur, &it, ei)) == 1) {
        if (it->wkb && (e = transformed_wkb(x, it)))
            vk_fail(ei, e, "", "item %lld could not be transformed", (long long)it->id);
        else if (!e)
            e = store_gpkg_add(g, it, it->wkb ? x->wkb : NULL, it->wkb_len, ei);
        if (progress && ++x->done % 4096 == 0)
            progress(arg, x->done, x->total);
    }
    if (!e && rc < 0)
        e = VK_EDB;
    store_cursor_close(x->cur);
    x->cur = NULL;
    return e;
}

vk_err api_export_gpkg_layer(vk_ctx *ctx, const store_collection *col, gis_crs crs, store_gpkg *g,
                             vk_errinfo *ei)
{
    api_export x = {.ctx = ctx, .col = col, .fmt = EXPORT_GPKG, .crs = crs, .q = {.limit = -1}};
    vk_err e = gpkg_rows(&x, 0, g, NULL, NULL, ei);
    free(x.wkb);
    return e;
}

int api_export_split(const store_collection *col)
{
    return col->geometry_type && strcmp(col->geometry_type, "Geometry") == 0;
}

vk_err api_export_gpkg(const vk_config *cfg, const store_collection *col, gis_crs crs,
                       const store_items_query *q, const char *path, api_export_progress progress,
                       void *arg, vk_errinfo *ei)
{
    api_export x = {.col = col, .fmt = EXPORT_GPKG, .crs = crs};
    store_gpkg *g = NULL;
    vk_err e = copy_query(&x, q) ? vk_fail(ei, VK_ENOMEM, "", NULL) : VK_OK;
    if (!e)
        e = own_ctx(cfg, &x.ctx, ei);
    if (!e)
        e = store_items_count(x.ctx->store, col, &x.q, &x.total, ei);
    /* GeoPackage stores lon/lat for EPSG:4326; CRS84 is the same thing.
     * A mixed collection becomes a layer per geometry type. */
    int split = api_export_split(col);
    if (!e)
        e = store_gpkg_create_part(&g, path, col, split, gis_crs_epsg(crs), ei);
    for (int dim = split; !e && dim <= 3 * split; dim++)
        if (!(e = dim > 1 ? store_gpkg_add_part(g, col, dim, ei) : VK_OK))
            e = gpkg_rows(&x, dim, g, progress, arg, ei);
    if (g) {
        if (e)
            store_gpkg_abort(g);
        else
            e = store_gpkg_finish(g, ei);
    }
    if (!e && progress)
        progress(arg, x.done, x.total);
    vk_ctx_free(x.ctx);
    free(x.wkb);
    vk_arena_fini(&x.arena);
    return e;
}

/* ---- shared exports (see export.h) ---- */

typedef struct gpkg_file gpkg_file;
struct gpkg_file {
    gpkg_file *next;
    const store_collection *col;
    gis_crs crs;
    long long version, changes; /* the data stamp it was built at */
    int fd;                     /* -1 while it is being built */
    long long size;
    int readers;                /* responses still sending it */
    int current;                /* 0 once a newer version replaced it */
};

struct api_exports {
    const vk_config *cfg; /* borrowed */
    pthread_mutex_t lock;
    pthread_cond_t built; /* a build ended */
    store_conn *stamp;    /* owned: only asked for the data stamp */
    gpkg_file *files;
    size_t bytes;         /* of the files still open */
    int streams;          /* GeoJSON/CSV exports being sent */
};

vk_err api_exports_new(api_exports **out, const vk_config *cfg, vk_errinfo *ei)
{
    api_exports *x = calloc(1, sizeof *x);
    if (!x)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    vk_err e = store_open_worker(&x->stamp, cfg->db_path, ei);
    if (e) {
        free(x);
        return e;
    }
    x->cfg = cfg;
    pthread_mutex_init(&x->lock, NULL);
    pthread_cond_init(&x->built, NULL);
    *out = x;
    return VK_OK;
}

void api_exports_free(api_exports *x)
{
    if (!x)
        return;
    for (gpkg_file *f = x->files, *next; f; f = next) {
        next = f->next;
        if (f->fd >= 0)
            close(f->fd);
        free(f);
    }
    store_close(x->stamp);
    pthread_cond_destroy(&x->built);
    pthread_mutex_destroy(&x->lock);
    free(x);
}

int api_exports_files(api_exports *x)
{
    int n = 0;
    pthread_mutex_lock(&x->lock);
    for (gpkg_file *f = x->files; f; f = f->next)
        n++;
    pthread_mutex_unlock(&x->lock);
    return n;
}

/* Close and forget f when it is superseded and nobody reads it. Locked. */
static void gpkg_drop_if_done(api_exports *x, gpkg_file *f)
{
    if (f->current || f->readers || f->fd < 0)
        return;
    for (gpkg_file **p = &x->files; *p; p = &(*p)->next) {
        if (*p == f) {
            *p = f->next;
            break;
        }
    }
    close(f->fd);
    x->bytes -= (size_t)f->size;
    free(f);
}

typedef struct gpkg_reader {
    api_exports *x;
    gpkg_file *f;
    long long pos;
} gpkg_reader;

static long gpkg_read(void *arg, char *buf, size_t max)
{
    gpkg_reader *r = arg;
    ssize_t n = pread(r->f->fd, buf, max, (off_t)r->pos);
    if (n > 0)
        r->pos += n;
    return (long)n;
}

static void gpkg_done(void *arg)
{
    gpkg_reader *r = arg;
    pthread_mutex_lock(&r->x->lock);
    r->f->readers--;
    gpkg_drop_if_done(r->x, r->f);
    pthread_mutex_unlock(&r->x->lock);
    free(r);
}

/* Build col in crs into a new unlinked file: *fd and *size. */
static vk_err gpkg_build(const vk_config *cfg, const store_collection *col, gis_crs crs, int *fd,
                         long long *size, vk_errinfo *ei)
{
    char path[4096];
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/vaikuta-export-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int tfd = mkstemp(path);
    if (tfd < 0)
        return vk_fail(ei, VK_EIO, "", "cannot make a temporary file");
    close(tfd);
    vk_err e = api_export_gpkg(cfg, col, crs, NULL, path, NULL, NULL, ei);
    *fd = e ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    unlink(path); /* readable through the fd until it is closed */
    struct stat st;
    if (!e && (*fd < 0 || fstat(*fd, &st) != 0)) {
        if (*fd >= 0)
            close(*fd);
        return vk_fail(ei, VK_EIO, "", "the GeoPackage vanished");
    }
    if (!e)
        *size = (long long)st.st_size;
    return e;
}

static vk_err busy(vk_ctx *ctx, vk_resp *resp, const char *what)
{
    vk_resp_header(resp, "Retry-After", "5");
    return vk_fail(&ctx->err, VK_EBUSY, "", "%s; try again shortly", what);
}

/* Serve the current GeoPackage of col in crs, building it when the data
 * changed since the last one. */
static vk_err gpkg_shared(vk_ctx *ctx, const store_collection *col, gis_crs crs, vk_resp *resp)
{
    api_exports *x = ctx->exports;
    gpkg_reader *r = calloc(1, sizeof *r);
    if (!r)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    r->x = x;
    pthread_mutex_lock(&x->lock);
    long long version, changes;
    store_data_stamp(x->stamp, &version, &changes);
    gpkg_file *f;
    for (;;) {
        for (f = x->files; f && !(f->current && f->col == col && f->crs == crs); f = f->next)
            ;
        if (!f || f->version != version || f->changes != changes || version < 0) {
            if (f) { /* superseded: gone when its last download ends */
                f->current = 0;
                gpkg_drop_if_done(x, f);
            }
            f = NULL;
            break;
        }
        if (f->fd >= 0)
            break;
        pthread_cond_wait(&x->built, &x->lock); /* being built: wait for it */
    }
    if (!f) {
        if (x->bytes >= x->cfg->export_disk) {
            pthread_mutex_unlock(&x->lock);
            free(r);
            return busy(ctx, resp, "GeoPackage exports use all the disk allowed for them");
        }
        f = calloc(1, sizeof *f);
        if (!f) {
            pthread_mutex_unlock(&x->lock);
            free(r);
            return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        }
        *f = (gpkg_file){x->files, col, crs, version, changes, -1, 0, 0, 1};
        x->files = f;
        pthread_mutex_unlock(&x->lock);
        int fd = -1;
        long long size = 0;
        vk_err e = gpkg_build(ctx->cfg, col, crs, &fd, &size, &ctx->err);
        pthread_mutex_lock(&x->lock);
        if (e) {
            f->current = 0;
            for (gpkg_file **p = &x->files; *p; p = &(*p)->next) {
                if (*p == f) {
                    *p = f->next;
                    break;
                }
            }
            free(f);
            pthread_cond_broadcast(&x->built);
            pthread_mutex_unlock(&x->lock);
            free(r);
            return e;
        }
        f->fd = fd;
        f->size = size;
        x->bytes += (size_t)size;
        pthread_cond_broadcast(&x->built);
    }
    f->readers++;
    r->f = f;
    pthread_mutex_unlock(&x->lock);
    resp->stream_read = gpkg_read;
    resp->stream_close = gpkg_done;
    resp->stream_arg = r;
    resp->stream_size = f->size;
    return VK_OK;
}

/* A streamed export, counted in x->streams from its reservation until
 * it is sent (or released). */
struct api_export_slot {
    api_exports *x; /* NULL: not counted (no server) */
    long (*read)(void *arg, char *buf, size_t max);
    void (*close)(void *arg);
    void *arg;
};

static long stream_read(void *arg, char *buf, size_t max)
{
    api_export_slot *c = arg;
    return c->read(c->arg, buf, max);
}

void api_export_release(api_export_slot *c)
{
    if (!c)
        return;
    if (c->x) {
        pthread_mutex_lock(&c->x->lock);
        c->x->streams--;
        pthread_mutex_unlock(&c->x->lock);
    }
    free(c);
}

static void stream_close(void *arg)
{
    api_export_slot *c = arg;
    c->close(c->arg);
    api_export_release(c);
}

vk_err api_export_reserve(vk_ctx *ctx, vk_resp *resp, api_export_slot **out)
{
    api_export_slot *cs = calloc(1, sizeof *cs);
    if (!cs)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    api_exports *xs = ctx->exports;
    if (xs) {
        pthread_mutex_lock(&xs->lock);
        int full = xs->streams >= xs->cfg->max_exports;
        xs->streams += !full;
        pthread_mutex_unlock(&xs->lock);
        if (full) {
            free(cs);
            return busy(ctx, resp, "the most exports the server sends at once are being sent");
        }
        cs->x = xs;
    }
    *out = cs;
    return VK_OK;
}

void api_export_send(api_export_slot *slot, vk_resp *resp,
                     long (*read)(void *arg, char *buf, size_t max), void (*close)(void *arg),
                     void *arg)
{
    slot->read = read;
    slot->close = close;
    slot->arg = arg;
    resp->stream_read = stream_read;
    resp->stream_close = stream_close;
    resp->stream_arg = slot;
}

struct api_export_held {
    vk_arena arena;
    api_export *x;
};

api_export_held *api_export_held_new(void)
{
    api_export_held *h = calloc(1, sizeof *h);
    if (h)
        vk_arena_init(&h->arena, 0);
    return h;
}

vk_arena *api_export_held_arena(api_export_held *h)
{
    return &h->arena;
}

void api_export_held_free(api_export_held *h)
{
    if (!h)
        return;
    api_export_close(h->x);
    vk_arena_fini(&h->arena);
    free(h);
}

static long held_read(void *arg, char *buf, size_t max)
{
    api_export_held *h = arg;
    vk_errinfo ei;
    return (long)api_export_read(h->x, buf, max, &ei);
}

static void held_close(void *arg)
{
    api_export_held_free(arg);
}

vk_err api_export_held_send(api_export_held *h, vk_ctx *ctx, vk_resp *resp,
                            const store_collection *col, api_export_format fmt, gis_crs crs)
{
    api_export_slot *slot = NULL;
    vk_err e = api_export_reserve(ctx, resp, &slot);
    if (!e)
        e = api_export_open(&h->x, ctx->cfg, col, fmt, crs, NULL, &ctx->err);
    if (e) {
        api_export_release(slot);
        api_export_held_free(h);
        return e;
    }
    api_export_send(slot, resp, held_read, held_close, h);
    return VK_OK;
}

void api_export_attachment(const vk_req *req, vk_resp *resp, const char *slug, const char *file,
                           api_export_format fmt)
{
    char *d = vk_arena_alloc(req->arena, 256);
    if (d) {
        snprintf(d, 256, "attachment; filename=\"%s-%s\"", slug, file);
        vk_resp_header(resp, "Content-Disposition", d);
    }
    resp->content_type = api_export_media_type(fmt);
}

static long export_read(void *arg, char *buf, size_t max)
{
    vk_errinfo ei;
    return (long)api_export_read(arg, buf, max, &ei);
}

static void export_close(void *arg)
{
    api_export_close(arg);
}

vk_err api_export_file(vk_ctx *ctx, const vk_req *req, vk_resp *resp,
                       vk_err (*build)(void *arg, const char *path, vk_errinfo *ei), void *arg)
{
    char *path = vk_arena_alloc(req->arena, 4096);
    const char *tmp = getenv("TMPDIR");
    if (!path)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    snprintf(path, 4096, "%s/vaikuta-export-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return vk_fail(&ctx->err, VK_EIO, "", "cannot make a temporary file");
    close(fd);
    vk_err e = build(arg, path, &ctx->err);
    if (e) {
        unlink(path);
        return e;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        unlink(path);
        return vk_fail(&ctx->err, VK_EIO, "", "the GeoPackage vanished");
    }
    resp->file_path = path;
    resp->file_size = (long long)st.st_size;
    resp->file_unlink = 1;
    return VK_OK;
}

typedef struct gpkg_job {
    const vk_config *cfg;
    const store_collection *col;
    gis_crs crs;
    const store_items_query *q;
} gpkg_job;

static vk_err gpkg_job_build(void *arg, const char *path, vk_errinfo *ei)
{
    gpkg_job *j = arg;
    return api_export_gpkg(j->cfg, j->col, j->crs, j->q, path, NULL, NULL, ei);
}

/* ---- a layer of one category: its questions as typed columns ---- */

typedef struct question_columns {
    vk_arena *arena;
    const store_collection *base;
    store_column *columns;
    int n, max;
    int failed;
} question_columns;

static int taken(const question_columns *qc, const char *name)
{
    for (int i = 0; i < qc->n; i++)
        if (strcmp(qc->columns[i].name, name) == 0)
            return 1;
    return 0;
}

static int add_question(void *arg, const store_attribute *a)
{
    question_columns *qc = arg;
    /* Codes go into SQL text as a JSON path: letters, digits, '_' only. */
    if (strspn(a->code, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(a->code) ||
        qc->n >= qc->max)
        return 0;
    store_column *c = &qc->columns[qc->n];
    char *name = vk_arena_alloc(qc->arena, strlen(a->code) + 8);
    char *sql = vk_arena_alloc(qc->arena, strlen(a->code) + 48);
    char *title = vk_arena_strdup(qc->arena, a->description[0] ? a->description[0] : a->code);
    if (!name || !sql || !title) {
        qc->failed = 1;
        return 1;
    }
    /* A code that is also a column's name (status…) is prefixed. */
    strcpy(name, a->code);
    if (taken(qc, name))
        snprintf(name, strlen(a->code) + 8, "attr_%s", a->code);
    snprintf(sql, strlen(a->code) + 48, "json_extract(f.attributes, '$.%s')", a->code);
    int many = strcmp(a->datatype, "multivaluelist") == 0;
    cql2_qtype t = strcmp(a->datatype, "number") == 0     ? CQL2_Q_NUMBER
                   : strcmp(a->datatype, "datetime") == 0 ? CQL2_Q_DATETIME
                                                          : CQL2_Q_STRING;
    *c = (store_column){name, sql, t, title, NULL, many};
    qc->n++;
    return 0;
}

/* The feedback layer of one category (?category=lighting): the answers to
 * that category's questions as columns of their own, typed (a number as
 * Real, a time as DateTime, a choice as its key, several as a JSON array),
 * in place of the attributes JSON of the mixed layer. *out is col itself
 * when the request is not for exactly one category. Arena memory. */
static vk_err category_layer(vk_ctx *ctx, const vk_req *req, const store_collection *col,
                             const store_collection **out)
{
    *out = col;
    const char *category = vk_req_param(req, "category");
    int nparams = 0, json_at = -1;
    for (int i = 0; i < req->nparams; i++)
        nparams += strcmp(req->params[i].key, "category") == 0;
    for (int i = 0; i < col->ncolumns; i++)
        if (col->columns[i].json && strcmp(col->columns[i].name, "attributes") == 0)
            json_at = i;
    if (!category || nparams != 1 || json_at < 0 || strcmp(col->id, "feedback") != 0)
        return VK_OK;
    question_columns qc = {req->arena, col, NULL, 0, col->ncolumns + 32, 0};
    store_collection *one = vk_arena_alloc(req->arena, sizeof *one);
    qc.columns = vk_arena_alloc(req->arena, sizeof *qc.columns * (size_t)qc.max);
    if (!one || !qc.columns)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    for (int i = 0; i < col->ncolumns; i++)
        if (i != json_at)
            qc.columns[qc.n++] = col->columns[i];
    vk_err e = store_attribute_each(ctx->store, category, add_question, &qc, &ctx->err);
    if (e)
        return e;
    if (qc.failed)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    *one = *col;
    one->columns = qc.columns;
    one->ncolumns = qc.n;
    *out = one;
    return VK_OK;
}

vk_err api_export_http(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    const char *file = req->nargs ? req->args[0] : "";
    const char *dot = strrchr(file, '.');
    api_export_format fmt;
    char name[64];
    if (!dot || (size_t)(dot - file) >= sizeof name || api_export_format_parse(dot + 1, &fmt))
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "path",
                       "ask for COLLECTION.geojson, COLLECTION.csv (its types: COLLECTION.csvt) or COLLECTION.gpkg");
    memcpy(name, file, (size_t)(dot - file));
    name[dot - file] = '\0';
    const store_collection *col = store_collection_find(name);
    if (!col)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "collection", "there is no collection '%.40s'",
                       vk_utf8_valid(name, strlen(name), NULL) ? name : "?");
    /* The same filters as the collection's items (features/items.h). */
    api_items it;
    api_items_init(&it, col);
    vk_err e = api_items_params(ctx, req, &it, 0, NULL);
    if (e || (e = category_layer(ctx, req, col, &col)))
        return e;
    gis_crs crs = it.crs;
    int filtered = it.q.has_bbox || it.q.where || it.q.time_start || it.q.time_end;
    char *disposition = vk_arena_alloc(req->arena, 128);
    if (!disposition)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    snprintf(disposition, 128, "attachment; filename=\"%s\"", file);
    vk_resp_header(resp, "Content-Disposition", disposition);
    resp->content_type = api_export_media_type(fmt);
    if (fmt == EXPORT_GPKG && ctx->exports && !filtered)
        return gpkg_shared(ctx, col, crs, resp);
    if (fmt == EXPORT_GPKG) {
        /* Filtered, or without a server (handler tests): a file per
         * request. */
        gpkg_job job = {ctx->cfg, col, crs, &it.q};
        return api_export_file(ctx, req, resp, gpkg_job_build, &job);
    }
    api_export_slot *slot = NULL;
    api_export *x = NULL;
    if ((e = api_export_reserve(ctx, resp, &slot)))
        return e;
    if ((e = api_export_open(&x, ctx->cfg, col, fmt, crs, &it.q, &ctx->err))) {
        api_export_release(slot);
        return e;
    }
    api_export_send(slot, resp, export_read, export_close, x);
    return VK_OK;
}
