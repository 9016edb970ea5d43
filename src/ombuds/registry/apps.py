from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "ombuds.registry"
    label = "registry"
    ombuds_backup = True
    verbose_name = "Register of AI systems"

    def ready(self):
        from . import controls

        controls.register()
