/* test_auth.c — password hashing, tokens, the access rule and the staff
 * tables. */
#include <stdlib.h>

#include "auth/auth.h"
#include "auth/roles.h"
#include "http/route.h"
#include "auth/staff.h"
#include "t.h"
#include "tmp.h"

static void test_secrets(void)
{
    vk_errinfo ei;
    T_EQ_INT(api_auth_password_check("short", &ei), VK_EVALUE, "a 5-character password is refused");
    T_EQ_INT(api_auth_password_check("0123456789", &ei), VK_OK, "10 characters are enough");
    char hash[API_AUTH_HASH_SIZE];
    T_EQ_INT(api_auth_hash_password("correct horse battery", hash, &ei), VK_OK, "hash");
    T_OK(strncmp(hash, "$argon2id$", 10) == 0, "the hash is Argon2id: %.30s", hash);
    T_OK(api_auth_verify_password(hash, "correct horse battery"), "the right password verifies");
    T_OK(!api_auth_verify_password(hash, "correct horse batterx"), "a wrong one does not");
    T_OK(!api_auth_verify_password("not a hash", "x"), "a malformed hash never verifies");
    char hash2[API_AUTH_HASH_SIZE];
    api_auth_hash_password("correct horse battery", hash2, &ei);
    T_OK(strcmp(hash, hash2) != 0, "the same password hashes differently (salt)");

    char a[API_AUTH_TOKEN_HEX + 1], b[API_AUTH_TOKEN_HEX + 1];
    api_auth_random_token(a);
    api_auth_random_token(b);
    T_EQ_INT(strlen(a), 64, "a token is 64 hex digits");
    T_OK(api_auth_token_wellformed(a, strlen(a)), "and well formed");
    T_OK(strcmp(a, b) != 0, "two tokens differ");
    T_OK(!api_auth_token_wellformed("abc", 3), "short tokens are not well formed");
    b[10] = 'G';
    T_OK(!api_auth_token_wellformed(b, strlen(b)), "non-hex is not well formed");
    char h[65];
    api_auth_token_hash("abc", h);
    T_EQ_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
             "token hash is SHA-256 hex");
}

static void test_roles(void)
{
    T_EQ_INT(vk_role_parse("planner"), VK_ROLE_PLANNER, "role names parse");
    T_EQ_INT(vk_role_parse("root"), VK_ROLE_NONE, "unknown role");
    T_EQ_INT(vk_role_parse(NULL), VK_ROLE_NONE, "no role");
    T_EQ_STR(vk_role_name(VK_ROLE_COUNCIL), "council", "role name");
    /* rows: access; columns: none, admin, moderator, planner, council */
    static const int want[6][5] = {
        {1, 1, 1, 1, 1}, /* public */
        {0, 1, 1, 1, 1}, /* staff */
        {0, 1, 1, 0, 0}, /* moderator */
        {0, 1, 0, 1, 0}, /* planner */
        {0, 1, 0, 0, 1}, /* council */
        {0, 1, 0, 0, 0}, /* admin */
    };
    for (int a = VK_ACCESS_PUBLIC; a <= VK_ACCESS_ADMIN; a++)
        for (int r = VK_ROLE_NONE; r <= VK_ROLE_COUNCIL; r++)
            T_EQ_INT(vk_access_allows((vk_access)a, (vk_role)r), want[a][r], "%s × %s",
                     vk_access_name((vk_access)a), r ? vk_role_name((vk_role)r) : "anonymous");
}

static int count_user(void *arg, const store_staff_user *u)
{
    (*(int *)arg)++;
    return u->password_hash[0] != '\0'; /* a listing never carries hashes */
}

typedef struct {
    char kinds[256];
    int64_t ids[8];
    int n, secret;
} audit_seen;

static int audit_collect(void *arg, const store_audit_entry *e)
{
    audit_seen *a = arg;
    if (a->n < 8)
        a->ids[a->n] = e->id;
    a->n++;
    strncat(a->kinds, e->kind, sizeof a->kinds - strlen(a->kinds) - 2);
    strcat(a->kinds, ",");
    if (strstr(e->before, "argon2") || strstr(e->after, "argon2"))
        a->secret = 1;
    return 0;
}

