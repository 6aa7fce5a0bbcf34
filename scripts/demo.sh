#!/usr/bin/env bash
# The README's first command: install, build, and run wkg against the embedded local registry.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=12.4.2
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then PNPM=(pnpm); else PNPM=(npx -y "pnpm@$PNPM_VERSION"); fi
"${PNPM[@]}" install --frozen-lockfile >/dev/null
"${PNPM[@]}" run build >/dev/null
wkg() { node apps/wkg/bin/wkg.js "$@"; }
set -x
wkg --version
wkg config --config examples/config.toml --show
