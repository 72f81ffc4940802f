"""Accuracy of the suggested cause and attack type (issue 6 item 3) on the labelled reports.

    .venv/bin/python bench/suggestions.py [--errors]

Reads ungcuu/incidents/tests/data/labelled_reports.csv (Vietnamese with and without diacritics, some English;
10 attack types and the non-attack causes of seed 003) and prints, per split: overall accuracy (cause and attack
type together: one label per report, the attack type for attacks, else the cause), cause accuracy, attack-type
accuracy on the attacks, coverage (a suggestion was made at all) and precision (a suggestion made was right);
then per label and the most frequent confusions on the splits other than "tuning", and the speed of the text
model. Text only: the system suggestion needs a registry and is covered by the tests. No database is used.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ungcuu.settings")
os.environ.setdefault("UNGCUU_DATA_DIR", str(Path(tempfile.mkdtemp(prefix="ungcuu-bench-")) / "data"))

import django  # noqa: E402

django.setup()

from ungcuu.incidents.suggestions import Suggestion, classify_text  # noqa: E402
from ungcuu.incidents.tests.data import labelled  # noqa: E402

SPLITS = ["tuning", "heldout", "fresh", "blind", "final"]


def text_only(text: str) -> Suggestion:
    cause, attack_type, scores = classify_text(text)
    return Suggestion(cause=cause, attack_type=attack_type, scores=scores)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="print every wrong suggestion")
    args = parser.parse_args()

    print("| split | reports | overall | cause | attack type (attacks) | coverage | precision |")
    print("|---|---|---|---|---|---|---|")
    results = {}
    for split in SPLITS:
        rows = labelled.load(split)
        if not rows:
            continue
        r = results[split] = labelled.evaluate(rows, text_only)
        print(f"| {split} | {r['n']} | {r['accuracy']:.3f} | {r['cause_accuracy']:.3f} | "
              f"{r['type_accuracy']:.3f} ({r['attacks']}) | {r['coverage']:.3f} | {r['precision']:.3f} |")

    untuned = [row for split in SPLITS if split != "tuning" for row in labelled.load(split)]
    r = labelled.evaluate(untuned, text_only)
    print(f"\nAll but tuning ({r['n']} reports): overall {r['accuracy']:.3f}\n")
    print("| label | right / reports |")
    print("|---|---|")
    for label, (ok, n) in r["per_label"].items():
        print(f"| {label} | {ok} / {n} ({ok / n:.2f}) |")
    print("\nMost frequent confusions (expected → suggested), all but tuning:")
    for (want, got), count in r["confusions"][:10]:
        print(f"- {want} → {got}: {count}")

    if args.errors:
        for split in SPLITS:
            for row in labelled.load(split):
                got = labelled.predicted(text_only(row["text"]))
                if got != labelled.expected(row):
                    print(f"[{split}] {labelled.expected(row)} → {got}: {row['text']}")

    texts = [row["text"] for row in labelled.load()]
    started = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for text in texts:
            classify_text(text)
    elapsed = time.perf_counter() - started
    long_text = " ".join(texts) * 10  # ~ 25,000 characters, cut at MAX_TEXT
    started = time.perf_counter()
    classify_text(long_text)
    long_ms = (time.perf_counter() - started) * 1000
    print(f"\nSpeed: {rounds * len(texts) / elapsed:,.0f} short reports/s; one {len(long_text):,}-character text "
          f"(read up to 20,000): {long_ms:.1f} ms")
    counts = Counter(labelled.expected(row) for row in labelled.load())
    print(f"Labelled reports: {sum(counts.values())}; per label: {dict(sorted(counts.items()))}")


if __name__ == "__main__":
    main()
