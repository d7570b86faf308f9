#!/usr/bin/env bash
# budget.sh — issue 13's benchmark: durable open ballots per second at 32
# connections (POST /api/v1/budget/rounds/{slug}/ballots, each checked
# against the knapsack rule, a browser noted and the ballot stored in one
# group-committed transaction); the public round page data
# (GET /api/v1/budget/rounds/{slug}) at 1 connection; and the results of
# 100 000 ballots × 300 projects by both methods (build/test_budget).
#
# Env: DUR (10s), PORT (18730), VAIKUTA (default build/vaikuta).
# Writes bench/results/budget-latest.md. Listens on 127.0.0.1 only; the
# server is stopped by its PID on exit.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
cd "$REPO"
DUR=${DUR:-10s}
PORT=${PORT:-18730}
VAIKUTA=${VAIKUTA:-$REPO/build/vaikuta}
SLUG=bench-round
OUT=$HERE/results/budget-latest.md
command -v wrk >/dev/null || { echo "budget.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
URL=http://127.0.0.1:$PORT

echo "== server"
"$VAIKUTA" serve --db "$work/db.sqlite" --listen "127.0.0.1:$PORT" --rate-limit 0 2>"$work/server.log" & PID=$!
for _ in $(seq 300); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
TOKEN=$("$VAIKUTA" token create --role planner --name bench --db "$work/db.sqlite")
api() { curl -sf -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  ${3:+--data "$3"} "$URL/api/v1/staff/budget$2"; }

echo "== a round with 300 projects, in voting"
far() { date -u -d "+$1 days" +%Y-%m-%dT%H:%M:%SZ; }
api POST /rounds "{\"slug\":\"$SLUG\",\"title\":{\"fi\":\"Bench\"},\"budget\":400000,
  \"phases\":{\"proposals\":{\"starts\":\"$(far 10)\"},\"review\":{\"starts\":\"$(far 20)\"},
  \"voting\":{\"starts\":\"$(far 30)\"},\"results\":{\"starts\":\"$(far 40)\"},
  \"implementation\":{\"starts\":\"$(far 50)\"}},\"voting\":{\"rule\":\"knapsack\",\"min_share\":0},
  \"voters\":[\"open\"],\"method\":\"mes\"}" >/dev/null
api POST "/rounds/$SLUG/publish" >/dev/null
api POST "/rounds/$SLUG/phase" '{"phase":"review"}' >/dev/null
ids=()
for i in $(seq 300); do
  id=$(api POST "/rounds/$SLUG/projects" "{\"title\":{\"fi\":\"Hanke $i\"},\"cost\":$((1000 + i * 37))}" |
    sed -E 's/^.*"id":([0-9]+).*$/\1/')
  ids+=("$id")
done
api POST "/rounds/$SLUG/phase" '{"phase":"voting"}' >/dev/null
BODY="{\"age_group\":\"30-44\",\"postal_code\":\"55100\",\"projects\":[${ids[3]},${ids[17]},${ids[42]},${ids[99]},${ids[250]}]}"

field() { awk '/Requests\/sec/ {r=$2} / 50%/ {p=$2} / 99%/ {q=$2} END {printf "%d %s %s\n", r, p, q}' "$1"; }
non2xx() { local v; v=$(awk '/Non-2xx/ {print $5}' "$1"); echo "${v:-0}"; }
stored() { sqlite3 "file:$work/db.sqlite?mode=ro" "SELECT count(*) FROM budget_ballot" 2>/dev/null || echo "?"; }

echo "== warm-up"
BODY=$BODY SLUG=$SLUG NONCE=1 wrk -t2 -c32 -d2s -s bench/budget-vote.lua "$URL" >/dev/null 2>&1
echo "== ballots POST"
before=$(stored)
BODY=$BODY SLUG=$SLUG NONCE=$RANDOM$RANDOM wrk -t2 -c32 -d"$DUR" --latency -s bench/budget-vote.lua "$URL" >"$work/vote.txt" 2>&1
after=$(stored)
read -r vr vp50 vp99 < <(field "$work/vote.txt")
secs=${DUR%s}
echo "== round page GET"
wrk -t1 -c1 -d"$DUR" --latency "$URL/api/v1/budget/rounds/$SLUG" >"$work/get.txt" 2>&1
read -r g gp50 gp99 < <(field "$work/get.txt")
echo "== results 100 000 × 300"
speed=$("$REPO/build/test_budget" | grep -E 'both methods in' | sed -E 's/^ok [0-9]+ - //' | tr '\n' ';' || true)

{
  echo "# Budgeting benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "- machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg); $($VAIKUTA --version)"
  echo "- ballots: wrk -t2 -c32 -d$DUR, bench/budget-vote.lua (knapsack, 5 of 300 projects, a new browser each)"
  echo
  echo "| what | req/s | p50 | p99 | non-2xx | stored |"
  echo "|---|---:|---:|---:|---:|---:|"
  echo "| POST ballots (32 conn.) | $vr | $vp50 | $vp99 | $(non2xx "$work/vote.txt") | $((after - before)) ($(( (after - before) / secs ))/s durable) |"
  echo "| GET round page (1 conn.) | $g | $gp50 | $gp99 | $(non2xx "$work/get.txt") | |"
  echo
  echo "- results: $speed"
  echo "- targets (issue 13): ≥ 2000 durable ballots/s at 32 connections; results of 100 000 × 300,"
  echo "  both methods, < 1 s; the round page data < 10 ms p50"
} | tee "$OUT"
