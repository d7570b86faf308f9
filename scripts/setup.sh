#!/usr/bin/env bash
# setup.sh [run|test] — install whatever is missing on Debian (packages from
# the archive, the client's npm packages from the committed lockfiles), then
# build with meson + ninja. "test" adds what the tests need (Chromium, GDAL).
# Safe to run again: it only does what is not done yet.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

pkgs=(gcc libc6-dev pkg-config meson ninja-build python3 curl ca-certificates
      libmicrohttpd-dev libspatialite-dev libsqlite3-dev libproj-dev proj-data
      libgeos-dev libjansson-dev libsodium-dev libvips-dev libcurl4-openssl-dev zlib1g-dev
      libprotobuf-c-dev protobuf-c-compiler)
if [ "$mode" = test ]; then
  pkgs+=(chromium gdal-bin sqlite3 libsqlite3-mod-spatialite proj-bin clang libclang-rt-14-dev
        libvips-tools python3-aiosmtpd wrk)
fi
# Node.js: any installed one will do (Debian 12's 18 or newer).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  pkgs+=(nodejs npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    echo "setup: please install as root: apt-get install ${missing[*]}" >&2; exit 1
  fi
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages, reinstalled only when the lockfile changed.
npm_install() {
  local dir=$1 stamp="$1/node_modules/.vaikuta-lock"
  if [ -f "$dir/package-lock.json" ] && ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
}
npm_install web
[ "$mode" = test ] && npm_install tests
# The resident page with its styles and scripts inside it (issue 16).
node scripts/resident-page.mjs >/dev/null

if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=debugoptimized -Dwerror=true >/dev/null
fi
ninja -C build >/dev/null
echo "setup: built build/vaikuta"
