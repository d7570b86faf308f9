#!/usr/bin/env bash
# survey-results.sh — latency of the staff survey results (issue 12,
# docs/survey-results.md) beside the feedback statistics, in one run on one
# server (bench/README.md, "Survey results").
#
# 1. builds build/vaikuta (unless VAIKUTA is given); makes or reuses
#    $DATA/vaikuta-results-$N.sqlite: `vaikuta init --demo --demo-responses N`
#    (N responses to each demo survey; the default 20000 gives
#    safe-route-to-school more than 50 000 drawn features);
# 2. starts `vaikuta serve --threads 2` on 127.0.0.1:$PORT with a planner
#    token; times the first results request (the snapshot build);
# 3. per request below: 1 s warm-up, then `wrk -t1 -c1 -d$DUR --latency`
#    REPS times; the median of the p50s is reported:
#      results       the full staff results JSON of safe-route-to-school
#      filtered      filter=mode:walk|bike,feel_safe:3..5
#      district      district=<the district with most features>
#      question-hex  question=unsafe_spots&size=250 (follow-ups per hexagon)
#      hex-250       results/hex.geojson?question=unsafe_spots&size=250
#      budget        the full results of the geobudget survey
#      not-modified  results with a current If-None-Match (304)
#      fb-counts     /api/v1/stats/feedback?group_by=district,category,status
#      fb-density    /api/v1/stats/density?cell=250
# 4. POSTs one response and times the next results request (the kept
#    snapshot, src/survey/cache.h); the same for another survey;
# 5. prints a table and writes bench/results/survey-results-latest.md.
# The server is stopped by its PID on exit. Every load is bounded (wrk -d,
# timeout around wrk and curl).
#
# Env: DATA=/tmp/vaikuta-bench  PORT=18191  DUR=5s  REPS=3  N=20000  VAIKUTA (binary; skips the build)
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

