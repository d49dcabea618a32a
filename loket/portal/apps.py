from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "loket.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        # Cache invalidation only: the public pages show a closure day, a topic or a team as
        # soon as it is saved.
        from loket.accounts.models import Team
        from loket.cases.models import Topic
        from loket.deadlines.models import (
            CalendarDay,
            DeadlinePolicy,
            OfficePeriod,
            WorkingCalendar,
        )

        from .selectors import forget_cached

        for model in (WorkingCalendar, OfficePeriod, CalendarDay, DeadlinePolicy, Topic, Team):
            name = model.__name__
            post_save.connect(forget_cached, sender=model, dispatch_uid=f"portal-{name}")
            post_delete.connect(forget_cached, sender=model, dispatch_uid=f"portal-del-{name}")
