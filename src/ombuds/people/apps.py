from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ombuds.people"
    label = "people"
    ombuds_backup = True
    verbose_name = "People: training and human oversight"

    def ready(self):
        from datetime import timedelta

        from ombuds.core import scheduler

        from . import controls, services

        controls.register()
        # Certificates about to expire: each holder hears of it once per threshold.
        scheduler.register(
            "people.training-reminders", every=timedelta(hours=6), run=services.scheduled_reminders
        )
