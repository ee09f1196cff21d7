#!/usr/bin/env python3
"""Prints every MELD utterance (train, dev, test) on its own line, for the tokenizer tests.

Usage: meld_utterances.py MELD_DIR > utterances.txt
Python's csv module reads the files (CRLF, quoted fields); line breaks inside an utterance would
break the one-per-line format, so the script refuses them rather than guess.
"""
import csv
import sys

count = 0
for split in ("train", "dev", "test"):
    with open(f"{sys.argv[1]}/{split}_sent_emo.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = row["Utterance"]
            if "\n" in text or "\r" in text:
                sys.exit(f"{split}: an utterance spans lines: {text!r}")
            sys.stdout.write(text + "\n")
            count += 1
print(f"{count} utterances", file=sys.stderr)
