/*
 * labels.h — the names beside the feedback's codes (category_fi, unit,
 * district_name_sv…) read from a copy in memory instead of three joins
 * per row (issue 15, "Speed").
 *
 * The feedback collections join category c, unit u and district d for
 * these columns. The tables are small and change rarely: each connection
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

/* The label a column of the feedback collections is, by its SQL (one of
 * "c.name_fi", "u.code", "d.name_sv"…): an index for the calls below, or
 * -1 for any other column. */
int store_label_find(const char *column_sql);
/* The SQL of the code selected in the label's place (e.g. "f.category"). */
const char *store_label_key_sql(int label);

/* Make c's copy current for the read transaction an active statement of c
 * holds (call it after that statement's first step). Reads the three
 * tables when the data changed since they were read. */
vk_err store_labels_check(store_conn *c, vk_errinfo *ei);
/* The label's value for the code in column k of st (checked copy);
 * text is borrowed until the copy is next read (store_labels_check). */
void store_label_value(store_conn *c, int label, sqlite3_stmt *st, int k, store_value *v);

#endif
