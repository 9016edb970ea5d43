"""The appeal-by date counts from the later of the decision and the day the notice is issued (the
agency's local date): a batch sent weeks after the decisions still gives the full period."""

from __future__ import annotations

import datetime as dt

from ombuds.remedy import services

from .helpers import NOTICE


def test_a_notice_issued_weeks_after_the_decision_gives_the_full_period(world):
    issued = dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC)  # decided 2 March, sent 4 May
    notice = services.issue_notice(world.lead, world.system_a, dict(NOTICE), now=issued)
    assert notice.appeal_by == dt.date(2026, 6, 3)  # 30 days after 4 May
    assert notice.appeal_by > issued.date()


def test_a_notice_issued_the_day_of_the_decision_counts_from_the_decision(world):
    issued = dt.datetime(2026, 3, 2, 16, tzinfo=dt.UTC)
    notice = services.issue_notice(world.lead, world.system_a, dict(NOTICE), now=issued)
    assert notice.appeal_by == dt.date(2026, 4, 1)


def test_the_issue_day_is_the_agencys_local_date(world, settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # 4 May 20:00 UTC is already 5 May there
    issued = dt.datetime(2026, 5, 4, 20, tzinfo=dt.UTC)
    notice = services.issue_notice(world.lead, world.system_a, dict(NOTICE), now=issued)
    assert notice.appeal_by == dt.date(2026, 6, 4)
