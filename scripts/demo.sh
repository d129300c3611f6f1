#!/usr/bin/env bash
# The main job: installs what Vessel needs, then starts a host on the embedded defaults (a fresh state directory,
# SQLite, QEMU with the probed accelerator), builds the tiny test guest and a demo OVA of it (with user-configurable
# properties) if they are not cached, deploys the OVA with `--prop greeting=...` (manifest verified, disk converted
# to qcow2 in one pass, OVF environment CD attached), powers it on and prints its serial console: the guest prints
# the ovf-env.xml it read, with the value given, then powers off. Extra arguments go to `vessel host demo`
# (e.g. --state DIR to keep the state, --driver qemu:///embed?accel=tcg).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/src/cli/main.js host demo "$@"
