/* test_json.c — reading request bodies and Features, seeds and load-geo,
 * on a real temporary SpatiaLite database with the fixture areas. */
#include <stdlib.h>

#include "core/json.h"
#include "feedback/feedback.h"
#include "reference/reference.h"
#include "features/collections.h"
#include "t.h"
#include "tmp.h"

#define FIXTURES VK_SOURCE_DIR "/tests/fixtures"

static vk_config cfg;

/* Columns of the feedback collection that the seed tests look at. */
typedef struct {
    int found;
    char created[32], answer[64], district[32];
} item_row;

static int take_row(void *arg, const store_item *it)
{
    item_row *r = arg;
    const store_collection *col = store_collection_find("feedback");
    r->found = 1;
    for (int i = 0; i < col->ncolumns; i++) {
        const char *v = it->values[i].type == STORE_TEXT ? it->values[i].text : "";
        if (strcmp(col->columns[i].name, "created") == 0)
            snprintf(r->created, sizeof r->created, "%s", v);
        else if (strcmp(col->columns[i].name, "answer") == 0)
            snprintf(r->answer, sizeof r->answer, "%s", v);
        else if (strcmp(col->columns[i].name, "district") == 0)
            snprintf(r->district, sizeof r->district, "%s", v);
    }
    return 1;
}

static item_row get_row(vk_ctx *ctx, int64_t id)
{
    item_row r = {0};
    store_items_query q = {.id = id, .limit = 1};
    vk_errinfo ei;
    store_items_each(ctx->store, store_collection_find("feedback"), &q, take_row, &r, &ei);
    return r;
}

static vk_err read_feature(vk_ctx *ctx, const char *text, api_input_kind kind, vk_errinfo *ei,
                           int64_t *district)
{
    json_t *doc = NULL;
    vk_err e = api_json_parse(text, strlen(text), &doc, ei);
    if (e)
        return e;
    api_feedback_input in;
    e = api_feedback_read(ctx, doc, kind, &in, ei);
    if (!e && district)
        *district = in.row.district_id;
    api_feedback_input_fini(&in);
    json_decref(doc);
    return e;
}

#define POINT "{\"type\":\"Point\",\"coordinates\":[28.25,61.25]}"
#define FEATURE(geom, props) "{\"type\":\"Feature\",\"geometry\":" geom ",\"properties\":" props "}"

static void test_parse(void)
{
    json_t *j = NULL;
    vk_errinfo ei;
    T_EQ_INT(api_json_parse("", 0, &j, &ei), VK_EJSON, "empty body");
    T_EQ_INT(api_json_parse("{\"a\":\"\xff\"}", 9, &j, &ei), VK_EUTF8, "invalid UTF-8");
    T_EQ_INT(api_json_parse("{\"a\":", 5, &j, &ei), VK_EJSON, "truncated JSON");
    T_OK(strstr(ei.message, "line 1") != NULL, "message says where: %s", ei.message);
    T_EQ_INT(api_json_parse("{\"a\":1,\"a\":2}", 13, &j, &ei), VK_EJSON, "duplicate keys refused");
    T_EQ_INT(api_json_parse("{\"a\":\"\\u0000\"}", 14, &j, &ei), VK_EJSON, "NUL in a string refused");
    T_EQ_INT(api_json_parse("[1]", 3, &j, &ei), VK_OK, "an array parses");
    json_decref(j);
}

