from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Videos and analysis")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
