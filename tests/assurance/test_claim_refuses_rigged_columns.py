"""A claim cannot be "checked" against the labels themselves or split by the prediction."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from ombuds.assurance.claims import verify_claim
from ombuds.assurance.errors import AssuranceError


@pytest.fixture
def table():
    return ibis.memtable(
        pd.DataFrame({"y": [1, 0] * 20, "p": [1, 1] * 20, "g": ["a", "b"] * 20, "s": [0.5] * 40})
    )


def test_prediction_equal_to_the_label_is_refused(table):
    with pytest.raises(AssuranceError, match="label column"):
        verify_claim(table, label="y", prediction="y", metric="accuracy", claimed=0.9)
    with pytest.raises(AssuranceError, match="label column"):
        verify_claim(table, label="y", score="y", metric="auc", claimed=0.9)


def test_prediction_equal_to_the_group_column_is_refused(table):
    with pytest.raises(AssuranceError, match="--by"):
        verify_claim(table, label="y", prediction="g", metric="accuracy", claimed=0.9, by="g")
