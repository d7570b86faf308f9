/*
 * budget_export.h — a budgeting round's projects (with their votes and whether
 * they won) and proposals out as files for planners (docs/budgeting.md,
 * "Exports"):
 *
 *   projects.gpkg  a GeoPackage with the layers "projects" and "proposals"
 *   projects.csv   the projects with votes, lon/lat and WKT
 *
 * Both are exchange/export.h's writers over collections made for the
 * request: the round's rows, the votes and the winners of the tally
 * written into the SELECT as constants (whole numbers only). ?crs= as for
 * every export. Contact details are never exported.
 */
#ifndef VK_EXCHANGE_BUDGET_EXPORT_H
#define VK_EXCHANGE_BUDGET_EXPORT_H

#include "http/route.h"

#define BUDGET_EXPORT_ROUTES(R)                                                              \
    R(VK_ANY_GET, "/api/v1/staff/budget/rounds/{slug}/projects.gpkg", api_budget_export_gpkg, \
      PLANNER, 0, 1)                                                                         \
    R(VK_ANY_GET, "/api/v1/staff/budget/rounds/{slug}/projects.csv", api_budget_export_csv,   \
      PLANNER, 0, 1)
BUDGET_EXPORT_ROUTES(VK_ROUTE_HANDLER)

#endif
