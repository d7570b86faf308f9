/*
 * import.c — GeoJSON and GeoPackage imports into the feedback collection.
 *
 * GeoJSON is read in 64 KiB blocks by a small scanner that follows JSON
 * strings and nesting, finds the "features" array of the top-level object
 * and hands each feature's text, one at a time, to jansson. So a file of a
 * million features needs the memory of one. GeoPackage rows are turned
 * into the same Feature objects, so both go through one check.
 */
#include "exchange/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/json.h"
#include "feedback/feedback.h"
#include "exchange/gpkg.h"

#define FEATURE_MAX (16u * 1024 * 1024) /* bytes in one feature */

typedef struct importer {
    vk_ctx *ctx;
    const api_import_opts *opts;
    api_import_result *res;
    int64_t index;
} importer;

/* Check and store one feature. A bad feature is an error unless skipping. */
static vk_err take_feature(importer *im, json_t *feature, vk_errinfo *ei)
{
    api_feedback_input in;
    vk_errinfo why;
    vk_errinfo_clear(&why);
    int64_t id;
    vk_err e = api_feedback_read(im->ctx, feature, API_INPUT_TRUSTED, &in, &why);
    if (!e)
        e = store_feedback_insert(im->ctx->store, &in.row, &id, &why);
    api_feedback_input_fini(&in);
    int64_t index = im->index++;
    if (!e) {
        im->res->added++;
        return VK_OK;
    }
    if (e == VK_EDB || !im->opts->skip_invalid)
        return vk_fail(ei, e, why.field, "feature %lld: %s%s%s", (long long)index, why.message,
                       why.field[0] ? " (" : "", why.field[0] ? why.field : "");
    im->res->skipped++;
    if (im->opts->skipped)
        im->opts->skipped(im->opts->arg, index, &why);
    return VK_OK;
}

/* ---- GeoJSON ---- */

typedef struct scanner {
    int depth;          /* nesting of objects and arrays */
    int in_string, escape;
    int features_depth; /* depth inside the "features" array, 0 = not in it */
    int key_pending;    /* the last string at depth 1 may be a key */
    char key[16];       /* the last key seen in the top-level object */
    size_t key_len;
    int capturing;      /* inside one feature */
    vk_buf feature;
} scanner;

static vk_err geojson_import(importer *im, const char *path, vk_errinfo *ei)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vk_fail(ei, VK_EIO, "", "cannot open %s", path);
    struct stat st;
    int64_t total = fstat(fileno(f), &st) == 0 ? (int64_t)st.st_size : 0, done = 0;
    scanner sc = {0};
    vk_buf_init(&sc.feature, FEATURE_MAX);
    char block[64 * 1024];
    size_t n;
    vk_err e = VK_OK;
    int seen_features = 0;
    while (!e && (n = fread(block, 1, sizeof block, f)) > 0) {
        for (size_t i = 0; i < n && !e; i++) {
            char c = block[i];
            if (sc.capturing && vk_buf_putc(&sc.feature, c)) {
                e = vk_fail(ei, VK_ETOO_LONG, "", "feature %lld is larger than %u bytes",
                            (long long)im->index, FEATURE_MAX);
                break;
            }
            if (sc.in_string) {
                if (sc.escape)
                    sc.escape = 0;
                else if (c == '\\')
                    sc.escape = 1;
                else if (c == '"')
                    sc.in_string = 0;
                else if (sc.depth == 1 && sc.key_len < sizeof sc.key - 1)
                    sc.key[sc.key_len++] = c;
                continue;
            }
            switch (c) {
            case '"':
                sc.in_string = 1;
                if (sc.depth == 1 && !sc.capturing) {
                    sc.key_len = 0;
                    memset(sc.key, 0, sizeof sc.key);
                }
                break;
            case '{':
            case '[':
                sc.depth++;
                if (c == '[' && sc.depth == 2 && strcmp(sc.key, "features") == 0) {
                    sc.features_depth = 2;
                    seen_features = 1;
                } else if (c == '{' && sc.features_depth && sc.depth == 3) {
                    sc.capturing = 1;
                    vk_buf_reset(&sc.feature);
                    vk_buf_putc(&sc.feature, '{');
                }
                if (sc.depth > 10000)
                    e = vk_fail(ei, VK_EJSON, "", "%s nests too deeply", path);
                break;
            case '}':
            case ']':
                if (sc.depth == 0) {
                    e = vk_fail(ei, VK_EJSON, "", "%s is not valid JSON (unbalanced brackets)", path);
                    break;
                }
                if (c == '}' && sc.capturing && sc.depth == 3) {
                    json_t *feature = NULL;
                    sc.capturing = 0;
                    vk_errinfo why;
                    if (api_json_parse(sc.feature.data, sc.feature.len, &feature, &why)) {
                        if (!im->opts->skip_invalid)
                            e = vk_fail(ei, why.code, "", "feature %lld: %s", (long long)im->index,
                                        why.message);
                        else if (im->res->skipped++, im->opts->skipped)
                            im->opts->skipped(im->opts->arg, im->index, &why);
                        im->index++;
                    } else {
                        e = take_feature(im, feature, ei);
                        json_decref(feature);
                    }
                }
                if (c == ']' && sc.depth == 2 && sc.features_depth)
                    sc.features_depth = 0;
                sc.depth--;
                break;
            default:
                break;
            }
        }
        done += (int64_t)n;
        if (im->opts->progress)
            im->opts->progress(im->opts->arg, done, total);
    }
    if (!e && ferror(f))
        e = vk_fail(ei, VK_EIO, "", "reading %s failed", path);
    if (!e && (sc.depth != 0 || sc.in_string))
        e = vk_fail(ei, VK_EJSON, "", "%s ends in the middle of the JSON", path);
    if (!e && !seen_features)
        e = vk_fail(ei, VK_EVALUE, "", "%s is not a GeoJSON FeatureCollection (no \"features\")", path);
    vk_buf_fini(&sc.feature);
    fclose(f);
    return e;
}

