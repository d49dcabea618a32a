"""A calendar's days off as iCalendar (RFC 5545), for staff agendas and the public site."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from . import rules
from .models import WorkingCalendar

REASONS = {
    "new-year": "Nieuwjaar / Nouvel An",
    "easter-monday": "Paasmaandag / Lundi de Pâques",
    "labour-day": "Feest van de Arbeid / Fête du Travail",
    "ascension": "O.L.H. Hemelvaart / Ascension",
    "whit-monday": "Pinkstermaandag / Lundi de Pentecôte",
    "national-day": "Nationale feestdag / Fête nationale",
    "assumption": "O.L.V. Hemelvaart / Assomption",
    "all-saints": "Allerheiligen / Toussaint",
    "armistice": "Wapenstilstand / Armistice",
    "christmas": "Kerstmis / Noël",
    "all-souls": "Allerzielen / Jour des morts",
    "kings-day": "Koningsdag / Fête du Roi",
    "boxing-day": "Tweede kerstdag / Lendemain de Noël",
    "year-end-closure": "Sluiting eindejaar / Fermeture de fin d'année",
}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def calendar_ics(calendar: WorkingCalendar, *, start: dt.date, end: dt.date) -> str:
    """Every closed working weekday in [start, end] as an all-day event."""
    value = calendar.rules()
    reasons = {d.date: d.reason for d in calendar.days.filter(closed=True)}
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//loket//working calendar//NL",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(calendar.name)}",
        f"X-WR-TIMEZONE:{calendar.timezone}",
    ]
    for day, reason in rules.days_off_between(start, end, value):
        summary = reasons.get(day) or REASONS.get(reason, reason)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{calendar.code}-{day:%Y%m%d}@loket",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
