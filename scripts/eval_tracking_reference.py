#!/usr/bin/env python3
"""Writes small MOTChallenge sequences (ground truth, seqinfo.ini, a tracker's results)
and scores them with TrackEval 1.3.0 from PyPI (HOTA, CLEAR, Identity; MOT17 with its
preprocessing, and MOT15 without) into trackeval.json, the fixture the Rust tracking
tests compare with (eval_motmetrics_reference.py scores the same files). It also
writes SciPy's linear_sum_assignment of tie-heavy matrices, which the assignment solver
must reproduce pair for pair.

Cases: random sequences (objects moving, a tracker with noise, misses, false
positives, an identity swap and a fragmented track), a set of traps (an object that
comes back beside a better-fitting tracker id, where the two references differ;
distractor classes and zero-marked boxes; duplicate tracker boxes, which tie the
matching), a sequence the tracker never saw, and one whose only ground truth is
zero-marked. Coordinates are on a quarter-pixel grid, so 32-bit floats hold them."""
import json
import os
import shutil
import sys

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment

import trackeval

OUT = "annotate/tests/fixtures/eval/tracking"
TRACKER = "tracker"


def q(v):
    return np.round(np.asarray(v, dtype=float) * 4) / 4


def random_case(seed, frames, objects):
    rng = np.random.default_rng(seed)
    gt, tr = [], []
    next_id = objects + 1
    fragment_at = frames // 3
    for o in range(objects):
        w, h = q(rng.uniform(30, 90)), q(rng.uniform(60, 180))
        x, y = rng.uniform(0, 640 - w), rng.uniform(0, 480 - h)
        vx, vy = rng.uniform(-3, 3), rng.uniform(-2, 2)
        first = int(rng.integers(1, frames // 4))
        last = int(rng.integers(frames * 3 // 4, frames + 1))
        fragment_id = next_id
        next_id += 1
        for f in range(first, last + 1):
            bx, by = q(x + vx * (f - first)), q(y + vy * (f - first))
            consider = 0 if rng.random() < 0.03 else 1
            gt.append((f, o + 1, bx, by, w, h, consider, 1, 1.0))
            if rng.random() < 0.1:
                continue  # missed
            tid = o + 1
            # Objects 1 and 2 swap ids two thirds in; object 3 is a new id a third in.
            if o in (0, 1) and f > frames * 2 // 3:
                tid = 2 - o
            if o == 2 and f > fragment_at:
                tid = fragment_id
            n = rng.normal(0, 0.12 * w, 4) if rng.random() < 0.8 else rng.normal(0, 0.3 * w, 4)
            tw, th = max(2.0, q(w + n[2])), max(2.0, q(h + n[3]))
            tr.append((f, tid, q(bx + n[0]), q(by + n[1]), tw, th))
    for f in range(1, frames + 1):
        for _ in range(int(rng.integers(0, 3))):
            tr.append((f, next_id, q(rng.uniform(0, 560)), q(rng.uniform(0, 360)), q(rng.uniform(20, 80)),
                       q(rng.uniform(40, 120))))
            next_id += 1
    return gt, tr


def comeback_case():
    """Object 1 is gone on frames 4-5 while object 2 stays; back on frame 6, tracker id
    2 fits it better than id 1, which it had before."""
    gt, tr = [], []
    for f in range(1, 9):
        gt.append((f, 2, 300.0, 100.0, 50.0, 100.0, 1, 1, 1.0))
        tr.append((f, 3, 301.0, 101.0, 50.0, 100.0))
        if f in (4, 5):
            continue
        gt.append((f, 1, 100.0, 100.0, 50.0, 100.0, 1, 1, 1.0))
        tr.append((f, 1, 108.0, 104.0, 50.0, 100.0))
        if f >= 6:
            tr.append((f, 2, 101.0, 100.0, 50.0, 100.0))
    return gt, tr


def distractor_case():
    """A person on a vehicle (class 2) and a static person (class 7) with tracker boxes
    on them, a car (class 3), and a pedestrian zero-marked on some frames."""
    gt, tr = [], []
    for f in range(1, 11):
        gt.append((f, 1, 50.0 + f, 60.0, 40.0, 90.0, 1, 1, 1.0))
        gt.append((f, 2, 200.0, 60.0, 40.0, 90.0, 1, 2, 1.0))
        gt.append((f, 3, 300.0, 200.0, 40.0, 90.0, 1, 7, 1.0))
        gt.append((f, 4, 400.0, 300.0, 120.0, 60.0, 0, 3, 1.0))
        gt.append((f, 5, 500.0, 60.0, 40.0, 90.0, 0 if f in (3, 4, 5) else 1, 1, 1.0))
        tr.append((f, 1, 52.0 + f, 61.0, 40.0, 90.0))
        tr.append((f, 2, 202.0, 62.0, 40.0, 90.0))
        if f % 2:
            tr.append((f, 3, 300.5, 200.5, 40.0, 90.0))
        tr.append((f, 4, 402.0, 301.0, 120.0, 60.0))
        tr.append((f, 5, 501.0, 61.0, 40.0, 90.0))
    return gt, tr


def ties_case():
    """Two tracker ids draw the same box on one object; a third on both of two
    overlapping objects alike."""
    gt, tr = [], []
    for f in range(1, 7):
        gt.append((f, 1, 100.0, 100.0, 40.0, 80.0, 1, 1, 1.0))
        gt.append((f, 2, 300.0, 100.0, 40.0, 80.0, 1, 1, 1.0))
        gt.append((f, 3, 310.0, 100.0, 40.0, 80.0, 1, 1, 1.0))
        tr.append((f, 7, 102.0, 100.0, 40.0, 80.0))
        tr.append((f, 8, 102.0, 100.0, 40.0, 80.0))
        tr.append((f, 9, 305.0, 100.0, 40.0, 80.0))
    return gt, tr


def write(folder, seq, frames, gt, tr, gt_columns):
    os.makedirs(f"{folder}/gt/{seq}/gt", exist_ok=True)
    os.makedirs(f"{folder}/trackers/{TRACKER}/data", exist_ok=True)
    with open(f"{folder}/gt/{seq}/seqinfo.ini", "w") as f:
        f.write(f"[Sequence]\nname={seq}\nimDir=img1\nframeRate=25\nseqLength={frames}\n"
                "imWidth=640\nimHeight=480\nimExt=.jpg\n")
    fmt = lambda v: f"{v:g}"
    with open(f"{folder}/gt/{seq}/gt/gt.txt", "w") as f:
        for r in sorted(gt, key=lambda r: (r[0], r[1])):
            cells = r if gt_columns == 9 else (*r[:6], 1, -1, -1, -1)
            f.write(",".join(fmt(v) for v in cells) + "\n")
    with open(f"{folder}/trackers/{TRACKER}/data/{seq}.txt", "w") as f:
        for r in sorted(tr, key=lambda r: (r[0], r[1])):
            f.write(",".join(fmt(v) for v in (*r, 1, -1, -1, -1)) + "\n")


FIELDS = {
    "HOTA": ["HOTA", "DetA", "AssA", "LocA", "DetRe", "DetPr", "AssRe", "AssPr"],
    "CLEAR": ["MOTA", "MOTP", "MODA", "IDSW", "CLR_FP", "CLR_FN", "CLR_TP", "MT", "PT", "ML", "Frag"],
    "Identity": ["IDF1", "IDR", "IDP"],
}


def trackeval_scores(folder, seqs, benchmark):
    evaluator = trackeval.Evaluator({
        "USE_PARALLEL": False, "PRINT_RESULTS": False, "PRINT_ONLY_COMBINED": False, "PRINT_CONFIG": False,
        "TIME_PROGRESS": False, "DISPLAY_LESS_PROGRESS": True, "OUTPUT_SUMMARY": False,
        "OUTPUT_EMPTY_CLASSES": False, "OUTPUT_DETAILED": False, "PLOT_CURVES": False, "BREAK_ON_ERROR": True,
    })
    dataset = trackeval.datasets.MotChallenge2DBox({
        "GT_FOLDER": f"{folder}/gt", "TRACKERS_FOLDER": f"{folder}/trackers", "TRACKERS_TO_EVAL": [TRACKER],
        "BENCHMARK": benchmark, "SKIP_SPLIT_FOL": True, "SEQ_INFO": seqs, "PRINT_CONFIG": False,
        "OUTPUT_FOLDER": "/tmp/vidence-trackeval-out",
    })
    metrics = [trackeval.metrics.HOTA(), trackeval.metrics.CLEAR({"PRINT_CONFIG": False}),
               trackeval.metrics.Identity({"PRINT_CONFIG": False})]
    res, _ = evaluator.evaluate([dataset], metrics)
    out = {}
    for seq, by_class in res["MotChallenge2DBox"][TRACKER].items():
        r = by_class["pedestrian"]
        row = {}
        for metric, names in FIELDS.items():
            for name in names:
                v = r[metric][name]
                row[name.replace("CLR_", "")] = float(np.mean(v))
        out["combined" if seq == "COMBINED_SEQ" else seq] = row
    return out


def lsap_cases():
    rng = np.random.default_rng(5)
    cases = []
    for rows, cols in [(3, 3), (4, 6), (6, 4), (5, 5), (2, 7), (7, 7)]:
        for _ in range(10):
            cost = np.floor(rng.random((rows, cols)) * 3) - 1
            r, c = linear_sum_assignment(cost)
            cases.append({"cost": cost.tolist(), "pairs": [[int(a), int(b)] for a, b in zip(r, c)]})
    return cases


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    mot17 = f"{OUT}/mot17"
    seqs17 = {}
    for seq, frames, (gt, tr) in [
        ("random-a", 120, random_case(1, 120, 8)),
        ("random-b", 80, random_case(2, 80, 5)),
        ("comeback", 8, comeback_case()),
        ("distractors", 10, distractor_case()),
        ("ties", 6, ties_case()),
        ("unseen", 20, (random_case(3, 20, 3)[0], [])),
        ("all-zero-marked", 5, ([(f, 1, 10.0, 10.0, 20.0, 40.0, 0, 1, 1.0) for f in range(1, 6)],
                                [(f, 1, 10.0, 10.0, 20.0, 40.0) for f in range(1, 6)])),
    ]:
        write(mot17, seq, frames, gt, tr, 9)
        seqs17[seq] = frames
    mot15 = f"{OUT}/mot15"
    seqs15 = {}
    for seq, frames, (gt, tr) in [("plain-a", 60, random_case(4, 60, 6)), ("plain-b", 40, random_case(6, 40, 4))]:
        write(mot15, seq, frames, gt, tr, 10)
        seqs15[seq] = frames
    reference = {
        "sources": {"trackeval": "1.3.0", "numpy": np.__version__, "scipy": scipy.__version__},
        "mot17": trackeval_scores(mot17, seqs17, "MOT17"),
        "mot15": trackeval_scores(mot15, seqs15, "MOT15"),
        "lsap": lsap_cases(),
    }
    with open(f"{OUT}/trackeval.json", "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    t = reference["mot17"]["combined"]
    print(f"MOT17 combined: HOTA {t['HOTA']:.4f} MOTA {t['MOTA']:.4f} IDF1 {t['IDF1']:.4f}", file=sys.stderr)


main()
