#!/usr/bin/env python3
"""Scores the sequences eval_tracking_reference.py wrote with py-motmetrics 1.4.0 from
PyPI (which needs numpy 1): MOTA, MOTP (a distance, 1 - IoU), IDF1 and the counts, as
motmetrics.json beside them. It knows no distractor classes, so the sequences with
them are left out; a zero-marked box is left out as its loader's min_confidence=1 does."""
import json
import os

import motmetrics as mm
import numpy as np

OUT = "annotate/tests/fixtures/eval/tracking"
TRACKER = "tracker"
WITH_DISTRACTORS = ("distractors", "all-zero-marked")


def motmetrics_scores(folder, seqs):
    accs, names = [], []
    for seq in seqs:
        gt = mm.io.loadtxt(f"{folder}/gt/{seq}/gt/gt.txt", fmt="mot15-2D", min_confidence=1)
        ts = mm.io.loadtxt(f"{folder}/trackers/{TRACKER}/data/{seq}.txt", fmt="mot15-2D")
        accs.append(mm.utils.compare_to_groundtruth(gt, ts, "iou", distth=0.5))
        names.append(seq)
    summary = mm.metrics.create().compute_many(
        accs, names=names, generate_overall=True,
        metrics=["mota", "motp", "idf1", "num_switches", "num_false_positives", "num_misses"])
    out = {}
    for name, row in summary.iterrows():
        out["combined" if name == "OVERALL" else name] = {
            # MOTP is NaN where nothing matched, which JSON cannot hold.
            "MOTA": float(row["mota"]), "MOTP_distance": None if np.isnan(row["motp"]) else float(row["motp"]),
            "IDF1": float(row["idf1"]),
            "IDSW": int(row["num_switches"]), "FP": int(row["num_false_positives"]), "FN": int(row["num_misses"]),
        }
    return out


def main():
    reference = {"sources": {"motmetrics": mm.__version__, "numpy": np.__version__}}
    for benchmark in ("mot17", "mot15"):
        folder = f"{OUT}/{benchmark}"
        seqs = sorted(s for s in os.listdir(f"{folder}/gt") if s not in WITH_DISTRACTORS)
        reference[benchmark] = {"sequences": seqs, **motmetrics_scores(folder, seqs)}
    with open(f"{OUT}/motmetrics.json", "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")


main()
