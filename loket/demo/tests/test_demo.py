from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from loket.accounts.models import User
from loket.cases.models import Case, Channel, Event, Message
from loket.cases.references import parse_reference

pytestmark = pytest.mark.django_db


def test_demo_makes_a_believable_service() -> None:
    out = StringIO()
    call_command("demo", cases=600, stdout=out)
    assert "Demo logins (password: loket-demo)" in out.getvalue()
    assert User.objects.get(username="agent").check_password("loket-demo")
    cases = Case.objects.all()
    assert cases.count() == 600
    assert set(cases.values_list("channel", flat=True)) == set(Channel.values)
    assert set(cases.values_list("status", flat=True)) >= {
        "registered",
        "in-progress",
        "forwarded",
        "answered",
        "closed",
    }
    assert set(cases.values_list("language", flat=True)) == {"nl", "fr", "de", "en"}
    assert set(cases.values_list("kind", flat=True)) == set(Case.Kind.values)
    assert cases.filter(client__sector="welfare-centre").exists()
    for reference in cases.values_list("reference", flat=True)[:50]:
        parse_reference(reference)
    assert not cases.filter(due_at__isnull=True).exists()
    assert Message.objects.filter(direction="in").count() == 600
    assert Event.objects.filter(kind="case.registered").count() == 600
    answered = cases.filter(answered_at__isnull=False)
    assert Event.objects.filter(kind="case.answered").count() == answered.count()
    assert not answered.filter(answered_by_front_office__isnull=True).exists()


def test_demo_if_empty_loads_nothing_the_second_time() -> None:
    call_command("demo", cases=50, stdout=StringIO())
    out = StringIO()
    call_command("demo", cases=50, if_empty=True, stdout=out)
    assert Case.objects.count() == 50
    assert "nothing loaded" in out.getvalue()
