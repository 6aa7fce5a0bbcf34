#!/usr/bin/env bash
# The README's first command: install, build, and run wkg against the registry embedded in
# examples/ (no network): fetch the WIT dependencies of an example package, build it, get and
# inspect packages. Works in a temp copy, so the repository is left as it was.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=12.4.2
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then PNPM=(pnpm); else PNPM=(npx -y "pnpm@$PNPM_VERSION"); fi
"${PNPM[@]}" install --frozen-lockfile >/dev/null
"${PNPM[@]}" run build >/dev/null

WKG="$PWD/apps/wkg/bin/wkg.js"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r examples/hello "$work/hello"
export WKG_CONFIG_FILE="$PWD/examples/config.toml" WKG_CACHE_DIR="$work/cache"
wkg() { echo "+ wkg $*" >&2; node "$WKG" "$@"; }

cd "$work/hello"
wkg --version
wkg fetch                                   # wit/deps and wkg.lock from the embedded registry
find wit -type f | sort
cat wkg.lock
wkg fetch --locked                          # nothing to change: the lock holds
wkg build                                   # the WIT package binary, deps embedded, metadata from wkg.toml
wkg inspect 'example:hello@0.1.0.wasm'
wkg get wasi:io@0.2.0 -o "$work/out/"       # a WIT package comes out as WIT text
head -5 "$work/out/wasi_io@0.2.0.wit"
wkg get 'wasi:http@^0.2' --format wasm -o "$work/out/http.wasm" --offline --json
