from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "ombuds.transparency"
    label = "transparency"
    ombuds_backup = True
    verbose_name = "Public register"

    def ready(self):
        from datetime import timedelta

        from ombuds.core import scheduler

        from . import controls, services

        controls.register()
        scheduler.register(
            "transparency.forget-client-hashes",
            every=timedelta(hours=1),
            run=services.forget_client_hashes,
        )
