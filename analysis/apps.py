from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Watch sessions")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
