"""The training rows of the review corpus and their cross-validation folds.

The rules of crates/sentiment (`is_held_out`) and of its cross_validate example: a row is
held out when crc32(text as UTF-8) % 5 == 0 and is never read here; fold k holds the
training rows with crc32(text) // 5 % 5 == k.
"""
import csv
import zlib


def training_rows(path):
    """(text, label, source, fold) of every training row of the CSV at `path`."""
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            crc = zlib.crc32(r["text"].encode())
            if crc % 5 == 0:
                continue
            rows.append((r["text"], int(r["label"]), r["source"], crc // 5 % 5))
    return rows
