/*
 * layers.c — walks and findings as the OGC API collections `walks` and
 * `walk-findings` (docs/walks.md "GIS"): two fixed store_collections given
 * by a provider of features/registry.h, so OGC API, its exports, CQL2,
 * CRS and paging serve them with the code every collection uses. Every
 * column is public (walks and findings are); reviewers' names and
 * comments are not columns.
 */
#include "walk/layers.h"

#include <string.h>

#include "features/registry.h"
#include "walk/sql.h"

/* A comma list of a JSON array of keys, for GIS tools that do not read
 * JSON. Keys are [a-z0-9_] (checked when stored), so dropping the JSON
 * punctuation is exact, and much cheaper per feature than json_each. */
#define KEYS(col) "nullif(replace(replace(replace(" col ", '\"', ''), '[', ''), ']', ''), '')"

static const char *const grades[] = {"vaara", "este", "haitta", NULL};
static const char *const statuses[] = {"open", "planned", "fixed", "verified", "rejected", NULL};
static const char *const levels[] = {"perustaso", "erikoistaso", NULL};
static const char *const results[] = {"none", "unsure", "agree", "disagree", "split", NULL};
static const char *const states[] = {"open", "closed", NULL};

static const store_column finding_columns[] = {
    {"walk", "f.walk_id", CQL2_Q_INTEGER, "The walk it was recorded on (null: made from feedback)", NULL, 0},
    {"type", "f.type", CQL2_Q_STRING, "Checklist type (GET /api/v1/walks/checklist)", NULL, 0},
    {"grade", "f.grade", CQL2_Q_STRING, "Grade as recorded: vaara, este or haitta", grades, 0},
    {"consensus_grade", "f.consensus_grade", CQL2_Q_STRING, "The grade the council's reviews support", grades, 0},
    {"consensus", "f.consensus", CQL2_Q_STRING, "The council's consensus", results, 0},
    {"groups", KEYS("f.groups"), CQL2_Q_STRING, "User groups affected (comma list)", NULL, 0},
    {"status", "f.status", CQL2_Q_STRING, "open, planned, fixed, verified or rejected", statuses, 0},
    {"target_date", "f.target_date", CQL2_Q_STRING, "Planned fix date", NULL, 0},
    {"unit", "f.unit", CQL2_Q_STRING, "Responsible unit (GET /api/v1/units)", NULL, 0},
    {"level", "f.level", CQL2_Q_STRING, "Target level it is judged against", levels, 0},
    {"special_area", "f.special_area", CQL2_Q_STRING, "Erikoistaso area it lies in", NULL, 0},
    {"district", "f.district", CQL2_Q_STRING, "District code", NULL, 0},
    {"measurements", "f.measurements", CQL2_Q_STRING, "Measurements, a JSON object", NULL, 1},
    {"verdicts", "f.verdicts", CQL2_Q_STRING, "Measurements against the level's thresholds, JSON", NULL, 1},
    {"surface", "f.surface", CQL2_Q_STRING, "Surface material", NULL, 0},
    {"description", "f.description", CQL2_Q_STRING, "What was found", NULL, 0},
    /* Most findings have no photo: one probe of the owner index first. */
    {"photos", "(CASE WHEN EXISTS (SELECT 1 FROM photo p WHERE p.owner_kind = 'walk_finding' AND "
               "p.owner_id = f.uuid) THEN " WALK_SQL_PHOTOS("f.uuid") " ELSE '[]' END)", CQL2_Q_STRING, "Photos: [{id, width, height, url, thumb}]", NULL, 1},
    {"source", "f.source", CQL2_Q_STRING, "walk or feedback", NULL, 0},
    {"created", "f.created_at", CQL2_Q_DATETIME, "When it was recorded", NULL, 0},
    {"updated", "f.updated_at", CQL2_Q_DATETIME, "Last change", NULL, 0},
};

static const store_column walk_columns[] = {
    {"title", "w.title", CQL2_Q_STRING, "Title", NULL, 0},
    {"date", "w.walk_date", CQL2_Q_STRING, "Date of the walk (YYYY-MM-DD)", NULL, 0},
    {"organiser", "w.organiser", CQL2_Q_STRING, "Organiser", NULL, 0},
    {"groups", KEYS("w.groups"), CQL2_Q_STRING, "User groups the participants represent (comma list)", NULL, 0},
    {"participants", "w.participants", CQL2_Q_INTEGER, "How many walked", NULL, 0},
    {"state", "w.state", CQL2_Q_STRING, "open (recording) or closed", states, 0},
    {"walked_m", "w.walked_m", CQL2_Q_NUMBER, "Length of the route in metres", NULL, 0},
    {"findings", "(SELECT count(*) FROM walk_finding f WHERE f.walk_id = w.id)", CQL2_Q_INTEGER,
     "Findings recorded", NULL, 0},
};

static const store_collection collections[] = {
    {
        .id = "walks",
        .title = "Accessibility walks",
        .description = "Accessibility walks (docs/walks.md): the route, or the area when a walk "
                       "has no route.",
        .geometry_type = "Geometry",
        .from = "walk w",
        .id_sql = "w.id",
        .rowid_sql = "w.id",
        .geom_sql = "coalesce(w.route, w.area)",
        /* Routes, and the areas of walks without one. */
        .rtree = "(SELECT pkid, xmin, xmax, ymin, ymax FROM idx_walk_route UNION ALL "
                 "SELECT a.pkid, a.xmin, a.xmax, a.ymin, a.ymax FROM idx_walk_area a "
                 "JOIN walk x ON x.id = a.pkid AND x.route IS NULL)",
        .time_sql = "w.created_at",
        .columns = walk_columns,
        .ncolumns = (int)(sizeof walk_columns / sizeof walk_columns[0]),
    },
    {
        .id = "walk-findings",
        .title = "Accessibility walk findings",
        .description = "Findings of accessibility walks (docs/walks.md): type, grade, status, "
                       "measurements and their verdicts, area flags, the council's consensus.",
        .geometry_type = "Geometry",
        .from = "walk_finding f",
        .id_sql = "f.uuid",
        .id_is_text = 1,
        .rowid_sql = "f.id",
        .geom_sql = "f.geom",
        .rtree = "idx_walk_finding_geom",
        .time_sql = "f.created_at",
        .columns = finding_columns,
        .ncolumns = (int)(sizeof finding_columns / sizeof finding_columns[0]),
    },
};
#define NCOLLECTIONS ((int)(sizeof collections / sizeof collections[0]))

static vk_err provider_each(vk_ctx *ctx, const vk_req *req, vk_collection_fn fn, void *arg)
{
    (void)ctx;
    (void)req;
    for (int i = 0; i < NCOLLECTIONS; i++)
        if (fn(arg, &collections[i]))
            break;
    return VK_OK;
}

static vk_err provider_find(vk_ctx *ctx, const vk_req *req, const char *id,
                            const store_collection **out)
{
    (void)ctx;
    (void)req;
    *out = NULL;
    for (int i = 0; i < NCOLLECTIONS; i++)
        if (strcmp(collections[i].id, id) == 0)
            *out = &collections[i];
    return VK_OK;
}

static const vk_collection_provider provider = {"walk", provider_each, provider_find};

vk_err walk_layers_register(vk_errinfo *ei)
{
    return vk_registry_add_provider(&provider, ei);
}
