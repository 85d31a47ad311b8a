#!/usr/bin/env bash
# Reads the fine-tuning exports of the demo dataset with the trainers' own loaders,
# installed from PyPI: LLaMA-Factory's dataset registry parser and ShareGPT converter
# (target/sftvenv), ms-swift's dataset loader and template inputs (target/swiftvenv;
# the two pin different trl versions, so each has its own).
set -euo pipefail
cd "$(dirname "$0")/.."
install() { [ -x "$1/bin/python" ] || python3 -m venv "$1"; "$1/bin/pip" install -q "${@:2}"; }
install target/sftvenv llamafactory==0.9.5
# Pinned: left to itself, pip backtracks through every transformers release.
install target/swiftvenv ms-swift==3.9.0 transformers==4.57.1 trl==0.23.1 peft==0.17.1 datasets==3.6.0
cargo build -q -p vidence
work=$(mktemp -d)
target/debug/vidence demo --out "$work/demo" > /dev/null
target/debug/vidence export llamafactory "$work/demo/demo.vidence.json" --out "$work/llamafactory" --review all
target/debug/vidence export swift "$work/demo/demo.vidence.json" --out "$work/swift.jsonl" --review all
target/sftvenv/bin/python scripts/sft_loaders.py "$work/llamafactory"
target/swiftvenv/bin/python scripts/swift_loader.py "$work/swift.jsonl"
