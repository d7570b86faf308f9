#!/usr/bin/env bash
# tiles.sh DB — OGC API - Tiles on a make-db.sh database (issue 15, "Tiles
# for the map at any scale"), beside the plain C bbox reader of
# ../shared/peers (`cbbox`, ~1 km² boxes, no count) in the same run:
#   1. wrk: cbbox over the 1000 boxes of bboxes.lua, then street-zoom tiles
#      (z16, the tile under each box's centre): req/s, p50, p99 and the ratio;
#   2. one request at a time (curl, one connection): z16 and z17 tiles, each
#      first drawn (cold) and then again (from the cache);
#   3. the whole city: the z10 and z11 tiles at the city's centre right
#      after a write inside them (drawn anew, from the per-zoom cluster
#      sums) and right after a write elsewhere (checked against the
#      changes' places and served from the cache), also with the public
#      map's ?category= and ?status= filters (summed by category and by
#      status; both at once point by point); every z10 and z11 tile over
#      the municipality, first drawn and from the cache.
# Writes results/tiles-latest.md. Env: DUR (10s), PORT (18380; +1 cbbox),
# VAIKUTA (build/vaikuta), PEERS_BUILD (/tmp/peers/build), ROUNDS (30),
# SETTLE (0.3 s between a write and the tile; 0: right after it, when the
# tile shares the two cores with the write's own work).
# Everything on 127.0.0.1; servers stopped by their PID; loads bounded by
# wrk -d and timeout. The database gets 9 × ROUNDS + 2 feedback items more:
# serve a copy.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DB=${1:?usage: tiles.sh DB}
DUR=${DUR:-10s}
PORT=${PORT:-18380}
ROUNDS=${ROUNDS:-30}
SETTLE=${SETTLE:-0.3} # seconds between a write and the tile: the write's own work done
VK=${VAIKUTA:-$HERE/../build/vaikuta}
PEERS_BUILD=${PEERS_BUILD:-/tmp/peers/build}
command -v wrk >/dev/null || { echo "tiles.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
[ -x "$PEERS_BUILD/bbox" ] || PEERS_BUILD=$PEERS_BUILD bash "$HERE/../../shared/peers/hello/build.sh"
OUT=${OUT:-$HERE/results/tiles-latest.md}
LOG=$(mktemp -d /tmp/vaikuta-tiles-XXXXXX)
PIDS=()
stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; PIDS=(); }
trap stop_all EXIT

wait_up() { # url
  for _ in $(seq 1 600); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "no answer from $1" >&2; return 1
}

# The tile (z/y/x, OGC order) under each box's centre, at zoom $1.
BOXES=$("$HERE/gen-bboxes.sh" -)
tiles_at() {
  awk -F, -v z="$1" 'function asinh(v) { return log(v + sqrt(v * v + 1)) }
    { lon = ($1 + $3) / 2; lat = ($2 + $4) / 2; n = 2 ^ z; r = lat * 3.141592653589793 / 180
      x = int((lon + 180) / 360 * n); y = int((1 - asinh(sin(r) / cos(r)) / 3.141592653589793) / 2 * n)
      print z "/" y "/" x }' <<<"$BOXES"
}

# A wrk script over a list of paths: the token TILE in the URL is replaced
# by the next one, round-robin per thread (as bboxes.lua does with BBOX).
wrk_script() { # file-of-tiles → lua
  { echo "local tiles = {"; sed 's/.*/  "&",/' "$1"; echo "}"
    cat <<'EOF'
local thread_count = 0
function setup(thread) thread:set("tid", thread_count); thread_count = thread_count + 1 end
local requests, nreq, next_i = {}, 0, 1
function init(args)
  for k, t in ipairs(tiles) do requests[k] = wrk.format(nil, (wrk.path:gsub("TILE", t))) end
  nreq = #requests
  next_i = 1 + ((tonumber(tid) or 0) * 500) % nreq
end
function request()
  local r = requests[next_i]
  next_i = next_i + 1
  if next_i > nreq then next_i = 1 end
  return r
end
EOF
  } >"$LOG/tiles.lua"
}

load() { # name url script
  timeout 60 wrk -t2 -c32 -d2s -s "$3" "$2" >/dev/null 2>&1 || true
  local la; la=$(cut -d' ' -f1 /proc/loadavg)
  local out; out=$(timeout 120 wrk -t2 -c32 -d"$DUR" --latency -s "$3" "$2" 2>&1)
  local rps p50 p99 non2xx
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "${non2xx:-0}" "$la" | tee -a "$LOG/rows"
  echo "$rps" >"$LOG/rps-${1%% *}"
}

