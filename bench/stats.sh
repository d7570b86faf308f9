#!/usr/bin/env bash
# stats.sh — latency of the aggregates (issue 6) on the 1M database, measured
# in the same run as the items benchmark's request and reported as figures
# and as ratios to it (bench/README.md, "Aggregates").
#
# 1. builds build/vaikuta (unless VAIKUTA is given) and copies it into the
#    run directory; makes or reuses $DATA/vaikuta-1m.sqlite (bench/make-db.sh,
#    the same cache and stamp as run.sh);
# 2. starts `vaikuta serve --threads 2` on 127.0.0.1:$PORT over it; times the
#    first aggregate request with curl, sent as soon as /healthz answers (it
#    waits for the snapshot that the server builds in the background at start);
# 3. per request below: 1 s warm-up, then `wrk -t1 -c1 -d$DUR --latency`
#    (one connection: the latency of one request at a time, the issue's
#    "p50, warm"), REPS times; the median of the p50s is reported:
#      items     /ogcapi/collections/feedback/items?bbox=<1 km2>&limit=100
#                (the items benchmark's request, bench/bboxes.lua)
#      counts    /api/v1/stats/feedback?group_by=district,category,status
#      months    /api/v1/stats/feedback?group_by=month,category&status=received,in_progress&start=2025-01-01
#      counts-bbox /api/v1/stats/feedback?group_by=category&bbox=<1 km2> (the exact bbox path)
#      choropleth /api/v1/stats/choropleth (districts)
#      density   /api/v1/stats/density?cell=250 (the whole municipality)
#      times     /api/v1/stats/response-times?by=district
#      not-modified the counts request with a current If-None-Match (304)
# 4. after one write (a POST), times the next aggregate request (the
#    incremental refresh);
# 5. prints a table and writes bench/results/stats-latest.md.
# The server is stopped by its PID on exit (also on Ctrl-C). Every load is
# bounded (wrk -d, timeout around wrk and curl).
#
# Env: DATA=/tmp/vaikuta-bench  PORT=18190  DUR=5s  REPS=3  VAIKUTA (binary; skips the build)
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
# shellcheck source=/dev/null
. "$REPO/../shared/peers/lib.sh"

