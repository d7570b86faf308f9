/*
 * export.h — whole collections out as GeoJSON, CSV or GeoPackage, in
 * constant memory, for `vaikuta export` and GET /api/v1/export/….
 *
 * GeoJSON and CSV are produced by a pull-style stream: each read fills the
 * caller's buffer from a cursor over the collection, so an HTTP response
 * and a file are written by the same code. An export has its own database
 * connection (never a worker's), so a slow download holds nobody up.
 */
#ifndef VK_EXPORT_H
#define VK_EXPORT_H

#include <stdint.h>
#include <sys/types.h>

#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"
#include "features/collections.h"

/* EXPORT_CSVT: the one line of column types GDAL reads beside a CSV
 * (feedback.csvt beside feedback.csv). */
typedef enum { EXPORT_GEOJSON, EXPORT_CSV, EXPORT_GPKG, EXPORT_CSVT } api_export_format;

/* "geojson", "csv", "gpkg", "csvt" → format; -1 if unknown. */
int api_export_format_parse(const char *s, api_export_format *out);
const char *api_export_media_type(api_export_format f);

typedef struct api_export api_export;

/* A GeoJSON or CSV stream of the collection's items that q selects (NULL:
 * every item; paging ignored; q is copied) in crs. Caller closes with
 * api_export_close(). */
vk_err api_export_open(api_export **out, const vk_config *cfg, const store_collection *col,
                       api_export_format fmt, gis_crs crs, const store_items_query *q,
                       vk_errinfo *ei);
/* Up to max bytes into buf: > 0 bytes, 0 at the end, -1 on error (ei). */
ssize_t api_export_read(api_export *x, char *buf, size_t max, vk_errinfo *ei);
/* Items written so far and in all (for progress). */
int64_t api_export_done(const api_export *x);
int64_t api_export_total(const api_export *x);
void api_export_close(api_export *x);

typedef void (*api_export_progress)(void *arg, int64_t done, int64_t total);

/* The collection's items that q selects (NULL: all) as a GeoPackage at
 * path (which must not exist). A mixed collection (api_export_split) gets
 * a layer per geometry type: <id>_point, <id>_line, <id>_polygon. */
vk_err api_export_gpkg(const vk_config *cfg, const store_collection *col, gis_crs crs,
                       const store_items_query *q, const char *path,
                       api_export_progress progress, void *arg, vk_errinfo *ei);
/* 1 when col mixes geometry types and its GeoPackage is split. */
int api_export_split(const store_collection *col);

/* ---- for the exports of other data (exchange/survey_export.c) ---- */

struct store_gpkg;
/* Every item of col into g's current layer (exchange/gpkg.h), in crs,
 * read through ctx's connection. */
vk_err api_export_gpkg_layer(vk_ctx *ctx, const store_collection *col, gis_crs crs,
                             struct store_gpkg *g, vk_errinfo *ei);
/* A place among the exports sent at once, taken before the export is
 * opened: 503 busy (Retry-After) when every place is taken. Then either
 * send a streamed body in it (read/close as vk_resp's; the place is free
 * again when the response ends) or release it. */
typedef struct api_export_slot api_export_slot;
vk_err api_export_reserve(vk_ctx *ctx, vk_resp *resp, api_export_slot **out);
void api_export_send(api_export_slot *slot, vk_resp *resp,
                     long (*read)(void *arg, char *buf, size_t max), void (*close)(void *arg),
                     void *arg);
void api_export_release(api_export_slot *slot);
/* An export of a collection made for one request (a survey's, a round's),
 * held with the arena the collection lives in until the download ends.
 * Load the collection into api_export_held_arena(h); then either send it
 * with api_export_held_send, which takes ownership of h in every case, or
 * free h with api_export_held_free. NULL when out of memory. */
typedef struct api_export_held api_export_held;
api_export_held *api_export_held_new(void);
vk_arena *api_export_held_arena(api_export_held *h);
void api_export_held_free(api_export_held *h);
vk_err api_export_held_send(api_export_held *h, vk_ctx *ctx, vk_resp *resp,
                            const store_collection *col, api_export_format fmt, gis_crs crs);
/* Content-Disposition "attachment" named "{slug}-{file}" and fmt's media
 * type on resp (the header text in req's arena). */
void api_export_attachment(const vk_req *req, vk_resp *resp, const char *slug, const char *file,
                           api_export_format fmt);
/* Build a file with build(arg, path) at a new temporary path and send it;
 * it is removed once open. */
vk_err api_export_file(vk_ctx *ctx, const vk_req *req, vk_resp *resp,
                       vk_err (*build)(void *arg, const char *path, vk_errinfo *ei), void *arg);
/* CSV as the exports write it: a field RFC 4180-quoted when it must be,
 * text a spreadsheet would run as a formula prefixed with an apostrophe;
 * a value (NULL empty, numbers as JSON writes them). */
void api_csv_field(vk_buf *b, const char *s);
void api_csv_value(vk_buf *b, const store_value *v);

/* The server's exports, shared by every worker (thread-safe).
 *
 * A GeoPackage is built once per collection, CRS and data version and
 * then served to every request for it (concurrent and later ones) from
 * one open, already unlinked file: nothing is left on disk after a crash,
 * and a version is gone once a newer one has replaced it and its last
 * download has ended. The data version is PRAGMA data_version of an own
 * connection, which changes with every commit by anyone else (writes over
 * HTTP, the CLI): a superset of the public changes. Bytes of the files
 * still open are capped (cfg->export_disk); a build over the cap is 503
 * busy. GeoJSON and CSV stream from their own connection; at most
 * cfg->max_exports at once, more are 503 busy. Caller frees with
 * api_exports_free() after every response using it has ended. */
typedef struct api_exports api_exports;
vk_err api_exports_new(api_exports **out, const vk_config *cfg, vk_errinfo *ei);
void api_exports_free(api_exports *x);
/* GeoPackage files alive now (current and superseded but still read). */
int api_exports_files(api_exports *x);

/* GET /api/v1/export/{collection}.{geojson|csv|gpkg}[?crs=…&filters]:
 * the filters of the collection's items (bbox, datetime, filter, and
 * each queryable: category, status, district…); always on
 * the expensive-request threads. */
#define EXPORT_ROUTES(R) R(VK_ANY_GET, "/api/v1/export/{file}", api_export_http, PUBLIC, 0, 1)
EXPORT_ROUTES(VK_ROUTE_HANDLER)

#endif
