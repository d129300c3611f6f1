#!/usr/bin/env bash
# Writes the hostile disk image corpus (test/fixtures/hostile/images/ and its README.md) from
# test/fixtures/hostile/images.ts, then checks it. Review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
VESSEL_UPDATE_GOLDEN=1 npx vitest run test/fixtures/hostile/corpus.test.ts
