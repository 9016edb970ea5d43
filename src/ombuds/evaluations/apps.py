from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "ombuds.evaluations"
    label = "evaluations"
    ombuds_backup = True
    verbose_name = "Evaluations (evidence)"

    def ready(self):
        from . import controls

        controls.register()
