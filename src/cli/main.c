/*
 * main.c — the vaikuta command: parse the command line, set up the
 * configuration once, and run a subcommand. `serve` runs the HTTP service
 * until SIGINT/SIGTERM, then lets in-flight requests finish and closes the
 * database cleanly.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <termios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "feedback/feedback.h"
#include "reference/reference.h"
#include "auth/auth.h"
#include "db/ctx.h"
#include "exchange/export.h"
#include "exchange/import.h"
#include "feedback/moderation.h"
#include "core/config.h"
#include "http/server.h"
#include "auth/staff.h"
#include "db/store.h"
#include "core/clock.h"
#include "core/log.h"

static const char usage_main[] =
    "Usage: vaikuta COMMAND [OPTIONS]\n"
    "\n"
    "Vaikuta: map-based feedback and surveys for municipalities.\n"
    "\n"
    "Commands:\n"
    "  serve      run the HTTP service and the web client\n"
    "  init       create or migrate a database and load reference data, then exit\n"
    "  load-geo   replace the boundary, districts and accessibility areas\n"
    "  export     write a collection to GeoJSON, CSV or GeoPackage\n"
    "  import     load feedback from GeoJSON or GeoPackage\n"
    "  backup     copy the database consistently, also while it is served\n"
    "  check      check the database's integrity and say what is wrong\n"
    "  user       add, list, disable staff accounts or change a password\n"
    "  token      create, list or revoke API tokens for integrations\n"
    "  purge      delete contact details of closed and withdrawn feedback\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help (or `vaikuta COMMAND --help`)\n"
    "  -V, --version  show the version\n";

static const char usage_serve[] =
    "Usage: vaikuta serve [OPTIONS]\n"
    "\n"
    "Run the HTTP service. A missing database is created and migrated; the\n"
    "reference areas (geo/) and categories (seeds/) are loaded into it once.\n"
    "\n"
    "Options:\n"
    "  --db PATH           SpatiaLite database (default " VK_DEFAULT_DB ")\n"
    "  --listen HOST:PORT  address to listen on (default " VK_DEFAULT_LISTEN ")\n"
    "  --web DIR           web client directory (default: the repository's web/)\n"
    "  --geo DIR           reference geodata directory (default: the repository's geo/)\n"
    "  --seeds DIR         categories and demo content (default: the repository's seeds/)\n"
    "  --demo              load the demo feedback into a database that has none\n"
    "  --tiles URL         XYZ basemap template for the client, e.g.\n"
    "                      https://tile.example.org/{z}/{x}/{y}.png (default: none,\n"
    "                      the map shows district outlines only)\n"
    "  --tiles-attribution TEXT  attribution shown for the basemap\n"
    "  --threads N         worker threads (default 2)\n"
    "  --group-commit on|off  commit queued writes together (default on)\n"
    "  --rate-limit N      public writes per client address a minute (default 120;\n"
    "                      0 turns the limit off)\n"
    "  --rate-burst N      writes a client may make at once (default 60)\n"
    "  --max-connections N             open connections in all (default 4096, fewer\n"
    "                      if the open-file limit is lower)\n"
    "  --max-connections-per-client N  from one address (default 64)\n"
    "  --timeout S         seconds an idle connection is kept (default 30)\n"
    "  --request-timeout S seconds a request's head and body may take to arrive,\n"
    "                      however steadily they trickle (default 10; 0 turns it off)\n"
    "  --secure-cookies    mark the staff session cookie Secure (serve behind TLS)\n"
    "  --contact-retention-days N  delete the contact details of feedback closed\n"
    "                      more than N days ago, at start and hourly (default 365;\n"
    "                      0 turns the schedule off)\n"
    "  --open311-require-key  Open311 POST requests need api_key, an API token\n"
    "                      from `vaikuta token create` (default: optional)\n"
    "  --query-timeout MS  longest database work of one request (default 2000;\n"
    "                      0 off); longer ones answer 503 query_timeout\n"
    "  --expensive-requests N  filtered queries, pages over 1000 items and\n"
    "                      GeoPackage builds at once, off the connection threads\n"
    "                      (default 2); more answer 503 busy with Retry-After\n"
    "  --response-memory MB  memory all answers waiting for slow clients may hold\n"
    "                      (default 256); beyond it large answers are 503 busy\n"
    "  --max-exports N     GeoJSON/CSV exports being sent at once (default 4)\n"
    "  --export-disk MB    disk for GeoPackage exports, shared per data version\n"
    "                      (default 1024)\n"
    "  --public-url URL    the service's public address, e.g. https://palaute.example.fi\n"
    "                      (a path prefix is allowed): every absolute link (OGC API,\n"
    "                      Open311) starts with it. Default: http://HOST:PORT of\n"
    "                      --listen. Links never follow the request's Host header.\n"
    "  -h, --help          show this help\n";

static const char usage_init[] =
    "Usage: vaikuta init [--db PATH] [--geo DIR] [--seeds DIR] [--demo]\n"
    "\n"
    "Create (or migrate) the database, load the reference areas and the\n"
    "categories when missing, and with --demo the demo feedback; then exit.\n";

static const char usage_load_geo[] =
    "Usage: vaikuta load-geo --db PATH --dir DIR\n"
    "\n"
    "Replace the municipality boundary, districts and accessibility areas\n"
    "with DIR/boundary.geojson, DIR/districts.geojson and\n"
    "DIR/accessibility-areas.geojson (EPSG:4326; see geo/README.md), and\n"
    "re-assign the district of every stored feedback item. All or nothing.\n";

static const char usage_export[] =
    "Usage: vaikuta export --db PATH --collection NAME --format geojson|csv|gpkg\n"
    "                      [--crs EPSG:3067] -o FILE\n"
    "\n"
    "Write a whole collection (feedback, districts, accessibility-areas) in\n"
    "constant memory. --crs: CRS84 (default), EPSG:4326, EPSG:3067, EPSG:3879;\n"
    "files use easting/longitude first. -o - writes GeoJSON or CSV to stdout.\n";

static const char usage_import[] =
    "Usage: vaikuta import --db PATH --collection feedback [--skip-invalid] FILE\n"
    "\n"
    "Load feedback from GeoJSON (RFC 7946) or a GeoPackage layer (EPSG:4326,\n"
    "3067 or 3879) with the checks of the API; status, answers and times are\n"
    "kept. All or nothing, unless --skip-invalid: then the rest is loaded and\n"
    "every skipped feature is reported with its index and the reason.\n";

enum { OPT_DB = 1000, OPT_LISTEN, OPT_WEB, OPT_GEO, OPT_SEEDS, OPT_DEMO, OPT_TILES,
       OPT_TILES_ATTR, OPT_THREADS, OPT_DIR, OPT_COLLECTION, OPT_FORMAT, OPT_CRS, OPT_SKIP,
       OPT_GROUP_COMMIT, OPT_RATE, OPT_BURST, OPT_MAXCONN, OPT_MAXCLIENT, OPT_TIMEOUT,
       OPT_SECURE_COOKIES, OPT_ROLE, OPT_NAME, OPT_RETENTION, OPT_CLOSED_BEFORE,
       OPT_OPEN311_KEY, OPT_QUERY_TIMEOUT, OPT_EXPENSIVE, OPT_RESPONSE_MEMORY,
       OPT_MAX_EXPORTS, OPT_EXPORT_DISK, OPT_REQUEST_TIMEOUT, OPT_EXPIRES_DAYS,
       OPT_PUBLIC_URL };

/* API tokens expire after a year unless told otherwise: an integration is
 * reviewed yearly anyway, and a forgotten token stops working by itself
 * instead of staying valid for ever. */
