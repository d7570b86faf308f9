#!/usr/bin/env bash
# run.sh [quick] — Vaikuta's benchmark against its peers (bench/README.md).
#
#   full  (default) 1M and 100k databases, wrk -t2 -c32 -d10s x3 per target
#   quick           100k database only, wrk -d5s x1 (smoke test of the harness)
#
# 1. builds build/vaikuta (ninja; with VAIKUTA=/path/to/binary nothing is
#    built) and the plain-C references (../shared/peers/hello/build.sh);
# 2. makes the databases with bench/make-db.sh, cached in $DATA (default
#    /tmp/vaikuta-bench) and remade when make-db.sh, schema/ or geo/ change;
# 3. per database: starts Vaikuta, the bare libmicrohttpd handler (hello), the
#    plain C bbox handler with and without numberMatched (cbboxnm, cbbox),
#    MapServer 8 and QGIS Server 3.22 (../shared/peers) on 127.0.0.1, all on
#    the same database file; compares numberMatched and the id sets for a few
#    boxes; then, one target at a time, a 2 s warm-up and REPS x
#    `wrk -t2 -c32 -d$DUR --latency -s bench/bboxes.lua` (1000 boxes of ~1 km2);
# 4. 100k database: whole-collection read by GDAL (ogr2ogr -f GPKG OAPIF:...)
#    through Vaikuta, MapServer and QGIS, with GDAL's default page size (10)
#    and with PAGE_SIZE=1000, each run bounded by GDAL_TIMEOUT;
# 5. export of the 1M database to GeoJSON: `vaikuta export` vs `ogr2ogr`
#    (wall time and peak RSS, /usr/bin/time), skipped if `export` is missing;
# 6. prints the table and writes bench/results/latest.md (raw data in $DATA).
# Every server it started is stopped by PID on exit (MapServer and QGIS via
# their peer scripts, which also stop lighttpd's FastCGI children).
#
# Env: DATA=/tmp/vaikuta-bench  PORT_BASE=18180 (uses +0..+3, +10, +11)
#      DUR, REPS, GDAL_TIMEOUT (s), GDAL_PAGES="default 1000" (OAPIF PAGE_SIZE
#      values to try), VAIKUTA (binary; skips the build)
#      TARGETS="vaikuta hello cbbox cbboxnm ms qgis"  STEPS="wrk check gdal export"
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
PEERS=$(cd "$REPO/../shared/peers" && pwd)
# shellcheck source=/dev/null
. "$PEERS/lib.sh"

MODE=${1:-full}
case $MODE in
  full) DUR=${DUR:-10s} REPS=${REPS:-3} SIZES=(1m 100k) EXPORT_SIZE=1m GDAL_TIMEOUT=${GDAL_TIMEOUT:-600} ;;
  quick) DUR=${DUR:-5s} REPS=${REPS:-1} SIZES=(100k) EXPORT_SIZE=100k GDAL_TIMEOUT=${GDAL_TIMEOUT:-120} ;;
  *) echo "usage: $0 [quick]" >&2; exit 2 ;;
esac
DATA=${DATA:-/tmp/vaikuta-bench}
export PEERS_BUILD=$DATA/peers PEERS_RUN=$DATA/peers-run
THREADS=2 CONNS=32
TARGETS=${TARGETS:-vaikuta hello cbbox cbboxnm ms qgis}
STEPS=${STEPS:-wrk check gdal export}
PORT_BASE=${PORT_BASE:-18180}
P_VK=$PORT_BASE P_HELLO=$((PORT_BASE + 1)) P_CBBOX=$((PORT_BASE + 2)) P_CBBOXNM=$((PORT_BASE + 3))
P_MS=$((PORT_BASE + 10)) P_QGIS=$((PORT_BASE + 11))
NCHECK=8                       # boxes for the cross-server comparison
BUILD_VAIKUTA=1
[[ -n ${VAIKUTA:-} ]] && BUILD_VAIKUTA=0
VAIKUTA=${VAIKUTA:-$REPO/build/vaikuta}