# name file-of-urls: each URL once, one at a time over one connection;
# p50 and p99 of curl's time_total.
seq_lat() {
  local cfg; cfg=$(mktemp)
  sed 's/.*/url = "&"\noutput = \/dev\/null/' "$2" >"$cfg"
  local la; la=$(cut -d' ' -f1 /proc/loadavg)
  curl -s -K "$cfg" -w '%{http_code} %{time_total} %{size_download}\n' >"$LOG/seq" 2>/dev/null
  rm -f "$cfg"
  sort -k2 -n "$LOG/seq" | awk -v n="$1" -v la="$la" '{t[NR]=$2; s+=$3; if ($1 != 200) bad++}
    END {printf "| %s | %d | %.2f ms | %.2f ms | %.1f kB | %d | %s |\n", n, NR, t[int(NR*0.5+0.5)]*1000,
         t[int(NR*0.99+0.5)]*1000, s/NR/1024, bad, la}' | tee -a "$LOG/seqrows"
}

{
  echo "# tiles.sh — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "Database: $DB ($(sqlite3 "$DB" 'SELECT count(*) FROM feedback') items). wrk -t2 -c32 -d$DUR after a 2 s warm-up."
  echo
  echo "| target | req/s | p50 | p99 | non-2xx | load 1 min before |"
  echo "|---|---:|---:|---:|---:|---:|"
} >"$OUT"
: >"$LOG/rows"; : >"$LOG/seqrows"

"$PEERS_BUILD/bbox" -p $((PORT + 1)) -d "$DB" 2>"$LOG/cbbox.log" &
PIDS+=($!)
wait_up "http://127.0.0.1:$((PORT + 1))/collections/feedback/items?bbox=28.77,61.18,28.78,61.19&limit=1"
load "cbbox (plain C, ~1 km² box, no count)" "http://127.0.0.1:$((PORT + 1))/collections/feedback/items?bbox=BBOX&limit=100" "$HERE/bboxes.lua"
stop_all

"$VK" serve --db "$DB" --listen "127.0.0.1:$PORT" --threads 2 --rate-limit 0 2>"$LOG/serve.log" &
PIDS+=($!)
wait_up "http://127.0.0.1:$PORT/healthz"
for _ in $(seq 1 1500); do grep -q "item counts ready\|item counts not" "$LOG/serve.log" && break; sleep 0.2; done
grep -h "ready" "$LOG/serve.log" | sed 's/^/# /' >&2 || true
BASE="http://127.0.0.1:$PORT/ogcapi/collections/feedback/tiles/WebMercatorQuad"

tiles_at 16 >"$LOG/z16"
wrk_script "$LOG/z16"
load "vaikuta, z16 tiles (street)" "$BASE/TILE" "$LOG/tiles.lua"
c=$(cat "$LOG/rps-cbbox"); v=$(cat "$LOG/rps-vaikuta,")
cat "$LOG/rows" >>"$OUT"
printf '\n- z16 tiles ÷ cbbox: %.2f (wrk hits each tile ~%d times: mostly from the cache)\n' \
  "$(echo "$v / $c" | bc -l)" "$(echo "$v * ${DUR%s} / $(sort -u "$LOG/z16" | wc -l)" | bc)" >>"$OUT"

# One at a time: 300 distinct street tiles of each zoom, cold then cached.
for z in 17 18; do tiles_at "$z" | sort -u | head -300 | sed "s|^|$BASE/|" >"$LOG/u$z"; done
# z16 tiles under the boxes were all drawn under wrk (and a write redraws
# only the tiles over it): their east neighbours that wrk did not ask for.
sort -u "$LOG/z16" >"$LOG/z16u"
awk -F/ '{print $1 "/" $2 "/" $3 + 1}' "$LOG/z16u" | sort -u | comm -23 - "$LOG/z16u" | head -300 |
  sed "s|^|$BASE/|" >"$LOG/u16-new"
post() {
  curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"type":"Feature","geometry":{"type":"Point","coordinates":[28.7705,61.1935]},"properties":{"category":"lighting","description":"tiles.sh: a write"}}' \
    "http://127.0.0.1:$PORT/api/v1/feedback"
}
[ "$(post)" = 201 ] || echo "tiles.sh: the write was refused" >&2
seq_lat "z16 street, first drawing" "$LOG/u16-new"
seq_lat "z16 street, cached" "$LOG/u16-new"
seq_lat "z17 street, first drawing" "$LOG/u17"
seq_lat "z17 street, cached" "$LOG/u17"

# The whole city: the tiles over the items' box (the R*Tree's) at z10 and z11.
read -r X0 Y0 X1 Y1 < <(sqlite3 -separator ' ' "$DB" \
  "SELECT min(xmin), min(ymin), max(xmax), max(ymax) FROM idx_feedback_geom")
for z in 10 11; do
  lo=$(BOXES="$X0,$Y1,$X0,$Y1" tiles_at "$z"); hi=$(BOXES="$X1,$Y0,$X1,$Y0" tiles_at "$z")
  IFS=/ read -r _ ylo xlo <<<"$lo"; IFS=/ read -r _ yhi xhi <<<"$hi"
  : >"$LOG/city$z"
  for ((y = ylo; y <= yhi; y++)); do for ((x = xlo; x <= xhi; x++)); do echo "$BASE/$z/$y/$x" >>"$LOG/city$z"; done; done
