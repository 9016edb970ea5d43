from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ombuds.people"
    label = "people"
    ombuds_backup = True
    verbose_name = "People: training and human oversight"

    def ready(self):
        from datetime import timedelta

        from ombuds.core import scheduler

        from . import controls, services

        controls.register()
        from ombuds.transparency import sections

        sections.register("human_oversight", public_section)
        # Certificates about to expire: each holder hears of it once per threshold.
        scheduler.register(
            "people.training-reminders", every=timedelta(hours=6), run=services.scheduled_reminders
        )


def public_section(system):
    """The oversight design on the system's public page (staff names are never part of it)."""
    from django.utils.translation import gettext as _

    from .rules import oversight_public

    design = oversight_public(system)
    if design is None:
        return None
    design = {k: v for k, v in design.items() if k != "override_who"}
    return _("Human oversight"), "people/_oversight_public.html", design
