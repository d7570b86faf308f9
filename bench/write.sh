#!/usr/bin/env bash
# write.sh [DB] — issue 4's benchmark: acknowledged POSTs per second with
# synchronous=FULL at 32 connections, with group commit on and off; reads
# (items?bbox, the 1000 boxes) alone and while that write load runs; the
# server's peak resident memory. Every figure is from this one run.
# DB defaults to the 100k benchmark database (bench/make-db.sh), copied.
# MAIL=1 adds issue 17's A/B (the mail section below): the same durable
# POSTs with nothing queued, with the unit's message, with a contact row
# and none, and with a reporter's address (receipt and unit message), in
# the order A B C D D C B A on one server; the POST rate and the writer
# thread's CPU per POST (schedstat). MAIL=only runs that section alone;
# MAIL=qc only its in-process part (QC=…/bench_queue_cost of another tree;
# QC_CALLGRIND=1 counts instructions under callgrind instead of timing,
# which the machine's other load does not move; QC_N=300 is enough there
# for a before/after).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
cd "$REPO"
DATA=${DATA:-/tmp/vaikuta-bench}
SRC=${1:-$DATA/vaikuta-100k.sqlite}
DUR=${DUR:-10s}
PORT=${PORT:-18700}
VAIKUTA=${VAIKUTA:-$REPO/build/vaikuta}
OUT=$HERE/results/write-latest.md
[ -f "$SRC" ] || { echo "write.sh: no $SRC; run bench/make-db.sh 100000 $SRC first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "write.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start() { # start GROUP_COMMIT
  cp "$SRC" "$work/db.sqlite"; rm -f "$work/db.sqlite-wal" "$work/db.sqlite-shm"
  "$VAIKUTA" serve --db "$work/db.sqlite" --listen "127.0.0.1:$PORT" --rate-limit 0 \
    --group-commit "$1" 2>"$work/server.log" & PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return; sleep 0.1; done
  echo "write.sh: server did not start" >&2; exit 1
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=; }
count() { curl -s "http://127.0.0.1:$PORT/healthz" | sed 's/.*"feedback":\([0-9]*\).*/\1/'; }
rss() { awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$PID/status"; }
READS="http://127.0.0.1:$PORT/ogcapi/collections/feedback/items?bbox=BBOX&limit=100"
field() { # field WRKOUT → "req/s p50 p99"
  awk '/Requests\/sec/ {r=$2} / 50%/ {p=$2} / 99%/ {q=$2} END {printf "%d %s %s", r, p, q}' "$1"
}
writes() { # writes LABEL → acknowledged/s p50 p99 ok
  local before after acked
  before=$(count)
  wrk -t2 -c32 -d"$DUR" --latency -s bench/post.lua "http://127.0.0.1:$PORT" >"$work/$1.txt" 2>&1
  after=$(count)
  acked=$(grep -c ' POST /api/v1/feedback 201 ' "$work/server.log" || true)
  local non2xx; non2xx=$(awk '/Non-2xx/ {print $5}' "$work/$1.txt"); non2xx=${non2xx:-0}
  read -r _ p50 p99 < <(field "$work/$1.txt")
  local secs=${DUR%s}
  echo "$1 $((acked / secs)) $p50 $p99 $((after - before)) $acked $non2xx"
  : >"$work/server.log"
}
reads() { wrk -t2 -c32 -d"$DUR" --latency -s bench/bboxes.lua "$READS" >"$work/$1.txt" 2>&1; echo "$1 $(field "$work/$1.txt")"; }

MAIL=${MAIL:-0}
MAIL_DUR=${MAIL_DUR:-5s}
MAIL_GC=${MAIL_GC:-on} # group commit for the mail runs; off: one commit per POST, so the
                       # writer's time per POST does not depend on how many share a commit
# The writer thread (nice 10, db/writer.c): with group commit its CPU per
# POST is the serial part, and the other load on the machine moves it far
# less than it moves the rate.
writer_tid() {
  local t
  for t in /proc/$PID/task/*; do
    [ "$(awk '{print $19}' "$t/stat")" = 10 ] && { basename "$t"; return; }
  done
}
writer_ns() { awk '{print $1}' "/proc/$PID/task/$WTID/schedstat"; }
unit_mail() { sqlite3 "$work/db.sqlite" ".timeout 10000" \
  "UPDATE unit SET email = $1 WHERE code = 'street_maintenance'" >/dev/null; }
mail_writes() { # mail_writes LABEL MAIL_CONTACT → "LABEL acknowledged/s writer-µs-per-POST"
  : >"$work/server.log"
  local w0 w1 acked
  w0=$(writer_ns)
  MAIL_CONTACT=$2 wrk -t2 -c32 -d"$MAIL_DUR" -s bench/post.lua "http://127.0.0.1:$PORT" >"$work/$1.txt" 2>&1
  w1=$(writer_ns)
  acked=$(grep -c ' POST /api/v1/feedback 201 ' "$work/server.log" || true)
  echo "$1 $((acked / ${MAIL_DUR%s})) $(( (w1 - w0) / 1000 / (acked > 0 ? acked : 1) ))"
}
mail_section() {
  echo "== mail: the durable POST with and without queuing (outbox only), group commit $MAIL_GC"
  start "$MAIL_GC"
  WTID=$(writer_tid)
  [ -n "$WTID" ] || { echo "write.sh: no writer thread (nice 10) in $PID" >&2; exit 1; }
  local m=() load0 load1 queued
  load0=$(cut -d' ' -f1 /proc/loadavg)
  mail_writes warmup 0 >/dev/null # the copy's pages into the cache: not counted
  # The reports are lighting, routed to street maintenance; "none" and
  # "phone" clear its address (read on the request thread, so it changes
  # under the running server), "unit" and "mail" set it.
  unit_mail NULL;               m+=("$(mail_writes none-1 0)")
  unit_mail "'kadut@kunta.fi'"; m+=("$(mail_writes unit-1 0)")
  unit_mail NULL;               m+=("$(mail_writes phone-1 2)")
  unit_mail "'kadut@kunta.fi'"; m+=("$(mail_writes mail-1 1)"); m+=("$(mail_writes mail-2 1)")
  unit_mail NULL;               m+=("$(mail_writes phone-2 2)")
  unit_mail "'kadut@kunta.fi'"; m+=("$(mail_writes unit-2 0)")
  unit_mail NULL;               m+=("$(mail_writes none-2 0)")
  load1=$(cut -d' ' -f1 /proc/loadavg)
  stop
  queued=$(sqlite3 "$work/db.sqlite" "SELECT count(*) FROM mail_outbox")
  local r label v w
  declare -A rate=() wus=()
  for r in "${m[@]}"; do
    read -r label v w <<<"$r"
    rate[${label%-*}]=$(( ${rate[${label%-*}]:-0} + v )); wus[${label%-*}]=$(( ${wus[${label%-*}]:-0} + w ))
  done
  pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f", (b - a) * 100 / a}'; }
  {
    echo "# Write benchmark, mail A/B — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "- machine: $(nproc) cores; $($VAIKUTA --version); load average $load0 before, $load1 after"
    echo "- database: copy of $(basename "$SRC"); group commit $MAIL_GC, synchronous=FULL; wrk -t2 -c32 -d$MAIL_DUR per run after a warm-up run; no relay (outbox only)"
    echo
    echo "| run | acknowledged POST/s | writer µs per POST |"
    echo "|---|---:|---:|"
    for r in "${m[@]}"; do read -r label v w <<<"$r"; echo "| $label | $v | $w |"; done
    echo
    echo "| mean of two | POST/s | writer µs/POST |"
    echo "|---|---:|---:|"
    for label in none unit phone mail; do echo "| $label | $(( rate[$label] / 2 )) | $(( wus[$label] / 2 )) |"; done
    echo
    echo "- the unit's message (unit against none): rate $(pct "${rate[none]}" "${rate[unit]}") %, writer $(pct "${wus[none]}" "${wus[unit]}") %"
    echo "- **queuing both messages** (mail against phone, both with a contact row): rate $(pct "${rate[phone]}" "${rate[mail]}") %, writer $(pct "${wus[phone]}" "${wus[mail]}") %"
    echo "- an address and both messages against nothing at all (mail against none): rate $(pct "${rate[none]}" "${rate[mail]}") %, writer $(pct "${wus[none]}" "${wus[mail]}") %"
    echo "- outbox rows after the runs: $queued"
    queue_cost
  } | tee "$HERE/results/write-mail-latest.md"
}
# The writer's CPU per create measured inside one process
# (build/bench_queue_cost, bench/queue-cost.c): no HTTP, no other thread,
# one create per commit, so neither the machine's load nor how many POSTs
# share a commit moves it much. A B C D D C B A, QC_N creates each.
QC_N=${QC_N:-1500}
QC=${QC:-$REPO/build/bench_queue_cost}
QC_VAIKUTA=${QC_VAIKUTA:-$(dirname "$QC")/vaikuta}
queue_cost() {
  [ -x "$QC" ] || { echo "- (no $QC: build it for the in-process figures)"; return; }
  # Migrated by the vaikuta of QC's own tree (QC_VAIKUTA): another tree's
  # bench_queue_cost, e.g. an older commit's, gives the before of an A/B.
  cp "$SRC" "$work/qc.sqlite"; rm -f "$work/qc.sqlite-wal" "$work/qc.sqlite-shm"
  "$QC_VAIKUTA" init --db "$work/qc.sqlite" >/dev/null 2>&1
  local order="none:NULL:0 unit:'kadut@kunta.fi':0 phone:NULL:2 mail:'kadut@kunta.fi':1"
  local seq spec label addr c us
  seq="$order $(echo "$order" | tr ' ' '\n' | tac | tr '\n' ' ')"
  # Instruction counts do not drift: each variant once (counted twice below).
  [ "${QC_CALLGRIND:-0}" = 1 ] && seq=$order
  declare -A qc=()
  echo
  local unit="CPU µs"
  local sfx=" µs"
  [ "${QC_CALLGRIND:-0}" = 1 ] && unit="thousand instructions (callgrind)" && sfx="k instructions"
  echo "In-process ($("$QC_VAIKUTA" --version)), the mail plan and the writer's job, $unit per create, one commit each ($QC_N creates a run, $([ "${QC_CALLGRIND:-0}" = 1 ] && echo "each once" || echo "A B C D D C B A")):"
  echo
  echo "| run | $unit per create |"
  echo "|---|---:|"
  for spec in $seq; do
    IFS=: read -r label addr c <<<"$spec"
    sqlite3 "$work/qc.sqlite" ".timeout 10000" "UPDATE unit SET email = $addr WHERE code = 'street_maintenance'" >/dev/null
    if [ "${QC_CALLGRIND:-0}" = 1 ]; then
      # Instructions of the measured part only (queue-cost.c), in thousands.
      valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/qc.cg" \
        "$QC" "$work/qc.sqlite" "$QC_N" "$c" >/dev/null 2>&1
      us=$(awk -v n="$QC_N" '/^totals:/ {printf "%.1f", $2 / n / 1000}' "$work/qc.cg")
    else
      us=$("$QC" "$work/qc.sqlite" "$QC_N" "$c")
    fi
    echo "| $label | $us |"
    qc[$label]=$(awk -v a="${qc[$label]:-0}" -v b="$us" -v k="${QC_CALLGRIND:-0}" 'BEGIN {print a + b * (k == 1 ? 2 : 1)}')
  done
  echo
  echo "- means: none $(awk -v a="${qc[none]}" 'BEGIN {printf "%.1f", a / 2}')$sfx, unit $(awk -v a="${qc[unit]}" 'BEGIN {printf "%.1f", a / 2}')$sfx, phone $(awk -v a="${qc[phone]}" 'BEGIN {printf "%.1f", a / 2}')$sfx, mail $(awk -v a="${qc[mail]}" 'BEGIN {printf "%.1f", a / 2}')$sfx"
  echo "- the unit's message: $(awk -v a="${qc[none]}" -v b="${qc[unit]}" 'BEGIN {printf "%+.1f", (b - a) * 100 / a}') %; **both messages** (mail against phone): $(awk -v a="${qc[phone]}" -v b="${qc[mail]}" 'BEGIN {printf "%+.1f", (b - a) * 100 / a}') %; an address and both against nothing: $(awk -v a="${qc[none]}" -v b="${qc[mail]}" 'BEGIN {printf "%+.1f", (b - a) * 100 / a}') %"
}
if [ "$MAIL" = only ]; then mail_section; exit 0; fi
if [ "$MAIL" = qc ]; then queue_cost | tee "$HERE/results/write-qc-latest.md"; exit 0; fi

echo "== group commit on"
start on
reads warmup >/dev/null
r_alone=$(reads reads-alone)
w_on=$(writes writes-on)
# Reads and writes at once, 32 connections each.
wrk -t2 -c32 -d"$DUR" --latency -s bench/bboxes.lua "$READS" >"$work/reads-mixed.txt" 2>&1 &
RP=$!
w_mixed=$(writes writes-mixed)
wait $RP
r_mixed="reads-mixed $(field "$work/reads-mixed.txt")"
rss_on=$(rss)
stop
echo "== group commit off"
start off
w_off=$(writes writes-off)
rss_off=$(rss)
stop
[ "$MAIL" = 1 ] && mail_section

read -r _ ra rap50 rap99 <<<"$r_alone"
read -r _ rm rmp50 rmp99 <<<"$r_mixed"
read -r _ won wonp50 wonp99 won_stored won_acked won_bad <<<"$w_on"
read -r _ wmx wmxp50 wmxp99 wmx_stored wmx_acked wmx_bad <<<"$w_mixed"
read -r _ woff woffp50 woffp99 woff_stored woff_acked woff_bad <<<"$w_off"
{
  echo "# Write benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GB; $($VAIKUTA --version)"
  echo "- database: copy of $(basename "$SRC") ($(du -m "$SRC" | cut -f1) MB); synchronous=FULL, WAL"
  echo "- load: wrk -t2 -c32 -d$DUR; writes: bench/post.lua (points inside the city, full validation"
  echo "  and district assignment); reads: items?bbox (bench/bboxes.lua, 1000 boxes, limit=100)"
  echo
  echo "| run | acknowledged/s or req/s | p50 | p99 | stored / acknowledged (201) | non-2xx |"
  echo "|---|---:|---:|---:|---|---:|"
  echo "| writes, group commit on | $won | $wonp50 | $wonp99 | $won_stored / $won_acked | $won_bad |"
  echo "| writes, group commit off | $woff | $woffp50 | $woffp99 | $woff_stored / $woff_acked | $woff_bad |"
  echo "| reads alone | $ra | $rap50 | $rap99 | | |"
  echo "| reads during writes | $rm | $rmp50 | $rmp99 | | |"
  echo "| writes during reads | $wmx | $wmxp50 | $wmxp99 | $wmx_stored / $wmx_acked | $wmx_bad |"
  echo
  echo
  echo "Stored ≥ acknowledged: a write in flight when wrk stops is committed but its client is"
  echo "gone, so it is never acknowledged. Non-2xx are 422 outside_area: generated points that"
  echo "fall just past the municipality boundary (boxes near the border)."
  echo
  echo "- group commit: on ÷ off = $(awk -v a="$won" -v b="$woff" 'BEGIN {printf "%.2f", a / b}')"
  echo "- reads kept under write load: $(awk -v a="$rm" -v b="$ra" 'BEGIN {printf "%.0f%%", 100 * a / b}')"
  echo "- peak resident memory: ${rss_on} MiB (group commit on, all runs), ${rss_off} MiB (off)"
} | tee "$OUT"
