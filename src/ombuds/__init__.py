"""Ombuds: govern every AI system an agency designs, buys, deploys, uses and retires."""

__version__ = "0.1.0"
