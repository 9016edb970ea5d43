"""Appeal statistics per system: volumes, time to decision, decisions within the deadline and
the overturn rate, overall and by the groups appellants chose to tell (with consent).

Everything here reads fields a purge keeps, so statistics survive the retention period. Group
figures below settings.OMBUDS_PUBLIC_MIN_GROUP are suppressed wherever they may be shown.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.utils import timezone

from . import calendar
from .models import Appeal, AppealState, Outcome
from .services import policy_of

DECIDED_STATES = (AppealState.DECIDED, AppealState.REMEDY_DONE, AppealState.CLOSED)


def min_group() -> int:
    return max(10, int(getattr(settings, "OMBUDS_PUBLIC_MIN_GROUP", 30)))


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    data = sorted(values)
    pos = (len(data) - 1) * q
    low, high = math.floor(pos), math.ceil(pos)
    return data[low] + (data[high] - data[low]) * (pos - low)


def _appeals(system, start: dt.date | None = None, end: dt.date | None = None):
    qs = Appeal.objects.filter(system=system)
    if start is not None:
        qs = qs.filter(received_at__date__gte=start)
    if end is not None:
        qs = qs.filter(received_at__date__lte=end)
    return qs


def _decided(qs):
    return qs.filter(decided_at__isnull=False).exclude(outcome="")


def overturn_rate(system, start: dt.date | None = None, end: dt.date | None = None):
    """(appeals decided, of which overturned in whole or part), decided between start and end.
    The monitoring check divides one by the other."""
    qs = _decided(Appeal.objects.filter(system=system))
    if start is not None:
        qs = qs.filter(decided_at__date__gte=start)
    if end is not None:
        qs = qs.filter(decided_at__date__lte=end)
    outcomes = list(qs.values_list("outcome", flat=True))
    overturned = sum(o in (Outcome.OVERTURNED, Outcome.PARTLY_OVERTURNED) for o in outcomes)
    return len(outcomes), overturned


def summary(system, start: dt.date | None = None, end: dt.date | None = None) -> dict[str, Any]:
    """The staff view: every figure; groups only from the minimum size up (the form promised
    appellants their group is only counted, never shown with their case)."""
    policy = policy_of(system.agency_id)
    qs = _appeals(system, start, end)
    rows = list(
        qs.values("state", "outcome", "received_at", "decided_at", "decide_by", "group", "channel")
    )
    by_state: dict[str, int] = {}
    for r in rows:
        by_state[r["state"]] = by_state.get(r["state"], 0) + 1
    decided = [r for r in rows if r["decided_at"] and r["outcome"]]
    calendar_days, working_days, within = [], [], 0
    for r in decided:
        got = timezone.localdate(r["received_at"])
        done = timezone.localdate(r["decided_at"])
        calendar_days.append((done - got).days)
        working_days.append(calendar.working_days_between(got, done, policy.holidays))
        within += done <= r["decide_by"]
    overturned = sum(r["outcome"] != Outcome.UPHELD for r in decided)
    groups: dict[str, dict[str, int]] = {}
    for r in decided:
        if r["group"]:
            g = groups.setdefault(r["group"], {"decided": 0, "overturned": 0})
            g["decided"] += 1
            g["overturned"] += r["outcome"] != Outcome.UPHELD
    floor = min_group()
    return {
        "appeals": len(rows),
        "by_state": by_state,
        "open": sum(by_state.get(s, 0) for s in ("received", "acknowledged", "in_review")),
        "decided": len(decided),
        "overturned": overturned,
        "overturn_rate": overturned / len(decided) if decided else None,
        "median_calendar_days": percentile(calendar_days, 0.5),
        "p90_calendar_days": percentile(calendar_days, 0.9),
        "median_working_days": percentile(working_days, 0.5),
        "p90_working_days": percentile(working_days, 0.9),
        "within_deadline": within,
        "share_within_deadline": within / len(decided) if decided else None,
        # Staff see no more than the public about groups: a group below the minimum, with date
        # filters, could point at one person's case. Only how many groups were left out.
        "groups": [
            {
                "group": name,
                **g,
                "overturn_rate": g["overturned"] / g["decided"],
                "suppressed": False,
            }
            for name, g in sorted(groups.items())
            if g["decided"] >= floor
        ],
        "groups_suppressed": sum(g["decided"] < floor for g in groups.values()),
        "min_group": floor,
    }


def public_summary(system) -> dict[str, Any]:
    """What may be shown to anyone: no figure about fewer than the minimum group, no group
    below it, and nothing about any one case."""
    s = summary(system)
    floor = s["min_group"]
    enough = s["decided"] >= floor
    return {
        "schema": "ombuds.appeal-statistics/1",
        "appeals": s["appeals"] if s["appeals"] >= floor else None,
        "decided": s["decided"] if enough else None,
        "overturn_rate": s["overturn_rate"] if enough else None,
        "median_working_days": s["median_working_days"] if enough else None,
        "p90_working_days": s["p90_working_days"] if enough else None,
        "share_within_deadline": s["share_within_deadline"] if enough else None,
        "groups": [
            {"group": g["group"], "decided": g["decided"], "overturn_rate": g["overturn_rate"]}
            for g in s["groups"]
            if not g["suppressed"]
        ],
        "suppressed_below": floor,
    }
