#!/usr/bin/env bash
# Reads the fine-tuning export of the demo dataset with LLaMA-Factory's own dataset
# registry parser and ShareGPT converter (installed from PyPI into target/sftvenv).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/sftvenv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q llamafactory==0.9.5
cargo build -q -p vidence
work=$(mktemp -d)
target/debug/vidence demo --out "$work/demo" > /dev/null
target/debug/vidence export llamafactory "$work/demo/demo.vidence.json" --out "$work/llamafactory" --review all
"$venv/bin/python" scripts/sft_loaders.py "$work/llamafactory"
