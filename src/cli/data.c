/* data.c — the data commands: load-geo, export, import, backup, check, purge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "db/store.h"
#include "exchange/export.h"
#include "exchange/import.h"
#include "feedback/moderation.h"
#include "media/photo.h"
#include "places/load.h"
#include "reference/reference.h"

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

int cmd_load_geo(int argc, char **argv)
{
    vk_config cfg;
    const char *dir = NULL;
    const cli_option opts[] = {CLI_TEXT("dir", &dir)};
    int r = cli_parse_db(argc, argv, &cfg, opts, CLI_NOPTS(opts), usage_load_geo);
    if (r >= 0)
        return r;
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

static const char usage_load_addresses[] =
    "Usage: vaikuta load-addresses --db PATH [--crs EPSG:3067] FILE\n"
    "\n"
    "Replace the address and place gazetteer (GET /api/v1/geocode and\n"
    "/api/v1/reverse) with FILE: CSV, UTF-8, a header line naming the columns\n"
    "street_fi, street_sv, number, postcode, municipality_fi, municipality_sv,\n"
    "place_fi, place_sv, x, y (see docs/places.md for the ogr2ogr conversions\n"
    "of the official building addresses and of OpenStreetMap). x, y are in\n"
    "--crs: EPSG:3067 (default, easting, northing), EPSG:3879, or CRS84 /\n"
    "EPSG:4326 (longitude, latitude). All or nothing; loading the same file\n"
    "again gives the same gazetteer. FILE - reads stdin.\n";

int cmd_load_addresses(int argc, char **argv)
{
    vk_config cfg;
    const char *crs_name = NULL;
    const cli_option opts[] = {CLI_TEXT("crs", &crs_name)};
    int r = cli_parse_db(argc, argv, &cfg, opts, CLI_NOPTS(opts), usage_load_addresses);
    if (r >= 0)
        return r;
    if (optind + 1 != argc) {
        fprintf(stderr, "vaikuta load-addresses: one FILE is required\n%s", usage_load_addresses);
        return 2;
    }
    gis_crs crs = GIS_CRS_3067;
    if (crs_name && strcmp(crs_name, "CRS84") == 0)
        crs = GIS_CRS_CRS84;
    else if (crs_name && gis_crs_parse(crs_name, &crs)) {
        fprintf(stderr, "vaikuta load-addresses: --crs must be EPSG:3067, EPSG:3879, EPSG:4326 "
                        "or CRS84\n");
        return 2;
    }
    vk_ctx *ctx = NULL;
    if (open_main(&cfg, "load-addresses", &ctx))
        return 1;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    gaz_load_stats st;
    vk_err e = gaz_load_csv(ctx, argv[optind], crs, &st, &ei);
    vk_ctx_free(ctx);
    if (e)
        return fail("load-addresses", &ei);
    printf("loaded %s: %lld addresses on %lld streets, %lld places; %lld rows without an "
           "address skipped\n",
           argv[optind], (long long)st.addresses, (long long)st.streets, (long long)st.places,
           (long long)st.skipped);
    return 0;
}

int cmd_export(int argc, char **argv)
{
    vk_config cfg;
    const char *name = NULL, *format = NULL, *crs_name = NULL, *out = NULL;
    const cli_option opts[] = {
        CLI_TEXT("collection", &name),
        CLI_TEXT("format", &format),
        CLI_TEXT("crs", &crs_name),
        {"output", 'o', CLI_STR, &out, 0, 0, NULL, NULL},
    };
    int r = cli_parse_db(argc, argv, &cfg, opts, CLI_NOPTS(opts), usage_export);
    if (r >= 0)
        return r;
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
        if (api_export_gpkg(&cfg, col, crs, NULL, out, progress_bar, (void *)"export", &ei))
            return fail("export", &ei);
        return 0;
    }
    FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "wbx");
    if (!f) {
        fprintf(stderr, "vaikuta export: cannot create %s (does it exist already?)\n", out);
        return 1;
    }
    api_export *x = NULL;
    if (api_export_open(&x, &cfg, col, fmt, crs, NULL, &ei)) {
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
    "Check the file's integrity, the references between tables, the\n"
    "spatial indexes and every stored photo (decoded whole, hashes\n"
    "compared), and say in plain words what is wrong. Exit status 0\n"
    "when everything is in order, 1 when not.\n";

/* The database at path for cmd ("backup"): an existing one to read, or
 * (write) one to change. 0 with *s open (ei cleared), else the exit
 * status after saying why. */
