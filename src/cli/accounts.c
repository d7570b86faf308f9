/* accounts.c — `user` and `token`: staff accounts and API tokens. */
#include <pwd.h>
#include <sodium.h>
#include <termios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/roles.h"
#include "auth/staff.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "db/store.h"

/* API tokens expire after a year unless told otherwise: an integration is
 * reviewed yearly anyway, and a forgotten token stops working by itself
 * instead of staying valid for ever. */
#define TOKEN_DEFAULT_DAYS 365
#define TOKEN_MAX_DAYS 3650
#define TOKEN_MAX_DAYS_TEXT "3650"

static const char usage_user[] =
    "Usage: vaikuta user add NAME --role ROLE [--db PATH]\n"
    "       vaikuta user list [--db PATH]\n"
    "       vaikuta user disable NAME [--db PATH]\n"
    "       vaikuta user passwd NAME [--db PATH]\n"
    "\n"
    "Staff accounts. ROLE is admin, moderator (handles feedback), planner\n"
    "(surveys and exports) or council (accessibility-council reviewers).\n"
    "add and passwd read the password from the terminal without echo (twice),\n"
    "or one line from standard input when it is not a terminal; at least 10\n"
    "characters. Passwords are stored as Argon2id hashes. disable and passwd\n"
    "end the user's sessions. Each change goes into the audit log with the\n"
    "actor cli:LOGIN.\n";

static const char usage_token[] =
    "Usage: vaikuta token create --role ROLE --name NAME [--expires-days N] [--db PATH]\n"
    "       vaikuta token list [--db PATH]\n"
    "       vaikuta token revoke ID|NAME [--db PATH]\n"
    "\n"
    "API tokens for integrations. create prints a new token once; only its\n"
    "hash is stored. Send it as 'Authorization: Bearer TOKEN' (or as Open311's\n"
    "api_key). It expires after N days (default 365, a yearly rotation; 0 =\n"
    "never; at most 3650); an expired or revoked token is refused.\n"
    "list shows id, name, role, creation, expiry, last use (noted at most\n"
    "hourly) and state (active, expired, revoked), never the token.\n"
    "revoke refuses the token from the next request on; an all-digit\n"
    "argument is an id, a NAME must name one unrevoked token. Creation and\n"
    "revocation go into the audit log with the actor cli:LOGIN.\n"
    "\n";

/* One line of password: from the terminal with echo off, else from stdin.
 * 0 on success. */
static int read_secret(const char *prompt, char *buf, size_t n)
{
    int tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fputs(prompt, stderr);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        } else {
            tty = 0;
        }
    }
    char *got = fgets(buf, (int)n, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!got)
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* A new password, checked and hashed into hash. 0 on success. */
static int new_password(const char *cmd, char hash[API_AUTH_HASH_SIZE])
{
    char pw[API_AUTH_PASSWORD_MAX + 2], again[API_AUTH_PASSWORD_MAX + 2];
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int rc = 1;
    if (read_secret("Password: ", pw, sizeof pw)) {
        fprintf(stderr, "vaikuta %s: no password given\n", cmd);
    } else if (api_auth_password_check(pw, &ei)) {
        fail(cmd, &ei);
    } else if (isatty(STDIN_FILENO) &&
               (read_secret("Again: ", again, sizeof again) || strcmp(pw, again) != 0)) {
        fprintf(stderr, "vaikuta %s: the passwords differ\n", cmd);
    } else if (api_auth_hash_password(pw, hash, &ei)) {
        fail(cmd, &ei);
    } else {
        rc = 0;
    }
    sodium_memzero(pw, sizeof pw);
    sodium_memzero(again, sizeof again);
    return rc;
}

/* Who runs an account command, for the audit log: "cli:LOGIN" (the login
 * name of the terminal, else of the effective user), or "cli". */
static void cli_actor(char out[STORE_STAFF_NAME_MAX + 5])
{
    const char *login = getlogin();
    if (!login || !*login) {
        struct passwd *pw = getpwuid(geteuid());
        login = pw ? pw->pw_name : NULL;
    }
    if (login && *login)
        snprintf(out, STORE_STAFF_NAME_MAX + 5, "cli:%s", login);
    else
        snprintf(out, STORE_STAFF_NAME_MAX + 5, "cli");
}

static int print_user(void *arg, const store_staff_user *u)
{
    (void)arg;
    printf("%-24s %-10s %-9s %s\n", u->name, u->role, u->disabled ? "disabled" : "active",
           u->created_at);
    return 0;
}


/* What an account command works with: the database, and the time and
 * the actor (cli_actor) that its events carry. */
typedef struct account_cmd {
    store_conn *s;
    vk_errinfo ei;
    char now[32];
    char actor[STORE_STAFF_NAME_MAX + 5];
} account_cmd;

/* Open the database at path for account command cmd ("user"): 0, else
 * the exit status after saying why. Close with store_close(a->s). */
static int account_open(account_cmd *a, const char *cmd, const char *path)
{
    vk_errinfo_clear(&a->ei);
    a->s = NULL;
    if (store_open(&a->s, path, &a->ei))
        return fail(cmd, &a->ei);
    vk_now_rfc3339(a->now);
    cli_actor(a->actor);
    return 0;
}

