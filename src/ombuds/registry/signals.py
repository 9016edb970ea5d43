"""Signals the register sends so that apps built on it can react without the register
importing them (the assessments app marks an approved assessment as needing review)."""

from django.dispatch import Signal

# Sent inside the transaction that records a material change to a system's purpose, model,
# data or population. Arguments: system, kind ("purpose" | "model" | "data" | "population"),
# description, actor.
material_change = Signal()

# Sent before a system is onboarded at its real stage (lifecycle.onboard_in_use). A receiver
# refuses by raising lifecycle.TransitionRefused (the assessments app refuses once the system is
# being assessed: onboarding is for systems that were in use before the agency governed them).
before_onboard = Signal()
