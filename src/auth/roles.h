/*
 * roles.h — staff roles and the access levels of routes.
 *
 * A role is what a staff account or API token is (schema/0003_staff.sql
 * names them in text); an access level is what a route asks of its caller.
 * The route table (cli/routes.c) writes levels into vk_route.access as
 * plain ints, so http/ matches and dispatches without knowing roles: it
 * hands the level to the access hook the CLI gives it (auth.h's check).
 */
#ifndef VK_ROLES_H
#define VK_ROLES_H

/* Staff roles; 0 is "no role" (anonymous). */
typedef enum {
    VK_ROLE_NONE,
    VK_ROLE_ADMIN,
    VK_ROLE_MODERATOR,
    VK_ROLE_PLANNER,
    VK_ROLE_COUNCIL,
} vk_role;

/* Who may call a route. Staff levels need a session cookie or an API
 * token (401 without, 403 with a role not listed); admin may do anything.
 * VK_ACCESS_PUBLIC is 0: the server never runs the check for it. */
typedef enum {
    VK_ACCESS_PUBLIC,    /* anyone, no credentials looked at */
    VK_ACCESS_STAFF,     /* any staff role */
    VK_ACCESS_MODERATOR, /* moderator, admin: handles feedback */
    VK_ACCESS_PLANNER,   /* planner, admin: surveys and exports */
    VK_ACCESS_COUNCIL,   /* council, admin: accessibility-council reviews */
    VK_ACCESS_ADMIN,     /* admin only */
} vk_access;

/* "admin" → VK_ROLE_ADMIN …; VK_ROLE_NONE for anything else (and NULL). */
vk_role vk_role_parse(const char *name);
/* Static string; "" for VK_ROLE_NONE. */
const char *vk_role_name(vk_role role);

/* 1 when a caller with role may use a route with this access level. */
int vk_access_allows(vk_access access, vk_role role);
/* Static string: "public", "staff", "moderator" …; "?" when out of range. */
const char *vk_access_name(vk_access access);

#endif
