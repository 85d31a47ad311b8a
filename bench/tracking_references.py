#!/usr/bin/env python3
"""Times TrackEval (HOTA, CLEAR, Identity, MOT17 preprocessing) or py-motmetrics (MOTA,
MOTP, IDF1 and the counts) on the MOTChallenge files in DIR, from reading them to the
scores, three times; prints the median seconds and the scores on its last line.
Usage: tracking_references.py trackeval|motmetrics DIR"""
import statistics
import sys
import time


def trackeval_once(folder):
    import trackeval
    evaluator = trackeval.Evaluator({
        "USE_PARALLEL": False, "PRINT_RESULTS": False, "PRINT_CONFIG": False, "TIME_PROGRESS": False,
        "OUTPUT_SUMMARY": False, "OUTPUT_DETAILED": False, "PLOT_CURVES": False, "DISPLAY_LESS_PROGRESS": True,
    })
    dataset = trackeval.datasets.MotChallenge2DBox({
        "GT_FOLDER": f"{folder}/gt", "TRACKERS_FOLDER": f"{folder}/trackers", "TRACKERS_TO_EVAL": ["tracker"],
        "BENCHMARK": "MOT17", "SKIP_SPLIT_FOL": True, "SEQ_INFO": {"bench": None}, "PRINT_CONFIG": False,
        "OUTPUT_FOLDER": "/tmp/vidence-trackeval-bench",
    })
    metrics = [trackeval.metrics.HOTA(), trackeval.metrics.CLEAR({"PRINT_CONFIG": False}),
               trackeval.metrics.Identity({"PRINT_CONFIG": False})]
    started = time.perf_counter()
    res, _ = evaluator.evaluate([dataset], metrics)
    seconds = time.perf_counter() - started
    r = res["MotChallenge2DBox"]["tracker"]["COMBINED_SEQ"]["pedestrian"]
    return seconds, f"HOTA {r['HOTA']['HOTA'].mean():.6f} MOTA {r['CLEAR']['MOTA']:.6f} IDF1 {r['Identity']['IDF1']:.6f}"


def motmetrics_once(folder):
    import motmetrics as mm
    started = time.perf_counter()
    gt = mm.io.loadtxt(f"{folder}/gt/bench/gt/gt.txt", fmt="mot15-2D", min_confidence=1)
    ts = mm.io.loadtxt(f"{folder}/trackers/tracker/data/bench.txt", fmt="mot15-2D")
    acc = mm.utils.compare_to_groundtruth(gt, ts, "iou", distth=0.5)
    summary = mm.metrics.create().compute(acc, metrics=["mota", "motp", "idf1", "num_switches"], name="bench")
    seconds = time.perf_counter() - started
    row = summary.iloc[0]
    return seconds, f"MOTA {row['mota']:.6f} IDF1 {row['idf1']:.6f} IDSW {int(row['num_switches'])}"


def main():
    tool, folder = sys.argv[1], sys.argv[2]
    once = {"trackeval": trackeval_once, "motmetrics": motmetrics_once}[tool]
    runs = [once(folder) for _ in range(3)]
    seconds = statistics.median(s for s, _ in runs)
    print(f"{seconds:.6f} {runs[-1][1]} (median of 3)")


main()