mkdir -p "$DATA"
exec 9>"$DATA/run.lock"   # one run at a time per $DATA (released when this shell exits)
if ! flock -n 9; then
  echo "run.sh: another run.sh is using $DATA (see $DATA/run.lock.pid); wait for it or set DATA" >&2
  exit 1
fi
echo $$ >"$DATA/run.lock.pid"
STAMP=$(date -u +%Y-%m-%dT%H:%M:%SZ)
RUNDIR=$DATA/run-$(date -u +%Y%m%dT%H%M%SZ)
RAW=$RUNDIR/wrk.tsv
mkdir -p "$RUNDIR" "$HERE/results"
NOTES=()
log() { echo "[bench $(date -u +%H:%M:%S)] $*" >&2; }
note() { NOTES+=("$*"); log "NOTE: $*"; }
die() { log "ERROR: $*"; exit 1; }
has() { [[ " $1 " == *" $2 "* ]]; }
wants() { has "$TARGETS" "$1"; }
step() { has "$STEPS" "$1"; }

# ------------------------------------------------------------------ prerequisites
pkgs=()
for c in wrk:wrk jq:jq curl:curl ogr2ogr:gdal-bin sqlite3:sqlite3 timeout:coreutils; do
  command -v "${c%%:*}" >/dev/null || pkgs+=("${c#*:}")
done
[[ -x /usr/bin/time ]] || pkgs+=(time)
apt_install ${pkgs[@]+"${pkgs[@]}"}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $P_VK $P_HELLO $P_CBBOX $P_CBBOXNM $P_MS $P_QGIS; do
  port_free "$p" || die "port 127.0.0.1:$p is in use (set PORT_BASE to another range)"
done

# ------------------------------------------------------------------ build
if ((BUILD_VAIKUTA)); then
  log "building $VAIKUTA"
  if { [[ -f $REPO/build/build.ninja ]] ||
       meson setup "$REPO/build" "$REPO" --buildtype=debugoptimized -Dwerror=true; } >"$RUNDIR/build.log" 2>&1 &&
     ninja -C "$REPO/build" vaikuta >>"$RUNDIR/build.log" 2>&1; then
    :
  elif [[ -x $VAIKUTA ]]; then
    note "the build failed (others are editing src/; see $RUNDIR/build.log): measured the existing $VAIKUTA of $(date -u -r "$VAIKUTA" +%Y-%m-%dT%H:%MZ)"
  else
    die "build failed and there is no $VAIKUTA; see $RUNDIR/build.log"
  fi
fi
[[ -x $VAIKUTA ]] || die "$VAIKUTA not found"
# Measure one binary throughout, even if build/vaikuta is rebuilt meanwhile
# (the copy still finds web/, geo/ and seeds/ through its compiled-in paths).
VK_BUILT=$(date -u -r "$VAIKUTA" +%Y-%m-%dT%H:%MZ)
VK_ORIG=$VAIKUTA
cp "$VAIKUTA" "$RUNDIR/vaikuta"
VAIKUTA=$RUNDIR/vaikuta
VK_VERSION=$("$VAIKUTA" --version 2>/dev/null || echo '?')
if wants hello || wants cbbox || wants cbboxnm; then
  "$PEERS/hello/build.sh" 2>"$RUNDIR/peers-build.log" || die "peers build failed; see $RUNDIR/peers-build.log"