/* The start of a command with subcommands (user, token): -1 to go on with
 * argv[1]; else the exit status after the usage, when help was asked for
 * (0, on stdout) or no subcommand given (2, on stderr). */
static int subcommand_given(int argc, char **argv, const char *usage)
{
    if (argc >= 2 && strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "--help") != 0)
        return -1;
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
}

int cmd_user(int argc, char **argv)
{
    int r = subcommand_given(argc, argv, usage_user);
    if (r >= 0)
        return r;
    const char *sub = argv[1];
    vk_config cfg;
    const char *role = NULL;
    const cli_option opts[] = {CLI_TEXT("role", &role)};
    r = cli_parse_db(argc - 1, argv + 1, &cfg, opts, CLI_NOPTS(opts), usage_user);
    if (r >= 0)
        return r;
    int rest = argc - 1 - optind;
    const char *name = rest == 1 ? argv[1 + optind] : NULL;
    int is_add = strcmp(sub, "add") == 0, is_list = strcmp(sub, "list") == 0;
    int is_disable = strcmp(sub, "disable") == 0, is_passwd = strcmp(sub, "passwd") == 0;
    if (!(is_add || is_list || is_disable || is_passwd)) {
        fprintf(stderr, "vaikuta user: unknown subcommand '%s'\n%s", sub, usage_user);
        return 2;
    }
    if (is_list ? rest != 0 : rest != 1) {
        fprintf(stderr, "vaikuta user %s: %s\n%s", sub,
                is_list ? "takes no NAME" : "give exactly one NAME", usage_user);
        return 2;
    }
    if (name && !api_auth_name_ok(name)) {
        fprintf(stderr, "vaikuta user: a name is 1 to %d characters without spaces\n",
                STORE_STAFF_NAME_MAX);
        return 2;
    }
    if (is_add && vk_role_parse(role) == VK_ROLE_NONE) {
        fprintf(stderr, "vaikuta user add: --role must be admin, moderator, planner or council\n");
        return 2;
    }
    if (!is_add && role) {
        fprintf(stderr, "vaikuta user %s: --role is only for add\n", sub);
        return 2;
    }
    account_cmd a;
    if ((r = account_open(&a, "user", cfg.db_path)))
        return r;
    int rc = 0, changed = 0, found = 0;
    char hash[API_AUTH_HASH_SIZE];
    if (is_list) {
        if (store_staff_user_each(a.s, print_user, NULL, &a.ei))
            rc = fail("user list", &a.ei);
    } else if (is_add) {
        store_staff_user u;
        if (store_staff_user_get(a.s, name, &found, &u, &a.ei))
            rc = fail("user add", &a.ei);
        else if (found)
            rc = (fprintf(stderr, "vaikuta user add: there is already a user named '%s'\n", name), 1);
        else if (new_password("user add", hash))
            rc = 1;
        else if (store_staff_user_add(a.s, name, role, hash, a.now, a.actor, &a.ei))
            rc = fail("user add", &a.ei);
        else
            printf("added %s (%s)\n", name, role);
    } else if (is_disable) {
        if (store_staff_user_disable(a.s, name, a.now, a.actor, &changed, &a.ei))
            rc = fail("user disable", &a.ei);
        else if (!changed)
            rc = (fprintf(stderr, "vaikuta user disable: no user named '%s'\n", name), 1);
        else
            printf("disabled %s; its sessions have ended\n", name);
    } else {
        store_staff_user u;
        if (store_staff_user_get(a.s, name, &found, &u, &a.ei))
            rc = fail("user passwd", &a.ei);
        else if (!found)
            rc = (fprintf(stderr, "vaikuta user passwd: no user named '%s'\n", name), 1);
        else if (new_password("user passwd", hash))
            rc = 1;
        else if (store_staff_user_passwd(a.s, name, hash, a.now, a.actor, &changed, &a.ei))
            rc = fail("user passwd", &a.ei);
        else
            printf("changed the password of %s; its sessions have ended\n", name);
    }
    store_close(a.s);
    return rc;
}

