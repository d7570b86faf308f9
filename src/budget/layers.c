/*
 * layers.c — budget-proposals and budget-projects (layers.h). The public
 * rule (published rounds, proposals not hidden) is part of each FROM and
 * of the R*Tree subquery, so no count or box query can see other rows.
 * They are listed once a round has been published (a service without
 * budgeting shows no empty layers) and found by id always.
 */
#include "budget/layers.h"

#include <string.h>

#include "budget/sql.h"
#include "features/registry.h"

#define PREFIX "budget-"

static const char *const moderation_values[] = {"public", "hidden", NULL};
static const char *const located_values[] = {"geometry", "district", "none", NULL};
static const char *const status_values[] = {"planned", "in_progress", "done", "cancelled", NULL};

static const store_column proposal_columns[] = {
    {"round", "r.slug", CQL2_Q_STRING, "Round", NULL, 0},
    {"title", "p.title", CQL2_Q_STRING, "Title", NULL, 0},
    {"description", "p.description", CQL2_Q_STRING, "Description", NULL, 0},
    {"category", "p.category", CQL2_Q_STRING, "Category", NULL, 0},
    {"district", "p.district", CQL2_Q_STRING, "District code", NULL, 0},
    {"area", "p.area", CQL2_Q_STRING, "Sub-budget area", NULL, 0},
    {"located", "p.located", CQL2_Q_STRING, "How it was placed", located_values, 0},
    {"created", "p.created_at", CQL2_Q_DATETIME, "Proposed", NULL, 0},
    {"supports", "p.supports", CQL2_Q_INTEGER, "Supporters", NULL, 0},
    {"review_feasible", "p.feasible", CQL2_Q_INTEGER, "Feasible (1/0, null before review)", NULL, 0},
    {"review_cost", "p.cost", CQL2_Q_INTEGER, "Cost estimate (EUR)", NULL, 0},
    {"project", "p.project_id", CQL2_Q_INTEGER, "The project it was merged into", NULL, 0},
    {"moderation", "p.moderation", CQL2_Q_STRING, "Moderation", moderation_values, 0},
};

static const store_column project_columns[] = {
    {"round", "r.slug", CQL2_Q_STRING, "Round", NULL, 0},
    {"title", "j.title ->> '$.fi'", CQL2_Q_STRING, "Title (fi)", NULL, 0},
    {"titles", "j.title", CQL2_Q_STRING, "Title in fi/sv/en (JSON)", NULL, 1},
    {"category", "j.category", CQL2_Q_STRING, "Category", NULL, 0},
    {"area", "j.area", CQL2_Q_STRING, "Sub-budget area", NULL, 0},
    {"district", "j.district", CQL2_Q_STRING, "District code", NULL, 0},
    {"cost", "j.cost", CQL2_Q_INTEGER, "Cost (EUR)", NULL, 0},
    {"unit", "j.unit", CQL2_Q_STRING, "Responsible unit", NULL, 0},
    {"status", "j.status", CQL2_Q_STRING, "Implementation status", status_values, 0},
    {"status_reason", "j.status_reason", CQL2_Q_STRING, "Why cancelled", NULL, 0},
    {"updated", "j.updated_at", CQL2_Q_DATETIME, "Last changed", NULL, 0},
};

static const store_collection collections[] = {
    {.id = "budget-proposals",
     .title = "Participatory budgeting: proposals",
     .description = "Residents' proposals of published budgeting rounds (hidden ones left out); "
                    "proposals placed by district or nowhere have no geometry.",
     .geometry_type = "Geometry",
     .from = "budget_proposal p JOIN budget_round r ON r.id = p.round_id AND r.published "
             "AND p.moderation = 'public'",
     .id_sql = "p.id",
     .rowid_sql = "p.id",
     .geom_sql = "p.geom",
     .rtree = "(SELECT x.pkid AS pkid, x.xmin AS xmin, x.xmax AS xmax, x.ymin AS ymin, x.ymax AS "
              "ymax FROM idx_budget_proposal_geom x JOIN budget_proposal p ON p.id = x.pkid JOIN "
              "budget_round r ON r.id = p.round_id AND r.published AND p.moderation = 'public')",
     .time_sql = "p.created_at",
     .columns = proposal_columns,
     .ncolumns = (int)(sizeof proposal_columns / sizeof proposal_columns[0])},
    {.id = "budget-projects",
     .title = "Participatory budgeting: projects",
     .description = "The projects residents vote on, with cost, area and implementation status; "
                    "votes and winners are in the round's results.",
     .geometry_type = "Geometry",
     .from = "budget_project j JOIN budget_round r ON r.id = j.round_id AND r.published",
     .id_sql = "j.id",
     .rowid_sql = "j.id",
     .geom_sql = "j.geom",
     .rtree = "(SELECT x.pkid AS pkid, x.xmin AS xmin, x.xmax AS xmax, x.ymin AS ymin, x.ymax AS "
              "ymax FROM idx_budget_project_geom x JOIN budget_project j ON j.id = x.pkid JOIN "
              "budget_round r ON r.id = j.round_id AND r.published)",
     .time_sql = "j.updated_at",
     .columns = project_columns,
     .ncolumns = (int)(sizeof project_columns / sizeof project_columns[0])},
};
#define NCOLLECTIONS ((int)(sizeof collections / sizeof collections[0]))

static vk_err provider_each(vk_ctx *ctx, const vk_req *req, vk_collection_fn fn, void *arg)
{
    int64_t any = 0;
    vk_err e = db_int64(ctx->store, &budget_sql, SQL_ANY_PUBLISHED, DB_NO_ARGS, &any,
                        "looking for budgeting rounds", &ctx->err);
    if (e || !any)
        return e;
    for (int i = 0; i < NCOLLECTIONS; i++)
        if (fn(arg, &collections[i]))
            break;
    return VK_OK;
}

static vk_err provider_find(vk_ctx *ctx, const vk_req *req, const char *id,
                            const store_collection **out)
{
    *out = NULL;
    for (int i = 0; i < NCOLLECTIONS; i++)
        if (strcmp(collections[i].id, id) == 0)
            *out = &collections[i];
    return VK_OK;
}

static const vk_collection_provider provider = {PREFIX, provider_each, provider_find};

vk_err budget_layers_register(vk_errinfo *ei)
{
    return vk_registry_add_provider(&provider, ei);
}
