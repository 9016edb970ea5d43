from datetime import timedelta

from django.apps import AppConfig

APPEALS_SOURCE = "remedy.appeals"


class RemedyConfig(AppConfig):
    name = "ombuds.remedy"
    label = "remedy"
    ombuds_backup = True
    verbose_name = "Remedy: notices and appeals"

    def ready(self):
        from ombuds.core import scheduler

        from . import controls, services

        controls.register()
        from ombuds.transparency import sections

        sections.register("appeals", public_section)
        from django.utils.translation import gettext_lazy

        from ombuds.monitoring import sources

        # Decided appeals as a decision log: the monitoring app's appeals check reads the
        # overturn rate from them per window, with its thresholds and alerts.
        sources.register_internal(
            APPEALS_SOURCE,
            gettext_lazy("Appeals decided in Ombuds"),
            {"time": "decided_at", "appeal_outcome": "outcome"},
            decided_appeals,
        )
        # Cases near or past a deadline: the governance leads hear once per threshold.
        scheduler.register(
            "remedy.deadlines", every=timedelta(minutes=30), run=services.scheduled_run
        )


def public_section(system):
    """Appeals on the system's public page: how to appeal, and the figures once there are
    enough decided cases to show them without pointing at anyone."""
    from django.utils.translation import gettext as _

    from .models import AppealRoute
    from .stats import public_summary

    if not AppealRoute.objects.filter(system=system).exists():
        return None
    return _("Appeals"), "remedy/_appeals_public.html", public_summary(system)


def decided_appeals(system):
    """Every decided appeal of the system: when it was decided and the outcome, nothing else."""
    import pyarrow as pa

    from .models import Appeal

    rows = Appeal.objects.filter(system=system, decided_at__isnull=False).values_list(
        "decided_at", "outcome"
    )
    when, outcome = zip(*rows, strict=True) if rows else ((), ())
    return pa.table(
        {
            "decided_at": pa.array(list(when), type=pa.timestamp("us", tz="UTC")),
            "outcome": pa.array(list(outcome), type=pa.string()),
        }
    )
