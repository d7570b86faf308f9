#!/usr/bin/env bash
# fuzz.sh [SECONDS] — build every libFuzzer target in tests/fuzz/ with clang
# under ASan + UBSan and run each for SECONDS (default 20) from its seed
# corpus (tests/fuzz/<name>/, read-only; new inputs go to a scratch
# directory). A crash fails the run and leaves its input in
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
       -DVK_SOURCE_DIR=\"$PWD\" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I src -I build -I build/src"
libs=$(pkg-config --cflags --libs spatialite sqlite3 geos proj jansson libmicrohttpd libsodium vips libcurl libprotobuf-c)
passed=0 failed=0
for target in tests/fuzz/fuzz_*.c; do
  name=$(basename "$target" .c)
  corpus=tests/fuzz/${name#fuzz_}
  # shellcheck disable=SC2086
  if ! clang $flags "$target" $core $gen $libs -lm -lpthread -o "$out/$name" 2>"$out/$name.build.log"; then
    echo "$name: build failed; see $out/$name.build.log"; failed=$((failed + 1)); continue
  fi
  scratch=$(mktemp -d)
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
     "$out/$name" -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=1024 -timeout=10 \
       -artifact_prefix="$out/crashes/$name-" -print_final_stats=1 "$scratch" "$corpus" \
       >"$out/$name.log" 2>&1; then
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$out/$name.log" | grep -Eo '[0-9]+$')
    echo "$name: ok, ${runs:-?} runs in ${seconds}s"; passed=$((passed + 1))
  else
    echo "$name: FAILED; see $out/$name.log and $out/crashes/"; failed=$((failed + 1))
  fi
  rm -rf "$scratch"
done
echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]
