"""The assurance engine: bias audits, representativeness, performance, drift and claim checks.

Pure Python with Ibis; no Django. `from ombuds.assurance import audit, drift`.
"""

from .audit import audit
from .data import load
from .drift import drift, drift_from_profile, reference_profile
from .errors import AssuranceError, MissingColumn

__all__ = [
    "audit",
    "drift",
    "drift_from_profile",
    "reference_profile",
    "load",
    "AssuranceError",
    "MissingColumn",
]