/* ---- GeoPackage ---- */

static const char *const feedback_fields[] = {"category", "description", "place", "status",
                                              "resolution_reason", "forwarded_to", "answer",
                                              "answered", "created",
                                              "updated", "location_precision", NULL};

static vk_err gpkg_import(importer *im, const char *path, vk_errinfo *ei)
{
    store_gpkg_reader *r = NULL;
    int srid = 0;
    int64_t total = 0;
    vk_err e = store_gpkg_open_read(&r, path, NULL, &srid, &total, ei);
    if (e)
        return e;
    gis_crs crs;
    char name[32];
    snprintf(name, sizeof name, "EPSG:%d", srid);
    if (gis_crs_parse(name, &crs)) {
        store_gpkg_close(r);
        return vk_fail(ei, VK_EVALUE, "", "the layer's CRS is EPSG:%d; reproject it to EPSG:4326, "
                                          "3067 or 3879 first (ogr2ogr -t_srs EPSG:4326)", srid);
    }
    const unsigned char *wkb;
    size_t wkb_len;
    int ncols, rc;
    const char *const *names;
    const store_value *values;
    unsigned char *copy = NULL;
    vk_buf geo;
    vk_buf_init(&geo, 64u * 1024 * 1024);
    while (!e && (rc = store_gpkg_next(r, &wkb, &wkb_len, &ncols, &names, &values, ei)) == 1) {
        json_t *props = json_object();
        for (int i = 0; i < ncols; i++) {
            for (int k = 0; feedback_fields[k]; k++) {
                if (strcmp(names[i], feedback_fields[k]) != 0 || values[i].type == STORE_NULL)
                    continue;
                json_t *v = values[i].type == STORE_TEXT ? json_string(values[i].text)
                            : values[i].type == STORE_INT ? json_integer(values[i].i)
                                                          : json_real(values[i].d);
                json_object_set_new(props, names[i], v);
            }
        }
        json_t *geometry = json_null();
        unsigned char *grown = wkb_len ? realloc(copy, wkb_len) : copy;
        if (wkb && wkb_len && grown) {
            copy = grown;
            memcpy(copy, wkb, wkb_len);
            vk_buf_reset(&geo);
            if (gis_proj_wkb_to_storage_en(im->ctx->proj, crs, copy, wkb_len) == VK_OK &&
                gis_wkb_to_geojson(copy, wkb_len, &geo) == VK_OK)
                geometry = json_loadb(geo.data, geo.len, 0, NULL);
        }
        json_t *feature = json_pack("{s:s, s:o, s:o}", "type", "Feature", "geometry",
                                    geometry ? geometry : json_null(), "properties", props);
        e = feature ? take_feature(im, feature, ei) : vk_fail(ei, VK_ENOMEM, "", NULL);
        json_decref(feature);
        if (im->opts->progress && im->index % 1024 == 0)
            im->opts->progress(im->opts->arg, im->index, total);
    }
    if (!e && rc < 0)
        e = VK_EIO;
    if (!e && im->opts->progress)
        im->opts->progress(im->opts->arg, im->index, total);
    vk_buf_fini(&geo);
    free(copy);
    store_gpkg_close(r);
    return e;
}

static int is_sqlite_file(const char *path)
{
    char head[16] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == sizeof head && memcmp(head, "SQLite format 3", 16) == 0;
}

vk_err api_import_file(vk_ctx *ctx, const char *path, const api_import_opts *opts,
                       api_import_result *res, vk_errinfo *ei)
{
    memset(res, 0, sizeof *res);
    importer im = {ctx, opts, res, 0};
    vk_err e = store_begin(ctx->store, ei);
    if (e)
        return e;
    e = is_sqlite_file(path) ? gpkg_import(&im, path, ei) : geojson_import(&im, path, ei);
    if (!e)
        e = store_commit(ctx->store, ei);
    if (e) {
        store_rollback(ctx->store);
        res->added = 0;
    }
    return e;
}
