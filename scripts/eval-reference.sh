#!/usr/bin/env bash
# Writes the metric fixtures the eval tests compare with, from ports of the benchmarks'
# own evaluators (numpy from PyPI in target/evalvenv): TubeDETR's and V-STaR's for time
# and tubes, V-STaR's whole eval.py (chains, AM, LGM, lengths, domains), VSI-Bench's
# and SQuAD's for answers; and the tracking cases with TrackEval's
# and py-motmetrics' scores, and the COCO case with pycocotools' (from PyPI;
# py-motmetrics needs numpy 1, so a venv of its own).
# Run it again when a case changes.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/evalvenv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q numpy==2.3.5
"$venv/bin/python" scripts/eval_reference.py
"$venv/bin/python" scripts/eval_answers_reference.py
"$venv/bin/python" scripts/eval_vstar_reference.py
trackvenv=target/trackevalvenv
[ -x "$trackvenv/bin/python" ] || python3 -m venv "$trackvenv"
"$trackvenv/bin/pip" install -q trackeval==1.3.0 numpy==2.4.6 scipy==1.17.1 pycocotools==2.0.11
"$trackvenv/bin/python" scripts/eval_tracking_reference.py
"$trackvenv/bin/python" scripts/eval_coco_reference.py
motvenv=target/motmetricsvenv
[ -x "$motvenv/bin/python" ] || python3 -m venv "$motvenv"
"$motvenv/bin/pip" install -q motmetrics==1.4.0 numpy==1.26.4 pandas==2.1.4 scipy==1.17.1
"$motvenv/bin/python" scripts/eval_motmetrics_reference.py
