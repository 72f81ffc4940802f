"""The labelled reports (labelled_reports.csv) and the accuracy of the suggestions on them.

Used by test_suggestions.py (floors) and bench/suggestions.py (the figures in bench/RESULTS.md).
Each row: split, cause, attack_type (empty for the non-attack causes), text. The splits, in the order written:
heldout (before any rule existed), tuning, fresh (after the first rules), blind (after the second round),
final (after the last rule change; never used for tuning). Only "final" was never looked at while tuning:
see bench/RESULTS.md for what each figure means.
"""

import csv
from collections import Counter
from pathlib import Path

CSV = Path(__file__).with_name("labelled_reports.csv")


def load(split: str | None = None) -> list[dict]:
    with CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r for r in rows if split is None or r["split"] == split]


def expected(row: dict) -> str:
    """One label per report: the attack type for attacks, else the cause."""
    return row["attack_type"] or row["cause"]


def predicted(suggestion) -> str:
    if suggestion.cause is None:
        return "none"
    if suggestion.cause.value == "cyber_attack":
        return suggestion.attack_type.value if suggestion.attack_type else "cyber_attack"
    return suggestion.cause.value


def evaluate(rows: list[dict], classify) -> dict:
    """Accuracy of `classify(text) -> Suggestion` on the rows: overall (cause and type together), cause only,
    type on the attacks, per label, and the most frequent confusions."""
    per_label: dict[str, list[int]] = {}
    confusions: Counter = Counter()
    right = cause_right = type_right = attacks = covered = 0
    for row in rows:
        suggestion = classify(row["text"])
        want, got = expected(row), predicted(suggestion)
        counts = per_label.setdefault(want, [0, 0])
        counts[1] += 1
        covered += got != "none"
        if want == got:
            right += 1
            counts[0] += 1
        else:
            confusions[(want, got)] += 1
        cause_right += bool(suggestion.cause and suggestion.cause.value == row["cause"])
        if row["cause"] == "cyber_attack":
            attacks += 1
            type_right += bool(suggestion.attack_type and suggestion.attack_type.value == row["attack_type"])
    return {
        "n": len(rows), "accuracy": right / len(rows) if rows else 0.0,
        "cause_accuracy": cause_right / len(rows) if rows else 0.0,
        "type_accuracy": type_right / attacks if attacks else 0.0, "attacks": attacks,
        # How often anything is suggested, and how often a suggestion made is right.
        "coverage": covered / len(rows) if rows else 0.0, "precision": right / covered if covered else 0.0,
        "per_label": {label: (ok, n) for label, (ok, n) in sorted(per_label.items())},
        "confusions": confusions.most_common(),
    }
