from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ombuds.people"
    label = "people"
    ombuds_backup = True
    verbose_name = "People: training and human oversight"