static void test_feature(vk_ctx *ctx)
{
    vk_errinfo ei;
    int64_t district = -1, west = 0, east = 0;
    store_district_id(ctx->store, "lansi", &west, &ei);
    store_district_id(ctx->store, "ita", &east, &ei);
    T_EQ_INT(read_feature(ctx, FEATURE(POINT, "{\"category\":\"lighting\",\"description\":\"Valo ei pala\"}"),
                          API_INPUT_PUBLIC, &ei, &district),
             VK_OK, "a valid point feature");
    T_EQ_INT(district, west, "assigned to the district that contains it");
    T_EQ_INT(read_feature(ctx,
                          FEATURE("{\"type\":\"LineString\",\"coordinates\":[[28.45,61.2],[28.9,61.2]]}",
                                  "{\"category\":\"parks\",\"description\":\"Polku\"}"),
                          API_INPUT_PUBLIC, &ei, &district),
             VK_OK, "a line across two districts");
    T_EQ_INT(district, east, "goes to the district with the longer part");

    struct {
        const char *body;
        vk_err code;
        const char *field;
        const char *what;
    } bad[] = {
        {"[]", VK_ETYPE, "", "not an object"},
        {"{\"geometry\":" POINT ",\"properties\":{}}", VK_EMISSING, "type", "no type"},
        {"{\"type\":\"FeatureCollection\",\"features\":[]}", VK_EVALUE, "type", "a collection"},
        {"{\"type\":\"Feature\",\"properties\":{\"category\":\"parks\",\"description\":\"x\"}}",
         VK_EMISSING, "geometry", "no geometry"},
        {FEATURE(POINT, "null"), VK_EMISSING, "properties", "null properties"},
        {FEATURE(POINT, "{\"description\":\"x\"}"), VK_EMISSING, "properties.category", "no category"},
        {FEATURE(POINT, "{\"category\":7,\"description\":\"x\"}"), VK_ETYPE, "properties.category",
         "numeric category"},
        {FEATURE(POINT, "{\"category\":\"nope\",\"description\":\"x\"}"), VK_EVALUE,
         "properties.category", "unknown category"},
        {FEATURE(POINT, "{\"category\":\"parks\"}"), VK_EMISSING, "properties.description",
         "no description"},
        {FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"  \\n \"}"), VK_EVALUE,
         "properties.description", "blank description"},
        {FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"a\\u0007b\"}"), VK_EVALUE,
         "properties.description", "control character"},
        {FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"x\",\"status\":\"closed\"}"),
         VK_EUNKNOWN_FIELD, "properties.status", "a resident cannot set the status"},
        {FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"x\",\"contact\":\"me\"}"), VK_ETYPE,
         "properties.contact", "contact not an object"},
        {FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"x\",\"contact\":{\"email\":\"no-at\"}}"),
         VK_EVALUE, "properties.contact.email", "implausible email"},
        {FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"x\",\"contact\":{\"phone\":\"call me\"}}"),
         VK_EVALUE, "properties.contact.phone", "implausible phone"},
        {FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"x\",\"contact\":{\"fax\":\"1\"}}"),
         VK_EUNKNOWN_FIELD, "properties.contact.fax", "unknown contact field"},
        {FEATURE("{\"type\":\"Point\",\"coordinates\":[27.5,61.25]}",
                 "{\"category\":\"parks\",\"description\":\"x\"}"),
         VK_EOUTSIDE, "geometry", "outside the municipality"},
        {FEATURE("{\"type\":\"Polygon\",\"coordinates\":[[[28.1,61.1],[28.3,61.3],[28.3,61.1],[28.1,61.3],[28.1,61.1]]]}",
                 "{\"category\":\"parks\",\"description\":\"x\"}"),
         VK_EGEOM_INVALID, "geometry", "self-intersecting area"},
        {FEATURE("\"here\"", "{\"category\":\"parks\",\"description\":\"x\"}"), VK_ETYPE, "geometry",
         "geometry as a string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vk_errinfo_clear(&ei);
        vk_err e = read_feature(ctx, bad[i].body, API_INPUT_PUBLIC, &ei, NULL);
        T_EQ_INT(e, bad[i].code, "%s → %s", bad[i].what, vk_err_code(bad[i].code));
        T_EQ_STR(ei.field, bad[i].field, "%s names field '%s'", bad[i].what, bad[i].field);
    }

    /* Exactly 4000 characters (two bytes each) is fine, 4001 is not. */
    size_t len = 4001;
    char *desc = malloc(len * 2 + 1);
    for (size_t i = 0; i < len; i++)
        memcpy(desc + 2 * i, "ä", 2);
    desc[len * 2] = '\0';
    char *body = malloc(len * 2 + 200);
    desc[4000 * 2] = '\0';
    sprintf(body, FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"%s\"}"), desc);
    T_EQ_INT(read_feature(ctx, body, API_INPUT_PUBLIC, &ei, NULL), VK_OK, "4000 characters accepted");
    memcpy(desc + 4000 * 2, "ä", 3);
    sprintf(body, FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"%s\"}"), desc);
    T_EQ_INT(read_feature(ctx, body, API_INPUT_PUBLIC, &ei, NULL), VK_ETOO_LONG, "4001 characters refused");
    free(desc);
    free(body);

    T_EQ_INT(read_feature(ctx, FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"x\",\"status\":\"closed\"}"),
                          API_INPUT_TRUSTED, &ei, NULL),
             VK_EMISSING, "trusted: an old export's closed needs its closed_reason");
    T_EQ_INT(read_feature(ctx, FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"x\",\"status\":\"closed\",\"closed_reason\":\"not_possible\"}"),
                          API_INPUT_TRUSTED, &ei, NULL),
             VK_OK, "trusted: an old export's closed + not_possible is read as not_resolvable");
    T_EQ_INT(read_feature(ctx, FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"x\",\"status\":\"resolved\",\"closed_reason\":\"fixed\"}"),
                          API_INPUT_TRUSTED, &ei, NULL),
             VK_EVALUE, "trusted: closed_reason only with the old closed");
    T_EQ_INT(read_feature(ctx, FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"x\",\"status\":\"received\",\"forwarded_to\":\"ELY\"}"),
                          API_INPUT_TRUSTED, &ei, NULL),
             VK_EVALUE, "trusted: forwarded_to only when forwarded");
    T_EQ_INT(read_feature(ctx, FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"x\",\"status\":\"forwarded\",\"forwarded_to\":\"ELY\"}"),
                          API_INPUT_TRUSTED, &ei, NULL),
             VK_OK, "trusted: forwarded with forwarded_to");
    T_EQ_INT(read_feature(ctx, FEATURE(POINT, "{\"category\":\"parks\",\"description\":\"x\",\"created\":\"yesterday\"}"),
                          API_INPUT_TRUSTED, &ei, NULL),
             VK_EVALUE, "trusted: times must be RFC 3339");
}

