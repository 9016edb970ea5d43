from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "ombuds.procurement"
    label = "procurement"
    ombuds_backup = True
    verbose_name = "Procurement"
