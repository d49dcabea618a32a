"""Correcting a client's contact details from the desk's client page, through HTTP: who may,
the form folded behind a link (without JavaScript too), a change saved with its message,
mistakes back with their errors tied to their fields, and CSRF."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.test import Client as Browser

from loket.accounts.models import User
from loket.cases.models import Case, Client, Event

from .conftest import register

pytestmark = pytest.mark.django_db
PEOPLE = ["agent", "expert", "coordinator", "manager", "administrator"]
MAY_CHANGE = {"agent", "coordinator", "administrator"}


class _Elements(HTMLParser):
    """Every element's attributes by id, and each textarea's text."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.text: dict[str, str] = {}
        self.value_of: dict[str, str] = {}  # an input's value by its name
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.by_id[str(found["id"])] = found
        if tag == "input" and found.get("name"):
            self.value_of[str(found["name"])] = found.get("value") or ""
        if tag == "textarea":
            self._textarea = found.get("id")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.text[self._textarea] = self.text.get(self._textarea, "") + data


def elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def page_url(client: Client) -> str:
    return f"/en/desk/clients/{client.pk}/"


def change_url(client: Client) -> str:
    return f"/en/desk/clients/{client.pk}/change/"


def typed(**values: str) -> dict[str, str]:
    """The form as the client fixture fills it, with `values` changed (without the prefix)."""
    fields = {
        "name": "OCMW Gent",
        "organisation": "",
        "kind": "organisation",
        "sector": "welfare-centre",
        "language": "nl",
        "emails": "info@ocmw-gent.example.be",
        "phones": "+3292669900",
        "street": "Onderbergen 86",
        "postal_code": "9000",
        "city": "Gent",
        "country": "BE",
        **values,
    }
    return {f"client-{name}": value for name, value in fields.items()}


@pytest.fixture
def case_on_page(client_record: Client) -> Case:
    return register(client_record, subject="Leefloon samenwonende")


@pytest.fixture
def browse(client: Browser, request: pytest.FixtureRequest) -> Callable[[str | None], Browser]:
    def as_person(person: str | None) -> Browser:
        client.logout()
        if person is not None:
            client.force_login(request.getfixturevalue(person))
        return client

    return as_person


def test_who_may_change_a_client(
    browse: Callable[[str | None], Browser], client_record: Client
) -> None:
    url = change_url(client_record)
    anonymous = browse(None).post(url, typed())
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/en/desk/login/")
    assert browse("outsider").post(url, typed()).status_code == 403
    found = {
        person: browse(person).post(url, typed(city=f"Gent ({person})")).status_code
        for person in PEOPLE
    }
    # Experts and managers may read the client's page but not change it: 403, as the desk
    # answers an action a role may not take.
    assert found == {person: 302 if person in MAY_CHANGE else 403 for person in PEOPLE}
    client_record.refresh_from_db()
    assert client_record.city == "Gent (administrator)"
    actors = Event.objects.filter(client=client_record, kind=Event.Kind.CLIENT_CHANGED)
    assert {event.actor.username for event in actors if event.actor} == MAY_CHANGE
    assert browse("agent").post("/en/desk/clients/999999/change/", typed()).status_code == 404
    assert browse("agent").get(url).status_code == 405


def test_the_form_is_offered_only_to_those_who_may_change(
    browse: Callable[[str | None], Browser], client_record: Client
) -> None:
    for person in PEOPLE:
        folded = browse(person).get(page_url(client_record)).content.decode()
        unfolded = browse(person).get(page_url(client_record), {"action": "change"})
        assert unfolded.status_code == 200
        shown = elements(unfolded.content.decode()).by_id
        if person in MAY_CHANGE:
            assert "fold-change" in elements(folded).by_id, person
            assert f"{page_url(client_record)}?action=change#change" in folded
            assert "change" in shown and "id_client-name" in shown, person
        else:
            assert "fold-change" not in elements(folded).by_id, person
            assert "change" not in shown and "Change the contact details" not in folded, person


def test_unfolded_the_form_holds_the_client_s_details(
    browse: Callable[[str | None], Browser], client_record: Client
) -> None:
    client_record.emails.create(address="sociaal@ocmw-gent.example.be")
    response = browse("agent").get(page_url(client_record), {"action": "change"})
    found = elements(response.content.decode())

    name = found.by_id["id_client-name"]
    assert name["value"] == "OCMW Gent" and "autofocus" in name  # asked for: the cursor there
    assert found.by_id["id_client-country"]["value"] == "BE"
    assert found.text["id_client-emails"].strip() == (
        "info@ocmw-gent.example.be\nsociaal@ocmw-gent.example.be"
    )
    assert found.text["id_client-phones"].strip() == "+3292669900"
    form = found.by_id["change"]
    assert form["aria-labelledby"] == "change-title"
    assert f'action="{change_url(client_record)}"' in response.content.decode()
    # The help text is the textarea's description.
    assert found.by_id["id_client-emails"]["aria-describedby"] == "id_client-emails_helptext"


