#!/usr/bin/env bash
# count.sh DB [BASE_BINARY] — the exact numberMatched (issue 15, "Speed"):
# items?bbox with and without a filter, and with only the properties cbbox
# writes (properties=…, the same rows both ways), beside the plain C reader without a
# count (the `cbbox` ceiling of ../shared/peers), and the staff inbox's
# filter combinations, in one run over one database (make-db.sh). With
# BASE_BINARY (a build of other code, e.g. main before a change) its figures are
# measured in the same run too. Writes results/count-latest.md.
#
# Env: DUR (10s), PORT (18280; +1 cbbox, +2 base), VAIKUTA (build/vaikuta),
# BASE_NAME (how the base binary is named in the tables; its file name),
# PEERS_BUILD (/tmp/peers/build), INBOX_DUR (3s), BASE_DB (the base binary's
# own copy of DB, when the binary under test migrates DB to a schema the
# base would refuse), BASE_ARGS (options for the base server, e.g. the same
# binary with `--mmap 0`), NO_INBOX (1: skip the staff inbox). Everything on 127.0.0.1,
# every server stopped by its PID, every load bounded by wrk -d and timeout.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DB=${1:?usage: count.sh DB [BASE_BINARY]}
BASE=${2:-}
BASE_NAME=${BASE_NAME:-$(basename "${BASE:-none}")}
DUR=${DUR:-10s}
INBOX_DUR=${INBOX_DUR:-3s}
PORT=${PORT:-18280}
VK=${VAIKUTA:-$HERE/../build/vaikuta}
PEERS_BUILD=${PEERS_BUILD:-/tmp/peers/build}
command -v wrk >/dev/null || { echo "count.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
[ -x "$PEERS_BUILD/bbox" ] || PEERS_BUILD=$PEERS_BUILD bash "$HERE/../../shared/peers/hello/build.sh"
OUT=${OUT:-$HERE/results/count-latest.md}
LOG=$(mktemp -d /tmp/vaikuta-count-XXXXXX)
PIDS=()
stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; PIDS=(); }
trap stop_all EXIT

wait_up() { # url
  for _ in $(seq 1 600); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "no answer from $1" >&2; return 1
}

# CPU ticks (user + system) the server (the last one started) has used.
server_ticks() { awk '{print $14 + $15}' "/proc/${PIDS[-1]}/stat" 2>/dev/null || echo 0; }

# name url [wrk args…]: one 2 s warm-up, one run; a table row. Besides
# req/s, the server's CPU time per request (from /proc): on a machine
# shared with other work, req/s follows the share of the cores a server
# gets, while its CPU per request stays its own cost.
load() {
  local name=$1 url=$2; shift 2
  timeout 60 wrk -t2 -c32 -d2s -s "$HERE/bboxes.lua" "$url" "$@" >/dev/null 2>&1 || true
  local la; la=$(cut -d' ' -f1 /proc/loadavg)
  local t0; t0=$(server_ticks)
  local out; out=$(timeout 120 wrk -t2 -c32 -d"$DUR" --latency -s "$HERE/bboxes.lua" "$url" "$@" 2>&1)
  local t1; t1=$(server_ticks)
  local rps p50 p99 non2xx n cpu
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  cpu=$(awk -v a="$t0" -v b="$t1" -v n="${n:-0}" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {if (n > 0) printf "%.0f µs", (b - a) * 1e6 / hz / n; else print "-"}')
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}" "$cpu" "$la" | tee -a "$LOG/rows"
  echo "$name $rps" >>"$LOG/rps"
  # A run mostly shed (503) costs little per request: no ratio for it.
  [ "${non2xx:-0}" = 0 ] && echo "$name ${cpu% µs}" >>"$LOG/cpu"
}

# name url-with-BBOX [curl args…]: SEQ requests one at a time over one
# connection (the first SEQ boxes), p50 and p99 of curl's time_total — the
# latency of one request, less disturbed by the machine's load than wrk.
SEQ=${SEQ:-300}
BOXES=$("$HERE/gen-bboxes.sh" - | head -n "$SEQ")
seq_lat() {
  local name=$1 url=$2; shift 2
  local cfg; cfg=$(mktemp)
  while read -r b; do printf 'url = "%s"\noutput = /dev/null\n' "${url//BBOX/$b}"; done <<<"$BOXES" >"$cfg"
  local la; la=$(cut -d' ' -f1 /proc/loadavg)
  curl -s -K "$cfg" -w '%{http_code} %{time_total}\n' "$@" >"$LOG/seq" 2>/dev/null
  rm -f "$cfg"
  sort -k2 -n "$LOG/seq" | awk -v n="$name" -v la="$la" '{t[NR]=$2; if ($1 != 200) bad++}
    END {printf "| %s | %.2f ms | %.2f ms | %d of %d | %s |\n", n, t[int(NR*0.5+0.5)]*1000, t[int(NR*0.99+0.5)]*1000, bad, NR, la}' |
    tee -a "$LOG/seqrows"
}

