/*
 * main.c — the vaikuta command: parse the command line, set up the
 * configuration once, and run a subcommand. `serve` runs the HTTP service
 * until SIGINT/SIGTERM, then lets in-flight requests finish and closes the
 * database cleanly.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/ctx.h"
#include "config.h"
#include "http/server.h"
#include "store/store.h"
#include "util/log.h"

static const char usage_main[] =
    "Usage: vaikuta COMMAND [OPTIONS]\n"
    "\n"
    "Vaikuta: map-based feedback and surveys for municipalities.\n"
    "\n"
    "Commands:\n"
    "  serve      run the HTTP service and the web client\n"
    "  load-geo   replace the boundary, districts and accessibility areas\n"
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
    "  -h, --help          show this help\n";

static const char usage_load_geo[] =
    "Usage: vaikuta load-geo --db PATH --dir DIR\n"
    "\n"
    "Replace the municipality boundary, districts and accessibility areas\n"
    "with DIR/boundary.geojson, DIR/districts.geojson and\n"
    "DIR/accessibility-areas.geojson (EPSG:4326; see geo/README.md), and\n"
    "re-assign the district of every stored feedback item. All or nothing.\n";

enum { OPT_DB = 1000, OPT_LISTEN, OPT_WEB, OPT_GEO, OPT_SEEDS, OPT_DEMO, OPT_TILES,
       OPT_TILES_ATTR, OPT_THREADS, OPT_DIR };

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

static int cmd_serve(int argc, char **argv)
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
        case OPT_TILES: cfg.tiles_url = optarg; break;
        case OPT_TILES_ATTR: cfg.tiles_attribution = optarg; break;
        case OPT_THREADS:
            cfg.threads = atoi(optarg);
            if (cfg.threads < 1 || cfg.threads > 64) {
                fprintf(stderr, "vaikuta serve: --threads must be 1..64\n");
                return 2;
            }
            break;
        case 'h': fputs(usage_serve, stdout); return 0;
        default: fputs(usage_serve, stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vaikuta serve: unexpected argument '%s'\n%s", argv[optind], usage_serve);
        return 2;
    }

    vk_ctx *ctx = NULL;
    if (open_main(&cfg, "serve", &ctx))
        return 1;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int added = 0;
    if (api_seed_reference(ctx, cfg.geo_dir, cfg.seeds_dir, &ei) ||
        (cfg.demo && api_seed_demo(ctx, cfg.seeds_dir, &added, &ei))) {
        vk_ctx_free(ctx);
        return fail("serve", &ei);
    }
    if (cfg.demo)
        vk_log("demo content: %d feedback items added", added);
    vk_ctx_free(ctx);

    /* Block the stop signals in every thread; the main thread waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    http_server *srv = NULL;
    if (http_server_start(&srv, &cfg, &ei))
        return fail("serve", &ei);
    vk_log("vaikuta %s listening on http://%s:%u/ (database %s)", VK_VERSION, cfg.listen_host,
           cfg.port, cfg.db_path);
    int sig = 0;
    sigwait(&stop, &sig);
    vk_log("received %s: finishing requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
    http_server_stop(srv, 10000);
    vk_log("stopped; database closed");
    return 0;
}

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

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"serve", cmd_serve},
    {"load-geo", cmd_load_geo},
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
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "vaikuta: unknown command '%s'\n\n%s", argv[1], usage_main);
    return 2;
}
