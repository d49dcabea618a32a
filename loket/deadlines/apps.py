from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "loket.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        # Cache invalidation only: the calendar cache must never outlive an edit.
        from loket.cases.models import Topic

        from . import cache
        from .models import CalendarDay, DeadlinePolicy, OfficePeriod, WorkingCalendar

        for model in (WorkingCalendar, OfficePeriod, CalendarDay, DeadlinePolicy, Topic):
            post_save.connect(
                cache.invalidate, sender=model, dispatch_uid=f"calendar-cache-{model.__name__}"
            )
            post_delete.connect(
                cache.invalidate, sender=model, dispatch_uid=f"calendar-cache-del-{model.__name__}"
            )