fi
"$HERE/gen-bboxes.sh" "$HERE/bboxes.lua" 2>/dev/null
mapfile -t BOXES < <(sed -nE 's/^  "([0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+)",$/\1/p' "$HERE/bboxes.lua")
((${#BOXES[@]} == 1000)) || die "bench/bboxes.lua: ${#BOXES[@]} boxes, want 1000"

# ------------------------------------------------------------------ databases
rows_of() { case $1 in 100k) echo 100000 ;; 1m) echo 1000000 ;; esac; }
db_of() { echo "$DATA/vaikuta-$1.sqlite"; }
DB_STAMP=$({ grep -v '^ *#' "$HERE/make-db.sh"; cat "$REPO"/schema/*.sql "$REPO"/geo/*.geojson "$REPO"/seeds/categories.json; } |
  sha256sum | cut -c1-16)   # comments of make-db.sh do not count
ensure_db() { # SIZE
  local n f; n=$(rows_of "$1"); f=$(db_of "$1")
  if [[ -f $f && -f $f.stamp && $(cat "$f.stamp") == "$DB_STAMP" ]] &&
     [[ $(sqlite3 "$f" 'SELECT count(*) FROM feedback' 2>/dev/null) == "$n" ]]; then
    log "using cached $f"
    return
  fi
  log "making $f ($n rows)"
  rm -f "$f.stamp"
  VAIKUTA=$VAIKUTA "$HERE/make-db.sh" "$n" "$f" 2> >(tee -a "$RUNDIR/make-db.log" >&2)
  echo "$DB_STAMP" >"$f.stamp"
}
NEED_SIZES=" ${SIZES[*]} "
step export && NEED_SIZES+=" $EXPORT_SIZE "
for s in 100k 1m; do [[ $NEED_SIZES == *" $s "* ]] && ensure_db "$s"; done

# ------------------------------------------------------------------ servers
declare -A BG_PID=()     # our own background servers: name -> pid
MS_UP=0 QGIS_UP=0
stop_bg() { # NAME
  local pid=${BG_PID[$1]:-}
  [[ -n $pid ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { log "$1 ($pid) ignored SIGTERM, SIGKILL"; kill -9 "$pid" 2>/dev/null || true; }
  fi
  wait "$pid" 2>/dev/null || true
  unset "BG_PID[$1]"
}
stop_all() {
  local n
  for n in "${!BG_PID[@]}"; do stop_bg "$n"; done
  if ((MS_UP)); then "$PEERS/mapserver.sh" stop "$P_MS" || true; MS_UP=0; fi
  if ((QGIS_UP)); then "$PEERS/qgis.sh" stop "$P_QGIS" || true; QGIS_UP=0; fi
}
trap 'stop_all' EXIT
trap 'exit 130' INT TERM

wait_http() { # URL [tries of 0.1 s]
  local i
  for ((i = 0; i < ${2:-100}; i++)); do
    curl -fsS --max-time 5 -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
CUR_SIZE=""  # the database being served: server logs are $RUNDIR/<name>-<size>.log
start_bg() { # NAME URL-to-wait-for CMD...
  local name=$1 url=$2; shift 2
  "$@" 9>&- 2>"$RUNDIR/$name-$CUR_SIZE.log" &
  BG_PID[$name]=$!
  if ! wait_http "$url" 100; then
    log "$name did not answer at $url; log: $RUNDIR/$name-$CUR_SIZE.log"
    tail -5 "$RUNDIR/$name-$CUR_SIZE.log" >&2 || true
    stop_bg "$name"
    return 1
  fi
}

# URL template of each target (BBOX = the token bboxes.lua replaces).
url_of() { # TARGET
  case $1 in
    vaikuta) echo "http://127.0.0.1:$P_VK/ogcapi/collections/feedback/items?bbox=BBOX&limit=100" ;;
    hello) echo "http://127.0.0.1:$P_HELLO/collections/feedback/items?bbox=BBOX&limit=100" ;;
    cbbox) echo "http://127.0.0.1:$P_CBBOX/collections/feedback/items?bbox=BBOX&limit=100" ;;
    cbboxnm) echo "http://127.0.0.1:$P_CBBOXNM/collections/feedback/items?bbox=BBOX&limit=100" ;;
    ms) echo "http://127.0.0.1:$P_MS/mapserv/feedback/ogcapi/collections/feedback/items?f=json&bbox=BBOX&limit=100" ;;
    qgis) echo "http://127.0.0.1:$P_QGIS/qgis/wfs3/collections/feedback/items.json?bbox=BBOX&limit=100" ;;
  esac
}
label_of() {
  case $1 in
    vaikuta) echo "Vaikuta OGC API" ;;
    hello) echo "hello (MHD limit)" ;;
    cbbox) echo "C bbox (no count)" ;;
    cbboxnm) echo "C bbox + numberMatched" ;;
    ms) echo "MapServer 8 OGC API" ;;
    qgis) echo "QGIS Server 3.22 OGC API" ;;
  esac
}
box_url() { local u; u=$(url_of "$1"); echo "${u/BBOX/$2}"; }

UP=()   # targets answering for the current database
start_servers() { # SIZE
  local size=$1 db; db=$(db_of "$1")
  CUR_SIZE=$size
  UP=()
  local b=${BOXES[0]}
  if wants vaikuta; then
    if start_bg vaikuta "http://127.0.0.1:$P_VK/healthz" \
         "$VAIKUTA" serve --db "$db" --listen "127.0.0.1:$P_VK" --threads "$THREADS"; then
      # (an unknown path answers 200 with the web client: look for conformsTo)
      if curl -fsS --max-time 5 "http://127.0.0.1:$P_VK/ogcapi/conformance" 2>/dev/null |
         jq -e '.conformsTo | length > 0' >/dev/null 2>&1; then
        UP+=(vaikuta)
      else
        note "Vaikuta ($VK_VERSION) has no OGC API yet (/ogcapi/conformance has no conformsTo): Vaikuta not measured"
        stop_bg vaikuta
      fi
    else
      note "vaikuta serve did not start on the $size database"
    fi
  fi
  if wants hello && [[ $size == "${SIZES[0]}" ]]; then
    start_bg hello "$(box_url hello "$b")" "$PEERS_BUILD/hello" -p "$P_HELLO" -t "$THREADS" && UP+=(hello)
  fi
  if wants cbbox; then
    start_bg cbbox "$(box_url cbbox "$b")" "$PEERS_BUILD/bbox" -p "$P_CBBOX" -t "$THREADS" -d "$db" && UP+=(cbbox)
  fi
  if wants cbboxnm; then
    start_bg cbboxnm "$(box_url cbboxnm "$b")" "$PEERS_BUILD/bbox" -n -p "$P_CBBOXNM" -t "$THREADS" -d "$db" && UP+=(cbboxnm)
  fi
  if wants ms; then
    if "$PEERS/mapserver.sh" start "$P_MS" "$db" 9>&- 2>>"$RUNDIR/mapserver.log"; then MS_UP=1; UP+=(ms)
    else note "MapServer did not start (see $RUNDIR/mapserver.log)"; fi
  fi
  if wants qgis; then
    if ! "$PEERS/qgis.sh" available; then
      note "QGIS Server not available: not measured"
    elif "$PEERS/qgis.sh" start "$P_QGIS" "$db" 9>&- 2>>"$RUNDIR/qgis.log"; then QGIS_UP=1; UP+=(qgis)
    else note "QGIS Server did not start (see $RUNDIR/qgis.log)"; fi
  fi
  log "up on the $size database: ${UP[*]:-none}"
}

# ------------------------------------------------------------------ cross-server check
CHECK_MD=()
check_servers() { # SIZE
  local size=$1 db t i b nm ids ref out
  db=$(db_of "$size")
  local cols=()
  for t in vaikuta cbboxnm ms qgis; do has "${UP[*]}" "$t" && cols+=("$t"); done
  ((${#cols[@]})) || return 0
  log "comparing numberMatched and ids on $NCHECK boxes ($size)"
  local hdr="| box ($size) | exact (SQL) |" sep="|---|---:|"
  for t in "${cols[@]}"; do hdr+=" $t |"; sep+="---:|"; done
  CHECK_MD+=("" "$hdr" "$sep")
  for ((i = 0; i < NCHECK; i++)); do
    b=${BOXES[$i]}
    IFS=, read -r x0 y0 x1 y1 <<<"$b"
    # The reference: exact test on the stored coordinates (bbox edges included).
    sqlite3 "$db" -cmd ".load mod_spatialite" \
      "SELECT id FROM feedback WHERE id IN (SELECT pkid FROM idx_feedback_geom WHERE xmin <= $x1 AND xmax >= $x0 AND ymin <= $y1 AND ymax >= $y0)
         AND ST_X(geom) BETWEEN $x0 AND $x1 AND ST_Y(geom) BETWEEN $y0 AND $y1 ORDER BY id" >"$RUNDIR/ids-$size-$i-exact.txt"
    ref=$RUNDIR/ids-$size-$i-exact.txt
    local row
    row="| \`$b\` | $(wc -l <"$ref") |"
    for t in "${cols[@]}"; do
      out=$RUNDIR/ids-$size-$i-$t.json
      local u; u=$(box_url "$t" "$b"); u=${u/limit=100/limit=10000}
      if ! curl -fsS --max-time 60 "$u" -o "$out"; then row+=" error |"; continue; fi
      nm=$(jq -r '.numberMatched // "-"' "$out")
      jq -r '.features[].id | tonumber' "$out" | sort -n >"$RUNDIR/ids-$size-$i-$t.txt"
      ids=$RUNDIR/ids-$size-$i-$t.txt
      local extra missing cell
      extra=$(comm -13 <(sort "$ref") <(sort "$ids") | wc -l)
      missing=$(comm -23 <(sort "$ref") <(sort "$ids") | wc -l)
      cell="$nm"
      [[ $nm != "$(wc -l <"$ids")" ]] && cell+=" (returned $(wc -l <"$ids"))"
      ((extra || missing)) && cell+=" **ids +$extra -$missing**"
      row+=" $cell |"
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$b" "$t" "$nm" "$extra" "$missing" >>"$RUNDIR/check.tsv"
    done
    CHECK_MD+=("$row")
  done
}

# ------------------------------------------------------------------ wrk
to_ms() { awk -v v="$1" 'BEGIN{ n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }
to_bytes() { awk -v v="$1" 'BEGIN{ n=v+0; if (v ~ /GB$/) n*=1073741824; else if (v ~ /MB$/) n*=1048576; else if (v ~ /KB$/) n*=1024; printf "%.0f", n }'; }
median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "-"; exit} if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
printf 'target\tsize\trep\treq_s\tp50_ms\tp99_ms\tnon2xx\tsocket_errors\tbytes_per_resp\tload1\n' >"$RAW"
measure() { # TARGET SIZE
  local t=$1 size=$2 url i out rps p50 p99 non2xx serr reqs bytes load
  url=$(url_of "$t")
  local probe; probe=$(box_url "$t" "${BOXES[0]}")
  curl -fsS --max-time 30 "$probe" | jq -e '.type == "FeatureCollection"' >/dev/null ||
    { note "$t ($size) did not return a FeatureCollection for $probe"; return 0; }
  timeout 60 wrk -t "$THREADS" -c "$CONNS" -d 2s --timeout 10s -s "$HERE/bboxes.lua" "$url" >/dev/null || true  # warm-up
  for ((i = 1; i <= REPS; i++)); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    out=$(timeout 300 wrk -t "$THREADS" -c "$CONNS" -d "$DUR" --timeout 10s --latency -s "$HERE/bboxes.lua" "$url") ||
      { note "wrk failed on $t ($size)"; return 0; }
    echo "$out" >"$RUNDIR/wrk-$t-$size-$i.txt"
    rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
    p50=$(to_ms "$(awk '$1=="50%"{print $2}' <<<"$out")")
    p99=$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")
    non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out"); non2xx=${non2xx:-0}
    serr=$(awk -F'Socket errors: ' '/Socket errors/{print $2}' <<<"$out" | tr -d ' '); serr=${serr:-0}
    reqs=$(awk '/requests in/{print $1}' <<<"$out")
    bytes=$(to_bytes "$(awk '/requests in/{print $(NF-1)}' <<<"$out" | tr -d ,)")
    bytes=$(awk -v b="$bytes" -v r="$reqs" 'BEGIN{ printf "%.0f", r ? b / r : 0 }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$size" "$i" "$rps" "$p50" "$p99" "$non2xx" "$serr" "$bytes" "$load" >>"$RAW"
    log "$t ($size) run $i: $rps req/s, p50 $p50 ms, p99 $p99 ms, non-2xx $non2xx, socket errors $serr, ~$bytes B/resp, load $load"
  done
}
stat_of() { # TARGET SIZE COLUMN(4=req/s 5=p50 6=p99 9=bytes)
  awk -F'\t' -v t="$1" -v s="$2" -v c="$3" '$1==t && $2==s {print $c}' "$RAW" | median
}

# ------------------------------------------------------------------ GDAL read
GDAL_MD=()
GDAL_PAGES=${GDAL_PAGES:-default 1000}
gdal_read() { # TARGET LANDING-URL PAGE_SIZE|default
  local t=$1 url=$2 page=$3 out=$RUNDIR/gdal-$1.gpkg tf=$RUNDIR/gdal-$1-$3.time rc=0 n wall
  local oo=()
  [[ $page != default ]] && oo=(-oo "PAGE_SIZE=$page")
  rm -f "$out" "$out-journal"
  log "GDAL: ogr2ogr -f GPKG OAPIF:$url feedback ${oo[*]} (timeout ${GDAL_TIMEOUT}s)"
  local before=0
  [[ $t == vaikuta ]] && before=$(grep -c 'GET /ogcapi/collections/feedback/items' "$RUNDIR/vaikuta-$CUR_SIZE.log" || true)
  # -gt 1000: commit every 1000 features, so a run cut by the timeout shows its progress.
  /usr/bin/time -f '%e %M' -o "$tf" timeout "$GDAL_TIMEOUT" \
    ogr2ogr -gt 1000 -f GPKG "$out" "OAPIF:$url" feedback ${oo[@]+"${oo[@]}"} >"$RUNDIR/gdal-$t-$page.log" 2>&1 || rc=$?
  read -r wall _ < <(grep -E '^[0-9.]+ [0-9]+$' "$tf" | tail -1) || wall=$GDAL_TIMEOUT
  # sqlite3, not ogrinfo -ro: it rolls back the hot journal a killed run leaves.
  n=$(sqlite3 "$out" 'SELECT count(*) FROM feedback' 2>/dev/null) || n=0
  # GDAL keeps integer ids as the FID and string ids (MapServer, QGIS) as a field "id".
  local distinct idcol
  idcol=$(sqlite3 "$out" "SELECT CASE WHEN EXISTS (SELECT 1 FROM pragma_table_info('feedback') WHERE name = 'id')
                          THEN 'id' ELSE 'fid' END" 2>/dev/null) || idcol=fid
  distinct=$(sqlite3 "$out" "SELECT count(DISTINCT \"$idcol\") FROM feedback" 2>/dev/null) || distinct=0
  local pages=""
  if [[ $t == vaikuta ]]; then
    pages=", $(($(grep -c 'GET /ogcapi/collections/feedback/items' "$RUNDIR/vaikuta-$CUR_SIZE.log" || true) - before)) items requests"
  fi
  local status="complete"
  ((rc == 124)) && status="**timed out**"
  ((rc != 0 && rc != 124)) && status="**failed (exit $rc, see gdal-$t-$page.log)**"
  local rate; rate=$(awk -v n="$n" -v w="$wall" 'BEGIN{ printf "%.0f", (w > 0 ? n / w : 0) }')
  ((distinct != n)) && status+=", **only $distinct distinct ids**"
  GDAL_MD+=("| $(label_of "$t") | $page | $wall s | $n | $rate | $status$pages |")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$page" "$wall" "$n" "$distinct" "$rc" >>"$RUNDIR/gdal.tsv"
  log "GDAL via $t, page size $page: $wall s, $n features ($distinct distinct ids, $rate/s), $status$pages"
  rm -f "$out" "$out-journal"
}

# ------------------------------------------------------------------ main loop
MEASURED_SIZES=()
for size in "${SIZES[@]}"; do
  log "=== database $size ($(db_of "$size"))"
  start_servers "$size"
  step check && check_servers "$size"
  if step wrk; then
    for t in hello vaikuta cbbox cbboxnm ms qgis; do
      has "${UP[*]}" "$t" || continue
      log "--- $t ($size)"
      measure "$t" "$size"
    done
    MEASURED_SIZES+=("$size")
  fi
  if step gdal && [[ $size == 100k ]]; then
    for page in $GDAL_PAGES; do
      has "${UP[*]}" vaikuta && gdal_read vaikuta "http://127.0.0.1:$P_VK/ogcapi" "$page"
      has "${UP[*]}" ms && gdal_read ms "http://127.0.0.1:$P_MS/mapserv/feedback/ogcapi" "$page"
      has "${UP[*]}" qgis && gdal_read qgis "http://127.0.0.1:$P_QGIS/qgis/wfs3" "$page"
    done
  fi
  stop_all
done

# ------------------------------------------------------------------ export
EXPORT_MD=()
export_run() { # NAME OUT CMD...
  local name=$1 out=$2; shift 2
  local i tf=$RUNDIR/export-$name.time walls=() rsss=() rc
  for ((i = 1; i <= REPS; i++)); do
    rm -f "$out"
    rc=0
    /usr/bin/time -f '%e %M' -o "$tf" timeout 900 "$@" >"$RUNDIR/export-$name.log" 2>&1 || rc=$?
    if ((rc)); then note "export '$name' failed (exit $rc, see $RUNDIR/export-$name.log)"; return 1; fi
    local w r; read -r w r < <(grep -E '^[0-9.]+ [0-9]+$' "$tf" | tail -1)
    walls+=("$w"); rsss+=("$r")
    log "export $name run $i: $w s, peak RSS $((r / 1024)) MB"
  done
  local mw mr size n
  mw=$(printf '%s\n' "${walls[@]}" | median)
  mr=$(printf '%s\n' "${rsss[@]}" | sort -g | tail -1)
  size=$(du -m "$out" | cut -f1)
  n=$(ogrinfo -ro -so -al "$out" 2>/dev/null | awk -F': ' '/Feature Count/{print $2}' | head -1) || n="?"
  EXPORT_MD+=("| $name | $mw s | $((mr / 1024)) MB | $size MB | ${n:-?} |")
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$mw" "$mr" "$size" "${n:-}" >>"$RUNDIR/export.tsv"
  rm -f "$out"
}
if step export; then
  db=$(db_of "$EXPORT_SIZE")
  if "$VAIKUTA" export --help >/dev/null 2>&1; then
    export_run "vaikuta export" "$RUNDIR/export-vaikuta.geojson" \
      "$VAIKUTA" export --db "$db" --collection feedback --format geojson -o "$RUNDIR/export-vaikuta.geojson" || true
  else
    note "'vaikuta export' does not exist yet in $VK_VERSION: export comparison skipped"
  fi
  export_run "ogr2ogr -f GeoJSON" "$RUNDIR/export-ogr.geojson" \
    ogr2ogr -f GeoJSON "$RUNDIR/export-ogr.geojson" "$db" feedback || true
fi

# ------------------------------------------------------------------ report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
REPORT=$RUNDIR/report.md
{
  echo "# Vaikuta benchmark — $STAMP ($MODE)"
  echo
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo), $(sed -n 's/^PRETTY_NAME="\(.*\)"$/\1/p' /etc/os-release), kernel $(uname -r)"
  echo "- vaikuta: $VK_VERSION ($VK_ORIG, built $VK_BUILT$( ((BUILD_VAIKUTA)) || echo ', not rebuilt by run.sh')), serve --threads $THREADS"
  echo "- peers: libmicrohttpd $(pkg-config --modversion libmicrohttpd 2>/dev/null || echo ?), sqlite $(sqlite3 --version | cut -d' ' -f1)," \
    "spatialite $(dpkg-query -W -f='${Version}' libsqlite3-mod-spatialite 2>/dev/null || echo ?)," \
    "mapserver $(dpkg-query -W -f='${Version}' cgi-mapserver 2>/dev/null || echo -)," \
    "qgis-server $(dpkg-query -W -f='${Version}' qgis-server 2>/dev/null || echo -)," \
    "lighttpd $(dpkg-query -W -f='${Version}' lighttpd 2>/dev/null || echo -), gdal $(ogrinfo --version | cut -d' ' -f2 | tr -d ,), wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null || echo ?)"
  echo "- load: wrk -t$THREADS -c$CONNS -d$DUR x$REPS after a 2 s warm-up, medians; 1000 boxes of ~1 km2 (bench/bboxes.lua), limit=100, all servers on the same database file"
  echo "- raw data: $RUNDIR"
  if ((${#NOTES[@]})); then
    echo
    for n in "${NOTES[@]}"; do echo "- **note:** $n"; done
  fi
  if ((${#MEASURED_SIZES[@]})); then
    echo
    echo "## items?bbox=…&limit=100 under load"
    echo
    echo "| target | DB | req/s | p50 ms | p99 ms | bytes/resp | runs with errors | load avg before |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    for size in "${MEASURED_SIZES[@]}"; do
      for t in hello vaikuta cbbox cbboxnm ms qgis; do
        awk -F'\t' -v t="$t" -v s="$size" '$1==t && $2==s {f=1} END{exit !f}' "$RAW" || continue
        errs=$(awk -F'\t' -v t="$t" -v s="$size" '$1==t && $2==s && ($7!=0 || $8!=0){c++} END{print c+0}' "$RAW")
        loads=$(awk -F'\t' -v t="$t" -v s="$size" '$1==t && $2==s {printf "%s%s", sep, $10; sep=" "}' "$RAW")
        db=$size; [[ $t == hello ]] && db="-"
        printf '| %s | %s | %.0f | %s | %s | %s | %s/%s | %s |\n' "$(label_of "$t")" "$db" \
          "$(stat_of "$t" "$size" 4)" "$(stat_of "$t" "$size" 5)" "$(stat_of "$t" "$size" 6)" \
          "$(stat_of "$t" "$size" 9 | cut -d. -f1)" "$errs" "$REPS" "$loads"
      done
    done
    hello_rps=-
    for size in "${MEASURED_SIZES[@]}"; do
      v=$(stat_of hello "$size" 4); [[ $v != - ]] && hello_rps=$v
    done
    echo
    echo "Ratios (Vaikuta ÷ other; req/s: > 1 means Vaikuta is faster; p99: < 1 means Vaikuta is faster):"
    echo
    echo "| DB | ÷ MapServer req/s | ÷ QGIS req/s | ÷ C bbox+nm req/s | ÷ C bbox req/s | ÷ hello req/s | ÷ MapServer p99 | ÷ QGIS p99 | ÷ C bbox+nm p99 |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for size in "${MEASURED_SIZES[@]}"; do
      vr=$(stat_of vaikuta "$size" 4); vp=$(stat_of vaikuta "$size" 6)
      echo "| $size | $(ratio "$vr" "$(stat_of ms "$size" 4)") | $(ratio "$vr" "$(stat_of qgis "$size" 4)") |" \
        "$(ratio "$vr" "$(stat_of cbboxnm "$size" 4)") | $(ratio "$vr" "$(stat_of cbbox "$size" 4)") | $(ratio "$vr" "$hello_rps") |" \
        "$(ratio "$vp" "$(stat_of ms "$size" 6)") | $(ratio "$vp" "$(stat_of qgis "$size" 6)") | $(ratio "$vp" "$(stat_of cbboxnm "$size" 6)") |"
    done
  fi
  if ((${#CHECK_MD[@]})); then
    echo
    echo "## Same boxes, same answers? (limit=10000: numberMatched; ids compared with an exact SQL query on the stored coordinates)"
    for r in "${CHECK_MD[@]}"; do echo "$r"; done
  fi
  if ((${#GDAL_MD[@]})); then
    echo
    echo "## GDAL whole-collection read, 100k database"
    echo
    echo "\`ogr2ogr -gt 1000 -f GPKG out.gpkg OAPIF:<landing page> feedback [-oo PAGE_SIZE=n]\` (GDAL's default page size is 10), timeout ${GDAL_TIMEOUT} s; features = rows in out.gpkg when it ended."
    echo
    echo "| through | page size | wall | features | features/s | status |"
    echo "|---|---:|---:|---:|---:|---|"
    for r in "${GDAL_MD[@]}"; do echo "$r"; done
  fi
  if ((${#EXPORT_MD[@]})); then
    echo
    echo "## Export of the $EXPORT_SIZE database to GeoJSON (/usr/bin/time, median wall of $REPS, max peak RSS)"
    echo
    echo "| command | wall | peak RSS | output | features (ogrinfo) |"
    echo "|---|---:|---:|---:|---:|"
    for r in "${EXPORT_MD[@]}"; do echo "$r"; done
  fi
} >"$REPORT"
cp "$REPORT" "$HERE/results/latest.md"
cat "$REPORT"
log "report: $HERE/results/latest.md (raw: $RUNDIR)"
