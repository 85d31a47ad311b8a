#!/usr/bin/env python3
"""Scores made-up answers with ports of VSI-Bench's answer scoring
(vision-x-nyu/thinking-in-space, lmms_eval/tasks/vsibench/utils.py: fuzzy_matching,
exact_match, mean_relative_accuracy, to_float, vsibench_process_results) and SQuAD
v1.1's normalize_answer (evaluate-v1.1.py), and writes them as a fixture."""
import json
import re
import string

import numpy as np


def fuzzy_matching(pred):
    return pred.split(' ')[0].rstrip('.').strip()


def exact_match(pred, target):
    return 1. if pred.lower() == target.lower() else 0.


def abs_dist_norm(pred, target):
    return abs(pred - target) / target


def mean_relative_accuracy(pred, target, start, end, interval):
    num_pts = (end - start) / interval + 2
    conf_intervs = np.linspace(start, end, int(num_pts))
    accuracy = abs_dist_norm(pred, target) <= 1 - conf_intervs
    return accuracy.mean()


def to_float(pred):
    try:
        pred = float(pred)
    except BaseException:
        pred = None
    return pred


def multiple_choice(prediction, ground_truth):
    return exact_match(fuzzy_matching(prediction), ground_truth)


def numeric(prediction, ground_truth):
    try:
        return float(mean_relative_accuracy(to_float(fuzzy_matching(prediction)), to_float(ground_truth),
                                            start=.5, end=.95, interval=.05))
    except TypeError:
        return 0.


def normalize_answer(s):
    def remove_articles(text):
        return re.sub(r'\b(a|an|the)\b', ' ', text)

    def white_space_fix(text):
        return ' '.join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return ''.join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


OPTIONS = ["A. chair", "B. table", "C. sofa", "D. bed"]
CHOICES = ["B", "b.", "B. table", "B is the one", "C", "A.", "(B)", "B)", "E", "", "b.. yes"]
NUMBERS = [("3", "3"), ("3", "2"), ("3", "4.5 metres"), ("2.5", "2.4"), ("2.5", "2.25"), ("10", "1e1"),
           ("1.8", "1.35"), ("1.8", "2.61"), ("4", "two"), ("4", "nan"), ("4", "inf"), ("4", "-4"),
           ("0.5", "0.275"), ("12", "6"), ("12", "18.000"), ("7", "7.")]
WORDS = [("the cat", "The cat."), ("the cat", "a cat"), ("red car", "A  red car!"), ("apple", "an apple"),
         ("anthem", "Anthem"), ("end", "the–end"), ("–end", "the–end"), ("dont", "Don't"), ("naïve café", "Naïve Café"),
         ("cat", "cats"), ("the", "a"), ("a b", "a_b")]

cases = [{"rule": "choice", "options": OPTIONS, "answer": "B", "prediction": p, "score": multiple_choice(p, "B")}
         for p in CHOICES]
cases += [{"rule": "number", "options": [], "answer": a, "prediction": p, "score": numeric(p, a)} for a, p in NUMBERS]
cases += [{"rule": "exact", "options": [], "answer": a, "prediction": p,
           "score": 1. if normalize_answer(p) == normalize_answer(a) else 0.,
           "normalized": [normalize_answer(a), normalize_answer(p)]} for a, p in WORDS]
out = {"source": "scripts/eval_answers_reference.py: VSI-Bench utils.py and SQuAD v1.1 normalize_answer, ported",
       "numpy": np.__version__, "cases": cases,
       "accuracy": float(np.mean([c["score"] for c in cases]))}
path = "annotate/tests/fixtures/eval/answers_vsibench_squad.json"
json.dump(out, open(path, "w"), indent=1, ensure_ascii=False)
print(path, len(cases), "cases, mean score", round(out["accuracy"], 6))