static void test_store(void)
{
    store_conn *c = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    T_EQ_INT(store_open(&c, t_path("staff.sqlite"), &ei), VK_OK, "open");
    if (!c)
        return;
    T_EQ_INT(store_staff_user_add(c, "aino", "moderator", "$argon2id$x", "2026-01-01T00:00:00Z", "test", &ei),
             VK_OK, "add a user");
    T_EQ_INT(store_staff_user_add(c, "aino", "admin", "$argon2id$y", "2026-01-01T00:00:00Z", "test", &ei),
             VK_EVALUE, "names are unique");
    T_EQ_INT(store_staff_user_add(c, "eero", "root", "$argon2id$y", "2026-01-01T00:00:00Z", "test", &ei),
             VK_EVALUE, "roles are checked by the schema");
    int found = 0, n = 0, changed = 0;
    store_staff_user u;
    T_EQ_INT(store_staff_user_get(c, "aino", &found, &u, &ei), VK_OK, "get");
    T_OK(found && strcmp(u.role, "moderator") == 0 && strcmp(u.password_hash, "$argon2id$x") == 0,
         "the user comes back");
    T_EQ_INT(store_staff_user_each(c, count_user, &n, &ei), VK_OK, "list");
    T_EQ_INT(n, 1, "one user, listed without its hash");
    T_EQ_INT(store_session_add(c, "h1", u.id, "csrf1", 100, 200, &ei), VK_OK, "a session");
    char csrf[65];
    int64_t exp = 0;
    store_staff_user s;
    store_session_find(c, "h1", 150, &found, &s, csrf, &exp, &ei);
    T_OK(found && strcmp(csrf, "csrf1") == 0 && exp == 200 && strcmp(s.name, "aino") == 0,
         "the live session is found");
    store_session_find(c, "h1", 200, &found, &s, csrf, &exp, &ei);
    T_OK(!found, "an expired session is not");
    T_EQ_INT(store_staff_user_passwd(c, "aino", "$argon2id$z", "2026-01-02T00:00:00Z", "test", &changed, &ei), VK_OK, "passwd");
    store_session_find(c, "h1", 150, &found, &s, csrf, &exp, &ei);
    T_OK(changed && !found, "a new password ends the sessions");
    store_session_add(c, "h2", u.id, "csrf2", 100, 200, &ei);
    T_EQ_INT(store_staff_user_disable(c, "aino", "2026-01-02T00:00:00Z", "test", &changed, &ei), VK_OK, "disable");
    store_session_find(c, "h2", 150, &found, &s, csrf, &exp, &ei);
    T_OK(changed && !found, "disabling ends the sessions");
    store_staff_user_disable(c, "nobody", "2026-01-02T00:00:00Z", "test", &changed, &ei);
    T_OK(!changed, "disabling nobody changes nothing");

    int64_t tid = 0;
    store_token tk;
    T_EQ_INT(store_token_add(c, "gis", "planner", "th", 0, "2026-01-01T00:00:00Z", "test", &tid, &ei), VK_OK, "token");
    store_token_find(c, "th", &found, &tk, &ei);
    T_OK(found && strcmp(tk.role, "planner") == 0 && tk.id == tid, "the token is found by its hash");
    T_OK(store_token_usable(&tk, 2000000000) && tk.expires_at == 0, "without an expiry it never expires");
    store_token_find(c, "nope", &found, &tk, &ei);
    T_OK(!found, "an unknown hash is not");
    /* Expiry and revocation (issue 19, 8c). */
    int64_t t2 = 0;
    store_token_add(c, "short", "moderator", "th2", 1000, "2026-01-01T00:00:00Z", "test", &t2, &ei);
    store_token_find(c, "th2", &found, &tk, &ei);
    T_OK(found && store_token_usable(&tk, 999) && !store_token_usable(&tk, 1000),
         "a token is refused from its expiry on");
    T_EQ_INT(store_token_revoke(c, tid, 500, "2026-01-01T00:00:01Z", "test", &changed, &ei), VK_OK, "revoke");
    T_OK(changed, "revoked");
    store_token_find(c, "th", &found, &tk, &ei);
    T_OK(found && tk.revoked_at == 500 && !store_token_usable(&tk, 501), "a revoked token is refused");
    store_token_revoke(c, tid, 600, "2026-01-01T00:00:02Z", "test", &changed, &ei);
    T_OK(!changed, "revoking twice changes nothing");
    store_token_revoke(c, 999, 600, "2026-01-01T00:00:02Z", "test", &changed, &ei);
    T_OK(!changed, "revoking no token changes nothing");

    /* The account events: one per real change, none for a refused one. */
    store_staff_user_disable(c, "aino", "2026-01-02T00:00:00Z", "test", &changed, &ei);
    audit_seen seen = {0};
    store_audit_query q = {100, STORE_AUDIT_ACCOUNT, NULL, NULL, STORE_AUDIT_ANY, 0};
    T_EQ_INT(store_audit_each(c, &q, audit_collect, &seen, &ei), VK_OK, "read the account events");
    T_EQ_STR(seen.kinds, "disable,password,token_revoke,token_create,token_create,user_add,",
             "newest first by time, then id: disable once, the password, the revoke (once), the "
             "tokens, the add");
    T_OK(!seen.secret, "no hash in any event");
    /* A cursor at the disable continues with the events older than it. */
    store_audit_query q2 = {100, STORE_AUDIT_ANY, "test", "2026-01-02T00:00:00Z", STORE_AUDIT_ACCOUNT,
                            seen.ids[0]};
    audit_seen older = {0};
    T_EQ_INT(store_audit_each(c, &q2, audit_collect, &older, &ei), VK_OK, "read from a cursor");
    T_EQ_STR(older.kinds, "password,token_revoke,token_create,token_create,user_add,",
             "the same time, then older ones");

    int f = 0;
    int64_t last = 0;
    store_login_failure_add(c, "name:x", 1000, 900, &ei);
    store_login_failure_add(c, "name:x", 1010, 900, &ei);
    store_login_failures(c, "name:x", &f, &last, &ei);
    T_OK(f == 2 && last == 1010, "failures count up");
    store_login_failure_add(c, "name:x", 3000, 900, &ei);
    store_login_failures(c, "name:x", &f, &last, &ei);
    T_OK(f == 1 && last == 3000, "an old count starts again");
    store_login_failure_clear(c, "name:x", &ei);
    store_login_failures(c, "name:x", &f, &last, &ei);
    T_EQ_INT(f, 0, "cleared");
    store_login_failure_add(c, "addr:old", 1000, 900, &ei);
    const char *const keys[] = {"pair:a x", "addr:a", "name:x"};
    store_account_event ev = {"2026-01-03T00:00:00Z", "anonymous", "sign_in_failed", "x", "{}",
                              "{\"reason\":\"wrong_password\"}", "a"};
    T_EQ_INT(store_login_failed(c, keys, 3, 5000, 900, &ev, &ei), VK_OK, "a failure, three keys");
    store_login_failures(c, "addr:old", &f, &last, &ei);
    T_EQ_INT(f, 0, "counts older than the window are gone");
    store_login_failures(c, "pair:a x", &f, &last, &ei);
    T_OK(f == 1 && last == 5000, "the new ones are there");
    store_close(c);
}

