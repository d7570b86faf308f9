/*
 * main.c — the vaikuta command: pick the subcommand and run it (cli.h
 * says which file holds which). `serve` runs the HTTP service until
 * SIGINT/SIGTERM, then lets in-flight requests finish and closes the
 * database cleanly.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "db/store.h"

static const char usage_main[] =
    "Usage: vaikuta COMMAND [OPTIONS]\n"
    "\n"
    "Vaikuta: map-based feedback and surveys for municipalities.\n"
    "\n"
    "Commands:\n"
    "  serve      run the HTTP service and the web client\n"
    "  init       create or migrate a database and load reference data, then exit\n"
    "  load-geo   replace the boundary, districts and accessibility areas\n"
    "  load-addresses  replace the address and place gazetteer from a CSV file\n"
    "  export     write a collection to GeoJSON, CSV or GeoPackage\n"
    "  import     load feedback from GeoJSON or GeoPackage\n"
    "  backup     copy the database consistently, also while it is served\n"
    "  check      check the database's integrity and say what is wrong\n"
    "  user       add, list, disable staff accounts or change a password\n"
    "  token      create, list or revoke API tokens for integrations\n"
    "  purge      delete contact details of closed and withdrawn feedback\n"
    "  mail       mail test: send a test e-mail through the relay\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help (or `vaikuta COMMAND --help`)\n"
    "  -V, --version  show the version\n";


static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"serve", cmd_serve},
    {"init", cmd_init},
    {"load-geo", cmd_load_geo},
    {"load-addresses", cmd_load_addresses},
    {"export", cmd_export},
    {"import", cmd_import},
    {"backup", cmd_backup},
    {"check", cmd_check},
    {"user", cmd_user},
    {"token", cmd_token},
    {"purge", cmd_purge},
    {"mail", cmd_mail},
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
