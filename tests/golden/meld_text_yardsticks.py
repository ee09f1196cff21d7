#!/usr/bin/env python3
"""MELD text yardsticks by scikit-learn (Debian's), on the same CSVs the checkpoint test reads.

Usage: meld_text_yardsticks.py MELD_FOLDER [PREDICTIONS.csv]
Trains on train_sent_emo.csv, scores test_sent_emo.csv (2,610 utterances) and prints JSON:
  majority:  the most frequent training label for every utterance
  tfidf_lr:  TF-IDF of word 1-2 grams + logistic regression (C=4)
  ours:      (with PREDICTIONS.csv of "gold,prediction" rows) the same metrics for those predictions
Each with weighted F1, accuracy and per-class F1 in MELD's official label order.
"""
import csv
import json
import sys

from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

LABELS = ["neutral", "surprise", "fear", "sadness", "joy", "disgust", "anger"]


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["Utterance"] for r in rows], [r["Emotion"].strip().lower() for r in rows]


def scores(gold, predicted):
    per_class = f1_score(gold, predicted, labels=LABELS, average=None, zero_division=0)
    return {
        "weighted_f1": f1_score(gold, predicted, labels=LABELS, average="weighted", zero_division=0),
        "accuracy": accuracy_score(gold, predicted),
        "per_class_f1": dict(zip(LABELS, [float(x) for x in per_class])),
    }


def main():
    folder = sys.argv[1]
    train_text, train_gold = read(f"{folder}/train_sent_emo.csv")
    test_text, test_gold = read(f"{folder}/test_sent_emo.csv")
    out = {"test_utterances": len(test_gold)}
    majority = DummyClassifier(strategy="most_frequent").fit(train_text, train_gold)
    out["majority"] = scores(test_gold, majority.predict(test_text))
    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    model = LogisticRegression(C=4, max_iter=2000).fit(vectorizer.fit_transform(train_text), train_gold)
    out["tfidf_lr"] = scores(test_gold, model.predict(vectorizer.transform(test_text)))
    if len(sys.argv) > 2:
        with open(sys.argv[2], encoding="utf-8", newline="") as f:
            rows = [r for r in csv.reader(f)]
        out["ours"] = scores([r[0] for r in rows], [r[1] for r in rows])
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
