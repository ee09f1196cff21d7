#!/usr/bin/env python3
"""Reference values for the metrics test: scikit-learn and numpy (Debian's), as MMSA computes them.

Usage: metrics_reference.py CLASSIFY.csv REGRESS_MOSI.csv REGRESS_SIMS.csv OUT.json
CLASSIFY.csv: "gold,pred" label pairs (one case per blank-line-separated block);
REGRESS_*.csv: "gold,pred" numbers, likewise. Undefined values are written as null.
"""
import json
import math
import sys
import warnings

import numpy as np
from sklearn.metrics import accuracy_score, cohen_kappa_score, confusion_matrix, f1_score, precision_recall_fscore_support

warnings.filterwarnings("ignore")


def blocks(path):
    cases, current = [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line:
            if current:
                cases.append(current)
            current = []
            continue
        current.append(line.split(","))
    if current:
        cases.append(current)
    return cases


def finite(x):
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def classify(rows):
    gold = [r[0] for r in rows]
    pred = [r[1] for r in rows]
    labels = sorted(set(gold) | set(pred))
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    return {
        "labels": labels,
        "accuracy": accuracy_score(gold, pred),
        "weighted_f1": f1_score(gold, pred, average="weighted", zero_division=0),
        "macro_f1": f1_score(gold, pred, average="macro", zero_division=0),
        "precision": list(p), "recall": list(r), "f1": list(f), "support": [int(x) for x in s],
        "confusion": confusion_matrix(gold, pred, labels=labels).tolist(),
        "kappa": finite(cohen_kappa_score(gold, pred)),
    }


def corr(a, b):
    with np.errstate(all="ignore"):
        return finite(np.corrcoef(a, b)[0][1])


def mosi(rows):
    truth = np.array([float(r[0]) for r in rows])
    preds = np.array([float(r[1]) for r in rows])
    out = {"mae": float(np.mean(np.absolute(preds - truth))), "pearson": corr(preds, truth)}
    out["acc7"] = float(np.sum(np.round(np.clip(preds, -3, 3)) == np.round(np.clip(truth, -3, 3))) / len(truth))
    out["acc5"] = float(np.sum(np.round(np.clip(preds, -2, 2)) == np.round(np.clip(truth, -2, 2))) / len(truth))
    non_zeros = np.array([i for i, e in enumerate(truth) if e != 0])
    if len(non_zeros):
        t, p = truth[non_zeros] > 0, preds[non_zeros] > 0
        out["acc2_nonzero"] = accuracy_score(p, t)
        out["f1_nonzero"] = f1_score(t, p, average="weighted", zero_division=0)
    else:
        out["acc2_nonzero"] = out["f1_nonzero"] = None
    t, p = truth >= 0, preds >= 0
    out["acc2_nonnegative"] = accuracy_score(p, t)
    out["f1_nonnegative"] = f1_score(t, p, average="weighted", zero_division=0)
    return out


def binned(values, edges):
    out = values.copy()
    for i in range(len(edges) - 1):
        out[np.logical_and(values > edges[i], values <= edges[i + 1])] = i
    return out


def sims(rows):
    truth = np.clip(np.array([float(r[0]) for r in rows]), -1, 1)
    preds = np.clip(np.array([float(r[1]) for r in rows]), -1, 1)
    out = {"mae": float(np.mean(np.absolute(preds - truth))), "pearson": corr(preds, truth)}
    two, three, five = [-1.01, 0.0, 1.01], [-1.01, -0.1, 0.1, 1.01], [-1.01, -0.7, -0.1, 0.1, 0.7, 1.01]
    p2, t2 = binned(preds, two), binned(truth, two)
    out["acc2"] = float(np.sum(p2 == t2) / len(t2))
    out["f1"] = f1_score(t2, p2, average="weighted", zero_division=0)
    out["acc3"] = float(np.sum(binned(preds, three) == binned(truth, three)) / len(truth))
    out["acc5"] = float(np.sum(binned(preds, five) == binned(truth, five)) / len(truth))
    weak = [i for i in np.where(truth >= -0.4)[0] if i in np.where(truth <= 0.4)[0]]
    out["acc2_weak"] = float(np.sum(binned(preds[weak], two) == binned(truth[weak], two)) / len(weak)) if weak else None
    return out


if __name__ == "__main__":
    result = {
        "classify": [classify(c) for c in blocks(sys.argv[1])],
        "mosi": [mosi(c) for c in blocks(sys.argv[2])],
        "sims": [sims(c) for c in blocks(sys.argv[3])],
    }
    json.dump(result, open(sys.argv[4], "w"))
