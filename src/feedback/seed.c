/*
 * seed.c — the demo feedback (seeds/demo-feedback.geojson, `--demo`). It
 * goes through api_feedback_read(), the same checks as the API, and is
 * loaded only into a database without feedback, so a second --demo adds
 * nothing.
 */
#include "feedback/feedback.h"

#include "core/jsonfile.h"

vk_err api_seed_demo(vk_ctx *ctx, const char *seeds_dir, int *added, vk_errinfo *ei)
{
    int64_t existing = 0;
    *added = 0;
    vk_err e = store_ping(ctx->store, &existing, ei);
    if (e || existing > 0)
        return e;
    json_t *fc = NULL;
    const json_t *features;
    if ((e = vk_json_load_file(seeds_dir, "demo-feedback.geojson", &fc, ei)))
        return e;
    if (!(e = vk_json_features(fc, "demo-feedback.geojson", &features, ei)))
        e = store_begin(ctx->store, ei);
    for (size_t i = 0; !e && i < json_array_size(features); i++) {
        api_feedback_input in;
        int64_t id;
        e = api_feedback_read(ctx, json_array_get(features, i), API_INPUT_TRUSTED, &in, ei);
        if (e)
            vk_fail(ei, e, ei->field, "demo-feedback.geojson feature %zu: %s", i, ei->message);
        else
            e = store_feedback_insert(ctx->store, &in.row, &id, ei);
        api_feedback_input_fini(&in);
        if (!e)
            ++*added;
    }
    if (!e)
        e = store_commit(ctx->store, ei);
    if (e) {
        store_rollback(ctx->store);
        *added = 0;
    }
    json_decref(fc);
    return e;
}
