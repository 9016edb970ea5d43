"""Real data: the ProPublica COMPAS two-year file, read as published (duplicate column names).
The audit's counts and rates per race equal an independent count made here with plain Python."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from ombuds.assurance import audit

COMPAS = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "compas"
    / "compas-scores-two-years.csv"
)


@pytest.fixture(scope="module")
def compas_doc():
    if not COMPAS.exists():
        pytest.skip(f"COMPAS file not found at {COMPAS}")
    return audit(
        str(COMPAS),
        label="two_year_recid",
        score="decile_score",
        threshold=5,
        protected=["race"],
        min_group_size=1,
    )


def plain_counts():
    with COMPAS.open(newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        race, score, label = (header.index(c) for c in ("race", "decile_score", "two_year_recid"))
        cells = Counter()
        for row in reader:
            y = int(row[label])
            p = int(int(row[score]) >= 5)
            cells[(row[race], y, p)] += 1
            cells[("(all)", y, p)] += 1
    return cells


def test_the_published_file_has_duplicate_column_names_and_we_say_so(compas_doc):
    header = COMPAS.read_text().splitlines()[0].split(",")
    assert header.count("decile_score") == 2
    assert any("decile_score" in note and "2 times" in note for note in compas_doc["notes"])


def test_counts_and_rates_per_race_equal_a_plain_count(compas_doc):
    cells = plain_counts()
    groups = {g["attributes"].get("race", "(all)"): g for g in compas_doc["groups"]}
    races = {k[0] for k in cells}
    assert set(groups) == races
    for race in races:
        tp, fp = cells[(race, 1, 1)], cells[(race, 0, 1)]
        tn, fn = cells[(race, 0, 0)], cells[(race, 1, 0)]
        g = groups[race]
        assert g["n"] == tp + fp + tn + fn
        m = g["metrics"]
        expected = {
            "selection_rate": (tp + fp, tp + fp + tn + fn),
            "tpr": (tp, tp + fn),
            "fpr": (fp, fp + tn),
            "fnr": (fn, tp + fn),
            "ppv": (tp, tp + fp),
            "npv": (tn, tn + fn),
            "accuracy": (tp + tn, tp + fp + tn + fn),
        }
        for metric, (num, den) in expected.items():
            if den == 0:
                assert m[metric]["value"] is None
                continue
            assert (m[metric]["numerator"], m[metric]["denominator"]) == (num, den), (race, metric)
            assert m[metric]["value"] == pytest.approx(num / den)


def test_the_known_compas_finding_is_flagged(compas_doc):
    """ProPublica's finding: Black defendants who did not reoffend were flagged high-risk about
    twice as often as white defendants."""
    fpr = [
        d
        for d in compas_doc["disparities"]
        if d["metric"] == "fpr" and d["attributes"] == {"race": "Caucasian"}
    ]
    assert fpr and fpr[0]["reference"] == {"race": "African-American"}
    assert fpr[0]["flag"] == "disparity" and fpr[0]["ratio"] < 0.6
