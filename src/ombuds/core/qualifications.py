"""Whether a person may act on a system's decisions (decide an appeal, operate it).

Core does not know what qualifies someone: apps that do (the people app: training held) register
a rule here at start-up, and apps that need the answer (remedy: who may review an appeal) ask
here, so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# A rule answers None when the person qualifies, or a short reason (translated) when not.
Rule = Callable[[Any, Any], "str | None"]

_RULES: dict[str, Rule] = {}


def register(name: str, rule: Rule) -> None:
    _RULES[name] = rule


def unregister(name: str) -> None:
    _RULES.pop(name, None)


def missing(user, system) -> list[str]:
    """Every reason this person may not act on this system's decisions; empty when they may."""
    reasons = []
    for rule in _RULES.values():
        reason = rule(user, system)
        if reason:
            reasons.append(str(reason))
    return reasons
