/*
 * survey_export.h — a survey's answers out as files, for staff (planner,
 * council, admin), in constant memory (docs/surveys.md, "HTTP API"):
 *
 *   export.gpkg      a GeoPackage: a layer per map question named after it
 *                    (its follow-up answers as typed columns) and the table
 *                    "answers": one row per response, one column per
 *                    question (a multi-choice question: a 1/0 column per
 *                    choice, QUESTION.CHOICE; "other, what?": QUESTION.other)
 *   responses.csv    that table as CSV
 *   features.csv     one row per drawn feature of every map question, with
 *                    its follow-up answers as a JSON object, lon/lat and WKT
 *   {question}.geojson  one map question's layer
 *
 * The layers are survey/layers.h's collections; GeoJSON, CSV and the
 * GeoPackage writing are exchange/export.c's and gpkg.c's. ?crs= as for
 * every export. Personal answers (named by a consent) are never exported.
 */
#ifndef VK_SURVEY_EXPORT_H
#define VK_SURVEY_EXPORT_H

#include "db/ctx.h"
#include "http/request.h"
#include "http/route.h"

/* Literal names first: the last row takes any other file name. */
#define SURVEY_EXPORT_ROUTES(R)                                                              \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}/export.gpkg", api_survey_export_gpkg, STAFF, \
      0, 1)                                                                                  \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}/responses.csv", api_survey_export_responses, \
      STAFF, 0, 1)                                                                           \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}/features.csv", api_survey_export_features,   \
      STAFF, 0, 1)                                                                           \
    R(VK_ANY_GET, "/api/v1/staff/surveys/{slug}/{question}.geojson",                         \
      api_survey_export_geojson, STAFF, 0, 1)
SURVEY_EXPORT_ROUTES(VK_ROUTE_HANDLER)

#endif
