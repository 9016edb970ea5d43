"""A monitor's threshold parameters are checked: shares between 0 and 1, group sizes of at least
one, finite numbers; the message names the setting."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ombuds.monitoring import services


@pytest.mark.parametrize(
    "extra,words",
    [
        ({"agreement_at_least": 1.5}, "agreement_at_least must be from 0 to 1"),
        ({"agreement_at_least": -0.1}, "agreement_at_least must be from 0 to 1"),
        ({"min_group": 0}, "min_group must be at least 1"),
        ({"min_group": 2.5}, "min_group must be a whole number"),
        ({"review_seconds_below": "nan"}, "review_seconds_below must be a number"),
        ({"min_decisions": "inf"}, "min_decisions must be a number"),
        ({"min_difference": 3}, "min_difference must be from 0 to 1"),
    ],
)
def test_out_of_range_parameters_are_refused(extra, words):
    raw = [{"metric": "override_rate_group_ratio", "direction": "below", "warning": 0.8, **extra}]
    with pytest.raises(ValidationError) as exc:
        services._thresholds("oversight", raw)
    assert words in " ".join(exc.value.message_dict["thresholds[0]"])


def test_a_warning_level_must_be_finite():
    with pytest.raises(ValidationError) as exc:
        services._thresholds("oversight", [{"metric": "override_rate", "warning": "inf"}])
    assert "warning must be a number" in " ".join(exc.value.message_dict["thresholds[0]"])


def test_sound_parameters_pass():
    raw = [
        {
            "metric": "override_rate_group_ratio",
            "direction": "below",
            "warning": 0.8,
            "min_group": "40",
            "agreement_at_least": 0.99,
        }
    ]
    assert services._thresholds("oversight", raw)[0]["min_group"] == 40
