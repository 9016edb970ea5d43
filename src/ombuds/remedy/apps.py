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
        # Cases near or past a deadline: the governance leads hear once per threshold.
        scheduler.register(
            "remedy.deadlines", every=timedelta(minutes=30), run=services.scheduled_run
        )
