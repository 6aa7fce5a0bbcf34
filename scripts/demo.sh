#!/usr/bin/env bash
# The README's first command: install, build, and run wkg against the registry embedded in
# examples/ (examples/config.toml -> examples/registry). No network is needed after install.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=12.4.2
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then PNPM=(pnpm); else PNPM=(npx -y "pnpm@$PNPM_VERSION"); fi
"${PNPM[@]}" install --frozen-lockfile >/dev/null
"${PNPM[@]}" run build >/dev/null
demo=$(mktemp -d)
trap 'rm -rf "$demo"' EXIT
export WKG_CONFIG_FILE="$PWD/examples/config.toml" WKG_CACHE_DIR="$demo/cache"
wkg() { node apps/wkg/bin/wkg.js "$@"; }
set -x
wkg --version
wkg config --show
wkg get wasi:http -o "$demo/deps/"                       # latest release, named wasi_http@0.2.0.wasm
wkg get wasi:http@0.2.0 -o "$demo/deps/" --check         # exit 0: the file matches the registry
wkg get 'wasi:http@^0.2' -o "$demo/http.wasm" --offline --json
wkg publish "$demo/http.wasm" --package example:http@1.0.0 --registry examples.local --dry-run