#define TOKEN_DEFAULT_DAYS 365
#define TOKEN_MAX_DAYS 3650

/* A whole number in [min, max] from an option, else -1. */
static long option_number(const char *s, long min, long max)
{
    char *end;
    long v = strtol(s, &end, 10);
    return (*s && !*end && v >= min && v <= max) ? v : -1;
}

/* A progress bar on stderr, only when it is a terminal. */
static void progress_bar(void *arg, int64_t done, int64_t total)
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

static void config_defaults(vk_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->db_path = VK_DEFAULT_DB;
    cfg->listen_host = "127.0.0.1";
    cfg->port = 8080;
    cfg->web_dir = VK_SOURCE_DIR "/web";
    cfg->geo_dir = VK_SOURCE_DIR "/geo";
    cfg->seeds_dir = VK_SOURCE_DIR "/seeds";
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
    cfg->rate_burst = 60;
    cfg->session_seconds = 8 * 3600;
    cfg->contact_retention_days = VK_DEFAULT_CONTACT_RETENTION_DAYS;
    cfg->query_timeout_ms = VK_DEFAULT_QUERY_TIMEOUT_MS;
    cfg->expensive_requests = VK_DEFAULT_EXPENSIVE_REQUESTS;
    cfg->response_memory = VK_DEFAULT_RESPONSE_MEMORY;
    cfg->max_exports = VK_DEFAULT_MAX_EXPORTS;
    cfg->export_disk = VK_DEFAULT_EXPORT_DISK;
}

static int parse_listen(vk_config *cfg, char *arg)
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
static int parse_public_url(vk_config *cfg, char *arg)
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

