"""Background work of the evaluations app, run by `ombuds worker`."""

from __future__ import annotations

from django_tasks import task


@task()
def run_audit(evaluation_id: int) -> str:
    """A bias audit of a decision log uploaded in the web app."""
    from .services import process_run

    return process_run(evaluation_id)
