/* roles.c — role names and which role may use which access level. */
#include "auth/roles.h"

#include <string.h>

static const char *const role_names[] = {"", "admin", "moderator", "planner", "council"};

vk_role vk_role_parse(const char *name)
{
    for (int r = VK_ROLE_ADMIN; r <= VK_ROLE_COUNCIL; r++)
        if (name && strcmp(name, role_names[r]) == 0)
            return (vk_role)r;
    return VK_ROLE_NONE;
}

const char *vk_role_name(vk_role role)
{
    return (unsigned)role <= VK_ROLE_COUNCIL ? role_names[role] : "";
}

int vk_access_allows(vk_access access, vk_role role)
{
    switch (access) {
    case VK_ACCESS_PUBLIC: return 1;
    case VK_ACCESS_STAFF: return role != VK_ROLE_NONE;
    case VK_ACCESS_MODERATOR: return role == VK_ROLE_MODERATOR || role == VK_ROLE_ADMIN;
    case VK_ACCESS_PLANNER: return role == VK_ROLE_PLANNER || role == VK_ROLE_ADMIN;
    case VK_ACCESS_COUNCIL: return role == VK_ROLE_COUNCIL || role == VK_ROLE_ADMIN;
    case VK_ACCESS_ADMIN: return role == VK_ROLE_ADMIN;
    }
    return 0;
}

const char *vk_access_name(vk_access access)
{
    static const char *const names[] = {"public", "staff", "moderator", "planner", "council",
                                        "admin"};
    return (unsigned)access < sizeof names / sizeof names[0] ? names[access] : "?";
}
