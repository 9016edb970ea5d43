"""Published bias-audit summaries count only groups of at least the minimum size (default 30,
OMBUDS_PUBLIC_MIN_GROUP, never below 10), flag only disparities between such groups, and never
name a group."""

from __future__ import annotations

from ombuds.evaluations.services import record_result
from ombuds.transparency import services
from tests.transparency.helpers import publish


def audit(world, groups, disparities=()):
    result = {
        "schema": "ombuds.audit/1",
        "config": {"protected": ["eth"]},
        "groups": [
            {"attributes": {"eth": name}, "n": n, "suppressed": False, "metrics": {}}
            for name, n in groups
        ],
        "disparities": [
            {
                "attributes": {"eth": a},
                "reference": {"eth": b},
                "metric": "selection_rate",
                "flag": "disparity",
            }
            for a, b in disparities
        ],
        "findings": [],
    }
    return record_result(world.lead, world.system_a, result, characteristics={"eth": "ethnicity"})


def test_small_groups_are_not_counted_and_their_disparities_not_flagged(world):
    audit(world, [("zqbig", 500), ("zqmid", 40), ("zqtiny", 12)], [("zqtiny", "zqbig")])
    assert services.bias_summary(world.system_a) == [
        {
            "characteristic": "ethnicity",
            "groups_compared": 2,
            "disparities_flagged": False,
            "audited_on": services.bias_summary(world.system_a)[0]["audited_on"],
        }
    ]


def test_disparity_between_large_groups_is_flagged(world):
    audit(world, [("zqbig", 500), ("zqmid", 40)], [("zqmid", "zqbig")])
    assert services.bias_summary(world.system_a)[0]["disparities_flagged"] is True


def test_minimum_follows_the_setting_but_never_below_ten(world, settings):
    audit(world, [("zqbig", 500), ("zqmid", 40), ("zqsmall", 15), ("zqfive", 5)])
    settings.OMBUDS_PUBLIC_MIN_GROUP = 50
    assert services.bias_summary(world.system_a)[0]["groups_compared"] == 1
    settings.OMBUDS_PUBLIC_MIN_GROUP = 1
    assert services.min_group() == 10
    assert services.bias_summary(world.system_a)[0]["groups_compared"] == 3


def test_only_small_groups_means_nothing_published(world):
    audit(world, [("zqa", 20), ("zqb", 25)])
    assert services.bias_summary(world.system_a) == []


def test_public_page_names_no_group(world, client):
    audit(world, [("zqbig", 500), ("zqmid", 40), ("zqtiny", 12)])
    publish(world.system_a, world.users["system_owner"], world.lead)
    for url in (
        f"/public/systems/{world.system_a.pk}/",
        f"/public/systems/{world.system_a.pk}/?format=json",
        "/public/register.csv",
    ):
        body = client.get(url).content.decode()
        assert "zq" not in body
    data = client.get(f"/public/systems/{world.system_a.pk}/?format=json").json()
    assert data["bias_audits"][0]["groups_compared"] == 2
    assert data["min_group_size"] == 30
