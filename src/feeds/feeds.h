/*
 * feeds.h — Atom feeds (RFC 4287) and an iCalendar feed (RFC 5545) of
 * public happenings (docs/feeds.md): new feedback and the city's public
 * answers (by district and category), a survey's publication, results and
 * "what we did", a budgeting round's phases, proposals and implementation
 * updates, and a calendar of walks and budgeting phases.
 *
 * A door onto the data: it reads other features' tables through its own
 * statements (feeds/sql.h), public columns only, and writes nothing. Each
 * answer carries an ETag (a hash of the body) and Last-Modified (its
 * newest entry) and answers 304 to a current copy.
 */
#ifndef VK_FEEDS_H
#define VK_FEEDS_H

#include "http/route.h"

#define FEEDS_ROUTES(R)                                                                         \
    R(VK_ANY_GET, "/api/v1/feeds/feedback.atom", api_feeds_feedback, PUBLIC, 0, 0)              \
    R(VK_ANY_GET, "/api/v1/feeds/surveys/{slug}", api_feeds_survey, PUBLIC, 0, 0)               \
    R(VK_ANY_GET, "/api/v1/feeds/budget/{slug}", api_feeds_budget, PUBLIC, 0, 0)                \
    R(VK_ANY_GET, "/api/v1/feeds/events.ics", api_feeds_events, PUBLIC, 0, 0)
FEEDS_ROUTES(VK_ROUTE_HANDLER)

#endif
