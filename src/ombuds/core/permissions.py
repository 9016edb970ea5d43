"""Deny by default: every check goes through here.

A user's rights come from memberships (role in an agency). Outside their agencies a user sees
nothing that is not published, and is told 404 rather than 403 so that existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .roles import PERMISSIONS


def roles_by_agency(user) -> dict[int, frozenset[str]]:
    """{agency_id: roles}, read once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_ombuds_roles", None)
    if cached is None:
        found: dict[int, set[str]] = {}
        for agency_id, role in user.memberships.values_list("agency_id", "role"):
            found.setdefault(agency_id, set()).add(role)
        cached = {k: frozenset(v) for k, v in found.items()}
        user._ombuds_roles = cached
    return cached


def has_perm(user, perm: str, agency_id: int | None) -> bool:
    if perm not in PERMISSIONS:
        raise KeyError(f"unknown permission {perm!r}")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if agency_id is None:
        return False
    return bool(roles_by_agency(user).get(agency_id, frozenset()) & PERMISSIONS[perm])


def agencies_with(user, perm: str) -> list[int] | None:
    """Agency ids where the user holds perm; None means every agency (superuser)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return None
    allowed = PERMISSIONS[perm]
    return [a for a, roles in roles_by_agency(user).items() if roles & allowed]


def scope(queryset, user, perm: str, field: str = "agency_id"):
    ids = agencies_with(user, perm)
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


def check_object(user, perm: str, agency_id: int) -> None:
    """404 outside the user's agencies, 403 inside them without the role."""
    if has_perm(user, perm, agency_id):
        return
    if user.is_superuser or agency_id in roles_by_agency(user):
        raise PermissionDenied(perm)
    raise Http404


def check_any(user, perm: str) -> None:
    if agencies_with(user, perm) == []:
        raise PermissionDenied(perm)


def access(rule: str) -> Callable:
    """Declare a view's access rule ("public", "login" or a permission name); all but "public"
    require login. Object-level checks happen in the view through check_object/check_any.

    The permission-matrix test reads this from every URL; a view without it fails the test.
    """
    if rule not in {"public", "login"} and rule not in PERMISSIONS:
        raise KeyError(f"unknown access rule {rule!r}")

    def mark(view):
        if rule != "public":
            view = login_required(view)
        view.ombuds_access = rule
        return view

    return mark


def role_labels(roles: Iterable[str]) -> list[str]:
    from .roles import ROLE_CHOICES

    labels = dict(ROLE_CHOICES)
    return [str(labels[r]) for r in roles if r in labels]
