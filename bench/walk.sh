#!/usr/bin/env bash
# walk.sh — issue 14's read benchmark: findings GeoJSON for 100 000 walk
# findings in a bbox (GET /ogcapi/collections/walk-findings/items?bbox=&limit=100)
# against feedback items on the same server, each as a ratio to the plain C
# SpatiaLite bbox reference (../shared/peers/hello: bbox), which serves the
# feedback table of the same file. The target: walk findings keep the same
# ratio to the reference as feedback items do.
#
# 1. the 100k feedback database of bench/make-db.sh (cached in $DATA, remade
#    when make-db.sh or schema/ change), plus 100 000 findings on one walk,
#    spread over the same extent as the feedback (lon 28.6–29.0, lat
#    61.1–61.3) with a deterministic Lehmer sequence, in one transaction;
# 2. the C reference built and started on that file;
# 3. Vaikuta started on it; a warm-up, then REPS x `wrk -t2 -c32 -d$DUR
#    --latency -s bench/bboxes.lua` (1000 boxes of ~1 km2) per target, the
#    targets taking turns;
# 4. bench/results/walk-latest.md: median req/s, p50, p99 and the ratios.
#
# Env: DATA (/tmp/vaikuta-bench), DUR (10s), REPS (3), PORT_BASE (18780; +0
#      Vaikuta, +1 the C reference), VAIKUTA (binary, default build/vaikuta).
# Listens on 127.0.0.1 only; every server it started is stopped by PID.
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
PEERS=$(cd "$REPO/../shared/peers" && pwd)
# shellcheck source=/dev/null
. "$PEERS/lib.sh"
DATA=${DATA:-/tmp/vaikuta-bench}
DUR=${DUR:-10s}
REPS=${REPS:-3}
PORT_BASE=${PORT_BASE:-18780}
P_VK=$PORT_BASE P_C=$((PORT_BASE + 1))
VAIKUTA=${VAIKUTA:-$REPO/build/vaikuta}
N=100000
export PEERS_BUILD=$DATA/peers
OUT=$HERE/results/walk-latest.md
for c in wrk curl sqlite3; do
  command -v $c >/dev/null || { echo "walk.sh: needs $c" >&2; exit 1; }
done
[ -x "$VAIKUTA" ] || { echo "walk.sh: no $VAIKUTA (ninja -C build)" >&2; exit 1; }
mkdir -p "$DATA" "$HERE/results"
work=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
log() { echo "[walk $(date -u +%H:%M:%S)] $*" >&2; }

