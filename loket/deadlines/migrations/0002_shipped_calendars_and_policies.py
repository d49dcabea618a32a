"""The two calendars and three policies loket ships with (charter rule 4)."""

import datetime as dt

from django.db import migrations

HOURS = {
    **{weekday: [("08:30", "12:30"), ("13:00", "16:30")] for weekday in range(4)},
    4: [("08:30", "12:30"), ("13:00", "16:00")],
}
CALENDARS = [
    ("be-legal", "Belgische wettelijke feestdagen / Jours fériés légaux belges", "be-legal", []),
    (
        "be-federal",
        "Federale administratie / Administration fédérale",
        "be-federal",
        # Bridge days set by the yearly circular; administrators add next year's.
        [(dt.date(2026, 5, 15), "brugdag / jour de pont"), (dt.date(2026, 7, 20), "brugdag / jour de pont")],
    ),
]
POLICIES = [
    ("standard", "Standaard: 2 werkdagen / Standard : 2 jours ouvrables", 2, "be-federal", "question", 95),
    ("competence-conflict", "Bevoegdheidsconflict: 5 werkdagen (wettelijk)", 5, "be-legal",
     "competence-conflict", 95),
    ("complaint", "Klacht / Plainte", 20, "be-federal", "complaint", 95),
]


def ship(apps, schema_editor):
    WorkingCalendar = apps.get_model("deadlines", "WorkingCalendar")
    OfficePeriod = apps.get_model("deadlines", "OfficePeriod")
    CalendarDay = apps.get_model("deadlines", "CalendarDay")
    DeadlinePolicy = apps.get_model("deadlines", "DeadlinePolicy")
    calendars = {}
    for code, name, holiday_set, days in CALENDARS:
        calendar, created = WorkingCalendar.objects.get_or_create(
            code=code, defaults={"name": name, "holiday_set": holiday_set}
        )
        calendars[code] = calendar
        if created:
            for weekday, periods in HOURS.items():
                for start, end in periods:
                    OfficePeriod.objects.create(
                        calendar=calendar, weekday=weekday,
                        start=dt.time.fromisoformat(start), end=dt.time.fromisoformat(end),
                    )
            for day, reason in days:
                CalendarDay.objects.create(calendar=calendar, date=day, closed=True, reason=reason)
    for code, name, days, calendar, kind, target in POLICIES:
        DeadlinePolicy.objects.get_or_create(
            code=code,
            defaults={"name": name, "working_days": days, "calendar": calendars[calendar],
                      "case_kind": kind, "target_percent": target},
        )


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