NSERVE=0
serve() { # binary port [db [options…]]
  NSERVE=$((NSERVE + 1))
  local log="$LOG/serve-$2-$NSERVE.log"
  "$1" serve --db "${3:-$DB}" --listen "127.0.0.1:$2" --threads 2 --rate-limit 0 "${@:4}" 2>"$log" &
  PIDS+=($!)
  wait_up "http://127.0.0.1:$2/healthz"
  # The statistics and (this build) the count grid are built right after
  # start: measure once they are ready.
  for _ in $(seq 1 1500); do grep -q "statistics ready\|statistics not" "$log" && break; sleep 0.2; done
  grep -h "ready" "$log" | sed 's/^/# /' >&2 || true
}

ITEMS='/ogcapi/collections/feedback/items?bbox=BBOX&limit=100'
# The same rows as cbbox gives (its id, category, status, description,
# created_at and point): both servers then read and write the same data,
# Vaikuta's links on every feature aside.
CBBOX_PROPS=category,status,description,created
FILTER="&filter=$(printf %s "category IN ('streets','lighting') AND status = 'received'" | jq -sRr @uri)&datetime=2025-01-01T00:00:00Z/.."
: >"$LOG/rows"; : >"$LOG/seqrows"
{
  echo "# count.sh — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "Database: $DB ($(sqlite3 "$DB" 'SELECT count(*) FROM feedback') items). wrk -t2 -c32 -d$DUR after a 2 s warm-up, 1000 boxes of ~1 km² (bench/bboxes.lua)."
  echo
  echo "| target | req/s | p50 | p99 | non-2xx | server CPU per request | load 1 min before |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
} >"$OUT"

if [ -z "${INBOX_ONLY:-}" ]; then
"$PEERS_BUILD/bbox" -p $((PORT + 1)) -d "$DB" 2>"$LOG/cbbox.log" &
PIDS+=($!)
wait_up "http://127.0.0.1:$((PORT + 1))/collections/feedback/items?bbox=28.77,61.18,28.78,61.19&limit=1"
load "cbbox (plain C, no count)" "http://127.0.0.1:$((PORT + 1))/collections/feedback/items?bbox=BBOX&limit=100"
seq_lat "cbbox (plain C, no count)" "http://127.0.0.1:$((PORT + 1))/collections/feedback/items?bbox=BBOX&limit=100"
stop_all

serve "$VK" "$PORT"
load "vaikuta, bbox" "http://127.0.0.1:$PORT$ITEMS"
load "vaikuta, bbox, properties=$CBBOX_PROPS" "http://127.0.0.1:$PORT$ITEMS&properties=$CBBOX_PROPS"
load "vaikuta, bbox + filter + datetime" "http://127.0.0.1:$PORT$ITEMS$FILTER"
seq_lat "vaikuta, bbox" "http://127.0.0.1:$PORT$ITEMS"
seq_lat "vaikuta, bbox, properties=$CBBOX_PROPS" "http://127.0.0.1:$PORT$ITEMS&properties=$CBBOX_PROPS"
seq_lat "vaikuta, bbox + filter + datetime" "http://127.0.0.1:$PORT$ITEMS$FILTER"
stop_all

if [ -n "$BASE" ]; then
  # shellcheck disable=SC2086 # BASE_ARGS is a list of options
  serve "$BASE" $((PORT + 2)) "${BASE_DB:-$DB}" $BASE_ARGS
  load "base ($BASE_NAME), bbox" "http://127.0.0.1:$((PORT + 2))$ITEMS"
  load "base ($BASE_NAME), bbox, properties=$CBBOX_PROPS" "http://127.0.0.1:$((PORT + 2))$ITEMS&properties=$CBBOX_PROPS"
  load "base ($BASE_NAME), bbox + filter + datetime" "http://127.0.0.1:$((PORT + 2))$ITEMS$FILTER"
  seq_lat "base ($BASE_NAME), bbox" "http://127.0.0.1:$((PORT + 2))$ITEMS"
  seq_lat "base ($BASE_NAME), bbox + filter + datetime" "http://127.0.0.1:$((PORT + 2))$ITEMS$FILTER"
  stop_all
