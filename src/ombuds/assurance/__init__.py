"""The assurance engine: bias audits, representativeness, performance and claim checks.

Pure Python with Ibis; no Django. `from ombuds.assurance import audit`.
"""

from .audit import audit
from .data import load
from .errors import AssuranceError, MissingColumn

__all__ = ["audit", "load", "AssuranceError", "MissingColumn"]
