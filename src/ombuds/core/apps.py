from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ombuds.core"
    label = "core"
    ombuds_backup = True
    verbose_name = "Ombuds core"
