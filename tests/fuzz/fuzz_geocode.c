/*
 * fuzz_geocode.c — libFuzzer target for the gazetteer's query text
 * (GET /api/v1/geocode?q=, Open311's address_string): the input, as the
 * API admits it (valid UTF-8, at most GAZ_QUERY_MAX bytes), is searched in
 * a real in-memory SpatiaLite database holding tests/fixtures/places.csv.
 * Beyond the sanitizers it aborts when a search fails or a result has no
 * name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "places/gazetteer.h"
#include "places/load.h"
#include "reference/reference.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vk_config cfg;
static vk_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    cfg.db_path = ":memory:";
    store_conn *s = NULL;
    vk_errinfo ei;
    gaz_load_stats st;
    if (store_open(&s, cfg.db_path, &ei) || vk_ctx_new(&ctx, &cfg, s, &ei) ||
        api_seed_reference(ctx, VK_SOURCE_DIR "/tests/fixtures/geo",
                           VK_SOURCE_DIR "/tests/fixtures/seeds", &ei) ||
        vk_ctx_reload_areas(ctx, &ei) ||
        gaz_load_csv(ctx, VK_SOURCE_DIR "/tests/fixtures/places.csv", GIS_CRS_CRS84, &st, &ei)) {
        fprintf(stderr, "fuzz_geocode: setup failed: %s\n", ei.message);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > GAZ_QUERY_MAX)
        return 0;
    char q[GAZ_QUERY_MAX + 1];
    memcpy(q, data, size);
    q[size] = '\0';
    if (strlen(q) != size || !vk_utf8_valid(q, size, NULL))
        return 0; /* the API refuses these before searching */
    gaz_place out[GAZ_MAX_RESULTS];
    int n = 0;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (gaz_search(ctx->store, q, GAZ_MAX_RESULTS, out, &n, &ei) != VK_OK) {
        fprintf(stderr, "fuzz_geocode: search failed: %s\n", ei.message);
        abort();
    }
    for (int i = 0; i < n; i++) {
        char label[600];
        gaz_place_label(&out[i], "sv", label, sizeof label);
        if (!out[i].name[0] || !label[0])
            abort();
        gaz_place_fini(&out[i]);
    }
    return 0;
}
