/*
 * cli.h — what the vaikuta command's files share: the option table, the
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

/* ---- options, as a table ----
 *
 * A command lists its options as cli_option rows; cli_parse reads argv
 * with getopt_long and stores each value where its row says. */

typedef enum {
    CLI_STR,    /* const char *: the argument as given */
    CLI_FLAG,   /* int: set to 1, no argument */
    CLI_UINT,   /* unsigned: a whole number in [min, max] */
    CLI_INT,    /* int: the same */
    CLI_DOUBLE, /* double: the same */
    CLI_MB,     /* size_t: the same, megabytes counted in bytes */
    CLI_LONG,   /* long: the same */
    CLI_PARSE,  /* parse(target, arg) */
} cli_kind;

typedef struct cli_option {
    const char *name; /* the long name, without "--" */
    char letter;      /* a short name too ('o'), or 0 */
    cli_kind kind;
    void *target;     /* where the value goes (the kind says its type) */
    long min, max;    /* numbers' range */
    /* Said on stderr when a number is not one or parse refuses: a printf
     * format given the option's name ("--threads"). */
    const char *bad;
    int (*parse)(void *target, char *arg); /* CLI_PARSE: 0, or -1 to refuse */
} cli_option;

/* Read the options of argv (getopt_long; the first non-option and what
 * follows stay at optind). -1 to go on; else the exit status: 0 after
 * -h/--help (usage on stdout), 2 after an unknown or bad option (usage,
 * or the row's complaint, on stderr). */
int cli_parse(int argc, char **argv, const cli_option *opts, int nopts, const char *usage);
/* The same after setting cfg to its defaults, with --db PATH for it
 * besides the rows of more (NULL and 0 for none). */
int cli_parse_db(int argc, char **argv, vk_config *cfg, const cli_option *more, int nmore,
                 const char *usage);
#define CLI_NOPTS(opts) ((int)(sizeof opts / sizeof opts[0]))
/* Rows of the two plainest kinds. */
#define CLI_TEXT(name, target) {name, 0, CLI_STR, target, 0, 0, NULL, NULL}
#define CLI_SWITCH(name, target) {name, 0, CLI_FLAG, target, 0, 0, NULL, NULL}

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

/* The commands: argv[0] is the command's name; the exit status. */
int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_mail(int argc, char **argv); /* mail.c */
int cmd_load_geo(int argc, char **argv);
int cmd_load_addresses(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_purge(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);

#endif
