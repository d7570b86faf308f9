/*
 * import.h — bringing a city's feedback history in from its old system:
 * GeoJSON (RFC 7946, streamed feature by feature in constant memory) or a
 * GeoPackage layer (EPSG:4326, 3067 or 3879). Every feature goes through
 * api_feedback_read(), the checks of the API, as trusted input (status,
 * answer and times are kept). All or nothing by default; with skip_invalid
 * the rest is loaded and each skipped feature is reported.
 */
#ifndef VK_IMPORT_H
#define VK_IMPORT_H

#include <stdint.h>

#include "db/ctx.h"

typedef struct api_import_opts {
    int skip_invalid;
    /* Each skipped feature: its 0-based index and why. May be NULL. */
    void (*skipped)(void *arg, int64_t index, const vk_errinfo *why);
    /* Progress: done units of total (features, or bytes for GeoJSON). */
    void (*progress)(void *arg, int64_t done, int64_t total);
    void *arg;
} api_import_opts;

typedef struct api_import_result {
    int64_t added;
    int64_t skipped;
} api_import_result;

vk_err api_import_file(vk_ctx *ctx, const char *path, const api_import_opts *opts,
                       api_import_result *res, vk_errinfo *ei);

#endif
