#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine and runs the whole test suite.
# The headless-Chromium page tests run on their own after the rest: under the full suite's load
# on 2 cores the listening page's localStorage state was twice lost across a reload (cause not
# found; alone it passes), so they get the machine to themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
# Slurm and munge: the cluster test starts a one-node Slurm (scripts/local-slurm.sh).
STUDIO_WITH_SLURM=1 STUDIO_WITH_MPI=1 bash scripts/install-system-packages.sh
swift build --build-tests
browser='ListeningTestCommandTests'
swift test --skip "$browser"
swift test --filter "$browser"