static int fail(const char *cmd, const vk_errinfo *ei)
{
    fprintf(stderr, "vaikuta %s: %s\n", cmd, ei->message[0] ? ei->message : vk_err_message(ei->code));
    return 1;
}

/* Open (creating and migrating) the database and load reference data. */
static int open_main(const vk_config *cfg, const char *cmd, vk_ctx **ctx)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    store_conn *store = NULL;
    if (store_open(&store, cfg->db_path, &ei) || vk_ctx_new(ctx, cfg, store, &ei))
        return fail(cmd, &ei);
    return 0;
}

/* Every connection is an open file: raise the soft limit as far as the
 * hard one allows, and serve fewer connections than asked if that is not
 * enough (the database, logs and threads need some files too). */
static void fit_open_files(vk_config *cfg)
{
    const rlim_t spare = 64;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = (rlim_t)cfg->max_connections + spare;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        unsigned fit = rl.rlim_cur > spare * 2 ? (unsigned)(rl.rlim_cur - spare) : 64;
        vk_log("the open-file limit (%llu) allows %u connections, not %u; raise it (ulimit -n, "
               "LimitNOFILE=) to serve more", (unsigned long long)rl.rlim_cur, fit,
               cfg->max_connections);
        cfg->max_connections = fit;
    }
    if (cfg->max_per_client > cfg->max_connections)
        cfg->max_per_client = cfg->max_connections;
}

