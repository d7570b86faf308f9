#!/usr/bin/env bash
# mail.sh — issue 17's e-mail figures. (1) What queuing costs the durable
# feedback POST: acknowledged POSTs a second at 32 connections with group
# commit, reports without an address (nothing queued) against reports with
# one (the receipt queued, and the unit's message: lighting's unit gets an
# address), in the order A B B A on one fresh database, no relay (outbox
# only). (2) The sender: messages a second delivered to a local SMTP
# server (tests/http/smtp_sink.py, aiosmtpd, not parsing) from that full outbox, with
# the per-recipient limit off. Loopback only; every process stopped by PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
cd "$REPO"
DUR=${DUR:-5s}
PORT=${PORT:-18750}
SMTP_PORT=${SMTP_PORT:-18751}
SEND=${SEND:-3000}
VAIKUTA=${VAIKUTA:-$REPO/build/vaikuta}
OUT=$HERE/results/mail-latest.md
command -v wrk >/dev/null || { echo "mail.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d)
PID= SINK=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null
  [ -n "$SINK" ] && kill "$SINK" 2>/dev/null
  wait 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT

start() { # start [ARGS…]
  "$VAIKUTA" serve --db "$work/db.sqlite" --listen "127.0.0.1:$PORT" --rate-limit 0 "$@" \
    2>"$work/server.log" & PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return; sleep 0.1; done
  echo "mail.sh: server did not start" >&2; exit 1
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=; }
# The server's CPU time so far (user + system, clock ticks): a measure of
# the work a POST does that the other helpers' load on the machine does not
# change, unlike the rate.
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
# The writer thread (nice 10, db/writer.c) is the serial part of a POST: its
# CPU time (ns, schedstat) per POST bounds the rate at group commit, where
# the whole server's CPU is shared by threads that run side by side.
writer_tid() {
  local t
  for t in /proc/$PID/task/*; do
    [ "$(awk '{print $19}' "$t/stat")" = 10 ] && { basename "$t"; return; }
  done
}
writer_ns() { awk '{print $1}' "/proc/$PID/task/$WTID/schedstat"; }
writes() { # writes LABEL MAIL_CONTACT → "LABEL acknowledged/s CPU-µs-per-POST writer-µs-per-POST"
  : >"$work/server.log"
  local t0 w0; t0=$(ticks); w0=$(writer_ns)
  MAIL_CONTACT=$2 wrk -t2 -c32 -d"$DUR" -s bench/post.lua "http://127.0.0.1:$PORT" >"$work/$1.txt" 2>&1
  local t1 w1; t1=$(ticks); w1=$(writer_ns)
  local acked; acked=$(grep -c ' POST /api/v1/feedback 201 ' "$work/server.log" || true)
  local n=$((acked > 0 ? acked : 1))
  echo "$1 $((acked / ${DUR%s})) $(( (t1 - t0) * 1000000 / $(getconf CLK_TCK) / n )) $(( (w1 - w0) / 1000 / n ))"
}
# Messages the SMTP server took (it flushes every 100th line): a new item's
# receipt and unit message leave no outbox row when sent (mail/feed.h).
sent() { grep -c '"rcpt_tos"' "$work/sink.out" || true; }

"$VAIKUTA" init --db "$work/db.sqlite" >/dev/null 2>&1
# The reports are lighting, routed to street maintenance: with the unit's
# address set every POST queues the unit's message, address or not; the
# "none" runs clear it first (read on each request's thread, so it
# changes under the running server) and queue nothing at all.
unit_mail() { sqlite3 "$work/db.sqlite" ".timeout 10000" \
  "UPDATE unit SET email = $1 WHERE code = 'street_maintenance'" >/dev/null; }
echo "== the feedback POST, without and with an address (outbox only)"
start
WTID=$(writer_tid)
[ -n "$WTID" ] || { echo "mail.sh: no writer thread (nice 10) in $PID" >&2; exit 1; }
results=()
# A B C D D C B A: the database grows during the runs, and this order
# cancels a steady slowdown out of the averages.
unit_mail NULL
results+=("$(writes none-1 0)")
unit_mail "'kadut@kunta.fi'"
results+=("$(writes plain-1 0)")
results+=("$(writes phone-1 2)")
results+=("$(writes mail-1 1)")
results+=("$(writes mail-2 1)")
results+=("$(writes phone-2 2)")
results+=("$(writes plain-2 0)")
unit_mail NULL
results+=("$(writes none-2 0)")
stop
# Owed: the rows queued and the new items' messages past the cursor.
queued=$(sqlite3 "$work/db.sqlite" "SELECT (SELECT count(*) FROM mail_outbox WHERE state = 'queued')
  + (SELECT count(*) FROM feedback_contact c JOIN feedback f ON f.id = c.feedback_id
     WHERE f.id > (SELECT last_item_id FROM mail_feed) AND c.email IS NOT NULL AND c.receipt_token IS NOT NULL)
  + (SELECT count(*) FROM feedback f JOIN unit u ON u.id = f.unit_id
     WHERE f.id > (SELECT last_item_id FROM mail_feed) AND f.mail = 1 AND u.email IS NOT NULL AND u.digest = 0)")
load1=$(cut -d' ' -f1 /proc/loadavg)

echo "== the sender to a local SMTP server"
SINK_QUIET=1 /usr/bin/python3 tests/http/smtp_sink.py "$SMTP_PORT" >"$work/sink.out" 2>"$work/sink.err" & SINK=$!
for _ in $(seq 50); do grep -q ready "$work/sink.out" 2>/dev/null && break; sleep 0.1; done
t0=$(date +%s.%N)
start --smtp "smtp://127.0.0.1:$SMTP_PORT" --mail-from palaute@kunta.fi --mail-per-minute 0
while [ "$(sent)" -lt "$SEND" ]; do sleep 0.2; done
t1=$(date +%s.%N)
n=$(sent)
stop
kill "$SINK"; wait "$SINK" 2>/dev/null || true; SINK=
received=$(grep -c '"rcpt_tos"' "$work/sink.out" || true)
rows=$(sqlite3 "$work/db.sqlite" "SELECT count(*) FROM mail_outbox")
load2=$(cut -d' ' -f1 /proc/loadavg)
rate=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN {printf "%d", n / (b - a)}')

none=0 plain=0 mail=0 phone=0 none_cpu=0 plain_cpu=0 mail_cpu=0 phone_cpu=0
none_w=0 plain_w=0 mail_w=0 phone_w=0
for r in "${results[@]}"; do
  read -r label v cpu w <<<"$r"
  case $label in
    none-*) none=$((none + v)); none_cpu=$((none_cpu + cpu)); none_w=$((none_w + w));;
    plain-*) plain=$((plain + v)); plain_cpu=$((plain_cpu + cpu)); plain_w=$((plain_w + w));;
    mail-*) mail=$((mail + v)); mail_cpu=$((mail_cpu + cpu)); mail_w=$((mail_w + w));;
    phone-*) phone=$((phone + v)); phone_cpu=$((phone_cpu + cpu)); phone_w=$((phone_w + w));;
  esac
done
{
  echo "# E-mail benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "- machine: $(nproc) cores; $($VAIKUTA --version); load average $load1 after the writes, $load2 after the sends"
  echo "- POSTs: wrk 2 threads, 32 connections, $DUR per run, group commit on, synchronous=FULL, a fresh database"
  echo
  echo "| run | acknowledged POST/s | server CPU µs per POST | writer thread µs per POST |"
  echo "|---|---|---|---|"
  for r in "${results[@]}"; do read -r label v cpu w <<<"$r"; echo "| $label | $v | $cpu | $w |"; done
  echo
  echo "- nothing queued (no address, the unit has none): $((none / 2))/s, $((none_cpu / 2)) µs CPU per POST"
  echo "  → the unit's message alone (plain against none) costs $(awk -v p="$none" -v m="$plain" 'BEGIN {printf "%.1f", (p - m) * 100 / p}') % of the POST rate, $(awk -v p="$none_cpu" -v m="$plain_cpu" 'BEGIN {printf "%.1f", (m - p) * 100 / p}') % CPU"
  echo "- without an address: $((plain / 2))/s on average; with one (receipt and unit message queued): $((mail / 2))/s"
  echo "  → an address (its contact row, and the two messages queued) costs $(awk -v p="$plain" -v m="$mail" 'BEGIN {printf "%.1f", (p - m) * 100 / p}') % of the POST rate"
  echo "- with a name and phone but no address (the contact row, no mail): $((phone / 2))/s"
  echo "  → **queuing** (an address against none, both with a contact row) costs $(awk -v p="$phone" -v m="$mail" 'BEGIN {printf "%.1f", (p - m) * 100 / p}') % of the POST rate"
  echo "- server CPU per POST: $((plain_cpu / 2)) µs without contact details, $((phone_cpu / 2)) µs with a name and phone, $((mail_cpu / 2)) µs with an address"
  echo "  → queuing adds $(awk -v p="$phone_cpu" -v m="$mail_cpu" 'BEGIN {printf "%.1f", (m - p) * 100 / p}') % CPU to the POST"
  echo "- writer thread per POST (the serial part): $((none_w / 2)) µs nothing queued, $((plain_w / 2)) µs the unit's message, $((phone_w / 2)) µs the unit's message and a contact row, $((mail_w / 2)) µs both messages"
  echo "  → both messages against nothing queued: +$(awk -v p="$none_w" -v m="$mail_w" 'BEGIN {printf "%.1f", (m - p) * 100 / p}') % of the writer's time; the receipt (mail against phone): +$(awk -v p="$phone_w" -v m="$mail_w" 'BEGIN {printf "%.1f", (m - p) * 100 / p}') %"
  echo "- both messages and the contact row (an address) against nothing queued: $(awk -v p="$none" -v m="$mail" 'BEGIN {printf "%.1f", (p - m) * 100 / p}') % of the POST rate, $(awk -v p="$none_cpu" -v m="$mail_cpu" 'BEGIN {printf "%.1f", (m - p) * 100 / p}') % CPU"
  echo "- messages queued by the runs: $queued"
  echo "- sender: $n messages taken by the SMTP server in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s from the server's start → **$rate messages/s** (it took $received by the time the server stopped; the outbox holds $rows rows: a new item's messages sent at the first try leave none)"
} | tee "$OUT"
