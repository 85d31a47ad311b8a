#!/usr/bin/env bash
# Fuzzes a target (libFuzzer through cargo-fuzz) for SECONDS (default 600):
#   dataset       dataset parsing and validation, seeded with the documented example
#   model_output  reading model output into predictions, seeded with typical outputs
#   import_cvat, import_label_studio, import_mot, import_coco, import_youtube_vis, import_vstar
#                 a format's reader, then its writer and the reader again, seeded
#                 with the format's samples in annotate/tests/fixtures/formats
#   import_vidstg, import_hcstvg
#                 a read-only format's reader, its import saved and loaded again
# Usage: scripts/fuzz.sh [TARGET] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-dataset}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus=fuzz/corpus/$target
mkdir -p "$corpus"
case $target in
  dataset)
    sed -n '/^```json$/,/^```$/p' docs/dataset.md | sed '1d;$d' > "$corpus/docs-example.json"
    echo '{"schema":"vidence/1"}' > "$corpus/empty.json" ;;
  model_output)
    printf '```json\n[{"bbox_2d": [135, 114, 864, 891], "label": "person"}]\n```' > "$corpus/qwen3-boxes.txt"
    printf '[{"time": 1.0, "bbox_2d": [0, 0, 100, 100]}, {"time": "2.5s", "point_2d": [5, 9]}]' > "$corpus/qwen3-track.txt"
    printf '[{"start": "00:01", "end": "00:05", "description": "walks"}]' > "$corpus/captions.txt"
    printf '<think>I find <obj>a man</obj><box>[1,2,30,40]</box>at<t>2.5</t>s. From <t>1</t>s to <t>3</t>s.</think><answer>B</answer>' > "$corpus/open-o3.txt"
    printf 'It happens from 3.2 s to 5.0 s, or 00:12-00:15.' > "$corpus/free-text.txt" ;;
  import_cvat) cp annotate/tests/fixtures/formats/cvat/*.xml "$corpus/" ;;
  import_label_studio) cp annotate/tests/fixtures/formats/label-studio/*.json annotate/tests/fixtures/formats/label-studio/*/annotations_1.json "$corpus/" ;;
  import_mot) find annotate/tests/fixtures/formats/mot -name '*.txt' ! -name labels.txt |
      while read -r f; do cp "$f" "$corpus/$(echo "$f" | tr / _)"; done ;;
  import_coco) cp annotate/tests/fixtures/formats/coco/datumaro_*.json annotate/tests/fixtures/formats/coco/labelformat_*.json "$corpus/" ;;
  import_youtube_vis) cp annotate/tests/fixtures/formats/youtube-vis/*.json "$corpus/" ;;
  import_vstar)
    printf '[{"vid":"v","fps":30,"width":64,"height":48,"frame_count":90,"question":"What?","chain":"c","object":"ball","answer":"a","temporal_question":"When?","timestamps":[1,2],"spatial_question":"Where?","bboxes":[{"timestamp":1,"frame_index":30,"xmin":1,"ymin":2,"xmax":9,"ymax":9}]}]' > "$corpus/list.json"
    printf '[{"vid":"v","fps":"25","width":64,"height":48,"frame_count":50,"question":"Q","object":"o","answer":"a","temporal_question":"T","timestamps":["0","1.5"],"spatial_question":"S","spatial_question_2":"S2","bboxes":{"1_25":{"xmin":0,"ymin":0,"xmax":5,"ymax":5}}}]' > "$corpus/keyed.json" ;;
  import_vidstg)
    cp annotate/tests/fixtures/formats/vidstg/test_annotations_*.json "$corpus/"
    cp annotate/tests/fixtures/formats/vidstg/vidor_3598080384.json "$corpus/" ;;
  import_hcstvg)
    printf '{"55_vfjywN5CN0Y.mp4":{"bbox":[[10,20,30,40],null,[16.5,21,30,40]],"st_time":0.5,"ed_time":1.0,"img_num":400,"st_frame":11,"caption":"The man walks.","width":640,"height":360}}' > "$corpus/v1.json"
    printf '{"1_aMYcLyh9OhU.mkv":{"bbox":[[1,2,3,4],[5,6,7,8]],"st_time":19.5,"ed_time":19.9,"img_num":500,"st_frame":498,"English":"She sits.","img_size":[720,1280,3]}}' > "$corpus/v2.json" ;;
  *) echo "unknown fuzz target: $target" >&2; exit 2 ;;
esac
# cargo-fuzz passes nightly-only flags; the stable compiler accepts them this way.
cd fuzz
RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$target" -- -max_total_time="${2:-600}" -max_len=8192 -timeout=10
