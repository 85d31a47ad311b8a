#!/usr/bin/env python3
"""Writes V-STaR items, a model's result file on them and a judge's scores, and scores
them with a port of V-STaR's eval.py (V-STaR-Bench/V-STaR 1894682b, last changed in
18a1c85: calculate_temporal_iou, compute_iou, calculate_bbox_iou,
calculate_spatial_metrics, evaluate_json and print_stats), its Qwen2.5-72B judge
replaced by the committed scores. The output is the fixture the Rust V-STaR tests
compare with: each item's scores and the aggregates overall, by length and by domain.

The traps: a box timestamp written 2.0 that the model's key "2" never matches (and one
written 2 that "2.0" never matches), seconds the object has no box on (ignored), a
second with several boxes (the best counts), answers that did not parse ([], null, a
list), a temporal answer given as text, items with no what answer (left out of every
mean but counted in the overall accuracy), a judge reply that is no number (-1, not
right), and a domain whose accuracy is 1, where LGM would take log(0): eval.py raises
there, this port (as Vidence) gives none."""
import ast
import json
import math
import os
import random

import numpy as np

OUT = "annotate/tests/fixtures/eval/vstar"
THRESHOLDS = [0.1, 0.3, 0.5, 0.7, 0.9]


def temporal_iou(gt, pred):
    if not pred:
        return 0.0
    if isinstance(pred, str):
        try:
            pred = ast.literal_eval(pred)
        except (ValueError, SyntaxError):
            return 0.0
    if not isinstance(pred, (list, tuple)) or len(pred) != 2 or not all(isinstance(x, (int, float)) for x in pred):
        return 0.0
    inter = max(0, min(gt[1], pred[1]) - max(gt[0], pred[0]))
    union = max(gt[1], pred[1]) - min(gt[0], pred[0])
    return inter / union if union > 0 else 0.0


def box_iou(gt, pred):
    if not isinstance(pred, (list, tuple)) or len(pred) != 4:
        return 0.0
    x1, y1 = max(gt["xmin"], pred[0]), max(gt["ymin"], pred[1])
    x2, y2 = min(gt["xmax"], pred[2]), min(gt["ymax"], pred[3])
    inter = max(0, x2 - x1) * max(0, y2 - y1)
    union = (gt["xmax"] - gt["xmin"]) * (gt["ymax"] - gt["ymin"]) + (pred[2] - pred[0]) * (pred[3] - pred[1]) - inter
    return inter / union if union > 0 else 0.0


def best_iou(gt, preds):
    try:
        if not preds:
            return 0.0
        if isinstance(preds[0], (int, float)) and len(preds) == 4:
            preds = [preds]
        return max(box_iou(gt, p) for p in preds)
    except Exception:
        return 0.0


def spatial(gt_boxes, pred):
    if not pred:
        return [0.0] * 5, 0.0
    ious = []
    for b in gt_boxes:
        key = str(b["timestamp"])
        ious.append(best_iou(b, pred[key]) if key in pred else 0.0)
    miou = float(np.mean(ious)) if ious else 0.0
    aps = [float(np.mean([1 if i >= t else 0 for i in ious])) if ious else 0.0 for t in THRESHOLDS]
    return aps, miou


def stats(rows, total):
    acc = sum(1 for r in rows if r["VQA_score"] >= 2) / total
    out = {"items": total, "answered": len(rows), "accuracy": acc}
    for c, (t, s, ap) in enumerate([("temporal_IoU", "spatial_mIoU", "AP1"), ("temporal_IoU_2", "spatial_mIoU_2", "AP2")]):
        tious = [r[t] for r in rows]
        mt, mv = float(np.mean(tious)), float(np.mean([r[s] for r in rows]))
        terms = [acc, mt, mv]
        out[f"chain{c + 1}"] = {
            "m_tIoU": mt,
            "R1@0.3": float(np.mean([1 if i >= 0.3 else 0 for i in tious])),
            "R1@0.5": float(np.mean([1 if i >= 0.5 else 0 for i in tious])),
            "R1@0.7": float(np.mean([1 if i >= 0.7 else 0 for i in tious])),
            "m_vIoU": mv,
            "mAP@0.1:0.9": [float(np.mean([r[ap][k] for r in rows])) for k in range(5)],
            "AM": sum(terms) / 3,
            # eval.py: -(log(1 - acc) + log(1 - mt) + log(1 - mv)) / 3, which raises at a term of 1.
            "LGM": None if max(terms) >= 1 else -sum(math.log(1 - x) for x in terms) / 3,
        }
    out["mAM"] = (out["chain1"]["AM"] + out["chain2"]["AM"]) / 2
    lgms = [out["chain1"]["LGM"], out["chain2"]["LGM"]]
    out["mLGM"] = None if None in lgms else sum(lgms) / 2
    return out


def evaluate(data, judge):
    rows, durations, domains = [], {}, {}
    for idx, item in enumerate(data):
        length = round(item["frame_count"] / item["fps"], 2)
        duration = "short" if length < 60 else "medium" if length < 180 else "long"
        domain = item.get("domain", "unknown")
        if not item.get("answer_vqa"):
            continue
        row = {"index": idx, "VQA_score": judge[str(idx)]}
        row["temporal_IoU"] = temporal_iou(item["timestamps"], item.get("answer_temporal"))
        row["temporal_IoU_2"] = temporal_iou(item["timestamps"], item.get("answer_temporal_2"))
        row["AP1"], row["spatial_mIoU"] = spatial(item["bboxes"], item.get("answer_spatial"))
        row["AP2"], row["spatial_mIoU_2"] = spatial(item["bboxes"], item.get("answer_spatial_2"))
        rows.append(row)
        durations.setdefault(duration, []).append(row)
        domains.setdefault(domain, []).append(row)
    return {
        "overall": stats(rows, len(data)),
        "by_duration": {k: stats(v, len(v)) for k, v in sorted(durations.items())},
        "by_domain": {k: stats(v, len(v)) for k, v in sorted(domains.items())},
        "items": rows,
    }