static int serve_or_init(int argc, char **argv, int init_only)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"web", required_argument, NULL, OPT_WEB},
        {"geo", required_argument, NULL, OPT_GEO},
        {"seeds", required_argument, NULL, OPT_SEEDS},
        {"demo", no_argument, NULL, OPT_DEMO},
        {"tiles", required_argument, NULL, OPT_TILES},
        {"tiles-attribution", required_argument, NULL, OPT_TILES_ATTR},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"group-commit", required_argument, NULL, OPT_GROUP_COMMIT},
        {"rate-limit", required_argument, NULL, OPT_RATE},
        {"rate-burst", required_argument, NULL, OPT_BURST},
        {"max-connections", required_argument, NULL, OPT_MAXCONN},
        {"max-connections-per-client", required_argument, NULL, OPT_MAXCLIENT},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT},
        {"secure-cookies", no_argument, NULL, OPT_SECURE_COOKIES},
        {"contact-retention-days", required_argument, NULL, OPT_RETENTION},
        {"open311-require-key", no_argument, NULL, OPT_OPEN311_KEY},
        {"query-timeout", required_argument, NULL, OPT_QUERY_TIMEOUT},
        {"expensive-requests", required_argument, NULL, OPT_EXPENSIVE},
        {"response-memory", required_argument, NULL, OPT_RESPONSE_MEMORY},
        {"max-exports", required_argument, NULL, OPT_MAX_EXPORTS},
        {"export-disk", required_argument, NULL, OPT_EXPORT_DISK},
        {"public-url", required_argument, NULL, OPT_PUBLIC_URL},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    vk_config cfg;
    config_defaults(&cfg);
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: cfg.db_path = optarg; break;
        case OPT_LISTEN:
            if (parse_listen(&cfg, optarg)) {
                fprintf(stderr, "vaikuta serve: --listen wants HOST:PORT, e.g. 127.0.0.1:8080\n");
                return 2;
            }
            break;
        case OPT_WEB: cfg.web_dir = optarg; break;
        case OPT_GEO: cfg.geo_dir = optarg; break;
        case OPT_SEEDS: cfg.seeds_dir = optarg; break;
        case OPT_DEMO: cfg.demo = 1; break;
        case OPT_SECURE_COOKIES: cfg.secure_cookies = 1; break;
        case OPT_OPEN311_KEY: cfg.open311_require_key = 1; break;
        case OPT_PUBLIC_URL:
            if (parse_public_url(&cfg, optarg)) {
                fprintf(stderr, "vaikuta serve: --public-url wants http(s)://HOST[:PORT][/PATH], "
                                "e.g. https://palaute.example.fi\n");
                return 2;
            }
            break;
        case OPT_TILES: cfg.tiles_url = optarg; break;
        case OPT_TILES_ATTR: cfg.tiles_attribution = optarg; break;
        case OPT_THREADS:
            cfg.threads = atoi(optarg);
            if (cfg.threads < 1 || cfg.threads > 64) {
                fprintf(stderr, "vaikuta serve: --threads must be 1..64\n");
                return 2;
            }
            break;
        case OPT_GROUP_COMMIT:
            if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
                fprintf(stderr, "vaikuta serve: --group-commit is on or off\n");
                return 2;
            }
            cfg.group_commit = strcmp(optarg, "on") == 0;
            break;
        case OPT_REQUEST_TIMEOUT: {
            long v = option_number(optarg, 0, 3600);
            if (v < 0) {
                fprintf(stderr, "vaikuta serve: --request-timeout wants whole seconds, 0..3600 "
                                "(0 turns the deadline off)\n");
                return 2;
            }
            cfg.request_timeout = (unsigned)v;
            break;
        }
        case OPT_RETENTION: {
            long v = option_number(optarg, 0, 100000);
            if (v < 0) {
                fprintf(stderr, "vaikuta serve: --contact-retention-days wants a whole number of "
                                "days (0 turns the purge off)\n");
                return 2;
            }
            cfg.contact_retention_days = (int)v;
            break;
        }
        case OPT_RATE:
        case OPT_BURST:
        case OPT_MAXCONN:
        case OPT_MAXCLIENT:
        case OPT_TIMEOUT: {
            long v = option_number(optarg, c == OPT_RATE ? 0 : 1, 1000000);
            if (v < 0) {
                fprintf(stderr, "vaikuta serve: %s wants a whole number\n", argv[optind - 2]);
                return 2;
            }
            if (c == OPT_RATE)
                cfg.rate_per_minute = (double)v;
            else if (c == OPT_BURST)
                cfg.rate_burst = (double)v;
            else if (c == OPT_MAXCONN)
                cfg.max_connections = (unsigned)v;
            else if (c == OPT_MAXCLIENT)
                cfg.max_per_client = (unsigned)v;
            else
                cfg.timeout = (unsigned)v;
            break;
        }
        case OPT_QUERY_TIMEOUT:
        case OPT_EXPENSIVE:
        case OPT_RESPONSE_MEMORY:
        case OPT_MAX_EXPORTS:
        case OPT_EXPORT_DISK: {
            long v = option_number(optarg, c == OPT_QUERY_TIMEOUT ? 0 : 1,
                                   c == OPT_EXPENSIVE ? 64 : 1000000);
            if (v < 0) {
                fprintf(stderr, "vaikuta serve: %s wants a whole number%s\n", argv[optind - 2],
                        c == OPT_EXPENSIVE ? " from 1 to 64" : "");
                return 2;
            }
            if (c == OPT_QUERY_TIMEOUT)
                cfg.query_timeout_ms = (int)v;
            else if (c == OPT_EXPENSIVE)
                cfg.expensive_requests = (int)v;
            else if (c == OPT_RESPONSE_MEMORY)
                cfg.response_memory = (size_t)v * 1024 * 1024;
            else if (c == OPT_MAX_EXPORTS)
                cfg.max_exports = (int)v;
            else
                cfg.export_disk = (size_t)v * 1024 * 1024;
            break;
        }
        case 'h': fputs(init_only ? usage_init : usage_serve, stdout); return 0;
        default: fputs(init_only ? usage_init : usage_serve, stderr); return 2;
        }
    }
    /* Absolute links start with the configured public address, or the one
     * the server listens on: never with what a client sends as Host. */
    static char listen_url[64];
    if (!cfg.public_url) {
        snprintf(listen_url, sizeof listen_url, "http://%s:%u", cfg.listen_host, cfg.port);
        cfg.public_url = listen_url;
    }
    const char *cmd = init_only ? "init" : "serve";
    if (optind < argc) {
        fprintf(stderr, "vaikuta %s: unexpected argument '%s'\n", cmd, argv[optind]);
        return 2;
    }

    vk_ctx *ctx = NULL;
    if (open_main(&cfg, cmd, &ctx))
        return 1;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int added = 0;
    if (api_seed_reference(ctx, cfg.geo_dir, cfg.seeds_dir, &ei) ||
        (cfg.demo && api_seed_demo(ctx, cfg.seeds_dir, &added, &ei))) {
        vk_ctx_free(ctx);
        return fail(cmd, &ei);
    }
    if (cfg.demo)
        vk_log("demo content: %d feedback items added", added);
    vk_ctx_free(ctx);
    if (init_only)
        return 0;

    /* Block the stop signals in every thread; the main thread waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    randombytes_buf(cfg.address_key, sizeof cfg.address_key);
    fit_open_files(&cfg);
    http_server *srv = NULL;
    if (http_server_start(&srv, &cfg, &api_feedback_retention_hook, &ei))
        return fail("serve", &ei);
    vk_log("vaikuta %s listening on http://%s:%u/ (database %s; links say %s)", VK_VERSION,
           cfg.listen_host, cfg.port, cfg.db_path, cfg.public_url);
    int sig = 0;
    sigwait(&stop, &sig);
    vk_log("received %s: finishing requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
    http_server_stop(srv, 10000);
    vk_log("stopped; database closed");
    return 0;
}

static int cmd_serve(int argc, char **argv) { return serve_or_init(argc, argv, 0); }
static int cmd_init(int argc, char **argv) { return serve_or_init(argc, argv, 1); }

static int cmd_load_geo(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"dir", required_argument, NULL, OPT_DIR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    vk_config cfg;
    config_defaults(&cfg);
    const char *dir = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: cfg.db_path = optarg; break;
        case OPT_DIR: dir = optarg; break;
        case 'h': fputs(usage_load_geo, stdout); return 0;
        default: fputs(usage_load_geo, stderr); return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "vaikuta load-geo: --dir DIR is required\n%s", usage_load_geo);
        return 2;
    }
    vk_ctx *ctx = NULL;
    if (open_main(&cfg, "load-geo", &ctx))
        return 1;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int64_t changed = 0;
    vk_err e = api_load_geo(ctx, dir, &changed, &ei);
    vk_ctx_free(ctx);
    if (e)
        return fail("load-geo", &ei);
    printf("loaded %s; %lld feedback items changed district\n", dir, (long long)changed);
    return 0;
}

static int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"collection", required_argument, NULL, OPT_COLLECTION},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"crs", required_argument, NULL, OPT_CRS},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    vk_config cfg;
    config_defaults(&cfg);
    const char *name = NULL, *format = NULL, *crs_name = NULL, *out = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: cfg.db_path = optarg; break;
        case OPT_COLLECTION: name = optarg; break;
        case OPT_FORMAT: format = optarg; break;
        case OPT_CRS: crs_name = optarg; break;
        case 'o': out = optarg; break;
        case 'h': fputs(usage_export, stdout); return 0;
        default: fputs(usage_export, stderr); return 2;
        }
    }
    api_export_format fmt;
    gis_crs crs = GIS_CRS_CRS84;
    const store_collection *col = name ? store_collection_find(name) : NULL;
    if (!col || !format || api_export_format_parse(format, &fmt) || !out ||
        (crs_name && gis_crs_parse(crs_name, &crs))) {
        fprintf(stderr, "vaikuta export: %s\n%s",
                !col ? "--collection must be feedback, districts or accessibility-areas"
                : !format || api_export_format_parse(format, &fmt) ? "--format must be geojson, csv or gpkg"
                : !out ? "-o FILE is required"
                       : "--crs must be CRS84, EPSG:4326, EPSG:3067 or EPSG:3879",
                usage_export);
        return 2;
    }
    vk_ctx *ctx = NULL; /* opens and migrates; the export has its own connection */
    if (open_main(&cfg, "export", &ctx))
        return 1;
    vk_ctx_free(ctx);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (fmt == EXPORT_GPKG) {
        if (strcmp(out, "-") == 0) {
            fprintf(stderr, "vaikuta export: a GeoPackage needs a file, not stdout\n");
            return 2;
        }
        if (api_export_gpkg(&cfg, col, crs, out, progress_bar, (void *)"export", &ei))
            return fail("export", &ei);
        return 0;
    }
    FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "wbx");
    if (!f) {
        fprintf(stderr, "vaikuta export: cannot create %s (does it exist already?)\n", out);
        return 1;
    }
    api_export *x = NULL;
    if (api_export_open(&x, &cfg, col, fmt, crs, &ei)) {
        if (f != stdout) {
            fclose(f);
            unlink(out);
        }
        return fail("export", &ei);
    }
    static char buf[256 * 1024];
    ssize_t n;
    int64_t shown = -1;
    int bad = 0;
    while ((n = api_export_read(x, buf, sizeof buf, &ei)) > 0) {
        if (fwrite(buf, 1, (size_t)n, f) != (size_t)n) {
            vk_fail(&ei, VK_EIO, "", "writing %s failed", out);
            bad = 1;
            break;
        }
        if (api_export_done(x) / 10000 != shown) {
            shown = api_export_done(x) / 10000;
            progress_bar((void *)"export", api_export_done(x), api_export_total(x));
        }
    }
    progress_bar((void *)"export", api_export_done(x), api_export_total(x));
    bad |= n < 0;
    api_export_close(x);
    if (f != stdout && fclose(f) != 0)
        bad = 1;
    if (bad) {
        if (f != stdout)
            unlink(out);
        return fail("export", &ei);
    }
    return 0;
}

