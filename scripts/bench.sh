#!/usr/bin/env bash
# Benchmarks (not part of the tests): builds in release mode, makes the benchmark
# videos with the ffmpeg program, measures, and writes bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cargo build --release -p vidence
bin=./target/release/vidence
work=${BENCH_DIR:-target/bench-videos}
mkdir -p "$work" bench

make_video() { # name seconds size gop
  [ -f "$work/$1" ] || ffmpeg -v error -y -f lavfi -i "testsrc2=size=$3:rate=30:duration=$2" \
    -c:v libx264 -preset veryfast -bf 3 -g "$4" -keyint_min "$4" -sc_threshold 0 -pix_fmt yuv420p "$work/$1"
}
make_video 1080p_60s_gop250.mp4 60 1920x1080 250
make_video 720p_1min.mp4 60 1280x720 60
make_video 720p_10min.mp4 600 1280x720 60

run() { echo "\$ vidence $*"; "$bin" "$@"; echo; }
{
  echo "# Benchmark results"
  echo
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(uname -sr)."
  echo "Date: $(date -u +%Y-%m-%d). Made by \`scripts/bench.sh\` (release build); videos from FFmpeg's testsrc2, H.264 with 3 B-frames."
  echo
  echo "## Decode throughput to RGBA, 60 s 1080p30, GOP 250 (vs the ffmpeg program on the same file)"
  echo '```'; run bench decode "$work/1080p_60s_gop250.mp4"; echo '```'
  echo "## Rendering 60 s 1080p30 with an overlay (20 labelled boxes, 3 model runs' boxes and paths, captions, the timeline strip) vs the ffmpeg program re-encoding the same file with the same x264 settings, in turn"
  echo '```'; run bench render "$work/1080p_60s_gop250.mp4" --rounds 3; echo '```'
  echo "## Exact random seeks, same file (vs the naive way: keyframe, then decode and convert every frame)"
  echo '```'; run bench seek "$work/1080p_60s_gop250.mp4" --n 100 --seed 1; echo '```'
  echo "## A dataset of 10,000 tracks and 1,000,000 keyframes: atomic save, load, validate"
  echo '```'; run bench dataset --tracks 10000 --keyframes-per-track 100; echo '```'
  echo "## Formats: a CVAT XML of 10,000 tracks and 1,000,000 boxes exported and imported, datumaro's import of the same file; a MOT gt.txt of 1,000,000 lines imported"
  python_for_datumaro=()
  [ -x target/refvenv/bin/python ] && python_for_datumaro=(--python target/refvenv/bin/python)
  echo '```'
  echo "\$ cargo run --release -p annotate --example formats_bench -- ${python_for_datumaro[*]}"
  cargo run -q --release -p annotate --example formats_bench -- "${python_for_datumaro[@]}"
  echo '```'
  echo "## Tracking metrics: HOTA, CLEAR and Identity on a MOT17-sized sequence from its files, TrackEval and py-motmetrics on the same files"
  references=()
  [ -x target/trackevalvenv/bin/python ] && references+=(--trackeval target/trackevalvenv/bin/python)
  [ -x target/motmetricsvenv/bin/python ] && references+=(--motmetrics target/motmetricsvenv/bin/python)
  echo '```'
  echo "\$ cargo run --release -p annotate --example tracking_bench -- ${references[*]}"
  cargo run -q --release -p annotate --example tracking_bench -- "${references[@]}"
  echo '```'
  echo "## Scoring 10,000 V-STaR items: a what, a when and two where questions each, a result file answering all, imported as a run"
  echo '```'
  echo "\$ cargo run --release -p annotate --example eval_bench"
  cargo run -q --release -p annotate --example eval_bench
  echo '```'
  echo "## vidence predict against a local OpenAI-compatible server: 256 jobs at 200 ms a request, at concurrency 32 and 1; memory over 10,000 jobs; this machine's model (the Qwen3-VL-2B architecture, random weights) on the demo, the time outside the model"
  echo '```'
  echo "\$ cargo run --release -p vidence --example predict_bench"
  cargo run -q --release -p vidence --example predict_bench
  echo '```'
  echo "## A dataset of 10,000 model runs of 256 tokens each: first save (writing the token files), open, save"
  echo '```'; run bench runs --runs 10000 --tokens 256; echo '```'
  echo "## Stepping and memory through the decode thread and cache, 1-minute vs 10-minute 720p30"
  echo '```'; run bench play "$work/720p_1min.mp4"; run bench play "$work/720p_10min.mp4"; echo '```'
  echo "## Qwen3-VL on the CPU: the 2B architecture, random weights, a 16-frame video prompt"
  echo "Vidence (candle) as the app runs it on the CPU (f32 arithmetic, text weights in f16), then all in f32, then Hugging Face transformers (f32) on the same checkpoint and input."
  echo '```'
  for dtype in auto f32; do
    echo "\$ cargo run --release -p model --example qwen3_vl_bench -- --dtype $dtype --decode-tokens 32"
    cargo run -q --release -p model --example qwen3_vl_bench -- --dtype $dtype --decode-tokens 32
  done
  python=${PYTHON:-python3}
  if "$python" -c "import torch, transformers" 2>/dev/null; then
    echo "\$ python bench/qwen3_vl_transformers.py target/bench-models/qwen3-vl-2b-random"
    "$python" bench/qwen3_vl_transformers.py target/bench-models/qwen3-vl-2b-random 2>/dev/null
  else
    echo "(transformers side skipped: set PYTHON to a Python with torch and transformers)"
  fi
  echo '```'
  echo "## UI frame time: 1,000 boxes on screen, a 1,000,000-keyframe dataset saving in the background, 10,000 model runs open, the Evaluate tab on 100,000 items"
  echo "The app driven through egui_kittest (headless); a frame is the GUI thread's logic, layout and tessellation."
  echo '```'; cargo bench -q -p vidence-tests --bench ui 2>/dev/null; echo '```'
  echo "## UI frame time while the model runs on the CPU"
  echo "The demo playing at 60 UI frames a second while a random-weight Qwen3-VL (12 text layers of width 1024) answers about 32 frames; the model worker leaves one core to the app; then Run on dataset… asks every question of the demo, each answer added to the dataset as it arrives."
  echo '```'; cargo bench -q -p vidence-tests --bench ui_model 2>/dev/null; echo '```'
  echo "GPU results (not made by this script): [GPU.md](GPU.md)."
} | tee bench/RESULTS.md