def make():
    rng = random.Random(11)
    r1 = lambda x: round(x, 1)
    videos = []
    for v in range(14):
        fps = [24.0, 25.0, 29.97, 30.0][v % 4]
        seconds = [40, 75, 200, 30, 150, 320, 55][v % 7] + v
        videos.append({"vid": f"clip{v:02d}", "domain": ["Sports", "Cooking", "Traffic", "Pets"][v % 4],
                       "fps": fps, "width": 1280, "height": 720, "frame_count": int(seconds * fps)})
    items, results, judge = [], [], {}
    for n in range(48):
        video = videos[n % len(videos)]
        length = video["frame_count"] / video["fps"]
        start = r1(rng.uniform(0, length * 0.6))
        end = r1(min(length - 1, start + rng.uniform(2, 12)))
        x, y = rng.uniform(50, 900), rng.uniform(50, 400)
        w, h = rng.uniform(40, 300), rng.uniform(40, 250)
        float_stamps = n % 5 == 1
        bboxes = []
        for t in range(math.ceil(start), math.floor(end) + 1):
            x, y = x + rng.uniform(-15, 15), y + rng.uniform(-10, 10)
            bboxes.append({"timestamp": float(t) if float_stamps else t, "frame_index": round(t * video["fps"]),
                           "xmin": r1(x), "ymin": r1(y), "xmax": r1(x + w), "ymax": r1(y + h)})
        item = dict(video, question=f"What happens in scene {n}?", chain="<think>Look, then decide.</think>",
                    object="person", answer=f"event {n}", temporal_question=f"When does event {n} happen?",
                    timestamps=[start, end], spatial_question=f"Where is the person during event {n}?",
                    spatial_question_2=f"Where is the person in scene {n}?", bboxes=bboxes)
        items.append(item)
        result = dict(item)
        if n % 9 == 4:
            results.append(result)  # the inference did not reach it
            continue
        result["answer_vqa"] = f"maybe event {n}"
        judge[str(n)] = -1 if n % 13 == 6 else rng.choice([0, 1, 2, 3, 3])
        # Sports items are all judged right, so the Sports domain's accuracy is 1.
        if video["domain"] == "Sports":
            judge[str(n)] = 3
        for suffix in ["", "_2"]:
            kind = rng.random()
            if kind < 0.1:
                result[f"answer_temporal_pre{suffix}"] = "I cannot tell."
                result[f"answer_temporal{suffix}"] = []
            else:
                s = max(0.0, r1(start + rng.uniform(-4, 4)))
                e = r1(max(s + 0.5, end + rng.uniform(-4, 4)))
                result[f"answer_temporal_pre{suffix}"] = f"From {s} to {e} seconds."
                result[f"answer_temporal{suffix}"] = f"[{s}, {e}]" if kind < 0.2 else [s, e]
            kind = rng.random()
            if kind < 0.08:
                result[f"answer_spatial_pre{suffix}"] = "Somewhere."
                result[f"answer_spatial{suffix}"] = None
            elif kind < 0.14:
                result[f"answer_spatial_pre{suffix}"] = "[[1, 2, 3, 4]]"
                result[f"answer_spatial{suffix}"] = [[10, 20, 300, 200]]
            else:
                answer = {}
                for b in bboxes:
                    if rng.random() < 0.2:
                        continue  # a second the model gave no box for
                    t = int(b["timestamp"])
                    # Keyed as the prompt asks: whole seconds; now and then as a float.
                    key = f"{t}.0" if rng.random() < 0.15 else str(t)
                    jitter = lambda v: r1(v + rng.uniform(-25, 25))
                    box = [jitter(b["xmin"]), jitter(b["ymin"]), jitter(b["xmax"]), jitter(b["ymax"])]
                    answer[key] = [box, [1.0, 1.0, 40.0, 40.0]] if rng.random() < 0.15 else box
                answer[str(math.floor(end) + 3)] = [5.0, 5.0, 50.0, 50.0]  # a second with no true box
                result[f"answer_spatial_pre{suffix}"] = json.dumps(answer)
                result[f"answer_spatial{suffix}"] = answer
        results.append(result)
    return items, results, judge


def main():
    items, results, judge = make()
    os.makedirs(OUT, exist_ok=True)
    for name, value in [("V_STaR.json", items), ("results.json", results), ("judge.json", judge)]:
        with open(f"{OUT}/{name}", "w") as f:
            json.dump(value, f, indent=1)
            f.write("\n")
    reference = evaluate(results, judge)
    with open(f"{OUT}/eval_py.json", "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    o = reference["overall"]
    print(f"V-STaR: {o['items']} items, {o['answered']} answered, accuracy {o['accuracy']:.4f}, "
          f"mAM {o['mAM']:.4f}, mLGM {o['mLGM']:.4f}")


if __name__ == "__main__":
    main()