static void report_skipped(void *arg, int64_t index, const vk_errinfo *why)
{
    (void)arg;
    if (isatty(STDERR_FILENO))
        fputc('\n', stderr);
    fprintf(stderr, "skipped feature %lld: %s%s%s%s\n", (long long)index, why->message,
            why->field[0] ? " (" : "", why->field, why->field[0] ? ")" : "");
}

static const char usage_backup[] =
    "Usage: vaikuta backup --db PATH OUT\n"
    "\n"
    "Copy the database to OUT (which must not exist) with SQLite's online\n"
    "backup: a consistent snapshot, taken while the server goes on serving.\n";

static const char usage_check[] =
    "Usage: vaikuta check --db PATH\n"
    "\n"
    "Check the file's integrity, the references between tables and the\n"
    "spatial indexes, and say in plain words what is wrong. Exit status 0\n"
    "when everything is in order, 1 when not.\n";

/* --db PATH and the positional arguments, for the small commands. */
static int db_and_args(int argc, char **argv, const char *usage, vk_config *cfg)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    config_defaults(cfg);
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: cfg->db_path = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    return -1;
}

static int cmd_backup(int argc, char **argv)
{
    vk_config cfg;
    int r = db_and_args(argc, argv, usage_backup, &cfg);
    if (r >= 0)
        return r;
    if (optind != argc - 1) {
        fprintf(stderr, "vaikuta backup: give the file to write\n%s", usage_backup);
        return 2;
    }
    if (access(cfg.db_path, R_OK) != 0) {
        fprintf(stderr, "vaikuta backup: cannot read %s\n", cfg.db_path);
        return 1;
    }
    store_conn *s = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (store_open_existing(&s, cfg.db_path, &ei) || store_backup(s, argv[optind], &ei)) {
        store_close(s);
        return fail("backup", &ei);
    }
    store_close(s);
    printf("copied %s to %s\n", cfg.db_path, argv[optind]);
    return 0;
}