fi
cat "$LOG/rows" >>"$OUT"
c=$(awk '$1 == "cbbox" {print $NF}' "$LOG/rps")
{
  echo
  while read -r line; do
    name=${line% *}; rps=${line##* }
    [ "$name" = "cbbox (plain C, no count)" ] && continue
    printf -- '- %s ÷ cbbox: %.2f\n' "$name" "$(echo "$rps / $c" | bc -l)"
  done <"$LOG/rps"
  echo
  # The same comparison by cost: cbbox's CPU per request ÷ this one's.
  cc=$(awk '$1 == "cbbox" {print $NF}' "$LOG/cpu")
  while read -r line; do
    name=${line% *}; us=${line##* }
    [ "$name" = "cbbox (plain C, no count)" ] && continue
    [ "$us" != "-" ] && [ "$cc" != "-" ] &&
      printf -- '- %s: cbbox CPU per request ÷ its own: %.2f\n' "$name" "$(echo "$cc / $us" | bc -l)"
  done <"$LOG/cpu"
  echo
  echo "One request at a time ($SEQ boxes, one connection, curl time_total):"
  echo
  echo "| target | p50 | p99 | not 200 | load |"
  echo "|---|---:|---:|---:|---:|"
  cat "$LOG/seqrows"
} >>"$OUT"

fi # INBOX_ONLY
[ -n "${NO_INBOX:-}" ] && exit 0

# The staff inbox: one request at a time, so p50 is one request's latency.
TOKEN=$("$VK" token create --role moderator --name "count-bench-$$" --db "$DB" | tail -1)
serve "$VK" "$PORT"
inbox() { # name query [binary-port]: 15 requests one at a time
  local port=${3:-$PORT} la; la=$(cut -d' ' -f1 /proc/loadavg)
  local cfg; cfg=$(mktemp)
  for _ in $(seq 1 15); do
    printf 'url = "http://127.0.0.1:%s/api/v1/staff/feedback?limit=50%s"\noutput = /dev/null\n' "$port" "$2"
  done >"$cfg"
  curl -s -K "$cfg" -H "Authorization: Bearer $TOKEN" -w '%{http_code} %{time_total}\n' >"$LOG/inbox" 2>/dev/null
  rm -f "$cfg"
  sort -k2 -n "$LOG/inbox" | awk -v n="$1" -v la="$la" '{t[NR]=$2; if ($1 != 200) bad++}
    END {printf "| %s | %.1f ms | %.1f ms | %d | %s |\n", n, t[int(NR*0.5+0.5)]*1000, t[NR]*1000, bad, la}'
}
INBOX=(
  "default (public and hidden)|"
  "status=received|&status=received"
  "status=in_progress,planned|&status=in_progress,planned"
  "category=lighting|&category=lighting"
  "district=<one>|&district=DISTRICT"
  "district=none|&district=none"
  "unit=<one>|&unit=UNIT"
  "answered=false|&answered=false"
  "answered=true|&answered=true"
  "older_than_days=30|&older_than_days=30"
  "newer_than_days=30|&newer_than_days=30"
  "visibility=hidden,withdrawn|&visibility=hidden,withdrawn"
  "visibility=all|&visibility=all"
  "status+category+district+answered|&status=received&category=lighting&district=DISTRICT&answered=false"
  "bbox ~1 km²|&bbox=28.7707,61.1855,28.7893,61.1945"
  "page 100 (offset 4950)|&offset=4950"
)
DISTRICT=$(sqlite3 "$DB" 'SELECT code FROM district ORDER BY id LIMIT 1')
UNIT=$(sqlite3 "$DB" 'SELECT code FROM unit ORDER BY id LIMIT 1')
{
  echo
  echo "## Staff inbox (GET /api/v1/staff/feedback?limit=50…), 15 requests one at a time"
  echo
  echo "| filters | p50 | max | not 200 | load |"
  echo "|---|---:|---:|---:|---:|"
} >>"$OUT"
for c in "${INBOX[@]}"; do
  q=${c#*|}; q=${q//DISTRICT/$DISTRICT}; q=${q//UNIT/$UNIT}
  inbox "${c%%|*}" "$q" | tee -a "$OUT"
done
stop_all
if [ -n "$BASE" ]; then
  serve "$BASE" $((PORT + 2))
  echo -e "\nBase ($BASE_NAME), same filters:\n\n| filters | p50 | max | not 200 | load |\n|---|---:|---:|---:|---:|" >>"$OUT"
  for c in "${INBOX[@]}"; do
    q=${c#*|}; q=${q//DISTRICT/$DISTRICT}; q=${q//UNIT/$UNIT}
    inbox "${c%%|*}" "$q" $((PORT + 2)) | tee -a "$OUT"
  done
  stop_all
fi
"$VK" token revoke "count-bench-$$" --db "$DB" >/dev/null 2>&1 || true
echo "wrote $OUT (logs in $LOG)"
