#!/usr/bin/env bash
# same-output.sh DB BASE_BINARY [N] — this build's responses against
# BASE_BINARY's (e.g. main before a speed change), byte for byte, over the
# first N (40) boxes of bench/bboxes.lua on one database: items pages
# with properties=, crs=3067, a filter on names with an offset, sortby on
# names, the per-type collections, single items, the CSV and GeoJSON
# exports (the GeoPackage's rows, its file holds times), the staff inbox,
# Open311 and a vector tile per box. The responses' own times
# ("timeStamp", Date) are left out. Exit 1 when any differs.
#
# Env: PORT (18380; +1 base), VAIKUTA (build/vaikuta). Both servers on
# 127.0.0.1, stopped by their PIDs. DB is read (and a token is added to
# it for the inbox): give it a copy.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DB=${1:?usage: same-output.sh DB BASE_BINARY [N]}
BASE=${2:?usage: same-output.sh DB BASE_BINARY [N]}
N=${3:-40}
PORT=${PORT:-18380}
VK=${VAIKUTA:-$HERE/../build/vaikuta}
LOG=$(mktemp -d /tmp/vaikuta-same-XXXXXX)
PIDS=()
stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; PIDS=(); }
trap stop_all EXIT
wait_up() { for _ in $(seq 1 600); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done; echo "no answer from $1" >&2; return 1; }

TOKEN=$("$VK" token create --role moderator --name "same-output-$$" --db "$DB" | tail -1)
"$VK" serve --db "$DB" --listen "127.0.0.1:$PORT" --threads 2 --rate-limit 0 2>"$LOG/new.log" &
PIDS+=($!)
"$BASE" serve --db "$DB" --listen "127.0.0.1:$((PORT + 1))" --threads 2 --rate-limit 0 2>"$LOG/base.log" &
PIDS+=($!)
wait_up "http://127.0.0.1:$PORT/healthz" && wait_up "http://127.0.0.1:$((PORT + 1))/healthz" || exit 1
# The statistics and the count grid are built right after start: compare
# once they are ready (a request meanwhile can hit its deadline).
for _ in $(seq 1 1500); do
  grep -q "statistics ready\|statistics not" "$LOG/new.log" &&
    grep -q "statistics ready\|statistics not" "$LOG/base.log" && break
  sleep 0.2
done

enc() { printf %s "$1" | jq -sRr @uri; }
D1=$(sqlite3 "$DB" "SELECT name_fi FROM district ORDER BY id LIMIT 1 OFFSET 2")
C1=$(sqlite3 "$DB" "SELECT name_en FROM category ORDER BY id LIMIT 1 OFFSET 1")
FILTER=$(enc "district_name_fi = '$D1' OR category_en = '$C1' OR unit_name_sv IS NULL OR status_sv = 'Planerad'")
CRS=$(enc "http://www.opengis.net/def/crs/EPSG/0/3067")
IDS=$(sqlite3 "$DB" "SELECT id FROM feedback WHERE hidden = 0 ORDER BY id LIMIT 5")

# The paths for box B (minlon,minlat,maxlon,maxlat).
paths() {
  local b=$1 x y
  local o=/ogcapi/collections/feedback/items?bbox=$b
  echo "$o&limit=100"
  echo "$o&limit=100&properties=category,category_sv,unit,unit_name_fi,district,district_name_sv,status"
  echo "$o&limit=100&crs=$CRS"
  echo "$o&limit=20&offset=10&filter=$FILTER"
  echo "$o&limit=30&sortby=unit_name_sv,-district_name_fi,status_en,category_fi"
  echo "/ogcapi/collections/feedback-points/items?bbox=$b&limit=50"
  echo "/api/v1/export/feedback.csv?bbox=$b"
  echo "/api/v1/export/feedback.geojson?bbox=$b&filter=$FILTER"
  echo "/api/v1/staff/feedback?limit=50&bbox=$b"
  IFS=, read -r x0 y0 x1 y1 <<<"$b"
  x=$(echo "($x0 + $x1) / 2" | bc -l); y=$(echo "($y0 + $y1) / 2" | bc -l)
  echo "/open311/v2/requests.json?lat=$y&long=$x&radius=300"
  # The z15 tile of the box's centre (Web Mercator).
  read -r tx ty < <(awk -v x="$x" -v y="$y" 'BEGIN {n = 2^15; pi = atan2(0, -1); r = y * pi / 180;
    printf "%d %d\n", (x + 180) / 360 * n, (1 - log(sin(r)/cos(r) + 1/cos(r)) / pi) / 2 * n}')
  echo "/ogcapi/collections/feedback/tiles/WebMercatorQuad/15/$ty/$tx"
}

