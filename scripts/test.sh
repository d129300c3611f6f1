#!/usr/bin/env bash
# The whole test suite: installs what it needs, then type-checks, lints, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent typecheck
npm run --silent lint
npx vitest run "$@"
