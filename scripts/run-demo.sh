#!/usr/bin/env bash
# Installs what is missing, builds Vidence and opens it on the demo dataset
# (generated on first use into the user's data folder).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cargo build --release -p vidence
exec "${CARGO_TARGET_DIR:-target}/release/vidence" "$@"
