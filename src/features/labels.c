/*
 * labels.c — a connection's copy of the category, unit and district names
 * (see labels.h for why and when it is read again).
 *
 * The copy is one malloc'd block (store_conn.labels, freed by store_close
 * with free()): a header, the rows of the three tables sorted by key as
 * SQLite sorts them, and their text. A row of a bbox page finds its names
 * by binary search among a few dozen rows, where the joins cost three
 * B-tree lookups (~1.5 µs per feature, bench/README.md). The statuses'
 * names are constants: a lookup in the code instead of three CASEs per
 * row in SQLite.
 */
#include "features/labels.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/store_internal.h"

/* The tables read from the database, then the statuses (in the code). */
enum { SET_CATEGORY, SET_UNIT, SET_DISTRICT, NSETS, SET_STATUS = NSETS };

/* The statuses' names; CASE f.status without ELSE: NULL for any other. */
typedef struct status_names {
    const char *code;
    const char *name[3];
} status_names;
static const status_names statuses[] = {
#define STATUS_ROW(code, fi, sv, en) {#code, {fi, sv, en}},
    FEEDBACK_STATUS_NAMES(STATUS_ROW)
#undef STATUS_ROW
};

/* Each table's key and the three values its labels take, in key order.
 * A category's id is text, compared as the join compares it (BINARY:
 * bytes, then length); one that is not text never meets f.category. Units
 * and districts are keyed by their INTEGER PRIMARY KEY. */
static const char *const set_sql[NSETS] = {
    "SELECT id, name_fi, name_sv, name_en FROM category WHERE typeof(id) = 'text' ORDER BY id",
    "SELECT id, code, name_fi, name_sv FROM unit ORDER BY id",
    "SELECT id, code, name_fi, name_sv FROM district ORDER BY id",
};

/* The columns of collections.c's feedback_columns that are names behind a
 * code, over FEEDBACK_FROM's aliases. A column not listed here (or one
 * whose SQL is changed) simply keeps its join. */
static const struct {
    const char *sql;     /* the column's expression in feedback_columns */
    const char *key_sql; /* the code selected in its place */
    int set, field;
} labels[] = {
    {"c.name_fi", "f.category", SET_CATEGORY, 0},
    {"c.name_sv", "f.category", SET_CATEGORY, 1},
    {"c.name_en", "f.category", SET_CATEGORY, 2},
    {"u.code", "f.unit_id", SET_UNIT, 0},
    {"u.name_fi", "f.unit_id", SET_UNIT, 1},
    {"u.name_sv", "f.unit_id", SET_UNIT, 2},
    {"d.code", "f.district_id", SET_DISTRICT, 0},
    {"d.name_fi", "f.district_id", SET_DISTRICT, 1},
    {"d.name_sv", "f.district_id", SET_DISTRICT, 2},
    {FEEDBACK_STATUS_SQL(FI), "f.status", SET_STATUS, 0},
    {FEEDBACK_STATUS_SQL(SV), "f.status", SET_STATUS, 1},
    {FEEDBACK_STATUS_SQL(EN), "f.status", SET_STATUS, 2},
};
#define NLABELS ((int)(sizeof labels / sizeof labels[0]))

/* A value as SQLite gave it; text at `off` in the block's text. */
typedef struct label_value {
    int type; /* store_value's */
    int64_t i;
    double d;
    size_t off, len;
} label_value;

typedef struct label_row {
    int64_t id;            /* units and districts */
    size_t key_off, key_len; /* categories: their id in the text */
    label_value v[3];
} label_row;

typedef struct label_copy {
    unsigned int data_version; /* SQLITE_FCNTL_DATA_VERSION when read */
    long long changes;         /* sqlite3_total_changes64 when read */
    long long label_n;         /* label_version.n when read (schema 0027); -1 unknown */
    int valid;                 /* 0: use once (read in a write transaction, n unknown) */
    int n[NSETS], first[NSETS];
    const label_row *rows; /* in this block */
    const char *text;      /* in this block */
} label_copy;