DATA=${DATA:-/tmp/vaikuta-bench}
PORT=${PORT:-18190}
DUR=${DUR:-5s}
REPS=${REPS:-3}
BUILD=1
[[ -n ${VAIKUTA:-} ]] && BUILD=0
VAIKUTA=${VAIKUTA:-$REPO/build/vaikuta}
mkdir -p "$DATA" "$HERE/results"
RUNDIR=$DATA/stats-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RUNDIR"
STAMP=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log() { echo "[stats $(date -u +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

pkgs=()
for c in wrk:wrk jq:jq curl:curl sqlite3:sqlite3 timeout:coreutils; do
  command -v "${c%%:*}" >/dev/null || pkgs+=("${c#*:}")
done
apt_install ${pkgs[@]+"${pkgs[@]}"}
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && die "127.0.0.1:$PORT is in use (set PORT)"

if ((BUILD)); then
  log "building $VAIKUTA"
  ninja -C "$REPO/build" vaikuta >"$RUNDIR/build.log" 2>&1 || die "build failed; see $RUNDIR/build.log"
fi
cp "$VAIKUTA" "$RUNDIR/vaikuta"
VK=$RUNDIR/vaikuta

# The 1M database, cached exactly as run.sh caches it.
DB=$DATA/vaikuta-1m.sqlite
DB_STAMP=$({ grep -v '^ *#' "$HERE/make-db.sh"; cat "$REPO"/schema/*.sql "$REPO"/geo/*.geojson "$REPO"/seeds/categories.json; } |
  sha256sum | cut -c1-16)
if [[ -f $DB && -f $DB.stamp && $(cat "$DB.stamp") == "$DB_STAMP" ]] &&
   [[ $(sqlite3 "$DB" 'SELECT count(*) FROM feedback' 2>/dev/null) == 1000000 ]]; then
  log "using cached $DB"
else
  log "making $DB (1M rows)"
  rm -f "$DB.stamp"
  VAIKUTA=$VK "$HERE/make-db.sh" 1000000 "$DB"
  echo "$DB_STAMP" >"$DB.stamp"
fi
# A copy, so the write below does not change the cached database.
WORKDB=$RUNDIR/bench.sqlite
cp "$DB" "$WORKDB"

"$HERE/gen-bboxes.sh" "$HERE/bboxes.lua" 2>/dev/null

SPID=
cleanup() { [[ -n $SPID ]] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null; true; }
trap cleanup EXIT INT TERM
"$VK" serve --db "$WORKDB" --listen "127.0.0.1:$PORT" --threads 2 2>"$RUNDIR/serve.log" &
SPID=$!
U=http://127.0.0.1:$PORT
for _ in $(seq 300); do
  curl -fsS -o /dev/null "$U/healthz" 2>/dev/null && break
  kill -0 "$SPID" 2>/dev/null || die "vaikuta exited; see $RUNDIR/serve.log"
  sleep 0.1
done

secs() { timeout 120 curl -fsS -o /dev/null -w '%{time_total}' "$1"; }
COLD=$(secs "$U/api/v1/stats/feedback")
log "first aggregate request (full snapshot build): ${COLD} s"

to_ms() { awk -v v="$1" 'BEGIN{ n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n*=1; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }
median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "-"; exit} if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
declare -A P50=() P99=() RPS=()
NAMES=()
measure() { # NAME URL [wrk args…]
  local name=$1 url=$2 i out p50s=() p99s=() rpss=()
  shift 2
  NAMES+=("$name")
  timeout 60 wrk -t1 -c1 -d1s "$@" "$url" >/dev/null || true
  for ((i = 1; i <= REPS; i++)); do
    out=$(timeout 120 wrk -t1 -c1 -d"$DUR" --timeout 10s --latency "$@" "$url") || die "wrk failed on $name"
    echo "$out" >"$RUNDIR/wrk-$name-$i.txt"
    grep -q 'Non-2xx' <<<"$out" && [[ $name != not-modified ]] && die "$name: non-2xx answers (see $RUNDIR/wrk-$name-$i.txt)"
    p50s+=("$(to_ms "$(awk '$1=="50%"{print $2}' <<<"$out")")")
    p99s+=("$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")")
    rpss+=("$(awk '/^Requests\/sec/{print $2}' <<<"$out")")
  done
  P50[$name]=$(printf '%s\n' "${p50s[@]}" | median)
  P99[$name]=$(printf '%s\n' "${p99s[@]}" | median)
  RPS[$name]=$(printf '%s\n' "${rpss[@]}" | median)
  log "$name: p50 ${P50[$name]} ms, p99 ${P99[$name]} ms, ${RPS[$name]} req/s (one connection)"
}
ETAG=$(curl -fsS -D - -o /dev/null "$U/api/v1/stats/feedback?group_by=district,category,status" | awk 'tolower($1)=="etag:"{print $2}' | tr -d '\r')
printf 'wrk.method = "GET"\nwrk.headers["If-None-Match"] = %s\n' "'$ETAG'" >"$RUNDIR/inm.lua"

measure items "$U/ogcapi/collections/feedback/items?bbox=BBOX&limit=100" -s "$HERE/bboxes.lua"
measure counts "$U/api/v1/stats/feedback?group_by=district,category,status"
measure months "$U/api/v1/stats/feedback?group_by=month,category&status=received,in_progress&start=2025-01-01"
measure counts-bbox "$U/api/v1/stats/feedback?group_by=category&bbox=BBOX" -s "$HERE/bboxes.lua"
measure choropleth "$U/api/v1/stats/choropleth"
measure density "$U/api/v1/stats/density?cell=250"
measure times "$U/api/v1/stats/response-times?by=district"
measure not-modified "$U/api/v1/stats/feedback?group_by=district,category,status" -s "$RUNDIR/inm.lua"

# One write, then the next aggregate request re-reads only what changed.
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$U/api/v1/feedback" \
  -d '{"type":"Feature","geometry":{"type":"Point","coordinates":[28.7772,61.1911]},"properties":{"category":"lighting","description":"Penkkitesti"}}'
AFTER_WRITE=$(secs "$U/api/v1/stats/feedback?group_by=district")
CELLS=$(curl -fsS "$U/api/v1/stats/density?cell=250" | jq '.cells')
log "after one write: ${AFTER_WRITE} s; the 250 m grid has $CELLS cells"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
REPORT=$RUNDIR/report.md
{
  echo "# Aggregates benchmark — $STAMP"
  echo
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- vaikuta $("$VK" --version 2>/dev/null || echo ?) (built $(date -u -r "$VAIKUTA" +%Y-%m-%dT%H:%MZ)), serve --threads 2, 1M database ($DB)"
  echo "- wrk -t1 -c1 -d$DUR --latency x$REPS after a 1 s warm-up, medians; items and counts-bbox walk the 1000 boxes of bench/bboxes.lua"
  echo "- first aggregate request after start (full snapshot build of 1M items): ${COLD} s; first after a write (incremental): ${AFTER_WRITE} s"
  echo
  echo "| request | p50 ms | p99 ms | req/s (1 conn) | p50 ÷ items p50 |"
  echo "|---|---:|---:|---:|---:|"
  for n in "${NAMES[@]}"; do
    echo "| $n | ${P50[$n]} | ${P99[$n]} | ${RPS[$n]} | $(ratio "${P50[$n]}" "${P50[items]}") |"
  done
  echo
  echo "Targets (issue 6, p50 warm): counts < 50 ms, choropleth < 50 ms, density (250 m, $CELLS cells) < 500 ms."
} >"$REPORT"
cp "$REPORT" "$HERE/results/stats-latest.md"
cat "$REPORT"