done
cat "$LOG/city10" "$LOG/city11" >"$LOG/city"
# The tile at the city's centre at zoom $1 (z/y/x), and its lon/lat box.
CX=$(echo "($X0 + $X1) / 2" | bc -l); CY=$(echo "($Y0 + $Y1) / 2" | bc -l)
centre_tile() { BOXES="$CX,$CY,$CX,$CY" tiles_at "$1"; }
# A write at lon lat (an existing item's place: inside the municipality).
post_at() {
  curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[$1,$2]},\"properties\":{\"category\":\"lighting\",\"description\":\"tiles.sh: a write\"}}" \
    "http://127.0.0.1:$PORT/api/v1/feedback"
}
# An item's place outside the centre tiles of zooms 10 and 11 (and their
# buffers): a write there leaves them as they are.
elsewhere() {
  IFS=/ read -r _ y x <<<"$(centre_tile 10)"
  local w e
  w=$(echo "$x / 1024 * 360 - 180 - 0.02" | bc -l); e=$(echo "($x + 1) / 1024 * 360 - 180 + 0.02" | bc -l)
  sqlite3 -separator ' ' "$DB" "SELECT xmin, ymin FROM idx_feedback_geom WHERE xmax < $w OR xmin > $e LIMIT 1"
}
read -r EX EY < <(elsewhere)
# The item nearest the centre: a write there is inside the centre tiles.
read -r IX IY < <(sqlite3 -separator ' ' "$DB" \
  "SELECT xmin, ymin FROM idx_feedback_geom ORDER BY abs(xmin - $CX) + abs(ymin - $CY) LIMIT 1")
# ROUNDS times: a write (inside the centre tile, or elsewhere), then the
# tile at the city's centre. Inside: the cached tile is stale and drawn
# anew (from the per-zoom cluster sums); elsewhere: it is checked against
# the changes' places and served from the cache.
cold_city() { # zoom inside|elsewhere [query]
  local la; la=$(cut -d' ' -f1 /proc/loadavg)
  local first; first="$BASE/$(centre_tile "$1")${3:-}"
  curl -s -o /dev/null "$first"
  : >"$LOG/seq"
  local n0; n0=$(wc -l <"$LOG/serve.log")
  for _ in $(seq 1 "$ROUNDS"); do
    if [ "$2" = inside ]; then post_at "$IX" "$IY" >/dev/null; else post_at "$EX" "$EY" >/dev/null; fi
    sleep "$SETTLE"
    curl -s -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' "$first" >>"$LOG/seq"
  done
  sort -k2 -n "$LOG/seq" | awk -v n="city centre z$1 (${first#"$BASE"/}), after a write $2" -v la="$la" \
    '{t[NR]=$2; s+=$3; if ($1 != 200) bad++}
     END {printf "| %s | %d | %.2f ms | %.2f ms | %.1f kB | %d | %s |\n", n, NR, t[int(NR*0.5+0.5)]*1000,
          t[int(NR*0.99+0.5)]*1000, s/NR/1024, bad, la}' | tee -a "$LOG/seqrows"
  # The server's own time for the same requests (its log; the query
  # string is not logged, so the path is enough).
  sleep 0.2
  local path="${first#"http://127.0.0.1:$PORT"}"
  tail -n +"$((n0 + 1))" "$LOG/serve.log" | grep -a "GET ${path%%\?*} " |
    awk '{d = $NF; sub(/us$/, "", d); print d / 1000}' | sort -n |
    awk -v n="  the same, the server's own time (its log)" -v la="$la" '{t[NR] = $1}
      END {if (NR) printf "| %s | %d | %.2f ms | %.2f ms | | | %s |\n", n, NR, t[int(NR*0.5+0.5)],
           t[int(NR*0.99+0.5)], la}' | tee -a "$LOG/seqrows"
}
cold_city 10 inside
cold_city 11 inside
# With the public map's filters: one category, one status (and a list of
# them) from the per-zoom sums kept by category and by status; both at
# once: point by point from the count grid.
cold_city 10 inside "?category=lighting"
cold_city 11 inside "?category=lighting"
cold_city 10 inside "?status=received"
cold_city 10 inside "?status=received,in_progress"
cold_city 10 inside "?category=lighting&status=received"
if [ -n "${EX:-}" ]; then
  cold_city 10 elsewhere
  cold_city 11 elsewhere
else
  echo "tiles.sh: no item outside the centre tile: the 'elsewhere' rows are left out" >&2
fi
seq_lat "whole city z10+z11 ($(wc -l <"$LOG/city") tiles), first drawing" "$LOG/city"
for _ in 1 2 3 4 5 6 7 8 9; do cat "$LOG/city"; done >"$LOG/city-rep"
seq_lat "whole city z10+z11, cached" "$LOG/city-rep"
stop_all

{
  echo
  echo "One request at a time (curl time_total over one connection):"
  echo
  echo "| tiles | requests | p50 | p99 | mean size | not 200 | load |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  cat "$LOG/seqrows"
} >>"$OUT"
echo "wrote $OUT (logs in $LOG)"
