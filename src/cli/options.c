/* options.c — the configuration's defaults, the option table reader and the
 * helpers every command shares. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"
#include "db/store.h"
#include "survey/seed.h"

/* A whole number in [min, max] from an option, else -1. */
long option_number(const char *s, long min, long max)
{
    char *end;
    long v = strtol(s, &end, 10);
    return (*s && !*end && v >= min && v <= max) ? v : -1;
}


/* A progress bar on stderr, only when it is a terminal. */
void progress_bar(void *arg, int64_t done, int64_t total)
{
    const char *what = arg;
    if (!isatty(STDERR_FILENO))
        return;
    int pct = total > 0 ? (int)(done * 100 / total) : 0;
    if (pct > 100)
        pct = 100;
    char bar[41];
    memset(bar, '#', (size_t)(pct * 40 / 100));
    memset(bar + pct * 40 / 100, ' ', (size_t)(40 - pct * 40 / 100));
    bar[40] = '\0';
    fprintf(stderr, "\r%s [%s] %3d%% %lld/%lld", what, bar, pct, (long long)done, (long long)total);
    if (done >= total)
        fputc('\n', stderr);
}


void config_defaults(vk_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->db_path = VK_DEFAULT_DB;
    cfg->listen_host = "127.0.0.1";
    cfg->port = 8080;
    cfg->web_dir = VK_SOURCE_DIR "/web";
    cfg->geo_dir = VK_SOURCE_DIR "/geo";
    cfg->seeds_dir = VK_SOURCE_DIR "/seeds";
    cfg->demo_responses = SURVEY_DEMO_RESPONSES;
    cfg->tiles_attribution = "";
    cfg->threads = 2;
    cfg->body_max = VK_DEFAULT_BODY_MAX;
    cfg->response_max = VK_DEFAULT_RESPONSE_MAX;
    cfg->group_commit = 1;
    cfg->header_max = VK_DEFAULT_HEADER_MAX;
    cfg->uri_max = VK_DEFAULT_URI_MAX;
    cfg->max_connections = VK_DEFAULT_MAX_CONNECTIONS;
    cfg->max_per_client = VK_DEFAULT_MAX_PER_CLIENT;
    cfg->timeout = 30;
    cfg->request_timeout = VK_DEFAULT_REQUEST_TIMEOUT;
    cfg->rate_per_minute = 120;
    cfg->mmap_mb = VK_DEFAULT_MMAP_MB;
    cfg->rate_burst = 60;
    cfg->session_seconds = 8 * 3600;
    cfg->contact_retention_days = VK_DEFAULT_CONTACT_RETENTION_DAYS;
    cfg->query_timeout_ms = VK_DEFAULT_QUERY_TIMEOUT_MS;
    cfg->expensive_requests = VK_DEFAULT_EXPENSIVE_REQUESTS;
    cfg->response_memory = VK_DEFAULT_RESPONSE_MEMORY;
    cfg->max_exports = VK_DEFAULT_MAX_EXPORTS;
    cfg->export_disk = VK_DEFAULT_EXPORT_DISK;
    cfg->mail_from = VK_DEFAULT_MAIL_FROM;
    cfg->mail_retry_seconds = VK_DEFAULT_MAIL_RETRY_SECONDS;
    cfg->mail_per_minute = VK_DEFAULT_MAIL_PER_MINUTE;
}

int parse_listen(vk_config *cfg, char *arg)
{
    char *colon = strrchr(arg, ':');
    if (!colon || colon == arg)
        return -1;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535)
        return -1;
    *colon = '\0';
    cfg->listen_host = strcmp(arg, "localhost") == 0 ? "127.0.0.1" : arg;
    cfg->port = (unsigned short)port;
    return 0;
}

/* --public-url: http(s)://HOST[:PORT][/PATH] with nothing that could end a
 * header or a JSON string or add a query; a trailing slash is dropped. */
