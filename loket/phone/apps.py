from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneConfig(AppConfig):
    name = "loket.phone"
    label = "phone"
    verbose_name = _("Telephone")