static void print_line(void *arg, const char *line)
{
    (void)arg;
    printf("%s\n", line);
}

static int cmd_check(int argc, char **argv)
{
    vk_config cfg;
    int r = db_and_args(argc, argv, usage_check, &cfg);
    if (r >= 0)
        return r;
    if (optind != argc) {
        fprintf(stderr, "vaikuta check: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (access(cfg.db_path, R_OK) != 0) {
        fprintf(stderr, "vaikuta check: cannot read %s\n", cfg.db_path);
        return 1;
    }
    store_conn *s = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int problems = 0;
    if (store_open_existing(&s, cfg.db_path, &ei) || store_check(s, print_line, NULL, &problems, &ei)) {
        store_close(s);
        return fail("check", &ei);
    }
    store_close(s);
    printf(problems ? "%d problem(s) found\n" : "everything is in order\n", problems);
    return problems ? 1 : 0;
}

static int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"collection", required_argument, NULL, OPT_COLLECTION},
        {"skip-invalid", no_argument, NULL, OPT_SKIP},
        {"geo", required_argument, NULL, OPT_GEO},
        {"seeds", required_argument, NULL, OPT_SEEDS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    vk_config cfg;
    config_defaults(&cfg);
    const char *name = "feedback";
    api_import_opts io = {0, report_skipped, progress_bar, (void *)"import"};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: cfg.db_path = optarg; break;
        case OPT_COLLECTION: name = optarg; break;
        case OPT_SKIP: io.skip_invalid = 1; break;
        case OPT_GEO: cfg.geo_dir = optarg; break;
        case OPT_SEEDS: cfg.seeds_dir = optarg; break;
        case 'h': fputs(usage_import, stdout); return 0;
        default: fputs(usage_import, stderr); return 2;
        }
    }
    if (strcmp(name, "feedback") != 0 || optind != argc - 1) {
        fprintf(stderr, "vaikuta import: %s\n%s",
                strcmp(name, "feedback") ? "only --collection feedback can be imported"
                                         : "give exactly one FILE",
                usage_import);
        return 2;
    }
    vk_ctx *ctx = NULL;
    if (open_main(&cfg, "import", &ctx))
        return 1;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    api_import_result res;
    /* Imports are checked against the boundary: load it if this is new. */
    vk_err e = api_seed_reference(ctx, cfg.geo_dir, cfg.seeds_dir, &ei);
    if (!e)
        e = api_import_file(ctx, argv[optind], &io, &res, &ei);
    vk_ctx_free(ctx);
    if (e) {
        if (isatty(STDERR_FILENO))
            fputc('\n', stderr);
        fprintf(stderr, "vaikuta import: %s\nnothing was imported\n", ei.message);
        return 1;
    }
    printf("imported %lld feedback items, skipped %lld\n", (long long)res.added,
           (long long)res.skipped);
    return 0;
}

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


