#!/usr/bin/env bash
# make-db.sh N OUT.sqlite — a Vaikuta database with N deterministic feedback points.
#
# 1. `vaikuta init --db` creates the schema and loads the reference areas
#    (Imatra's boundary, 14 districts) and the categories.
# 2. One INSERT ... SELECT, in one transaction, adds N points:
#    candidates come from a MINSTD Lehmer generator (x <- x*48271 mod 2^31-1,
#    seed 20240601; candidate states 8 steps apart, 7 draws each) evaluated
#    in a recursive CTE, spread uniformly over the boundary's bounding box
#    (so the MBR pre-check is implicit); the first N that the boundary
#    polygon covers are kept (ST_Covers: SpatiaLite caches the prepared GEOS
#    geometry of the repeated boundary). About 46 % of candidates are kept.
#    Points are inserted in generator order, i.e. random spatial order, with
#    ids 1..N; SpatiaLite's triggers maintain the R*Tree (idx_feedback_geom).
#    district_id: the lowest-id district covering the point, found through the
#    district R*Tree (idx_district_geom) and ST_Covers.
#    category: one of the 11 seeded ids; status received 50 % / in_progress 20 %
#    / done 30 % with an answer + answered_at. "Done" follows the schema that
#    `init` created: 'closed' with closed_reason 'fixed' (schema 1-3), or
#    'resolved' where closed_reason is gone (schema 4, which maps closed+fixed
#    to resolved), so the same rows fit either schema;
#    created_at uniform in 2024-01-01..2026-12-31 (RFC 3339 UTC,
#    'YYYY-MM-DDTHH:MM:SSZ'), updated_at = created_at (received) or up to 60
#    days later (capped at 2026-12-31T23:59:59Z; with the machine's clock in
#    late 2026 some lie in the future, harmless for reads); description: a
#    short Finnish sentence ending in "(#id)".
# The same N always gives the same rows. Neither ANALYZE nor SpatiaLite's
# UpdateLayerStatistics is run (Vaikuta runs neither; the latter would add
# ~8 s per 1M rows), so every server sees the database as the product leaves it.
# The journal is off during the load (the file is built as OUT.tmp and renamed
# at the end); the result is left in WAL mode as `vaikuta serve` keeps it.
#
# Env: VAIKUTA  the binary (default: <repo>/build/vaikuta)
#
# Output (stderr): rows, R*Tree entries, rows without a district, seconds, size.
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
# The peers' helper installs what is missing; a clone without ../shared
# (CI) has both tools from scripts/setup.sh test, and says so if not.
if [[ -f $REPO/../shared/peers/lib.sh ]]; then
  # shellcheck source=/dev/null
  . "$REPO/../shared/peers/lib.sh"
