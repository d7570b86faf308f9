/*
 * routes.h — the one route table: every feature's list of routes
 * (NAME_ROUTES in its header), joined in the order they are tried.
 */
#ifndef VK_CLI_ROUTES_H
#define VK_CLI_ROUTES_H

#include "http/route.h"

/* The table, for the server, the tests and the OpenAPI document. */
extern const vk_route vk_routes[];
extern const int vk_routes_count;
extern const vk_route_table vk_route_table_all;

#endif