static int open_db(const char *cmd, const char *path, int write, store_conn **s, vk_errinfo *ei)
{
    *s = NULL;
    if (access(path, write ? R_OK | W_OK : R_OK) != 0) {
        fprintf(stderr, write ? "vaikuta %s: cannot open %s for writing\n"
                              : "vaikuta %s: cannot read %s\n",
                cmd, path);
        return 1;
    }
    vk_errinfo_clear(ei);
    if (write ? store_open(s, path, ei) : store_open_existing(s, path, ei)) {
        store_close(*s);
        return fail(cmd, ei);
    }
    return 0;
}

int cmd_backup(int argc, char **argv)
{
    vk_config cfg;
    int r = cli_parse_db(argc, argv, &cfg, NULL, 0, usage_backup);
    if (r >= 0)
        return r;
    if (optind != argc - 1) {
        fprintf(stderr, "vaikuta backup: give the file to write\n%s", usage_backup);
        return 2;
    }
    store_conn *s;
    vk_errinfo ei;
    if ((r = open_db("backup", cfg.db_path, 0, &s, &ei)))
        return r;
    vk_err e = store_backup(s, argv[optind], &ei);
    store_close(s);
    if (e)
        return fail("backup", &ei);
    printf("copied %s to %s\n", cfg.db_path, argv[optind]);
    return 0;
}

static void print_line(void *arg, const char *line)
{
    (void)arg;
    printf("%s\n", line);
}

int cmd_check(int argc, char **argv)
{
    vk_config cfg;
    int r = cli_parse_db(argc, argv, &cfg, NULL, 0, usage_check);
    if (r >= 0)
        return r;
    if (optind != argc) {
        fprintf(stderr, "vaikuta check: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    store_conn *s;
    vk_errinfo ei;
    if ((r = open_db("check", cfg.db_path, 0, &s, &ei)))
        return r;
    int problems = 0;
    vk_err e = store_check(s, print_line, NULL, &problems, &ei);
    if (!e)
        e = photo_check_all(s, print_line, NULL, &problems, &ei);
    store_close(s);
    if (e)
        return fail("check", &ei);
    printf(problems ? "%d problem(s) found\n" : "everything is in order\n", problems);
    return problems ? 1 : 0;
}

int cmd_import(int argc, char **argv)
{
    vk_config cfg;
    const char *name = "feedback";
    api_import_opts io = {0, report_skipped, progress_bar, (void *)"import"};
    const cli_option opts[] = {
        CLI_TEXT("collection", &name),
        CLI_SWITCH("skip-invalid", &io.skip_invalid),
        CLI_TEXT("geo", &cfg.geo_dir),
        CLI_TEXT("seeds", &cfg.seeds_dir),
    };
    int r = cli_parse_db(argc, argv, &cfg, opts, CLI_NOPTS(opts), usage_import);
    if (r >= 0)
        return r;
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

int cmd_purge(int argc, char **argv)
{
    vk_config cfg;
    const char *date = NULL;
    const cli_option opts[] = {CLI_TEXT("closed-before", &date)};
    int r = cli_parse_db(argc, argv, &cfg, opts, CLI_NOPTS(opts), usage_purge);
    if (r >= 0)
        return r;
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
    store_conn *s;
    vk_errinfo ei;
    if ((r = open_db("purge", cfg.db_path, 1, &s, &ei)))
        return r;
    int64_t removed = 0;
    vk_err e = api_moderation_purge(s, before, &removed, &ei);
    store_close(s);
    if (e)
        return fail("purge", &ei);
    printf("deleted the contact details of %lld feedback items (closed before %s or "
           "withdrawn)\n",
           (long long)removed, before);
    return 0;
}

