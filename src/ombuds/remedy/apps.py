from datetime import timedelta

from django.apps import AppConfig


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