static void test_seeds(vk_ctx *ctx)
{
    vk_errinfo ei;
    int added = -1;
    T_EQ_INT(api_seed_demo(ctx, FIXTURES "/seeds", &added, &ei), VK_OK, "demo content loads");
    T_EQ_INT(added, 2, "both demo items added");
    T_EQ_INT(api_seed_demo(ctx, FIXTURES "/seeds", &added, &ei), VK_OK, "second demo run");
    T_EQ_INT(added, 0, "adds nothing");
    item_row r = get_row(ctx, 2);
    T_OK(r.found && strcmp(r.created, "2026-01-03T08:00:00Z") == 0, "demo time normalised to UTC");
    T_OK(r.found && strcmp(r.answer, "Korjattu.") == 0, "demo answer kept");
    T_OK(r.found && strcmp(r.district, "ita") == 0, "demo line assigned to a district");

    int64_t changed = -1;
    T_EQ_INT(api_load_geo(ctx, FIXTURES "/no-such-dir", &changed, &ei), VK_EIO,
             "load-geo from a missing directory fails");
    r = get_row(ctx, 1);
    T_OK(r.found && strcmp(r.district, "lansi") == 0, "and changes nothing");
    T_EQ_INT(api_load_geo(ctx, FIXTURES "/geo", &changed, &ei), VK_OK, "load-geo replaces the areas");
    T_EQ_INT(changed, 2, "and re-assigns every item (new district ids)");
    r = get_row(ctx, 1);
    T_OK(r.found && strcmp(r.district, "lansi") == 0, "to the same districts by code");
}

int main(void)
{
    memset(&cfg, 0, sizeof cfg);
    cfg.db_path = t_path("json.sqlite");
    test_parse();
    store_conn *store = NULL;
    vk_ctx *ctx = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (store_open(&store, cfg.db_path, &ei) || vk_ctx_new(&ctx, &cfg, store, &ei) ||
        api_seed_reference(ctx, FIXTURES "/geo", FIXTURES "/seeds", &ei)) {
        printf("Bail out! cannot set up: %s\n", ei.message);
        return 1;
    }
    T_OK(ctx->has_bounds && ctx->bounds[0] == 28.0 && ctx->bounds[3] == 61.5, "boundary extent known");
    test_feature(ctx);
    test_seeds(ctx);
    vk_ctx_free(ctx);
    t_cleanup();
    return t_done();
}
