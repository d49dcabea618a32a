"""Input of the routing pages, parsed and checked before a service is called."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import User
from loket.accounts.roles import Role
from loket.cases.models import Topic

from .models import Absence, Competence, Weekday
from .services import Period, whole_days

WORKDAYS = [Weekday(day) for day in range(5)]
_PERIOD = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*[-\u2013]\s*(\d{1,2})[:.h](\d{2})\s*$")


def staff_members() -> Any:
    return (
        User.objects.filter(is_active=True, groups__name__in=[r.value for r in Role])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class CompetenceForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Staff member"))
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.filter(active=True).order_by("code"), label=_("Topic")
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[*Competence.Level.choices, ("", _("not competent"))],
        required=False,
        initial=Competence.Level.EXPERT,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_members()  # type: ignore[attr-defined]


class AbsenceForm(forms.Form):
    """Whole days (first and last day), or from a time on the first day to a time on the
    last day when both times are given."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Absence.Kind.choices)
    first_day = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("From (time)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Leave both times empty for whole days."),
    )
    end_time = forms.TimeField(
        label=_("Until (time)"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        start_time, end_time = data.get("start_time"), data.get("end_time")
        if first is None or last is None:
            return data
        if last < first:
            raise forms.ValidationError(_("The last day cannot be before the first day."))
        if (start_time is None) != (end_time is None):
            raise forms.ValidationError(_("Give both times, or neither for whole days."))
        zone = timezone.get_current_timezone()
        if start_time is None:
            data["start"], data["end"] = whole_days(first, last, zone)
            data["all_day"] = True
        else:
            data["start"] = dt.datetime.combine(first, start_time, tzinfo=zone)
            data["end"] = dt.datetime.combine(last, end_time or start_time, tzinfo=zone)
            data["all_day"] = False
            if data["end"] <= data["start"]:
                raise forms.ValidationError(_("The absence must end after it starts."))
        return data


def parse_periods(text: str) -> list[tuple[dt.time, dt.time]]:
    """ "08:30-12:30, 13:00-16:30" as pairs of times; raises ValueError on anything else."""
    periods = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text))):
        match = _PERIOD.match(part)
        if match is None:
            raise ValueError(part)
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        periods.append((dt.time(h1, m1), dt.time(h2, m2)))
    return periods


class WorkingPatternForm(forms.Form):
    """One text field per weekday ("08:30-12:30, 13:00-16:30"; empty is a day off)."""

    valid_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the pattern applies from now on, replacing the old one."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in WORKDAYS:
            self.fields[f"day_{day.value}"] = forms.CharField(
                label=day.label,
                required=False,
                max_length=100,
                help_text=_("e.g. 08:30-12:30, 13:00-16:30; empty: day off"),
            )
        self.fields["valid_from"] = self.fields.pop("valid_from")  # after the days

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        periods: list[Period] = []
        for day in WORKDAYS:
            try:
                pairs = parse_periods(data.get(f"day_{day.value}") or "")
            except ValueError:
                self.add_error(
                    f"day_{day.value}", _("Write periods as 08:30-12:30, separated by commas.")
                )
                continue
            for start, end in pairs:
                if not start < end:
                    self.add_error(f"day_{day.value}", _("A period must end after it starts."))
                periods.append(Period(day.value, start, end))
        data["periods"] = periods
        return data

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{day.value}"] for day in WORKDAYS]


class AgendaFeedForm(forms.Form):
    url = forms.CharField(
        label=_("Agenda address (iCalendar)"),
        required=False,
        max_length=1000,
        help_text=_(
            "https:// or webcal:// address of the agenda, as your agenda program gives it."
        ),
    )
    file = forms.FileField(label=_("or an .ics file"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("url")) == bool(data.get("file")):
            raise forms.ValidationError(_("Give an agenda address or an .ics file (one of both)."))
        return data


class SuggestionQuery(forms.Form):
    case = forms.CharField(label=_("Registration number"), max_length=40)
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.filter(active=True).order_by("code"),
        to_field_name="code",
        required=False,
        label=_("Topic"),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Reassign")), ("keep", _("Keep the owner"))])
