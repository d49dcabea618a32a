"""Every field of loket's own models has a translated label.

A field without `verbose_name` gets one Django derives from its name ("case message"), in
English in every language: it shows as an untranslated column header or form label in the
admin and on the desk. Adding a field without a `_("…")` label fails here.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.utils.functional import Promise


def loket_fields() -> list[models.Field]:
    """The fields a model declares (inherited ones included), not the reverse relations or the
    automatic primary keys Django adds."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("loket."):
            continue
        for field in model._meta.get_fields():
            if field.auto_created or not (field.concrete or field.many_to_many):
                continue
            found.append(field)
    return found


def test_every_field_has_a_translated_label() -> None:
    fields = loket_fields()
    names = {f"{field.model._meta.label}.{field.name}" for field in fields}
    assert {"cases.Case.reference", "mail.OutboundMail.case_message"} <= names, "models seen"
    untranslated = [
        f"{field.model._meta.label}.{field.name}: {field.verbose_name!r}"
        for field in fields
        if not isinstance(field.verbose_name, Promise)
    ]
    assert untranslated == [], "give these fields verbose_name=_(…):\n" + "\n".join(untranslated)
