#!/usr/bin/env python3
"""Writes a small COCO instances file of two videos' frames (an image per frame, named
VIDEO/FRAME.jpg, ids in the frames' order) and a detector's results on them, and
scores them with pycocotools 2.0.11 from PyPI (COCOeval, bbox): AP, AP50, AP75 and
AR@100 of all the frames and of each video alone, as the fixture the Rust detection
tests compare with.

The traps: crowd boxes (matched by any number of detections, not counted), equal
scores within a frame and across frames (pycocotools' stable sorts keep the file's
and the frames' order), a category with no true box, detections of a category the
ground truth lacks, frames with detections only and with truth only, more than a
hundred detections on one frame. Coordinates are on a quarter-pixel grid and scores
multiples of 1/16, so 32-bit floats hold them."""
import contextlib
import io
import json
import os

import numpy as np
import pycocotools
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

OUT = "annotate/tests/fixtures/eval/coco"


def q(v):
    return float(np.round(v * 4) / 4)


def main():
    rng = np.random.default_rng(7)
    categories = [{"id": 1, "name": "person"}, {"id": 2, "name": "car"}, {"id": 3, "name": "dog"},
                  {"id": 4, "name": "bicycle"}]
    images, annotations, results = [], [], []
    frames = {"cam-a": 24, "cam-b": 16}
    for video, count in frames.items():
        for f in range(count):
            image_id = len(images) + 1
            images.append({"id": image_id, "file_name": f"{video}/{f:06d}.jpg", "width": 640, "height": 480})
            truth = int(rng.integers(0, 6)) if f != 3 else 0
            for _ in range(truth):
                cat = int(rng.choice([1, 2, 4], p=[0.6, 0.3, 0.1]))
                w, h = q(rng.uniform(20, 160)), q(rng.uniform(20, 160))
                x, y = q(rng.uniform(0, 640 - w)), q(rng.uniform(0, 480 - h))
                crowd = 1 if rng.random() < 0.08 else 0
                annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": cat,
                                    "bbox": [x, y, w, h], "area": w * h, "iscrowd": crowd})
                if f == 5:
                    continue  # a frame with truth only
                for _ in range(int(rng.integers(0, 3)) if crowd else 1):
                    if rng.random() < 0.15:
                        continue  # missed
                    n = rng.normal(0, 0.15, 4)
                    results.append({"image_id": image_id, "category_id": cat,
                                    "bbox": [q(x + n[0] * w), q(y + n[1] * h), max(1.0, q(w * (1 + n[2]))),
                                             max(1.0, q(h * (1 + n[3])))],
                                    "score": float(rng.integers(1, 16)) / 16})
            for _ in range(int(rng.integers(0, 3))):
                cat = int(rng.choice([1, 2, 3]))
                results.append({"image_id": image_id, "category_id": cat,
                                "bbox": [q(rng.uniform(0, 560)), q(rng.uniform(0, 400)), q(rng.uniform(10, 80)),
                                         q(rng.uniform(10, 80))],
                                "score": float(rng.integers(1, 16)) / 16})
    # A crowded frame: 130 detections, past the 100 an image pycocotools keeps.
    crowded = 7
    for _ in range(130):
        results.append({"image_id": crowded, "category_id": 1,
                        "bbox": [q(rng.uniform(0, 600)), q(rng.uniform(0, 440)), 40.0, 40.0],
                        "score": float(rng.integers(1, 16)) / 16})
    os.makedirs(OUT, exist_ok=True)
    gt_file, dt_file = f"{OUT}/instances.json", f"{OUT}/results.json"
    with open(gt_file, "w") as f:
        json.dump({"images": images, "annotations": annotations, "categories": categories}, f)
    with open(dt_file, "w") as f:
        json.dump(results, f)

    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(gt_file)
        dt = gt.loadRes(dt_file)

    def scores(image_ids=None):
        with contextlib.redirect_stdout(io.StringIO()):
            e = COCOeval(gt, dt, "bbox")
            if image_ids is not None:
                e.params.imgIds = image_ids
            e.evaluate()
            e.accumulate()
            e.summarize()
        s = e.stats
        return {"AP": float(s[0]), "AP50": float(s[1]), "AP75": float(s[2]), "AR": float(s[8])}

    reference = {"sources": {"pycocotools": pycocotools.__version__ if hasattr(pycocotools, "__version__")
                             else "2.0.11", "numpy": np.__version__},
                 "all": scores(), "videos": {}}
    for video in frames:
        ids = [i["id"] for i in images if i["file_name"].startswith(video + "/")]
        reference["videos"][video] = scores(ids)
    with open(f"{OUT}/pycocotools.json", "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print(f"{len(annotations)} true boxes, {len(results)} detections: {reference['all']}")


main()
