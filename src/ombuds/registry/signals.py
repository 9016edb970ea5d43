"""Signals the register sends so that apps built on it can react without the register
importing them (the assessments app marks an approved assessment as needing review)."""

from django.dispatch import Signal

# Sent inside the transaction that records a material change to a system's purpose, model,
# data or population. Arguments: system, kind ("purpose" | "model" | "data" | "population"),
# description, actor.
material_change = Signal()