/* Changes by an admin over HTTP are checked again inside the write
 * transaction (issue 19, 8a): a caller demoted meanwhile changes nothing,
 * and the last enabled admin stays. */
static void test_admin_guard(void)
{
    store_conn *c = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    T_EQ_INT(store_open(&c, t_path("guard.sqlite"), &ei), VK_OK, "open");
    if (!c)
        return;
    const char *now = "2026-01-01T00:00:00Z";
    store_staff_user_add(c, "a", "admin", "$argon2id$x", now, "test", &ei);
    store_staff_user_add(c, "b", "admin", "$argon2id$x", now, "test", &ei);
    store_staff_user a, b;
    int found = 0, changed = 0;
    store_staff_user_get(c, "a", &found, &a, &ei);
    store_staff_user_get(c, "b", &found, &b, &ei);
    T_EQ_INT(store_staff_user_update_by(c, a.id, "b", "moderator", -1, NULL, now, "a", &changed, &ei),
             VK_OK, "a demotes b");
    T_EQ_INT(store_staff_user_update_by(c, b.id, "a", "moderator", -1, NULL, now, "b", &changed, &ei),
             VK_EFORBIDDEN, "b, no longer an admin, cannot demote a");
    T_OK(!changed, "nothing changed");
    store_staff_user_get(c, "a", &found, &a, &ei);
    T_EQ_STR(a.role, "admin", "a is still admin");
    T_EQ_INT(store_staff_user_update_by(c, 0, "a", NULL, 1, NULL, now, "token", &changed, &ei),
             VK_ELAST_ADMIN, "the last enabled admin cannot be disabled");
    T_EQ_STR(ei.field, "disabled", "field disabled");
    T_EQ_INT(store_staff_user_update_by(c, 0, "a", "planner", -1, NULL, now, "token", &changed, &ei),
             VK_ELAST_ADMIN, "nor demoted");
    store_staff_user_get(c, "a", &found, &a, &ei);
    T_OK(strcmp(a.role, "admin") == 0 && !a.disabled, "a is unchanged");
    T_EQ_INT(store_staff_user_update_by(c, 0, "b", "admin", -1, NULL, now, "token", &changed, &ei),
             VK_OK, "promoting is fine");
    T_EQ_INT(store_staff_user_update_by(c, 0, "a", "planner", -1, NULL, now, "token", &changed, &ei),
             VK_OK, "with another admin, demoting is fine");
    store_close(c);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    test_secrets();
    test_roles();
    test_store();
    test_admin_guard();
    t_cleanup();
    return t_done();
}
