#!/usr/bin/env bash
# Fuzzes dataset parsing and validation (libFuzzer through cargo-fuzz) for SECONDS
# (default 600). Seeds the corpus with the documented example dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p fuzz/corpus/dataset
sed -n '/^```json$/,/^```$/p' docs/dataset.md | sed '1d;$d' > fuzz/corpus/dataset/docs-example.json
echo '{"schema":"vidence/1"}' > fuzz/corpus/dataset/empty.json
# cargo-fuzz passes nightly-only flags; the stable compiler accepts them this way.
cd fuzz
RUSTC_BOOTSTRAP=1 cargo fuzz run -O dataset -- -max_total_time="${1:-600}" -max_len=8192