/* A time as RFC 3339 for the token listing, "-" for none. */
static void cli_time(int64_t t, char out[32])
{
    if (t <= 0) {
        snprintf(out, 32, "-");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int token_line(void *arg, const store_token *t)
{
    int64_t now = *(const int64_t *)arg;
    char expires[32], used[32], revoked[32];
    cli_time(t->expires_at, expires);
    cli_time(t->last_used_at, used);
    cli_time(t->revoked_at, revoked);
    const char *state = t->revoked_at ? "revoked" : store_token_usable(t, now) ? "active" : "expired";
    printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s%s%s\n", (long long)t->id, t->name, t->role, t->created_at,
           t->expires_at ? expires : "never", used, state, t->revoked_at ? " " : "",
           t->revoked_at ? revoked : "");
    return 0;
}

/* Finding the token a revoke means: an all-digit argument is an id, else a
 * name, which must name exactly one token that is not revoked yet. */
typedef struct token_pick {
    const char *arg;
    int64_t id;
    int by_id, matches;
    store_token found;
} token_pick;

static int token_match(void *arg, const store_token *t)
{
    token_pick *p = arg;
    if (p->by_id ? t->id == p->id : (strcmp(t->name, p->arg) == 0 && !t->revoked_at)) {
        if (!p->matches++)
            p->found = *t;
    }
    return 0;
}

int cmd_token(int argc, char **argv)
{
    int r = subcommand_given(argc, argv, usage_token);
    if (r >= 0)
        return r;
    const char *sub = argv[1];
    int is_create = strcmp(sub, "create") == 0, is_list = strcmp(sub, "list") == 0,
        is_revoke = strcmp(sub, "revoke") == 0;
    if (!is_create && !is_list && !is_revoke) {
        fprintf(stderr, "vaikuta token: unknown subcommand '%s'\n%s", sub, usage_token);
        return 2;
    }
    vk_config cfg;
    const char *role = NULL, *name = NULL;
    long days = TOKEN_DEFAULT_DAYS;
    const cli_option opts[] = {
        CLI_TEXT("role", &role),
        CLI_TEXT("name", &name),
        {"expires-days", 0, CLI_LONG, &days, 0, TOKEN_MAX_DAYS,
         "vaikuta token create: %s must be 0 (never) to " TOKEN_MAX_DAYS_TEXT "\n", NULL},
    };
    r = cli_parse_db(argc - 1, argv + 1, &cfg, opts, CLI_NOPTS(opts), usage_token);
    if (r >= 0)
        return r;
    const char *bad = NULL;
    if (is_create && optind != argc - 1)
        bad = "unexpected argument";
    else if (is_create && (!name || !api_auth_name_ok(name)))
        bad = "--name NAME is required (no spaces)";
    else if (is_create && vk_role_parse(role) == VK_ROLE_NONE)
        bad = "--role must be admin, moderator, planner or council";
    else if (!is_create && (role || name || days != TOKEN_DEFAULT_DAYS))
        bad = "--role, --name and --expires-days are for create";
    else if (is_list && optind != argc - 1)
        bad = "list takes no argument";
    else if (is_revoke && optind != argc - 2)
        bad = "give exactly one token: its ID or NAME (from `vaikuta token list`)";
    if (bad) {
        fprintf(stderr, "vaikuta token %s: %s\n%s", sub, bad, usage_token);
        return 2;
    }
    account_cmd a;
    if ((r = account_open(&a, "token", cfg.db_path)))
        return r;
    int64_t now_s = (int64_t)time(NULL);
    int rc = 0;
    if (is_list) {
        printf("ID\tNAME\tROLE\tCREATED\tEXPIRES\tLAST USED\tSTATE\n");
        if (store_token_each(a.s, token_line, &now_s, &a.ei))
            rc = fail("token list", &a.ei);
    } else if (is_revoke) {
        token_pick p = {argv[optind + 1], 0, 0, 0, {0}};
        size_t n = strlen(p.arg);
        p.by_id = n > 0 && n <= 18 && strspn(p.arg, "0123456789") == n;
        p.id = p.by_id ? atoll(p.arg) : 0;
        int changed = 0;
        if (store_token_each(a.s, token_match, &p, &a.ei)) {
            rc = fail("token revoke", &a.ei);
        } else if (p.matches == 0) {
            fprintf(stderr, "vaikuta token revoke: no %stoken %s '%s' (see `vaikuta token list`)\n",
                    p.by_id ? "" : "unrevoked ", p.by_id ? "with the id" : "named", p.arg);
            rc = 1;
        } else if (p.matches > 1) {
            fprintf(stderr, "vaikuta token revoke: %d tokens are named '%s'; give the ID "
                            "(see `vaikuta token list`)\n", p.matches, p.arg);
            rc = 1;
        } else if (store_token_revoke(a.s, p.found.id, now_s, a.now, a.actor, &changed, &a.ei)) {
            rc = fail("token revoke", &a.ei);
        } else if (!changed) {
            printf("token %lld '%s' was already revoked\n", (long long)p.found.id, p.found.name);
        } else {
            printf("revoked token %lld '%s' (%s); it is refused from now on\n",
                   (long long)p.found.id, p.found.name, p.found.role);
        }
    } else {
        char token[API_AUTH_TOKEN_HEX + 1], hash[65], until[32];
        api_auth_random_token(token);
        api_auth_token_hash(token, hash);
        int64_t expires = days ? now_s + (int64_t)days * 86400 : 0;
        int64_t id = 0;
        if (store_token_add(a.s, name, role, hash, expires, a.now, a.actor, &id, &a.ei)) {
            rc = fail("token create", &a.ei);
        } else {
            printf("%s\n", token);
            cli_time(expires, until);
            if (isatty(STDOUT_FILENO))
                fprintf(stderr, "token %lld '%s' (%s) created, valid %s%s; it is shown only this once\n",
                        (long long)id, name, role, expires ? "until " : "", expires ? until : "for ever");
        }
        sodium_memzero(token, sizeof token);
    }
    store_close(a.s);
    return rc;
}