int parse_public_url(vk_config *cfg, char *arg)
{
    size_t n = strlen(arg);
    while (n && arg[n - 1] == '/')
        arg[--n] = '\0';
    const char *host = strncmp(arg, "https://", 8) == 0 ? arg + 8
                       : strncmp(arg, "http://", 7) == 0 ? arg + 7
                                                         : NULL;
    if (!host || !*host || *host == '/' || *host == ':' || n > 200)
        return -1;
    for (const char *p = host; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr(".-_~:[]/%", *p))
            return -1;
    cfg->public_url = arg;
    return 0;
}

int fail(const char *cmd, const vk_errinfo *ei)
{
    fprintf(stderr, "vaikuta %s: %s\n", cmd, ei->message[0] ? ei->message : vk_err_message(ei->code));
    return 1;
}


/* Open (creating and migrating) the database and load reference data. */
int open_main(const vk_config *cfg, const char *cmd, vk_ctx **ctx)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    store_conn *store = NULL;
    if (store_open(&store, cfg->db_path, &ei) || vk_ctx_new(ctx, cfg, store, &ei))
        return fail(cmd, &ei);
    return 0;
}




#define CLI_MAX_OPTIONS 40

/* Store arg as row o says; 0, or -1 when it is refused. */
static int store_option(const cli_option *o, char *arg)
{
    if (o->kind == CLI_STR) {
        *(const char **)o->target = arg;
        return 0;
    }
    if (o->kind == CLI_FLAG) {
        *(int *)o->target = 1;
        return 0;
    }
    if (o->kind == CLI_PARSE)
        return o->parse(o->target, arg);
    long v = option_number(arg, o->min, o->max);
    if (v < 0)
        return -1;
    switch (o->kind) {
    case CLI_UINT: *(unsigned *)o->target = (unsigned)v; break;
    case CLI_INT: *(int *)o->target = (int)v; break;
    case CLI_DOUBLE: *(double *)o->target = (double)v; break;
    case CLI_MB: *(size_t *)o->target = (size_t)v * 1024 * 1024; break;
    default: *(long *)o->target = v; break;
    }
    return 0;
}

int cli_parse(int argc, char **argv, const cli_option *opts, int nopts, const char *usage)
{
    struct option longs[CLI_MAX_OPTIONS + 2];
    char shorts[2 * CLI_MAX_OPTIONS + 2] = "h";
    size_t ns = 1;
    if (nopts > CLI_MAX_OPTIONS)
        nopts = CLI_MAX_OPTIONS;
    for (int i = 0; i < nopts; i++) {
        int arg = opts[i].kind == CLI_FLAG ? no_argument : required_argument;
        longs[i] = (struct option){opts[i].name, arg, NULL, 1000 + i};
        if (opts[i].letter) {
            shorts[ns++] = opts[i].letter;
            if (arg == required_argument)
                shorts[ns++] = ':';
        }
    }
    shorts[ns] = '\0';
    longs[nopts] = (struct option){"help", no_argument, NULL, 'h'};
    longs[nopts + 1] = (struct option){NULL, 0, NULL, 0};
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        const cli_option *o = NULL;
        for (int i = 0; i < nopts && !o; i++)
            if (c == 1000 + i || (opts[i].letter && c == opts[i].letter))
                o = &opts[i];
        if (c == 'h' && !o) {
            fputs(usage, stdout);
            return 0;
        }
        if (!o) {
            fputs(usage, stderr);
            return 2;
        }
        if (store_option(o, optarg)) {
            char name[64];
            snprintf(name, sizeof name, "--%s", o->name);
            if (o->bad)
                fprintf(stderr, o->bad, name);
            return 2;
        }
    }
    return -1;
}

int cli_parse_db(int argc, char **argv, vk_config *cfg, const cli_option *more, int nmore,
                 const char *usage)
{
    cli_option opts[CLI_MAX_OPTIONS] = {CLI_TEXT("db", &cfg->db_path)};
    int n = 1;
    config_defaults(cfg);
    for (int i = 0; i < nmore && n < CLI_MAX_OPTIONS; i++)
        opts[n++] = more[i];
    return cli_parse(argc, argv, opts, n, usage);
}
