from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "ombuds.transparency"
    label = "transparency"
    ombuds_backup = True
    verbose_name = "Public register"
