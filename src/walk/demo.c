/*
 * demo.c — the demo walks of seeds/walks/ (demo-*.json), loaded by --demo
 * once (when there is no walk yet). Each file is a walk, its findings as
 * recorded (checked by walk_finding_prepare exactly as the POST route
 * checks them), and for each finding its later status changes and council
 * reviews, stored through the same calls as the staff routes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "core/jsonfile.h"
#include "core/sha256.h"
#include "walk/demo.h"
#include "walk/sql.h"
#include "walk/store.h"

static const char *const demo_files[] = {"demo-vuoksenniska.json", "demo-imatrankoski.json"};

static void in_file(vk_errinfo *ei, vk_err e, const char *file, const char *what)
{
    char field[sizeof ei->field], msg[sizeof ei->message];
    snprintf(field, sizeof field, "%s", ei->field);
    snprintf(msg, sizeof msg, "%s", ei->message);
    vk_fail(ei, e, field, "seeds/walks/%s: %s: %s", file, what, msg);
}

static const char *text(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* One finding: recorded, then its history and its reviews. */
static vk_err demo_finding(vk_ctx *ctx, int64_t walk_id, const char *walk_date, json_t *f,
                           vk_errinfo *ei)
{
    static const char *const extra[] = {"history", "reviews", NULL};
    walk_finding_new n;
    vk_err e = walk_finding_prepare(ctx, walk_checklist_get(NULL), f, extra, NULL, 0, walk_date,
                                    &n, ei);
    int64_t id = 0;
    if (!e) {
        n.walk_id = walk_id;
        char *body = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
        vk_sha256_hex_of(body ? body : "", body ? strlen(body) : 0, n.body_hash);
        free(body);
        e = walk_store_finding_insert(ctx->store, &n, n.created, "demo", &id, ei);
    }
    const char *status = "open";
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(f, "history"), i, h) {
        if (e)
            break;
        walk_status_change ch = {text(h, "status"), text(h, "target_date"), text(h, "unit"),
                                 text(h, "reason"), text(h, "how"), text(h, "explanation"), 0};
        e = walk_store_set_status(ctx->store, id, n.uuid, status, &ch, text(h, "at"), "demo", ei);
        status = ch.to;
    }
    json_t *r;
    json_array_foreach(json_object_get(f, "reviews"), i, r) {
        if (e)
            break;
        char key[80];
        snprintf(key, sizeof key, "demo:%s", text(r, "reviewer"));
        e = db_run(ctx->store, &walk_sql, SQL_REVIEW_PUT,
                   DB_ARGS(DB_INT(id), DB_TEXT(key), DB_TEXT(text(r, "reviewer")),
                           DB_TEXT(text(r, "vote")), DB_TEXT(text(r, "grade")),
                           DB_TEXT(text(r, "comment")), DB_TEXT(n.created)),
                   "storing a demo review", ei);
    }
    if (!e && json_array_size(json_object_get(f, "reviews")))
        e = walk_store_recount(ctx->store, id, walk_grade_parse(n.grade), ei);
    walk_finding_new_fini(&n);
    return e;
}

static vk_err demo_file(vk_ctx *ctx, const char *dir, const char *file, int *findings,
                        vk_errinfo *ei)
{
    json_t *doc = NULL;
    vk_err e = vk_json_load_file(dir, file, &doc, ei);
    if (e)
        return e;
    walk_input in;
    char code[WALK_CODE_LEN + 1], hash[65], now[VK_RFC3339_LEN];
    int64_t walk_id = 0;
    vk_now_rfc3339(now);
    walk_code_new(code);
    walk_code_hash(code, hash);
    if ((e = walk_input_read(ctx, json_object_get(doc, "walk"), &in, ei))) {
        in_file(ei, e, file, "the walk");
        json_decref(doc);
        return e;
    }
    int own = 0;
    e = store_begin_own(ctx->store, &own, ei);
    if (!e && !(e = walk_store_insert(ctx->store, &in, hash, now, "demo", &walk_id, ei))) {
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(doc, "findings"), i, f) {
            if ((e = demo_finding(ctx, walk_id, in.date, f, ei))) {
                char what[48];
                snprintf(what, sizeof what, "findings[%zu]", i);
                in_file(ei, e, file, what);
                break;
            }
            ++*findings;
        }
    }
    e = store_end_own(ctx->store, own, e, ei);
    walk_input_fini(&in);
    json_decref(doc);
    return e;
}

vk_err walk_demo_load(vk_ctx *ctx, const char *seeds_dir, int *walks, int *findings,
                      vk_errinfo *ei)
{
    *walks = *findings = 0;
    int64_t any = 0;
    vk_err e = db_int64(ctx->store, &walk_sql, SQL_WALK_ANY, DB_NO_ARGS, &any, "counting walks", ei);
    if (e || any)
        return e; /* once: never over walks already there */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/walks", seeds_dir);
    /* A seeds directory without walks/ (a city's own seeds, the tests'
     * fixtures) has no demo walks, as one without surveys/ has no surveys. */
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return VK_OK;
    for (size_t i = 0; i < sizeof demo_files / sizeof demo_files[0]; i++) {
        if ((e = demo_file(ctx, dir, demo_files[i], findings, ei)))
            return e;
        ++*walks;
    }
    return VK_OK;
}
