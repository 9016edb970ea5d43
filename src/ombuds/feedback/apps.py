from datetime import timedelta

from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "ombuds.feedback"
    label = "feedback"
    ombuds_backup = True
    verbose_name = "Incidents and reports from outside"

    def ready(self):
        from ombuds.core import scheduler

        from . import services

        # Reports past their response deadline: the governance leads hear of each one once.
        scheduler.register(
            "feedback.overdue-reports", every=timedelta(minutes=15), run=services.scheduled_run
        )
