"""Exports of the public register to each public standard. Every export is built from the
published records only (see source.py); each standard's schema is written in its module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ombuds.core.models import Agency

from . import atrs, eu_annex_viii_c, eurocities, nl_register, omb_2025, register, source
from .base import Export, Item


@dataclass(frozen=True)
class Format:
    name: str
    title: str
    build: Callable[[list[Item], Agency | None], Export]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            omb_2025.NAME,
            _("US federal AI use-case inventory 2025 (CSV)"),
            lambda items, agency: omb_2025.build(items),
        ),
        Format(
            atrs.NAME,
            _("UK Algorithmic Transparency Recording Standard v4.0 (JSON)"),
            lambda items, agency: atrs.build(items),
        ),
        Format(
            eu_annex_viii_c.NAME,
            _("EU AI Act Annex VIII section C, deployer entry (JSON)"),
            lambda items, agency: eu_annex_viii_c.build(items),
        ),
        Format(
            nl_register.NAME,
            _("Dutch algorithm register v1.0 (JSON)"),
            lambda items, agency: nl_register.build(items),
        ),
        Format(
            eurocities.NAME,
            _("Eurocities algorithmic transparency standard (JSON)"),
            lambda items, agency: eurocities.build(items),
        ),
        Format("json", _("Public register (JSON, as /public/register.json)"), register.build_json),
        Format("csv", _("Public register (CSV, as /public/register.csv)"), register.build_csv),
    )
}


class UnknownFormat(ValueError):
    pass


def build(fmt: str, agency: Agency | None = None, base: str = "") -> Export:
    """The export `fmt` of the published records (of one agency, or all)."""
    if fmt not in FORMATS:
        raise UnknownFormat(fmt)
    items = source.items(agency, base)
    export = FORMATS[fmt].build(items, agency)
    if agency is not None:
        export.filename = f"{agency.slug}-{export.filename}"
    if not base:
        export.warnings.append(
            "links are relative: set OMBUDS_BASE_URL to the public site's address"
        )
    return export


__all__ = ["FORMATS", "Export", "UnknownFormat", "build"]
