#!/usr/bin/env python3
"""Scores made-up predictions on the real VidSTG sample with a port of TubeDETR's
VidSTG evaluator (antoyang/TubeDETR d70c0eed, datasets/vidstg_eval.py: the frame
sampling of VidSTGiouEvaluator.__init__ and the tIoU/vIoU of evaluate, util/box_ops.py
np_box_iou) and V-STaR's calculate_temporal_iou (eval.py), and writes the predictions
with the scores as a fixture the Rust tests compare with.

The records become TubeDETR's entries as preproc/preproc_vidstg.py makes them: one per
sentence, start_frame/end_frame from used_segment, tube_start_frame/tube_end_frame from
temporal_gt, boxes xywh from VidOR's corners."""
import json
import sys

import numpy as np

FIXTURES = "annotate/tests/fixtures"
records = json.load(open(f"{FIXTURES}/formats/vidstg/test_annotations_11566930393.json"))
vidor = json.load(open(f"{FIXTURES}/formats/vidstg/vidor_11566930393.json"))

# preproc_vidstg.py: trajectories[tid][frame] = xywh.
trajectories = {}
for i_frame, rois in enumerate(vidor["trajectories"]):
    for roi in rois:
        b = roi["bbox"]
        trajectories.setdefault(roi["tid"], {})[i_frame] = [
            b["xmin"], b["ymin"], b["xmax"] - b["xmin"], b["ymax"] - b["ymin"]]


