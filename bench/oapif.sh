#!/usr/bin/env bash
# oapif.sh — what the OGC API conformance work (issue 15) costs per request,
# as ratios to a plain items page measured in the same run (bench/README.md,
# "OGC API parameters and editing"). On the demo database (small: this
# measures the per-request work of the new code, not the 1M-row paths,
# which run.sh and stats.sh measure).
#
# 1. starts `vaikuta serve --demo --threads 2` on 127.0.0.1:$PORT over a
#    fresh database in a temporary directory;
# 2. per request below: 1 s warm-up, then `wrk -t1 -c1 -d$DUR --latency`,
#    REPS times; the median requests/s is reported and divided by the
#    reference's:
#      page          /ogcapi/collections/feedback/items?limit=100 (the reference)
#      item          /ogcapi/collections/feedback/items/1 (with its ETag: the
#                    Feature written once more and hashed)
#      item-3067     the same in EPSG:3067 (the ETag's CRS84 text, then the asked CRS)
#      item-304      the same with a current If-None-Match
#      sortby        the page with sortby=-created
#      properties    the page with properties=status,created
#      bbox          the page with bbox=20,59,32,71
#      antimeridian  the page with bbox=20,59,-170,71 (two boxes, a CQL2 condition)
#      aggregates    /ogcapi/collections/feedback-by-district/items (entry parser, links)
# 3. prints a table and writes bench/results/oapif-latest.md.
# The server is stopped by its PID on exit. Every load is bounded (wrk -d).
#
# Env: PORT=18195  DUR=3s  REPS=3  VAIKUTA (binary; default build/vaikuta)
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
PORT=${PORT:-18195}
DUR=${DUR:-3s}
REPS=${REPS:-3}
VAIKUTA=${VAIKUTA:-$REPO/build/vaikuta}
command -v wrk >/dev/null || { echo "oapif.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
[[ -x $VAIKUTA ]] || { echo "oapif.sh: build $VAIKUTA first" >&2; exit 1; }
DIR=$(mktemp -d)
PID=
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT
"$VAIKUTA" serve --db "$DIR/b.sqlite" --listen "127.0.0.1:$PORT" --web "$REPO/web" --demo \
  --demo-responses 20 --threads 2 --rate-limit 0 >"$DIR/log" 2>&1 &
PID=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
B=http://127.0.0.1:$PORT/ogcapi/collections
ETAG=$(curl -fsI "$B/feedback/items/1" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
cat >"$DIR/inm.lua" <<EOF
wrk.headers["If-None-Match"] = '$ETAG'
EOF

declare -a NAMES=(page item item-3067 item-304 sortby properties bbox antimeridian aggregates)
declare -A URL=(
  [page]="$B/feedback/items?limit=100"
  [item]="$B/feedback/items/1"
  [item-3067]="$B/feedback/items/1?crs=http://www.opengis.net/def/crs/EPSG/0/3067"
  [item-304]="$B/feedback/items/1"
  [sortby]="$B/feedback/items?limit=100&sortby=-created"
  [properties]="$B/feedback/items?limit=100&properties=status,created"
  [bbox]="$B/feedback/items?limit=100&bbox=20,59,32,71"
  [antimeridian]="$B/feedback/items?limit=100&bbox=20,59,-170,71"
  [aggregates]="$B/feedback-by-district/items"
)
rps() { # url [script] → median req/s of REPS runs
  local url=$1 script=${2:-} runs=()
  local args=(-t1 -c1 --latency)
  [[ -n $script ]] && args+=(-s "$script")
  timeout 30 wrk "${args[@]}" -d1s "$url" >/dev/null
  for _ in $(seq 1 "$REPS"); do
    runs+=("$(timeout 60 wrk "${args[@]}" -d"$DUR" "$url" | awk '/Requests\/sec/{print $2}')")
  done
  printf '%s\n' "${runs[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}
declare -A R
for n in "${NAMES[@]}"; do
  script=
  [[ $n == item-304 ]] && script=$DIR/inm.lua
  R[$n]=$(rps "${URL[$n]}" "$script")
done
OUT=$HERE/results/oapif-latest.md
mkdir -p "$HERE/results"
{
  echo "OGC API parameters and editing, $(date -u +%Y-%m-%dT%H:%M:%SZ), demo database, wrk -t1 -c1 -d$DUR, median of $REPS"
  echo
  echo "| request | req/s | ratio to page |"
  echo "| --- | --- | --- |"
  for n in "${NAMES[@]}"; do
    awk -v n="$n" -v r="${R[$n]}" -v p="${R[page]}" 'BEGIN{printf "| %s | %.0f | %.2f |\n", n, r, r/p}'
  done
} | tee "$OUT"
