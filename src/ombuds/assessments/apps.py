from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "ombuds.assessments"
    label = "assessments"
    ombuds_backup = True
    verbose_name = "Impact assessments"

    def ready(self):
        from ombuds.registry.signals import material_change

        from . import controls
        from .services import mark_needs_review

        controls.register()

        def on_material_change(sender, system, kind, description, actor=None, **kwargs):
            mark_needs_review(system, kind, description)

        material_change.connect(on_material_change, dispatch_uid="assessments.material_change")