def np_box_iou(boxes1, boxes2):
    area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    lt = np.maximum(boxes1[:, None, :2], boxes2[:, :2])
    rb = np.minimum(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clip(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter / (area(boxes1)[:, None] + area(boxes2) - inter)


def frame_ids_of(video, fps=5, video_max_len=200):
    sampling_rate = fps / video["fps"]
    start_frame, end_frame = video["start_frame"], video["end_frame"]
    frame_ids = [start_frame]
    for frame_id in range(start_frame, end_frame):
        if int(frame_ids[-1] * sampling_rate) < int(frame_id * sampling_rate):
            frame_ids.append(frame_id)
    if len(frame_ids) > video_max_len:
        frame_ids = [frame_ids[(j * len(frame_ids)) // video_max_len] for j in range(video_max_len)]
    return frame_ids


def evaluate(video, frame_ids, pred_sted, pred_boxes, fixed=True):
    """vidstg_eval.py's evaluate for one entry; fixed=False is its code before 3c32cc9
    (max_end = min(...)), the union that shrank."""
    gt_sted = [video["tube_start_frame"], video["tube_end_frame"]]
    inter_frames = [f for f in frame_ids if gt_sted[0] <= f < gt_sted[1]]
    max_start = max(gt_sted[0], pred_sted[0])
    min_end = min(gt_sted[1], pred_sted[1])
    min_start = min(gt_sted[0], pred_sted[0])
    max_end = max(gt_sted[1], pred_sted[1]) if fixed else min(gt_sted[1], pred_sted[1])
    if min_end <= max_start:
        tiou = 0
    else:
        intersection = min_end - max_start
        union = (gt_sted[1] - gt_sted[0]) + (pred_sted[1] - pred_sted[0]) - intersection
        tiou = intersection / union
    union_predgt = [f for f in frame_ids if min_start <= f < max_end]
    inter_predgt = set(f for f in frame_ids if max_start <= f < min_end)
    viou = 0
    for frame_id in inter_frames:
        x1, y1, w, h = trajectories[video["target_id"]][frame_id]
        gt = [[x1, y1, x1 + w, y1 + h]]
        iou = np_box_iou(np.array([pred_boxes[frame_id]]), np.array(gt))[0][0]
        if frame_id in inter_predgt:
            viou += iou
    viou = viou / max(len(union_predgt), 1)
    return float(tiou), float(viou)


def vstar_tiou(gt_range, pred_range):
    gt_start, gt_end = gt_range
    pred_start, pred_end = pred_range
    intersection = max(0, min(gt_end, pred_end) - max(gt_start, pred_start))
    union = max(gt_end, pred_end) - min(gt_start, pred_start)
    return intersection / union if union > 0 else 0.0


# Made-up predictions, one per sentence: the true span moved and stretched, the true
# box moved (and, on every fourth frame, a box elsewhere), so that spans overlap, nest,
# miss and touch.
SHIFTS = [(0, 0, 0), (6, -4, 9), (-40, 30, -3), (15, 15, 40), (-300, -250, 5), (0, 60, 2), (-5, 5, 25), (30, 120, 0)]
cases = []
for i, record in enumerate(records):
    sentences = [("captions", k, s) for k, s in enumerate(record["captions"])]
    sentences += [("questions", k, s) for k, s in enumerate(record["questions"])]
    for kind, k, sentence in sentences:
        video = {
            "fps": record["fps"],
            "start_frame": record["used_segment"]["begin_fid"],
            "end_frame": record["used_segment"]["end_fid"],
            "tube_start_frame": record["temporal_gt"]["begin_fid"],
            "tube_end_frame": record["temporal_gt"]["end_fid"],
            "target_id": sentence["target_id"],
        }
        n = len(cases)
        ds, de, dx = SHIFTS[n % len(SHIFTS)]
        pred_sted = [max(video["start_frame"], video["tube_start_frame"] + ds),
                     max(video["start_frame"] + 1, video["tube_end_frame"] + de)]
        frame_ids = frame_ids_of(video)
        target = trajectories[video["target_id"]]
        pred_boxes = {}
        # TubeDETR predicts a box on every sampled frame; those outside both spans do not count.
        for f in frame_ids:
            if f in target and f % 4:
                x, y, w, h = target[f]
                pred_boxes[f] = [x + dx, y + dx / 2, x + w + dx, y + h - dx / 3]
            else:
                pred_boxes[f] = [10.0, 10.0, 200.0, 150.5]
        tiou, viou = evaluate(video, frame_ids, pred_sted, pred_boxes)
        _, viou_old = evaluate(video, frame_ids, pred_sted, pred_boxes, fixed=False)
        fps = record["fps"]
        cases.append({
            "record": i, "sentence": kind, "index": k, "target_id": video["target_id"],
            "frame_ids": frame_ids, "pred_sted": pred_sted,
            "pred_boxes": {str(f): b for f, b in sorted(pred_boxes.items())},
            "tiou": tiou, "viou": viou, "viou_before_fix": viou_old,
            "vstar_tiou": vstar_tiou([video["tube_start_frame"] / fps, video["tube_end_frame"] / fps],
                                     [pred_sted[0] / fps, pred_sted[1] / fps]),
        })

tious = [c["tiou"] for c in cases]
vious = [c["viou"] for c in cases]
out = {
    "source": "scripts/eval_reference.py: TubeDETR d70c0eed datasets/vidstg_eval.py and V-STaR eval.py, ported",
    "numpy": np.__version__,
    "cases": cases,
    "m_tIoU": float(np.mean(tious)),
    "R1@0.3": float(np.mean([1 if t >= 0.3 else 0 for t in tious])),
    "R1@0.5": float(np.mean([1 if t >= 0.5 else 0 for t in tious])),
    "R1@0.7": float(np.mean([1 if t >= 0.7 else 0 for t in tious])),
    "m_vIoU": float(np.mean(vious)),
    "vIoU@0.3": float(np.mean([1 if v > 0.3 else 0 for v in vious])),
    "vIoU@0.5": float(np.mean([1 if v > 0.5 else 0 for v in vious])),
}
path = f"{FIXTURES}/eval/vidstg_tubedetr.json"
json.dump(out, open(path, "w"), indent=1)
print(path, len(cases), "cases;", {k: round(v, 4) for k, v in out.items() if k[0] in "mRv"})
