from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ombuds.core"
    label = "core"
    ombuds_backup = True
    verbose_name = "Ombuds core"

    def ready(self):
        from . import public_cache

        public_cache.connect()
