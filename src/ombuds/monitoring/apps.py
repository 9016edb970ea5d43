from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "ombuds.monitoring"
    label = "monitoring"
    ombuds_backup = True
    verbose_name = "Monitoring in use"

    def ready(self):
        from datetime import timedelta

        from ombuds.core import scheduler

        from . import controls, runner

        controls.register()
        scheduler.register(
            "monitoring.due-monitors", every=timedelta(minutes=5), run=runner.run_due
        )