else
  apt_install() { (($#)) || return 0; echo "make-db: missing $* (scripts/setup.sh test installs them)" >&2; exit 1; }
fi

if [[ $# -ne 2 ]] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 N OUT.sqlite" >&2
  exit 2
fi
N=$1
OUT=$2
VAIKUTA=${VAIKUTA:-$REPO/build/vaikuta}
[[ -x $VAIKUTA ]] || { echo "make-db: $VAIKUTA not found (build it: ninja -C build)" >&2; exit 1; }

need=()
command -v sqlite3 >/dev/null || need+=(sqlite3)
compgen -G '/usr/lib/*/mod_spatialite.so' >/dev/null || need+=(libsqlite3-mod-spatialite)
apt_install ${need[@]+"${need[@]}"}

TMP=$OUT.tmp
rm -f "$TMP" "$TMP-journal" "$TMP-wal" "$TMP-shm"
trap 'rm -f "$TMP" "$TMP-journal" "$TMP-wal" "$TMP-shm"' EXIT

start=$(date +%s.%N)

# ------------------------------------------------------------ schema + areas
if "$VAIKUTA" init --help >/dev/null 2>&1; then
  "$VAIKUTA" init --db "$TMP"
else
  # Binaries older than `init`: let `serve` create the database, then stop it.
  echo "make-db: '$VAIKUTA init' not available, creating the database with 'serve'" >&2
  port=$((20000 + RANDOM % 20000))
  "$VAIKUTA" serve --db "$TMP" --listen "127.0.0.1:$port" 2>"$TMP.log" &
  spid=$!
  ok=0
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && { ok=1; break; }
    kill -0 "$spid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  ((ok)) || { echo "make-db: vaikuta serve did not start:" >&2; cat "$TMP.log" >&2; rm -f "$TMP.log"; exit 1; }
  rm -f "$TMP.log"
fi
t_init=$(date +%s.%N)

# ------------------------------------------------------------ generator constants
M=2147483647
SEED=20240601
A=() a=1
for k in 1 2 3 4 5 6 7 8; do a=$((a * 48271 % M)); A[k]=$a; done   # 48271^k mod M
MAXCAND=$((N * 4 + 1000))   # ~2.15 N are needed; the count is checked below
T0=1704067200               # 2024-01-01T00:00:00Z
SPAN=94694400               # up to 2027-01-01T00:00:00Z
TMAX=$((T0 + SPAN - 1))     # 2026-12-31T23:59:59Z

# "Done" items: schema 1-3 have status 'closed' + closed_reason (CHECK: set
# iff closed); schema 4 replaced both with status 'resolved' (and others).
if [[ $(sqlite3 "$TMP" "SELECT count(*) FROM pragma_table_info('feedback') WHERE name = 'closed_reason'") == 1 ]]; then
  DONE=closed REASON_COL=", closed_reason" REASON_VAL=", CASE WHEN status = 'closed' THEN 'fixed' END"
else
  DONE=resolved REASON_COL="" REASON_VAL=""
fi

# Schema 5 keeps the first-answer and closing times (response-time figures)
# and schema 4 the responsible unit: filled the way the product fills them
# (first answer = answered_at, closed = updated_at of a done item, unit =
# the category's default).
if [[ $(sqlite3 "$TMP" "SELECT count(*) FROM pragma_table_info('feedback') WHERE name = 'first_answered_at'") == 1 ]]; then
  TIMES_COL=", first_answered_at, closed_at, unit_id"
  TIMES_VAL=", CASE WHEN status = '$DONE' THEN strftime('%Y-%m-%dT%H:%M:%SZ', min(t_created + r6 % 5184000, $TMAX), 'unixepoch') END,
       CASE WHEN status = '$DONE' THEN strftime('%Y-%m-%dT%H:%M:%SZ', min(t_created + r6 % 5184000, $TMAX), 'unixepoch') END,
       (SELECT default_unit FROM category c WHERE c.id = category)"
else
  TIMES_COL="" TIMES_VAL=""
fi
# Schema 6's change-log triggers are dropped for the load like the indexes
# (a million log rows would only be compacted away) and re-created; the log
# then holds one "rebuild" row, as after any bulk change.
TRG_CREATE=$(sqlite3 "$TMP" "SELECT group_concat(sql || ';', char(10)) FROM sqlite_master
                             WHERE type = 'trigger' AND tbl_name = 'feedback' AND name LIKE 'stats%'")
TRG_DROP=$(sqlite3 "$TMP" "SELECT group_concat('DROP TRIGGER \"' || name || '\";', char(10)) FROM sqlite_master
                           WHERE type = 'trigger' AND tbl_name = 'feedback' AND name LIKE 'stats%'")
if [[ -n $TRG_CREATE ]]; then
  LOG_RESET="INSERT INTO stats_change (feedback_id, at) VALUES (NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));"
else
  LOG_RESET=""
fi

# The secondary indexes of feedback are dropped for the load and re-created
# from their own SQL text afterwards (a sorted build instead of 1M random
# B-tree inserts each); the schema ends up identical.
IDX_CREATE=$(sqlite3 "$TMP" "SELECT group_concat(sql || ';', char(10)) FROM sqlite_master
                             WHERE type = 'index' AND tbl_name = 'feedback' AND sql IS NOT NULL")
IDX_DROP=$(sqlite3 "$TMP" "SELECT group_concat('DROP INDEX \"' || name || '\";', char(10)) FROM sqlite_master
                           WHERE type = 'index' AND tbl_name = 'feedback' AND sql IS NOT NULL")

sqlite3 "$TMP" <<SQL
.bail on
.output /dev/null
SELECT load_extension('mod_spatialite');
PRAGMA journal_mode = DELETE;
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1048576;
PRAGMA temp_store = MEMORY;
BEGIN;
$IDX_DROP
$TRG_DROP
WITH RECURSIVE
  box AS (
    SELECT geom AS g, MbrMinX(geom) AS x0, MbrMinY(geom) AS y0,
           MbrMaxX(geom) - MbrMinX(geom) AS w, MbrMaxY(geom) - MbrMinY(geom) AS h
      FROM municipality WHERE id = 1
  ),
  -- One row per candidate i with Lehmer state x: ins = 1 when the boundary
  -- covers it, k = how many of the candidates before it were kept; the
  -- recursion stops at the candidate that makes N.
  rng(i, x, ins, k) AS (
    SELECT 0, $SEED, 0, 0
    UNION ALL
    SELECT i + 1, (x * ${A[8]}) % $M,
           ST_Covers(box.g, MakePoint(box.x0 + box.w * (((((x * ${A[8]}) % $M) * ${A[1]}) % $M) / $M.0),
                                      box.y0 + box.h * (((((x * ${A[8]}) % $M) * ${A[2]}) % $M) / $M.0),
                                      4326)),
           k + ins
      FROM rng, box
     WHERE k + ins < $N AND i < $MAXCAND
  ),
  kept AS (
    SELECT k + 1 AS id,
           box.x0 + box.w * (((x * ${A[1]}) % $M) / $M.0) AS lon,
           box.y0 + box.h * (((x * ${A[2]}) % $M) / $M.0) AS lat,
           (x * ${A[3]}) % $M AS r3, (x * ${A[4]}) % $M AS r4, (x * ${A[5]}) % $M AS r5,
           (x * ${A[6]}) % $M AS r6, (x * ${A[7]}) % $M AS r7
      FROM rng, box
     WHERE ins = 1
  ),
  rows AS (
    SELECT id, lon, lat, MakePoint(lon, lat, 4326) AS pt,
      CASE r3 % 11 WHEN 0 THEN 'streets' WHEN 1 THEN 'lighting' WHEN 2 THEN 'parks'
                   WHEN 3 THEN 'accessibility' WHEN 4 THEN 'transit' WHEN 5 THEN 'waste'
                   WHEN 6 THEN 'buildings' WHEN 7 THEN 'safety' WHEN 8 THEN 'winter'
                   WHEN 9 THEN 'ideas' ELSE 'other' END AS category,
      CASE r4 % 10 WHEN 0 THEN 'received' WHEN 1 THEN 'received' WHEN 2 THEN 'received'
                   WHEN 3 THEN 'received' WHEN 4 THEN 'received' WHEN 5 THEN 'in_progress'
                   WHEN 6 THEN 'in_progress' ELSE '$DONE' END AS status,
      $T0 + r5 % $SPAN AS t_created,
      r6, r7
    FROM kept
  )
INSERT INTO feedback (id, category, description, place, status$REASON_COL, answer, answered_at,
                      district_id, created_at, updated_at, geom$TIMES_COL)
SELECT id, category,
       CASE r7 % 12
         WHEN 0 THEN 'Katuvalo ei pala.'
         WHEN 1 THEN 'Jalkakäytävällä on syvä kuoppa.'
         WHEN 2 THEN 'Roska-astia on täynnä.'
         WHEN 3 THEN 'Penkki on rikki.'
         WHEN 4 THEN 'Lunta ei ole aurattu.'
         WHEN 5 THEN 'Bussipysäkin katos on rikottu.'
         WHEN 6 THEN 'Pyörätien liittymä on vaarallinen.'
         WHEN 7 THEN 'Leikkipuistoon toivotaan keinuja.'
         WHEN 8 THEN 'Kynnys estää pyörätuolilla kulkemisen.'
         WHEN 9 THEN 'Liukas kohta, hiekoitusta kaivataan.'
         WHEN 10 THEN 'Tienviitta on kaatunut.'
         ELSE 'Graffiteja seinässä.' END || ' (#' || id || ')',
       NULL,
       status$REASON_VAL,
       CASE WHEN status = '$DONE' THEN 'Korjattu, kiitos ilmoituksesta.' END,
       CASE WHEN status = '$DONE'
            THEN strftime('%Y-%m-%dT%H:%M:%SZ', min(t_created + r6 % 5184000, $TMAX), 'unixepoch') END,
       (SELECT d.id FROM idx_district_geom AS r JOIN district AS d ON d.id = r.pkid
         WHERE r.xmin <= lon AND r.xmax >= lon AND r.ymin <= lat AND r.ymax >= lat
           AND ST_Covers(d.geom, pt) = 1
         ORDER BY d.id LIMIT 1),
       strftime('%Y-%m-%dT%H:%M:%SZ', t_created, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ',
                CASE WHEN status = 'received' THEN t_created
                     ELSE min(t_created + r6 % 5184000, $TMAX) END, 'unixepoch'),
       pt$TIMES_VAL
  FROM rows;
$IDX_CREATE
$TRG_CREATE
$LOG_RESET
COMMIT;
PRAGMA journal_mode = WAL;
SQL
t_fill=$(date +%s.%N)

read -r cnt idx nodist maxid fk < <(sqlite3 -separator ' ' "$TMP" \
  "SELECT (SELECT count(*) FROM feedback), (SELECT count(*) FROM idx_feedback_geom),
          (SELECT count(*) FROM feedback WHERE district_id IS NULL), (SELECT max(id) FROM feedback),
          (SELECT count(*) FROM pragma_foreign_key_check('feedback'))")
if [[ $cnt != "$N" || $idx != "$N" || $maxid != "$N" || $fk != 0 ]]; then
  echo "make-db: check failed: rows $cnt, rtree $idx, max id $maxid (want $N), foreign key errors $fk" >&2
  exit 1
fi
# A -wal/-shm left by an earlier OUT would be replayed into the new file and
# corrupt it ("database disk image is malformed"): remove them first.
rm -f "$OUT-wal" "$OUT-shm" "$OUT-journal"
mv -f "$TMP" "$OUT"
rm -f "$TMP-wal" "$TMP-shm"
trap - EXIT
end=$(date +%s.%N)
awk -v o="$OUT" -v n="$cnt" -v nd="$nodist" -v a="$start" -v b="$t_init" -v c="$t_fill" -v d="$end" \
    -v sz="$(du -h "$OUT" | cut -f1)" 'BEGIN {
  printf "make-db: wrote %s: %d rows (%d without a district), %.1f s (init %.1f s, fill %.1f s, checks %.1f s), %s\n",
         o, n, nd, d - a, b - a, c - b, d - c, sz }' >&2
