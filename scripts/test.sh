#!/usr/bin/env bash
# Installs what is missing and runs every test, plus the format and lint checks.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cargo fmt --all -- --check
# Clippy lints the workspace while it compiles for the tests (clippy-driver as the
# workspace's compiler, as `cargo clippy` runs it, warnings denied): the dependencies
# are compiled once, not once checked and again built.
RUSTC_WORKSPACE_WRAPPER="$(command -v clippy-driver)" || { echo "Clippy is needed: rustup component add clippy" >&2; exit 1; }
export RUSTC_WORKSPACE_WRAPPER
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
cargo test --workspace --all-targets --locked --no-run
cargo test --workspace --locked