def test_a_change_is_saved_and_the_page_says_so(
    browse: Callable[[str | None], Browser], client_record: Client, agent: User
) -> None:
    browser = browse("agent")
    response = browser.post(
        change_url(client_record),
        typed(
            name="OCMW Gent, sociale dienst",
            language="fr",
            emails="Info@OCMW-Gent.example.be\r\n\r\nSociaal@OCMW-Gent.example.be\r\n",
            phones="09 266 99 00\r\n0470 12 34 56",
        ),
    )

    assert response.status_code == 302 and response["Location"] == page_url(client_record)
    page = browser.get(response["Location"]).content.decode()
    assert "The contact details are saved." in page
    assert "sociaal@ocmw-gent.example.be" in page and "+32470123456" in page
    client_record.refresh_from_db()
    assert (client_record.name, client_record.language) == ("OCMW Gent, sociale dienst", "fr")
    (event,) = Event.objects.filter(client=client_record, kind=Event.Kind.CLIENT_CHANGED)
    assert event.actor == agent
    assert event.data == {
        "changed": {
            "name": ["OCMW Gent", "OCMW Gent, sociale dienst"],
            "language": ["nl", "fr"],
            "emails": [
                ["info@ocmw-gent.example.be"],
                ["info@ocmw-gent.example.be", "sociaal@ocmw-gent.example.be"],
            ],
            "phones": [["+3292669900"], ["+3292669900", "+32470123456"]],
        }
    }


def test_the_same_details_again_change_nothing(
    browse: Callable[[str | None], Browser], client_record: Client
) -> None:
    response = browse("agent").post(change_url(client_record), typed(phones="09 266 99 00"))
    assert response.status_code == 302
    assert not Event.objects.filter(client=client_record, kind=Event.Kind.CLIENT_CHANGED)


@pytest.mark.parametrize(
    "values,field,error",
    [
        # Refused by the form (it normalises the lists with the service's own rules)…
        ({"emails": "info@ocmw-gent.example.be\r\ninfo@ocmw-gent"}, "emails",
         "info@ocmw-gent is not an e-mail address."),
        ({"phones": "12\r\n09 266 99 00"}, "phones", "12 is not a phone number."),
        # …and by the service, its error put on the field it names.
        ({"country": "B1"}, "country", "B1 is not a country code (two letters, such as BE)."),
    ],
)  # fmt: skip
def test_mistakes_come_back_with_their_errors_tied_to_their_fields(
    browse: Callable[[str | None], Browser],
    client_record: Client,
    case_on_page: Case,
    values: dict[str, str],
    field: str,
    error: str,
) -> None:
    response = browse("agent").post(
        change_url(client_record), typed(name="OCMW Gent-Centrum", **values)
    )

    assert response.status_code == 422
    html = response.content.decode()
    found = elements(html)
    control = found.by_id[f"id_client-{field}"]
    assert control["aria-invalid"] == "true"
    assert f"id_client-{field}_error" in str(control["aria-describedby"]).split()
    assert f'<ul class="errorlist" id="id_client-{field}_error"><li>{error}</li></ul>' in html
    assert "aria-invalid" not in found.by_id["id_client-name"]
    assert "The contact details are not saved" in html
    # What was typed is kept, to correct it; the page is still the client's page.
    assert found.by_id["id_client-name"]["value"] == "OCMW Gent-Centrum"
    shown = found.text.get(f"id_client-{field}", control.get("value") or "")
    assert shown.split() == values[field].split()
    assert case_on_page.reference in html
    client_record.refresh_from_db()
    assert client_record.name == "OCMW Gent"
    assert not Event.objects.filter(client=client_record, kind=Event.Kind.CLIENT_CHANGED)


def test_every_mistake_is_shown_at_once(
    browse: Callable[[str | None], Browser], client_record: Client
) -> None:
    data = typed(name=" ", emails="fout\r\nook fout", phones="bel me")
    del data["client-kind"]
    response = browse("agent").post(change_url(client_record), data)
    assert response.status_code == 422
    html = response.content.decode()
    found = elements(html)
    for field in ("name", "kind", "emails", "phones"):
        assert found.by_id[f"id_client-{field}"]["aria-invalid"] == "true", field
    assert "This field is required." in html
    assert (
        '<ul class="errorlist" id="id_client-emails_error"><li>fout is not an e-mail address.'
        "</li><li>ook fout is not an e-mail address.</li></ul>"
    ) in html
    assert "bel me is not a phone number." in html


def test_the_form_needs_its_csrf_token(agent: User, client_record: Client) -> None:
    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(agent)
    assert browser.post(change_url(client_record), typed(city="Brugge")).status_code == 403
    client_record.refresh_from_db()
    assert client_record.city == "Gent"

    page = elements(browser.get(page_url(client_record), {"action": "change"}).content.decode())
    token = page.value_of["csrfmiddlewaretoken"]
    response = browser.post(
        change_url(client_record), {**typed(city="Brugge"), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.city == "Brugge"
