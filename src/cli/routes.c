/* routes.c — the route table, joined from the features' lists. */
#include "cli/routes.h"

#include "auth/auth.h"
#include "auth/roles.h"
#include "budget/api.h"
#include "exchange/budget_export.h"
#include "exchange/export.h"
#include "exchange/survey_export.h"
#include "exchange/survey_results_export.h"
#include "feedback/feedback.h"
#include "feedback/moderation.h"
#include "feedback/workflow.h"
#include "feedback/photos.h"
#include "feedback/replies.h"
#include "feeds/feeds.h"
#include "http/static.h"
#include "mail/api.h"
#include "media/photo.h"
#include "ogc/ogc.h"
#include "open311/open311.h"
#include "places/api.h"
#include "reference/reference.h"
#include "stats/stats.h"
#include "survey/api.h"
#include "tiles/tiles.h"
#include "survey/results.h"
#include "survey/publish.h"
#include "walk/api.h"

/* The log redacts segments of a follow-up token's length (route.h). */
_Static_assert(VK_ROUTE_SECRET_LEN == API_FOLLOWUP_TOKEN_LEN, "follow-up token length");
_Static_assert(VK_ROUTE_SECRET_LEN == SURVEY_DRAFT_TOKEN_LEN, "resume token length");
_Static_assert(VK_ROUTE_SECRET_LEN == BUDGET_TOKEN_LEN, "ballot token length");

#define ROW(methods, pattern, handler, access, rate_limited, expensive) \
    {methods, pattern, handler, VK_ACCESS_##access, rate_limited, expensive},

/* {methods, pattern, handler, who may call it, a rate-limited public write,
 *  always expensive (runs on the expensive-request threads)}. Order
 * matters where patterns overlap: the first row that matches wins. */
const vk_route vk_routes[] = {
    REFERENCE_ROUTES(ROW)
    FEEDBACK_ROUTES(ROW)
    MODERATION_ROUTES(ROW)
    FEEDBACK_ITEM_ROUTES(ROW)
    EXPORT_ROUTES(ROW)
    OGC_ROUTES(ROW)
    TILES_ROUTES(ROW)
    AUTH_ROUTES(ROW)
    WORKFLOW_BULK_ROUTES(ROW)
    INBOX_ROUTES(ROW)
    FEEDBACK_PHOTO_ROUTES(ROW)
    REFERENCE_UNIT_ROUTES(ROW)
    WORKFLOW_ROUTES(ROW)
    REPLIES_ROUTES(ROW)
    TOKEN_ROUTES(ROW)
    OPEN311_ROUTES(ROW)
    STATS_ROUTES(ROW)
    SURVEY_RESULTS_ROUTES(ROW)
    SURVEY_RESULTS_EXPORT_ROUTES(ROW)
    SURVEY_EXPORT_ROUTES(ROW)
    SURVEY_ROUTES(ROW)
    SURVEY_STAFF_ROUTES(ROW)
    PUBLISH_ROUTES(ROW)
    PUBLISH_STAFF_ROUTES(ROW)
    BUDGET_EXPORT_ROUTES(ROW)
    BUDGET_ROUTES(ROW)
    BUDGET_STAFF_ROUTES(ROW)
    WALK_ROUTES(ROW)
    WALK_STAFF_ROUTES(ROW)
    MEDIA_ROUTES(ROW)
    MAIL_ROUTES(ROW)
    FEEDS_ROUTES(ROW)
    PLACES_ROUTES(ROW)
    /* Last: everything else that is not under /api or /open311 is a web
     * client file. */
    {VK_ANY_GET, "/**", http_static_file, VK_ACCESS_PUBLIC, 0, 0},
};
#define NROUTES ((int)(sizeof vk_routes / sizeof vk_routes[0]))
const int vk_routes_count = NROUTES;
const vk_route_table vk_route_table_all = {vk_routes, NROUTES};