int store_label_find(const char *column_sql)
{
    for (int i = 0; i < NLABELS; i++)
        if (strcmp(labels[i].sql, column_sql) == 0)
            return i;
    return -1;
}

const char *store_label_key_sql(int label) { return labels[label].key_sql; }

/* Column k of st as it is (the cursor's own switch), its text into text. */
static void take(sqlite3_stmt *st, int k, vk_buf *text, label_value *v)
{
    memset(v, 0, sizeof *v);
    switch (sqlite3_column_type(st, k)) {
    case SQLITE_INTEGER: v->type = STORE_INT; v->i = sqlite3_column_int64(st, k); break;
    case SQLITE_FLOAT: v->type = STORE_REAL; v->d = sqlite3_column_double(st, k); break;
    case SQLITE_NULL: v->type = STORE_NULL; break;
    default: {
        const unsigned char *s = sqlite3_column_text(st, k);
        v->type = STORE_TEXT;
        v->len = (size_t)sqlite3_column_bytes(st, k);
        v->off = text->len;
        vk_buf_add(text, s ? (const char *)s : "", s ? v->len : 0);
        vk_buf_putc(text, '\0');
    }
    }
}

static vk_err read_copy(store_conn *c, label_copy **out, vk_errinfo *ei)
{
    vk_buf rows, text;
    vk_buf_init(&rows, 64 << 20);
    vk_buf_init(&text, 64 << 20);
    vk_buf_putc(&text, '\0'); /* offset 0: never a row's text */
    label_copy h = {0};
    vk_err e = VK_OK;
    for (int s = 0; s < NSETS && !e; s++) {
        sqlite3_stmt *st = store_cached_stmt(c, set_sql[s], ei);
        if (!st) {
            e = VK_EDB;
            break;
        }
        h.first[s] = (int)(rows.len / sizeof(label_row));
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            label_row r;
            memset(&r, 0, sizeof r);
            if (s == SET_CATEGORY) {
                const unsigned char *k = sqlite3_column_text(st, 0);
                r.key_len = (size_t)sqlite3_column_bytes(st, 0);
                r.key_off = text.len;
                vk_buf_add(&text, k ? (const char *)k : "", k ? r.key_len : 0);
                vk_buf_putc(&text, '\0');
            } else {
                r.id = sqlite3_column_int64(st, 0);
            }
            for (int f = 0; f < 3; f++)
                take(st, 1 + f, &text, &r.v[f]);
            vk_buf_add(&rows, &r, sizeof r);
        }
        if (rc != SQLITE_DONE)
            e = store_db_fail(c, ei, "reading the category, unit and district names");
        sqlite3_reset(st);
        h.n[s] = (int)(rows.len / sizeof(label_row)) - h.first[s];
    }
    label_copy *l = NULL;
    if (!e && (!vk_buf_ok(&rows) || !vk_buf_ok(&text) ||
               !(l = malloc(sizeof *l + rows.len + text.len))))
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    if (!e) {
        /* label_copy ends on an 8-byte boundary: the rows that follow are aligned. */
        _Static_assert(sizeof(label_copy) % 8 == 0, "rows after the header must be aligned");
        *l = h;
        char *p = (char *)(l + 1);
        if (rows.len)
            memcpy(p, rows.data, rows.len);
        memcpy(p + rows.len, text.data, text.len);
        l->rows = (const label_row *)p;
        l->text = p + rows.len;
        *out = l;
    }
    vk_buf_fini(&rows);
    vk_buf_fini(&text);
    return e;
}

/* The value the three tables' triggers change (schema 0027), in the
 * connection's current view; -1 when it cannot be read. */
static long long label_version(store_conn *c)
{
    vk_errinfo ei;
    sqlite3_stmt *st = store_cached_stmt(c, "SELECT n FROM label_version WHERE id = 1", &ei);
    long long n = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return n;
}

