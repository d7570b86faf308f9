#!/usr/bin/env bash
# fuzz.sh [SECONDS] — build every libFuzzer target in tests/fuzz/ with clang
# under ASan + UBSan and run each for SECONDS (default 20), nproc at a
# time, from its seed corpus (tests/fuzz/<name>/, read-only; new inputs go
# to a scratch directory). A crash fails the run and leaves its input in
# build/fuzz/crashes/ — make it a regression test. Needs build/ (for the
# generated sources): run scripts/setup.sh first.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
out=build/fuzz
mkdir -p "$out/crashes"
core=$(find src -name '*.c' ! -path 'src/cli/*' | sort)
gen="build/schema_migrations.c build/openapi_json.c build/survey_schema_json.c build/walk_checklist_json.c build/walk_checklist_schema_json.c
     build/src/tiles/vector_tile.pb-c.c"
flags="-g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DVK_VERSION=\"fuzz\"
       -DVK_SOURCE_DIR=\"$PWD\" -fno-sanitize-recover=undefined -I src -I build -I build/src"
libs=$(pkg-config --cflags --libs spatialite sqlite3 geos proj jansson libmicrohttpd libsodium vips libcurl libprotobuf-c)
cflags=$(pkg-config --cflags spatialite sqlite3 geos proj jansson libmicrohttpd libsodium vips libcurl libprotobuf-c)
passed=0 failed=0

# The code under test is compiled once (instrumented, without libFuzzer's
# main) and linked into every target: a whole-tree compile per target cost
# minutes of CI.
objs=() pids=()
mkdir -p "$out/obj"
for src in $core $gen; do
  obj=$out/obj/$(echo "$src" | tr / _).o
  objs+=("$obj")
  # shellcheck disable=SC2086
  clang $flags $cflags -fsanitize=fuzzer-no-link,address,undefined -c "$src" -o "$obj" 2>>"$out/obj.build.log" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$(nproc)" ]; then wait "${pids[0]}" || core_failed=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || core_failed=1; done
if [ -n "${core_failed:-}" ]; then
  echo "code under test: build failed; see $out/obj.build.log"
  echo "# 0 passed, 1 failed"; exit 1
fi

# Each target is linked, then run beside the others, nproc at a time: a
# target is one process on one core, and a whole run one after another
# took minutes of CI's time limit.
run_target() {
  local target=$1 name corpus scratch
  name=$(basename "$target" .c)
  corpus=tests/fuzz/${name#fuzz_}
  # shellcheck disable=SC2086
  if ! clang $flags -fsanitize=fuzzer,address,undefined "$target" "${objs[@]}" $libs -lm -lpthread -o "$out/$name" 2>"$out/$name.build.log"; then
    echo "$name: build failed; see $out/$name.build.log" >"$out/$name.result"; return
  fi
  scratch=$(mktemp -d)
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
     "$out/$name" -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=1024 -timeout=10 \
       -artifact_prefix="$out/crashes/$name-" -print_final_stats=1 "$scratch" "$corpus" \
       >"$out/$name.log" 2>&1; then
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$out/$name.log" | grep -Eo '[0-9]+$')
    echo "$name: ok, ${runs:-?} runs in ${seconds}s" >"$out/$name.result"
  else
    echo "$name: FAILED; see $out/$name.log and $out/crashes/" >"$out/$name.result"
  fi
  rm -rf "$scratch"
}
pids=()
for target in tests/fuzz/fuzz_*.c; do
  rm -f "$out/$(basename "$target" .c).result"
  run_target "$target" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$(nproc)" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done
for target in tests/fuzz/fuzz_*.c; do
  result=$out/$(basename "$target" .c).result
  if [ -f "$result" ] && grep -q ': ok,' "$result"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  cat "$result" 2>/dev/null || echo "$(basename "$target" .c): no result"
done
echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]
