"""Reading engine results: which kind they are, which columns they audit, what they flag.

Plain functions on the JSON documents of `ombuds.assurance`, so the gate, the API and the pages
read a result the same way. A result comes from outside (a pipeline, an uploaded file): every
function here tolerates a document that is well-formed JSON but not what the engine writes.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ombuds.registry.models import DEMOGRAPHIC_FEATURES

from .models import SCHEMA_KINDS, Kind

CODES = [code for code, _label in DEMOGRAPHIC_FEATURES]
MAX_COLUMNS = 50

# How a column name hints at a characteristic, tried in order (the more specific first).
# Whole words of the name (split on anything not a letter or digit) or the start of a word.
_HINTS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    # (code, whole words, word starts)
    ("gender_identity", ("trans", "transgender", "nonbinary"), ("genderidentit", "genderexpress")),
    ("sexual_orientation", ("lgb", "lgbt", "lgbtq", "sexuality"), ("orientation",)),
    ("sex_gender", ("sex", "gender", "male", "female", "sexgender"), ()),
    ("race", ("race", "racial", "raceethnicity"), ()),
    ("ethnicity", ("ethnic", "ethnicity", "ethnicgroup"), ("ethnic",)),
    ("disability", ("disabled",), ("disab", "handicap", "impair")),
    ("age", ("age", "dob", "birthyear", "agegroup", "ageband", "agecat"), ("agegroup", "ageband")),
    ("religion", ("faith", "belief"), ("religio",)),
    ("nationality", ("citizen", "citizenship", "nationality", "national"), ("nationalit",)),
    ("income", ("ses", "poverty", "wealth"), ("income", "socioeconom", "deprivation")),
    ("location", ("zip", "zipcode", "postcode", "postal", "region", "location", "area"), ()),
]


def kind_for(schema: Any) -> str | None:
    return SCHEMA_KINDS.get(schema) if isinstance(schema, str) else None


def _words(column: str) -> list[str]:
    parts = [p for p in re.split(r"[^0-9a-z]+", column.lower()) if p]
    # Also the whole name without separators, so "gender_identity" is seen as "genderidentity".
    return parts + (["".join(parts)] if len(parts) > 1 else [])


def guess_characteristic(column: str) -> str | None:
    """The characteristic a protected column most likely holds, from its name; None if unclear."""
    words = _words(column)
    for code, whole, starts in _HINTS:
        if any(w in whole for w in words) or any(w.startswith(starts) for w in words if starts):
            return code
    if column.lower() in CODES:
        return column.lower()
    return None


def protected_columns(result: dict) -> list[str]:
    """The columns of the data that the result groups people by."""
    kind = kind_for(result.get("schema"))
    if kind == Kind.BIAS_AUDIT:
        config = result.get("config")
        cols = config.get("protected") if isinstance(config, dict) else None
        return [c for c in cols if isinstance(c, str)] if isinstance(cols, list) else []
    if kind == Kind.REPRESENTATIVENESS:
        attr = result.get("attribute")
        return [attr] if isinstance(attr, str) else []
    if kind == Kind.CLAIM:
        # A claim checked per group (--by COL) names the column in each group's attributes.
        found: list[str] = []
        for group in result.get("groups") or []:
            attrs = group.get("attributes") if isinstance(group, dict) else None
            for column in attrs if isinstance(attrs, dict) else ():
                if isinstance(column, str) and column not in found:
                    found.append(column)
        return found[:MAX_COLUMNS]
    return []


def characteristics_for(result: dict, given: dict[str, Any] | None = None) -> dict[str, str]:
    """Protected column -> characteristic code: what was given, else a guess from the name.

    `given` maps a column to a code, or to None / "" to say it holds no protected characteristic.
    Refuses a column the result does not group by and a code Ombuds does not know, naming it.
    """
    columns = protected_columns(result)
    given = dict(given or {})
    errors = {}
    for column, code in given.items():
        field = f"characteristics.{column}"
        if column not in columns:
            shown = ", ".join(columns) or _("none")
            errors[field] = _(
                "'%(column)s' is not a protected column of this result; its columns: %(columns)s."
            ) % {"column": column, "columns": shown}
        elif code not in (None, "") and code not in CODES:
            errors[field] = _("Unknown characteristic '%(code)s'; known: %(codes)s.") % {
                "code": code,
                "codes": ", ".join(CODES),
            }
    if errors:
        raise ValidationError(errors)
    out: dict[str, str] = {}
    for column in columns:
        code = given[column] if column in given else guess_characteristic(column)
        if code:
            out[column] = code
    return out


MAX_DEPTH = 64


def _problem(value: Any, depth: int = 0) -> str | None:
    """What makes a parsed document unfit to store: nesting too deep or a non-finite number."""
    if depth > MAX_DEPTH:
        return "deep"
    if isinstance(value, float):
        return None if math.isfinite(value) else "number"
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    )
    for child in children:
        found = _problem(child, depth + 1)
        if found:
            return found
    return None


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays, from a result made in Python
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON")


def plain_json(result: Any) -> Any:
    """The result as the JSON it would be once stored: numpy numbers become plain ones, so a
    result made in Python and one sent over HTTP are kept (and fingerprinted) alike."""
    try:
        return json.loads(json.dumps(result, default=_plain))
    except (TypeError, ValueError, RecursionError):
        raise ValidationError(
            {"result": _("The result is not plain JSON (objects, lists, text and numbers).")}
        ) from None


def check_result(result: Any) -> str:
    """The kind of a result Ombuds can keep as evidence; refuses anything else, naming the field."""
    if not isinstance(result, dict):
        raise ValidationError({"result": _("Give the JSON object an engine command wrote.")})
    schema = result.get("schema")
    kind = kind_for(schema)
    if kind is None:
        known = ", ".join(SCHEMA_KINDS)
        if schema is None:
            message = _("The result has no 'schema'; Ombuds accepts: %(known)s.")
        else:
            message = _("'%(schema)s' is not a result schema Ombuds knows; it accepts: %(known)s.")
        raise ValidationError(
            {"result.schema": message % {"schema": str(schema)[:80], "known": known}}
        )
    problem = _problem(result)
    if problem == "deep":
        raise ValidationError(
            {"result": _("The result is nested too deeply to be an engine result.")}
        )
    if problem == "number":
        raise ValidationError(
            {"result": _("The result holds a number that is not finite (NaN or infinity).")}
        )
    if kind == Kind.BIAS_AUDIT:
        config = result.get("config")
        protected = config.get("protected") if isinstance(config, dict) else None
        if (
            not isinstance(protected, list)
            or not protected
            or len(protected) > MAX_COLUMNS
            or not all(isinstance(c, str) and c.strip() and len(c) <= 200 for c in protected)
        ):
            raise ValidationError(
                {
                    "result.config.protected": _(
                        "A bias audit names the protected columns it audited (a list of names)."
                    )
                }
            )
        for key in ("groups", "disparities", "findings"):
            if key in result and not isinstance(result[key], list):
                raise ValidationError({f"result.{key}": _("Give a list.")})
        for key in ("disparities", "findings"):
            if not all(isinstance(x, dict) for x in result.get(key) or []):
                raise ValidationError({f"result.{key}": _("Give a list of objects.")})
        # Evidence of auditing a column: at least one of its groups was large enough to compare.
        compared = {
            next(iter(g["attributes"]))
            for g in result.get("groups") or []
            if isinstance(g, dict)
            and isinstance(g.get("attributes"), dict)
            and len(g["attributes"]) == 1
            and not g.get("suppressed")
        }
        empty = [c for c in protected if c not in compared]
        if empty:
            raise ValidationError(
                {
                    "result.groups": _(
                        "No group of %(columns)s was large enough to compare, so the result is "
                        "no evidence of auditing it; audit it on more data or leave it out."
                    )
                    % {"columns": ", ".join(empty)}
                }
            )
    if kind == Kind.REPRESENTATIVENESS and not isinstance(result.get("attribute"), str):
        raise ValidationError(
            {"result.attribute": _("A representativeness result names its attribute.")}
        )
    return kind


def flagged_disparities(result: dict) -> list[dict]:
    items = result.get("disparities")
    if not isinstance(items, list):
        return []
    return [d for d in items if isinstance(d, dict) and d.get("flag") == "disparity"]


ACTION_SEVERITIES = ("high", "medium")


def action_findings(result: dict) -> list[dict]:
    """Findings that ask for something to be done (high or medium), not information or guidance."""
    items = result.get("findings")
    if not isinstance(items, list):
        return []
    return [f for f in items if isinstance(f, dict) and f.get("severity") in ACTION_SEVERITIES]


def flagged_groups(result: dict) -> list[dict]:
    """Representativeness: groups under- or over-represented against the population."""
    items = result.get("groups")
    if not isinstance(items, list):
        return []
    return [
        g
        for g in items
        if isinstance(g, dict) and g.get("flag") in ("under-represented", "over-represented")
    ]


def needs_response(result: dict) -> bool:
    """A disparity flagged, a finding that asks for action, a refuted claim or a misrepresented
    group: the evidence is complete only once someone says what was done about it."""
    if not isinstance(result, dict):
        return False
    if flagged_disparities(result) or action_findings(result) or flagged_groups(result):
        return True
    overall = result.get("overall")
    return isinstance(overall, dict) and overall.get("verdict") == "refuted"


def canonical_sha256(result: dict) -> str:
    text = json.dumps(result, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def engine_fingerprint(result: dict) -> str | None:
    for key in ("data_fingerprint", "fingerprint"):
        value = result.get(key)
        if isinstance(value, str) and value.strip() and len(value) <= 200:
            return value.strip()
    return None


def engine_version(result: dict) -> str | None:
    for key in ("engine_version", "ombuds_version"):
        value = result.get(key)
        if isinstance(value, str) and value.strip() and len(value) <= 40:
            return value.strip()
    return None