static int cmd_user(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"role", required_argument, NULL, OPT_ROLE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage_user, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    vk_config cfg;
    config_defaults(&cfg);
    const char *role = NULL;
    int c;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: cfg.db_path = optarg; break;
        case OPT_ROLE: role = optarg; break;
        case 'h': fputs(usage_user, stdout); return 0;
        default: fputs(usage_user, stderr); return 2;
        }
    }
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
    if (is_add && api_auth_role_parse(role) == VK_ROLE_NONE) {
        fprintf(stderr, "vaikuta user add: --role must be admin, moderator, planner or council\n");
        return 2;
    }
    if (!is_add && role) {
        fprintf(stderr, "vaikuta user %s: --role is only for add\n", sub);
        return 2;
    }
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    store_conn *s = NULL;
    if (store_open(&s, cfg.db_path, &ei))
        return fail("user", &ei);
    int rc = 0, changed = 0, found = 0;
    char hash[API_AUTH_HASH_SIZE], now[32], actor[STORE_STAFF_NAME_MAX + 5];
    vk_now_rfc3339(now);
    cli_actor(actor);
    if (is_list) {
        if (store_staff_user_each(s, print_user, NULL, &ei))
            rc = fail("user list", &ei);
    } else if (is_add) {
        store_staff_user u;
        if (store_staff_user_get(s, name, &found, &u, &ei))
            rc = fail("user add", &ei);
        else if (found)
            rc = (fprintf(stderr, "vaikuta user add: there is already a user named '%s'\n", name), 1);
        else if (new_password("user add", hash))
            rc = 1;
        else if (store_staff_user_add(s, name, role, hash, now, actor, &ei))
            rc = fail("user add", &ei);
        else
            printf("added %s (%s)\n", name, role);
    } else if (is_disable) {
        if (store_staff_user_disable(s, name, now, actor, &changed, &ei))
            rc = fail("user disable", &ei);
        else if (!changed)
            rc = (fprintf(stderr, "vaikuta user disable: no user named '%s'\n", name), 1);
        else
            printf("disabled %s; its sessions have ended\n", name);
    } else {
        store_staff_user u;
        if (store_staff_user_get(s, name, &found, &u, &ei))
            rc = fail("user passwd", &ei);
        else if (!found)
            rc = (fprintf(stderr, "vaikuta user passwd: no user named '%s'\n", name), 1);
        else if (new_password("user passwd", hash))
            rc = 1;
        else if (store_staff_user_passwd(s, name, hash, now, actor, &changed, &ei))
            rc = fail("user passwd", &ei);
        else
            printf("changed the password of %s; its sessions have ended\n", name);
    }
    store_close(s);
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

static int cmd_token(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"role", required_argument, NULL, OPT_ROLE},
        {"name", required_argument, NULL, OPT_NAME},
        {"expires-days", required_argument, NULL, OPT_EXPIRES_DAYS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage_token, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    int is_create = strcmp(sub, "create") == 0, is_list = strcmp(sub, "list") == 0,
        is_revoke = strcmp(sub, "revoke") == 0;
    if (!is_create && !is_list && !is_revoke) {
        fprintf(stderr, "vaikuta token: unknown subcommand '%s'\n%s", sub, usage_token);
        return 2;
    }
    vk_config cfg;
    config_defaults(&cfg);
    const char *role = NULL, *name = NULL;
    long days = TOKEN_DEFAULT_DAYS;
    int c;
    char *end;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: cfg.db_path = optarg; break;
        case OPT_ROLE: role = optarg; break;
        case OPT_NAME: name = optarg; break;
        case OPT_EXPIRES_DAYS:
            errno = 0;
            days = strtol(optarg, &end, 10);
            if (!*optarg || *end || errno || days < 0 || days > TOKEN_MAX_DAYS) {
                fprintf(stderr, "vaikuta token create: --expires-days must be 0 (never) to %d\n",
                        TOKEN_MAX_DAYS);
                return 2;
            }
            break;
        case 'h': fputs(usage_token, stdout); return 0;
        default: fputs(usage_token, stderr); return 2;
        }
    }
    const char *bad = NULL;
    if (is_create && optind != argc - 1)
        bad = "unexpected argument";
    else if (is_create && (!name || !api_auth_name_ok(name)))
        bad = "--name NAME is required (no spaces)";
    else if (is_create && api_auth_role_parse(role) == VK_ROLE_NONE)
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
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    store_conn *s = NULL;
    if (store_open(&s, cfg.db_path, &ei))
        return fail("token", &ei);
    char now[32], actor[STORE_STAFF_NAME_MAX + 5];
    int64_t now_s = (int64_t)time(NULL);
    vk_now_rfc3339(now);
    cli_actor(actor);
    int rc = 0;
    if (is_list) {
        printf("ID\tNAME\tROLE\tCREATED\tEXPIRES\tLAST USED\tSTATE\n");
        if (store_token_each(s, token_line, &now_s, &ei))
            rc = fail("token list", &ei);
    } else if (is_revoke) {
        token_pick p = {argv[optind + 1], 0, 0, 0, {0}};
        size_t n = strlen(p.arg);
        p.by_id = n > 0 && n <= 18 && strspn(p.arg, "0123456789") == n;
        p.id = p.by_id ? atoll(p.arg) : 0;
        int changed = 0;
        if (store_token_each(s, token_match, &p, &ei)) {
            rc = fail("token revoke", &ei);
        } else if (p.matches == 0) {
            fprintf(stderr, "vaikuta token revoke: no %stoken %s '%s' (see `vaikuta token list`)\n",
                    p.by_id ? "" : "unrevoked ", p.by_id ? "with the id" : "named", p.arg);
            rc = 1;
        } else if (p.matches > 1) {
            fprintf(stderr, "vaikuta token revoke: %d tokens are named '%s'; give the ID "
                            "(see `vaikuta token list`)\n", p.matches, p.arg);
            rc = 1;
        } else if (store_token_revoke(s, p.found.id, now_s, now, actor, &changed, &ei)) {
            rc = fail("token revoke", &ei);
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
        if (store_token_add(s, name, role, hash, expires, now, actor, &id, &ei)) {
            rc = fail("token create", &ei);
        } else {
            printf("%s\n", token);
            cli_time(expires, until);
            if (isatty(STDOUT_FILENO))
                fprintf(stderr, "token %lld '%s' (%s) created, valid %s%s; it is shown only this once\n",
                        (long long)id, name, role, expires ? "until " : "", expires ? until : "for ever");
        }
        sodium_memzero(token, sizeof token);
    }
    store_close(s);
    return rc;
}

