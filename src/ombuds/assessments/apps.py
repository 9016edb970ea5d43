from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "ombuds.assessments"
    label = "assessments"
    ombuds_backup = True
    verbose_name = "Impact assessments"

    def ready(self):
        from ombuds.registry.signals import before_onboard, material_change

        from . import controls
        from .services import mark_needs_review

        controls.register()

        def on_material_change(sender, system, kind, description, actor=None, **kwargs):
            mark_needs_review(system, kind, description, actor)

        def on_onboard(sender, system, **kwargs):
            from ombuds.registry.lifecycle import TransitionRefused

            from .models import Assessment

            if Assessment.objects.filter(system=system).exists():
                raise TransitionRefused(
                    "onboard_assessed",
                    "This system is being assessed in Ombuds: it reaches use through the gate, "
                    "not by being recorded as already in use.",
                )

        material_change.connect(on_material_change, dispatch_uid="assessments.material_change")
        before_onboard.connect(on_onboard, dispatch_uid="assessments.before_onboard")