DATA=${DATA:-/tmp/vaikuta-bench}
PORT=${PORT:-18191}
DUR=${DUR:-5s}
REPS=${REPS:-3}
N=${N:-20000}
BUILD=1
[[ -n ${VAIKUTA:-} ]] && BUILD=0
VAIKUTA=${VAIKUTA:-$REPO/build/vaikuta}
mkdir -p "$DATA" "$HERE/results"
RUNDIR=$DATA/survey-results-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RUNDIR"
STAMP=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log() { echo "[survey-results $(date -u +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for c in wrk jq curl sqlite3 timeout; do command -v "$c" >/dev/null || die "$c is needed"; done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && die "127.0.0.1:$PORT is in use (set PORT)"

if ((BUILD)); then
  log "building $VAIKUTA"
  ninja -C "$REPO/build" vaikuta >"$RUNDIR/build.log" 2>&1 || die "build failed; see $RUNDIR/build.log"
fi
cp "$VAIKUTA" "$RUNDIR/vaikuta"
VK=$RUNDIR/vaikuta

DB=$DATA/vaikuta-results-$N.sqlite
DB_STAMP=$({ cat "$REPO"/schema/*.sql "$REPO"/seeds/surveys/*.json "$REPO"/src/survey/seed.c; echo "$N"; } | sha256sum | cut -c1-16)
if [[ -f $DB && -f $DB.stamp && $(cat "$DB.stamp") == "$DB_STAMP" ]]; then
  log "using cached $DB"
else
  log "making $DB ($N responses per demo survey)"
  rm -f "$DB" "$DB.stamp" "$DB-wal" "$DB-shm"
  "$VK" init --db "$DB" --demo --demo-responses "$N" >"$RUNDIR/init.log" 2>&1 || die "init failed; see $RUNDIR/init.log"
  echo "$DB_STAMP" >"$DB.stamp"
fi
WORKDB=$RUNDIR/bench.sqlite
cp "$DB" "$WORKDB"
SLUG=turvallinen-koulutie
RESPONSES=$(sqlite3 "$WORKDB" "SELECT count(*) FROM survey_response r JOIN survey s ON s.id = r.survey_id WHERE s.slug = '$SLUG'")
FEATURES=$(sqlite3 "$WORKDB" "SELECT count(*) FROM survey_feature f JOIN survey s ON s.id = f.survey_id WHERE s.slug = '$SLUG'")
SPOTS=$(sqlite3 "$WORKDB" "SELECT count(*) FROM survey_feature f JOIN survey s ON s.id = f.survey_id WHERE s.slug = '$SLUG' AND f.question = 'unsafe_spots'")
DISTRICT=$(sqlite3 "$WORKDB" "SELECT d.code FROM survey_feature f JOIN district d ON d.id = f.district_id GROUP BY d.code ORDER BY count(*) DESC LIMIT 1")
TOKEN=$("$VK" token create --role planner --name bench --db "$WORKDB")
log "$SLUG: $RESPONSES responses, $FEATURES features ($SPOTS unsafe spots)"

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
# The start-up's own work (the statistics snapshot, the writer's refresh)
# first, so the cold request below times the results snapshot alone.
for _ in $(seq 300); do grep -q 'statistics refreshed' "$RUNDIR/serve.log" && break; sleep 0.1; done
R=$U/api/v1/staff/surveys/$SLUG/results
AUTH="Authorization: Bearer $TOKEN"
secs() { timeout 120 curl -fsS -H "$AUTH" -o /dev/null -w '%{time_total}' "$1"; }
COLD=$(secs "$R" || { log "the first request failed (see $RUNDIR/serve.log); once more"; secs "$R"; })
log "first results request (snapshot build): ${COLD} s"
BYTES=$(curl -fsS -H "$AUTH" "$R" | wc -c)

to_ms() { awk -v v="$1" 'BEGIN{ n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n*=1; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }
median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "-"; exit} if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$TOKEN" >"$RUNDIR/auth.lua"
ETAG=$(curl -fsS -D - -o /dev/null -H "$AUTH" "$R" | awk 'tolower($1)=="etag:"{print $2}' | tr -d '\r')
printf 'wrk.headers["Authorization"] = "Bearer %s"\nwrk.headers["If-None-Match"] = %s\n' "$TOKEN" "'$ETAG'" >"$RUNDIR/inm.lua"
declare -A P50=() P99=()
NAMES=()
measure() { # NAME URL [wrk args…]
  local name=$1 url=$2 i out p50s=() p99s=()
  shift 2
  NAMES+=("$name")
  timeout 60 wrk -t1 -c1 -d1s "$@" "$url" >/dev/null || true
  for ((i = 1; i <= REPS; i++)); do
    out=$(timeout 120 wrk -t1 -c1 -d"$DUR" --timeout 10s --latency "$@" "$url") || die "wrk failed on $name"
    echo "$out" >"$RUNDIR/wrk-$name-$i.txt"
    grep -q 'Non-2xx' <<<"$out" && [[ $name != not-modified ]] && die "$name: non-2xx answers (see $RUNDIR/wrk-$name-$i.txt)"
    p50s+=("$(to_ms "$(awk '$1=="50%"{print $2}' <<<"$out")")")
    p99s+=("$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")")
  done
  P50[$name]=$(printf '%s\n' "${p50s[@]}" | median)
  P99[$name]=$(printf '%s\n' "${p99s[@]}" | median)
  log "$name: p50 ${P50[$name]} ms, p99 ${P99[$name]} ms"
}
A=(-s "$RUNDIR/auth.lua")
measure results "$R" "${A[@]}"
measure filtered "$R?filter=mode:walk%7Cbike,feel_safe:3..5" "${A[@]}"
measure district "$R?district=$DISTRICT" "${A[@]}"
measure question-hex "$R?question=unsafe_spots&size=250" "${A[@]}"
measure hex-250 "$R/hex.geojson?question=unsafe_spots&size=250" "${A[@]}"
measure budget "$U/api/v1/staff/surveys/lahiympariston-parannukset/results" "${A[@]}"
measure not-modified "$R" -s "$RUNDIR/inm.lua"
measure fb-counts "$U/api/v1/stats/feedback?group_by=district,category,status"
measure fb-density "$U/api/v1/stats/density?cell=250"

# One response to the measured survey, then its next results request:
# its snapshot took 250 ms or more, so it is kept up to a minute while
# only responses come (src/survey/cache.h) and AFTER is served from it;
# then another survey's first results (BUILD2), one response to it and its
# next request (AFTER2: made again when its build took less than 250 ms).
VERSION=$(curl -fsS "$U/api/v1/surveys/$SLUG" | jq '.version')
jq --argjson v "$VERSION" '.id = "0b7e7a36-5d5c-4d0f-9f7a-2c1f1e7e1f78" | .version = $v' \
  "$REPO/tests/fixtures/surveys/responses/safe-route-to-school.json" |
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$U/api/v1/surveys/$SLUG/responses" -d @- ||
  log "the response to $SLUG was not taken (the survey may be closed)"
AFTER=$(secs "$R")
BUILD2=$(secs "$U/api/v1/staff/surveys/miten-haluat-osallistua/results")
VERSION=$(curl -fsS "$U/api/v1/surveys/miten-haluat-osallistua" | jq '.version')
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$U/api/v1/surveys/miten-haluat-osallistua/responses" \
  -d "{\"id\":\"0b7e7a36-5d5c-4d0f-9f7a-2c1f1e7e1f77\",\"version\":$VERSION,\"answers\":{\"age_group\":\"a30_64\",\"ways_now\":[\"walk\"],\"influence\":5}}" ||
  log "the response was not taken (the survey may be closed); the rebuild below is the cached answer"
AFTER2=$(secs "$U/api/v1/staff/surveys/miten-haluat-osallistua/results")
CELLS=$(curl -fsS -H "$AUTH" "$R/hex.geojson?question=unsafe_spots&size=250" | jq '.features | length')
log "after one response: ${AFTER} s; another survey: first ${BUILD2} s, after one response ${AFTER2} s; the 250 m grid of unsafe_spots has $CELLS cells"

REPORT=$RUNDIR/report.md
{
  echo "# Survey results benchmark — $STAMP"
  echo
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- vaikuta serve --threads 2 over \`init --demo --demo-responses $N\`; $SLUG: $RESPONSES responses, $FEATURES drawn features ($SPOTS unsafe spots), full results JSON $BYTES bytes"
  echo "- wrk -t1 -c1 -d$DUR --latency x$REPS after a 1 s warm-up, medians of the p50s"
  echo "- first results request after start (snapshot build): ${COLD} s; the first request after a new response: ${AFTER} s (the snapshot kept while only responses come, at most a minute, as its build took 250 ms or more); another survey (how-to-take-part): first ${BUILD2} s, after a new response ${AFTER2} s (made again when its build took less)"
  echo
  echo "| request | p50 ms | p99 ms |"
  echo "|---|---:|---:|"
  for n in "${NAMES[@]}"; do echo "| $n | ${P50[$n]} | ${P99[$n]} |"; done
  echo
  echo "Targets (issue 12, p50 warm): results < 100 ms, any filtered view < 100 ms, 250 m grid of one map question ($CELLS cells) < 100 ms."
  echo "fb-* are the feedback statistics of the same server (the demo's feedback items), measured in the same run."
} >"$REPORT"
cp "$REPORT" "$HERE/results/survey-results-latest.md"
cat "$REPORT"
