#!/usr/bin/env bash
# Writes the metric fixtures the eval tests compare with, from ports of the benchmarks'
# own evaluators (numpy from PyPI in target/evalvenv): TubeDETR's and V-STaR's for time
# and tubes, VSI-Bench's and SQuAD's for answers. Run it again when a case changes.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/evalvenv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q numpy==2.3.5
"$venv/bin/python" scripts/eval_reference.py
"$venv/bin/python" scripts/eval_answers_reference.py
