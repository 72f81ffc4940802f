from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestigationConfig(AppConfig):
    name = "ungcuu.investigation"
    verbose_name = _("Investigation record")