# ---- 1. the database
stamp=$(cat "$HERE/make-db.sh" "$REPO"/schema/*.sql "$0" | sha256sum | cut -c1-16)
DB=$DATA/walk-100k-$stamp.sqlite
if [ ! -f "$DB" ]; then
  log "making $DB"
  "$HERE/make-db.sh" $N "$work/db.sqlite"
  # Lehmer RNG (48271, 2^31-1) over i, as make-db.sh does for feedback.
  sqlite3 "$work/db.sqlite" <<SQL
SELECT load_extension('mod_spatialite');
BEGIN;
INSERT INTO walk (id, title, walk_date, organiser, groups, participants, code_hash, walked_m,
                  created_at, updated_at, created_by)
VALUES (1, 'Benchmark walk', '2026-09-15', 'bench', '["wheelchair"]', 0,
        lower(hex(randomblob(32))), 0, '2026-09-15T08:00:00Z', '2026-09-15T08:00:00Z', 'bench');
WITH RECURSIVE r(i, a, b) AS (
  SELECT 1, 48271, 182605794
  UNION ALL
  SELECT i + 1, (a * 48271) % 2147483647, (b * 48271) % 2147483647 FROM r WHERE i < $N)
INSERT INTO walk_finding (uuid, walk_id, type, grade, groups, measurements, verdicts, level,
                          special_area, district, status, consensus_grade, source, body_hash,
                          created_at, received_at, updated_at, geom)
SELECT printf('%08x-0000-4000-8000-%012x', i, a), 1,
       CASE i % 5 WHEN 0 THEN 'kerb' WHEN 1 THEN 'surface' WHEN 2 THEN 'ramp'
                  WHEN 3 THEN 'crossing' ELSE 'lighting' END,
       CASE i % 3 WHEN 0 THEN 'vaara' WHEN 1 THEN 'este' ELSE 'haitta' END,
       '["wheelchair","walker"]', '{"kerb_height_mm":60}',
       '{"kerb_height_mm":{"value":60.0,"verdict":"este","limits":[]}}', 'perustaso', NULL, NULL,
       CASE i % 4 WHEN 0 THEN 'fixed' ELSE 'open' END,
       CASE i % 3 WHEN 0 THEN 'vaara' WHEN 1 THEN 'este' ELSE 'haitta' END, 'walk', 'bench',
       strftime('%Y-%m-%dT%H:%M:%SZ', 1757923200 + i * 60, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', 1757923200 + i * 60, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', 1757923200 + i * 60, 'unixepoch'),
       MakePoint(28.6 + (a % 400000) / 1000000.0, 61.1 + (b % 200000) / 1000000.0, 4326)
FROM r;
COMMIT;
ANALYZE;
SQL
  mv "$work/db.sqlite" "$DB"
fi
got=$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM walk_finding) || ' ' || (SELECT count(*) FROM feedback)")
log "database: findings and feedback: $got"

# ---- 2. the C reference
"$PEERS/hello/build.sh" >"$work/peers-build.log" 2>&1 || { cat "$work/peers-build.log" >&2; exit 1; }
"$PEERS_BUILD/bbox" -p "$P_C" -t 2 -d "$DB" 2>"$work/cbbox.log" & PIDS+=($!)

# ---- 3. Vaikuta
cp "$DB" "$work/vk.sqlite"
"$VAIKUTA" serve --db "$work/vk.sqlite" --listen "127.0.0.1:$P_VK" --rate-limit 0 2>"$work/vk.log" & PIDS+=($!)
for _ in $(seq 200); do
  curl -sf "http://127.0.0.1:$P_VK/healthz" >/dev/null && curl -sf "http://127.0.0.1:$P_C/collections/feedback/items?bbox=28.7,61.1,28.8,61.2&limit=1" >/dev/null && break
  sleep 0.1
done
url_of() {
  case $1 in
    findings) echo "http://127.0.0.1:$P_VK/ogcapi/collections/walk-findings/items?bbox=BBOX&limit=100" ;;
    feedback) echo "http://127.0.0.1:$P_VK/ogcapi/collections/feedback/items?bbox=BBOX&limit=100" ;;
    cbbox) echo "http://127.0.0.1:$P_C/collections/feedback/items?bbox=BBOX&limit=100" ;;
  esac
}
TARGETS=(cbbox feedback findings)
box=28.7707,61.1855,28.7893,61.1945
for t in "${TARGETS[@]}"; do
  u=$(url_of "$t"); u=${u/BBOX/$box}
  n=$(curl -sf "$u" | grep -o '"type":"Feature"' | wc -l)
  log "$t: $n features in the check box"
  [ "$n" -gt 0 ] || { echo "walk.sh: $t answered no features" >&2; exit 1; }
done

for t in "${TARGETS[@]}"; do wrk -t2 -c32 -d2s -s "$HERE/bboxes.lua" "$(url_of "$t")" >/dev/null 2>&1; done
for rep in $(seq "$REPS"); do
  for t in "${TARGETS[@]}"; do
    wrk -t2 -c32 -d"$DUR" --latency -s "$HERE/bboxes.lua" "$(url_of "$t")" >"$work/$t-$rep.txt" 2>&1
    awk -v t="$t" '/Requests\/sec/ {r=$2} / 50%/ {p=$2} / 99%/ {q=$2} /Non-2xx/ {e=$5}
                   END {printf "%s %d %s %s %d\n", t, r, p, q, e}' "$work/$t-$rep.txt" >>"$work/all.txt"
    log "run $rep $(tail -1 "$work/all.txt")"
  done
done
median() { # median TARGET → req/s p50 p99 non2xx (of the run with the median req/s)
  awk -v t="$1" '$1 == t' "$work/all.txt" | sort -k2,2n | awk '{l[NR] = $0} END {print l[int((NR + 1) / 2)]}' | cut -d' ' -f2-
}
read -r c_r c_p50 c_p99 c_e < <(median cbbox)
read -r fb_r fb_p50 fb_p99 fb_e < <(median feedback)
read -r f_r f_p50 f_p99 f_e < <(median findings)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}'; }
{
  echo "# Walk findings benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "100 000 findings and $N feedback items over the same extent; wrk -t2 -c32 -d$DUR x$REPS"
  echo "(median), 1000 boxes of ~1 km², limit=100. Machine: $(nproc) cores, shared."
  echo
  echo "| target | req/s | p50 | p99 | non-2xx | ratio to C bbox |"
  echo "|---|---|---|---|---|---|"
  echo "| C bbox reference (feedback) | $c_r | $c_p50 | $c_p99 | $c_e | 1 |"
  echo "| Vaikuta feedback items | $fb_r | $fb_p50 | $fb_p99 | $fb_e | $(ratio "$fb_r" "$c_r") |"
  echo "| Vaikuta walk-findings items | $f_r | $f_p50 | $f_p99 | $f_e | $(ratio "$f_r" "$c_r") |"
  echo
  echo "Findings / feedback: $(ratio "$f_r" "$fb_r") (1.0 = the same ratio to the reference)."
  echo "A finding's feature is larger (measurements, verdicts, consensus and photo links)."
} | tee "$OUT"