static const char usage_purge[] =
    "Usage: vaikuta purge --db PATH --closed-before DATE\n"
    "\n"
    "Delete the contact details of feedback closed (resolved, not resolvable,\n"
    "duplicate or forwarded) before DATE, and of every item its reporter\n"
    "withdrew; the feedback itself stays. DATE is an RFC 3339 date\n"
    "(2026-01-31, meaning its start in UTC) or date-time\n"
    "(2026-01-31T12:00:00+02:00). `serve --contact-retention-days N` runs the\n"
    "same purge hourly for items closed more than N days ago.\n";

/* An RFC 3339 date or date-time, normalised to UTC date-time; 0 on success. */
static int parse_date(const char *s, char out[VK_RFC3339_LEN])
{
    char buf[64];
    if (strlen(s) == 10) {
        snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
        s = buf;
    }
    return vk_rfc3339_normalise(s, out);
}

static int cmd_purge(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"closed-before", required_argument, NULL, OPT_CLOSED_BEFORE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    vk_config cfg;
    config_defaults(&cfg);
    const char *date = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: cfg.db_path = optarg; break;
        case OPT_CLOSED_BEFORE: date = optarg; break;
        case 'h': fputs(usage_purge, stdout); return 0;
        default: fputs(usage_purge, stderr); return 2;
        }
    }
    char before[VK_RFC3339_LEN];
    if (optind != argc) {
        fprintf(stderr, "vaikuta purge: unexpected argument '%s'\n%s", argv[optind], usage_purge);
        return 2;
    }
    if (!date) {
        fprintf(stderr, "vaikuta purge: --closed-before DATE is required\n%s", usage_purge);
        return 2;
    }
    if (parse_date(date, before)) {
        fprintf(stderr,
                "vaikuta purge: '%s' is not a date; give an RFC 3339 date such as 2026-01-31 "
                "or a date-time such as 2026-01-31T12:00:00Z\n",
                date);
        return 2;
    }
    if (access(cfg.db_path, R_OK | W_OK) != 0) {
        fprintf(stderr, "vaikuta purge: cannot open %s for writing\n", cfg.db_path);
        return 1;
    }
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    store_conn *s = NULL;
    int64_t removed = 0;
    if (store_open(&s, cfg.db_path, &ei) || api_moderation_purge(s, before, &removed, &ei)) {
        store_close(s);
        return fail("purge", &ei);
    }
    store_close(s);
    printf("deleted the contact details of %lld feedback items (closed before %s or "
           "withdrawn)\n",
           (long long)removed, before);
    return 0;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"serve", cmd_serve},
    {"init", cmd_init},
    {"load-geo", cmd_load_geo},
    {"export", cmd_export},
    {"import", cmd_import},
    {"backup", cmd_backup},
    {"check", cmd_check},
    {"user", cmd_user},
    {"token", cmd_token},
    {"purge", cmd_purge},
};

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("vaikuta %s (schema %d)\n", VK_VERSION, store_schema_latest());
        return 0;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "vaikuta: libsodium could not be initialised\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "vaikuta: unknown command '%s'\n\n%s", argv[1], usage_main);
    return 2;
}
