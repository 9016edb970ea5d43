from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "ombuds.assessments"
    label = "assessments"
    ombuds_backup = True
    verbose_name = "Impact assessments"
