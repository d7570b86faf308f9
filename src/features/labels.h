/*
 * labels.h — the names beside the feedback's codes (category_fi, unit,
 * district_name_sv…) read from a copy in memory instead of three joins
 * per row (issue 15, "Speed").
 *
 * The feedback collections join category c, unit u and district d for
 * these columns, and spell the status's names with a CASE. The tables are small and change rarely: each connection
 * keeps a copy of them. The items statement selects the code
 * (f.category, f.unit_id, f.district_id) in a label's place, so SQLite
 * drops the joins nobody else uses, and the cursor puts the name there
 * from the copy: the same value, of the same type, that the join gives.
 * Filters and sortby still name c./u./d. in SQL, where the joins stay.
 *
 * The copy is checked against SQLITE_FCNTL_DATA_VERSION (any commit, by
 * this connection or any other process: admin API, seeds, imports,
 * migrations, the CLI, sqlite3 by hand) and sqlite3_total_changes64
 * (this connection's own writes not yet committed), inside the read
 * transaction of the items statement, so the names and the rows come
 * from the same snapshot. Inside a write transaction it is read afresh
 * and not kept, since that transaction may still be rolled back.
 */
#ifndef VK_LABELS_H
#define VK_LABELS_H

#include <sqlite3.h>

#include "db/store.h"
#include "features/collections.h"

/* The statuses' names as the web pages show them (web/i18n/ fi, sv, en), so
 * a GIS layer reads without a code list beside it: X(code, fi, sv, en).
 * They make both the SQL of status_fi/sv/en (a CASE, for filters and
 * sortby) and the table the cursor writes them from. */
#define FEEDBACK_STATUS_NAMES(X)                                                     \
    X(received, "Vastaanotettu", "Mottagen", "Received")                             \
    X(in_progress, "Käsittelyssä", "Under behandling", "In progress")                \
    X(planned, "Suunnitteilla", "Planerad", "Planned")                               \
    X(resolved, "Ratkaistu", "Löst", "Resolved")                                     \
    X(not_resolvable, "Ei voida ratkaista", "Kan inte lösas", "Cannot be resolved")  \
    X(duplicate, "Sama asia on jo ilmoitettu", "Samma sak har redan anmälts",        \
      "Already reported")                                                            \
    X(forwarded, "Välitetty eteenpäin", "Vidarebefordrad", "Forwarded")
#define FEEDBACK_STATUS_WHEN_FI(code, fi, sv, en) " WHEN '" #code "' THEN '" fi "'"
#define FEEDBACK_STATUS_WHEN_SV(code, fi, sv, en) " WHEN '" #code "' THEN '" sv "'"
#define FEEDBACK_STATUS_WHEN_EN(code, fi, sv, en) " WHEN '" #code "' THEN '" en "'"
#define FEEDBACK_STATUS_SQL(lang) "(CASE f.status" FEEDBACK_STATUS_NAMES(FEEDBACK_STATUS_WHEN_##lang) " END)"

/* The label a column of the feedback collections is, by its SQL (one of
 * "c.name_fi", "u.code", "d.name_sv"…, FEEDBACK_STATUS_SQL(FI)…): an index
 * for the calls below, or -1 for any other column. */
int store_label_find(const char *column_sql);
/* The SQL of the code selected in the label's place (e.g. "f.category"). */
const char *store_label_key_sql(int label);

/* Make c's copy current for the read transaction an active statement of c
 * holds (call it after that statement's first step). Reads the three
 * tables when the data changed since they were read. */
vk_err store_labels_check(store_conn *c, vk_errinfo *ei);
/* What one row has looked up: its labels of one table share a lookup.
 * Zeroed before each row. */
typedef struct store_label_memo {
    unsigned done;     /* bit per table */
    const void *row[4]; /* its row there, or NULL */
} store_label_memo;
/* The label's value for the code in column k of st (checked copy);
 * text is borrowed until the copy is next read (store_labels_check). */
void store_label_value(store_conn *c, int label, sqlite3_stmt *st, int k, store_value *v,
                       store_label_memo *memo);

#endif
