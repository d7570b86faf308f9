/*
 * survey_results_export.h — a survey's results (survey/results.h) as files
 * for staff (docs/survey-results.md, "CSV" and "GeoPackage"):
 *
 *   results.csv   every figure of the results JSON as one long-form row:
 *                 question, figure, key, column, n, features, value
 *   results.gpkg  per map question Q: the layer Q (its features, as
 *                 export.gpkg has them), Q_hex (the hexagon grid,
 *                 EPSG:3067) and Q_districts (district polygons with their
 *                 counts); and the table "figures" (the CSV's rows)
 *
 * Both take the results' filter parameters (and size); the figures,
 * grids and district counts are filtered, the feature layers are whole.
 */
#ifndef VK_SURVEY_RESULTS_EXPORT_H
#define VK_SURVEY_RESULTS_EXPORT_H

#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"

#define SURVEY_RESULTS_EXPORT_ROUTES(R)                                                       \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}/results.csv", api_survey_results_csv, STAFF,  \
      0, 1)                                                                                   \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}/results.gpkg", api_survey_results_gpkg,       \
      STAFF, 0, 1)
SURVEY_RESULTS_EXPORT_ROUTES(VK_ROUTE_HANDLER)

#endif
