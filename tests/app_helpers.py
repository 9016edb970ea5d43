"""Each app's test helpers (tests/<app>/helpers.py), for tests that span every app: the
permission matrix (records, API bodies) and the gate (evidence a ready system needs, and how to
break it)."""

from __future__ import annotations

import importlib

APPS_WITH_HELPERS = [
    "evaluations",
    "feedback",
    "monitoring",
    "transparency",
    "people",
    "remedy",
    "procurement",
]


def app_helpers():
    for app in APPS_WITH_HELPERS:
        try:
            yield importlib.import_module(f"tests.{app}.helpers")
        except ModuleNotFoundError as exc:
            if exc.name != f"tests.{app}.helpers":
                raise
