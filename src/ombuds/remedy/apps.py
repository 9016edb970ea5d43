from django.apps import AppConfig


class RemedyConfig(AppConfig):
    name = "ombuds.remedy"
    label = "remedy"
    ombuds_backup = True
    verbose_name = "Remedy: notices and appeals"