vk_err store_labels_check(store_conn *c, vk_errinfo *ei)
{
    label_copy *l = c->labels;
    unsigned int version = 0;
    long long changes = sqlite3_total_changes64(c->db);
    int trusted = sqlite3_txn_state(c->db, "main") != SQLITE_TXN_WRITE &&
                  sqlite3_file_control(c->db, "main", SQLITE_FCNTL_DATA_VERSION, &version) ==
                      SQLITE_OK;
    if (l && l->valid && trusted && l->data_version == version && l->changes == changes)
        return VK_OK;
    /* Something was committed or written since: most often feedback, and
     * the names still hold if the three tables' value (a random number
     * each change draws, so a rolled-back change never comes back as a
     * later one) is the copy's. In a write transaction it is the
     * transaction's own view: a rename inside it is seen, and a copy read
     * there is the committed names if the transaction commits, and is
     * read again if it is rolled back (the value then differs). */
    long long n = label_version(c);
    if (l && l->valid && n >= 0 && n == l->label_n) {
        if (trusted) {
            l->data_version = version;
            l->changes = changes;
        }
        return VK_OK;
    }
    label_copy *fresh = NULL;
    vk_err e = read_copy(c, &fresh, ei);
    if (e)
        return e;
    fresh->data_version = version;
    fresh->changes = changes;
    fresh->label_n = n;
    fresh->valid = n >= 0 || trusted;
    free(l);
    c->labels = fresh;
    return VK_OK;
}

/* BINARY collation: the common bytes, then the shorter first. */
static int binary_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int d = memcmp(a, b, alen < blen ? alen : blen);
    return d ? d : (alen > blen) - (alen < blen);
}

static const label_row *lookup(const label_copy *l, int set, sqlite3_stmt *st, int k)
{
    const label_row *r = l->rows + l->first[set];
    int lo = 0, hi = l->n[set], type = sqlite3_column_type(st, k);
    if (set == SET_CATEGORY) {
        if (type != SQLITE_TEXT)
            return NULL;
        const char *key = (const char *)sqlite3_column_text(st, k);
        size_t len = (size_t)sqlite3_column_bytes(st, k);
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            int d = binary_cmp(l->text + r[mid].key_off, r[mid].key_len, key, len);
            if (d == 0)
                return &r[mid];
            if (d < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        return NULL;
    }
    /* An id column holds integers; anything else meets no rowid. */
    if (type != SQLITE_INTEGER)
        return NULL;
    int64_t id = sqlite3_column_int64(st, k);
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (r[mid].id == id)
            return &r[mid];
        if (r[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* CASE f.status WHEN 'received'…: text equal byte for byte. */
static const void *status_lookup(sqlite3_stmt *st, int k)
{
    if (sqlite3_column_type(st, k) != SQLITE_TEXT)
        return NULL;
    const char *key = (const char *)sqlite3_column_text(st, k);
    size_t len = (size_t)sqlite3_column_bytes(st, k);
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (strlen(statuses[i].code) == len && memcmp(statuses[i].code, key, len) == 0)
            return &statuses[i];
    return NULL;
}

void store_label_value(store_conn *c, int label, sqlite3_stmt *st, int k, store_value *v,
                       store_label_memo *memo)
{
    const label_copy *l = c->labels;
    int set = labels[label].set, field = labels[label].field;
    if (!(memo->done >> set & 1)) {
        memo->row[set] = set == SET_STATUS ? status_lookup(st, k)
                         : l               ? (const void *)lookup(l, set, st, k)
                                           : NULL;
        memo->done |= 1u << set;
    }
    if (!memo->row[set]) { /* no such row: the LEFT JOIN's (or the CASE's) NULL */
        v->type = STORE_NULL;
        return;
    }
    if (set == SET_STATUS) {
        v->type = STORE_TEXT;
        v->text = ((const status_names *)memo->row[set])->name[field];
        v->len = strlen(v->text);
        return;
    }
    const label_value *x = &((const label_row *)memo->row[set])->v[field];
    v->type = x->type;
    v->i = x->i;
    v->d = x->d;
    v->text = l->text + x->off;
    v->len = x->len;
}
