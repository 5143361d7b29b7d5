from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClipsConfig(AppConfig):
    name = "clips"
    verbose_name = _("Clips and galleries")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
