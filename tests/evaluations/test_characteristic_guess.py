"""Which characteristic a protected column holds, recognised from its name."""

from __future__ import annotations

import pytest

from ombuds.evaluations.results import guess_characteristic


@pytest.mark.parametrize(
    "column,code",
    [
        ("sex", "sex_gender"),
        ("Gender", "sex_gender"),
        ("applicant_sex", "sex_gender"),
        ("gender_identity", "gender_identity"),
        ("race", "race"),
        ("ethnic_group", "ethnicity"),
        ("Ethnicity", "ethnicity"),
        ("has_disability", "disability"),
        ("age_band", "age"),
        ("age", "age"),
        ("sexual_orientation", "sexual_orientation"),
        ("religion", "religion"),
        ("postcode", "location"),
        ("household_income", "income"),
        ("nationality", "nationality"),
    ],
)
def test_common_names(column, code):
    assert guess_characteristic(column) == code


@pytest.mark.parametrize("column", ["grp", "language", "page_count", "wage", "segment"])
def test_names_that_say_nothing_are_not_guessed(column):
    assert guess_characteristic(column) is None
