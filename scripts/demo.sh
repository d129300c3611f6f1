#!/usr/bin/env bash
# The main job: installs what Vessel needs, then starts a host on the embedded defaults (a fresh state directory,
# SQLite, QEMU with the probed accelerator), builds the tiny test guest if it is not cached, boots it with an OVF
# environment CD and prints its serial console until it powers off. Extra arguments go to `vessel host demo`
# (e.g. --state DIR to keep the state, --driver qemu:///embed?accel=tcg).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/src/cli/main.js host demo "$@"
