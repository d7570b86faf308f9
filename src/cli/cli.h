/*
 * cli.h — what the vaikuta command's files share: the option numbers, the
 * configuration's defaults, the small helpers every command uses, and the
 * commands (main.c dispatches).
 *
 * serve.c: serve and init (the composition root: route table, access
 * check and the features' shared state handed to http/server.h);
 * data.c: load-geo, export, import, backup, check, purge; accounts.c: user
 * and token; options.c: the defaults and the option parsers.
 */
#ifndef VK_CLI_H
#define VK_CLI_H

#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "db/ctx.h"

enum { OPT_DB = 1000, OPT_LISTEN, OPT_WEB, OPT_GEO, OPT_SEEDS, OPT_DEMO, OPT_TILES,
       OPT_TILES_ATTR, OPT_THREADS, OPT_DIR, OPT_COLLECTION, OPT_FORMAT, OPT_CRS, OPT_SKIP,
       OPT_GROUP_COMMIT, OPT_RATE, OPT_BURST, OPT_MAXCONN, OPT_MAXCLIENT, OPT_TIMEOUT,
       OPT_SECURE_COOKIES, OPT_ROLE, OPT_NAME, OPT_RETENTION, OPT_CLOSED_BEFORE,
       OPT_OPEN311_KEY, OPT_QUERY_TIMEOUT, OPT_EXPENSIVE, OPT_RESPONSE_MEMORY,
       OPT_MAX_EXPORTS, OPT_EXPORT_DISK, OPT_REQUEST_TIMEOUT, OPT_EXPIRES_DAYS,
       OPT_PUBLIC_URL };

/* The configuration with every default (paths under the source tree). */
void config_defaults(vk_config *cfg);
/* A whole number in [min, max] from an option, else -1. */
long option_number(const char *s, long min, long max);
/* --listen HOST:PORT into cfg (arg is changed and kept); 0 or -1. */
int parse_listen(vk_config *cfg, char *arg);
/* --public-url into cfg (arg is kept); 0 or -1. */
int parse_public_url(vk_config *cfg, char *arg);
/* A progress bar on stderr (arg: the static label), only on a terminal. */
void progress_bar(void *arg, int64_t done, int64_t total);
/* "vaikuta CMD: message" on stderr; returns 1 (the exit status). */
int fail(const char *cmd, const vk_errinfo *ei);
/* Open (creating and migrating) the database into a new context; 0, or 1
 * after saying why. Caller frees with vk_ctx_free(). */
int open_main(const vk_config *cfg, const char *cmd, vk_ctx **ctx);
/* --db PATH for the small commands: -1 to go on with the positional
 * arguments from optind, else the exit status (help, bad option). */
int db_and_args(int argc, char **argv, const char *usage, vk_config *cfg);

/* The commands: argv[0] is the command's name; the exit status. */
int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_load_geo(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_purge(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);

#endif
