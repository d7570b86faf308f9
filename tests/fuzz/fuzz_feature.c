/*
 * fuzz_feature.c — libFuzzer target for everything a POSTed body goes
 * through before it is stored: UTF-8 and JSON checks (api_json_parse),
 * reading the Feature and its properties, and the GeoJSON geometry checks
 * with GEOS, the boundary and the districts (api_feedback_read), on a real
 * in-memory SpatiaLite database with the test fixtures' areas.
 *
 * Beyond the sanitizers it aborts when a refusal is not a 4xx, has no
 * message, or names a field that is not valid UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "feedback/feedback.h"
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
    if (store_open(&s, cfg.db_path, &ei) || vk_ctx_new(&ctx, &cfg, s, &ei) ||
        api_seed_reference(ctx, VK_SOURCE_DIR "/tests/fixtures/geo", VK_SOURCE_DIR "/tests/fixtures/seeds", &ei)) {
        fprintf(stderr, "fuzz_feature: setup failed: %s\n", ei.message);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    json_t *doc = NULL;
    vk_err e = api_json_parse((const char *)data, size, &doc, &ei);
    for (int kind = 0; !e && kind < 2; kind++) {
        api_feedback_input in;
        vk_err r = api_feedback_read(ctx, doc, kind ? API_INPUT_TRUSTED : API_INPUT_PUBLIC, &in, &ei);
        if (r && (vk_err_status(r) < 400 || vk_err_status(r) >= 500 || !ei.message[0] ||
                  !vk_utf8_valid(ei.field, strlen(ei.field), NULL)))
            abort();
        if (!r && (!in.row.wkb || in.row.wkb_len < 21))
            abort(); /* accepted means a geometry to store */
        api_feedback_input_fini(&in);
    }
    if (e && (vk_err_status(e) < 400 || vk_err_status(e) >= 500 || !ei.message[0]))
        abort();
    json_decref(doc);
    return 0;
}
