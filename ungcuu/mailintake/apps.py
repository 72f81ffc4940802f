from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailintakeConfig(AppConfig):
    name = "ungcuu.mailintake"
    verbose_name = _("Mail intake")
