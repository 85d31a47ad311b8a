#!/usr/bin/env bash
# Reads Vidence's CVAT, MOT and COCO exports with datumaro, py-motmetrics and
# pycocotools (installed from PyPI into target/refvenv) and checks they see the same
# boxes Vidence wrote. Prints one line per dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
venv=target/refvenv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet datumaro==1.13.12 motmetrics==1.4.0 pycocotools==2.0.11
fi
cargo build --locked -p vidence
"$venv/bin/python" scripts/reference_readers.py target/debug/vidence