fetch() { # port path out
  curl -s -D "$3.h" -o "$3" -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$1$2" >>"$LOG/codes-$1"
  # Their own times and ports aside.
  sed -i "s/\"timeStamp\":\"[^\"]*\"//; s/127\.0\.0\.1:$1/HOST/g" "$3"
  grep -iv '^date:' "$3.h" | sed "s/127\.0\.0\.1:$1/HOST/g" >"$3.h2"; mv "$3.h2" "$3.h"
}

n=0 bad=0
while read -r b; do
  while read -r p; do
    n=$((n + 1))
    fetch "$PORT" "$p" "$LOG/a"
    fetch $((PORT + 1)) "$p" "$LOG/b"
    [ "$(tail -1 "$LOG/codes-$PORT")" = 200 ] || echo "not 200: $p ($(head -c 200 "$LOG/a"))"
    if ! cmp -s "$LOG/a" "$LOG/b" || ! cmp -s "$LOG/a.h" "$LOG/b.h"; then
      bad=$((bad + 1))
      [ "$bad" -le 5 ] && { echo "DIFFERS: $p"; diff <(head -c 3000 "$LOG/a") <(head -c 3000 "$LOG/b") | head -5; }
    fi
  done < <(paths "$b")
  # The GeoPackage: its rows (the file itself holds its creation time).
  for port in "$PORT" $((PORT + 1)); do
    curl -s -o "$LOG/$port.gpkg" "http://127.0.0.1:$port/api/v1/export/feedback.gpkg?bbox=$b"
    for t in $(sqlite3 "$LOG/$port.gpkg" "SELECT table_name FROM gpkg_contents ORDER BY 1" 2>&1); do
      echo "$t"; sqlite3 "$LOG/$port.gpkg" "SELECT * FROM $t ORDER BY 1" 2>&1
    done >"$LOG/$port.rows"
  done
  n=$((n + 1))
  if ! cmp -s "$LOG/$PORT.rows" "$LOG/$((PORT + 1)).rows" || grep -q '^Error' "$LOG/$PORT.rows"; then
    bad=$((bad + 1)); echo "DIFFERS (or unreadable): GeoPackage rows, bbox=$b"
  fi
done < <("$HERE/gen-bboxes.sh" - | head -n "$N")
for id in $IDS; do
  for p in "/ogcapi/collections/feedback/items/$id" "/ogcapi/collections/feedback/items/$id?crs=$CRS"; do
    n=$((n + 1))
    fetch "$PORT" "$p" "$LOG/a"; fetch $((PORT + 1)) "$p" "$LOG/b"
    cmp -s "$LOG/a" "$LOG/b" && cmp -s "$LOG/a.h" "$LOG/b.h" || { bad=$((bad + 1)); echo "DIFFERS: $p"; }
  done
done
"$VK" token revoke "same-output-$$" --db "$DB" >/dev/null 2>&1 || true
echo "$n responses compared, $bad differ (logs in $LOG); this build's statuses:"
sort "$LOG/codes-$PORT" | uniq -c
[ "$bad" = 0 ]
