#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, builds, lints,
# type-checks and runs every test, then prints the totals alone on the last line.
set -uo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
  PNPM=(pnpm)
else
  PNPM=(npx -y "pnpm@$PNPM_VERSION")
fi

# Debian packages the integration tests use: the real OCI registry and skopeo as a peer client.
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing ${missing[*]} (apt-get)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || echo "warning: could not install ${missing[*]}; tests that need them will fail" >&2
  else
    echo "warning: ${missing[*]} missing and cannot be installed (need root and apt-get)" >&2
  fi
fi

failed_steps=0
step() {
  local name=$1
  shift
  echo "==> $name"
  if ! "$@"; then
    echo "FAILED: $name" >&2
    failed_steps=$((failed_steps + 1))
    return 1
  fi
}

step install "${PNPM[@]}" install --frozen-lockfile || { echo "0 passed, 1 failed"; exit 1; }
step build "${PNPM[@]}" run build || { echo "0 passed, 1 failed"; exit 1; }
step lint "${PNPM[@]}" run lint
step typecheck "${PNPM[@]}" run typecheck

echo "==> test"
rm -f .vitest-results.json
"${PNPM[@]}" exec vitest run --reporter=default --reporter=json --outputFile.json=.vitest-results.json
node scripts/test-summary.mjs .vitest-results.json "$failed_steps"
