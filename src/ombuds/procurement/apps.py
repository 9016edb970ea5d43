from datetime import timedelta

from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "ombuds.procurement"
    label = "procurement"
    ombuds_backup = True
    verbose_name = "Procurement"

    def ready(self):
        from ombuds.core import scheduler

        from . import controls, services

        controls.register()
        # Post-award reviews past their date: owners and governance leads hear of each once.
        scheduler.register(
            "procurement.overdue-reviews", every=timedelta(hours=6), run=services.scheduled_run
        )
